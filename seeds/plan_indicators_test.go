package seeds_test

import (
	"testing"
	"time"

	"cunji/models"
	"cunji/seeds"
)

// TestPlanIndicatorsSeed: the plan's indicators are seeded marked as the plan's,
// each a valid definition with its history, with the plan's targets for the
// district; a second run adds nothing and changes nothing.
func TestPlanIndicatorsSeed(t *testing.T) {
	db := models.OpenTest(t)
	if err := seeds.Structure(db); err != nil {
		t.Fatal(err)
	}
	n, err := seeds.SeedPlanIndicators(db)
	if err != nil || n != len(seeds.PlanIndicators()) {
		t.Fatalf("seeded %d of %d: %v", n, len(seeds.PlanIndicators()), err)
	}
	count := func() [4]int64 {
		var c [4]int64
		db.Model(&models.Indicator{}).Where("plan").Count(&c[0])
		db.Model(&models.IndicatorRevision{}).Count(&c[1])
		db.Model(&models.Target{}).Count(&c[2])
		db.Model(&models.AuditEntry{}).Count(&c[3])
		return c
	}
	before := count()
	if n, err := seeds.SeedPlanIndicators(db); err != nil || n != 0 || count() != before {
		t.Fatalf("second run: added %d, %v → %v, %v", n, before, count(), err)
	}
	d := models.ActorFor(&models.User{Role: models.RoleDistrict, DistrictCode: seeds.DistrictCode}, "127.0.0.1")
	list, err := models.ListIndicators(db, d, 2025)
	if err != nil || len(list) != len(seeds.PlanIndicators()) {
		t.Fatalf("catalogue: %d %v", len(list), err)
	}
	for _, x := range list {
		if err := x.Validate(); err != nil || !x.Plan {
			t.Fatalf("%s: plan %v, %v", x.Code, x.Plan, err)
		}
	}
	want := map[string]map[int]int64{"ecommerce_village": {2027: 23}, "electrified_village": {2027: 18},
		"beautiful_courtyard": {2023: 2500, 2026: 2500}, "boutique_village": {2024: 3}, "future_village": {2025: 2},
		"waste_sorting_model": {2026: 4}, "star_toilet": {2027: 25}, "golden_3a_village": {2027: 1},
		"enclave_project": {2027: 1}, "public_jobs": {2027: 167}, "idle_homestead": {2025: 900}, "rural_makers": {2025: 500}}
	for code, years := range want {
		for y, v := range years {
			ts, err := models.ListTargets(db, d, models.TargetFilter{Year: y, Indicator: code})
			if err != nil || len(ts) != 1 || ts[0].Value != v || ts[0].ScopeCode != seeds.DistrictCode {
				t.Fatalf("%s %d: %+v %v", code, y, ts, err)
			}
		}
	}
	// A target set by code reaches the roll-up of a seeded indicator.
	ru, err := models.ComputeIndicatorRollup(db, d, "idle_homestead", 2025, "", time.Now())
	if err != nil || ru.Total.Target == nil || *ru.Total.Target != 900 {
		t.Fatalf("roll-up: %+v %v", ru, err)
	}
}

// TestDemoIndicatorValues: the demo has invented, approved values of a few plan
// indicators, a handful waiting in 海门街道's queue, and seeding again adds nothing.
func TestDemoIndicatorValues(t *testing.T) {
	db := models.OpenTest(t)
	if err := seeds.Structure(db); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	if err := seeds.Demo(db, now); err != nil {
		t.Fatal(err)
	}
	d := models.ActorFor(&models.User{Role: models.RoleDistrict, DistrictCode: seeds.DistrictCode}, "127.0.0.1")
	ru, err := models.ComputeIndicatorRollup(db, d, "beautiful_courtyard", 2025, "", now)
	if err != nil || ru.Total.Reported == 0 || ru.Total.Reported != ru.Total.Villages || ru.Total.Sum == 0 || ru.InProgress {
		t.Fatalf("demo roll-up: %+v %v", ru, err)
	}
	if ru.Total.Color == "" {
		t.Fatal("a closed year with a target is not coloured")
	}
	var street models.User
	db.Where("username = ?", "street-331002001").Take(&street)
	q, err := models.ListIndicatorQueue(db, models.ActorFor(&street, "127.0.0.1"))
	if err != nil || len(q) == 0 {
		t.Fatalf("demo queue: %d %v", len(q), err)
	}
	if n, err := seeds.SeedPlanIndicators(db); err != nil || n != 0 {
		t.Fatalf("seeding the demo again: %d %v", n, err)
	}
}

// TestAddPlanIndicatorsToDatabaseInService: a database in service made before the
// plan's indicators were seeded (the district, its own definition of one plan code
// with its own target) gets the others at start-up, marked as the plan's, without
// values, with the plan's targets; the district's own definition and target stay as
// they were; a second start adds nothing; a database without the district gets none.
func TestAddPlanIndicatorsToDatabaseInService(t *testing.T) {
	db := models.OpenTest(t)
	if err := seeds.Structure(db); err != nil {
		t.Fatal(err)
	}
	d := models.ActorFor(&models.User{Role: models.RoleDistrict, DistrictCode: seeds.DistrictCode, Name: "区"}, "127.0.0.1")
	code, name, kind, by, rollup, from := "ecommerce_village", "电商村（本区口径）", models.KindCount, models.EnteredByDistrict, models.RollupSum, 2024
	own, err := models.DefineIndicator(db, d, models.IndicatorInput{Code: &code, Name: &name, Kind: &kind, EnteredBy: &by, Rollup: &rollup, FromYear: &from})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := models.SetTarget(db, d, seeds.DistrictCode, code, 2026, 40, "本区目标"); err != nil {
		t.Fatal(err)
	}
	n, err := seeds.AddPlanIndicators(db)
	if want := len(seeds.PlanIndicators()) - 1; err != nil || n != want {
		t.Fatalf("added %d, want %d: %v", n, want, err)
	}
	list, err := models.ListIndicators(db, d, 0)
	if err != nil || len(list) != len(seeds.PlanIndicators()) {
		t.Fatalf("catalogue: %d %v", len(list), err)
	}
	for _, x := range list {
		if x.Code == code {
			if x.Plan || x.Name != name || x.Kind != kind || x.Version != own.Version || x.FromYear != 2024 {
				t.Fatalf("the district's own definition changed: %+v", x)
			}
			continue
		}
		if !x.Plan {
			t.Fatalf("%s is not marked as the plan's", x.Code)
		}
	}
	var values int64
	db.Model(&models.IndicatorValue{}).Count(&values)
	ts, err := models.ListTargets(db, d, models.TargetFilter{Indicator: code})
	if err != nil || values != 0 || len(ts) != 1 || ts[0].Value != 40 || ts[0].Year != 2026 {
		t.Fatalf("values %d; the district's targets of its own %s: %+v %v", values, code, ts, err)
	}
	if ts, err := models.ListTargets(db, d, models.TargetFilter{Indicator: "electrified_village", Year: 2027}); err != nil || len(ts) != 1 || ts[0].Value != 18 {
		t.Fatalf("a new plan indicator's target: %+v %v", ts, err)
	}
	var audits int64
	db.Model(&models.AuditEntry{}).Count(&audits)
	if n, err := seeds.AddPlanIndicators(db); err != nil || n != 0 {
		t.Fatalf("a second start added %d: %v", n, err)
	}
	var after int64
	db.Model(&models.AuditEntry{}).Count(&after)
	if after != audits {
		t.Fatal("a second start wrote to the audit log")
	}
	other := models.OpenTest(t)
	if _, err := seeds.Synthetic(other, 50, 1, nil); err != nil {
		t.Fatal(err)
	}
	if n, err := seeds.AddPlanIndicators(other); err != nil || n != 0 {
		t.Fatalf("a database without the district got %d: %v", n, err)
	}
}
