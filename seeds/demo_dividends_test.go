package seeds_test

import (
	"testing"
	"time"

	"cunji/models"
	"cunji/seeds"
)

// The demo's 强村公司 dividends fit inside the 投资收益 the villages report: counted
// from the definition (a village-year's dividends above the 投资收益 of a submitted or
// approved version of that year), only a handful of village-years are flagged.
func TestDemoDividendsRarelyFlagged(t *testing.T) {
	db := models.OpenTest(t)
	if err := seeds.Structure(db); err != nil {
		t.Fatal(err)
	}
	if err := seeds.Demo(db, time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	var divs []models.CompanyDividend
	db.Find(&divs)
	got := map[[2]any]int64{}
	for _, d := range divs {
		got[[2]any{d.VillageCode, d.Year}] += d.DividendFen
	}
	var rs []models.ReportVersion
	db.Where("status IN ?", []string{models.StatusSubmitted, models.StatusApproved}).Find(&rs)
	flagged, compared := map[[2]any]bool{}, map[[2]any]bool{}
	for _, r := range rs {
		k := [2]any{r.VillageCode, r.Year}
		if d, ok := got[k]; ok {
			compared[k] = true
			if d > r.InvestmentFen {
				flagged[k] = true
			}
		}
	}
	t.Logf("village-years with dividends and a report: %d, flagged: %d", len(compared), len(flagged))
	if len(compared) < 30 {
		t.Fatalf("only %d village-years receive dividends", len(compared))
	}
	if len(flagged) == 0 || len(flagged) > 5 {
		t.Fatalf("%d of %d village-years flagged, want a handful (1–5)", len(flagged), len(compared))
	}
}
