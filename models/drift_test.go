package models_test

import (
	"testing"

	"cunji/models"
	"cunji/seeds"
)

// The recount agrees with the maintained figures after approvals, and sees a cell
// or a current report that was changed behind the model's back.
func TestMeasureDrift(t *testing.T) {
	db, ac := setup(t)
	approved(t, db, ac["v1"], ac["s1"], seeds.FixA1, 2023, figures(60_000_000, 0, 0, 0, 2, true))
	approved(t, db, ac["v1"], ac["s1"], seeds.FixA1, 2023, figures(70_000_000, 0, 0, 0, 3, true))
	approved(t, db, ac["v2"], ac["s1"], seeds.FixA2, 2024, figures(30_000_000, 0, 0, 0, 1, false))
	d, err := models.MeasureDrift(db)
	if err != nil {
		t.Fatal(err)
	}
	if d != (models.Drift{}) {
		t.Fatalf("drift after approvals: %+v", d)
	}
	if err := db.Exec("UPDATE rollup_cells SET total_fen = total_fen + 1 WHERE year = 2023 AND reported > 0").Error; err != nil {
		t.Fatal(err)
	}
	// (Titles are the register's now, so the reported star_rating is already 0: tamper
	// with an amount.)
	if err := db.Exec("UPDATE current_reports SET assets_fen = assets_fen + 1 WHERE year = 2024").Error; err != nil {
		t.Fatal(err)
	}
	d, err = models.MeasureDrift(db)
	if err != nil {
		t.Fatal(err)
	}
	if d.RollupCells != 1 || d.CurrentReports != 1 {
		t.Fatalf("drift after tampering: %+v, want one cell and one current report", d)
	}
}

// The street and district totals (0017) follow the cells, whatever writes them: a
// cell changed behind the model's back moves its totals too (the recount then
// finds the cell, not the totals); a total changed behind the cells' back is found,
// and RebuildTotals writes them again and moves the data revision.
func TestTotalsDriftAndRepair(t *testing.T) {
	db, ac := setup(t)
	approved(t, db, ac["v1"], ac["s1"], seeds.FixA1, 2023, figures(60_000_000, 0, 0, 0, 2, true))
	if err := db.Exec("UPDATE rollup_cells SET total_fen = total_fen + 1 WHERE year = 2023 AND reported > 0").Error; err != nil {
		t.Fatal(err)
	}
	d, err := models.MeasureDrift(db)
	if err != nil {
		t.Fatal(err)
	}
	if d.RollupCells != 1 || d.Totals != 0 {
		t.Fatalf("after a cell changed: %+v, want the cell and no total", d)
	}
	if err := models.RebuildCells(db); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"UPDATE rollup_street_totals SET villages = villages + 1 WHERE year = 2023 AND reported > 0",
		"UPDATE rollup_district_totals SET companies = companies + 1 WHERE year = 2023 AND type = '*'",
	} {
		if err := db.Exec(q).Error; err != nil {
			t.Fatal(err)
		}
	}
	if d, err = models.MeasureDrift(db); err != nil {
		t.Fatal(err)
	}
	if d != (models.Drift{Totals: 2}) {
		t.Fatalf("after two totals changed: %+v, want Totals 2 and nothing else", d)
	}
	revision := func() (n int64) {
		if err := db.Raw("SELECT n FROM data_revision WHERE id = 1").Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := revision()
	if err := models.RebuildTotals(db); err != nil {
		t.Fatal(err)
	}
	if d, err = models.MeasureDrift(db); err != nil || d != (models.Drift{}) {
		t.Fatalf("after RebuildTotals: %+v %v", d, err)
	}
	if revision() == before {
		t.Fatal("RebuildTotals left the data revision where it was: kept roll-ups would be served stale")
	}
}
