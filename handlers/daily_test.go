package handlers

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"cunji/models"
	"cunji/seeds"
)

// submitted leaves code/year submitted by cadre with the given 经营收入, and returns
// the submitted version number.
func (en *env) submitted(cadre, code string, year int, business int64) int {
	en.t.Helper()
	a := en.actor(cadre)
	rep, err := models.GetReport(en.db, a, code, year)
	if err != nil {
		en.t.Fatal(err)
	}
	in := models.ReportInput{BusinessFen: &business}
	if rep.Open != nil {
		in.Version = rep.Open.Version
	}
	d, err := models.SaveDraft(en.db, a, code, year, in)
	if err != nil {
		en.t.Fatal(err)
	}
	s, err := models.Submit(en.db, a, code, year, &d.Version)
	if err != nil {
		en.t.Fatal(err)
	}
	return s.Version
}

// TestReportWithdrawPage: the cadre sees 撤回 on a submitted report, the POST
// redirects with a flash and the form is back; a second 撤回 is a 409 on the page.
func TestReportWithdrawPage(t *testing.T) {
	en := newEnv(t)
	page := "/villages/" + seeds.FixA1 + "/reports/2025"
	v := en.submitted("v1", seeds.FixA1, 2025, 60_000_000)
	body := en.page("GET", page, en.token("v1"), nil, false).Body.String()
	if !strings.Contains(body, page+"/withdraw") || !strings.Contains(body, "撤回提交") {
		t.Fatal("a submitted report shows no 撤回 button to its cadre")
	}
	if strings.Contains(en.page("GET", page, en.token("s1"), nil, false).Body.String(), page+"/withdraw") {
		t.Fatal("the street officer sees the cadre's 撤回 button")
	}
	rec := en.page("POST", page+"/withdraw", en.token("v1"), url.Values{"version": {strconv.Itoa(v)}}, true)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != page ||
		!strings.Contains(rec.Header().Get("Set-Cookie"), "cunji_flash") {
		t.Fatalf("withdraw: %d → %s", rec.Code, rec.Header().Get("Location"))
	}
	body = en.page("GET", page, en.token("v1"), nil, false).Body.String()
	if !strings.Contains(body, `id="report-form"`) || strings.Contains(body, page+"/withdraw") {
		t.Fatal("after 撤回 the form is not back, or 撤回 is still offered")
	}
	before := en.state()
	if rec := en.page("POST", page+"/withdraw", en.token("v1"), nil, true); rec.Code != http.StatusConflict ||
		!strings.Contains(rec.Body.String(), "没有可撤回的提交") {
		t.Fatalf("withdraw a draft: %d", rec.Code)
	}
	if en.state() != before {
		t.Fatal("a refused withdrawal changed something")
	}
}

// TestAPIReportWithdraw: 200 with the draft; 409 once reviewed or when a draft;
// 404 out of scope.
func TestAPIReportWithdraw(t *testing.T) {
	en := newEnv(t)
	path := "/api/v1/villages/" + seeds.FixA1 + "/reports/2025/withdraw"
	en.submitted("v1", seeds.FixA1, 2025, 60_000_000)
	if code, _ := en.api("POST", "/api/v1/villages/"+seeds.FixB1+"/reports/2025/withdraw", en.token("v1"), nil); code != 404 {
		t.Fatalf("out of scope: %d", code)
	}
	code, body := en.api("POST", path, en.token("v1"), nil)
	if code != 200 || body["status"] != models.StatusDraft || body["submitted_at"] != nil {
		t.Fatalf("withdraw: %d %v", code, body)
	}
	if code, _ := en.api("POST", path, en.token("v1"), nil); code != 409 {
		t.Fatalf("withdraw a draft: %d", code)
	}
	en.submitted("v1", seeds.FixA1, 2025, 60_000_000)
	if _, err := models.Approve(en.db, en.actor("s1"), seeds.FixA1, 2025, nil); err != nil {
		t.Fatal(err)
	}
	before := en.state()
	if code, _ := en.api("POST", path, en.token("v1"), nil); code != 409 {
		t.Fatalf("withdraw an approved version: %d", code)
	}
	if en.state() != before {
		t.Fatal("state changed")
	}
}
