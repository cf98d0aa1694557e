package models_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"cunji/models"
	"cunji/seeds"
)

func TestCreditCode(t *testing.T) {
	cases := []struct {
		code string
		want error
	}{
		{"91350100M000100Y43", nil}, // the standard's published example
		{"91110108551385082Q", nil},
		{"91350100M000100Y44", models.ErrCreditCheck}, // wrong check character
		{"91350100M000100Y4", models.ErrCreditLength},
		{"91350100M000100Y430", models.ErrCreditLength},
		{"91350100M0001O0Y43", models.ErrCreditChar}, // O is not allowed
		{"91350100M0001I0Y43", models.ErrCreditChar}, // I is not allowed
		{"91350100M000100Y4Z", models.ErrCreditChar}, // nor Z as check character
		{"91350100m000100y43", models.ErrCreditChar}, // lower case as stored
		{"", models.ErrCreditLength},
	}
	for _, tc := range cases {
		if got := models.CheckCreditCode(tc.code); got != tc.want {
			t.Errorf("%q: %v, want %v", tc.code, got, tc.want)
		}
	}
	// As typed, lower case and spaces are normalised first.
	if err := models.CheckCreditCode(models.NormalizeCreditCode(" 91350100m000100y43 ")); err != nil {
		t.Errorf("normalised: %v", err)
	}
}

func company(name, code string) models.CompanyInput {
	return models.CompanyInput{Name: name, CreditCode: code, Model: "资产经营型", FoundedOn: "2023-03-01", RegisteredCapitalFen: 100_000_000}
}

func pct(p int64) int64 { return p * 10_000 } // percent → millionths

func TestCompanyMembersAndDividends(t *testing.T) {
	db, ac := setup(t)
	until := 2024
	cases := []struct {
		name    string
		members []models.MemberInput
		ok      bool
	}{
		{"exactly 100%", []models.MemberInput{{seeds.FixA1, pct(40), 2023, nil}, {seeds.FixA2, pct(60), 2023, nil}}, true},
		{"over 100%", []models.MemberInput{{seeds.FixA1, pct(40), 2023, nil}, {seeds.FixA2, pct(60) + 1, 2023, nil}}, false},
		{"over 100% only from 2025", []models.MemberInput{{seeds.FixA1, pct(50), 2023, nil}, {seeds.FixA2, pct(50), 2023, nil}, {seeds.FixB1, pct(10), 2025, nil}}, false},
		{"a member leaves, another joins", []models.MemberInput{{seeds.FixA1, pct(60), 2023, &until}, {seeds.FixB1, pct(60), 2025, nil}, {seeds.FixA2, pct(40), 2023, nil}}, true},
		{"zero share", []models.MemberInput{{seeds.FixA1, 0, 2023, nil}}, false},
		{"unknown village", []models.MemberInput{{"331002009999", pct(10), 2023, nil}}, false},
		{"same village twice", []models.MemberInput{{seeds.FixA1, pct(10), 2023, nil}, {seeds.FixA1, pct(10), 2024, nil}}, false},
	}
	codes := []string{"91350100M000100Y43", "91110108551385082Q"}
	n := 0
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := snapshot(t, db)
			if !tc.ok {
				if _, err := models.CreateCompany(db, ac["d"], company("甲乙联合公司", codes[n%2]), tc.members); !isInvalid(err, "members") &&
					!isInvalid(err, "members[0].share") && !isInvalid(err, "members[0].village_code") && !isInvalid(err, "members[1].village_code") {
					t.Fatalf("got %v", err)
				}
				if snapshot(t, db) != before {
					t.Fatal("state changed")
				}
				return
			}
			if n >= len(codes) {
				t.Skip("no more valid codes")
			}
			if _, err := models.CreateCompany(db, ac["d"], company("甲乙联合公司", codes[n]), tc.members); err != nil {
				t.Fatal(err)
			}
			n++
		})
	}
	// The same credit code twice is refused.
	if _, err := models.CreateCompany(db, ac["d"], company("重复", codes[0]), nil); !isInvalid(err, "credit_code") {
		t.Fatalf("duplicate credit code: %v", err)
	}
	if _, err := models.CreateCompany(db, ac["d"], company("坏码", "91350100M000100Y44"), nil); !isInvalid(err, "credit_code") {
		t.Fatalf("bad check character: %v", err)
	}
	// A street officer registers only companies of its own villages.
	if _, err := models.CreateCompany(db, ac["s1"], company("跨街道", "91110108551385082Q"), []models.MemberInput{{seeds.FixB1, pct(10), 2023, nil}}); !isInvalid(err, "members[0].village_code") {
		t.Fatalf("street officer naming another street's village: %v", err)
	}
	if _, err := models.CreateCompany(db, ac["v1"], company("村里", "91110108551385082Q"), nil); !errors.Is(err, models.ErrForbidden) {
		t.Fatalf("cadre registers a company: %v", err)
	}
	list, _ := models.ListCompanies(db, ac["d"], models.CompanyFilter{})
	first := list[0].ID
	// Dividends: at most the profit unless a reason is given; members only.
	divs := []models.DividendInput{{seeds.FixA1, 30_000_000}, {seeds.FixA2, 30_000_000}}
	if _, err := models.SetCompanyYear(db, ac["d"], first, 2025, 500_000_000, 50_000_000, divs, ""); !isInvalid(err, "reason") {
		t.Fatalf("dividends over profit without a reason: %v", err)
	}
	if _, err := models.SetCompanyYear(db, ac["d"], first, 2025, 500_000_000, 60_000_000, divs, ""); err != nil {
		t.Fatalf("dividends equal to profit: %v", err)
	}
	if _, err := models.SetCompanyYear(db, ac["d"], first, 2025, 500_000_000, 50_000_000, divs, "动用以前年度未分配利润"); err != nil {
		t.Fatalf("dividends over profit with a reason: %v", err)
	}
	if _, err := models.SetCompanyYear(db, ac["d"], first, 2025, 1, 1, []models.DividendInput{{seeds.FixB1, 1}}, ""); !isInvalid(err, "dividends[0].village_code") {
		t.Fatalf("dividend to a non-member: %v", err)
	}
	d, _ := models.GetCompany(db, ac["d"], first)
	if len(d.Years) != 1 || d.Years[0].ProfitFen != 50_000_000 || len(d.Dividends) != 2 {
		t.Fatalf("company year = %+v, dividends %+v", d.Years, d.Dividends)
	}
	// Stale version on the member list.
	if _, err := models.SetMembers(db, ac["d"], first, d.Company.Version+5, nil); !isConflict(err) {
		t.Fatalf("stale member list: %v", err)
	}
	// Scoping: 白云's officer does not see a 海门-only company; 甲村's cadre does.
	if _, err := models.GetCompany(db, ac["s2"], first); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("other street: %v", err)
	}
	if _, err := models.GetCompany(db, ac["v1"], first); err != nil {
		t.Fatalf("member village: %v", err)
	}
	if _, err := models.GetCompany(db, ac["v4"], first); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("non-member village: %v", err)
	}
}

func workshop(name, state string, employed, low int) models.WorkshopInput {
	typ := "来料加工"
	return models.WorkshopInput{Name: &name, Type: &typ, State: &state, Employed: &employed, LowIncomeEmployed: &low}
}

func TestWorkshopWorkflowAndScope(t *testing.T) {
	db, ac := setup(t)
	d, err := models.CreateWorkshop(db, ac["v1"], seeds.FixA1, workshop("甲村竹编工坊", "运营", 12, 3))
	if err != nil {
		t.Fatal(err)
	}
	id := d.Workshop.ID
	if d.Open == nil || d.Open.Status != models.StatusDraft {
		t.Fatalf("new workshop: %+v", d)
	}
	steps := []struct {
		name string
		do   func() error
		want func(error) bool
	}{
		{"another village's cadre edits", func() error {
			_, err := models.SaveWorkshopDraft(db, ac["v2"], id, models.WorkshopInput{Version: 1})
			return err
		},
			func(e error) bool { return errors.Is(e, models.ErrNotFound) }},
		{"another village's cadre registers here", func() error {
			_, err := models.CreateWorkshop(db, ac["v2"], seeds.FixA1, workshop("x", "运营", 1, 0))
			return err
		}, func(e error) bool { return errors.Is(e, models.ErrNotFound) }},
		{"low income above employed", func() error {
			n := 99
			_, err := models.SaveWorkshopDraft(db, ac["v1"], id, models.WorkshopInput{Version: 1, LowIncomeEmployed: &n})
			return err
		}, func(e error) bool { return isInvalid(e, "low_income_employed") }},
		{"unknown state", func() error {
			s := "倒闭"
			_, err := models.SaveWorkshopDraft(db, ac["v1"], id, models.WorkshopInput{Version: 1, State: &s})
			return err
		}, func(e error) bool { return isInvalid(e, "state") }},
		{"approve a draft", func() error { _, err := models.ApproveWorkshop(db, ac["s1"], id, nil); return err }, isConflict},
		{"officer submits", func() error { _, err := models.SubmitWorkshop(db, ac["s1"], id, nil); return err },
			func(e error) bool { return errors.Is(e, models.ErrForbidden) }},
		{"star by the street", func() error { _, err := models.SetWorkshopStar(db, ac["s1"], id, 3, "2026-01-05"); return err },
			func(e error) bool { return errors.Is(e, models.ErrForbidden) }},
		{"star by the cadre", func() error { _, err := models.SetWorkshopStar(db, ac["v1"], id, 3, "2026-01-05"); return err },
			func(e error) bool { return errors.Is(e, models.ErrForbidden) }},
		{"star 6", func() error { _, err := models.SetWorkshopStar(db, ac["d"], id, 6, "2026-01-05"); return err },
			func(e error) bool { return isInvalid(e, "star_level") }},
		{"star without a date", func() error { _, err := models.SetWorkshopStar(db, ac["d"], id, 3, ""); return err },
			func(e error) bool { return isInvalid(e, "evaluated_on") }},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			before := snapshot(t, db)
			if err := s.do(); !s.want(err) {
				t.Fatalf("got %v", err)
			}
			if snapshot(t, db) != before {
				t.Fatal("state changed")
			}
		})
	}
	if _, err := models.SubmitWorkshop(db, ac["v1"], id, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := models.ApproveWorkshop(db, ac["s2"], id, nil); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("another street's officer approves: %v", err)
	}
	if _, err := models.RejectWorkshop(db, ac["s1"], id, nil, ""); !isInvalid(err, "reason") {
		t.Fatalf("reject without reason: %v", err)
	}
	if _, err := models.ApproveWorkshop(db, ac["s1"], id, nil); err != nil {
		t.Fatal(err)
	}
	w, err := models.SetWorkshopStar(db, ac["d"], id, 4, "2026-01-05")
	if err != nil || w.StarLevel != 4 {
		t.Fatalf("star by the district: %+v %v", w, err)
	}
	// A change: pre-filled from the approved version, rejected, then the approved
	// version still counts.
	emp := 40
	c, err := models.SaveWorkshopDraft(db, ac["v1"], id, models.WorkshopInput{Employed: &emp})
	if err != nil || c.Name != "甲村竹编工坊" || c.Seq != 2 {
		t.Fatalf("change: %+v %v", c, err)
	}
	models.SubmitWorkshop(db, ac["v1"], id, nil)
	if _, err := models.RejectWorkshop(db, ac["s1"], id, nil, "人数无依据"); err != nil {
		t.Fatal(err)
	}
	d, _ = models.GetWorkshop(db, ac["d"], id)
	if d.Approved.Employed != 12 || d.Open != nil {
		t.Fatalf("after rejection: approved %+v open %+v", d.Approved, d.Open)
	}
}

// TestRegistryRollup checks the company and workshop figures against a fixture:
//
//	C1: 甲村 (海门) 50%, 丁村 (白云) 50%, from 2023.
//	C2: 乙村 (海门) 100% from 2025.
//	W1: 甲村, 运营, 10 employed (2 low-income), approved (this year).
//	W2: 乙村, 筹建, 7 employed, approved: not operating.
//	W3: 丁村, 运营, 5 employed, submitted only: not approved.
func TestRegistryRollup(t *testing.T) {
	db, ac := setup(t)
	if _, err := models.CreateCompany(db, ac["d"], company("一号", "91350100M000100Y43"),
		[]models.MemberInput{{seeds.FixA1, pct(50), 2023, nil}, {seeds.FixB1, pct(50), 2023, nil}}); err != nil {
		t.Fatal(err)
	}
	c2, err := models.CreateCompany(db, ac["d"], company("二号", "91110108551385082Q"), []models.MemberInput{{seeds.FixA2, pct(100), 2025, nil}})
	if err != nil {
		t.Fatal(err)
	}
	mk := func(cadre, officer, code, state string, employed, low int, approve bool) {
		d, err := models.CreateWorkshop(db, ac[cadre], code, workshop(code+"工坊", state, employed, low))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := models.SubmitWorkshop(db, ac[cadre], d.Workshop.ID, nil); err != nil {
			t.Fatal(err)
		}
		if approve {
			if _, err := models.ApproveWorkshop(db, ac[officer], d.Workshop.ID, nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	mk("v1", "s1", seeds.FixA1, "运营", 10, 2, true)
	mk("v2", "s1", seeds.FixA2, "筹建", 7, 0, true)
	mk("v4", "s2", seeds.FixB1, "运营", 5, 1, false)
	check := func(name string, got, want int64) {
		t.Helper()
		if got != want {
			t.Errorf("%s = %d, want %d", name, got, want)
		}
	}
	now := time.Now()
	// Workshops count for the year they were approved in (now, 2026 or later).
	year := models.CurrentYear()
	if last, err := models.LastYear(db); err != nil {
		t.Fatal(err)
	} else if year > last {
		if err := models.SetLastYear(db, ac["d"], year); err != nil {
			t.Fatal(err)
		}
	}
	ru, err := models.ComputeRollup(db, ac["d"], "", year, now)
	if err != nil {
		t.Fatal(err)
	}
	check("companies", ru.Companies, 2)
	check("member villages", ru.MemberVillages, 3)
	check("workshops", ru.Workshops, 1)
	check("employed", ru.WorkshopEmployed, 10)
	check("low income", ru.WorkshopLowIncomeEmployed, 2)
	check("海门 companies", ru.ByStreet[0].Companies, 2)
	check("海门 members", ru.ByStreet[0].MemberVillages, 2)
	check("白云 companies", ru.ByStreet[1].Companies, 1)
	check("白云 workshops", ru.ByStreet[1].Workshops, 0)
	// 强村公司 ≥ 5 is assigned for every year; the workshop lines for 2024 only
	// (nothing is carried to later years).
	if ru.CompaniesTarget == nil || *ru.CompaniesTarget != 5 || ru.WorkshopsTarget != nil || ru.WorkshopEmployedTarget != nil {
		t.Errorf("targets: %v %v %v", ru.CompaniesTarget, ru.WorkshopsTarget, ru.WorkshopEmployedTarget)
	}
	r24, _ := models.ComputeRollup(db, ac["d"], "", 2024, now)
	if r24.WorkshopsTarget == nil || *r24.WorkshopsTarget != 100 || *r24.WorkshopEmployedTarget != 2300 {
		t.Errorf("2024 targets: %v %v", r24.WorkshopsTarget, r24.WorkshopEmployedTarget)
	}
	check("2024 companies (C2 joins 2025)", r24.Companies, 1)
	check("2024 member villages", r24.MemberVillages, 2)
	// The street sees its own: 海门 has both companies through 甲村 and 乙村.
	st, _ := models.ComputeRollup(db, ac["s1"], "", year, now)
	r25, _ := models.ComputeRollup(db, ac["d"], "", year-1, now)
	check("workshops approved this year do not count for last year", r25.Workshops, 0)
	check("street companies", st.Companies, 2)
	check("street workshops", st.Workshops, 1)
	// Membership over time: C2's members replaced; as of before, the old list counts.
	time.Sleep(2 * time.Millisecond)
	t0 := time.Now()
	time.Sleep(2 * time.Millisecond)
	if _, err := models.SetMembers(db, ac["d"], c2.ID, c2.Version, []models.MemberInput{{seeds.FixB1, pct(30), 2025, nil}}); err != nil {
		t.Fatal(err)
	}
	after, _ := models.ComputeRollup(db, ac["d"], "", year, time.Now())
	check("members after replacement", after.MemberVillages, 2) // 甲, 丁
	then, _ := models.ComputeRollup(db, ac["d"], "", year, t0)
	check("members as of before", then.MemberVillages, 3)
	// A dissolved company stops counting.
	in := company("二号", "91110108551385082Q")
	in.Dissolved, in.Version = true, c2.Version+1
	if _, err := models.UpdateCompany(db, ac["d"], c2.ID, in); err != nil {
		t.Fatal(err)
	}
	gone, _ := models.ComputeRollup(db, ac["d"], "", year, time.Now())
	check("companies after dissolution", gone.Companies, 1)
	if !strings.Contains(models.FormatShare(333333), "33.3333") {
		t.Errorf("FormatShare = %s", models.FormatShare(333333))
	}
}
