package handlers

import (
	"net/url"
	"strings"
	"testing"
)

// TestStreetWorkshopPages: a street's officer registers a workshop in a 园区 on the
// page; it is listed for the street and the district, not for another street or a
// cadre; the officer's change counts at once; the district's star evaluations are
// listed with their dates and the roll-up counts the workshop by its star.
func TestStreetWorkshopPages(t *testing.T) {
	en := newEnv(t)
	s1, d := en.token("s1"), en.token("d")
	form := url.Values{"name": {"海门园区共富工坊"}, "type": {"来料加工"}, "state": {"运营"}, "founded_on": {"2024-03-01"},
		"employed": {"30"}, "low_income_employed": {"5"}, "avg_income_increase": {"1500"}, "site": {"园区"}, "site_name": {""}}
	rec := en.page("POST", "/workshops/new", s1, form, true)
	if rec.Code != 422 || !strings.Contains(rec.Body.String(), "请填写所在社区、园区或企业的名称") {
		t.Fatalf("without a site name: %d", rec.Code)
	}
	form.Set("site_name", "海门工业园区")
	rec = en.page("POST", "/workshops/new", s1, form, true)
	if rec.Code != 303 || !strings.HasPrefix(rec.Header().Get("Location"), "/workshops/") {
		t.Fatalf("register: %d %s", rec.Code, rec.Header().Get("Location"))
	}
	path := rec.Header().Get("Location")
	if body := en.page("GET", "/workshops", s1, nil, false).Body.String(); !strings.Contains(body, "园区：海门工业园区") {
		t.Error("the street's list does not show the workshop's site")
	}
	if body := en.page("GET", "/workshops", en.token("s2"), nil, false).Body.String(); strings.Contains(body, "海门工业园区") {
		t.Error("another street lists it")
	}
	if rec := en.page("GET", path, en.token("s2"), nil, false); rec.Code != 404 {
		t.Errorf("another street reads it: %d", rec.Code)
	}
	if rec := en.page("GET", path, en.token("v1"), nil, false); rec.Code != 404 {
		t.Errorf("a cadre reads it: %d", rec.Code)
	}
	// The officer's change counts at once.
	form.Set("employed", "35")
	form.Set("version", "1")
	if rec := en.page("POST", path, s1, form, true); rec.Code != 303 {
		t.Fatalf("change: %d %s", rec.Code, rec.Body.String())
	}
	id := strings.TrimPrefix(path, "/workshops/")
	code, w := en.api("GET", "/api/v1/workshops/"+id, d, nil)
	if code != 200 || w["approved"].(map[string]any)["employed"] != float64(35) || w["open"] != nil || w["site"] != "园区" || w["village_code"] != nil {
		t.Fatalf("after the change: %d %v", code, w)
	}
	for _, ev := range [][2]string{{"3", "2024-11-01"}, {"4", "2025-06-01"}} {
		if rec := en.page("POST", path+"/star", d, url.Values{"star_level": {ev[0]}, "evaluated_on": {ev[1]}}, true); rec.Code != 303 {
			t.Fatalf("evaluate: %d", rec.Code)
		}
	}
	if body := en.page("GET", path, d, nil, false).Body.String(); !strings.Contains(body, "<td>2024-11-01</td><td class=\"num\">3 星</td>") {
		t.Error("the star history is not listed")
	}
	_, w = en.api("GET", "/api/v1/workshops/"+id, d, nil)
	if stars, _ := w["stars"].([]any); len(stars) != 2 {
		t.Errorf("stars in the API: %v", w["stars"])
	}
	_, ru := en.api("GET", "/api/v1/rollup?year=2024", d, nil)
	by, _ := ru["workshops_by_star"].(map[string]any)
	if ru["workshops"] != float64(1) || by["3"] != float64(1) || by["0"] != float64(0) {
		t.Errorf("roll-up 2024: workshops %v by star %v", ru["workshops"], by)
	}
}
