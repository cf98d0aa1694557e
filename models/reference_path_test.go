package models_test

import (
	"math/big"
	"testing"
	"time"

	"cunji/models"
	"cunji/seeds"
)

// TestReferencePath: the reference path runs from the latest closed year's actual
// to the target assigned for 2027, and nothing else reads it: changing the 2027
// target moves the path but no colour of the ranking and no `needed` of the years
// before 2027; a year with a path and no target of its own has no colour and no
// needed.
//
//	2023: 甲 60万, 乙 30万 of 4 → 1/4; 2024: 3 of 4 → 3/4; 2025: 甲 60万 of 3 → 1/3.
func TestReferencePath(t *testing.T) {
	db, ac := setup(t)
	approved(t, db, ac["v1"], ac["s1"], seeds.FixA1, 2023, op(60_000_000))
	approved(t, db, ac["v2"], ac["s1"], seeds.FixA2, 2023, op(30_000_000))
	approved(t, db, ac["v1"], ac["s1"], seeds.FixA1, 2024, op(60_000_000))
	approved(t, db, ac["v2"], ac["s1"], seeds.FixA2, 2024, op(55_000_000))
	approved(t, db, ac["v3"], ac["s1"], seeds.FixA3, 2024, op(70_000_000))
	approved(t, db, ac["v1"], ac["s1"], seeds.FixA1, 2025, op(60_000_000))
	closeYears(t, db, ac["d"], 2023, 2024, 2025)
	if _, err := models.SetTarget(db, ac["d"], seeds.DistrictCode, models.IndIncome50w, 2025, 5000, ""); err != nil {
		t.Fatal(err)
	}
	type seen struct {
		needed  map[int]string
		colours map[int]string
	}
	look := func() (*models.Trend, seen) {
		t.Helper()
		tr, err := models.ComputeTrend(db, ac["d"], "", models.IndIncome50w, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		s := seen{needed: map[int]string{}, colours: map[int]string{}}
		for _, p := range tr.Points {
			if p.Year == models.PlanFinalYear {
				continue // its target is the one changed below
			}
			s.needed[p.Year] = "nil"
			if p.Needed != nil {
				s.needed[p.Year] = big.NewRat(*p.Needed, 1).String()
			}
			ru, err := models.ComputeRollup(db, ac["d"], "", p.Year, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			if ru.Income50w.Needed != nil {
				s.needed[p.Year] += "/" + big.NewRat(*ru.Income50w.Needed, 1).String()
			}
			rk, err := models.ComputeRanking(db, ac["d"], p.Year, models.IndIncome50w, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range rk.Streets {
				s.colours[p.Year] += r.StreetCode + ":" + r.Color + " "
			}
		}
		return tr, s
	}
	ref := func(tr *models.Trend) map[int]string {
		out := map[int]string{}
		for _, p := range tr.Points {
			if p.Reference != nil {
				out[p.Year] = p.Reference.RatString()
			}
		}
		return out
	}
	tr, before := look()
	// From 2025's 1/3 to 2027's 85%: 2026 = 1/3 + (17/20 − 1/3)/2 = 71/120.
	want := map[int]string{2025: "1/3", 2026: "71/120", 2027: "17/20"}
	if got := ref(tr); len(got) != 3 || got[2025] != want[2025] || got[2026] != want[2026] || got[2027] != want[2027] {
		t.Fatalf("reference path %v, want %v", got, want)
	}
	if before.colours[2026] != "331002001: 331002002: " || before.needed[2026] != "nil" {
		t.Fatalf("2026 has a path and no target: colours %q needed %q", before.colours[2026], before.needed[2026])
	}
	if before.colours[2025] != "331002001:green 331002002:red " {
		t.Fatalf("2025 against its own target: %q", before.colours[2025])
	}
	if _, err := models.SetTarget(db, ac["d"], seeds.DistrictCode, models.IndIncome50w, 2027, 10000, ""); err != nil {
		t.Fatal(err)
	}
	tr, after := look()
	if got := ref(tr); got[2026] != "2/3" || got[2027] != "1" {
		t.Fatalf("reference path after the 2027 target moved: %v", got)
	}
	for y, n := range before.needed {
		if after.needed[y] != n || after.colours[y] != before.colours[y] {
			t.Errorf("%d: needed %s → %s, colours %q → %q: the reference path was read", y, n, after.needed[y], before.colours[y], after.colours[y])
		}
	}
}
