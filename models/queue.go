package models

import (
	"fmt"
	"net/url"
	"slices"
	"sort"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// QueueItem is a submitted version waiting for the street's review, with its village
// and the village's last approved version of the same year (nil when none).
type QueueItem struct {
	Version  ReportVersion
	Village  Village
	Approved *ReportVersion
	// LastYear is the village's last approved version of the year before, or nil.
	LastYear *ReportVersion
	// Flags are what the reviewer should look at (see ComputeFlags).
	Flags []Flag
	// Opened: the officer has opened this version's review page.
	Opened bool
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

// HasFlag reports whether the item has a flag of the code ("any": any flag, "none":
// no flag).
func (q QueueItem) HasFlag(code string) bool {
	switch code {
	case "any":
		return len(q.Flags) > 0
	case "none":
		return len(q.Flags) == 0
	}
	for _, f := range q.Flags {
		if f.Code == code {
			return true
		}
	}
	return false
}

// NeedsOpening: a flagged item the officer has not opened yet may not be approved in
// bulk.
func (q QueueItem) NeedsOpening() bool { return len(q.Flags) > 0 && !q.Opened }

// QueueFilter is how the officer narrows and orders the queue: by flag ("" all,
// "any", "none" or a flag code), street code, village type, and Sort "" (oldest
// submission first), "flags" (most flags first) or "street" (by street, then village).
type QueueFilter struct {
	Flag, Street, Type, Sort string
}

// QueueSorts are the queue's orders with their names.
var QueueSorts = []struct{ Code, Label string }{{"", "提交时间（先交先审）"}, {"flags", "提示数（多的在前）"}, {"street", "街道、村"}}

// Clean drops the values that name no flag or order.
func (f QueueFilter) Clean() QueueFilter {
	if f.Flag != "any" && f.Flag != "none" && FlagLabel(f.Flag) == "" {
		f.Flag = ""
	}
	if f.Sort != "flags" && f.Sort != "street" {
		f.Sort = ""
	}
	if len(f.Street) > 20 {
		f.Street = ""
	}
	if !slices.Contains(VillageTypes, f.Type) {
		f.Type = "" // an unknown type filters nothing, as the page's select then shows
	}
	return f
}

// IsZero: the whole queue, oldest submission first.
func (f QueueFilter) IsZero() bool { return f == QueueFilter{} }

// Values is the filter as URL query values ("" values left out).
func (f QueueFilter) Values() url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"flag": f.Flag, "street": f.Street, "type": f.Type, "sort": f.Sort} {
		if s != "" {
			v.Set(k, s)
		}
	}
	return v
}

// Query is the filter as a URL query ("" for none, else "?flag=…").
func (f QueueFilter) Query() string {
	if q := f.Values().Encode(); q != "" {
		return "?" + q
	}
	return ""
}

func (f QueueFilter) keeps(q QueueItem) bool {
	return (f.Flag == "" || q.HasFlag(f.Flag)) && (f.Street == "" || q.Village.StreetCode == f.Street) &&
		(f.Type == "" || q.Village.Type == f.Type)
}

// Queue is the officer's queue as filtered, with what is left in all and the
// streets and types it holds (for the filter's choices).
type Queue struct {
	Items []QueueItem
	// Total counts the whole queue, unfiltered.
	Total   int
	Streets []Street
	Types   []string
}

// ListQueue lists the submitted versions of the villages in the actor's scope, with
// their flags, filtered and ordered by f, in four statements whatever their number:
// the submitted versions, the flags' inputs (ComputeFlags, which also gives the
// approved versions of the same and the year before), the officer's openings.
func ListQueue(db *gorm.DB, a *Actor, f QueueFilter) (*Queue, error) {
	var subs []ReportVersion
	err := db.Joins("JOIN villages ON villages.code = report_versions.village_code").
		Scopes(a.Scope().Villages).
		Where("report_versions.status = ?", StatusSubmitted).
		Preload("Village").Preload("Village.Street").
		Order("report_versions.submitted_at, report_versions.id").Find(&subs).Error
	if err != nil || len(subs) == 0 {
		return &Queue{}, err
	}
	subjects := make([]FlagSubject, len(subs))
	ids := make([]uint, len(subs))
	for i := range subs {
		subjects[i] = FlagSubject{Version: &subs[i], Village: &subs[i].Village}
		ids[i] = subs[i].ID
	}
	res, err := ComputeFlags(db, subjects, now())
	if err != nil {
		return nil, err
	}
	opened, err := OpenedBy(db, a.UserID, ids)
	if err != nil {
		return nil, err
	}
	q := &Queue{Total: len(subs)}
	seenS, seenT := map[string]bool{}, map[string]bool{}
	for i, s := range subs {
		it := QueueItem{Version: s, Village: s.Village, Approved: res.Approved[reportKey(s.VillageCode, s.Year)],
			LastYear: subjects[i].LastYear, Flags: res.Flags[i], Opened: opened[s.ID]}
		if !seenS[s.Village.StreetCode] {
			seenS[s.Village.StreetCode] = true
			q.Streets = append(q.Streets, s.Village.Street)
		}
		if !seenT[s.Village.Type] {
			seenT[s.Village.Type] = true
			q.Types = append(q.Types, s.Village.Type)
		}
		if f.keeps(it) {
			q.Items = append(q.Items, it)
		}
	}
	sort.Slice(q.Streets, func(i, j int) bool { return q.Streets[i].Code < q.Streets[j].Code })
	sort.Strings(q.Types)
	switch f.Sort {
	case "flags":
		sort.SliceStable(q.Items, func(i, j int) bool { return len(q.Items[i].Flags) > len(q.Items[j].Flags) })
	case "street":
		sort.SliceStable(q.Items, func(i, j int) bool {
			a, b := q.Items[i].Village, q.Items[j].Village
			if a.StreetCode != b.StreetCode {
				return a.StreetCode < b.StreetCode
			}
			return a.Code < b.Code
		})
	}
	return q, nil
}

// ReportOpening records that an officer opened the review page of a submitted
// version (once per officer and version): a flagged version is approved in bulk
// only once opened.
type ReportOpening struct {
	ID        uint      `gorm:"primaryKey"`
	VersionID uint      `gorm:"not null;uniqueIndex:idx_report_openings_version_user"`
	UserID    uint      `gorm:"not null;uniqueIndex:idx_report_openings_version_user"`
	OpenedAt  time.Time `gorm:"not null"`
}

// RecordOpening records that the officer opened the version (nothing when already
// recorded): one statement.
func RecordOpening(db *gorm.DB, a *Actor, versionID uint) error {
	return db.Clauses(clause.OnConflict{DoNothing: true}).
		Create(&ReportOpening{VersionID: versionID, UserID: a.UserID, OpenedAt: now()}).Error
}

// OpenedBy is which of the versions the user has opened (one statement).
func OpenedBy(db *gorm.DB, userID uint, ids []uint) (map[uint]bool, error) {
	out := map[uint]bool{}
	if len(ids) == 0 {
		return out, nil
	}
	var got []uint
	err := db.Model(&ReportOpening{}).Where("user_id = ? AND version_id IN ?", userID, ids).Pluck("version_id", &got).Error
	for _, id := range got {
		out[id] = true
	}
	return out, err
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
// (already reviewed, outside the scope, stale, or flagged and not opened by the
// officer) does not hold back the others. More than MaxBulkApprove items are
// refused whole, before any is tried.
func ApproveMany(db *gorm.DB, a *Actor, items []BulkResult) ([]BulkResult, error) {
	if len(items) > MaxBulkApprove {
		return nil, Invalid("form", fmt.Sprintf("一次最多通过 %d 份报表，本次选了 %d 份；请分批勾选", MaxBulkApprove, len(items)))
	}
	queue, err := ListQueue(db, a, QueueFilter{})
	if err != nil {
		return nil, err
	}
	unopened := map[BulkResult]bool{}
	for _, q := range queue.Items {
		if q.NeedsOpening() {
			unopened[BulkResult{VillageCode: q.Version.VillageCode, Year: q.Version.Year}] = true
		}
	}
	out := make([]BulkResult, len(items))
	for i, it := range items {
		out[i] = it
		if unopened[BulkResult{VillageCode: it.VillageCode, Year: it.Year}] {
			out[i].Err = Conflict("有提示，须先打开审阅后再通过")
			continue
		}
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

// QueueNext is the first submitted version of the actor's queue as filtered and
// ordered by f (nil when none is left) and how many are left in it. The whole
// queue, oldest first, is one statement; a filter or another order reads the queue
// with its flags (ListQueue).
func QueueNext(db *gorm.DB, a *Actor, f QueueFilter) (*ReportVersion, int64, error) {
	if !f.IsZero() {
		q, err := ListQueue(db, a, f)
		if err != nil || len(q.Items) == 0 {
			return nil, 0, err
		}
		next := q.Items[0].Version
		return &next, int64(len(q.Items)), nil
	}
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
