package models_test

import (
	"errors"
	"testing"
	"time"

	"cunji/models"
	"cunji/seeds"
)

// TestCompanyHistory: dissolving and restoring append to the company's history, so
// an answer as of an instant between them stays what it was.
func TestCompanyHistory(t *testing.T) {
	db, ac := setup(t)
	c, err := models.CreateCompany(db, ac["d"], company("甲村强村公司", "91350100M000100Y43"),
		[]models.MemberInput{{seeds.FixA1, pct(60), 2023, nil}})
	if err != nil {
		t.Fatal(err)
	}
	count := func(at time.Time) int64 {
		t.Helper()
		ru, err := models.ComputeRollup(db, ac["d"], "", 2025, at)
		if err != nil {
			t.Fatal(err)
		}
		base, _ := models.BaselineRollup(db, seeds.DistrictCode, 2025, at, false)
		if base.Companies != ru.Companies {
			t.Fatalf("recount %d, roll-up %d", base.Companies, ru.Companies)
		}
		return ru.Companies
	}
	pause := func() time.Time {
		time.Sleep(2 * time.Millisecond)
		at := time.Now().UTC()
		time.Sleep(2 * time.Millisecond)
		return at
	}
	t0 := pause()
	if _, err := models.SetCompanyStatus(db, ac["d"], c.ID, models.CompanyDissolved, day(2025, 6, 1)); err != nil {
		t.Fatal(err)
	}
	if _, err := models.SetCompanyStatus(db, ac["d"], c.ID, models.CompanyDissolved, day(2025, 6, 2)); !isConflict(err) {
		t.Errorf("dissolving twice: %v", err)
	}
	t1 := pause()
	if _, err := models.SetCompanyStatus(db, ac["d"], c.ID, models.CompanyRestored, day(2025, 8, 1)); err != nil {
		t.Fatal(err)
	}
	t2 := pause()
	if got := []int64{count(t0), count(t1), count(t2), count(time.Now())}; got[0] != 1 || got[1] != 0 || got[2] != 1 || got[3] != 1 {
		t.Errorf("companies as of before, dissolved, restored, now: %v", got)
	}
	// Through the edit form's flag, too: it appends, the dissolved instant stays.
	d, _ := models.GetCompany(db, ac["d"], c.ID)
	in := company("甲村强村公司", "91350100M000100Y43")
	in.Dissolved, in.Version = true, d.Company.Version
	if _, err := models.UpdateCompany(db, ac["d"], c.ID, in); err != nil {
		t.Fatal(err)
	}
	t3 := pause()
	if got := []int64{count(t1), count(t2), count(t3)}; got[0] != 0 || got[1] != 1 || got[2] != 0 {
		t.Errorf("after the edit form dissolves: %v", got)
	}
	if _, err := models.SetCompanyStatus(db, ac["v1"], c.ID, models.CompanyRestored, day(2025, 9, 1)); !errors.Is(err, models.ErrForbidden) && !errors.Is(err, models.ErrNotFound) {
		t.Errorf("a cadre restores: %v", err)
	}
}

// TestMembershipNotBeforeFounding: a village cannot hold a share from a year before
// the company was founded.
func TestMembershipNotBeforeFounding(t *testing.T) {
	db, ac := setup(t)
	in := company("甲村强村公司", "91350100M000100Y43")
	in.FoundedOn = "2024-05-01"
	if _, err := models.CreateCompany(db, ac["d"], in, []models.MemberInput{{seeds.FixA1, pct(60), 2023, nil}}); !isInvalid(err, "members[0].years") {
		t.Errorf("a member from 2023 of a company founded in 2024: %v", err)
	}
	c, err := models.CreateCompany(db, ac["d"], in, []models.MemberInput{{seeds.FixA1, pct(60), 2024, nil}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := models.SetMembers(db, ac["d"], c.ID, c.Version, []models.MemberInput{{seeds.FixA2, pct(10), 2023, nil}}); !isInvalid(err, "members[0].years") {
		t.Errorf("a new member list from before the founding: %v", err)
	}
}
