package models_test

import (
	"errors"
	"testing"
	"time"

	"cunji/models"
	"cunji/seeds"
)

// TestIndicatorImport: the enterer of an indicator imports a year's values from a
// sheet, approved on entry, all or nothing; each row's problem is named; the same
// sheet again changes nothing; a changed row makes a new version; nobody else may
// import (a village-entered indicator's values are the cadres').
func TestIndicatorImport(t *testing.T) {
	db, ac := setup(t)
	defineIndicator(t, db, ac["d"], "boutique", models.KindTitle, models.EnteredByDistrict, models.RollupCountYes)
	defineIndicator(t, db, ac["d"], "street_jobs", models.KindCount, models.EnteredByStreet, models.RollupSum)
	defineIndicator(t, db, ac["d"], "museum", models.KindYesNo, models.EnteredByVillage, models.RollupCountYes)
	head := []string{"村代码", "村名", "是否命名", "文号"}
	bad := [][]string{{"2025 年省级特色精品村命名名单"}, head,
		{"999999999999", "无此村", "是", ""},
		{seeds.FixA1, "甲村", "也许", ""},
		{seeds.FixA3, "丙村", "是", ""}, // merged away after 2024
		{seeds.FixA2, "乙村", "是", ""},
		{seeds.FixA2, "乙村", "否", ""}}
	before := snapshot(t, db)
	res, err := models.ImportIndicatorValues(db, ac["d"], "boutique", 2025, bad, false)
	if err != nil || len(res.Problems) != 4 || res.Committed {
		t.Fatalf("bad sheet: %+v %v", res, err)
	}
	if snapshot(t, db) != before {
		t.Fatal("a sheet with problems wrote something")
	}
	good := [][]string{head, {seeds.FixA1, "甲村", "是", "浙农〔2025〕8号"}, {seeds.FixB1, "丁村", "否", ""}}
	res, err = models.ImportIndicatorValues(db, ac["d"], "boutique", 2025, good, true)
	if err != nil || res.New != 2 || res.Committed {
		t.Fatalf("dry run: %+v %v", res, err)
	}
	res, err = models.ImportIndicatorValues(db, ac["d"], "boutique", 2025, good, false)
	if err != nil || res.New != 2 || !res.Committed {
		t.Fatalf("import: %+v %v", res, err)
	}
	at := time.Now()
	ru, err := models.ComputeIndicatorRollup(db, ac["d"], "boutique", 2025, "", at)
	if err != nil || ru.Total.Yes != 1 || ru.Total.Reported != 2 {
		t.Fatalf("roll-up after the import: %+v %v", ru, err)
	}
	if res, err = models.ImportIndicatorValues(db, ac["d"], "boutique", 2025, good, false); err != nil || res.Unchanged != 2 || res.Committed {
		t.Fatalf("the same sheet again: %+v %v", res, err)
	}
	good[2][2] = "是"
	if res, err = models.ImportIndicatorValues(db, ac["d"], "boutique", 2025, good, false); err != nil || res.Changed != 1 || res.Unchanged != 1 {
		t.Fatalf("a changed row: %+v %v", res, err)
	}
	s, err := models.GetIndicatorValue(db, ac["d"], "boutique", seeds.FixB1, 2025)
	if err != nil || len(s.History) != 2 || s.Approved.Value != 1 || s.Approved.Seq != 2 {
		t.Fatalf("丁村's series: %+v %v", s, err)
	}
	if ru, _ := models.ComputeIndicatorRollup(db, ac["d"], "boutique", 2025, "", at); ru.Total.Yes != 1 {
		t.Fatalf("a past answer changed: %+v", ru.Total)
	}
	// Who may import.
	for _, c := range []struct{ who, code string }{{"s1", "boutique"}, {"v1", "boutique"}, {"d", "museum"}, {"d", "street_jobs"}} {
		if _, err := models.ImportIndicatorValues(db, ac[c.who], c.code, 2025, good, false); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("%s imports %s: %v", c.who, c.code, err)
		}
	}
	// A street imports its own villages' values of a street-entered indicator only.
	jobs := [][]string{{"村代码", "数量"}, {seeds.FixA1, "12"}, {seeds.FixB1, "3"}}
	if res, err := models.ImportIndicatorValues(db, ac["s1"], "street_jobs", 2025, jobs, false); err != nil || len(res.Problems) != 1 || res.Problems[0].Row != 3 {
		t.Fatalf("another street's village: %+v %v", res, err)
	}
	if res, err := models.ImportIndicatorValues(db, ac["s1"], "street_jobs", 2025, jobs[:2], false); err != nil || res.New != 1 || !res.Committed {
		t.Fatalf("the street's import: %+v %v", res, err)
	}
}
