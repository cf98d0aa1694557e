package models_test

import (
	"testing"
	"time"

	"cunji/models"
	"cunji/seeds"
)

// TestNowEqualsRecountAfterEveryWrite: after every kind of write that moves a
// figure of now — a report's draft, submission, withdrawal, approval, rejection; a
// title named or revoked; a company founded, its members replaced, dissolved,
// restored; a naming list and reports imported (approved, or into the streets'
// queues); a workshop registered, approved, changed, starred; a street's own
// workshop; a village moved to another type or street or retired; a new year
// opened — the roll-up of now read from the maintained cells equals the recount
// from the history (RecountRollup, the as_of path with a fresh instant), for the
// district, one street narrowed by the district, and a street's officer, in every
// year; and MeasureDrift (`cunji check`) finds nothing.
func TestNowEqualsRecountAfterEveryWrite(t *testing.T) {
	db, ac := setup(t)
	d := ac["d"]
	check := func(step string) {
		t.Helper()
		years, err := models.Years(db)
		if err != nil {
			t.Fatal(err)
		}
		at := time.Now()
		for _, y := range years {
			for _, c := range []struct{ who, street string }{{"d", ""}, {"d", "331002001"}, {"s1", ""}, {"s2", ""}} {
				now, err := models.ComputeRollup(db, ac[c.who], c.street, y, at)
				if err != nil {
					t.Fatal(err)
				}
				recount, err := models.RecountRollup(db, ac[c.who], c.street, y, at)
				if err != nil {
					t.Fatal(err)
				}
				if a, b := asJSON(t, now), asJSON(t, recount); a != b {
					t.Fatalf("after %s, %s %q %d: the roll-up of now\n%s\nthe recount\n%s", step, c.who, c.street, y, a, b)
				}
			}
		}
		drift, err := models.MeasureDrift(db)
		if err != nil {
			t.Fatal(err)
		}
		if drift != (models.Drift{}) {
			t.Fatalf("after %s: drift %+v", step, drift)
		}
	}
	named := func(code, title string, level, year int) uint {
		t.Helper()
		e, err := models.NameTitle(db, d, models.TitleInput{VillageCode: code, Title: title, Level: level, Year: year,
			NamedOn: time.Date(year, 6, 1, 0, 0, 0, 0, models.Shanghai), DocumentNo: "椒〔2025〕1号"})
		if err != nil {
			t.Fatal(err)
		}
		return e.ID
	}
	var star2025, hemei2024, companyID uint
	var shopA, shopB, streetShop uint
	founded := time.Date(2024, 3, 1, 0, 0, 0, 0, models.Shanghai)
	closed := time.Date(2025, 7, 1, 0, 0, 0, 0, models.Shanghai)
	steps := []struct {
		name string
		do   func() error
	}{
		{"nothing", func() error { return nil }},
		{"a draft", func() error { drafted(t, db, ac["v1"], seeds.FixA1, 2025, op(60_000_000)); return nil }},
		{"a submission", func() error { _, err := models.Submit(db, ac["v1"], seeds.FixA1, 2025, nil); return err }},
		{"a withdrawal", func() error { _, err := models.Withdraw(db, ac["v1"], seeds.FixA1, 2025, nil); return err }},
		{"an approval", func() error {
			if _, err := models.Submit(db, ac["v1"], seeds.FixA1, 2025, nil); err != nil {
				return err
			}
			_, err := models.Approve(db, ac["s1"], seeds.FixA1, 2025, nil)
			return err
		}},
		{"a rejection", func() error {
			drafted(t, db, ac["v2"], seeds.FixA2, 2025, op(20_000_000))
			if _, err := models.Submit(db, ac["v2"], seeds.FixA2, 2025, nil); err != nil {
				return err
			}
			_, err := models.Reject(db, ac["s1"], seeds.FixA2, 2025, nil, "数据有误")
			return err
		}},
		{"a correction approved", func() error { approved(t, db, ac["v1"], ac["s1"], seeds.FixA1, 2025, op(40_000_000)); return nil }},
		{"a report of another street", func() error { approved(t, db, ac["v4"], ac["s2"], seeds.FixB1, 2024, op(70_000_000)); return nil }},
		{"a 星级 named", func() error { star2025 = named(seeds.FixA2, models.TitleStar, 2, 2025); return nil }},
		{"a 和美 named", func() error { hemei2024 = named(seeds.FixA1, models.TitleHemei, 0, 2024); return nil }},
		{"a higher 星级 named the next year", func() error { named(seeds.FixA2, models.TitleStar, 3, 2026); return nil }},
		{"a 星级 of a retired village", func() error { named(seeds.FixA3, models.TitleStar, 1, 2023); return nil }},
		{"a revocation within the year", func() error {
			_, err := models.RevokeTitle(db, d, star2025, time.Date(2025, 11, 1, 0, 0, 0, 0, models.Shanghai), "复核不合格")
			return err
		}},
		{"a revocation dated the next year", func() error {
			_, err := models.RevokeTitle(db, d, hemei2024, time.Date(2026, 2, 1, 0, 0, 0, 0, models.Shanghai), "复核不合格")
			return err
		}},
		{"a company founded", func() error {
			c, err := models.CreateCompany(db, d, company("甲村强村公司", "91350100M000100Y43"),
				[]models.MemberInput{{VillageCode: seeds.FixA1, ShareMicro: pct(60), FromYear: 2024},
					{VillageCode: seeds.FixB1, ShareMicro: pct(40), FromYear: 2025}})
			if err == nil {
				companyID = c.ID
			}
			return err
		}},
		{"a second company sharing a village", func() error {
			until := 2025
			_, err := models.CreateCompany(db, d, company("联合强村公司", "91110108551385082Q"),
				[]models.MemberInput{{VillageCode: seeds.FixA1, ShareMicro: pct(50), FromYear: 2023, UntilYear: &until},
					{VillageCode: seeds.FixA2, ShareMicro: pct(50), FromYear: 2023}})
			return err
		}},
		{"the members replaced", func() error {
			c, err := models.GetCompany(db, d, companyID)
			if err != nil {
				return err
			}
			_, err = models.SetMembers(db, d, companyID, c.Company.Version,
				[]models.MemberInput{{VillageCode: seeds.FixA2, ShareMicro: pct(100), FromYear: 2025}})
			return err
		}},
		{"a company dissolved", func() error {
			_, err := models.SetCompanyStatus(db, d, companyID, models.CompanyDissolved, time.Now())
			return err
		}},
		{"a company restored", func() error {
			_, err := models.SetCompanyStatus(db, d, companyID, models.CompanyRestored, time.Now())
			return err
		}},
		{"a workshop registered (a draft)", func() error {
			in := workshop("甲村竹编工坊", "运营", 12, 3)
			in.FoundedOn = &founded
			w, err := models.CreateWorkshop(db, ac["v1"], seeds.FixA1, in)
			if err == nil {
				shopA = w.Workshop.ID
			}
			return err
		}},
		{"a workshop approved", func() error {
			if _, err := models.SubmitWorkshop(db, ac["v1"], shopA, nil); err != nil {
				return err
			}
			_, err := models.ApproveWorkshop(db, ac["s1"], shopA, nil)
			return err
		}},
		{"a workshop without dates approved", func() error {
			w, err := models.CreateWorkshop(db, ac["v2"], seeds.FixA2, workshop("乙村电商工坊", "运营", 8, 1))
			if err != nil {
				return err
			}
			shopB = w.Workshop.ID
			if _, err := models.SubmitWorkshop(db, ac["v2"], shopB, nil); err != nil {
				return err
			}
			_, err = models.ApproveWorkshop(db, ac["s1"], shopB, nil)
			return err
		}},
		{"a workshop closed", func() error {
			state := "停运"
			if _, err := models.SaveWorkshopDraft(db, ac["v1"], shopA, models.WorkshopInput{State: &state, ClosedOn: &closed}); err != nil {
				return err
			}
			if _, err := models.SubmitWorkshop(db, ac["v1"], shopA, nil); err != nil {
				return err
			}
			_, err := models.ApproveWorkshop(db, ac["s1"], shopA, nil)
			return err
		}},
		{"a workshop's change rejected", func() error {
			emp := 30
			if _, err := models.SaveWorkshopDraft(db, ac["v2"], shopB, models.WorkshopInput{Employed: &emp}); err != nil {
				return err
			}
			if _, err := models.SubmitWorkshop(db, ac["v2"], shopB, nil); err != nil {
				return err
			}
			_, err := models.RejectWorkshop(db, ac["s1"], shopB, nil, "人数无依据")
			return err
		}},
		{"a star evaluated", func() error { _, err := models.SetWorkshopStar(db, d, shopB, 4, "2025-06-01"); return err }},
		{"an earlier star evaluated", func() error { _, err := models.SetWorkshopStar(db, d, shopB, 2, "2024-06-01"); return err }},
		{"a street's own workshop", func() error {
			in := workshop("海门园区共富工坊", "运营", 30, 5)
			in.FoundedOn = &founded
			w, err := models.CreateStreetWorkshop(db, ac["s1"], "园区", "海门工业园区", in)
			if err == nil {
				streetShop = w.Workshop.ID
			}
			return err
		}},
		{"a street's own workshop changed", func() error {
			emp := 44
			w, err := models.GetWorkshop(db, ac["s1"], streetShop)
			if err != nil {
				return err
			}
			_, err = models.SaveWorkshopDraft(db, ac["s1"], streetShop, models.WorkshopInput{Employed: &emp, Version: w.Approved.Version})
			return err
		}},
		{"a naming list imported", func() error {
			res, err := models.ImportTitles(db, d, sheet(
				"2023年度星级美丽乡村和和美乡村命名名单,,,,,",
				"序号,行政村,称号,星级,命名日期,命名文号",
				"1,乙村,星级美丽乡村,一星,2023/12/20,椒政办发〔2023〕18号",
				"2,丁村,和美乡村,,2023/12/20,椒政办发〔2023〕18号",
			), false)
			if err == nil && (!res.Committed || len(res.New) != 2) {
				t.Fatalf("naming list: %+v", res)
			}
			return err
		}},
		{"reports imported and approved", func() error {
			res, err := models.ImportReports(db, d, readRows(t, csvOf(reportHeader, seeds.FixB1+",2023,0,否,600000,0,0,0,0,0")),
				models.ReportImportMode{Approve: true, Reason: "2023 年农经统计年报"}, false)
			if err == nil && (!res.Committed || res.New != 1) {
				t.Fatalf("approved import: %+v", res)
			}
			return err
		}},
		{"reports imported into the streets' queues", func() error {
			res, err := models.ImportReports(db, d, readRows(t, csvOf(reportHeader, seeds.FixA2+",2024,0,否,100000,0,0,0,0,1000000")),
				models.ReportImportMode{}, false)
			if err == nil && (!res.Committed || res.New != 1) {
				t.Fatalf("import into the queues: %+v", res)
			}
			return err
		}},
		{"a village moved to another type", func() error {
			typ := "特色保护"
			_, err := models.UpdateVillage(db, d, models.VillageInput{Code: seeds.FixA2, Type: &typ})
			return err
		}},
		{"a village moved to another street", func() error {
			street := "331002002"
			_, err := models.UpdateVillage(db, d, models.VillageInput{Code: seeds.FixA1, StreetCode: &street})
			return err
		}},
		{"a village retired", func() error {
			until := 2024
			_, err := models.UpdateVillage(db, d, models.VillageInput{Code: seeds.FixA2, ActiveUntil: &until})
			return err
		}},
		{"a village active again", func() error {
			_, err := models.UpdateVillage(db, d, models.VillageInput{Code: seeds.FixA2, ClearUntil: true})
			return err
		}},
		{"a new year opened", func() error { return models.SetLastYear(db, d, 2028) }},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		check(s.name)
	}
}
