package handlers

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"cunji/models"
	"cunji/seeds"
)

// TestAPIBadValues: every unusable value answers 422 naming the field, malformed
// bodies 400, and nothing is written.
func TestAPIBadValues(t *testing.T) {
	en := newEnv(t)
	tok := en.token("v1")
	path := "/api/v1/villages/" + seeds.FixA1 + "/reports/2025"
	cases := []struct {
		name   string
		path   string
		body   any
		status int
		field  string
	}{
		{"negative", path, map[string]any{"business_fen": -1}, 422, "business_fen"},
		{"negative subsidy", path, map[string]any{"subsidy_fen": -5}, 422, "subsidy_fen"},
		{"non-numeric", path, map[string]any{"contract_fen": "abc"}, 422, "contract_fen"},
		{"numeric string", path, map[string]any{"contract_fen": "100"}, 422, "contract_fen"},
		{"fraction of a fen", path, map[string]any{"other_fen": 1.5}, 422, "other_fen"},
		{"enormous", path, `{"assets_fen": 100000000000000000000}`, 422, "assets_fen"},
		{"over the limit", path, map[string]any{"assets_fen": models.MaxAmountFen + 1}, 422, "assets_fen"},
		{"star 4", path, map[string]any{"star_rating": 4}, 422, "star_rating"},
		{"star text", path, map[string]any{"star_rating": "三"}, 422, "star_rating"},
		{"hemei not bool", path, map[string]any{"hemei_built": "是"}, 422, "hemei_built"},
		{"note too long", path, map[string]any{"note": strings.Repeat("注", 2001)}, 422, "note"},
		{"note not text", path, map[string]any{"note": 5}, 422, "note"},
		{"negative version", path, map[string]any{"version": -1}, 422, "version"},
		{"year before the plan", "/api/v1/villages/" + seeds.FixA1 + "/reports/2022", map[string]any{"business_fen": 1}, 422, "year"},
		{"year after the plan", "/api/v1/villages/" + seeds.FixA1 + "/reports/2030", map[string]any{"business_fen": 1}, 422, "year"},
		{"malformed JSON", path, `{"business_fen": `, 400, ""},
		{"not an object", path, `[1,2]`, 400, ""},
		{"empty body", path, ``, 400, ""},
		{"year not a number", "/api/v1/villages/" + seeds.FixA1 + "/reports/abc", map[string]any{}, 404, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := en.state()
			code, body := en.api("PUT", tc.path, tok, tc.body)
			if code != tc.status {
				t.Fatalf("status %d, want %d: %v", code, tc.status, body)
			}
			e := errorShape(t, body)
			if tc.field != "" {
				fields, _ := e["fields"].(map[string]any)
				if msg, _ := fields[tc.field].(string); !isChinese(msg) {
					t.Fatalf("field %s not named in Chinese: %v", tc.field, e)
				}
			}
			if en.state() != before {
				t.Fatal("state changed")
			}
		})
	}
	// Reject without a reason, and with a reason that is not text.
	if _, err := models.SaveDraft(en.db, en.actor("v1"), seeds.FixA1, 2025, models.ReportInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := models.Submit(en.db, en.actor("v1"), seeds.FixA1, 2025, nil); err != nil {
		t.Fatal(err)
	}
	for _, body := range []any{map[string]any{}, map[string]any{"reason": ""}, map[string]any{"reason": 3}, `{"reason":`} {
		before := en.state()
		code, resp := en.api("POST", path+"/reject", en.token("s1"), body)
		if code != 422 && code != 400 {
			t.Fatalf("reject %v: %d %v", body, code, resp)
		}
		if en.state() != before {
			t.Fatal("state changed")
		}
	}
}

// TestAPIStaleVersion: a stale version answers 409 and changes nothing; so do
// actions in the wrong state.
func TestAPIStaleVersion(t *testing.T) {
	en := newEnv(t)
	tok := en.token("v1")
	path := "/api/v1/villages/" + seeds.FixA1 + "/reports/2025"
	code, v := en.api("PUT", path, tok, map[string]any{"business_fen": 1, "version": 0})
	if code != 200 || v["version"].(float64) != 1 {
		t.Fatalf("first save: %d %v", code, v)
	}
	code, v = en.api("PUT", path, tok, map[string]any{"business_fen": 2, "version": 1})
	if code != 200 || v["version"].(float64) != 2 || v["business_fen"].(float64) != 2 {
		t.Fatalf("second save: %d %v", code, v)
	}
	steps := []struct {
		method, path string
		tok          string
		body         any
	}{
		{"PUT", path, tok, map[string]any{"business_fen": 3, "version": 1}}, // someone saved since
		{"PUT", path, tok, map[string]any{"business_fen": 3, "version": 0}}, // "new" draft while one is open
		{"POST", path + "/submit", tok, map[string]any{"version": 1}},
		{"POST", path + "/approve", en.token("s1"), nil}, // a draft cannot be approved
		{"POST", path + "/reject", en.token("s1"), map[string]any{"reason": "x"}},
	}
	for _, s := range steps {
		before := en.state()
		code, body := en.api(s.method, s.path, s.tok, s.body)
		if code != http.StatusConflict {
			t.Fatalf("%s %s %v: %d, want 409 (%v)", s.method, s.path, s.body, code, body)
		}
		errorShape(t, body)
		if en.state() != before {
			t.Fatal("state changed")
		}
	}
	if code, _ := en.api("POST", path+"/submit", tok, map[string]any{"version": 2}); code != 200 {
		t.Fatalf("submit: %d", code)
	}
	if code, _ := en.api("POST", path+"/approve", en.token("s1"), map[string]any{"version": 2}); code != 409 {
		t.Fatalf("approve with the pre-submission version: %d, want 409", code)
	}
	code, body := en.api("POST", path+"/approve", en.token("s1"), map[string]any{"version": 3})
	if code != 200 || body["status"] != "approved" {
		t.Fatalf("approve: %d %v", code, body)
	}
	if code, _ := en.api("POST", path+"/approve", en.token("s1"), nil); code != 409 {
		t.Fatalf("second approval: %d, want 409", code)
	}
}

// TestPageFormErrors: the cadre's form re-renders with 422 and the messages beside
// the fields, keeping what was typed, and writes nothing.
func TestPageFormErrors(t *testing.T) {
	en := newEnv(t)
	path := "/villages/" + seeds.FixA1 + "/reports/2025"
	cases := []struct {
		name  string
		form  url.Values
		field string
		msg   string
	}{
		{"non-numeric", url.Values{"business_wan": {"五十"}}, "business_wan", "请填写数字"},
		{"a separator outside groups of three", url.Values{"business_wan": {"1,5"}}, "business_wan", "请填写数字"},
		{"negative", url.Values{"contract_wan": {"-1"}}, "contract_wan", "不能为负数"},
		{"enormous", url.Values{"assets_wan": {"123456789012"}}, "assets_wan", "金额过大"},
		{"too precise", url.Values{"other_wan": {"1.1234567"}}, "other_wan", "最多 6 位小数"},
		{"note too long", url.Values{"note": {strings.Repeat("注", 2001)}}, "note", "最多 2000 字"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			form := url.Values{"version": {"0"}, "star_rating": {"1"}}
			for k, v := range tc.form {
				form[k] = v
			}
			before := en.state()
			rec := en.page("POST", path, en.token("v1"), form, true)
			if rec.Code != http.StatusUnprocessableEntity {
				t.Fatalf("status %d", rec.Code)
			}
			html := rec.Body.String()
			if !strings.Contains(html, tc.msg) || !strings.Contains(html, `aria-describedby="`+tc.field+`-error"`) {
				t.Fatalf("no message %q tied to %s", tc.msg, tc.field)
			}
			// A select offers only valid stars: the typed 4 has nowhere to show (this
			// passed before only because the fixed test CSRF token held a "4").
			if v := tc.form.Get(tc.field); len(v) < 100 && tc.field != "star_rating" && !strings.Contains(html, v) {
				t.Fatalf("typed value %q lost", v)
			}
			if en.state() != before {
				t.Fatal("state changed")
			}
		})
	}
	// A year outside the plan is refused with a page-level message.
	before := en.state()
	rec := en.page("POST", "/villages/"+seeds.FixA1+"/reports/2031", en.token("v1"), url.Values{"version": {"0"}, "star_rating": {"0"}}, true)
	if rec.Code != http.StatusNotFound && rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("year 2031: %d", rec.Code)
	}
	if en.state() != before {
		t.Fatal("state changed")
	}
	// A stale version re-renders with 409.
	form := url.Values{"version": {"0"}, "star_rating": {"1"}, "business_wan": {"10"}}
	if rec := en.page("POST", path, en.token("v1"), form, true); rec.Code != http.StatusSeeOther {
		t.Fatalf("first save: %d %s", rec.Code, rec.Body.String())
	}
	before = en.state()
	rec = en.page("POST", path, en.token("v1"), form, true)
	if rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), "版本号已过期") {
		t.Fatalf("stale page save: %d", rec.Code)
	}
	if en.state() != before {
		t.Fatal("state changed")
	}
}

// TestHostileText: HTML in notes and reasons is stored as typed and shown escaped.
func TestHostileText(t *testing.T) {
	en := newEnv(t)
	evil := `<script>alert("x")</script>'"; DROP TABLE villages; --`
	path := "/api/v1/villages/" + seeds.FixA1 + "/reports/2025"
	if code, b := en.api("PUT", path, en.token("v1"), map[string]any{"note": evil}); code != 200 || b["note"] != evil {
		t.Fatalf("save: %d %v", code, b)
	}
	en.api("POST", path+"/submit", en.token("v1"), nil)
	if code, b := en.api("POST", path+"/reject", en.token("s1"), map[string]any{"reason": evil}); code != 200 || b["reject_reason"] != evil {
		t.Fatalf("reject: %d %v", code, b)
	}
	for _, who := range []string{"v1", "s1"} {
		for _, p := range []string{"/villages/" + seeds.FixA1 + "/reports/2025", "/villages/" + seeds.FixA1, "/audit"} {
			if who == "v1" && p == "/audit" {
				continue
			}
			html := en.page("GET", p, en.token(who), nil, false).Body.String()
			if strings.Contains(html, "<script>alert") {
				t.Fatalf("%s as %s shows unescaped script", p, who)
			}
		}
	}
	html := en.page("GET", "/villages/"+seeds.FixA1+"/reports/2025", en.token("v1"), nil, false).Body.String()
	if !strings.Contains(html, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;") {
		t.Fatal("escaped reason not shown")
	}
	var n int64
	en.db.Model(&models.Village{}).Count(&n)
	if n != 4 {
		t.Fatal("villages table damaged")
	}
}

// TestReportPageEvidenceError: when the evidence files cannot be read, the report
// page fails (500) rather than showing the report as if it had no evidence.
func TestReportPageEvidenceError(t *testing.T) {
	en := newEnv(t)
	six := int64(60_000_000)
	if _, err := models.SaveDraft(en.db, en.actor("v1"), seeds.FixA1, 2025, models.ReportInput{BusinessFen: &six}); err != nil {
		t.Fatal(err)
	}
	path := "/villages/" + seeds.FixA1 + "/reports/2025"
	if rec := en.page("GET", path, en.token("v1"), nil, false); rec.Code != http.StatusOK {
		t.Fatalf("report page: %d", rec.Code)
	}
	if err := en.db.Migrator().DropTable(&models.EvidenceFile{}); err != nil {
		t.Fatal(err)
	}
	// The page read before is kept until the data revision moves.
	en.moveRevision()
	if rec := en.page("GET", path, en.token("v1"), nil, false); rec.Code != http.StatusInternalServerError {
		t.Fatalf("report page without its evidence table: %d, want 500", rec.Code)
	}
}

// TestReportYearSettingError: a report read fails (500) when the last reporting
// year cannot be read, instead of answering as if the plan's final year were set.
func TestReportYearSettingError(t *testing.T) {
	en := newEnv(t)
	if err := en.db.Save(&models.Setting{Key: "last_open_year", Value: "x"}).Error; err != nil {
		t.Fatal(err)
	}
	code, body := en.api("GET", "/api/v1/villages/"+seeds.FixA1+"/reports/2025", en.token("v1"), nil)
	if code != http.StatusInternalServerError {
		t.Fatalf("report with an unreadable last year: %d %v", code, body)
	}
}
