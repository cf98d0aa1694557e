package models_test

import (
	"testing"
	"time"

	"cunji/models"
	"cunji/seeds"

	"gorm.io/gorm"
)

// indicatorGroups are an indicator's figures recounted in Go from the stored rows
// as of an instant: the whole scope (key ""), each street (its code) and each
// village type (its name).
type indicatorGroups map[string]models.IndicatorFigures

// recountIndicatorAt recounts an indicator's figures of year as of at, straight
// from the rows: each village's master data in force at at (its revision), active
// in the year and in the street when one is given, with the value of its highest
// seq approved by at.
func recountIndicatorAt(t *testing.T, db *gorm.DB, code string, year int, street string, at time.Time) indicatorGroups {
	t.Helper()
	var d models.Indicator
	if err := db.Where("code = ?", code).Take(&d).Error; err != nil {
		t.Fatal(err)
	}
	var revs []models.VillageRevision
	if err := db.Order("code, id").Find(&revs).Error; err != nil {
		t.Fatal(err)
	}
	var values []models.IndicatorValue
	if err := db.Where("indicator_id = ? AND year = ?", d.ID, year).Order("seq").Find(&values).Error; err != nil {
		t.Fatal(err)
	}
	out := indicatorGroups{}
	for _, r := range revs {
		if r.ValidFrom.After(at) || (r.ValidTo != nil && !r.ValidTo.After(at)) {
			continue
		}
		v := models.Village{ActiveFrom: r.ActiveFrom, ActiveUntil: r.ActiveUntil}
		if !v.ActiveIn(year) || (street != "" && r.StreetCode != street) {
			continue
		}
		var val *int64
		for i := range values {
			x := values[i]
			if x.VillageCode == r.Code && x.Status == models.StatusApproved && !x.ReviewedAt.After(at) {
				val = &x.Value
			}
		}
		for _, g := range []string{"", r.StreetCode, r.Type} {
			f := out[g]
			f.Villages++
			if val != nil {
				f.Reported++
				f.Sum += *val
				if *val > 0 {
					f.Yes++
				}
			}
			out[g] = f
		}
	}
	return out
}

// sameFigures compares a roll-up's counts (total, streets, types) with a recount.
func sameFigures(ru *models.IndicatorRollup, want indicatorGroups) bool {
	eq := func(f models.IndicatorFigures, w models.IndicatorFigures) bool {
		return f.Villages == w.Villages && f.Reported == w.Reported && f.Yes == w.Yes && f.Sum == w.Sum
	}
	if !eq(ru.Total, want[""]) {
		return false
	}
	for _, f := range ru.ByStreet {
		if !eq(f, want[f.Code]) {
			return false
		}
	}
	for _, f := range ru.ByType {
		if !eq(f, want[f.Code]) {
			return false
		}
	}
	return true
}

// TestIndicatorCellsEqualRecount: after every kind of write an indicator's figures
// depend on — a cadre's draft, submission, withdrawal, rejection and approval, a
// correction, a street's and the district's own entries, an import, a change of
// definition, a village's type, street and active years, a new village, a year
// opened or closed — the indicator cells equal the recount (MeasureDrift), and the
// roll-up of now (from the cells), and the same through two caches asked twice,
// equal the roll-up counted from the history at the same instant, for the
// district, a street's officer and a district narrowed to a street, in two years.
// Afterwards, at every instant between the steps, the roll-up equals a recount in
// Go from the rows (the master data then, the values approved by then).
func TestIndicatorCellsEqualRecount(t *testing.T) {
	db, ac := setup(t)
	defineIndicator(t, db, ac["d"], "museum", models.KindYesNo, models.EnteredByVillage, models.RollupCountYes)
	defineIndicator(t, db, ac["d"], "jobs", models.KindCount, models.EnteredByVillage, models.RollupSum)
	defineIndicator(t, db, ac["d"], "street_income", models.KindAmount, models.EnteredByStreet, models.RollupSum)
	defineIndicator(t, db, ac["d"], "boutique", models.KindTitle, models.EnteredByDistrict, models.RollupCountYes)
	codes := []string{"museum", "jobs", "street_income", "boutique"}
	if _, err := models.SetTarget(db, ac["d"], seeds.DistrictCode, "jobs", 2024, 30, ""); err != nil {
		t.Fatal(err)
	}
	cacheA, cacheB := models.NewRollupCache(256), models.NewRollupCache(256)
	var instants []time.Time
	checked := 0
	check := func(step string) {
		t.Helper()
		if d, err := models.MeasureDrift(db); err != nil || d != (models.Drift{}) {
			t.Fatalf("after %s: drift %+v %v", step, d, err)
		}
		now := time.Now()
		for _, code := range codes {
			for _, year := range []int{2024, 2025} {
				for _, sc := range []struct{ who, street string }{{"d", ""}, {"s1", ""}, {"s2", ""}, {"d", "331002001"}} {
					ru, err := models.ComputeIndicatorRollup(db, ac[sc.who], code, year, sc.street, now)
					if err != nil {
						t.Fatalf("after %s: %s %d %s: %v", step, code, year, sc.who, err)
					}
					rec, err := models.RecountIndicatorRollup(db, ac[sc.who], code, year, sc.street, now)
					if err != nil {
						t.Fatal(err)
					}
					want := asJSON(t, rec)
					if got := asJSON(t, ru); got != want {
						t.Fatalf("after %s: %s %d %s %q from the cells:\n%s\nrecount:\n%s", step, code, year, sc.who, sc.street, got, want)
					}
					for _, rc := range []*models.RollupCache{cacheA, cacheB} {
						for range 2 {
							kept, err := rc.IndicatorRollup(db, ac[sc.who], code, year, sc.street, now, true)
							if err != nil {
								t.Fatal(err)
							}
							if got := asJSON(t, kept); got != want {
								t.Fatalf("after %s: %s %d %s %q kept:\n%s\nrecount:\n%s", step, code, year, sc.who, sc.street, got, want)
							}
						}
					}
					checked++
				}
			}
		}
		time.Sleep(2 * time.Millisecond)
		instants = append(instants, time.Now())
		time.Sleep(2 * time.Millisecond)
	}
	val := func(v int64) models.ValueInput { return models.ValueInput{Value: &v} }
	cadreOf := map[string]string{seeds.FixA1: "v1", seeds.FixA2: "v2", seeds.FixB1: "v4"}
	officerOf := map[string]string{seeds.FixA1: "s1", seeds.FixA2: "s1", seeds.FixB1: "s2"}
	// draft saves a cadre's draft of code (editing the open one).
	draft := func(code, village string, year int, v int64) {
		t.Helper()
		s, err := models.GetIndicatorValue(db, ac[cadreOf[village]], code, village, year)
		if err != nil {
			t.Fatal(err)
		}
		in := val(v)
		if s.Open != nil {
			in.Version = s.Open.Version
		}
		if _, err := models.SaveIndicatorValue(db, ac[cadreOf[village]], code, village, year, in); err != nil {
			t.Fatalf("draft %s %s: %v", code, village, err)
		}
	}
	submit := func(code, village string, year int) {
		t.Helper()
		if _, err := models.SubmitIndicatorValue(db, ac[cadreOf[village]], code, village, year, nil); err != nil {
			t.Fatal(err)
		}
	}
	approve := func(code, village string, year int) {
		t.Helper()
		if _, err := models.ApproveIndicatorValue(db, ac[officerOf[village]], code, village, year, nil); err != nil {
			t.Fatal(err)
		}
	}
	// enter records an entry approved on entry (a street's or the district's).
	enter := func(who, code, village string, year int, v int64) {
		t.Helper()
		s, err := models.GetIndicatorValue(db, ac[who], code, village, year)
		if err != nil {
			t.Fatal(err)
		}
		in := val(v)
		if len(s.History) > 0 {
			in.Version = s.History[0].Version
		}
		if _, err := models.SaveIndicatorValue(db, ac[who], code, village, year, in); err != nil {
			t.Fatalf("enter %s %s: %v", code, village, err)
		}
	}
	update := func(in models.VillageInput) {
		t.Helper()
		if _, err := models.UpdateVillage(db, ac["d"], in); err != nil {
			t.Fatalf("update %s: %v", in.Code, err)
		}
	}

	check("nothing")
	for _, y := range []int{2024, 2025} {
		for _, vc := range []string{seeds.FixA1, seeds.FixA2, seeds.FixB1} {
			draft("museum", vc, y, 1)
			draft("jobs", vc, y, 12)
		}
	}
	check("drafts")
	for _, vc := range []string{seeds.FixA1, seeds.FixA2, seeds.FixB1} {
		submit("museum", vc, 2025)
		submit("jobs", vc, 2024)
	}
	check("submissions")
	approve("museum", seeds.FixA1, 2025)
	approve("museum", seeds.FixB1, 2025)
	approve("jobs", seeds.FixA1, 2024)
	approve("jobs", seeds.FixA2, 2024)
	check("approvals")
	if _, err := models.RejectIndicatorValue(db, ac["s1"], "museum", seeds.FixA2, 2025, nil, "与台账不符"); err != nil {
		t.Fatal(err)
	}
	if _, err := models.WithdrawIndicatorValue(db, ac["v4"], "jobs", seeds.FixB1, 2024, nil); err != nil {
		t.Fatal(err)
	}
	check("a rejection and a withdrawal")
	// Corrections: yes becomes no, a count grows, the rejected one is corrected.
	draft("museum", seeds.FixA1, 2025, 0)
	submit("museum", seeds.FixA1, 2025)
	approve("museum", seeds.FixA1, 2025)
	draft("jobs", seeds.FixA2, 2024, 31)
	submit("jobs", seeds.FixA2, 2024)
	approve("jobs", seeds.FixA2, 2024)
	draft("museum", seeds.FixA2, 2025, 1)
	submit("museum", seeds.FixA2, 2025)
	approve("museum", seeds.FixA2, 2025)
	check("corrections")
	enter("s1", "street_income", seeds.FixA1, 2025, 500_000)
	enter("s2", "street_income", seeds.FixB1, 2025, 0)
	enter("s1", "street_income", seeds.FixA1, 2025, 700_000)
	check("a street's entries")
	enter("d", "boutique", seeds.FixA2, 2025, 1)
	check("the district's entry")
	head := []string{"村代码", "村名", "是否命名", "文号"}
	if res, err := models.ImportIndicatorValues(db, ac["d"], "boutique", 2025, [][]string{head,
		{seeds.FixA1, "甲村", "是", "浙农〔2025〕8号"}, {seeds.FixA2, "乙村", "否", ""}, {seeds.FixB1, "丁村", "是", ""}}, false); err != nil || !res.Committed {
		t.Fatalf("import: %+v %v", res, err)
	}
	if res, err := models.ImportIndicatorValues(db, ac["d"], "boutique", 2024, [][]string{head,
		{seeds.FixA1, "甲村", "是", ""}, {seeds.FixA3, "丙村", "是", ""}}, false); err != nil || !res.Committed {
		t.Fatalf("import 2024: %+v %v", res, err)
	}
	check("imports")
	share := models.RollupShare
	if _, err := models.ChangeIndicator(db, ac["d"], "museum", models.IndicatorInput{Rollup: &share, Version: 1}); err != nil {
		t.Fatal(err)
	}
	check("a change of rule")
	update(models.VillageInput{Code: seeds.FixA1, Type: strp("特色保护")})
	check("a village's type")
	update(models.VillageInput{Code: seeds.FixA2, StreetCode: strp("331002002")})
	check("a village moved to another street")
	update(models.VillageInput{Code: seeds.FixB1, ActiveUntil: intp(2024)})
	check("a village merged away after 2024")
	update(models.VillageInput{Code: seeds.FixA3, ClearUntil: true})
	check("a merged village active again")
	update(models.VillageInput{Code: seeds.FixB1, ClearUntil: true, ActiveFrom: intp(2025)})
	check("a village active from 2025")
	if _, err := models.CreateVillage(db, ac["d"], models.VillageInput{Code: "331002001204", Name: strp("戊村"), Type: strp("集聚建设")}); err != nil {
		t.Fatal(err)
	}
	if res, err := models.ImportVillages(db, ac["d"], [][]string{{"村代码", "村名称", "街道代码", "村庄类型", "起始年度", "终止年度"},
		{"331002002205", "己村", "331002002", "整治提升", "2000", ""}, {seeds.FixA1, "甲村", "331002002", "特色保护", "2000", ""}}, false); err != nil || !res.Committed {
		t.Fatalf("village import: %+v %v", res, err)
	}
	check("new villages and an imported move")
	if err := models.SetLastYear(db, ac["d"], 2028); err != nil {
		t.Fatal(err)
	}
	closeYears(t, db, ac["d"], 2024)
	check("a year opened and one closed")
	if checked == 0 {
		t.Fatal("nothing compared")
	}

	// Every instant between the steps: the roll-up (from the history, since things
	// changed after) equals the recount in Go of the rows as they stood then.
	for i, at := range instants {
		for _, code := range codes {
			for _, year := range []int{2024, 2025} {
				for _, sc := range []struct{ who, street string }{{"d", ""}, {"s1", ""}, {"d", "331002002"}} {
					ru, err := models.ComputeIndicatorRollup(db, ac[sc.who], code, year, sc.street, at)
					if err != nil {
						t.Fatalf("instant %d: %v", i, err)
					}
					st := sc.street
					if sc.who != "d" {
						st = ac[sc.who].StreetCode
					}
					if want := recountIndicatorAt(t, db, code, year, st, at); !sameFigures(ru, want) {
						t.Fatalf("instant %d, %s %d %s %q: %+v / %+v / %+v, recount %+v", i, code, year, sc.who, sc.street, ru.Total, ru.ByStreet, ru.ByType, want)
					}
				}
			}
		}
	}

	// The roll-up of now reads the cells: a cell changed behind the model's back
	// shows in it (and in the recount's drift) until `cunji check --repair`'s rebuild.
	if err := db.Exec("UPDATE indicator_cells SET sum_value = sum_value + 5 WHERE year = 2024 AND reported > 0 AND indicator_id = (SELECT id FROM indicators WHERE code = 'jobs')").Error; err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	ru, err := models.ComputeIndicatorRollup(db, ac["d"], "jobs", 2024, "", now)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := models.RecountIndicatorRollup(db, ac["d"], "jobs", 2024, "", now)
	if err != nil {
		t.Fatal(err)
	}
	if d, err := models.MeasureDrift(db); err != nil || d.IndicatorCells == 0 || ru.Total.Sum == rec.Total.Sum {
		t.Fatalf("a tampered cell: drift %+v %v, now %d, recount %d", d, err, ru.Total.Sum, rec.Total.Sum)
	}
	if err := models.RebuildIndicatorCells(db); err != nil {
		t.Fatal(err)
	}
	if d, err := models.MeasureDrift(db); err != nil || d != (models.Drift{}) {
		t.Fatalf("after the rebuild: %+v %v", d, err)
	}
}
