package models_test

import (
	"encoding/json"
	"testing"
	"time"

	"cunji/models"
	"cunji/seeds"
)

// TestPastAnswerNeverChanges: the whole roll-up and ranking as of a past instant,
// pending figures included, stay the same across later approvals, corrections,
// submissions, target assignments (by hand and from a 分解下达 sheet), a new yellow
// band, titles (by hand and from a naming list), a workshop's star evaluation and a
// street's own workshop.
func TestPastAnswerNeverChanges(t *testing.T) {
	db, ac := setup(t)
	closeYears(t, db, ac["d"], 2025)
	approved(t, db, ac["v1"], ac["s1"], seeds.FixA1, 2025, op(60_000_000))
	drafted(t, db, ac["v2"], seeds.FixA2, 2025, op(55_000_000))
	if _, err := models.Submit(db, ac["v2"], seeds.FixA2, 2025, nil); err != nil {
		t.Fatal(err)
	}
	drafted(t, db, ac["v4"], seeds.FixB1, 2025, op(10_000_000))
	if _, err := models.SetTarget(db, ac["d"], seeds.DistrictCode, models.IndIncome50w, 2025, 5000, ""); err != nil {
		t.Fatal(err)
	}
	// A village's workshop operating since 2024, approved before T.
	f24 := time.Date(2024, 5, 1, 0, 0, 0, 0, models.Shanghai)
	win := workshop("甲村竹编工坊", "运营", 12, 3)
	win.FoundedOn = &f24
	shop, err := models.CreateWorkshop(db, ac["v1"], seeds.FixA1, win)
	if err != nil {
		t.Fatal(err)
	}
	models.SubmitWorkshop(db, ac["v1"], shop.Workshop.ID, nil)
	if _, err := models.ApproveWorkshop(db, ac["s1"], shop.Workshop.ID, nil); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Millisecond)
	at := time.Now().UTC()
	time.Sleep(2 * time.Millisecond)
	answer := func() string {
		t.Helper()
		ru, err := models.ComputeRollup(db, ac["d"], "", 2025, at)
		if err != nil {
			t.Fatal(err)
		}
		rk, err := models.ComputeRanking(db, ac["d"], 2025, models.IndIncome50w, at)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal([]any{ru, rk})
		return string(b)
	}
	want := answer()
	ru, _ := models.ComputeRollup(db, ac["d"], "", 2025, at)
	if ru.Pending.Submitted != 1 || ru.Pending.Draft != 1 {
		t.Fatalf("pending at T: %+v", ru.Pending)
	}
	steps := []struct {
		name string
		do   func() error
	}{
		{"approve the submitted", func() error { _, err := models.Approve(db, ac["s1"], seeds.FixA2, 2025, nil); return err }},
		{"submit the draft", func() error { _, err := models.Submit(db, ac["v4"], seeds.FixB1, 2025, nil); return err }},
		{"reject it", func() error {
			_, err := models.Reject(db, ac["s2"], seeds.FixB1, 2025, nil, "数据有误")
			return err
		}},
		{"a correction approved", func() error {
			approved(t, db, ac["v1"], ac["s1"], seeds.FixA1, 2025, op(40_000_000))
			return nil
		}},
		{"a new target", func() error {
			_, err := models.SetTarget(db, ac["d"], seeds.DistrictCode, models.IndIncome50w, 2025, 9000, "")
			return err
		}},
		{"a street's own target", func() error {
			_, err := models.SetTarget(db, ac["d"], "331002002", models.IndIncome50w, 2025, 0, "")
			return err
		}},
		{"a new yellow band", func() error { return models.SetYellowBand(db, ac["d"], 9000) }},
		{"a title named in 2025 and revoked", func() error {
			e, err := models.NameTitle(db, ac["d"], models.TitleInput{VillageCode: seeds.FixA2, Title: models.TitleStar, Level: 1,
				Year: 2025, NamedOn: time.Date(2025, 12, 1, 0, 0, 0, 0, models.Shanghai), DocumentNo: "椒〔2025〕1号"})
			if err != nil {
				return err
			}
			_, err = models.RevokeTitle(db, ac["d"], e.ID, time.Date(2025, 12, 20, 0, 0, 0, 0, models.Shanghai), "复核")
			return err
		}},
		{"a workshop's star evaluated", func() error {
			_, err := models.SetWorkshopStar(db, ac["d"], shop.Workshop.ID, 4, "2025-03-01")
			return err
		}},
		{"a street's own workshop registered", func() error {
			_, err := models.CreateStreetWorkshop(db, ac["s1"], "园区", "海门工业园区", win)
			return err
		}},
		{"a naming list imported", func() error {
			_, err := models.ImportTitles(db, ac["d"], sheet("村代码,称号,星级,年度,命名日期,文号",
				seeds.FixB1+",和美乡村,,2025,2025-11-30,椒〔2025〕2号"), false)
			return err
		}},
		{"a target sheet imported", func() error {
			_, err := models.ImportTargets(db, ac["d"], sheet("范围,年度,指标,目标值", "全区,2025,income_50w,70%",
				"海门街道,2025,income_50w,20%"), false)
			return err
		}},
		{"the year closed", func() error { _, err := models.CloseYear(db, ac["d"], 2026); return err }},
		{"a new draft", func() error { drafted(t, db, ac["v2"], seeds.FixA2, 2025, op(1)); return nil }},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if got := answer(); got != want {
			t.Fatalf("after %s the answer as of T changed:\n%s\nwas\n%s", s.name, got, want)
		}
	}
	// The changes did land: now the year counts both workshops, one with 4 stars.
	if now, _ := models.ComputeRollup(db, ac["d"], "", 2025, time.Now()); now.Workshops != 2 || now.WorkshopsByStar[4] != 1 {
		t.Errorf("now: %d workshops, by star %v", now.Workshops, now.WorkshopsByStar)
	}
}

// TestRankingNeverNull: a ranking without streets answers an empty list.
func TestRankingNeverNull(t *testing.T) {
	db, ac := setup(t)
	// Before any village existed.
	rk, err := models.ComputeRanking(db, ac["d"], 2027, models.IndIncome50w, models.SeedEpoch.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(rk)
	var m map[string]any
	json.Unmarshal(b, &m)
	if l, ok := m["streets"].([]any); !ok || len(l) != 0 {
		t.Errorf("streets = %v", m["streets"])
	}
}
