package models_test

import (
	"errors"
	"testing"
	"time"

	"cunji/models"
	"cunji/seeds"
)

// TestYearInProgress: a year is in progress until its window closes or the district
// closes it; meanwhile the roll-up gives the provisional share among the reported
// and the completeness, the ranking draws no colours, and the trend neither counts
// it as an actual nor projects from it.
func TestYearInProgress(t *testing.T) {
	db, ac := setup(t)
	approved(t, db, ac["v1"], ac["s1"], seeds.FixA1, 2024, op(60_000_000))
	approved(t, db, ac["v1"], ac["s1"], seeds.FixA1, 2025, op(60_000_000))
	approved(t, db, ac["v2"], ac["s1"], seeds.FixA2, 2025, op(40_000_000))
	if _, err := models.SetTarget(db, ac["d"], seeds.DistrictCode, models.IndIncome50w, 2025, 5000, ""); err != nil {
		t.Fatal(err)
	}
	// 2024's window closed yesterday; 2025 has none and is not closed.
	if _, err := models.SetWindow(db, ac["d"], 2024, time.Now().Add(-72*time.Hour), time.Now().Add(-24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	ru, err := models.ComputeRollup(db, ac["d"], "", 2025, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if !ru.InProgress || ratio(ru.Completeness) != "2/3" || ratio(ru.Income50w.ReportedShare) != "1/2" || ratio(ru.Income50w.Share) != "1/3" {
		t.Errorf("2025 in progress: %v completeness %s reported_share %s share %s", ru.InProgress,
			ratio(ru.Completeness), ratio(ru.Income50w.ReportedShare), ratio(ru.Income50w.Share))
	}
	// A street with nothing reported has a provisional share of 0, not null.
	if b := ru.ByStreet[1]; b.Reported != 0 || ratio(b.Income50w.ReportedShare) != "0" {
		t.Errorf("白云 reported_share %s", ratio(b.Income50w.ReportedShare))
	}
	rk, _ := models.ComputeRanking(db, ac["d"], 2025, models.IndIncome50w, time.Now())
	if !rk.InProgress {
		t.Error("ranking not marked in progress")
	}
	for _, r := range rk.Streets {
		if r.Color != "" {
			t.Errorf("%s coloured %s in a year in progress", r.StreetName, r.Color)
		}
	}
	if r24, _ := models.ComputeRollup(db, ac["d"], "", 2024, time.Now()); r24.InProgress {
		t.Error("2024's window has closed")
	}
	if y, _ := models.LatestClosedYear(db, seeds.DistrictCode, time.Now()); y != 2024 {
		t.Errorf("latest closed year %d, want 2024", y)
	}
	// The trend: 2025 is provisional, the projection starts from 2024 (the only
	// closed year with figures: no pace, so it stays at 2024's 1/4).
	tr, _ := models.ComputeTrend(db, ac["d"], "", models.IndIncome50w, time.Now())
	p25 := tr.Points[2]
	if p25.Actual != nil || !p25.InProgress || p25.Provisional == nil || p25.Provisional.RatString() != "1/3" ||
		p25.Projected == nil || p25.Projected.RatString() != "1/4" {
		t.Errorf("2025 point: %+v", p25)
	}

	// The district closes 2025: colours, and the past answer stays in progress.
	before := time.Now().UTC()
	time.Sleep(2 * time.Millisecond)
	if _, err := models.CloseYear(db, ac["s1"], 2025); !errors.Is(err, models.ErrForbidden) {
		t.Errorf("a street closes the year: %v", err)
	}
	closeYears(t, db, ac["d"], 2025)
	if _, err := models.CloseYear(db, ac["d"], 2025); !isConflict(err) {
		t.Errorf("closing twice: %v", err)
	}
	rk, _ = models.ComputeRanking(db, ac["d"], 2025, models.IndIncome50w, time.Now())
	if rk.InProgress || rk.Streets[0].Color != models.ColorGreen || rk.Streets[1].Color != models.ColorRed {
		t.Errorf("closed 2025 ranking: %+v", rk)
	}
	if past, _ := models.ComputeRollup(db, ac["d"], "", 2025, before); !past.InProgress {
		t.Error("as of before the closing the year was in progress")
	}
	if y, _ := models.LatestClosedYear(db, seeds.DistrictCode, time.Now()); y != 2025 {
		t.Errorf("latest closed year %d, want 2025", y)
	}
	// A window still open is in progress until it closes; closing ends it early.
	if _, err := models.SetWindow(db, ac["d"], 2026, time.Now().Add(-time.Hour), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if open, _ := models.YearInProgress(db, seeds.DistrictCode, 2026, time.Now()); !open {
		t.Error("2026's window is open")
	}
	if open, _ := models.YearInProgress(db, seeds.DistrictCode, 2026, time.Now().Add(2*time.Hour)); open {
		t.Error("2026 after its window")
	}
	closeYears(t, db, ac["d"], 2026)
	if open, _ := models.YearInProgress(db, seeds.DistrictCode, 2026, time.Now()); open {
		t.Error("2026 closed early")
	}
}
