package models_test

import (
	"testing"
	"time"

	"cunji/models"
	"cunji/seeds"
)

// TestSetLastYearRecountsOnlyItsYears: opening years recounts the cells of the
// years opened alone, and moving the last year back removes the cells of the years
// no longer open, leaving every other cell as it stands. A cell of an old year,
// deliberately tampered with, stays tampered (the old years were not recounted) and
// is the only drift MeasureDrift finds, so the new years' cells (report figures,
// register figures, company rows) equal the recount; with the tamper undone the
// drift is zero.
func TestSetLastYearRecountsOnlyItsYears(t *testing.T) {
	db, ac := setup(t)
	d := ac["d"]
	approved(t, db, ac["v1"], ac["s1"], seeds.FixA1, 2025, op(40_000_000))
	if _, err := models.NameTitle(db, d, models.TitleInput{VillageCode: seeds.FixA1, Title: models.TitleStar, Level: 2, Year: 2026,
		NamedOn: time.Date(2026, 6, 1, 0, 0, 0, 0, models.Shanghai), DocumentNo: "椒〔2026〕1号"}); err != nil {
		t.Fatal(err)
	}
	if _, err := models.CreateCompany(db, d, company("甲村强村公司", "91350100M000100Y43"),
		[]models.MemberInput{{VillageCode: seeds.FixA1, ShareMicro: pct(100), FromYear: 2024}}); err != nil {
		t.Fatal(err)
	}

	const street, typ = "331002001", "城郊融合"
	tampered := func() (villages, rated int64) {
		t.Helper()
		var c models.RollupCell
		if err := db.Where("street_code = ? AND type = ? AND year = ?", street, typ, 2025).Take(&c).Error; err != nil {
			t.Fatal(err)
		}
		return c.Villages, c.Rated
	}
	v0, r0 := tampered()
	if err := db.Exec("UPDATE rollup_cells SET villages = villages + 7, rated = rated + 3 WHERE street_code = ? AND type = ? AND year = ?",
		street, typ, 2025).Error; err != nil {
		t.Fatal(err)
	}
	drift := func(step string, want models.Drift) {
		t.Helper()
		got, err := models.MeasureDrift(db)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Fatalf("%s: drift %+v, want %+v", step, got, want)
		}
	}
	onlyTamper := models.Drift{RollupCells: 1, RegisterCells: 1}
	drift("tampered", onlyTamper)
	count := func(table string, year int) int64 {
		t.Helper()
		var n int64
		if err := db.Table(table).Where("year = ?", year).Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}

	steps := []struct {
		name   string
		last   int
		gone   []int
		opened []int
	}{
		{"two years opened", 2029, nil, []int{2028, 2029}},
		{"the last year moved back", 2028, []int{2029}, nil},
		{"a year opened again", 2029, nil, []int{2029}},
	}
	for _, s := range steps {
		if err := models.SetLastYear(db, d, s.last); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if v, r := tampered(); v != v0+7 || r != r0+3 {
			t.Fatalf("%s: the tampered cell of 2025 was rewritten: villages %d rated %d, tampered %d %d", s.name, v, r, v0+7, r0+3)
		}
		for _, y := range s.gone {
			if n, m := count("rollup_cells", y), count("rollup_company_cells", y); n != 0 || m != 0 {
				t.Fatalf("%s: %d cells and %d company rows left in %d", s.name, n, m, y)
			}
		}
		for _, y := range s.opened {
			if n, m := count("rollup_cells", y), count("rollup_company_cells", y); n == 0 || m == 0 {
				t.Fatalf("%s: %d cells and %d company rows in %d", s.name, n, m, y)
			}
		}
		drift(s.name, onlyTamper)
	}
	if err := db.Exec("UPDATE rollup_cells SET villages = villages - 7, rated = rated - 3 WHERE street_code = ? AND type = ? AND year = ?",
		street, typ, 2025).Error; err != nil {
		t.Fatal(err)
	}
	drift("the tamper undone", models.Drift{})
}
