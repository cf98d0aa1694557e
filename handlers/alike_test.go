package handlers

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"cunji/models"
	"cunji/seeds"
)

// TestAnswersAlike: a street officer gets the same status and message for a
// username, a village or a credit code that does not exist and for one outside
// its street, so errors tell it nothing about what lies beyond its scope.
func TestAnswersAlike(t *testing.T) {
	en := newEnv(t)
	s1 := en.token("s1")
	answer := func(method, path string, body any) string {
		code, b := en.api(method, path, s1, body)
		return fmt.Sprint(code, " ", errorShape(t, b)["message"], " ", b["error"].(map[string]any)["fields"])
	}
	alike := func(what string, answers ...string) {
		t.Helper()
		for _, a := range answers[1:] {
			if a != answers[0] {
				t.Errorf("%s: %q / %q", what, answers[0], a)
			}
		}
	}
	// Usernames: absent, another street's cadre, another officer, the district.
	for _, action := range []string{"disable", "enable", "reset"} {
		var got []string
		for _, name := range []string{"nobody-here", "v4", "s2", "d"} {
			got = append(got, answer("POST", "/api/v1/users/"+name+"/"+action, nil))
		}
		alike("user "+action, got...)
	}
	// Villages: a cadre account for an absent village and for another street's.
	newCadre := func(scope string) map[string]any {
		return map[string]any{"username": "new-cadre", "name": "新村干部", "role": "village", "scope": scope}
	}
	absent, outside := "331002001299", seeds.FixB1
	alike("cadre account", answer("POST", "/api/v1/users", newCadre(absent)), answer("POST", "/api/v1/users", newCadre(outside)))
	page := func(scope string) string {
		rec := en.page("POST", "/users", s1, url.Values{"username": {"new-cadre"}, "name": {"新村干部"}, "role": {"village"}, "scope": {scope}}, true)
		body := rec.Body.String()
		i := strings.Index(body, `id="scope-error"`)
		if i < 0 {
			t.Fatalf("page for %s: %d without a scope message", scope, rec.Code)
		}
		return fmt.Sprint(rec.Code, body[i:i+120])
	}
	alike("cadre account page", page(absent), page(outside))
	sheet := func(scope string) string {
		body, ctype := multipartFile(t, "u.csv", []byte("用户名,姓名,角色,范围代码,手机\nnew-cadre,新村干部,村干部,"+scope+",\n"))
		req := httptest.NewRequest("POST", "/api/v1/import/users", body)
		req.Header.Set("Content-Type", ctype)
		req.Header.Set("Authorization", "Bearer "+s1)
		rec := httptest.NewRecorder()
		en.e.ServeHTTP(rec, req)
		return fmt.Sprint(rec.Code, " ", rec.Body.String())
	}
	alike("account sheet", sheet(absent), sheet(outside))
	alike("village", answer("GET", "/api/v1/villages/"+absent, nil), answer("GET", "/api/v1/villages/"+outside, nil))
	company := func(code, village string) map[string]any {
		return map[string]any{"name": "强村公司", "credit_code": code, "model": "资产经营型", "founded_on": "2023-01-01",
			"members": []map[string]any{{"village_code": village, "share": "100", "from_year": 2023}}}
	}
	alike("company member", answer("POST", "/api/v1/companies", company("91350100M000100Y43", absent)),
		answer("POST", "/api/v1/companies", company("91350100M000100Y43", outside)))
	// Credit codes: one registered in another street answers as one registered in
	// the officer's own street (a code that nobody holds is simply accepted).
	code := func(first17 string) string {
		c, err := models.CreditCheckChar(first17)
		if err != nil {
			t.Fatal(err)
		}
		return first17 + string(c)
	}
	theirs, ours := code("91331002MA2A00001"), code("91331002MA2A00002")
	if c, b := en.api("POST", "/api/v1/companies", en.token("s2"), company(theirs, outside)); c != http.StatusCreated {
		t.Fatalf("s2's company: %d %v", c, b)
	}
	if c, b := en.api("POST", "/api/v1/companies", s1, company(ours, seeds.FixA2)); c != http.StatusCreated {
		t.Fatalf("s1's company: %d %v", c, b)
	}
	alike("taken credit code", answer("POST", "/api/v1/companies", company(ours, seeds.FixA1)),
		answer("POST", "/api/v1/companies", company(theirs, seeds.FixA1)))
}
