package models_test

import (
	"testing"
	"time"

	"cunji/models"
	"cunji/seeds"
)

// TestWorkshopDates: built by Y counts workshops founded by the end of Y whatever
// their state now (one entered today, built in 2022, counts in 2024); operating at
// the end of Y those founded and not closed by then; an undated 筹建 is not built.
func TestWorkshopDates(t *testing.T) {
	db, ac := setup(t)
	register := func(name, state string, founded, closed *time.Time) uint {
		t.Helper()
		in := workshop(name, state, 10, 2)
		in.FoundedOn, in.ClosedOn = founded, closed
		d, err := models.CreateWorkshop(db, ac["v1"], seeds.FixA1, in)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := models.SubmitWorkshop(db, ac["v1"], d.Workshop.ID, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := models.ApproveWorkshop(db, ac["s1"], d.Workshop.ID, nil); err != nil {
			t.Fatal(err)
		}
		return d.Workshop.ID
	}
	f22, f25 := day(2022, 6, 1), day(2025, 3, 1)
	c25 := day(2025, 9, 30)
	register("老工坊", "运营", &f22, nil)
	register("停了的工坊", "停运", &f22, &c25)
	register("新工坊", "运营", &f25, nil)
	register("筹建中的工坊", "筹建", nil, nil)
	check := func(year int, built, operating, employed int64) {
		t.Helper()
		ru, err := models.ComputeRollup(db, ac["d"], "", year, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if ru.WorkshopsBuilt != built || ru.Workshops != operating || ru.WorkshopEmployed != employed {
			t.Errorf("%d: built %d operating %d employed %d; want %d %d %d", year, ru.WorkshopsBuilt, ru.Workshops, ru.WorkshopEmployed, built, operating, employed)
		}
		base, _ := models.BaselineRollup(db, seeds.DistrictCode, year, time.Now(), false)
		if base.WorkshopsBuilt != built || base.Workshops != operating {
			t.Errorf("%d recount: %+v", year, base)
		}
	}
	check(2024, 2, 2, 20)
	check(2025, 3, 2, 20) // the stopped one closed in September 2025
	// Dates are checked: closed before founded, a stopped one without a closing date.
	bad := workshop("x", "停运", 1, 0)
	bad.FoundedOn = &f25
	if _, err := models.CreateWorkshop(db, ac["v1"], seeds.FixA1, bad); !isInvalid(err, "closed_on") {
		t.Errorf("停运 without a date: %v", err)
	}
	early := day(2024, 1, 1)
	bad.ClosedOn = &early
	if _, err := models.CreateWorkshop(db, ac["v1"], seeds.FixA1, bad); !isInvalid(err, "closed_on") {
		t.Errorf("closed before founded: %v", err)
	}
}
