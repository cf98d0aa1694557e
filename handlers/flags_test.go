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

// flaggedFixture: 甲村 2024 approved at 78.45 万; 甲村 2025 submitted at 41.55 万
// with a note (flagged: below 50 万, 经营收入 -40.6%); 乙村 2025 submitted at 20 万
// (no last year, no flag).
func flaggedFixture(t *testing.T) (*env, *models.ReportVersion, *models.ReportVersion) {
	en := newEnv(t)
	en.approvedYear("v1", seeds.FixA1, 2024, models.ReportInput{BusinessFen: fen(70_000_000), ContractFen: fen(8_450_000)})
	note := "村办企业停产"
	if _, err := models.SaveDraft(en.db, en.actor("v1"), seeds.FixA1, 2025, models.ReportInput{BusinessFen: fen(41_550_000),
		ContractFen: fen(0), Note: &note, Version: 0}); err != nil {
		t.Fatal(err)
	}
	a1, err := models.Submit(en.db, en.actor("v1"), seeds.FixA1, 2025, nil)
	if err != nil {
		t.Fatal(err)
	}
	a2 := en.queued("v2", seeds.FixA2, 2025)
	return en, a1, a2
}

// The cadre's 保存并提交 of a flagged change without a note keeps the draft and
// answers 422 naming the flag beside the note; with a note it is submitted. The API
// answers 422 on note too, and the report JSON gives last_year and flags.
func TestFlaggedSubmitNeedsNote(t *testing.T) {
	en := newEnv(t)
	en.approvedYear("v1", seeds.FixA1, 2024, models.ReportInput{BusinessFen: fen(70_000_000), ContractFen: fen(8_450_000)})
	page := reportURL(seeds.FixA1, 2025)
	v1 := en.token("v1")
	form := url.Values{"version": {"0"}, "business_wan": {"41.55"}, "contract_wan": {"0"}, "action": {"submit"}}
	rec := en.page("POST", page, v1, form, true)
	body := rec.Body.String()
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(body, `id="note-error"`) ||
		!strings.Contains(body, "经营性收入跌破 50 万元线：上年 78.45 万元，本次 41.55 万元") || !strings.Contains(body, "草稿已保存") {
		t.Fatalf("flagged save+submit without a note: %d", rec.Code)
	}
	rep, _ := models.GetReport(en.db, en.actor("v1"), seeds.FixA1, 2025)
	if rep.Open == nil || rep.Open.Status != models.StatusDraft || rep.Open.BusinessFen != 41_550_000 {
		t.Fatalf("the draft was not kept: %+v", rep.Open)
	}
	// The cadre's page names the flags above the note.
	if b := en.page("GET", page, v1, nil, false).Body.String(); !strings.Contains(b, "提交时须在“说明”中写明原因") {
		t.Fatal("the draft's flags are not shown to the cadre")
	}
	// The API: refused without a note, accepted with one given at submission.
	path := "/api/v1/villages/" + seeds.FixA1 + "/reports/2025"
	code, resp := en.api("POST", path+"/submit", v1, map[string]any{"version": rep.Open.Version})
	if code != 422 || !strings.Contains(errorField(resp, "note"), "跌破 50 万元线") {
		t.Fatalf("API submit without a note: %d %v", code, resp)
	}
	if code, resp := en.api("POST", path+"/submit", v1, map[string]any{"version": rep.Open.Version, "note": 5}); code != 422 {
		t.Fatalf("a note that is not text: %d %v", code, resp)
	}
	code, resp = en.api("POST", path+"/submit", v1, map[string]any{"version": rep.Open.Version, "note": "村办企业停产"})
	if code != 200 || resp["note"] != "村办企业停产" || resp["status"] != "submitted" {
		t.Fatalf("API submit with a note: %d %v", code, resp)
	}
	code, resp = en.api("GET", path, en.token("s1"), nil)
	last, _ := resp["last_year"].(map[string]any)
	flags, _ := resp["flags"].([]any)
	if code != 200 || last == nil || last["operating_fen"] != float64(78_450_000) || len(flags) != 2 {
		t.Fatalf("report JSON: %d last_year=%v flags=%v", code, last, flags)
	}
	if f := flags[0].(map[string]any); f["code"] != models.FlagCross50w || f["field"] != "operating_fen" {
		t.Fatalf("first flag: %v", f)
	}
}

// errorField is the message of one field of an API error body.
func errorField(body map[string]any, field string) string {
	e, _ := body["error"].(map[string]any)
	fields, _ := e["fields"].(map[string]any)
	s, _ := fields[field].(string)
	return s
}

// The queue shows each report's flags, filters by flag, street and type, counts
// what is left, and keeps its filter to the review page, the decision and the next
// report (下一个). A street officer sees only its street's queue.
func TestQueueFlagsFilterAndNext(t *testing.T) {
	en, a1, a2 := flaggedFixture(t)
	a3 := en.queued("v1", seeds.FixA1, 2026) // no approved 2025 yet: no flag
	s1 := en.token("s1")
	body := en.page("GET", "/queue", s1, nil, false).Body.String()
	if !strings.Contains(body, "待审核 3 份") || !strings.Contains(body, "经营性收入跌破 50 万元线") || !strings.Contains(body, "2 项提示 · 未打开") ||
		!strings.Contains(body, "说明：村办企业停产") {
		t.Fatal("the queue lacks the count or the flags")
	}
	body = en.page("GET", "/queue?flag=cross_50w", s1, nil, false).Body.String()
	if !strings.Contains(body, "待审核 3 份，筛选后 1 份") || !strings.Contains(body, bulkItem(a1)) || strings.Contains(body, bulkItem(a2)) {
		t.Fatal("filter by flag")
	}
	body = en.page("GET", "/queue?flag=none&type="+url.QueryEscape("整治提升"), s1, nil, false).Body.String()
	if !strings.Contains(body, bulkItem(a2)) || strings.Contains(body, bulkItem(a3)) || strings.Contains(body, bulkItem(a1)) {
		t.Fatal("filter by no flag and type")
	}
	body = en.page("GET", "/queue?sort=flags", s1, nil, false).Body.String()
	if i, j := strings.Index(body, bulkItem(a1)), strings.Index(body, bulkItem(a2)); i < 0 || j < 0 || i > j {
		t.Fatal("sort by flags: the flagged report is not first")
	}
	// Another street's officer sees none of them.
	if b := en.page("GET", "/queue", en.token("s2"), nil, false).Body.String(); strings.Contains(b, "甲村") || strings.Contains(b, "经营性收入跌破") {
		t.Fatal("s2 sees s1's queue")
	}
	// Filtered to reports without flags: approving 乙村 leads to the next unflagged
	// report (甲村 2026), not the older flagged 甲村 2025, and keeps the filter.
	r2 := reportURL(seeds.FixA2, 2025)
	if b := en.page("GET", r2+"?flag=none", s1, nil, false).Body.String(); !strings.Contains(b, `name="flag" value="none"`) ||
		!strings.Contains(b, "筛选后待审核 2 份") {
		t.Fatal("the review page does not keep the filter")
	}
	rec := en.page("POST", r2+"/approve", s1, url.Values{"version": {strconv.Itoa(a2.Version)}, "flag": {"none"}}, true)
	if loc := rec.Header().Get("Location"); rec.Code != 303 || loc != reportURL(seeds.FixA1, 2026)+"?flag=none" {
		t.Fatalf("after approve: %d → %s", rec.Code, loc)
	}
	rec = en.page("POST", reportURL(seeds.FixA1, 2026)+"/approve", s1, url.Values{"version": {strconv.Itoa(a3.Version)}, "flag": {"none"}}, true)
	if loc := rec.Header().Get("Location"); rec.Code != 303 || loc != "/queue?flag=none" {
		t.Fatalf("after the last of the filter: %d → %s", rec.Code, loc)
	}
}

// A bulk approval lists the flagged reports the officer has not opened apart and
// does not approve them; forced by POST it answers 409 for them. Once the officer
// opened the review page, the report is approved in bulk.
func TestBulkApprovalRefusesUnopenedFlagged(t *testing.T) {
	en, a1, a2 := flaggedFixture(t)
	s1 := en.token("s1")
	rec := en.page("POST", "/queue/approve", s1, url.Values{"item": {bulkItem(a1), bulkItem(a2)}, "flag": {"any"}}, true)
	body := rec.Body.String()
	if rec.Code != 200 || !strings.Contains(body, "确认通过 1 份") || !strings.Contains(body, "尚未打开审阅的报表（1 份") ||
		!strings.Contains(body, `<input type="hidden" name="item" value="`+bulkItem(a2)+`">`) ||
		strings.Contains(body, `<input type="hidden" name="item" value="`+bulkItem(a1)+`">`) {
		t.Fatalf("confirmation: %d", rec.Code)
	}
	status := func(v *models.ReportVersion) string {
		var r models.ReportVersion
		en.db.Take(&r, v.ID)
		return r.Status
	}
	rec = en.page("POST", "/queue/approve", s1, url.Values{"item": {bulkItem(a1), bulkItem(a2)}, "confirm": {"1"}}, true)
	if rec.Code != http.StatusConflict || status(a1) != models.StatusSubmitted || status(a2) != models.StatusApproved ||
		!strings.Contains(rec.Body.String(), "须先打开审阅") {
		t.Fatalf("forced: %d %s %s", rec.Code, status(a1), status(a2))
	}
	// Another officer's opening does not count; this officer's does.
	if en.page("GET", reportURL(seeds.FixA1, 2025), s1, nil, false).Code != 200 {
		t.Fatal("review page")
	}
	var n int64
	en.db.Model(&models.ReportOpening{}).Where("version_id = ?", a1.ID).Count(&n)
	if n != 1 {
		t.Fatalf("%d openings recorded", n)
	}
	if b := en.page("GET", "/queue", s1, nil, false).Body.String(); !strings.Contains(b, "2 项提示 · 已打开") {
		t.Fatal("the queue does not say the report was opened")
	}
	rec = en.page("POST", "/queue/approve", s1, url.Values{"item": {bulkItem(a1)}, "confirm": {"1"}}, true)
	if rec.Code != 303 || status(a1) != models.StatusApproved {
		t.Fatalf("after opening: %d %s", rec.Code, status(a1))
	}
}

// The queue's flags cost the same statements for one report or several.
func TestQueueStatementsFixed(t *testing.T) {
	en, _, _ := flaggedFixture(t)
	s1 := en.token("s1")
	one := en.statements(func() { en.page("GET", "/queue", s1, nil, false) })
	en.queued("v1", seeds.FixA1, 2026)
	en.queued("v3", seeds.FixA3, 2024)
	three := en.statements(func() { en.page("GET", "/queue", s1, nil, false) })
	if one.Total() != three.Total() {
		t.Fatalf("queue of 2: %s; of 4: %s", one, three)
	}
}

// The district sets the thresholds on the windows page and through the API; a
// street reads them; a bad value is a 422 naming the field.
func TestFlagSettings(t *testing.T) {
	en := newEnv(t)
	d := en.token("d")
	if b := en.page("GET", "/windows", d, nil, false).Body.String(); !strings.Contains(b, "审核提示阈值") || !strings.Contains(b, `value="30"`) {
		t.Fatal("the windows page lacks the thresholds form")
	}
	rec := en.page("POST", "/windows/flags", d, url.Values{"change_bp": {"25"}, "change_fen": {"8"}, "median_k100": {"1"}}, true)
	if rec.Code != 422 || !strings.Contains(rec.Body.String(), `id="median_k100-error"`) {
		t.Fatalf("k = 1: %d", rec.Code)
	}
	rec = en.page("POST", "/windows/flags", d, url.Values{"change_bp": {"25"}, "change_fen": {"8"}, "median_k100": {"2.5"}}, true)
	if rec.Code != 303 {
		t.Fatalf("save: %d", rec.Code)
	}
	code, body := en.api("GET", "/api/v1/settings/flags", en.token("s1"), nil)
	if code != 200 || body["change_bp"] != float64(2500) || body["change_fen"] != float64(8_000_000) || body["median_k100"] != float64(250) {
		t.Fatalf("GET: %d %v", code, body)
	}
	if hist, _ := body["history"].([]any); len(hist) != 3 {
		t.Fatalf("history: %v", body["history"])
	}
	code, body = en.api("PUT", "/api/v1/settings/flags", d, map[string]any{"change_bp": 50})
	if code != 422 || errorField(body, "change_bp") == "" {
		t.Fatalf("PUT 0.5%%: %d %v", code, body)
	}
	code, body = en.api("PUT", "/api/v1/settings/flags", d, map[string]any{"median_k100": 400})
	if code != 200 || body["median_k100"] != float64(400) || body["change_bp"] != float64(2500) {
		t.Fatalf("PUT k: %d %v", code, body)
	}
}
