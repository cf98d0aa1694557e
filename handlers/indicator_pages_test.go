package handlers

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"cunji/models"
	"cunji/seeds"
)

// indicatorState is everything an indicator route could change besides en.state():
// definitions, their history and the values.
func (en *env) indicatorState() string {
	en.t.Helper()
	var ds []models.Indicator
	var rs []models.IndicatorRevision
	var vs []models.IndicatorValue
	en.db.Order("id").Find(&ds)
	en.db.Order("id").Find(&rs)
	en.db.Order("id").Find(&vs)
	b, _ := json.Marshal([]any{ds, rs, vs})
	return en.state() + string(b)
}

// indicatorPagesEnv is indicatorEnv with 甲村's 电商专业村 2025 submitted (version 2)
// and 乙村's a draft (version 1).
func indicatorPagesEnv(t *testing.T) *env {
	en := indicatorEnv(t)
	if code, body := en.api("PUT", indA1, en.token("v1"), map[string]any{"value": 1}); code != 200 {
		t.Fatalf("save: %d %v", code, body)
	}
	if code, body := en.api("POST", indA1+"/submit", en.token("v1"), map[string]any{"version": 1}); code != 200 {
		t.Fatalf("submit: %d %v", code, body)
	}
	a2 := "/api/v1/indicators/ecommerce_village/values/" + seeds.FixA2 + "/2025"
	if code, body := en.api("PUT", a2, en.token("v2"), map[string]any{"value": 0}); code != 200 {
		t.Fatalf("save: %d %v", code, body)
	}
	return en
}

// TestIndicatorRouteMatrix: every new indicator route (pages and the roll-up API) ×
// every identity: a refusal changes nothing; a permitted write redirects and changes
// something, in a fresh database. A cadre reaches only their own village, a street
// officer only their street.
func TestIndicatorRouteMatrix(t *testing.T) {
	pv := "/indicators/ecommerce_village/values/"
	a1, a2 := pv+seeds.FixA1+"/2025", pv+seeds.FixA2+"/2025"
	def := url.Values{"name": {"电商专业村（改）"}, "kind": {"yesno"}, "unit": {"个"}, "entered_by": {"village"},
		"from_year": {"2023"}, "rollup": {"count_yes"}, "version": {"1"}}
	create := url.Values{"code": {"rural_museum"}, "name": {"乡村博物馆"}, "kind": {"yesno"}, "unit": {"个"},
		"entered_by": {"village"}, "from_year": {"2023"}, "rollup": {"count_yes"}, "plan": {"1"}}
	type pr struct {
		method, path string
		form         url.Values
		api          bool
	}
	routes := map[string]pr{
		"list":     {"GET", "/indicators", nil, false},
		"new":      {"GET", "/indicators/new", nil, false},
		"create":   {"POST", "/indicators/new", create, false},
		"edit":     {"GET", "/indicators/ecommerce_village/edit", nil, false},
		"update":   {"POST", "/indicators/ecommerce_village/edit", def, false},
		"rollup":   {"GET", "/indicators/ecommerce_village/rollup?year=2025", nil, false},
		"rollup-b": {"GET", "/indicators/ecommerce_village/rollup?year=2025&street=331002002", nil, false},
		"export":   {"GET", "/indicators/ecommerce_village/rollup?year=2025&format=csv", nil, false},
		"value":    {"GET", a1, nil, false},
		"save":     {"POST", a2, url.Values{"value": {"1"}, "version": {"1"}}, false},
		"submit":   {"POST", a2 + "/submit", url.Values{"version": {"1"}}, false},
		"withdraw": {"POST", a1 + "/withdraw", url.Values{"version": {"2"}}, false},
		"approve":  {"POST", a1 + "/approve", url.Values{"version": {"2"}}, false},
		"reject":   {"POST", a1 + "/reject", url.Values{"version": {"2"}, "reason": {"与台账不符"}}, false},
		"api":      {"GET", "/api/v1/indicators/ecommerce_village/rollup?year=2025", nil, true},
		"api-b":    {"GET", "/api/v1/indicators/ecommerce_village/rollup?year=2025&street=331002002", nil, true},
		"api-csv":  {"GET", "/api/v1/indicators/ecommerce_village/rollup?year=2025&format=xlsx", nil, true},
		"import":   {"POST", "/indicators/boutique_village/import", url.Values{"year": {"2025"}}, false},
		"import-v": {"POST", "/indicators/ecommerce_village/import", url.Values{"year": {"2025"}}, false},
	}
	// 0: a permitted write (303, checked in a fresh database).
	want := map[string]map[string]int{
		"v1": {"import": 403, "import-v": 403, "list": 200, "new": 403, "create": 403, "edit": 403, "update": 403, "rollup": 403, "rollup-b": 403, "export": 403,
			"value": 200, "save": 404, "submit": 404, "withdraw": 0, "approve": 403, "reject": 403, "api": 403, "api-b": 403, "api-csv": 403},
		"v2": {"import": 403, "import-v": 403, "list": 200, "new": 403, "create": 403, "edit": 403, "update": 403, "rollup": 403, "rollup-b": 403, "export": 403,
			"value": 404, "save": 0, "submit": 0, "withdraw": 404, "approve": 403, "reject": 403, "api": 403, "api-b": 403, "api-csv": 403},
		"v4": {"import": 403, "import-v": 403, "list": 200, "new": 403, "create": 403, "edit": 403, "update": 403, "rollup": 403, "rollup-b": 403, "export": 403,
			"value": 404, "save": 404, "submit": 404, "withdraw": 404, "approve": 403, "reject": 403, "api": 403, "api-b": 403, "api-csv": 403},
		"s1": {"import": 403, "import-v": 403, "list": 200, "new": 403, "create": 403, "edit": 403, "update": 403, "rollup": 200, "rollup-b": 404, "export": 200,
			"value": 200, "save": 403, "submit": 403, "withdraw": 403, "approve": 0, "reject": 0, "api": 200, "api-b": 404, "api-csv": 200},
		"s2": {"import": 403, "import-v": 403, "list": 200, "new": 403, "create": 403, "edit": 403, "update": 403, "rollup": 200, "rollup-b": 200, "export": 200,
			"value": 404, "save": 404, "submit": 403, "withdraw": 403, "approve": 404, "reject": 404, "api": 200, "api-b": 200, "api-csv": 200},
		"d": {"import": 303, "import-v": 403, "list": 200, "new": 200, "create": 0, "edit": 200, "update": 0, "rollup": 200, "rollup-b": 200, "export": 200,
			"value": 200, "save": 403, "submit": 403, "withdraw": 403, "approve": 403, "reject": 403, "api": 200, "api-b": 200, "api-csv": 200},
	}
	send := func(en *env, r pr, who string) int {
		if r.api {
			code, _ := en.api(r.method, r.path, en.token(who), nil)
			return code
		}
		return en.page(r.method, r.path, en.token(who), r.form, true).Code
	}
	en := indicatorPagesEnv(t)
	for name, r := range routes {
		t.Run(name+"/anonymous", func(t *testing.T) {
			before := en.indicatorState()
			var code int
			if r.api {
				code, _ = en.api(r.method, r.path, "", nil)
			} else {
				code = en.page(r.method, r.path, "", r.form, true).Code
			}
			if (r.api || r.method == "POST") && code != http.StatusUnauthorized || !r.api && r.method == "GET" && code != http.StatusSeeOther {
				t.Fatalf("anonymous %s %s: %d", r.method, r.path, code)
			}
			if en.indicatorState() != before {
				t.Fatal("state changed")
			}
		})
		if r.method == "POST" {
			t.Run(name+"/no-csrf", func(t *testing.T) {
				before := en.indicatorState()
				if rec := en.page(r.method, r.path, en.token("d"), r.form, false); rec.Code != http.StatusForbidden {
					t.Fatalf("POST %s without CSRF token: %d", r.path, rec.Code)
				}
				if en.indicatorState() != before {
					t.Fatal("state changed")
				}
			})
		}
		for who, codes := range want {
			exp, ok := codes[name]
			if !ok {
				t.Fatalf("no expectation for %s as %s", name, who)
			}
			if exp == 0 {
				continue
			}
			t.Run(name+"/"+who, func(t *testing.T) {
				before := en.indicatorState()
				if code := send(en, r, who); code != exp {
					t.Fatalf("%s %s as %s: %d, want %d", r.method, r.path, who, code, exp)
				}
				if en.indicatorState() != before {
					t.Fatal("state changed")
				}
			})
		}
	}
	for who, codes := range want {
		for name, exp := range codes {
			if exp != 0 {
				continue
			}
			t.Run("permitted/"+name+"/"+who, func(t *testing.T) {
				en := indicatorPagesEnv(t)
				r := routes[name]
				before := en.indicatorState()
				if code := send(en, r, who); code != http.StatusSeeOther {
					t.Fatalf("%s %s as %s: %d", r.method, r.path, who, code)
				}
				if en.indicatorState() == before {
					t.Fatal("a permitted write changed nothing")
				}
			})
		}
	}
}

// TestIndicatorPagesFlow: the district defines an indicator on the page (Chinese
// field errors first), a cadre saves, submits, withdraws and resubmits on the value
// page, the street rejects (a reason required) and approves from its queue, the
// district assigns a target, and the roll-up page, its JSON, its CSV and the 通报
// show the value against the target.
func TestIndicatorPagesFlow(t *testing.T) {
	en := newEnv(t)
	bad := url.Values{"code": {"Bad Code"}, "name": {""}, "kind": {"yesno"}, "entered_by": {"village"}, "from_year": {"abc"},
		"rollup": {"sum"}}
	rec := en.page("POST", "/indicators/new", en.token("d"), bad, true)
	if rec.Code != 422 {
		t.Fatalf("bad definition: %d", rec.Code)
	}
	for _, s := range []string{"起始年度须为四位年份", "aria-invalid", "代码须为", "请填写指标名称", "不能合计"} {
		if !strings.Contains(rec.Body.String(), s) {
			t.Fatalf("bad definition page lacks %q", s)
		}
	}
	bad.Set("from_year", "2023")
	rec = en.page("POST", "/indicators/new", en.token("d"), bad, true)
	for _, s := range []string{"代码须为", "请填写指标名称", "不能合计"} {
		if rec.Code != 422 || !strings.Contains(rec.Body.String(), s) {
			t.Fatalf("model errors: %d, lacks %q", rec.Code, s)
		}
	}
	good := url.Values{"code": {"rural_museum"}, "name": {"乡村博物馆"}, "kind": {"yesno"}, "unit": {"个"},
		"entered_by": {"village"}, "from_year": {"2023"}, "rollup": {"count_yes"}, "plan": {"1"}, "wording": {"建成乡村博物馆"}}
	if rec := en.page("POST", "/indicators/new", en.token("d"), good, true); rec.Code != 303 {
		t.Fatalf("define: %d %s", rec.Code, rec.Body.String())
	}
	vp := "/indicators/rural_museum/values/" + seeds.FixA1 + "/2025"
	if rec := en.page("GET", "/indicators?year=2025", en.token("v1"), nil, false); rec.Code != 200 ||
		!strings.Contains(rec.Body.String(), `href="`+vp+`"`) || !strings.Contains(rec.Body.String(), "方案") {
		t.Fatalf("the cadre's catalogue: %d", rec.Code)
	}
	page := func(who, path string) string {
		t.Helper()
		rec := en.page("GET", path, en.token(who), nil, false)
		if rec.Code != 200 {
			t.Fatalf("GET %s as %s: %d", path, who, rec.Code)
		}
		return rec.Body.String()
	}
	if p := page("v1", vp); !strings.Contains(p, "尚未填报") || !strings.Contains(p, `type="radio"`) {
		t.Fatal("an empty value page without its stepper or choice")
	}
	if rec := en.page("POST", vp, en.token("v1"), url.Values{"value": {""}, "version": {"0"}}, true); rec.Code != 422 ||
		!strings.Contains(rec.Body.String(), "请选择“是”或“否”") {
		t.Fatalf("no choice: %d", rec.Code)
	}
	post := func(who, path string, form url.Values, to string) {
		t.Helper()
		rec := en.page("POST", path, en.token(who), form, true)
		if rec.Code != 303 || (to != "" && rec.Header().Get("Location") != to) {
			t.Fatalf("POST %s as %s: %d → %s %s", path, who, rec.Code, rec.Header().Get("Location"), rec.Body.String())
		}
	}
	post("v1", vp, url.Values{"value": {"1"}, "version": {"0"}, "action": {"submit"}}, vp)
	if p := page("v1", vp); !strings.Contains(p, "等待街道审核") || !strings.Contains(p, "撤回修改") {
		t.Fatal("a submitted value's page")
	}
	post("v1", vp+"/withdraw", url.Values{"version": {"2"}}, vp)
	post("v1", vp+"/submit", url.Values{"version": {"3"}}, vp)
	if h := page("s1", "/"); !strings.Contains(h, "审核 1 项指标填报") {
		t.Fatal("the street's 待办 does not count the value")
	}
	q := page("s1", "/queue")
	if !strings.Contains(q, "乡村博物馆") || !strings.Contains(q, "甲村") {
		t.Fatal("the street's queue lacks the value")
	}
	if !strings.Contains(page("s2", "/queue"), "没有等待审核的指标填报") {
		t.Fatal("another street's queue shows the value")
	}
	rec = en.page("POST", vp+"/reject", en.token("s1"), url.Values{"version": {"4"}, "from": {"queue"}}, true)
	if rec.Code != 422 || !strings.Contains(rec.Body.String(), "请填写退回理由") {
		t.Fatalf("reject without a reason: %d", rec.Code)
	}
	post("s1", vp+"/reject", url.Values{"version": {"4"}, "from": {"queue"}, "reason": {"请附建成照片"}}, "/queue")
	if p := page("v1", vp); !strings.Contains(p, "请附建成照片") {
		t.Fatal("the rejection's reason is not on the cadre's page")
	}
	post("v1", vp, url.Values{"value": {"1"}, "version": {"0"}, "action": {"submit"}}, vp)
	s, err := models.GetIndicatorValue(en.db, en.actor("v1"), "rural_museum", seeds.FixA1, 2025)
	if err != nil || s.Open == nil {
		t.Fatal(s, err)
	}
	post("s1", vp+"/approve", url.Values{"version": {strconv.Itoa(s.Open.Version)}, "from": {"queue"}}, "/queue")
	// A target of 2 villages for the district, set on the targets page by code.
	post("d", "/targets", url.Values{"scope_code": {seeds.DistrictCode}, "indicator": {"rural_museum"}, "year": {"2025"}, "value": {"2"}}, "")
	if p := page("d", "/indicators?year=2025"); !strings.Contains(p, "2025 年目标：全区 2 个村") {
		t.Fatal("the catalogue does not show the year's target")
	}
	rp := page("d", "/indicators/rural_museum/rollup?year=2025")
	if n, m := strings.Count(rp, "<details"), strings.Count(rp, "</details>"); n != m {
		t.Fatalf("the roll-up page opens %d details and closes %d", n, m)
	}
	for _, s := range []string{"1 个村", "本年目标 2 个村", "还需 1 个村", "预警名单", "未下达目标", "进行中", "甲村", "历年（截至同一时点）", `href="?year=2023&amp;street="`} {
		if !strings.Contains(rp, s) {
			t.Fatalf("the roll-up page lacks %q", s)
		}
	}
	code, js := en.api("GET", "/api/v1/indicators/rural_museum/rollup?year=2025", en.token("s1"), nil)
	total, _ := js["total"].(map[string]any)
	if code != 200 || total["yes"] != 1.0 || total["villages"] != 2.0 || js["scope_code"] != "331002001" || js["in_progress"] != true {
		t.Fatalf("the street's JSON: %d %v", code, js)
	}
	code, js = en.api("GET", "/api/v1/indicators/rural_museum/rollup?year=2025", en.token("d"), nil)
	total, _ = js["total"].(map[string]any)
	if code != 200 || total["yes"] != 1.0 || total["target"] != 2.0 || total["color"] != "" {
		t.Fatalf("the district's JSON: %d %v", code, js)
	}
	raw := en.page("GET", "/indicators/rural_museum/rollup?year=2025&format=csv", en.token("d"), nil, false)
	for _, s := range []string{"截至（as_of）", "2025 年度", "乡村博物馆", "331002"} {
		if raw.Code != 200 || !strings.Contains(raw.Body.String(), s) {
			t.Fatalf("the CSV lacks %q: %d", s, raw.Code)
		}
	}
	rows := en.download("/api/v1/indicators/rural_museum/rollup?year=2025", en.token("d"), "xlsx")
	if len(rows) < 2 || rows[1][0] != "合计" || rows[1][4] != "1" {
		t.Fatalf("the XLSX rows: %v", rows)
	}
	if b := page("d", "/bulletin?year=2025"); !strings.Contains(b, "实施方案其他指标") || !strings.Contains(b, "乡村博物馆") {
		t.Fatal("the 通报 lacks the catalogue section")
	}
	// A title the district names: entered on its value page, in force at once; an entry
	// naming a stale version is refused.
	if code, b := en.api("POST", "/api/v1/indicators", en.token("d"), map[string]any{"code": "boutique_village", "name": "省级特色精品村",
		"kind": "title", "unit": "个", "entered_by": "district", "from_year": 2023, "rollup": "count_yes"}); code != 201 {
		t.Fatalf("define a title: %d %v", code, b)
	}
	bp := "/indicators/boutique_village/values/" + seeds.FixB1 + "/2025"
	if p := page("d", bp); !strings.Contains(p, "录入（即时生效）") || !strings.Contains(p, "已命名") || strings.Contains(p, "ol class=\"stepper\"") {
		t.Fatal("the district's entry page")
	}
	if p := page("v4", bp); strings.Contains(p, "<form method=\"post\" action=\""+bp+"\"") {
		t.Fatal("a cadre is offered the district's entry")
	}
	post("d", bp, url.Values{"value": {"1"}, "version": {"0"}, "note": {"浙农〔2025〕8号"}}, bp)
	if p := page("s2", bp); !strings.Contains(p, "生效值：<b>已命名</b>") {
		t.Fatal("the entry is not in force")
	}
	if rec := en.page("POST", bp, en.token("d"), url.Values{"value": {"0"}, "version": {"0"}}, true); rec.Code != 409 {
		t.Fatalf("a stale entry: %d", rec.Code)
	}
	// An amount in 万元, exactly.
	if code, b := en.api("POST", "/api/v1/indicators", en.token("d"), map[string]any{"code": "enclave_income", "name": "飞地抱团收益",
		"kind": "amount", "unit": "万元", "entered_by": "village", "from_year": 2023, "rollup": "sum"}); code != 201 {
		t.Fatalf("define an amount: %d %v", code, b)
	}
	ap := "/indicators/enclave_income/values/" + seeds.FixA1 + "/2025"
	if p := page("v1", ap); !strings.Contains(p, `inputmode="decimal"`) {
		t.Fatal("an amount's input is not decimal")
	}
	post("v1", ap, url.Values{"value": {"12.5"}, "version": {"0"}}, ap)
	if code, b := en.api("GET", "/api/v1"+ap, en.token("v1"), nil); code != 200 || b["open"].(map[string]any)["value"] != 12_500_000.0 {
		t.Fatalf("12.5 万元: %d %v", code, b)
	}
}

// TestIndicatorEvidence: the cadre attaches files to the open draft of a value (page
// and API, within the quotas); none to a submitted version (409), none for another
// village (404) or by a street (403); the street reads them on the value page and
// downloads them, another street cannot (404).
func TestIndicatorEvidence(t *testing.T) {
	en := indicatorPagesEnv(t)
	a2 := "/indicators/ecommerce_village/values/" + seeds.FixA2 + "/2025"
	a1 := "/indicators/ecommerce_village/values/" + seeds.FixA1 + "/2025"
	refusals := []struct {
		who, path string
		page      bool
		want      int
	}{
		{"v4", "/api/v1" + a2 + "/files", false, 404},
		{"v1", "/api/v1" + a2 + "/files", false, 404},
		{"s1", "/api/v1" + a2 + "/files", false, 403},
		{"d", "/api/v1" + a2 + "/files", false, 403},
		{"s2", "/api/v1" + a2 + "/files", false, 403},
		{"v2", "/api/v1/indicators/ecommerce_village/values/" + seeds.FixB1 + "/2025/files", false, 404},
		{"v1", "/api/v1" + a1 + "/files", false, 409},
		{"v4", a2 + "/files", true, 404},
		{"s1", a2 + "/files", true, 403},
	}
	for _, r := range refusals {
		before, files := en.indicatorState(), en.storedFiles()
		if rec := en.upload(r.path, en.token(r.who), "a.pdf", pdfBytes, r.page); rec.Code != r.want {
			t.Fatalf("%s uploads to %s: %d, want %d", r.who, r.path, rec.Code, r.want)
		}
		if en.indicatorState() != before || en.storedFiles() != files {
			t.Fatalf("%s's refused upload to %s changed something", r.who, r.path)
		}
	}
	if rec := en.upload(a2+"/files", en.token("v2"), "照片.pdf", pdfBytes, true); rec.Code != 303 || rec.Header().Get("Location") != a2 {
		t.Fatalf("page upload: %d → %s %s", rec.Code, rec.Header().Get("Location"), rec.Body.String())
	}
	rec := en.upload("/api/v1"+a2+"/files", en.token("v2"), "台账.png", pngBytes, false)
	var up map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &up)
	if rec.Code != 201 || up["usage"] == nil {
		t.Fatalf("API upload: %d %s", rec.Code, rec.Body.String())
	}
	if rec := en.upload("/api/v1"+a2+"/files", en.token("v2"), "x.exe", exeBytes, false); rec.Code != 422 {
		t.Fatalf("an executable: %d", rec.Code)
	}
	if p := en.page("GET", a2, en.token("v2"), nil, false).Body.String(); !strings.Contains(p, "照片.pdf") || !strings.Contains(p, `id="quota"`) {
		t.Fatal("the cadre's page lacks the file or the usage")
	}
	// Submitted: the street sees the files beside its review, and downloads them.
	if code, b := en.api("POST", "/api/v1"+a2+"/submit", en.token("v2"), map[string]any{"version": 1}); code != 200 {
		t.Fatalf("submit: %d %v", code, b)
	}
	p := en.page("GET", a2, en.token("s1"), nil, false).Body.String()
	if !strings.Contains(p, "照片.pdf") || !strings.Contains(p, "台账.png") {
		t.Fatal("the street's review lacks the files")
	}
	if code, b := en.api("GET", "/api/v1"+a2, en.token("s1"), nil); code != 200 || len(b["history"].([]any)[0].(map[string]any)["files"].([]any)) != 2 {
		t.Fatalf("the value's history lacks its files: %d %v", code, b)
	}
	var files []models.EvidenceFile
	en.db.Where("kind = ?", models.EvidenceIndicator).Order("id").Find(&files)
	if len(files) != 2 {
		t.Fatalf("%d files stored", len(files))
	}
	url := "/files/" + strconv.FormatUint(uint64(files[0].ID), 10)
	if rec := en.page("GET", url, en.token("s1"), nil, false); rec.Code != 200 || !strings.Contains(rec.Header().Get("Content-Disposition"), "2025") {
		t.Fatalf("the street downloads: %d %s", rec.Code, rec.Header().Get("Content-Disposition"))
	}
	if rec := en.page("GET", url, en.token("s2"), nil, false); rec.Code != 404 {
		t.Fatalf("another street downloads: %d", rec.Code)
	}
}

// TestIndicatorImportRoutes: the district imports a year's values of the title it
// names from a CSV, on the roll-up page and through the API (a dry run by default);
// a cadre may not (403), nor a street for the district's indicator (403).
func TestIndicatorImportRoutes(t *testing.T) {
	en := indicatorEnv(t)
	csv := []byte("村代码,村名,是否命名,文号\n" + seeds.FixA1 + ",甲村,是,浙农〔2025〕8号\n" + seeds.FixB1 + ",丁村,否,\n")
	api := "/api/v1/indicators/boutique_village/import?year=2025"
	for who, want := range map[string]int{"v1": 403, "s1": 403, "s2": 403} {
		before := en.indicatorState()
		if rec := en.upload(api+"&dry_run=false", en.token(who), "名单.csv", csv, false); rec.Code != want {
			t.Fatalf("%s imports: %d, want %d", who, rec.Code, want)
		}
		if en.indicatorState() != before {
			t.Fatalf("%s's refused import changed something", who)
		}
	}
	before := en.indicatorState()
	rec := en.upload(api, en.token("d"), "名单.csv", csv, false)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"new":2`) || !strings.Contains(rec.Body.String(), `"committed":false`) || en.indicatorState() != before {
		t.Fatalf("dry run: %d %s", rec.Code, rec.Body.String())
	}
	bad := []byte("村代码,是否命名\n" + seeds.FixA1 + ",也许\n")
	if rec := en.upload(api+"&dry_run=false", en.token("d"), "名单.csv", bad, false); rec.Code != 422 || !strings.Contains(rec.Body.String(), "problems") {
		t.Fatalf("a bad sheet: %d %s", rec.Code, rec.Body.String())
	}
	page := "/indicators/boutique_village/import"
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf", en.h.csrfToken(testCSRF, en.token("d")))
	mw.WriteField("year", "2025")
	fw, _ := mw.CreateFormFile("file", "名单.csv")
	fw.Write(csv)
	mw.Close()
	req := httptest.NewRequest("POST", page, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.AddCookie(&http.Cookie{Name: csrfCookie, Value: testCSRF})
	req.AddCookie(&http.Cookie{Name: tokenCookie, Value: en.token("d")})
	out := httptest.NewRecorder()
	en.e.ServeHTTP(out, req)
	if out.Code != 303 || out.Header().Get("Location") != "/indicators/boutique_village/rollup?year=2025" {
		t.Fatalf("page import: %d → %s", out.Code, out.Header().Get("Location"))
	}
	code, js := en.api("GET", "/api/v1/indicators/boutique_village/rollup?year=2025", en.token("d"), nil)
	if total, _ := js["total"].(map[string]any); code != 200 || total["yes"] != 1.0 || total["reported"] != 2.0 {
		t.Fatalf("after the page import: %d %v", code, js)
	}
	if p := en.page("GET", "/indicators/boutique_village/rollup?year=2025", en.token("d"), nil, false).Body.String(); !strings.Contains(p, "从表格导入") {
		t.Fatal("the district's roll-up page has no import form")
	}
	if p := en.page("GET", "/indicators/boutique_village/rollup?year=2025", en.token("s1"), nil, false).Body.String(); strings.Contains(p, "从表格导入") {
		t.Fatal("a street is offered the district's import")
	}
}
