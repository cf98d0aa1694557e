package models_test

import (
	"testing"
	"time"

	"cunji/models"
	"cunji/seeds"
)

// TestRollupEqualsBaselineOnSyntheticData checks the roll-up — every query shape,
// now and as of past instants, for the whole deployment, a region and a district —
// against the hand-written SQL aggregate, on synthetic data, before and after live
// changes (approvals, a correction, a village's type and years, a workshop).
func TestRollupEqualsBaselineOnSyntheticData(t *testing.T) {
	db := models.OpenTest(t)
	if _, err := seeds.Synthetic(db, 1200, 5, nil); err != nil {
		t.Fatal(err)
	}
	var first models.Village
	db.Order("code").Take(&first)
	scopes := []string{"", first.DistrictCode[:4], first.DistrictCode}
	check := func(label string, at time.Time) {
		t.Helper()
		for _, scope := range scopes {
			a := &models.Actor{Role: models.RoleDistrict, DistrictCode: scope}
			years, err := models.Years(db)
			if err != nil {
				t.Fatal(err)
			}
			for _, y := range years {
				ru, err := models.ComputeRollup(db, a, "", y, at)
				if err != nil {
					t.Fatal(err)
				}
				base, err := models.BaselineRollup(db, scope, y, at, false)
				if err != nil {
					t.Fatal(err)
				}
				if got := ru.Totals(); got != *base {
					t.Fatalf("%s, scope %q, %d:\nroll-up  %+v\nbaseline %+v", label, scope, y, got, *base)
				}
			}
		}
	}
	instants := []time.Time{time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC)}
	for _, at := range instants {
		check(at.Format("2006-01-02"), at)
	}
	check("now", time.Now())
	// Live changes through the application, then now (the maintained table) again.
	var cadre, officer models.User
	db.Where("role = ? AND village_code = ?", models.RoleVillage, first.Code).Take(&cadre)
	db.Where("role = ? AND street_code = ?", models.RoleStreet, first.StreetCode).Take(&officer)
	ca, oa := models.ActorFor(&cadre, ""), models.ActorFor(&officer, "")
	fen, note := int64(1), "已核实"
	if _, err := models.SaveDraft(db, ca, first.Code, 2025, models.ReportInput{BusinessFen: &fen, Note: &note}); err != nil {
		t.Fatal(err)
	}
	models.Submit(db, ca, first.Code, 2025, nil)
	if _, err := models.Approve(db, oa, first.Code, 2025, nil); err != nil {
		t.Fatal(err)
	}
	var district models.User
	db.Where("role = ? AND district_code = ?", models.RoleDistrict, first.DistrictCode).Take(&district)
	typ, until := "搬迁撤并", 2024
	if _, err := models.UpdateVillage(db, models.ActorFor(&district, ""), models.VillageInput{Code: first.Code, Type: &typ, ActiveUntil: &until}); err != nil {
		t.Fatal(err)
	}
	// A title named and one revoked through the application.
	da := models.ActorFor(&district, "")
	e, err := models.NameTitle(db, da, models.TitleInput{VillageCode: first.Code, Title: models.TitleHemei, Year: 2024,
		NamedOn: time.Date(2024, 12, 1, 0, 0, 0, 0, models.Shanghai), DocumentNo: "合成〔2024〕9号"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := models.RevokeTitle(db, da, e.ID, time.Date(2025, 2, 1, 0, 0, 0, 0, models.Shanghai), "复核"); err != nil {
		t.Fatal(err)
	}
	// A workshop of the street (in a 园区), founded in 2024, and star evaluations of it
	// and of a village's workshop, through the application.
	founded := time.Date(2024, 4, 1, 0, 0, 0, 0, models.Shanghai)
	in := workshop("园区共富工坊", "运营", 40, 6)
	in.FoundedOn = &founded
	sw, err := models.CreateStreetWorkshop(db, oa, "园区", "合成经济开发区", in)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := models.SetWorkshopStar(db, da, sw.Workshop.ID, 3, "2024-11-20"); err != nil {
		t.Fatal(err)
	}
	if _, err := models.SetWorkshopStar(db, da, sw.Workshop.ID, 4, "2025-06-01"); err != nil {
		t.Fatal(err)
	}
	var shop models.Workshop
	db.Where("village_code IS NOT NULL").Order("id").Take(&shop)
	if _, err := models.SetWorkshopStar(db, da, shop.ID, 2, "2023-05-05"); err != nil {
		t.Fatal(err)
	}
	check("now, after live changes", time.Now())
	by24, _ := models.ComputeRollup(db, &models.Actor{Role: models.RoleDistrict}, "", 2024, time.Now())
	if by24.WorkshopsByStar[3] == 0 {
		t.Errorf("the street workshop's 2024 star is not counted: %v", by24.WorkshopsByStar)
	}
	// The synthetic data exercise the title figures: titles held and revoked.
	ru, _ := models.ComputeRollup(db, &models.Actor{Role: models.RoleDistrict}, "", 2025, time.Now())
	var revoked int64
	db.Model(&models.TitleEntry{}).Where("kind = ?", models.TitleRevoked).Count(&revoked)
	if ru.Star.Rated == 0 || ru.Hemei.Count == 0 || ru.Star.New == 0 || revoked < 2 {
		t.Errorf("synthetic titles: rated %d hemei %d new %d revoked %d", ru.Star.Rated, ru.Hemei.Count, ru.Star.New, revoked)
	}
	for _, at := range instants {
		check(at.Format("2006-01-02")+" again", at)
	}
}
