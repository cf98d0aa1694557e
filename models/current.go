package models

import (
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// CurrentReport is the latest approved version of each village-year, kept current
// in the same transaction that approves a version. The roll-up of now reads it
// instead of the history; it always equals the recount (tests compare the two).
type CurrentReport struct {
	VillageCode  string `gorm:"primaryKey;size:12"`
	Year         int    `gorm:"primaryKey;index"`
	VersionID    uint   `gorm:"not null"`
	StarRating   int    `gorm:"not null"`
	HemeiBuilt   bool   `gorm:"not null"`
	OperatingFen int64  `gorm:"not null"`
	TotalFen     int64  `gorm:"not null"`
	AssetsFen    int64  `gorm:"not null"`
	// ReviewedAt is when the current version was approved.
	ReviewedAt time.Time `gorm:"not null"`
}

func currentOf(r *ReportVersion) CurrentReport {
	return CurrentReport{VillageCode: r.VillageCode, Year: r.Year, VersionID: r.ID, StarRating: r.StarRating,
		HemeiBuilt: r.HemeiBuilt, OperatingFen: r.OperatingFen, TotalFen: r.TotalFen, AssetsFen: r.AssetsFen,
		ReviewedAt: *r.ReviewedAt}
}

// upsertCurrent records newly approved versions as the current ones, in tx.
func upsertCurrent(tx *gorm.DB, rs ...ReportVersion) error {
	if len(rs) == 0 {
		return nil
	}
	// The cells move first: they read the current reports being replaced.
	if err := cellsForApprovals(tx, rs); err != nil {
		return err
	}
	rows := make([]CurrentReport, len(rs))
	for i := range rs {
		rows[i] = currentOf(&rs[i])
	}
	return tx.Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "village_code"}, {Name: "year"}},
		DoUpdates: clause.AssignmentColumns([]string{"version_id", "star_rating", "hemei_built", "operating_fen", "total_fen", "assets_fen", "reviewed_at"}),
	}).CreateInBatches(rows, 500).Error
}

// RebuildCurrent recomputes the current table from the history (after a bulk load).
func RebuildCurrent(db *gorm.DB) error {
	return db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("1 = 1").Delete(&CurrentReport{}).Error; err != nil {
			return err
		}
		return tx.Exec(`INSERT INTO current_reports (village_code, year, version_id, star_rating, hemei_built, operating_fen, total_fen, assets_fen, reviewed_at)
`+latestApprovedSQL, StatusApproved).Error
	})
}

// latestApprovedSQL recounts the current table from the history: the latest
// approved version of each village-year (one parameter: StatusApproved).
const latestApprovedSQL = `SELECT r.village_code, r.year, r.id AS version_id, r.star_rating, r.hemei_built, r.operating_fen, r.total_fen, r.assets_fen, r.reviewed_at
FROM report_versions r
JOIN (SELECT village_code, year, MAX(seq) AS seq FROM report_versions WHERE status = ? GROUP BY village_code, year) la
  ON la.village_code = r.village_code AND la.year = r.year AND la.seq = r.seq`

// lastChanges are the latest instants at which the history the roll-up reads
// changed. Each is a MAX over an indexed column, which both databases answer from
// the index alone, whatever the statistics say.
type lastChanges struct {
	Approval, Revision, MemberAdded, MemberRemoved, CompanyCreated, CompanyDissolved, Workshop *time.Time
	// The roll-up of now also reads the title register, the workshops' star
	// evaluations and the open versions (created, submitted) from the cells.
	Title, Star, Opened, Submitted *time.Time
}

// changeCount is the number of instants of lastChanges.
const changeCount = 11

// latestChangesSQL selects the instants of lastChanges, in its order.
const latestChangesSQL = `(SELECT MAX(reviewed_at) FROM report_versions) AS approval,
		(SELECT MAX(valid_from) FROM village_revisions) AS revision,
		(SELECT MAX(added_at) FROM company_members) AS member_added,
		(SELECT MAX(removed_at) FROM company_members) AS member_removed,
		(SELECT MAX(created_at) FROM companies) AS company_created,
		(SELECT MAX(recorded_at) FROM company_statuses) AS company_dissolved,
		(SELECT MAX(reviewed_at) FROM workshop_versions) AS workshop,
		(SELECT MAX(recorded_at) FROM title_entries) AS title,
		(SELECT MAX(recorded_at) FROM workshop_stars) AS star,
		(SELECT MAX(created_at) FROM report_versions) AS opened,
		(SELECT MAX(submitted_at) FROM report_versions) AS submitted`

func latestChanges(db *gorm.DB) (*lastChanges, error) {
	var raw [changeCount]any
	if err := db.Raw("SELECT " + latestChangesSQL).Row().Scan(changePointers(&raw)...); err != nil {
		return nil, err
	}
	return readChanges(raw)
}

// changePointers are pointers to each of raw's values, for a Scan.
func changePointers(raw *[changeCount]any) []any {
	out := make([]any, changeCount)
	for i := range raw {
		out[i] = &raw[i]
	}
	return out
}

// readChanges reads the instants of latestChangesSQL.
func readChanges(raw [changeCount]any) (*lastChanges, error) {
	var ts [changeCount]*time.Time
	for i, v := range raw {
		t, err := dbTime(v)
		if err != nil {
			return nil, err
		}
		ts[i] = t
	}
	return &lastChanges{ts[0], ts[1], ts[2], ts[3], ts[4], ts[5], ts[6], ts[7], ts[8], ts[9], ts[10]}, nil
}

// changedAfter reports whether any of the instants is after t.
func (l *lastChanges) changedAfter(t time.Time) bool {
	return after(l.Approval, t) || after(l.Revision, t) || after(l.MemberAdded, t) || after(l.MemberRemoved, t) ||
		after(l.CompanyCreated, t) || after(l.CompanyDissolved, t) || after(l.Workshop, t) ||
		after(l.Title, t) || after(l.Star, t) || after(l.Opened, t) || after(l.Submitted, t)
}

// dbTime reads an aggregate's instant: PostgreSQL gives a time, SQLite the text it
// stored (an aggregate loses the column's declared type).
func dbTime(v any) (*time.Time, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case time.Time:
		return &x, nil
	case []byte:
		return dbTime(string(x))
	case string:
		for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", "2006-01-02T15:04:05.999999999-07:00",
			"2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999Z07:00", "2006-01-02 15:04:05"} {
			if t, err := time.Parse(layout, x); err == nil {
				return &t, nil
			}
		}
		return nil, fmt.Errorf("unreadable instant %q", x)
	}
	return nil, fmt.Errorf("unreadable instant %T", v)
}

func after(p *time.Time, t time.Time) bool { return p != nil && p.After(t) }

// historyChangedAfter reports whether anything the roll-up reads from history — an
// approval, a master-data revision, a membership or company change, a workshop
// approval — happened after t. When nothing did, the state as of t is the current
// state and the maintained tables give it directly.
func historyChangedAfter(db *gorm.DB, t time.Time) (bool, error) {
	l, err := latestChanges(db)
	if err != nil {
		return false, err
	}
	return l.changedAfter(t), nil
}
