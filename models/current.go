package models

import (
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
SELECT r.village_code, r.year, r.id, r.star_rating, r.hemei_built, r.operating_fen, r.total_fen, r.assets_fen, r.reviewed_at
FROM report_versions r
JOIN (SELECT village_code, year, MAX(seq) AS seq FROM report_versions WHERE status = ? GROUP BY village_code, year) la
  ON la.village_code = r.village_code AND la.year = r.year AND la.seq = r.seq`, StatusApproved).Error
	})
}

// historyChangedAfter (each condition on its own indexed column) reports whether anything the roll-up reads from history —
// an approval, a master-data revision, a membership or company change, a workshop
// approval — happened after t. When nothing did, the state as of t is the current
// state and the maintained tables give it directly.
func historyChangedAfter(db *gorm.DB, t time.Time) (bool, error) {
	var changed int
	err := db.Raw(`SELECT CASE WHEN
		EXISTS (SELECT 1 FROM report_versions WHERE reviewed_at > ?) OR
		EXISTS (SELECT 1 FROM village_revisions WHERE valid_from > ?) OR
		EXISTS (SELECT 1 FROM company_members WHERE added_at > ?) OR
		EXISTS (SELECT 1 FROM company_members WHERE removed_at > ?) OR
		EXISTS (SELECT 1 FROM companies WHERE created_at > ?) OR
		EXISTS (SELECT 1 FROM companies WHERE dissolved_at > ?) OR
		EXISTS (SELECT 1 FROM workshop_versions WHERE reviewed_at > ?)
		THEN 1 ELSE 0 END`, t, t, t, t, t, t, t).Row().Scan(&changed)
	return changed == 1, err
}

// firstYearChangedAfter reports whether a first-year version was approved, or any
// master data revised, after t. The latest approval of each village-year is the
// current one, so the current table (by its year and approval time) tells.
func firstYearChangedAfter(db *gorm.DB, t time.Time) (bool, error) {
	var changed int
	err := db.Raw(`SELECT CASE WHEN
		EXISTS (SELECT 1 FROM current_reports WHERE year = ? AND reviewed_at > ?) OR
		EXISTS (SELECT 1 FROM village_revisions WHERE valid_from > ?)
		THEN 1 ELSE 0 END`, FirstYear, t, t).Row().Scan(&changed)
	return changed == 1, err
}
