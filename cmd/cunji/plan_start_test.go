package main

import (
	"testing"

	"cunji/models"
	"cunji/seeds"
)

// TestStartAddsPlanIndicators: a database in service from before the plan's
// indicators were seeded (the district and its streets only) gets them when cunji
// starts on it, marked as the plan's; a second start adds nothing.
func TestStartAddsPlanIndicators(t *testing.T) {
	db := models.OpenTest(t)
	if err := seeds.Structure(db); err != nil {
		t.Fatal(err)
	}
	count := func() (n int64) {
		db.Model(&models.Indicator{}).Where("plan").Count(&n)
		return n
	}
	if count() != 0 {
		t.Fatal("the fixture already has the plan's indicators")
	}
	for range 2 {
		if err := seedIfEmpty(db, false); err != nil {
			t.Fatal(err)
		}
		if n := count(); n != int64(len(seeds.PlanIndicators())) {
			t.Fatalf("after start-up: %d plan indicators", n)
		}
	}
}
