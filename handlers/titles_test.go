package handlers

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"cunji/seeds"
)

// TestAPITitles: the district names and revokes through the API; the cadre's report
// shows the titles held read-only and a PUT sending another value is a 422 saying
// who names titles.
func TestAPITitles(t *testing.T) {
	en := newEnv(t)
	d, s1, v1 := en.token("d"), en.token("s1"), en.token("v1")
	naming := map[string]any{"village_code": seeds.FixA1, "title": "星级美丽乡村", "level": 2, "year": 2025,
		"named_on": "2025-11-20", "document_no": "椒农〔2025〕12号"}
	if code, _ := en.api("POST", "/api/v1/titles", s1, naming); code != http.StatusForbidden {
		t.Errorf("a street names: %d", code)
	}
	code, body := en.api("POST", "/api/v1/titles", d, naming)
	if code != http.StatusCreated || body["named_on"] != "2025-11-20" || body["level"] != float64(2) {
		t.Fatalf("naming: %d %v", code, body)
	}
	id := body["id"].(float64)
	bad := map[string]any{"village_code": seeds.FixA1, "title": "星级美丽乡村", "level": 2, "year": 2025, "named_on": "yesterday"}
	if code, body := en.api("POST", "/api/v1/titles", d, bad); code != http.StatusUnprocessableEntity {
		t.Errorf("bad naming: %d %v", code, body)
	}
	_, rep := en.api("GET", "/api/v1/villages/"+seeds.FixA1+"/reports/2025", v1, nil)
	if ti := rep["titles"].(map[string]any); ti["star_rating"] != float64(2) {
		t.Errorf("report titles: %v", rep["titles"])
	}
	put := map[string]any{"version": 0, "business_fen": 1, "star_rating": 3}
	code, body = en.api("PUT", "/api/v1/villages/"+seeds.FixA1+"/reports/2025", v1, put)
	if code != http.StatusUnprocessableEntity || !strings.Contains(fmt.Sprint(errorShape(t, body)["fields"]), "区里") {
		t.Errorf("a cadre types a title: %d %v", code, body)
	}
	put["star_rating"] = 2
	if code, body := en.api("PUT", "/api/v1/villages/"+seeds.FixA1+"/reports/2025", v1, put); code != http.StatusOK || body["star_rating"] != float64(2) {
		t.Errorf("the held value: %d %v", code, body)
	}
	path := fmt.Sprintf("/api/v1/titles/%d/revoke", int(id))
	if code, _ := en.api("POST", path, d, map[string]any{"revoked_on": "2026-03-01"}); code != http.StatusUnprocessableEntity {
		t.Errorf("revocation without a reason: %d", code)
	}
	if code, body := en.api("POST", path, d, map[string]any{"revoked_on": "2026-03-01", "reason": "复核未通过"}); code != http.StatusOK || body["revokes_id"] != id {
		t.Fatalf("revoke: %d %v", code, body)
	}
	_, body = en.api("GET", "/api/v1/titles?village="+seeds.FixA1+"&title=星级美丽乡村", s1, nil)
	if list := body["titles"].([]any); len(list) != 2 {
		t.Errorf("register: %v", body)
	}
	_, body = en.api("GET", "/api/v1/titles", en.token("s2"), nil)
	if list := body["titles"].([]any); len(list) != 0 {
		t.Errorf("白云 sees 甲村's titles: %v", body)
	}
	_, ru := en.api("GET", "/api/v1/rollup?year=2025", d, nil)
	star := ru["star"].(map[string]any)
	if star["rated"] != float64(1) || star["new_by_level"].(map[string]any)["2"] != float64(1) {
		t.Errorf("roll-up star: %v", star)
	}
}

// TestTitlesPage: the district names and revokes on the register page; a bad form
// re-renders with 422 and the message beside the field.
func TestTitlesPage(t *testing.T) {
	en := newEnv(t)
	d := en.token("d")
	form := url.Values{"village_code": {seeds.FixA1}, "title": {"星级美丽乡村"}, "level": {"1"}, "year": {"2025"},
		"named_on": {"2025-12-01"}, "document_no": {"椒农〔2025〕3号"}}
	if r := en.page("POST", "/titles", d, form, true); r.Code != http.StatusSeeOther {
		t.Fatalf("naming: %d %s", r.Code, r.Body.String())
	}
	bad := url.Values{"village_code": {seeds.FixA1}, "title": {"星级美丽乡村"}, "level": {"1"}, "year": {"2025"}, "named_on": {"2025-12-01"}}
	if r := en.page("POST", "/titles", d, bad, true); r.Code != http.StatusUnprocessableEntity || !strings.Contains(r.Body.String(), `aria-describedby="document_no-error"`) {
		t.Errorf("naming without 文号: %d", r.Code)
	}
	body := en.page("GET", "/titles", d, nil, false).Body.String()
	if !strings.Contains(body, "椒农〔2025〕3号") || !strings.Contains(body, `action="/titles/1/revoke"`) {
		t.Fatal("the register page does not list the naming")
	}
	if r := en.page("POST", "/titles/1/revoke", d, url.Values{"revoked_on": {"2026-01-10"}, "reason": {"复核未通过"}}, true); r.Code != http.StatusSeeOther {
		t.Fatalf("revoke: %d", r.Code)
	}
	if body := en.page("GET", "/titles", d, nil, false).Body.String(); !strings.Contains(body, "撤销（第 1 条）") || strings.Contains(body, `action="/titles/1/revoke"`) {
		t.Error("the revocation is not listed, or the naming can be revoked again")
	}
	if r := en.page("GET", "/titles", en.token("s1"), nil, false); r.Code != http.StatusForbidden {
		t.Errorf("a street officer opens the register page: %d", r.Code)
	}
}
