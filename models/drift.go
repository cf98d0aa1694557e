package models

import (
	"database/sql"

	"gorm.io/gorm"
)

// Drift is how far the maintained figures stand from a recount made from the
// history: the current reports, the roll-up cells and the indicator cells that
// differ. All must be 0; the metrics show them so that a drift is seen the day it
// appears.
type Drift struct {
	CurrentReports int64
	RollupCells    int64
	// RegisterCells are the cells whose register figures (titles, workshops, member
	// villages, open versions) differ from a recount from the registers, and
	// CompanyCells the company rows (RollupCompanyCell) that do.
	RegisterCells  int64
	CompanyCells   int64
	IndicatorCells int64
	// Totals are the rows of the street and district totals (migration 0017) that
	// differ from the sums of the cells, and those of the regions' companies
	// (migration 0019) that differ from a count of the company rows.
	Totals int64
}

// MeasureDrift recounts the current reports from the report history, the roll-up
// cells from the villages and that recount, and the indicator cells from the
// villages and the indicator values' history, in one snapshot, and counts the rows
// that differ from the maintained ones.
func MeasureDrift(db *gorm.DB) (Drift, error) {
	var d Drift
	opts := &sql.TxOptions{}
	if db.Dialector.Name() == "postgres" {
		opts = &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}
	}
	err := db.Transaction(func(tx *gorm.DB) error {
		var kept, recounted []CurrentReport
		if err := tx.Find(&kept).Error; err != nil {
			return err
		}
		if err := tx.Raw(latestApprovedSQL, StatusApproved).Scan(&recounted).Error; err != nil {
			return err
		}
		byKey := map[string]*CurrentReport{}
		for i := range recounted {
			byKey[reportKey(recounted[i].VillageCode, recounted[i].Year)] = &recounted[i]
		}
		seen := map[string]bool{}
		for _, k := range kept {
			key := reportKey(k.VillageCode, k.Year)
			seen[key] = true
			if r := byKey[key]; r == nil || !sameCurrent(k, *r) {
				d.CurrentReports++
			}
		}
		for key := range byKey {
			if !seen[key] {
				d.CurrentReports++
			}
		}

		var villages []Village
		if err := tx.Find(&villages).Error; err != nil {
			return err
		}
		years, err := Years(tx)
		if err != nil {
			return err
		}
		want := cellDeltas{}
		for _, y := range years {
			for i := range villages {
				want.contribute(&villages[i], y, byKey[reportKey(villages[i].Code, y)], +1)
			}
		}
		var cells []RollupCell
		if err := tx.Find(&cells).Error; err != nil {
			return err
		}
		have := map[cellKey]aggRow{}
		for i := range cells {
			c := &cells[i]
			have[cellKey{c.DistrictCode, c.StreetCode, c.Type, c.Year}] = c.figures()
		}
		for k, r := range want {
			if h := have[k]; !h.sameFigures(r) {
				d.RollupCells++
			}
		}
		for k, r := range have {
			// A cell left at zero (every village moved away) equals no cell.
			if _, ok := want[k]; !ok && !r.isZero() {
				d.RollupCells++
			}
		}
		if d.RegisterCells, d.CompanyCells, err = registerDrift(tx); err != nil {
			return err
		}
		if d.IndicatorCells, err = indicatorCellsDrift(tx); err != nil {
			return err
		}
		if d.Totals, err = totalsDrift(tx); err != nil {
			return err
		}
		regions, err := regionDrift(tx)
		d.Totals += regions
		return err
	}, opts)
	return d, err
}

func sameCurrent(a, b CurrentReport) bool {
	return a.VersionID == b.VersionID && a.StarRating == b.StarRating && a.HemeiBuilt == b.HemeiBuilt &&
		a.OperatingFen == b.OperatingFen && a.TotalFen == b.TotalFen && a.AssetsFen == b.AssetsFen &&
		a.ReviewedAt.Equal(b.ReviewedAt)
}
