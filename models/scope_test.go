package models_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"cunji/models"
	"cunji/seeds"

	"gorm.io/gorm"
)

// Places beyond the fixture district 椒江区 (331002): 黄岩区 in the same city 台州
// (3310) and 上城区 in another city of the province (3301).
const (
	scopeC1 = "331003001201" // 黄岩区
	scopeX1 = "330102001201" // 上城区
)

// scopeWorld is the fixture with one more district of the city and one of another
// city, each with a street, a village, its cadre, a company and a workshop, a file
// and an audit entry per village; and a city and a province account.
func scopeWorld(t *testing.T) (*gorm.DB, map[string]*models.Actor) {
	t.Helper()
	db, actors := setup(t)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []struct{ district, name, village string }{{"331003", "黄岩区", scopeC1}, {"330102", "上城区", scopeX1}} {
		must(db.Create(&models.District{Code: d.district, Name: d.name}).Error)
		must(db.Create(&models.Street{Code: d.village[:9], DistrictCode: d.district, Name: d.name + "一街道"}).Error)
		must(db.Create(&models.Village{Code: d.village, Name: d.name + "村", StreetCode: d.village[:9], DistrictCode: d.district,
			Type: "城郊融合", ActiveFrom: 2000}).Error)
		u := models.User{Username: "v-" + d.district, Name: "村干部", Role: models.RoleVillage, DistrictCode: d.district,
			StreetCode: d.village[:9], VillageCode: d.village, PasswordHash: "x", TokenVersion: 1}
		must(db.Create(&u).Error)
	}
	for _, r := range []struct{ name, district string }{{"city", "3310"}, {"province", "33"}} {
		actors[r.name] = &models.Actor{UserID: 9000, Username: r.name, Name: r.name, Role: models.RoleDistrict, DistrictCode: r.district}
	}
	now := time.Now()
	for i, v := range []string{seeds.FixA1, seeds.FixA2, seeds.FixB1, scopeC1, scopeX1} {
		c := models.Company{DistrictCode: v[:6], Name: "公司" + v, CreditCode: "9133MA2" + v[1:], Model: "单村",
			FoundedOn: "2024-01-01", Version: 1}
		must(db.Create(&c).Error)
		must(db.Create(&models.CompanyMember{CompanyID: c.ID, VillageCode: v, ShareMicro: 1_000_000, FromYear: 2024, AddedAt: now}).Error)
		must(db.Create(&models.Workshop{VillageCode: &v}).Error)
		must(db.Create(&models.EvidenceFile{Kind: models.EvidenceReport, VersionID: uint(i + 1), VillageCode: v,
			StoredName: "f" + v, OriginalName: "a.pdf", ContentType: "application/pdf", UploadedBy: "x"}).Error)
		must(db.Create(&models.AuditEntry{At: now, ActorName: "x", ActorRole: "village", Action: "report.edit",
			ObjectType: "report", ObjectKey: v, DistrictCode: v[:6], StreetCode: v[:9], VillageCode: v}).Error)
	}
	return db, actors
}

// TestOneScopeEveryResource: one Scope gives every resource's filter. A cadre sees
// only their village, an officer only their street, district staff their district,
// and a city or province account every district of its region — companies and
// accounts included.
func TestOneScopeEveryResource(t *testing.T) {
	db, actors := scopeWorld(t)
	jA := []string{seeds.FixA1, seeds.FixA2, seeds.FixA3}
	district := append(slices.Clone(jA), seeds.FixB1)
	city := append(slices.Clone(district), scopeC1)
	province := append(slices.Clone(city), scopeX1)
	// The villages each resource was given (A3 has none but its village).
	with := func(vs []string) []string {
		return slices.DeleteFunc(slices.Clone(vs), func(v string) bool { return v == seeds.FixA3 })
	}
	streetsOf := func(vs []string) []string {
		var out []string
		for _, v := range vs {
			if !slices.Contains(out, v[:9]) {
				out = append(out, v[:9])
			}
		}
		return out
	}
	pluck := func(q *gorm.DB, col string) []string {
		t.Helper()
		var out []string
		if err := q.Distinct(col).Order(col).Pluck(col, &out).Error; err != nil {
			t.Fatal(err)
		}
		return out
	}
	cases := []struct {
		actor string
		vs    []string
		users []string
	}{
		{"v1", []string{seeds.FixA1}, nil},
		{"s1", jA, []string{"v1", "v2", "v3"}},
		{"d", district, []string{"d", "s1", "s2", "v1", "v2", "v3", "v4"}},
		{"city", city, []string{"d", "s1", "s2", "v-331003", "v1", "v2", "v3", "v4"}},
		{"province", province, []string{"d", "s1", "s2", "v-330102", "v-331003", "v1", "v2", "v3", "v4"}},
	}
	for _, c := range cases {
		sc := actors[c.actor].Scope()
		check := func(what string, got, want []string) {
			t.Helper()
			slices.Sort(want)
			if !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
				t.Errorf("%s sees %s %v, want %v", c.actor, what, got, want)
			}
		}
		check("villages", pluck(sc.Villages(db.Model(&models.Village{})), "villages.code"), slices.Clone(c.vs))
		// The seeded district has more streets than villages: only those with a
		// fixture village are compared, and every street seen is in the region.
		streets := pluck(sc.Streets(db.Model(&models.Street{})), "streets.code")
		for _, st := range streets {
			if !strings.HasPrefix(st, sc.District) {
				t.Errorf("%s sees street %s", c.actor, st)
			}
		}
		check("streets", slices.DeleteFunc(streets, func(st string) bool { return !slices.Contains(streetsOf(province), st) }), streetsOf(c.vs))
		check("workshops", pluck(sc.Workshops(db.Model(&models.Workshop{})), "workshops.village_code"), with(c.vs))
		check("files", pluck(sc.Evidence(db.Model(&models.EvidenceFile{})), "evidence_files.village_code"), with(c.vs))
		// Entries about no village (district settings) are compared by village only.
		audit := pluck(sc.Audit(db.Model(&models.AuditEntry{})), "audit_entries.village_code")
		check("audit", slices.DeleteFunc(audit, func(v string) bool { return v == "" }), with(c.vs))
		var companyNames []string
		for _, v := range with(c.vs) {
			companyNames = append(companyNames, "公司"+v)
		}
		check("companies", pluck(sc.Companies(db.Model(&models.Company{})), "companies.name"), companyNames)
		check("accounts", pluck(sc.Users(db.Model(&models.User{})), "users.username"), slices.Clone(c.users))

		// The same through the listing functions.
		if c.actor != "v1" {
			cs, err := models.ListCompanies(db, actors[c.actor], models.CompanyFilter{})
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, co := range cs {
				names = append(names, co.Name)
			}
			slices.Sort(names)
			check("companies listed", names, companyNames)
			us, err := models.ListUsers(db, actors[c.actor])
			if err != nil {
				t.Fatal(err)
			}
			var usernames []string
			for _, u := range us {
				usernames = append(usernames, u.Username)
			}
			slices.Sort(usernames)
			check("accounts listed", usernames, slices.Clone(c.users))
		}
		for _, v := range province {
			_, err := actors[c.actor].FindVillage(db, v)
			if in := slices.Contains(c.vs, v); in != (err == nil) {
				t.Errorf("%s finds village %s: %v", c.actor, v, err)
			}
			if in := slices.Contains(c.vs, v); in != sc.Holds(v[:6], v[:9], v) {
				t.Errorf("%s holds village %s: %v", c.actor, v, !in)
			}
		}
	}
}

// TestRegionManagesItsAccounts: a city account may create an account in any
// district of its city, not beyond it; a district account only in its district.
func TestRegionManagesItsAccounts(t *testing.T) {
	db, actors := scopeWorld(t)
	mk := func(a *models.Actor, username, scope string) error {
		_, err := models.CreateUser(db, a, models.UserInput{Username: username, Name: "新账号", Role: models.RoleVillage,
			Scope: scope, Password: "a-long-enough-passphrase-9"})
		return err
	}
	if err := mk(actors["city"], "new-c1", scopeC1); err != nil {
		t.Fatalf("the city could not create a cadre in 黄岩区: %v", err)
	}
	for _, c := range []struct{ actor, village string }{{"city", scopeX1}, {"d", scopeC1}, {"s1", seeds.FixB1}} {
		err := mk(actors[c.actor], "new-"+c.actor, c.village)
		var verr *models.ValidationError
		if !errors.As(err, &verr) || !strings.Contains(verr.Fields["scope"], "范围") {
			t.Errorf("%s created a cadre of %s: %v", c.actor, c.village, err)
		}
	}
}
