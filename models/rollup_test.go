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

func ratio(r models.Ratio) string {
	if r.R == nil {
		return "nil"
	}
	return r.R.RatString()
}

// TestRollupFixture checks the roll-up against figures computed by hand:
//
//	甲村 (海门, 城郊融合): approved 60万 operating + 10万 subsidy, 2 stars, 和美; then a
//	     correction to 40万 is pending: the 60万 still counts.
//	乙村 (海门, 整治提升): approved exactly 50万, no star; then a rejected 10万 version.
//	丙村 (海门, 整治提升): merged away after 2024: approved 80万 in 2024, absent in 2025.
//	丁村 (白云, 特色保护): has not reported: counts as not meeting.
func TestRollupFixture(t *testing.T) {
	db, ac := setup(t)
	approved(t, db, ac["v3"], ac["s1"], seeds.FixA3, 2024, figures(80_000_000, 0, 0, 0, 1, false))
	approved(t, db, ac["v2"], ac["s1"], seeds.FixA2, 2025, figures(20_000_000, 20_000_000, 10_000_000, 0, 0, false))
	drafted(t, db, ac["v2"], seeds.FixA2, 2025, figures(10_000_000, 0, 0, 0, 0, false))
	if _, err := models.Submit(db, ac["v2"], seeds.FixA2, 2025, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := models.Reject(db, ac["s1"], seeds.FixA2, 2025, nil, "不符"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * time.Millisecond)
	beforeA1 := time.Now().UTC()
	time.Sleep(5 * time.Millisecond)
	approved(t, db, ac["v1"], ac["s1"], seeds.FixA1, 2025, figures(40_000_000, 15_000_000, 5_000_000, 10_000_000, 2, true))
	drafted(t, db, ac["v1"], seeds.FixA1, 2025, figures(40_000_000, 0, 0, 0, 2, true))
	if _, err := models.Submit(db, ac["v1"], seeds.FixA1, 2025, nil); err != nil {
		t.Fatal(err)
	}
	// The district named 甲村 two-star and 和美 in 2025 (the register, not the report).
	for _, in := range []models.TitleInput{
		{VillageCode: seeds.FixA1, Title: models.TitleStar, Level: 2, Year: 2025, NamedOn: time.Date(2025, 11, 20, 0, 0, 0, 0, models.Shanghai), DocumentNo: "椒农〔2025〕1号"},
		{VillageCode: seeds.FixA1, Title: models.TitleHemei, Year: 2025, NamedOn: time.Date(2025, 12, 1, 0, 0, 0, 0, models.Shanghai), DocumentNo: "椒农〔2025〕2号"},
	} {
		if _, err := models.NameTitle(db, ac["d"], in); err != nil {
			t.Fatal(err)
		}
	}
	// An explicit 2025 target of 90% for the district.
	if _, err := models.SetTarget(db, ac["d"], seeds.DistrictCode, models.IndIncome50w, 2025, 9000, ""); err != nil {
		t.Fatal(err)
	}

	ru, err := models.ComputeRollup(db, ac["d"], "", 2025, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	assetsEach := int64(10_000_000_000)
	check := func(name string, got, want any) {
		t.Helper()
		if got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	check("villages", ru.Villages, int64(3)) // 丙村 left after 2024
	check("reported", ru.Reported, int64(2))
	check("income count", ru.Income50w.Count, int64(2)) // 甲村 60万 (pending 40万 ignored), 乙村 exactly 50万
	check("income share", ratio(ru.Income50w.Share), "2/3")
	check("income target", ratio(ru.Income50w.Target), "9/10")
	check("needed", *ru.Income50w.Needed, int64(1)) // ⌈0.9 × 3⌉ − 2
	check("star rated", ru.Star.Rated, int64(1))
	check("star level 2", ru.Star.ByLevel[2], int64(1))
	check("hemei", ru.Hemei.Count, int64(1))
	check("operating total", ru.OperatingIncomeTotalFen, int64(110_000_000))
	check("collective total", ru.CollectiveIncomeTotalFen, int64(120_000_000))
	check("assets total", ru.AssetsTotalFen, 2*assetsEach)
	check("streets", len(ru.ByStreet), len(seeds.Streets))
	check("海门 villages", ru.ByStreet[0].Villages, int64(2))
	check("海门 count", ru.ByStreet[0].Income50w.Count, int64(2))
	check("白云 villages", ru.ByStreet[1].Villages, int64(1))
	check("白云 count", ru.ByStreet[1].Income50w.Count, int64(0))
	check("白云 share", ratio(ru.ByStreet[1].Income50w.Share), "0")
	check("葭沚 share (no villages)", ratio(ru.ByStreet[2].Income50w.Share), "nil")
	byType := map[string]models.TypeFigures{}
	for _, r := range ru.ByType {
		byType[r.Type] = r
	}
	check("城郊融合", byType["城郊融合"].Income50w.Count, int64(1))
	check("整治提升 villages", byType["整治提升"].Villages, int64(1))
	check("特色保护 count", byType["特色保护"].Income50w.Count, int64(0))
	check("搬迁撤并 villages", byType["搬迁撤并"].Villages, int64(0))

	// As of the instant before 甲村 was approved, only 乙村 counts.
	past, err := models.ComputeRollup(db, ac["d"], "", 2025, beforeA1)
	if err != nil {
		t.Fatal(err)
	}
	check("as_of count", past.Income50w.Count, int64(1))
	check("as_of reported", past.Reported, int64(1))
	check("as_of collective", past.CollectiveIncomeTotalFen, int64(50_000_000))

	// 2024: 丙村 is still in the denominators and counts.
	r24, _ := models.ComputeRollup(db, ac["d"], "", 2024, time.Now())
	check("2024 villages", r24.Villages, int64(4))
	check("2024 count", r24.Income50w.Count, int64(1))
	// No 2024 or 2026 target is assigned: no target and no needed (未下达目标);
	// nothing is interpolated from the actual figures (issue 12).
	check("2024 target", ratio(r24.Income50w.Target), "nil")
	check("2024 needed", r24.Income50w.Needed == nil, true)
	r26, _ := models.ComputeRollup(db, ac["d"], "", 2026, time.Now())
	check("2026 target", ratio(r26.Income50w.Target), "nil")
	check("2026 needed", r26.Income50w.Needed == nil, true)
	r27, _ := models.ComputeRollup(db, ac["d"], "", 2027, time.Now())
	check("2027 target", ratio(r27.Income50w.Target), "17/20")
	check("2027 needed", *r27.Income50w.Needed, int64(3))

	// The street officer sees the street only; another street is not found.
	st, err := models.ComputeRollup(db, ac["s1"], "", 2025, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	check("street scope", st.ScopeName, "海门街道")
	check("street villages", st.Villages, int64(2))
	check("street rows", len(st.ByStreet), 1)
	if _, err := models.ComputeRollup(db, ac["s1"], "331002002", 2025, time.Now()); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("other street: %v", err)
	}
	if _, err := models.ComputeRollup(db, ac["v1"], "", 2025, time.Now()); !errors.Is(err, models.ErrForbidden) {
		t.Errorf("cadre roll-up: %v", err)
	}
	// The district narrowed to one street equals the street's own roll-up.
	ds, _ := models.ComputeRollup(db, ac["d"], "331002001", 2025, time.Now())
	check("district→street count", ds.Income50w.Count, st.Income50w.Count)

	// The API writes shares with six decimals.
	b, _ := json.Marshal(ru.Income50w)
	check("json", string(b), `{"count":2,"share":0.666667,"target":0.900000,"needed":1,"reported_share":1.000000}`)
}

func TestNeeded(t *testing.T) {
	cases := []struct {
		target        *big.Rat
		n, count, out int64
	}{
		{big.NewRat(85, 100), 200, 170, 0},
		{big.NewRat(85, 100), 200, 169, 1},
		{big.NewRat(85, 100), 201, 170, 1}, // ⌈170.85⌉ = 171
		{big.NewRat(85, 100), 0, 0, 0},
		{big.NewRat(1, 1), 7, 9, 0},
		{nil, 10, 0, 0},
		// Past int64's product: the big numbers' arithmetic.
		{big.NewRat(3, 2), 1 << 62, 0, 3 << 61},
		{big.NewRat(3, 2), 1 << 62, 1 << 62, 1 << 61},
		{big.NewRat(1, 3), 10, 3, 1}, // ⌈3.33⌉ − 3
	}
	for _, tc := range cases {
		if got := models.Needed(models.Ratio{R: tc.target}, tc.n, tc.count); got != tc.out {
			t.Errorf("Needed(%v, %d, %d) = %d, want %d", tc.target, tc.n, tc.count, got, tc.out)
		}
	}
}
