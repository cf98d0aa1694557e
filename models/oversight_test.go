package models_test

import (
	"encoding/json"
	"errors"
	"math/big"
	"testing"
	"time"

	"cunji/models"
	"cunji/seeds"
)

func op(fen int64) models.ReportInput { return figures(fen, 0, 0, 0, 1, false) }

// TestTrendByHand: actual, target path, projection and villages needed, computed by
// hand for the fixture.
//
//	2023: 4 villages active; 甲 60万, 乙 30万 approved → 1/4 = 25%.
//	2024: 4 active; 甲 60万, 乙 55万, 丙 70万 approved → 3/4 = 75%.
//	2025 onwards: 丙 merged away → 3 active; nothing approved yet.
func TestTrendByHand(t *testing.T) {
	db, ac := setup(t)
	approved(t, db, ac["v1"], ac["s1"], seeds.FixA1, 2023, op(60_000_000))
	approved(t, db, ac["v2"], ac["s1"], seeds.FixA2, 2023, op(30_000_000))
	approved(t, db, ac["v1"], ac["s1"], seeds.FixA1, 2024, op(60_000_000))
	approved(t, db, ac["v2"], ac["s1"], seeds.FixA2, 2024, op(55_000_000))
	approved(t, db, ac["v3"], ac["s1"], seeds.FixA3, 2024, op(70_000_000))
	closeYears(t, db, ac["d"], 2023, 2024)
	tr, err := models.ComputeTrend(db, ac["d"], "", models.IndIncome50w, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	r := func(a, b int64) string { return big.NewRat(a, b).RatString() }
	s := func(x *big.Rat) string {
		if x == nil {
			return "nil"
		}
		return x.RatString()
	}
	// Targets are only those assigned: 85% for 2027, none before (no path from the
	// actuals). pace: (3/4 − 1/4)/1 = 1/2 a year → 2025 projects 5/4, clamped to 1.
	want := []struct{ actual, target, projected string }{
		{r(1, 4), "nil", "nil"},
		{r(3, 4), "nil", "nil"},
		{"nil", "nil", "1"},
		{"nil", "nil", "1"},
		{"nil", r(17, 20), "1"},
	}
	for i, w := range want {
		p := tr.Points[i]
		if s(p.Actual) != w.actual || s(p.Target) != w.target || s(p.Projected) != w.projected {
			t.Errorf("%d: actual %s target %s projected %s; want %+v", p.Year, s(p.Actual), s(p.Target), s(p.Projected), w)
		}
	}
	// Needed only where a target is assigned, against the last actual year's 4
	// villages and 3 over the line: 2027: ⌈17/5⌉ − 3 = 1.
	for i, p := range tr.Points {
		if i == 4 {
			if p.Needed == nil || *p.Needed != 1 {
				t.Errorf("%d needed = %v, want 1", p.Year, p.Needed)
			}
		} else if p.Needed != nil {
			t.Errorf("%d needed = %d without a target", p.Year, *p.Needed)
		}
	}
	// A sum indicator: the collective income, in 分.
	tc, _ := models.ComputeTrend(db, ac["d"], "", models.IndCollectiveIncome, time.Now())
	if tc.Points[0].Actual.RatString() != "90000000" || tc.Points[1].Actual.RatString() != "185000000" {
		t.Errorf("collective income actuals %s %s", tc.Points[0].Actual, tc.Points[1].Actual)
	}
	// pace 95,000,000 a year from 2024 → 2027 = 185,000,000 + 3 × 95,000,000
	if tc.Points[4].Projected.RatString() != "470000000" {
		t.Errorf("2027 projection %s", tc.Points[4].Projected)
	}
	if _, err := models.ComputeTrend(db, ac["d"], "", "nonsense", time.Now()); !isInvalid(err, "indicator") {
		t.Errorf("unknown indicator: %v", err)
	}
}

func TestColourThresholds(t *testing.T) {
	target := models.Ratio{R: big.NewRat(8, 10)}
	cases := []struct {
		share *big.Rat
		band  int64
		want  string
	}{
		{big.NewRat(8, 10), 500, models.ColorGreen},      // on the path
		{big.NewRat(9, 10), 500, models.ColorGreen},      // above
		{big.NewRat(75, 100), 500, models.ColorYellow},   // exactly 5 points below
		{big.NewRat(7499, 10000), 500, models.ColorRed},  // just beyond
		{big.NewRat(7999, 10000), 0, models.ColorRed},    // no yellow band
		{big.NewRat(70, 100), 1000, models.ColorYellow},  // a wider band set by the district
		{big.NewRat(6999, 10000), 1000, models.ColorRed}, // just beyond it
	}
	for _, tc := range cases {
		if got := models.Colour(models.Ratio{R: tc.share}, target, tc.band); got != tc.want {
			t.Errorf("share %s band %d: %s, want %s", tc.share.RatString(), tc.band, got, tc.want)
		}
	}
}

func TestRanking(t *testing.T) {
	db, ac := setup(t)
	closeYears(t, db, ac["d"], 2024, 2025)
	// 2025: 海门 2 of 2 over the line; 白云 0 of 1. District target 2025 = 90%.
	approved(t, db, ac["v1"], ac["s1"], seeds.FixA1, 2025, op(60_000_000))
	approved(t, db, ac["v2"], ac["s1"], seeds.FixA2, 2025, op(50_000_000))
	approved(t, db, ac["v4"], ac["s2"], seeds.FixB1, 2025, op(49_000_000))
	if _, err := models.SetTarget(db, ac["d"], seeds.DistrictCode, models.IndIncome50w, 2025, 9000, ""); err != nil {
		t.Fatal(err)
	}
	rk, err := models.ComputeRanking(db, ac["d"], 2025, models.IndIncome50w, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(rk.Streets) != 2 || rk.Streets[0].StreetCode != "331002001" || rk.Streets[0].Rank != 1 ||
		rk.Streets[0].Color != models.ColorGreen || rk.Streets[1].Color != models.ColorRed || rk.Streets[1].Rank != 2 {
		t.Fatalf("ranking = %+v", rk.Streets)
	}
	// A street-specific target of 0% makes 白云 green; widening the band to 100
	// points would make it yellow otherwise.
	if err := models.SetYellowBand(db, ac["d"], 10000); err != nil {
		t.Fatal(err)
	}
	rk, _ = models.ComputeRanking(db, ac["d"], 2025, models.IndIncome50w, time.Now())
	if rk.Streets[1].Color != models.ColorYellow {
		t.Fatalf("with a 100-point band: %s", rk.Streets[1].Color)
	}
	if err := models.SetYellowBand(db, ac["s1"], 100); !errors.Is(err, models.ErrForbidden) {
		t.Fatalf("street sets the band: %v", err)
	}
	if _, err := models.ComputeRanking(db, ac["s1"], 2025, models.IndIncome50w, time.Now()); !errors.Is(err, models.ErrForbidden) {
		t.Fatalf("street ranking: %v", err)
	}
	// Equal shares share a rank.
	approved(t, db, ac["v4"], ac["s2"], seeds.FixB1, 2024, op(60_000_000))
	approved(t, db, ac["v1"], ac["s1"], seeds.FixA1, 2024, op(60_000_000))
	approved(t, db, ac["v2"], ac["s1"], seeds.FixA2, 2024, op(60_000_000))
	approved(t, db, ac["v3"], ac["s1"], seeds.FixA3, 2024, op(60_000_000))
	rk, _ = models.ComputeRanking(db, ac["d"], 2024, models.IndIncome50w, time.Now())
	if rk.Streets[0].Rank != 1 || rk.Streets[1].Rank != 1 {
		t.Fatalf("tied ranks: %+v", rk.Streets)
	}
}

func TestSprintAndSlippingLists(t *testing.T) {
	db, ac := setup(t)
	approved(t, db, ac["v1"], ac["s1"], seeds.FixA1, 2024, op(60_000_000))
	approved(t, db, ac["v1"], ac["s1"], seeds.FixA1, 2025, op(45_000_000)) // slipped, within reach
	approved(t, db, ac["v2"], ac["s1"], seeds.FixA2, 2024, op(50_000_000))
	approved(t, db, ac["v2"], ac["s1"], seeds.FixA2, 2025, op(39_999_999)) // slipped, out of reach
	approved(t, db, ac["v4"], ac["s2"], seeds.FixB1, 2024, op(30_000_000))
	approved(t, db, ac["v4"], ac["s2"], seeds.FixB1, 2025, op(40_000_000)) // exactly 40万: within reach
	sprint, err := models.SprintList(db, ac["d"], 2025, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(sprint) != 2 || sprint[0].Code != seeds.FixA1 || sprint[1].Code != seeds.FixB1 {
		t.Fatalf("sprint = %+v", sprint)
	}
	slip, err := models.SlippingList(db, ac["d"], 2025, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(slip) != 2 || slip[0].Code != seeds.FixA1 || *slip[0].PrevOperatingFen != 60_000_000 || slip[1].Code != seeds.FixA2 {
		t.Fatalf("slipping = %+v", slip)
	}
	// A street sees its own villages only; a cadre none.
	s2, _ := models.SprintList(db, ac["s2"], 2025, time.Now())
	if len(s2) != 1 || s2[0].Code != seeds.FixB1 {
		t.Fatalf("street 2 sprint = %+v", s2)
	}
	if _, err := models.SprintList(db, ac["v1"], 2025, time.Now()); !errors.Is(err, models.ErrForbidden) {
		t.Fatalf("cadre: %v", err)
	}
	// A pending correction that would lift 甲村 does not count until approved.
	drafted(t, db, ac["v1"], seeds.FixA1, 2025, op(70_000_000))
	sprint, _ = models.SprintList(db, ac["d"], 2025, time.Now())
	if len(sprint) != 2 {
		t.Fatalf("pending correction changed the list: %+v", sprint)
	}
}

func TestReportingWindow(t *testing.T) {
	db, ac := setup(t)
	now := time.Now()
	submit := func(code string, cadre string) error {
		drafted(t, db, ac[cadre], code, 2025, op(1))
		_, err := models.Submit(db, ac[cadre], code, 2025, nil)
		return err
	}
	// Before the window opens.
	if _, err := models.SetWindow(db, ac["d"], 2025, now.Add(time.Hour), now.Add(48*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := submit(seeds.FixA1, "v1"); !isConflict(err) {
		t.Fatalf("before the window: %v", err)
	}
	// Within it.
	if _, err := models.SetWindow(db, ac["d"], 2025, now.Add(-48*time.Hour), now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := submit(seeds.FixA1, "v1"); err != nil {
		t.Fatalf("within the window: %v", err)
	}
	// After it closed.
	if _, err := models.SetWindow(db, ac["d"], 2025, now.Add(-48*time.Hour), now.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, db)
	if err := submit(seeds.FixA2, "v2"); !isConflict(err) {
		t.Fatalf("after the close: %v", err)
	}
	// An exception until tomorrow lets 乙村 (and only 乙村) submit.
	if _, err := models.GrantException(db, ac["d"], seeds.FixA2, 2025, now.Add(24*time.Hour), "村委换届"); err != nil {
		t.Fatal(err)
	}
	if _, err := models.Submit(db, ac["v2"], seeds.FixA2, 2025, nil); err != nil {
		t.Fatalf("with an exception: %v", err)
	}
	if err := submit(seeds.FixB1, "v4"); !isConflict(err) {
		t.Fatalf("another village without an exception: %v", err)
	}
	// An exception that has expired does not help.
	if _, err := models.GrantException(db, ac["d"], seeds.FixB1, 2025, now.Add(-time.Minute), "已过期"); err != nil {
		t.Fatal(err)
	}
	if _, err := models.Submit(db, ac["v4"], seeds.FixB1, 2025, nil); !isConflict(err) {
		t.Fatalf("expired exception: %v", err)
	}
	_ = before
	// Only the district sets windows and exceptions; a bad window is refused.
	if _, err := models.SetWindow(db, ac["s1"], 2025, now, now.Add(time.Hour)); !errors.Is(err, models.ErrForbidden) {
		t.Fatalf("street sets a window: %v", err)
	}
	if _, err := models.SetWindow(db, ac["d"], 2025, now, now.Add(-time.Hour)); !isInvalid(err, "closes") {
		t.Fatalf("closes before opens: %v", err)
	}
	if _, err := models.GrantException(db, ac["d"], seeds.FixB1, 2025, now.Add(time.Hour), " "); !isInvalid(err, "reason") {
		t.Fatalf("exception without a reason: %v", err)
	}
	// Completeness: 甲 submitted, 乙 submitted, 丁 draft and overdue.
	rows, total, err := models.Completeness(db, ac["d"], 2025)
	if err != nil {
		t.Fatal(err)
	}
	if total.Expected != 3 || total.Submitted != 2 || total.Draft != 1 || total.Overdue != 1 || rows[1].Overdue != 1 {
		t.Fatalf("completeness total %+v, 白云 %+v", total, rows[1])
	}
}

// TestAsOfReproducible: figures asked for a past instant are exactly what they were
// then, whatever was approved, corrected, re-typed or re-targeted since.
func TestAsOfReproducible(t *testing.T) {
	db, ac := setup(t)
	approved(t, db, ac["v1"], ac["s1"], seeds.FixA1, 2023, op(45_000_000))
	approved(t, db, ac["v2"], ac["s1"], seeds.FixA2, 2024, op(55_000_000))
	approved(t, db, ac["v1"], ac["s1"], seeds.FixA1, 2025, op(48_000_000))
	approved(t, db, ac["v4"], ac["s2"], seeds.FixB1, 2025, op(52_000_000))
	time.Sleep(2 * time.Millisecond)
	t0 := time.Now().UTC()
	time.Sleep(2 * time.Millisecond)
	capture := func(at time.Time) string {
		var out []any
		for _, y := range []int{2023, 2024, 2025} {
			ru, err := models.ComputeRollup(db, ac["d"], "", y, at)
			if err != nil {
				t.Fatal(err)
			}
			rk, err := models.ComputeRanking(db, ac["d"], y, models.IndIncome50w, at)
			if err != nil {
				t.Fatal(err)
			}
			sp, _ := models.SprintList(db, ac["d"], y, at)
			sl, _ := models.SlippingList(db, ac["d"], y, at)
			out = append(out, ru, rk, sp, sl)
		}
		for _, ind := range models.TrendIndicators {
			tr, err := models.ComputeTrend(db, ac["d"], "", ind, at)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, tr.Points)
		}
		b, _ := json.Marshal(out)
		return string(b)
	}
	then := capture(t0)
	// Everything that could change the figures, after t0:
	approved(t, db, ac["v1"], ac["s1"], seeds.FixA1, 2025, op(80_000_000)) // a correction
	approved(t, db, ac["v2"], ac["s1"], seeds.FixA2, 2025, op(90_000_000)) // a new approval
	approved(t, db, ac["v2"], ac["s1"], seeds.FixA2, 2023, op(10_000_000)) // a late first-year figure
	if _, err := models.SetTarget(db, ac["d"], seeds.DistrictCode, models.IndIncome50w, 2025, 9900, ""); err != nil {
		t.Fatal(err)
	}
	typ, until := "特色保护", 2023
	if _, err := models.UpdateVillage(db, ac["d"], models.VillageInput{Code: seeds.FixA1, Type: &typ, ActiveUntil: &until}); err != nil {
		t.Fatal(err)
	}
	if err := models.SetYellowBand(db, ac["d"], 2000); err != nil {
		t.Fatal(err)
	}
	if now := capture(time.Now()); now == then {
		t.Fatal("the later changes changed nothing now: the test proves nothing")
	}
	if again := capture(t0); again != then {
		t.Fatalf("as_of figures changed:\nthen  %s\nagain %s", then, again)
	}
}

// TestSprintListLastYear: the 冲刺名单 carries each village's approved 经营性收入 of
// the year before (issue 14: its 上年 column was always "—"), and none where that
// year has no approved figures.
func TestSprintListLastYear(t *testing.T) {
	db, ac := setup(t)
	approved(t, db, ac["v1"], ac["s1"], seeds.FixA1, 2024, op(60_000_000))
	approved(t, db, ac["v1"], ac["s1"], seeds.FixA1, 2025, op(45_000_000))
	approved(t, db, ac["v4"], ac["s2"], seeds.FixB1, 2024, op(30_000_000))
	approved(t, db, ac["v4"], ac["s2"], seeds.FixB1, 2025, op(40_000_000))
	approved(t, db, ac["v2"], ac["s1"], seeds.FixA2, 2025, op(41_000_000)) // nothing in 2024
	sprint, err := models.SprintList(db, ac["d"], 2025, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{seeds.FixA1: 60_000_000, seeds.FixB1: 30_000_000}
	if len(sprint) != 3 {
		t.Fatalf("sprint = %+v", sprint)
	}
	for _, v := range sprint {
		w, ok := want[v.Code]
		switch {
		case !ok && v.PrevOperatingFen != nil:
			t.Errorf("%s: 上年 %d, want none", v.Code, *v.PrevOperatingFen)
		case ok && (v.PrevOperatingFen == nil || *v.PrevOperatingFen != w):
			t.Errorf("%s: 上年 %v, want %d", v.Code, v.PrevOperatingFen, w)
		}
	}
}
