package models_test

import (
	"errors"
	"testing"
	"time"

	"cunji/models"
	"cunji/seeds"

	"gorm.io/gorm"
)

func strp(s string) *string { return &s }

// defineIndicator defines an indicator applying from 2023, failing the test on error.
func defineIndicator(t *testing.T, db *gorm.DB, district *models.Actor, code, kind, by, rollup string) *models.Indicator {
	t.Helper()
	from := 2023
	d, err := models.DefineIndicator(db, district, models.IndicatorInput{Code: &code, Name: strp("指标 " + code),
		Kind: &kind, Unit: strp("个"), EnteredBy: &by, Rollup: &rollup, FromYear: &from})
	if err != nil {
		t.Fatalf("define %s: %v", code, err)
	}
	return d
}

// TestIndicatorDefinitions: only the district defines; definitions are checked; a
// change keeps the earlier definition in the history; a stale change and a change of
// kind once values exist are refused.
func TestIndicatorDefinitions(t *testing.T) {
	db, ac := setup(t)
	code, kind, by, rollup, from := "ecommerce_village", models.KindYesNo, models.EnteredByVillage, models.RollupCountYes, 2023
	in := models.IndicatorInput{Code: &code, Name: strp("电商专业村"), Kind: &kind, EnteredBy: &by, Rollup: &rollup, FromYear: &from}
	for _, who := range []string{"v1", "s1"} {
		if _, err := models.DefineIndicator(db, ac[who], in); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("%s defines: %v", who, err)
		}
	}
	bad := in
	bad.Code, bad.Rollup = strp("Bad Code"), strp(models.RollupSum)
	bad.Kind = strp(models.KindYesNo)
	if _, err := models.DefineIndicator(db, ac["d"], bad); !isInvalid(err, "code") || !isInvalid(err, "rollup") {
		t.Fatalf("bad definition: %v", err)
	}
	title := in
	title.Code, title.Kind = strp("museum"), strp(models.KindTitle)
	if _, err := models.DefineIndicator(db, ac["d"], title); !isInvalid(err, "entered_by") {
		t.Fatalf("a title entered by villages: %v", err)
	}
	own := in
	own.Code = strp(models.IndIncome50w)
	if _, err := models.DefineIndicator(db, ac["d"], own); !isInvalid(err, "code") {
		t.Fatalf("the registry's own code: %v", err)
	}
	d, err := models.DefineIndicator(db, ac["d"], in)
	if err != nil || d.Version != 1 {
		t.Fatalf("define: %+v %v", d, err)
	}
	if _, err := models.DefineIndicator(db, ac["d"], in); !isInvalid(err, "code") {
		t.Fatalf("the same code twice: %v", err)
	}
	// Every role of the district sees the catalogue.
	for _, who := range []string{"v1", "s2", "d"} {
		list, err := models.ListIndicators(db, ac[who], 2025)
		if err != nil || len(list) != 1 || list[0].Code != code {
			t.Fatalf("%s lists: %+v %v", who, list, err)
		}
	}
	// A change: the name, with the version seen; a stale one is refused.
	ch := models.IndicatorInput{Name: strp("电商专业村（省级认定）"), Version: 1}
	if _, err := models.ChangeIndicator(db, ac["d"], code, ch); err != nil {
		t.Fatal(err)
	}
	if _, err := models.ChangeIndicator(db, ac["d"], code, ch); !isConflict(err) {
		t.Fatalf("stale change: %v", err)
	}
	hist, err := models.IndicatorHistory(db, ac["d"], code)
	if err != nil || len(hist) != 2 || hist[0].Name != "电商专业村（省级认定）" || hist[1].Name != "电商专业村" || hist[1].ValidTo == nil {
		t.Fatalf("history: %+v %v", hist, err)
	}
	// The kind may change while no village has a value, not after.
	count, sum := models.KindCount, models.RollupSum
	if _, err := models.ChangeIndicator(db, ac["d"], code, models.IndicatorInput{Kind: &count, Rollup: &sum, Version: 2}); err != nil {
		t.Fatalf("kind change without values: %v", err)
	}
	one := int64(1)
	if _, err := models.SaveIndicatorValue(db, ac["v1"], code, seeds.FixA1, 2025, models.ValueInput{Value: &one}); err != nil {
		t.Fatal(err)
	}
	yes, cy := models.KindYesNo, models.RollupCountYes
	before := snapshot(t, db)
	if _, err := models.ChangeIndicator(db, ac["d"], code, models.IndicatorInput{Kind: &yes, Rollup: &cy, Version: 3}); !isInvalid(err, "kind") {
		t.Fatalf("kind change with values: %v", err)
	}
	if snapshot(t, db) != before {
		t.Fatal("a refused change wrote something")
	}
}

// TestIndicatorValues: values by kind; who may enter what; district-entered values
// are approved on entry (with their own optimistic numbers); the list rolls the
// indicator up as of an instant, and a past instant's answer does not change.
func TestIndicatorValues(t *testing.T) {
	db, ac := setup(t)
	defineIndicator(t, db, ac["d"], "clean_village", models.KindYesNo, models.EnteredByVillage, models.RollupShare)
	defineIndicator(t, db, ac["d"], "boutique", models.KindTitle, models.EnteredByDistrict, models.RollupCountYes)
	two, one, zero := int64(2), int64(1), int64(0)
	if _, err := models.SaveIndicatorValue(db, ac["v1"], "clean_village", seeds.FixA1, 2025, models.ValueInput{Value: &two}); !isInvalid(err, "value") {
		t.Fatalf("2 for a yes/no: %v", err)
	}
	steps := []struct {
		name string
		do   func() error
		want error
	}{
		{"another village", func() error {
			_, err := models.SaveIndicatorValue(db, ac["v1"], "clean_village", seeds.FixB1, 2025, models.ValueInput{Value: &one})
			return err
		}, models.ErrNotFound},
		{"the street enters a village's value", func() error {
			_, err := models.SaveIndicatorValue(db, ac["s1"], "clean_village", seeds.FixA1, 2025, models.ValueInput{Value: &one})
			return err
		}, models.ErrForbidden},
		{"a cadre enters the district's title", func() error {
			_, err := models.SaveIndicatorValue(db, ac["v1"], "boutique", seeds.FixA1, 2025, models.ValueInput{Value: &one})
			return err
		}, models.ErrForbidden},
		{"an unknown indicator", func() error {
			_, err := models.SaveIndicatorValue(db, ac["v1"], "nothing", seeds.FixA1, 2025, models.ValueInput{Value: &one})
			return err
		}, models.ErrNotFound},
		{"another street approves", func() error {
			_, err := models.ApproveIndicatorValue(db, ac["s2"], "clean_village", seeds.FixA1, 2025, nil)
			return err
		}, models.ErrNotFound},
	}
	for _, s := range steps {
		before := snapshot(t, db)
		if err := s.do(); !errors.Is(err, s.want) {
			t.Fatalf("%s: %v, want %v", s.name, err, s.want)
		}
		if snapshot(t, db) != before {
			t.Fatalf("%s: state changed", s.name)
		}
	}
	// 甲村 yes, approved; 乙村 no, approved.
	for _, c := range []struct {
		code  string
		cadre string
		val   *int64
	}{{seeds.FixA1, "v1", &one}, {seeds.FixA2, "v2", &zero}} {
		if _, err := models.SaveIndicatorValue(db, ac[c.cadre], "clean_village", c.code, 2025, models.ValueInput{Value: c.val}); err != nil {
			t.Fatal(err)
		}
		if _, err := models.SubmitIndicatorValue(db, ac[c.cadre], "clean_village", c.code, 2025, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := models.ApproveIndicatorValue(db, ac["s1"], "clean_village", c.code, 2025, nil); err != nil {
			t.Fatal(err)
		}
	}
	// The district's title: approved on entry; the next entry names its number.
	named, err := models.SaveIndicatorValue(db, ac["d"], "boutique", seeds.FixA1, 2025, models.ValueInput{Value: &one, Note: strp("椒政办〔2025〕12号")})
	if err != nil || named.Status != models.StatusApproved || named.Version != 1 {
		t.Fatalf("district entry: %+v %v", named, err)
	}
	if _, err := models.SubmitIndicatorValue(db, ac["v1"], "boutique", seeds.FixA1, 2025, nil); !errors.Is(err, models.ErrForbidden) {
		t.Fatalf("a cadre submits the district's entry: %v", err)
	}
	if _, err := models.SaveIndicatorValue(db, ac["d"], "boutique", seeds.FixA1, 2025, models.ValueInput{Value: &zero}); !isConflict(err) {
		t.Fatalf("a stale district entry: %v", err)
	}
	past := *named.ReviewedAt
	if _, err := models.SaveIndicatorValue(db, ac["d"], "boutique", seeds.FixA1, 2025, models.ValueInput{Value: &zero, Version: 1}); err != nil {
		t.Fatalf("a second district entry: %v", err)
	}
	// 甲村 corrects to no; until the street approves, yes counts.
	if _, err := models.SaveIndicatorValue(db, ac["v1"], "clean_village", seeds.FixA1, 2025, models.ValueInput{Value: &zero}); err != nil {
		t.Fatal(err)
	}
	_, vals, sum, err := models.ListIndicatorValues(db, ac["s1"], "clean_village", 2025, "", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	// Street 1 has 甲村 and 乙村 active in 2025 (丙村 closed before).
	if sum.Villages != int64(len(vals)) || sum.Reported != 2 || sum.Yes != 1 || sum.ShareBP != 10000/sum.Villages {
		t.Fatalf("street roll-up: %+v %+v", sum, vals)
	}
	if vals[0].VillageCode != seeds.FixA1 || vals[0].Open != models.StatusDraft {
		t.Fatalf("甲村's row: %+v", vals[0])
	}
	_, _, dsum, err := models.ListIndicatorValues(db, ac["d"], "boutique", 2025, "", past)
	if err != nil || dsum.Yes != 1 {
		t.Fatalf("as of before the second entry: %+v %v", dsum, err)
	}
	_, _, dsum, err = models.ListIndicatorValues(db, ac["d"], "boutique", 2025, "", time.Now())
	if err != nil || dsum.Yes != 0 || dsum.Reported != 1 {
		t.Fatalf("now: %+v %v", dsum, err)
	}
	// A cadre sees only their village.
	_, vals, _, err = models.ListIndicatorValues(db, ac["v2"], "clean_village", 2025, "", time.Now())
	if err != nil || len(vals) != 1 || vals[0].VillageCode != seeds.FixA2 {
		t.Fatalf("cadre's list: %+v %v", vals, err)
	}
	// The street's queue holds the submitted values of its villages only.
	models.SubmitIndicatorValue(db, ac["v1"], "clean_village", seeds.FixA1, 2025, nil)
	q, err := models.ListIndicatorQueue(db, ac["s1"])
	if err != nil || len(q) != 1 || q[0].IndicatorName == "" || q[0].VillageName != "甲村" {
		t.Fatalf("queue: %+v %v", q, err)
	}
	if q2, err := models.ListIndicatorQueue(db, ac["s2"]); err != nil || len(q2) != 0 {
		t.Fatalf("another street's queue: %+v %v", q2, err)
	}
	// Targets accept a catalogue indicator: a share in basis points.
	if _, err := models.SetTarget(db, ac["d"], seeds.DistrictCode, "clean_village", 2025, 8000, ""); err != nil {
		t.Fatalf("target of a catalogue indicator: %v", err)
	}
	if _, err := models.SetTarget(db, ac["d"], seeds.DistrictCode, "clean_village", 2025, 12000, ""); !isInvalid(err, "value") {
		t.Fatalf("a share above 100%%: %v", err)
	}
}
