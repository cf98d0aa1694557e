package models_test

import (
	"math/rand"
	"strconv"
	"strings"
	"testing"
	"time"

	"cunji/models"
	"cunji/seeds"

	"gorm.io/gorm"
)

// recountIndicator recomputes an indicator's roll-up of a scope for a year as of T
// from the stored rows alone: the definition whose revision was in force at T, each
// fixture village active in the year with the value of its highest seq approved by
// T, counted by that definition's rule.
func recountIndicator(t *testing.T, db *gorm.DB, code string, year int, street string, at time.Time) (models.IndicatorRevision, models.IndicatorFigures) {
	t.Helper()
	var d models.Indicator
	if err := db.Where("code = ?", code).Take(&d).Error; err != nil {
		t.Fatal(err)
	}
	var revs []models.IndicatorRevision
	db.Where("indicator_id = ?", d.ID).Order("id").Find(&revs)
	var rev models.IndicatorRevision
	for _, r := range revs {
		if !r.ValidFrom.After(at) && (r.ValidTo == nil || r.ValidTo.After(at)) {
			rev = r
		}
	}
	var villages []models.Village
	db.Order("code").Find(&villages)
	var f models.IndicatorFigures
	for _, v := range villages {
		if !v.ActiveIn(year) || (street != "" && v.StreetCode != street) {
			continue
		}
		f.Villages++
		var rows []models.IndicatorValue
		db.Where("indicator_id = ? AND village_code = ? AND year = ?", d.ID, v.Code, year).Order("seq").Find(&rows)
		var val *int64
		for i := range rows {
			r := rows[i]
			if r.Status == models.StatusApproved && !r.ReviewedAt.After(at) {
				val = &r.Value
			}
		}
		if val != nil {
			f.Reported++
			f.Sum += *val
			if *val > 0 {
				f.Yes++
			}
		}
	}
	return rev, f
}

// TestIndicatorRollupRecount: values entered, corrected, rejected and approved at
// many instants, and a definition whose rule changes; at every instant (now and
// each past one) the roll-up of the district, of each street and the total of the
// types equals a recount from the rows and the definition in force then. Colours
// come only with a target, and never while the year is in progress.
func TestIndicatorRollupRecount(t *testing.T) {
	db, ac := setup(t)
	defineIndicator(t, db, ac["d"], "clean_village", models.KindYesNo, models.EnteredByVillage, models.RollupShare)
	defineIndicator(t, db, ac["d"], "rural_jobs", models.KindCount, models.EnteredByVillage, models.RollupSum)
	defineIndicator(t, db, ac["d"], "enclave_income", models.KindAmount, models.EnteredByVillage, models.RollupSum)
	defineIndicator(t, db, ac["d"], "museum", models.KindYesNo, models.EnteredByVillage, models.RollupCountYes)
	codes := []string{"clean_village", "rural_jobs", "enclave_income", "museum"}
	cadres := map[string]string{seeds.FixA1: "v1", seeds.FixA2: "v2", seeds.FixB1: "v4"}
	officer := map[string]string{seeds.FixA1: "s1", seeds.FixA2: "s1", seeds.FixB1: "s2"}
	vcodes := []string{seeds.FixA1, seeds.FixA2, seeds.FixB1}
	const year = 2025
	rng := rand.New(rand.NewSource(15))
	var instants []time.Time
	mark := func() {
		time.Sleep(2 * time.Millisecond)
		instants = append(instants, time.Now())
		time.Sleep(2 * time.Millisecond)
	}
	mark() // before anything
	for round := 0; round < 3; round++ {
		for _, code := range codes {
			for _, vc := range vcodes {
				if rng.Intn(4) == 0 {
					continue
				}
				cadre, off := ac[cadres[vc]], ac[officer[vc]]
				val := int64(rng.Intn(2))
				if code == "rural_jobs" {
					val = int64(rng.Intn(40))
				} else if code == "enclave_income" {
					val = int64(rng.Intn(5_000_000))
				}
				s, err := models.GetIndicatorValue(db, cadre, code, vc, year)
				if err != nil {
					t.Fatal(err)
				}
				ver := 0
				if s.Open != nil {
					ver = s.Open.Version
				}
				if _, err := models.SaveIndicatorValue(db, cadre, code, vc, year, models.ValueInput{Value: &val, Version: ver}); err != nil {
					t.Fatalf("save %s %s: %v", code, vc, err)
				}
				if rng.Intn(5) == 0 {
					continue // left a draft
				}
				if _, err := models.SubmitIndicatorValue(db, cadre, code, vc, year, nil); err != nil {
					t.Fatal(err)
				}
				if rng.Intn(4) == 0 {
					if _, err := models.RejectIndicatorValue(db, off, code, vc, year, nil, "数字与台账不符"); err != nil {
						t.Fatal(err)
					}
					continue
				}
				if _, err := models.ApproveIndicatorValue(db, off, code, vc, year, nil); err != nil {
					t.Fatal(err)
				}
			}
		}
		mark()
		if round == 0 {
			// The museum indicator is counted as a share from now on.
			share := models.RollupShare
			if _, err := models.ChangeIndicator(db, ac["d"], "museum", models.IndicatorInput{Rollup: &share, Version: 1}); err != nil {
				t.Fatal(err)
			}
			mark()
		}
	}
	check := func(at time.Time, wantColours bool) {
		t.Helper()
		for _, code := range codes {
			for _, scope := range []struct{ who, street string }{{"d", ""}, {"s1", ""}, {"s2", ""}, {"d", "331002001"}} {
				ru, err := models.ComputeIndicatorRollup(db, ac[scope.who], code, year, scope.street, at)
				if err != nil {
					t.Fatalf("%s %s at %v: %v", code, scope.who, at, err)
				}
				st := scope.street
				if scope.who != "d" {
					st = ac[scope.who].StreetCode
				}
				rev, want := recountIndicator(t, db, code, year, st, at)
				got := ru.Total
				if got.Villages != want.Villages || got.Reported != want.Reported || got.Yes != want.Yes || got.Sum != want.Sum {
					t.Fatalf("%s %s/%s at %v: got %+v, recount %+v", code, scope.who, st, at, got, want)
				}
				if ru.Indicator.Rollup != rev.Rollup {
					t.Fatalf("%s at %v: rule %s, in force %s", code, at, ru.Indicator.Rollup, rev.Rollup)
				}
				var types, streets models.IndicatorFigures
				for _, r := range ru.ByType {
					types.Villages, types.Yes, types.Sum = types.Villages+r.Villages, types.Yes+r.Yes, types.Sum+r.Sum
				}
				for _, r := range ru.ByStreet {
					streets.Villages, streets.Yes, streets.Sum = streets.Villages+r.Villages, streets.Yes+r.Yes, streets.Sum+r.Sum
				}
				for _, part := range []models.IndicatorFigures{types, streets} {
					if part.Villages != want.Villages || part.Yes != want.Yes || part.Sum != want.Sum {
						t.Fatalf("%s %s at %v: parts %+v, total %+v", code, scope.who, at, part, want)
					}
				}
				for _, r := range append(append([]models.IndicatorFigures{ru.Total}, ru.ByStreet...), ru.ByType...) {
					colourable := r.Target != nil && (ru.Indicator.Rollup != models.RollupShare || r.Villages > 0)
					if (r.Color != "") != (wantColours && colourable) {
						t.Fatalf("%s %s at %v: %s colour %q target %v in progress %v", code, scope.who, at, r.Name, r.Color, r.Target, ru.InProgress)
					}
				}
			}
		}
	}
	// The museum indicator did not count as a share before its change.
	if ru, err := models.ComputeIndicatorRollup(db, ac["d"], "museum", year, "", instants[1]); err != nil || ru.Indicator.Rollup != models.RollupCountYes {
		t.Fatalf("museum's rule before the change: %+v %v", ru, err)
	}
	// Targets: the district's for every indicator, one street's for the sum.
	for code, v := range map[string]int64{"clean_village": 5000, "rural_jobs": 40, "enclave_income": 3_000_000, "museum": 5000} {
		if _, err := models.SetTarget(db, ac["d"], seeds.DistrictCode, code, year, v, ""); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := models.SetTarget(db, ac["d"], "331002001", "rural_jobs", year, 30, ""); err != nil {
		t.Fatal(err)
	}
	mark()
	for _, at := range instants {
		check(at, false) // the year is in progress: no colour at all
	}
	closeYears(t, db, ac["d"], year)
	now := time.Now()
	check(now, true)
	ru, err := models.ComputeIndicatorRollup(db, ac["d"], "rural_jobs", year, "", now)
	if err != nil {
		t.Fatal(err)
	}
	// Streets with villages are placed by their sum, highest first; the empty one has none.
	for _, f := range ru.ByStreet {
		if (f.Villages == 0) != (f.Rank == 0) {
			t.Fatalf("rank of %s: %+v", f.Name, f)
		}
	}
	if r := ru.Ranked(); len(r) != 2 || r[0].Sum < r[1].Sum || (r[0].Sum == r[1].Sum) != (r[1].Rank == 1) {
		t.Fatalf("ranking: %+v", r)
	}
	if ru.ByStreet[0].Target == nil || *ru.ByStreet[0].Target != 30 || ru.ByStreet[1].Target != nil || ru.ByStreet[1].Color != "" {
		t.Fatalf("a sum's target is a street's own: %+v", ru.ByStreet)
	}
	// The trend: one roll-up a year the indicator applies to, each the year's own.
	trend, err := models.IndicatorTrend(db, ac["d"], "rural_jobs", "", now)
	if err != nil {
		t.Fatal(err)
	}
	lastYear, _ := models.LastYear(db)
	if len(trend) != lastYear-2023+1 {
		t.Fatalf("trend of %d years, want %d", len(trend), lastYear-2023+1)
	}
	for _, y := range trend {
		if _, want := recountIndicator(t, db, "rural_jobs", y.Year, "", now); y.Total.Sum != want.Sum || y.Total.Villages != want.Villages {
			t.Fatalf("trend %d: %+v, recount %+v", y.Year, y.Total, want)
		}
	}
	// The 通报 has a section of the indicators with targets: value against target.
	doc, err := models.ComposeBulletin(db, ac["d"], "", year, now)
	if err != nil {
		t.Fatal(err)
	}
	last := doc.Sections[len(doc.Sections)-1]
	if !strings.Contains(last.Heading, "实施方案其他指标") || len(last.Tables) != 1 || len(last.Tables[0].Rows) != 4 {
		t.Fatalf("the catalogue section: %+v", last)
	}
	jobs := ru.Total
	for _, row := range last.Tables[0].Rows {
		if strings.HasPrefix(row[0], "指标 rural_jobs") && (row[1] != strconv.FormatInt(jobs.Sum, 10)+" 个" || row[2] != "40 个") {
			t.Fatalf("rural_jobs row: %v, total %+v", row, jobs)
		}
	}
	// A street's 通报: a share is measured against the district's target, a count or a
	// sum only against the street's own (331002001 has one for rural_jobs; 331002002 none).
	for street, want := range map[string]int{"s1": 3, "s2": 2} {
		doc, err := models.ComposeBulletin(db, ac[street], "", year, now)
		if err != nil {
			t.Fatal(err)
		}
		last := doc.Sections[len(doc.Sections)-1]
		if !strings.Contains(last.Heading, "实施方案其他指标") || len(last.Tables[0].Rows) != want {
			t.Fatalf("%s's catalogue section: %+v", street, last)
		}
	}
	// Before the targets, no section.
	doc, err = models.ComposeBulletin(db, ac["d"], "", year, instants[len(instants)-2])
	if err != nil {
		t.Fatal(err)
	}
	if h := doc.Sections[len(doc.Sections)-1].Heading; strings.Contains(h, "实施方案其他指标") {
		t.Fatalf("a section before any target: %s", h)
	}
	// Before its definition an indicator has no roll-up; out of scope: 404 / 403.
	if _, err := models.ComputeIndicatorRollup(db, ac["d"], "museum", year, "", instants[0].Add(-time.Hour)); !isInvalid(err, "as_of") {
		t.Fatalf("before the definition: %v", err)
	}
	if _, err := models.ComputeIndicatorRollup(db, ac["v1"], "museum", year, "", now); err != models.ErrForbidden {
		t.Fatalf("a cadre's roll-up: %v", err)
	}
	if _, err := models.ComputeIndicatorRollup(db, ac["s1"], "museum", year, "331002002", now); err != models.ErrNotFound {
		t.Fatalf("another street: %v", err)
	}
}

// TestIndicatorGap: what a group lacks to reach its target, by the rule.
func TestIndicatorGap(t *testing.T) {
	tg := func(v int64) *int64 { return &v }
	for _, c := range []struct {
		d    models.Indicator
		f    models.IndicatorFigures
		want string
	}{
		{models.Indicator{Rollup: models.RollupCountYes}, models.IndicatorFigures{Yes: 3, Target: tg(5)}, "还需 2 个村"},
		{models.Indicator{Rollup: models.RollupCountYes}, models.IndicatorFigures{Yes: 6, Target: tg(5)}, "已达到目标"},
		// ⌈85% × 10⌉ − 8 = 1
		{models.Indicator{Rollup: models.RollupShare}, models.IndicatorFigures{Villages: 10, Yes: 8, Target: tg(8500)}, "还需 1 个村"},
		{models.Indicator{Rollup: models.RollupSum, Kind: models.KindCount, Unit: "户"}, models.IndicatorFigures{Sum: 2400, Target: tg(2500)}, "还差 100 户"},
		{models.Indicator{Rollup: models.RollupSum, Kind: models.KindAmount}, models.IndicatorFigures{Sum: 0, Target: tg(1_000_000)}, "还差 " + models.FormatMoney(1_000_000)},
		{models.Indicator{Rollup: models.RollupSum}, models.IndicatorFigures{Sum: 9}, ""},
	} {
		if got := c.d.GapText(c.f); got != c.want {
			t.Errorf("%s %+v: %q, want %q", c.d.Rollup, c.f, got, c.want)
		}
	}
}

// TestIndicatorSlipping: a village with yes last year and no this year is listed; one
// without this year's approved value, or still yes, is not.
func TestIndicatorSlipping(t *testing.T) {
	db, ac := setup(t)
	defineIndicator(t, db, ac["d"], "clean_village", models.KindYesNo, models.EnteredByVillage, models.RollupCountYes)
	set := func(cadre, officer, village string, year int, v int64) {
		t.Helper()
		if _, err := models.SaveIndicatorValue(db, ac[cadre], "clean_village", village, year, models.ValueInput{Value: &v}); err != nil {
			t.Fatal(err)
		}
		if _, err := models.SubmitIndicatorValue(db, ac[cadre], "clean_village", village, year, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := models.ApproveIndicatorValue(db, ac[officer], "clean_village", village, year, nil); err != nil {
			t.Fatal(err)
		}
	}
	set("v1", "s1", seeds.FixA1, 2024, 1)
	set("v1", "s1", seeds.FixA1, 2025, 0) // slipped
	set("v2", "s1", seeds.FixA2, 2024, 1) // no 2025 value: not listed
	set("v4", "s2", seeds.FixB1, 2024, 1)
	set("v4", "s2", seeds.FixB1, 2025, 1) // still yes
	got, err := models.IndicatorSlipping(db, ac["d"], "clean_village", 2025, "", time.Now())
	if err != nil || len(got) != 1 || got[0].VillageCode != seeds.FixA1 {
		t.Fatalf("slipping: %+v %v", got, err)
	}
	if got, err := models.IndicatorSlipping(db, ac["s2"], "clean_village", 2025, "", time.Now()); err != nil || len(got) != 0 {
		t.Fatalf("another street's slipping: %+v %v", got, err)
	}
}
