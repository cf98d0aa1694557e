package handlers

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"cunji/models"
	"cunji/seeds"

	"github.com/labstack/echo/v4"
)

// reportPath is the page of 甲村's 2025 report.
var reportPath = "/villages/" + seeds.FixA1 + "/reports/2025"

// pageAs asks for a page with the session of token from the browser of id browser
// (whose CSRF token the page embeds).
func (en *env) pageAs(path, token, browser string) *httptest.ResponseRecorder {
	en.t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.AddCookie(&http.Cookie{Name: csrfCookie, Value: browser})
	req.AddCookie(&http.Cookie{Name: tokenCookie, Value: token})
	rec := httptest.NewRecorder()
	en.e.ServeHTTP(rec, req)
	return rec
}

// keptStats are the kept report pages' hits and misses so far.
func (en *env) keptStats() (int64, int64) {
	return en.h.reports.hits.Load(), en.h.reports.misses.Load()
}

// TestKeptReportPageIsThePage: the report page served from what was kept is, byte
// for byte, the page rendered whole without keeping (for a cadre with the form and
// for district staff), with each browser's own CSRF token; served again it runs the
// account's statement only.
func TestKeptReportPageIsThePage(t *testing.T) {
	en := newEnv(t)
	en.approvedYear("v1", seeds.FixA1, 2024, models.ReportInput{BusinessFen: fen(70_000_000)})
	if _, err := models.SaveDraft(en.db, en.actor("v1"), seeds.FixA1, 2025, models.ReportInput{BusinessFen: fen(60_000_000)}); err != nil {
		t.Fatal(err)
	}
	other := strings.Repeat("o", 43)
	for _, who := range []string{"v1", "d"} {
		tok := en.token(who)
		kept := en.h.reports
		en.h.reports = nil
		whole := map[string]string{}
		for _, browser := range []string{testCSRF, other} {
			rec := en.pageAs(reportPath, tok, browser)
			if rec.Code != http.StatusOK {
				t.Fatalf("%s: whole page %d", who, rec.Code)
			}
			whole[browser] = rec.Body.String()
		}
		en.h.reports = kept
		if who == "v1" && (!strings.Contains(whole[testCSRF], en.h.csrfToken(testCSRF, tok)) || !strings.Contains(whole[testCSRF], `id="report-form"`)) {
			t.Fatal("the cadre's page has no form with the CSRF token")
		}
		for i := range 3 {
			for _, browser := range []string{testCSRF, other} {
				h0, _ := en.keptStats()
				var rec *httptest.ResponseRecorder
				n := en.statements(func() { rec = en.pageAs(reportPath, tok, browser) })
				h1, _ := en.keptStats()
				if rec.Code != http.StatusOK || rec.Body.String() != whole[browser] {
					t.Fatalf("%s, request %d: the kept page differs from the page rendered whole (%d)", who, i, rec.Code)
				}
				if got := rec.Header().Get(echo.HeaderContentLength); got != strconv.Itoa(rec.Body.Len()) {
					t.Fatalf("%s: Content-Length %s for %d bytes", who, got, rec.Body.Len())
				}
				if i > 0 && (h1 != h0+1 || n.Total() != 1) {
					t.Fatalf("%s, request %d: not served from what was kept (%d hits more, %s)", who, i, h1-h0, n)
				}
			}
		}
	}
}

// TestKeptReportPageNeverCrossesAccounts: a report page kept for its cadre is
// never served to an account that may not read it: another village's cadre, the
// officer of another street, the cadre moved to another village; the street's
// officer and district staff get their own page (no form).
func TestKeptReportPageNeverCrossesAccounts(t *testing.T) {
	en := newEnv(t)
	if _, err := models.SaveDraft(en.db, en.actor("v1"), seeds.FixA1, 2025, models.ReportInput{BusinessFen: fen(60_000_000)}); err != nil {
		t.Fatal(err)
	}
	v1 := en.token("v1")
	for range 2 {
		if rec := en.page("GET", reportPath, v1, nil, false); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `id="report-form"`) {
			t.Fatalf("the cadre's page: %d", rec.Code)
		}
	}
	if h, _ := en.keptStats(); h != 1 {
		t.Fatalf("the cadre's page was not kept (%d hits)", h)
	}
	refused := func(who, tok string) {
		t.Helper()
		rec := en.page("GET", reportPath, tok, nil, false)
		if rec.Code != http.StatusNotFound || strings.Contains(rec.Body.String(), "甲村 2025 年度填报") {
			t.Fatalf("%s got the kept page of 甲村: %d", who, rec.Code)
		}
	}
	refused("乙村's cadre", en.token("v2"))
	refused("白云街道's officer", en.token("s2"))
	for _, who := range []string{"s1", "d", "s1", "d"} {
		rec := en.page("GET", reportPath, en.token(who), nil, false)
		if rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), `id="report-form"`) || strings.Contains(rec.Body.String(), `data-keep="v1`) {
			t.Fatalf("%s got the cadre's page (%d)", who, rec.Code)
		}
	}
	// The cadre moved to 乙村 (the revision does not move: accounts are not data):
	// the same session is refused 甲村's page at once.
	if err := en.db.Exec("UPDATE users SET village_code = ? WHERE username = ?", seeds.FixA2, "v1").Error; err != nil {
		t.Fatal(err)
	}
	refused("the cadre moved to 乙村", v1)
}

// TestKeptReportScopeChecked: what is kept is served only to a scope that holds
// the kept village, whatever key it is asked under.
func TestKeptReportScopeChecked(t *testing.T) {
	r := newKeptReports()
	key := reportKey{user: 7, role: models.RoleVillage, place: "A", code: "A", year: 2025}
	r.put(3, key, &keptReport{district: "331002", street: "331002001", village: "A"})
	at := time.Now()
	if r.get(3, key, models.Scope{Role: models.RoleVillage, Village: "A"}, at) == nil {
		t.Fatal("the owner's scope is refused")
	}
	for _, s := range []models.Scope{{Role: models.RoleVillage, Village: "B"}, {Role: models.RoleStreet, Street: "331002002"},
		{Role: models.RoleDistrict, District: "331003"}} {
		if r.get(3, key, s, at) != nil {
			t.Fatalf("served to %+v", s)
		}
	}
	if r.get(4, key, models.Scope{Role: models.RoleVillage, Village: "A"}, at) != nil || r.get(models.NoRevision, key, models.Scope{Role: models.RoleVillage, Village: "A"}, at) != nil {
		t.Fatal("served at another revision")
	}
	r.put(4, reportKey{user: 8}, &keptReport{})
	if r.get(3, key, models.Scope{Role: models.RoleVillage, Village: "A"}, at) != nil {
		t.Fatal("a newer revision left the older content")
	}
	r.put(5, key, &keptReport{district: "331002", street: "331002001", village: "A", until: at.Add(time.Minute)})
	s := models.Scope{Role: models.RoleVillage, Village: "A"}
	if r.get(5, key, s, at.Add(time.Minute-1)) == nil || r.get(5, key, s, at.Add(time.Minute)) != nil {
		t.Fatal("a content is not served exactly until its instant")
	}
}

// TestKeptReportPageNeverStale: each kind of input the page shows, changed, shows
// on the next page the cadre (or the officer) asks for: the draft saved, a file
// uploaded, the submission, the officer's rejection and approval, a title named,
// the flags' thresholds; a target (not shown) has the page read afresh; and the
// reporting window opening and closing, and an exception running out, by time
// alone (the handler's clock), with nothing written.
func TestKeptReportPageNeverStale(t *testing.T) {
	en := newEnv(t)
	en.approvedYear("v1", seeds.FixA1, 2024, models.ReportInput{BusinessFen: fen(70_000_000)})
	v1, s1 := en.token("v1"), en.token("s1")
	// show asks twice (the second from what was kept) and checks both.
	show := func(step, tok string, want ...string) string {
		t.Helper()
		var body string
		for i := range 2 {
			rec := en.page("GET", reportPath, tok, nil, false)
			if rec.Code != http.StatusOK {
				t.Fatalf("%s: %d", step, rec.Code)
			}
			body = rec.Body.String()
			for _, w := range want {
				if !strings.Contains(body, w) {
					t.Fatalf("%s (request %d): the page does not show %q", step, i, w)
				}
			}
		}
		return body
	}
	version := func() string {
		t.Helper()
		rep, err := models.GetReport(en.db, en.actor("v1"), seeds.FixA1, 2025)
		if err != nil || rep.Open == nil {
			t.Fatalf("no open version: %v", err)
		}
		return strconv.Itoa(rep.Open.Version)
	}
	post := func(step, path, tok string, form url.Values) {
		t.Helper()
		if rec := en.page("POST", path, tok, form, true); rec.Code != http.StatusSeeOther {
			t.Fatalf("%s: %d %s", step, rec.Code, rec.Body.String())
		}
	}
	show("a year never reported", v1, `value="70"`, "以下为 2024 年已通过数据")

	post("the draft saved", reportPath, v1, url.Values{"version": {"0"}, "star_rating": {"0"}, "business_wan": {"61.25"}, "action": {"save"}})
	show("the draft saved", v1, `value="61.25"`, `<span class="badge draft">`)

	if rec := en.upload(reportPath+"/files", v1, "发票.pdf", pdfBytes, true); rec.Code != http.StatusSeeOther {
		t.Fatalf("upload: %d %s", rec.Code, rec.Body.String())
	}
	show("a file uploaded", v1, "发票.pdf")

	if _, err := models.NameTitle(en.db, en.actor("d"), models.TitleInput{VillageCode: seeds.FixA1, Title: models.TitleStar, Level: 2,
		Year: 2025, NamedOn: time.Date(2025, 6, 1, 0, 0, 0, 0, models.Shanghai), DocumentNo: "椒〔2025〕7号"}); err != nil {
		t.Fatal(err)
	}
	show("a title named", v1, "星级美丽乡村 2 星")

	if err := models.SetFlagThresholds(en.db, en.actor("d"), models.FlagThresholds{ChangeBP: 4100, ChangeFen: 12_000_000, MedianK100: 300}); err != nil {
		t.Fatal(err)
	}
	show("the thresholds changed", v1, `data-change-bp="4100"`)

	_, m0 := en.keptStats()
	if _, err := models.SetTarget(en.db, en.actor("d"), seeds.DistrictCode, models.IndIncome50w, 2025, 5000, ""); err != nil {
		t.Fatal(err)
	}
	show("a target set", v1)
	if _, m1 := en.keptStats(); m1 != m0+1 {
		t.Fatalf("after a target set, the page was not read afresh (%d misses)", m1-m0)
	}

	post("submitted", reportPath+"/submit", v1, url.Values{"version": {version()}, "note": {"已核实"}})
	show("submitted", v1, `<span class="badge submitted">`, "撤回提交")
	show("submitted, the officer", s1, "审核通过", "61.25")

	post("rejected", reportPath+"/reject", s1, url.Values{"version": {version()}, "reason": {"经营收入与台账不符"}})
	show("rejected", v1, "退回理由：经营收入与台账不符", `id="report-form"`)

	post("saved and submitted again", reportPath, v1, url.Values{"version": {"0"}, "star_rating": {"0"}, "business_wan": {"62.5"},
		"note": {"已更正"}, "action": {"submit"}})
	show("saved and submitted again", v1, `<span class="badge submitted">`)
	post("approved", reportPath+"/approve", s1, url.Values{"version": {version()}})
	body := show("approved", v1, "审核通过。经营性收入")
	if strings.Contains(body, `<span class="badge submitted">`) || strings.Contains(body, "本年度尚无审核通过的数据") {
		t.Fatal("the approved report still shows the submission")
	}

	// The window by time alone: the clock moves, nothing is written.
	// Whole seconds: the database keeps the instants to the microsecond.
	base := time.Now().Truncate(time.Second)
	clock := base
	en.h.Clock = func() time.Time { return clock }
	opens, closes := base.Add(time.Hour), base.Add(2*time.Hour)
	if _, err := models.SetWindow(en.db, en.actor("d"), 2025, opens, closes); err != nil {
		t.Fatal(err)
	}
	rev := func() int64 {
		var n int64
		en.db.Raw("SELECT n FROM data_revision WHERE id = 1").Scan(&n)
		return n
	}
	r0 := rev()
	show("before the window opens", v1, "2025 年度填报尚未开始")
	clock = opens
	body = show("the window open", v1, `id="report-form"`)
	if strings.Contains(body, "尚未开始") {
		t.Fatal("the open window still shows as not open yet")
	}
	clock = closes
	show("the window's last instant", v1, `id="report-form"`)
	clock = closes.Add(time.Nanosecond)
	body = show("the window closed", v1, "截止，如需补报请联系区里开通延期", "本年度只读")
	if strings.Contains(body, `id="report-form"`) {
		t.Fatal("the closed window still shows the form")
	}
	if rev() != r0 {
		t.Fatal("the data revision moved while only the clock did")
	}
	until := closes.Add(time.Hour)
	if _, err := models.GrantException(en.db, en.actor("d"), seeds.FixA1, 2025, until, "系统故障"); err != nil {
		t.Fatal(err)
	}
	show("an exception granted", v1, `id="report-form"`)
	clock = until.Add(time.Nanosecond)
	show("the exception run out", v1, "延期补报已于")
}

// TestKeptReportPageAcrossInstances: a change made through another instance of
// the same database (another server process) shows on the next page this
// instance serves, though it kept the page before.
func TestKeptReportPageAcrossInstances(t *testing.T) {
	en := newEnv(t)
	other := &Handler{DB: en.db, Secret: en.h.Secret, Views: en.h.Views, FilesDir: en.h.FilesDir, Log: en.h.Log}
	oe := other.Echo()
	v1 := en.token("v1")
	for range 2 {
		if rec := en.page("GET", reportPath, v1, nil, false); rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), `value="33.5"`) {
			t.Fatalf("the page before: %d", rec.Code)
		}
	}
	form := url.Values{"version": {"0"}, "star_rating": {"0"}, "business_wan": {"33.5"}, "action": {"save"},
		"csrf": {other.csrfToken(testCSRF, v1)}}
	req := httptest.NewRequest(http.MethodPost, reportPath, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: csrfCookie, Value: testCSRF})
	req.AddCookie(&http.Cookie{Name: tokenCookie, Value: v1})
	rec := httptest.NewRecorder()
	oe.ServeHTTP(rec, req)
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("the save through the other instance: %d %s", rec.Code, rec.Body.String())
	}
	if rec := en.page("GET", reportPath, v1, nil, false); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `value="33.5"`) {
		t.Fatalf("this instance does not show the other's save: %d", rec.Code)
	}
}
