package seeds_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"testing"

	"cunji/models"
	"cunji/seeds"

	"gorm.io/gorm"
)

func TestMain(m *testing.M) { os.Exit(models.RunOnAllBackends(m)) }

// digest hashes what the synthetic data is made of, in a fixed order.
func digest(t *testing.T, db *gorm.DB) string {
	t.Helper()
	h := sha256.New()
	var vs []models.Village
	db.Order("code").Find(&vs)
	for _, v := range vs {
		until := 0
		if v.ActiveUntil != nil {
			until = *v.ActiveUntil
		}
		fmt.Fprintf(h, "%s|%s|%s|%s|%d|%d\n", v.Code, v.Name, v.StreetCode, v.Type, v.ActiveFrom, until)
	}
	var rs []models.ReportVersion
	db.Order("village_code, year, seq").Find(&rs)
	for _, r := range rs {
		fmt.Fprintf(h, "%s|%d|%d|%d|%d|%d|%v|%s\n", r.VillageCode, r.Year, r.Seq, r.OperatingFen, r.AssetsFen, r.StarRating, r.HemeiBuilt, r.ReviewedAt.UTC())
	}
	var ms []models.CompanyMember
	db.Order("village_code").Find(&ms)
	for _, m := range ms {
		fmt.Fprintf(h, "%s|%d\n", m.VillageCode, m.ShareMicro)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func TestSyntheticDeterministicAndShaped(t *testing.T) {
	const n = 2500
	a, b, c := models.OpenTest(t), models.OpenTest(t), models.OpenTest(t)
	st, err := seeds.Synthetic(a, n, 42, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := seeds.Synthetic(b, n, 42, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := seeds.Synthetic(c, n, 43, nil); err != nil {
		t.Fatal(err)
	}
	if digest(t, a) != digest(t, b) {
		t.Fatal("the same seed gave different data")
	}
	if digest(t, a) == digest(t, c) {
		t.Fatal("another seed gave the same data")
	}
	if st.Villages != n || st.Versions < 5*n*9/10 || st.Workshops == 0 || st.Companies == 0 {
		t.Fatalf("stats = %+v", st)
	}
	// Shape: districts of 6–15 streets, streets of 15–40 villages (the last of each
	// may be cut short by n), codes in the statistics pattern.
	var perStreet []struct {
		StreetCode string
		N          int
	}
	a.Model(&models.Village{}).Select("street_code, COUNT(*) AS n").Group("street_code").Order("street_code").Scan(&perStreet)
	for i, s := range perStreet {
		if (s.N < 15 && i != len(perStreet)-1) || s.N > 40 {
			t.Errorf("street %s has %d villages", s.StreetCode, s.N)
		}
	}
	var perDistrict []struct {
		DistrictCode string
		N            int
	}
	a.Model(&models.Street{}).Select("district_code, COUNT(*) AS n").Group("district_code").Order("district_code").Scan(&perDistrict)
	for i, d := range perDistrict {
		if (d.N < 6 && i != len(perDistrict)-1) || d.N > 15 {
			t.Errorf("district %s has %d streets", d.DistrictCode, d.N)
		}
	}
	var vs []models.Village
	a.Find(&vs)
	for _, v := range vs {
		if len(v.Code) != 12 || !strings.HasPrefix(v.Code, v.StreetCode) || !strings.HasPrefix(v.StreetCode, v.DistrictCode) || v.Code[9] != '2' {
			t.Fatalf("code pattern: %+v", v)
		}
	}
	// Five years of approved reports, some corrected.
	var years, corrected int64
	a.Model(&models.ReportVersion{}).Distinct("year").Count(&years)
	a.Model(&models.ReportVersion{}).Where("seq > 1").Count(&corrected)
	if years != 5 || corrected == 0 {
		t.Fatalf("%d years, %d corrections", years, corrected)
	}
	// A district account signs in.
	var d models.User
	if err := a.Where("role = ?", models.RoleDistrict).Order("id").Take(&d).Error; err != nil {
		t.Fatal(err)
	}
	if _, err := models.Authenticate(a, d.Username, seeds.SyntheticPassword); err != nil {
		t.Fatalf("synthetic account: %v", err)
	}
}

// TestSyntheticIndicators: asked for a catalogue, every district gets its
// indicators of several kinds with values of one year (approved, corrected, open),
// the maintained indicator cells equal the recount, and the rest of the data is the
// same as without them, written in several flushes as at scale.
func TestSyntheticIndicators(t *testing.T) {
	const n = 700
	// Several flushes, as at scale (TestSyntheticIndicatorsAside checks that the
	// catalogue does not move them).
	defer seeds.SetFlushEvery(1500)()
	a, b := models.OpenTest(t), models.OpenTest(t)
	st, err := seeds.SyntheticWith(a, n, 9, seeds.SyntheticOptions{Indicators: 7}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := seeds.Synthetic(b, n, 9, nil); err != nil {
		t.Fatal(err)
	}
	if digest(t, a) != digest(t, b) {
		t.Fatal("the indicators changed the rest of the synthetic data")
	}
	var districts, kinds, corrected, open int64
	a.Model(&models.District{}).Count(&districts)
	a.Model(&models.Indicator{}).Distinct("kind").Count(&kinds)
	a.Model(&models.IndicatorValue{}).Where("seq > 1 AND status = ?", models.StatusApproved).Count(&corrected)
	a.Model(&models.IndicatorValue{}).Where("status IN ?", []string{models.StatusDraft, models.StatusSubmitted}).Count(&open)
	if st.Indicators != int(districts)*7 || kinds != 4 || st.IndicatorValues < n*7/2 || corrected == 0 || open == 0 {
		t.Fatalf("stats %+v, %d districts, %d kinds, %d corrected, %d open", st, districts, kinds, corrected, open)
	}
	if d, err := models.MeasureDrift(a); err != nil || d != (models.Drift{}) {
		t.Fatalf("drift after the synthetic seed: %+v %v", d, err)
	}
	var cells int64
	a.Model(&models.IndicatorCell{}).Count(&cells)
	if cells == 0 {
		t.Fatal("no indicator cells")
	}
}
