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
		// The demo's district has no company rows yet: a region's count and a
		// company's cells where it has none.
		"INSERT INTO rollup_region_totals (year, region, type, companies) VALUES (2023, '33', '*', 1)",
		"INSERT INTO rollup_region_companies (year, region, type, company_id, cells) VALUES (2023, '33', '*', 1, 1)",
	} {
		if err := db.Exec(q).Error; err != nil {
			t.Fatal(err)
		}
	}
	if d, err = models.MeasureDrift(db); err != nil {
		t.Fatal(err)
	}
	if d != (models.Drift{Totals: 4}) {
		t.Fatalf("after four totals changed: %+v, want Totals 4 and nothing else", d)
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

// A region's companies (0019) follow the company rows, whatever writes them: a
// company counts once in a city, a province and the deployment however many of
// their districts and types it reaches, in all and by type, through inserts,
// moves, several rows in one statement and deletes.
func TestRegionCompaniesFollowCompanyRows(t *testing.T) {
	db, _ := setup(t)
	exec := func(q string, args ...any) {
		t.Helper()
		if err := db.Exec(q, args...).Error; err != nil {
			t.Fatal(err)
		}
	}
	// count is a region's companies of a type in 2031 (a year no seed has).
	count := func(region, typ string) (n int64) {
		t.Helper()
		if err := db.Raw("SELECT COALESCE(SUM(companies), 0) FROM rollup_region_totals WHERE year = 2031 AND region = ? AND type = ?", region, typ).Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	check := func(step string, want map[[2]string]int64) {
		t.Helper()
		d, err := models.MeasureDrift(db)
		if err != nil || d.Totals != 0 {
			t.Fatalf("%s: %+v %v, want no totals' drift", step, d, err)
		}
		for k, n := range want {
			if got := count(k[0], k[1]); got != n {
				t.Fatalf("%s: region %q type %q counts %d companies, want %d", step, k[0], k[1], got, n)
			}
		}
	}
	row := "INSERT INTO rollup_company_cells (company_id, street_code, type, year, district_code, villages) VALUES "
	exec(row+"(9001, '330102001', ?, 2031, '330102', 2), (9001, '330103001', ?, 2031, '330103', 1), (9002, '330201001', ?, 2031, '330201', 1)",
		"集聚建设", "集聚建设", "整治提升")
	check("three rows, two companies", map[[2]string]int64{
		{"", "*"}: 2, {"", "集聚建设"}: 1, {"", "整治提升"}: 1,
		{"33", "*"}: 2, {"3301", "*"}: 1, {"3301", "集聚建设"}: 1, {"3302", "*"}: 1, {"3302", "集聚建设"}: 0,
	})
	exec("UPDATE rollup_company_cells SET type = ? WHERE company_id = 9001 AND district_code = '330103' AND year = 2031", "整治提升")
	check("a row moved to another type", map[[2]string]int64{
		{"", "*"}: 2, {"", "集聚建设"}: 1, {"", "整治提升"}: 2, {"3301", "整治提升"}: 1,
	})
	exec("UPDATE rollup_company_cells SET villages = villages + 5 WHERE year = 2031")
	check("villages changed, no key", map[[2]string]int64{{"", "*"}: 2, {"33", "*"}: 2})
	exec("DELETE FROM rollup_company_cells WHERE company_id = 9001 AND district_code = '330102' AND year = 2031")
	check("one of a company's rows deleted", map[[2]string]int64{
		{"", "*"}: 2, {"", "集聚建设"}: 0, {"3301", "*"}: 1, {"3301", "整治提升"}: 1,
	})
	exec("UPDATE rollup_company_cells SET company_id = 9002 WHERE company_id = 9001 AND year = 2031")
	check("a row moved to another company", map[[2]string]int64{{"", "*"}: 1, {"3301", "*"}: 1, {"3302", "*"}: 1, {"", "整治提升"}: 1})
	exec("DELETE FROM rollup_company_cells WHERE year = 2031")
	check("every row deleted", map[[2]string]int64{{"", "*"}: 0, {"33", "*"}: 0, {"3301", "*"}: 0, {"", "整治提升"}: 0})
	var left int64
	if err := db.Raw("SELECT COUNT(*) FROM rollup_region_companies WHERE year = 2031").Scan(&left).Error; err != nil || left != 0 {
		t.Fatalf("%d rows of companies' cells left at zero (%v): a company at zero is deleted", left, err)
	}
}
