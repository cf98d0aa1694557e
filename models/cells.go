package models

import (
	"errors"
	"sort"
	"strings"

	"gorm.io/gorm"
)

// RollupCell is the report figures of one street, village type and year, kept
// current in the same transaction as every approval and every change of master
// data: the roll-up of now sums a few cells instead of reading every village. It
// always equals the recount (the tests compare the two after every kind of change).
// Its report columns are reportFigures (figures.go), moved by deltas; its register
// columns (titles, workshops, member villages, open versions) are recounted for the
// cells a change touches (cells_registers.go).
type RollupCell struct {
	StreetCode   string `gorm:"primaryKey;size:9"`
	Type         string `gorm:"primaryKey;size:20"`
	Year         int    `gorm:"primaryKey"`
	DistrictCode string `gorm:"size:6;not null;index"`
	Villages     int64  `gorm:"not null"`
	Reported     int64  `gorm:"not null"`
	Meets        int64  `gorm:"not null"`
	TotalFen     int64  `gorm:"not null"`
	OperFen      int64  `gorm:"not null"`
	AssetsFen    int64  `gorm:"not null"`
	// RegisterCounts are the figures of the registers and of the work in progress,
	// recounted cell by cell in the changing transaction (cells_registers.go).
	RegisterCounts `gorm:"embedded"`
}

// figures are the cell's figures as a row.
func (c *RollupCell) figures() aggRow {
	return aggRow{StreetCode: c.StreetCode, Type: c.Type, Villages: c.Villages, Reported: c.Reported,
		Meets: c.Meets, TotalFen: c.TotalFen, OperFen: c.OperFen, AssetsFen: c.AssetsFen, RegisterCounts: c.RegisterCounts}
}

// cellKey names a cell.
type cellKey struct {
	district, street, typ string
	year                  int
}

// cellDeltas accumulate changes to cells before they are written.
type cellDeltas map[cellKey]*aggRow

// contribute adds sign × the contribution of a village (master data m) with its
// current report cur (nil: not reported) to the cell of year y.
func (d cellDeltas) contribute(m *Village, y int, cur *CurrentReport, sign int64) {
	if r := d.row(m, y); r != nil {
		r.addFigures(cur, sign)
	}
}

// row is the change to the cell of year y that a village (master data m) counts
// in, made on first use; nil when the village is not active in y.
func (d cellDeltas) row(m *Village, y int) *aggRow {
	if m == nil || !m.ActiveIn(y) {
		return nil
	}
	k := cellKey{m.DistrictCode, m.StreetCode, m.Type, y}
	r := d[k]
	if r == nil {
		r = &aggRow{}
		d[k] = r
	}
	return r
}

// before orders cells by street, type and year: the order they are written in.
func (k cellKey) before(o cellKey) bool {
	if k.street != o.street {
		return k.street < o.street
	}
	if k.typ != o.typ {
		return k.typ < o.typ
	}
	return k.year < o.year
}

// write adds the deltas to the cells (their report figures and open versions),
// creating missing ones.
func (d cellDeltas) write(tx *gorm.DB) error {
	cols := append(figureColumns(), "submitted", "draft")
	sets := make([]string, len(cols))
	for i, c := range cols {
		sets[i] = c + " = rollup_cells." + c + " + excluded." + c
	}
	stmt := `INSERT INTO rollup_cells (district_code, street_code, type, year, ` + strings.Join(cols, ", ") + `)
VALUES (?, ?, ?, ?` + strings.Repeat(", ?", len(cols)) + `)
ON CONFLICT (street_code, type, year) DO UPDATE SET ` + strings.Join(sets, ", ")
	// Written in one order (street, type, year), so that two transactions moving
	// the same cells on PostgreSQL take their row locks in the same order and
	// never deadlock (a map's order differs from one range to the next).
	keys := inOrder(d, cellKey.before)
	for _, k := range keys {
		r := d[k]
		if r.isZero() && r.Submitted == 0 && r.Draft == 0 {
			continue
		}
		args := append(append([]any{k.district, k.street, k.typ, k.year}, r.values()...), r.Submitted, r.Draft)
		if err := tx.Exec(stmt, args...).Error; err != nil {
			return err
		}
	}
	return nil
}

// cellsForApprovals moves the cells for newly approved versions: each replaces the
// village-year's current report (read before it is replaced).
func cellsForApprovals(tx *gorm.DB, rs []ReportVersion) error {
	codes := make([]string, 0, len(rs))
	for _, r := range rs {
		codes = append(codes, r.VillageCode)
	}
	var villages []Village
	var olds []CurrentReport
	for start := 0; start < len(codes); start += 500 {
		end := min(start+500, len(codes))
		var vs []Village
		var cs []CurrentReport
		if err := tx.Where("code IN ?", codes[start:end]).Find(&vs).Error; err != nil {
			return err
		}
		if err := tx.Where("village_code IN ?", codes[start:end]).Find(&cs).Error; err != nil {
			return err
		}
		villages, olds = append(villages, vs...), append(olds, cs...)
	}
	vmap := map[string]*Village{}
	for i := range villages {
		vmap[villages[i].Code] = &villages[i]
	}
	old := map[string]*CurrentReport{}
	for i := range olds {
		old[reportKey(olds[i].VillageCode, olds[i].Year)] = &olds[i]
	}
	d := cellDeltas{}
	for i := range rs {
		v := vmap[rs[i].VillageCode]
		cur := currentOf(&rs[i])
		d.contribute(v, rs[i].Year, old[reportKey(rs[i].VillageCode, rs[i].Year)], -1)
		d.contribute(v, rs[i].Year, &cur, +1)
		old[reportKey(rs[i].VillageCode, rs[i].Year)] = &cur
	}
	return d.write(tx)
}

// cellsForMasterChange moves a village's contributions from its old master data
// (nil for a new village) to the new, in every reporting year.
func cellsForMasterChange(tx *gorm.DB, old, cur *Village) error {
	var currents []CurrentReport
	if err := tx.Where("village_code = ?", cur.Code).Find(&currents).Error; err != nil {
		return err
	}
	byYear := map[int]*CurrentReport{}
	for i := range currents {
		byYear[currents[i].Year] = &currents[i]
	}
	var open []struct {
		Year      int
		Submitted bool
	}
	if err := tx.Table("report_versions").Select("year, submitted_at IS NOT NULL AS submitted").
		Where("village_code = ? AND reviewed_at IS NULL", cur.Code).Scan(&open).Error; err != nil {
		return err
	}
	years, err := Years(tx)
	if err != nil {
		return err
	}
	// The streets' cells are locked before any of them is written (lockStreets).
	places := map[cellPlace]bool{{cur.StreetCode, cur.Type}: true}
	streets := []string{cur.StreetCode}
	if old != nil {
		places[cellPlace{old.StreetCode, old.Type}] = true
		if old.StreetCode != cur.StreetCode {
			streets = append(streets, old.StreetCode)
		}
	}
	sort.Strings(streets)
	if err := lockStreets(tx, streets); err != nil {
		return err
	}
	d := cellDeltas{}
	for _, y := range years {
		d.contribute(old, y, byYear[y], -1)
		d.contribute(cur, y, byYear[y], +1)
	}
	// Its open versions move as deltas, like the report's triggers move them.
	for _, o := range open {
		d.open(old, o.Year, o.Submitted, -1)
		d.open(cur, o.Year, o.Submitted, +1)
	}
	if err := d.write(tx); err != nil {
		return err
	}
	// The village's titles, workshops and shares count where it is now (the
	// villages table already holds cur).
	return registersForPlaces(tx, places)
}

// open adds sign × one open version (submitted, or a draft) of a village (master
// data m) to the cell of year y.
func (d cellDeltas) open(m *Village, y int, submitted bool, sign int64) {
	r := d.row(m, y)
	if r == nil {
		return
	}
	if submitted {
		r.Submitted += sign
	} else {
		r.Draft += sign
	}
}

// cellsForNewVillages adds new villages (with no reports yet) to the cells.
func cellsForNewVillages(tx *gorm.DB, vs []Village) error {
	d := cellDeltas{}
	years, err := Years(tx)
	if err != nil {
		return err
	}
	for i := range vs {
		for _, y := range years {
			d.contribute(&vs[i], y, nil, +1)
		}
	}
	return d.write(tx)
}

// RebuildCells recomputes every cell from the villages and the current table, and
// its register figures from the registers (after a bulk load, or a change of rule).
func RebuildCells(db *gorm.DB) error {
	return db.Transaction(func(tx *gorm.DB) error { return rebuildCells(tx, nil) })
}

// rebuildCells recomputes, in tx, the cells of years (report and register figures,
// and their company rows), leaving the cells of other years as they stand: opening a
// year recounts that year alone instead of every cell of every year, during which
// every write would wait. With years nil it recomputes every cell of every reporting
// year, and the cells of any year no longer open go.
func rebuildCells(tx *gorm.DB, years []int) error {
	cells, companies := tx.Where("1 = 1"), tx.Where("1 = 1")
	if years != nil {
		cells, companies = tx.Where("year IN ?", years), tx.Where("year IN ?", years)
	}
	if err := cells.Delete(&RollupCell{}).Error; err != nil {
		return err
	}
	if err := companies.Delete(&RollupCompanyCell{}).Error; err != nil {
		return err
	}
	recount := years
	if recount == nil {
		var err error
		if recount, err = Years(tx); err != nil {
			return err
		}
	}
	for _, y := range recount {
		err := tx.Exec(`INSERT INTO rollup_cells (district_code, street_code, type, year, `+strings.Join(figureColumns(), ", ")+`)
SELECT v.district_code, v.street_code, v.type, ?, `+figureSums("c")+`
FROM villages v LEFT JOIN current_reports c ON c.village_code = v.code AND c.year = ?
WHERE v.active_from <= ? AND (v.active_until IS NULL OR v.active_until >= ?)
GROUP BY v.district_code, v.street_code, v.type`, y, y, y, y).Error
		if err != nil {
			return err
		}
	}
	return rebuildRegisters(tx, years)
}

// oldMaster is a village's master data before a change (nil when it is new).
func oldMaster(tx *gorm.DB, code string) (*Village, error) {
	var v Village
	err := tx.Where("code = ?", code).Take(&v).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// inOrder lists the keys of m sorted by less: maintained figures are written in
// one order, so that two transactions writing the same rows take their locks in
// the same order (PostgreSQL) and never deadlock.
func inOrder[K comparable, V any](m map[K]V, less func(a, b K) bool) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return less(keys[i], keys[j]) })
	return keys
}
