package models

import (
	"fmt"

	"gorm.io/gorm"
)

// IndicatorCell is a catalogue indicator's figures of one street, village type and
// year, kept current in the same transaction as every approval of a value (a
// street's approval, a street's or the district's own entry, an import) and every
// change of a village's master data, like the report's roll-up cells (cells.go):
// the indicator's roll-up of now sums a few cells instead of reading every
// village's history. It always equals the recount (MeasureDrift, `cunji check`; the
// tests compare the two after every kind of write).
//
// A cell holds what the values give: the villages active in the year with an
// approved value (Reported), those whose value is above zero (Yes) and the sum of
// the values (SumValue). The villages active in the year, whatever their values,
// are the report's cells' count (RollupCell.Villages), which the same changes keep.
// None depends on the indicator's definition (its rule or years), so a change of
// definition moves no cell.
type IndicatorCell struct {
	IndicatorID  uint   `gorm:"primaryKey;autoIncrement:false"`
	StreetCode   string `gorm:"primaryKey;size:9"`
	Type         string `gorm:"primaryKey;size:20"`
	Year         int    `gorm:"primaryKey"`
	DistrictCode string `gorm:"size:6;not null"`
	Reported     int64  `gorm:"not null"`
	Yes          int64  `gorm:"not null"`
	SumValue     int64  `gorm:"not null"`
}

// indicatorCellKey names an indicator cell.
type indicatorCellKey struct {
	indicator             uint
	district, street, typ string
	year                  int
}

// indicatorCellFigures are a cell's figures (or a change to them).
type indicatorCellFigures struct{ reported, yes, sum int64 }

func (f indicatorCellFigures) isZero() bool { return f == indicatorCellFigures{} }

// indicatorCellDeltas accumulate changes to indicator cells before they are written.
type indicatorCellDeltas map[indicatorCellKey]*indicatorCellFigures

// contribute adds sign × a village's approved value (master data m) of indicator
// id for year y to its cell; a village not active in y counts nowhere.
func (d indicatorCellDeltas) contribute(m *Village, id uint, y int, value int64, sign int64) {
	if m == nil || !m.ActiveIn(y) {
		return
	}
	k := indicatorCellKey{id, m.DistrictCode, m.StreetCode, m.Type, y}
	f := d[k]
	if f == nil {
		f = &indicatorCellFigures{}
		d[k] = f
	}
	f.reported += sign
	f.yes += sign * one(value > 0)
	f.sum += sign * value
}

// write adds the deltas to the cells, creating missing ones.
func (d indicatorCellDeltas) write(tx *gorm.DB) error {
	const stmt = `INSERT INTO indicator_cells (indicator_id, street_code, type, year, district_code, reported, yes, sum_value)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (indicator_id, street_code, type, year) DO UPDATE SET reported = indicator_cells.reported + excluded.reported,
yes = indicator_cells.yes + excluded.yes, sum_value = indicator_cells.sum_value + excluded.sum_value`
	keys := inOrder(d, func(a, b indicatorCellKey) bool {
		if a.indicator != b.indicator {
			return a.indicator < b.indicator
		}
		return cellKey{street: a.street, typ: a.typ, year: a.year}.before(cellKey{street: b.street, typ: b.typ, year: b.year})
	})
	for _, k := range keys {
		f := d[k]
		if f.isZero() {
			continue
		}
		if err := tx.Exec(stmt, k.indicator, k.street, k.typ, k.year, k.district, f.reported, f.yes, f.sum).Error; err != nil {
			return err
		}
	}
	return nil
}

// seriesValue is the approved value of one village-year of an indicator.
type seriesValue struct {
	IndicatorID uint
	VillageCode string
	Year        int
	Seq         int
	Value       int64
}

// indicatorCellsForApprovals moves the cells for newly approved values (already
// written): each replaces its series' value that counted before, the latest one
// approved before it. It is the indicator values' approval hook, run by every path
// that approves one (approve, enter, import).
func indicatorCellsForApprovals(tx *gorm.DB, vs []IndicatorValue) error {
	if len(vs) == 0 {
		return nil
	}
	type group struct {
		indicator uint
		year      int
	}
	byGroup := map[group][]string{}
	newIDs := make([]uint, 0, len(vs))
	for _, v := range vs {
		g := group{v.IndicatorID, v.Year}
		byGroup[g] = append(byGroup[g], v.VillageCode)
		newIDs = append(newIDs, v.ID)
	}
	// The value that counted before each: the latest approved version other than
	// those approved now.
	old := map[string]*seriesValue{}
	codes := map[string]bool{}
	for g, vcs := range byGroup {
		for start := 0; start < len(vcs); start += 500 {
			chunk := vcs[start:min(start+500, len(vcs))]
			for _, c := range chunk {
				codes[c] = true
			}
			var rows []seriesValue
			err := tx.Model(&IndicatorValue{}).Select("indicator_id, village_code, year, seq, value").
				Where("indicator_id = ? AND year = ? AND status = ? AND village_code IN ? AND id NOT IN ?",
					g.indicator, g.year, StatusApproved, chunk, newIDs).Scan(&rows).Error
			if err != nil {
				return err
			}
			for i := range rows {
				k := seriesKeyOf(rows[i].IndicatorID, rows[i].VillageCode, rows[i].Year)
				if o := old[k]; o == nil || o.Seq < rows[i].Seq {
					old[k] = &rows[i]
				}
			}
		}
	}
	list := make([]string, 0, len(codes))
	for c := range codes {
		list = append(list, c)
	}
	vmap := map[string]*Village{}
	for start := 0; start < len(list); start += 500 {
		var villages []Village
		if err := tx.Where("code IN ?", list[start:min(start+500, len(list))]).Find(&villages).Error; err != nil {
			return err
		}
		for i := range villages {
			vmap[villages[i].Code] = &villages[i]
		}
	}
	d := indicatorCellDeltas{}
	for _, v := range vs {
		m := vmap[v.VillageCode]
		k := seriesKeyOf(v.IndicatorID, v.VillageCode, v.Year)
		if o := old[k]; o != nil {
			if o.Seq > v.Seq {
				// An older version approved after a newer one cannot happen (at most
				// one version is open); should it, the newer one keeps counting.
				continue
			}
			d.contribute(m, o.IndicatorID, o.Year, o.Value, -1)
		}
		d.contribute(m, v.IndicatorID, v.Year, v.Value, +1)
		old[k] = &seriesValue{IndicatorID: v.IndicatorID, VillageCode: v.VillageCode, Year: v.Year, Seq: v.Seq, Value: v.Value}
	}
	return d.write(tx)
}

func seriesKeyOf(indicator uint, village string, year int) string {
	return fmt.Sprintf("%d/%s/%d", indicator, village, year)
}

// currentIndicatorValuesSQL selects the value that counts of every indicator
// series, optionally narrowed (the caller appends conditions on iv): the latest
// approved version of each indicator, village and year.
const currentIndicatorValuesSQL = `SELECT iv.indicator_id, iv.village_code, iv.year, iv.seq, iv.value
FROM indicator_values iv
JOIN (SELECT indicator_id, village_code, year, MAX(seq) AS seq FROM indicator_values WHERE status = 'approved' GROUP BY indicator_id, village_code, year) la
  ON la.indicator_id = iv.indicator_id AND la.village_code = iv.village_code AND la.year = iv.year AND la.seq = iv.seq`

// indicatorCellsForMasterChange moves a village's approved values from the cells of
// its old master data (nil for a new village) to those of the new, in every year.
func indicatorCellsForMasterChange(tx *gorm.DB, old, cur *Village) error {
	var rows []seriesValue
	err := tx.Raw(`SELECT iv.indicator_id, iv.village_code, iv.year, iv.seq, iv.value
FROM indicator_values iv
JOIN (SELECT indicator_id, year, MAX(seq) AS seq FROM indicator_values WHERE village_code = ? AND status = ? GROUP BY indicator_id, year) la
  ON la.indicator_id = iv.indicator_id AND la.year = iv.year AND la.seq = iv.seq
WHERE iv.village_code = ?`, cur.Code, StatusApproved, cur.Code).Scan(&rows).Error
	if err != nil || len(rows) == 0 {
		return err
	}
	d := indicatorCellDeltas{}
	for _, r := range rows {
		d.contribute(old, r.IndicatorID, r.Year, r.Value, -1)
		d.contribute(cur, r.IndicatorID, r.Year, r.Value, +1)
	}
	return d.write(tx)
}

// indicatorCellsRecountSQL recounts every indicator cell from the history and the
// villages' master data: the value that counts of each series, of the villages
// active in its year, grouped by indicator, street, type and year.
const indicatorCellsRecountSQL = `SELECT cv.indicator_id, v.street_code, v.type, cv.year, v.district_code,
  COUNT(*) AS reported, SUM(CASE WHEN cv.value > 0 THEN 1 ELSE 0 END) AS yes, CAST(SUM(cv.value) AS BIGINT) AS sum_value
FROM (` + currentIndicatorValuesSQL + `) cv
JOIN villages v ON v.code = cv.village_code
WHERE v.active_from <= cv.year AND (v.active_until IS NULL OR v.active_until >= cv.year)
GROUP BY cv.indicator_id, v.district_code, v.street_code, v.type, cv.year`

// RebuildIndicatorCells recomputes every indicator cell from the history (after a
// bulk load, or by `cunji check --repair`).
func RebuildIndicatorCells(db *gorm.DB) error {
	return db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("1 = 1").Delete(&IndicatorCell{}).Error; err != nil {
			return err
		}
		return tx.Exec(`INSERT INTO indicator_cells (indicator_id, street_code, type, year, district_code, reported, yes, sum_value)
` + indicatorCellsRecountSQL).Error
	})
}

// indicatorCellsDrift counts the indicator cells that differ from the recount, in
// the caller's snapshot. A cell left at zero (its values moved away) equals no cell.
func indicatorCellsDrift(tx *gorm.DB) (int64, error) {
	var want, have []IndicatorCell
	if err := tx.Raw(indicatorCellsRecountSQL).Scan(&want).Error; err != nil {
		return 0, err
	}
	if err := tx.Find(&have).Error; err != nil {
		return 0, err
	}
	type key struct {
		id             uint
		street, typ, d string
		year           int
	}
	figures := func(c *IndicatorCell) indicatorCellFigures {
		return indicatorCellFigures{c.Reported, c.Yes, c.SumValue}
	}
	w := map[key]indicatorCellFigures{}
	for i := range want {
		c := &want[i]
		w[key{c.IndicatorID, c.StreetCode, c.Type, c.DistrictCode, c.Year}] = figures(c)
	}
	var n int64
	seen := map[key]bool{}
	for i := range have {
		c := &have[i]
		k := key{c.IndicatorID, c.StreetCode, c.Type, c.DistrictCode, c.Year}
		seen[k] = true
		if w[k] != figures(c) {
			n++
		}
	}
	for k, f := range w {
		if !seen[k] && !f.isZero() {
			n++
		}
	}
	return n, nil
}
