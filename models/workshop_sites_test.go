package models_test

import (
	"testing"
	"time"

	"cunji/models"
	"cunji/seeds"
)

// TestStreetWorkshops: a workshop in a 园区 is registered under its street by the
// street's officer (not a cadre, not another street's officer), counts at once in
// the street's and the district's figures and never in a village's or a village
// type's; the officer's changes count as entered; the district's star evaluations
// keep their history and the roll-up counts operating workshops by the star held at
// the year's end, as of an instant.
func TestStreetWorkshops(t *testing.T) {
	db, ac := setup(t)
	founded := day(2024, 3, 1)
	in := workshop("海门园区共富工坊", "运营", 30, 5)
	in.FoundedOn = &founded
	if _, err := models.CreateStreetWorkshop(db, ac["v1"], "园区", "海门工业园区", in); err != models.ErrForbidden {
		t.Fatalf("a cadre registers a street workshop: %v", err)
	}
	if _, err := models.CreateStreetWorkshop(db, ac["s1"], "村", "甲村", in); !isInvalid(err, "site") {
		t.Fatalf("a street workshop in a village: %v", err)
	}
	d, err := models.CreateStreetWorkshop(db, ac["s1"], "园区", "海门工业园区", in)
	if err != nil {
		t.Fatal(err)
	}
	id := d.Workshop.ID
	if d.Approved == nil || d.Open != nil || !d.Workshop.OfStreet() || *d.Workshop.StreetCode != "331002001" {
		t.Fatalf("registered: %+v", d)
	}
	// A village workshop beside it, operating since 2023.
	f23 := day(2023, 5, 1)
	vin := workshop("甲村竹编工坊", "运营", 10, 2)
	vin.FoundedOn = &f23
	vw, err := models.CreateWorkshop(db, ac["v1"], seeds.FixA1, vin)
	if err != nil {
		t.Fatal(err)
	}
	models.SubmitWorkshop(db, ac["v1"], vw.Workshop.ID, nil)
	if _, err := models.ApproveWorkshop(db, ac["s1"], vw.Workshop.ID, nil); err != nil {
		t.Fatal(err)
	}
	// Scope: the street's officer and the district see it; another street and a cadre do not.
	for who, want := range map[string]error{"s1": nil, "d": nil, "s2": models.ErrNotFound, "v1": models.ErrNotFound} {
		if _, err := models.GetWorkshop(db, ac[who], id); err != want {
			t.Errorf("%s reads the street workshop: %v, want %v", who, err, want)
		}
	}
	if _, err := models.SaveWorkshopDraft(db, ac["d"], id, in); err != models.ErrForbidden {
		t.Errorf("the district edits a street workshop: %v", err)
	}
	if _, err := models.SaveWorkshopDraft(db, ac["s1"], vw.Workshop.ID, in); err != models.ErrForbidden {
		t.Errorf("an officer edits a village workshop: %v", err)
	}
	rows, _ := models.ListWorkshops(db, ac["s2"], models.WorkshopFilter{})
	if len(rows) != 0 {
		t.Errorf("s2 lists %d workshops", len(rows))
	}
	rows, _ = models.ListWorkshops(db, ac["s1"], models.WorkshopFilter{})
	if len(rows) != 2 {
		t.Errorf("s1 lists %d workshops, want 2", len(rows))
	}
	check := func(label string, year int, at time.Time, street string, built, operating, employed int64, stars map[int]int64) {
		t.Helper()
		ru, err := models.ComputeRollup(db, ac["d"], street, year, at)
		if err != nil {
			t.Fatal(err)
		}
		if ru.WorkshopsBuilt != built || ru.Workshops != operating || ru.WorkshopEmployed != employed {
			t.Errorf("%s %d %q: built %d operating %d employed %d, want %d %d %d", label, year, street,
				ru.WorkshopsBuilt, ru.Workshops, ru.WorkshopEmployed, built, operating, employed)
		}
		for l, n := range stars {
			if ru.WorkshopsByStar[l] != n {
				t.Errorf("%s %d: %d-star %d, want %d (%v)", label, year, l, ru.WorkshopsByStar[l], n, ru.WorkshopsByStar)
			}
		}
		// Never in a village type's figures: the types add up to the villages' part.
		var typed int64
		for _, ty := range ru.ByType {
			typed += ty.WorkshopsBuilt
		}
		if street == "" && typed != built-1 && year >= 2024 {
			t.Errorf("%s %d: village types count %d workshops, want %d", label, year, typed, built-1)
		}
	}
	beforeStars := time.Now().UTC()
	time.Sleep(2 * time.Millisecond)
	check("no stars", 2024, time.Now(), "", 2, 2, 40, map[int]int64{0: 2})
	check("street", 2024, time.Now(), "331002001", 2, 2, 40, nil)
	check("other street", 2024, time.Now(), "331002002", 0, 0, 0, nil)
	check("before founding", 2023, time.Now(), "", 1, 1, 10, nil)
	// Star evaluations: 3 stars in Nov 2024, 4 stars in June 2025; the village one 2 stars in 2025.
	if _, err := models.SetWorkshopStar(db, ac["s1"], id, 3, "2024-11-01"); err != models.ErrForbidden {
		t.Fatalf("an officer evaluates: %v", err)
	}
	for _, e := range []struct {
		id    uint
		level int
		on    string
	}{{id, 3, "2024-11-01"}, {id, 4, "2025-06-01"}, {vw.Workshop.ID, 2, "2025-02-01"}} {
		if _, err := models.SetWorkshopStar(db, ac["d"], e.id, e.level, e.on); err != nil {
			t.Fatal(err)
		}
	}
	check("stars 2024", 2024, time.Now(), "", 2, 2, 40, map[int]int64{0: 1, 3: 1})
	check("stars 2025", 2025, time.Now(), "", 2, 2, 40, map[int]int64{2: 1, 4: 1, 3: 0})
	check("stars as of before", 2025, beforeStars, "", 2, 2, 40, map[int]int64{0: 2})
	hist, _ := models.WorkshopStars(db, id)
	if len(hist) != 2 || hist[0].Level != 3 || hist[1].Level != 4 {
		t.Errorf("star history %+v", hist)
	}
	// The officer's change counts at once: closed in 2025.
	closed, state := day(2025, 9, 30), "停运"
	d, _ = models.GetWorkshop(db, ac["s1"], id)
	if _, err := models.SaveWorkshopDraft(db, ac["s1"], id, models.WorkshopInput{State: &state, ClosedOn: &closed, Version: d.Approved.Version}); err != nil {
		t.Fatal(err)
	}
	check("closed", 2025, time.Now(), "", 2, 1, 10, nil)
	check("closed, 2024 unchanged", 2024, time.Now(), "", 2, 2, 40, nil)
}
