package models_test

import (
	"strings"
	"testing"

	"cunji/models"
	"cunji/seeds"
)

// TestCompanyShareholders: shareholders other than villages are kept with their
// shares and years; village and other shares together sum to at most 100% in every
// year (422, in Chinese, naming the year and both parts), whichever list is
// changed; no holding starts before the founding year, and the founding date
// cannot move past a holding; a replaced list stays as history; only the district
// and the officer of the members' street may change it.
func TestCompanyShareholders(t *testing.T) {
	db, ac := setup(t)
	co, err := models.CreateCompany(db, ac["s1"], models.CompanyInput{Name: "海门强村公司", CreditCode: "91110108551385082Q",
		Model: "资产经营型", FoundedOn: "2023-03-01"}, []models.MemberInput{
		{VillageCode: seeds.FixA1, ShareMicro: 400_000, FromYear: 2023},
		{VillageCode: seeds.FixA2, ShareMicro: 200_000, FromYear: 2024}})
	if err != nil {
		t.Fatal(err)
	}
	version := 1
	set := func(who string, list ...models.ShareholderInput) error {
		t.Helper()
		_, err := models.SetShareholders(db, ac[who], co.ID, version, list)
		if err == nil {
			version++
		}
		return err
	}
	gz := models.ShareholderInput{Name: "椒江区国有资产经营公司", Kind: "国资", ShareMicro: 300_000, FromYear: 2023}
	if err := set("s1", gz); err != nil {
		t.Fatal(err)
	}
	// 2024: 40% + 20% + 30% + 15% = 105%.
	pl := models.ShareholderInput{Name: "台州湾平台公司", Kind: "平台公司", ShareMicro: 150_000, FromYear: 2024}
	err = set("s1", gz, pl)
	if !isInvalid(err, "shareholders") || !strings.Contains(err.Error(), "2024 年全部股东持股比例合计 105%（股东村 60%，其他股东 45%），超过 100%") {
		t.Fatalf("over 100%% with others: %v", err)
	}
	// The member list is checked against the other shareholders too.
	_, err = models.SetMembers(db, ac["d"], co.ID, version, []models.MemberInput{
		{VillageCode: seeds.FixA1, ShareMicro: 400_000, FromYear: 2023},
		{VillageCode: seeds.FixA2, ShareMicro: 400_000, FromYear: 2025}})
	if !isInvalid(err, "members") || !strings.Contains(err.Error(), "2025 年全部股东持股比例合计 110%") {
		t.Fatalf("members over 100%% with others: %v", err)
	}
	// Exactly 100% is fine; before the founding year is not; a kind must be one of four.
	pl.ShareMicro = 100_000
	if err := set("d", gz, pl); err != nil {
		t.Fatalf("exactly 100%%: %v", err)
	}
	early := models.ShareholderInput{Name: "某合作社", Kind: "合作社", ShareMicro: 1, FromYear: 2022}
	if err := set("d", gz, early); !isInvalid(err, "shareholders[1].years") || !strings.Contains(err.Error(), "不能早于公司成立年度（2023 年）") {
		t.Fatalf("before the founding year: %v", err)
	}
	if _, err := models.SetMembers(db, ac["d"], co.ID, version, []models.MemberInput{{VillageCode: seeds.FixA1, ShareMicro: 1, FromYear: 2022}}); !isInvalid(err, "members[0].years") {
		t.Fatalf("a membership before the founding year: %v", err)
	}
	if err := set("d", models.ShareholderInput{Name: "x", Kind: "个人", ShareMicro: 1, FromYear: 2023}); !isInvalid(err, "shareholders[0].kind") {
		t.Fatalf("a kind not among the four: %v", err)
	}
	// The founding date cannot move past the first holding.
	_, err = models.UpdateCompany(db, ac["d"], co.ID, models.CompanyInput{Name: "海门强村公司", CreditCode: "91110108551385082Q",
		Model: "资产经营型", FoundedOn: "2024-01-01", Version: version})
	if !isInvalid(err, "founded_on") {
		t.Fatalf("founding moved after a holding: %v", err)
	}
	// Scope: a cadre may not, nor the officer of another street.
	if err := set("v1", gz); err != models.ErrForbidden {
		t.Fatalf("cadre: %v", err)
	}
	if err := set("s2", gz); err != models.ErrNotFound {
		t.Fatalf("other street: %v", err)
	}
	// The list shown is the current one; the replaced rows stay as history.
	if err := set("d", gz); err != nil {
		t.Fatal(err)
	}
	d, err := models.GetCompany(db, ac["d"], co.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Shareholders) != 1 || d.Shareholders[0].Name != gz.Name || d.Shareholders[0].ShareMicro != 300_000 {
		t.Fatalf("current list: %+v", d.Shareholders)
	}
	var all []models.CompanyShareholder
	db.Order("id").Find(&all)
	if len(all) != 4 || all[0].RemovedAt == nil || all[3].RemovedAt != nil {
		t.Fatalf("history: %d rows %+v", len(all), all)
	}
}
