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
