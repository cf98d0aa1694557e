package models_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"cunji/models"
	"cunji/seeds"
)

func day(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, models.Shanghai) }

// TestTitleRegister: titles are named by the district; the roll-up counts the
// titles held at the end of the year (as of an instant) and the namings of the year
// by level; a revocation is a later entry; a cadre cannot type a title.
func TestTitleRegister(t *testing.T) {
	db, ac := setup(t)
	name := func(code, title string, level, year int, on time.Time) *models.TitleEntry {
		t.Helper()
		e, err := models.NameTitle(db, ac["d"], models.TitleInput{VillageCode: code, Title: title, Level: level, Year: year,
			NamedOn: on, DocumentNo: "椒政办〔" + on.Format("2006") + "〕号"})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	// 甲村: one star in 2023, three stars in 2024; 乙村: one star in 2023; 丁村 和美 2024.
	name(seeds.FixA1, models.TitleStar, 1, 2023, day(2023, 12, 10))
	three := name(seeds.FixA1, models.TitleStar, 3, 2024, day(2024, 12, 10))
	name(seeds.FixA2, models.TitleStar, 1, 2023, day(2023, 12, 10))
	name(seeds.FixB1, models.TitleHemei, 0, 2024, day(2024, 6, 1))
	before := time.Now().UTC()
	time.Sleep(2 * time.Millisecond)

	type want struct {
		rated, l1, l3, new1, new3, hemei, hemeiNew int64
	}
	check := func(year int, at time.Time, w want) {
		t.Helper()
		ru, err := models.ComputeRollup(db, ac["d"], "", year, at)
		if err != nil {
			t.Fatal(err)
		}
		got := want{ru.Star.Rated, ru.Star.ByLevel[1], ru.Star.ByLevel[3], ru.Star.NewByLevel[1], ru.Star.NewByLevel[3], ru.Hemei.Count, ru.Hemei.New}
		if got != w {
			t.Errorf("%d as of %s: %+v, want %+v", year, at.Format(time.RFC3339Nano), got, w)
		}
	}
	check(2023, time.Now(), want{rated: 2, l1: 2, new1: 2})
	check(2024, time.Now(), want{rated: 2, l1: 1, l3: 1, new3: 1, hemei: 1, hemeiNew: 1})
	check(2025, time.Now(), want{rated: 2, l1: 1, l3: 1, hemei: 1}) // titles held carry on
	// The three stars are revoked in March 2025: 2024 keeps them, 2025 falls back
	// to the one-star naming still in force.
	if _, err := models.RevokeTitle(db, ac["d"], three.ID, day(2025, 3, 1), "复核未通过"); err != nil {
		t.Fatal(err)
	}
	if _, err := models.RevokeTitle(db, ac["d"], three.ID, day(2025, 3, 2), "再次"); !isConflict(err) {
		t.Errorf("revoking twice: %v", err)
	}
	check(2024, time.Now(), want{rated: 2, l1: 1, l3: 1, new3: 1, hemei: 1, hemeiNew: 1})
	check(2025, time.Now(), want{rated: 2, l1: 2, hemei: 1})
	// As of before the revocation was recorded, the answer is what it was.
	check(2025, before, want{rated: 2, l1: 1, l3: 1, hemei: 1})

	// Nobody but the district names; bad namings are 422.
	if _, err := models.NameTitle(db, ac["s1"], models.TitleInput{VillageCode: seeds.FixA1, Title: models.TitleStar, Level: 1, Year: 2025, NamedOn: day(2025, 1, 1), DocumentNo: "x"}); !errors.Is(err, models.ErrForbidden) {
		t.Errorf("a street names: %v", err)
	}
	for _, in := range []models.TitleInput{
		{VillageCode: seeds.FixA1, Title: models.TitleStar, Level: 4, Year: 2025, NamedOn: day(2025, 1, 1), DocumentNo: "x"},
		{VillageCode: seeds.FixA1, Title: "五好村", Level: 1, Year: 2025, NamedOn: day(2025, 1, 1), DocumentNo: "x"},
		{VillageCode: seeds.FixA1, Title: models.TitleHemei, Level: 0, Year: 2025, NamedOn: day(2025, 1, 1)},
		{VillageCode: seeds.FixA3, Title: models.TitleHemei, Level: 0, Year: 2026, NamedOn: day(2026, 1, 1), DocumentNo: "x"},
	} {
		if _, err := models.NameTitle(db, ac["d"], in); err == nil {
			t.Errorf("%+v accepted", in)
		} else if _, ok := err.(*models.ValidationError); !ok {
			t.Errorf("%+v: %v (%T)", in, err, err)
		}
	}

	// The cadre's report shows the titles held, read-only: sending another value is
	// refused with a message naming who names titles; the same value passes.
	rep, err := models.GetReport(db, ac["v1"], seeds.FixA1, 2025)
	if err != nil || rep.Titles.Star != 1 || rep.Titles.Hemei {
		t.Fatalf("titles held in the report: %+v %v", rep.Titles, err)
	}
	three3 := 3
	_, err = models.SaveDraft(db, ac["v1"], seeds.FixA1, 2025, models.ReportInput{StarRating: &three3})
	var verr *models.ValidationError
	if !errors.As(err, &verr) || !strings.Contains(verr.Fields["star_rating"], "区里") {
		t.Errorf("a cadre types three stars: %v", err)
	}
	one, no := 1, false
	if d, err := models.SaveDraft(db, ac["v1"], seeds.FixA1, 2025, models.ReportInput{StarRating: &one, HemeiBuilt: &no}); err != nil || d.StarRating != 1 {
		t.Errorf("the held values: %v", err)
	}
	list, _ := models.ListTitles(db, ac["s1"], models.TitleFilter{Village: seeds.FixA1})
	b, _ := json.Marshal(list)
	if len(list) != 3 || !strings.Contains(string(b), "复核未通过") {
		t.Errorf("甲村's register: %s", b)
	}
	if list, _ := models.ListTitles(db, ac["s2"], models.TitleFilter{Village: seeds.FixA1}); len(list) != 0 {
		t.Errorf("白云's officer sees 甲村's titles: %v", list)
	}
}
