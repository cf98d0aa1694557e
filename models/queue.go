package models

import (
	"fmt"

	"gorm.io/gorm"
)

// QueueItem is a submitted version waiting for the street's review, with its village
// and the village's last approved version of the same year (nil when none).
type QueueItem struct {
	Version  ReportVersion
	Village  Village
	Approved *ReportVersion
	// LastYear is the village's last approved version of the year before, or nil.
	LastYear *ReportVersion
	// DividendFlag says when the village's 强村公司 dividends of the year exceed the
	// submitted 投资收益 (see DividendFlag); "" otherwise.
	DividendFlag string
}

// Changes compares every amount of the submitted version with last year's
// approved version.
func (q QueueItem) Changes() []Change { return Compare(&q.Version, q.LastYear) }

// OperatingChange is the 经营性收入 of the submitted version against last year's.
func (q QueueItem) OperatingChange() Change {
	for _, c := range q.Changes() {
		if c.Key == "operating_fen" {
			return c
		}
	}
	return Change{}
}

// ListQueue lists the submitted versions of the villages in the actor's scope, oldest
// submission first.
func ListQueue(db *gorm.DB, a *Actor) ([]QueueItem, error) {
	var subs []ReportVersion
	err := db.Joins("JOIN villages ON villages.code = report_versions.village_code").
		Scopes(a.Scope().Villages).
		Where("report_versions.status = ?", StatusSubmitted).
		Preload("Village").Preload("Village.Street").
		Order("report_versions.submitted_at, report_versions.id").Find(&subs).Error
	if err != nil || len(subs) == 0 {
		return nil, err
	}
	// The last approved version of each (village, year) in scope, in one query: it
	// holds both the queue's years and the years before them.
	var approved []ReportVersion
	err = db.Where("status = ? AND id IN (?)", StatusApproved,
		db.Model(&ReportVersion{}).Select("MAX(report_versions.id)").
			Joins("JOIN villages ON villages.code = report_versions.village_code").
			Scopes(a.Scope().Villages).
			Where("report_versions.status = ?", StatusApproved).
			Group("report_versions.village_code, report_versions.year")).Find(&approved).Error
	if err != nil {
		return nil, err
	}
	last := map[string]*ReportVersion{}
	for i := range approved {
		last[reportKey(approved[i].VillageCode, approved[i].Year)] = &approved[i]
	}
	// The dividends of every queued village-year, in one query.
	divs, err := DividendsReceived(db, subs)
	if err != nil {
		return nil, err
	}
	out := make([]QueueItem, len(subs))
	for i, s := range subs {
		out[i] = QueueItem{Version: s, Village: s.Village, Approved: last[reportKey(s.VillageCode, s.Year)],
			LastYear:     last[reportKey(s.VillageCode, s.Year-1)],
			DividendFlag: DividendFlag(divs[reportKey(s.VillageCode, s.Year)], s.InvestmentFen)}
	}
	return out, nil
}

// BulkResult is the outcome of one item of a bulk approval.
type BulkResult struct {
	VillageCode string
	Year        int
	// Expected is the version number the officer saw (0: do not check).
	Expected int
	Version  *ReportVersion
	Err      error
}

// MaxBulkApprove is how many reports one bulk approval may name.
const MaxBulkApprove = 200

// ApproveMany approves several submitted versions, each on its own: one that fails
// (already reviewed, outside the scope, stale) does not hold back the others. More
// than MaxBulkApprove items are refused whole, before any is tried.
func ApproveMany(db *gorm.DB, a *Actor, items []BulkResult) ([]BulkResult, error) {
	if len(items) > MaxBulkApprove {
		return nil, Invalid("form", fmt.Sprintf("一次最多通过 %d 份报表，本次选了 %d 份；请分批勾选", MaxBulkApprove, len(items)))
	}
	out := make([]BulkResult, len(items))
	for i, it := range items {
		out[i] = it
		var expected *int
		if it.Expected != 0 {
			expected = &it.Expected
		}
		out[i].Version, out[i].Err = Approve(db, a, it.VillageCode, it.Year, expected)
	}
	return out, nil
}

// WorkshopQueueItem is a submitted workshop change waiting for the street's review.
type WorkshopQueueItem struct {
	Version     WorkshopVersion
	VillageName string
}

// ListWorkshopQueue lists the submitted workshop changes in the actor's scope.
func ListWorkshopQueue(db *gorm.DB, a *Actor) ([]WorkshopQueueItem, error) {
	var rows []struct {
		WorkshopVersion
		VillageName string
	}
	err := db.Table("workshop_versions").Select("workshop_versions.*, villages.name AS village_name").
		Joins("JOIN villages ON villages.code = workshop_versions.village_code").Scopes(a.Scope().Villages).
		Where("workshop_versions.status = ?", StatusSubmitted).
		Order("workshop_versions.submitted_at, workshop_versions.id").Scan(&rows).Error
	out := make([]WorkshopQueueItem, len(rows))
	for i, r := range rows {
		out[i] = WorkshopQueueItem{Version: r.WorkshopVersion, VillageName: r.VillageName}
	}
	return out, err
}

// QueueNext is the oldest submitted version in the actor's scope (nil when none is
// left) and how many submitted versions are left in all.
func QueueNext(db *gorm.DB, a *Actor) (*ReportVersion, int64, error) {
	// One statement: the oldest submitted version, its village's name and the
	// count of all of them (a window over the same rows).
	var row struct {
		ReportVersion
		NextVillageName string
		QueueTotal      int64
	}
	err := db.Model(&ReportVersion{}).Joins("JOIN villages ON villages.code = report_versions.village_code").
		Scopes(a.Scope().Villages).Where("report_versions.status = ?", StatusSubmitted).
		Select("report_versions.*, villages.name AS next_village_name, COUNT(*) OVER () AS queue_total").
		Order("report_versions.submitted_at, report_versions.id").Limit(1).Scan(&row).Error
	if err != nil || row.ID == 0 {
		return nil, 0, err
	}
	next := row.ReportVersion
	next.Village = Village{Code: next.VillageCode, Name: row.NextVillageName}
	return &next, row.QueueTotal, nil
}
