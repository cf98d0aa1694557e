package handlers

import (
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"cunji/models"
	"cunji/seeds"

	"gorm.io/gorm"
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
	// A change past the flags' thresholds is submitted with a note (说明).
	in := models.ReportInput{BusinessFen: &business, Note: &setupNote}
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

// approvedYear walks code/year to an approved version with the given figures.
func (en *env) approvedYear(cadre, code string, year int, in models.ReportInput) {
	en.t.Helper()
	rep, err := models.GetReport(en.db, en.actor(cadre), code, year)
	if err != nil {
		en.t.Fatal(err)
	}
	if rep.Open != nil {
		in.Version = rep.Open.Version
	}
	if in.Note == nil {
		in.Note = &setupNote
	}
	d, err := models.SaveDraft(en.db, en.actor(cadre), code, year, in)
	if err != nil {
		en.t.Fatal(err)
	}
	if _, err := models.Submit(en.db, en.actor(cadre), code, year, &d.Version); err != nil {
		en.t.Fatal(err)
	}
	if _, err := models.Approve(en.db, en.actor("s1"), code, year, nil); err != nil {
		en.t.Fatal(err)
	}
}

func fen(v int64) *int64 { return &v }

// setupNote is the cadre's note of the tests' setups: a flagged draft is submitted
// only with one.
var setupNote = "已核实"

// lastYearFixture: 甲村 2024 approved at 经营性收入 78.45 万 (70 + 8.45), its first
// 2025 version submitted at 41.55 万 (below the 50 万 line).
func lastYearFixture(t *testing.T) *env {
	en := newEnv(t)
	en.approvedYear("v1", seeds.FixA1, 2024, models.ReportInput{BusinessFen: fen(70_000_000), ContractFen: fen(8_450_000),
		SubsidyFen: fen(10_000_000), AssetsFen: fen(500_000_000)})
	en.submitted("v1", seeds.FixA1, 2025, 41_550_000)
	return en
}

// TestReviewShowsLastYear: a first submission of a year is compared with last
// year's approved figures on the review page, for every amount, with the fall
// below 50 万 flagged; the cadre's form shows the same beside every input.
func TestReviewShowsLastYear(t *testing.T) {
	en := lastYearFixture(t)
	page := "/villages/" + seeds.FixA1 + "/reports/2025"
	body := en.page("GET", page, en.token("s1"), nil, false).Body.String()
	for _, want := range []string{
		"上年（2024）", "78.45", "41.55", "-36.90", "-47.0%", // 经营性收入
		"70.00", "-28.45", "-40.6%", // 经营收入: 41.55 against 70
		"8.45", "-8.45", "-100.0%", // 发包及上交收入
		"88.45",             // 总收入 last year
		"500.00", "-500.00", // 集体资产
		"⚠ 跨越 50 万线",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("review page lacks %q", want)
		}
	}
	// Withdraw, and the cadre's form shows last year beside every amount.
	if _, err := models.Withdraw(en.db, en.actor("v1"), seeds.FixA1, 2025, nil); err != nil {
		t.Fatal(err)
	}
	form := en.page("GET", page, en.token("v1"), nil, false).Body.String()
	if n := strings.Count(form, `class="vs"`); n != 8 {
		t.Errorf("the form shows last year beside %d figures, want 8 (6 amounts, 经营性收入, 总收入)", n)
	}
	for _, want := range []string{"上年 70.00 · 增减 <span class=\"vs-delta\">-28.45</span>（<span class=\"vs-rate\">-40.6%</span>）",
		"上年 78.45", "上年 88.45"} {
		if !strings.Contains(form, want) {
			t.Errorf("form lacks %q", want)
		}
	}
}

// TestReviewComparesRejected: a resubmission after a rejection is shown beside the
// rejected version.
func TestReviewComparesRejected(t *testing.T) {
	en := lastYearFixture(t)
	if _, err := models.Reject(en.db, en.actor("s1"), seeds.FixA1, 2025, nil, "请核对经营收入"); err != nil {
		t.Fatal(err)
	}
	en.submitted("v1", seeds.FixA1, 2025, 52_000_000)
	body := en.page("GET", "/villages/"+seeds.FixA1+"/reports/2025", en.token("s1"), nil, false).Body.String()
	if !strings.Contains(body, "退回的第 1 版") || !strings.Contains(body, "41.55") || !strings.Contains(body, "52.00") {
		t.Fatal("a resubmission is not compared with the rejected version")
	}
}

// TestQueueShowsLastYear: a first submission of a year shows last year's figures
// in the queue (not "—"), and the queue's statements do not grow with its items.
func TestQueueShowsLastYear(t *testing.T) {
	en := lastYearFixture(t)
	body := en.page("GET", "/queue", en.token("s1"), nil, false).Body.String()
	for _, want := range []string{"上年 78.45 · -36.90（-47.0%）", "各项与上年", "-40.6%"} {
		if !strings.Contains(body, want) {
			t.Errorf("queue lacks %q", want)
		}
	}
	one := en.queries(func() { en.page("GET", "/queue", en.token("s1"), nil, false) })
	en.approvedYear("v2", seeds.FixA2, 2024, models.ReportInput{BusinessFen: fen(1_000_000)})
	en.submitted("v2", seeds.FixA2, 2025, 2_000_000)
	body = html.UnescapeString(en.page("GET", "/queue", en.token("s1"), nil, false).Body.String())
	if !strings.Contains(body, "上年 1.00 · +1.00（+100.0%）") {
		t.Error("the second item shows no last year")
	}
	if two := en.queries(func() { en.page("GET", "/queue", en.token("s1"), nil, false) }); two != one {
		t.Fatalf("the queue ran %d statements for one item and %d for two", one, two)
	}
}

// queries counts the SELECT statements run by f.
func (en *env) queries(f func()) int {
	en.t.Helper()
	n := 0
	name := "test:count-" + strconv.Itoa(len(en.t.Name()))
	if err := en.db.Callback().Query().After("gorm:query").Register(name, func(*gorm.DB) { n++ }); err != nil {
		en.t.Fatal(err)
	}
	defer en.db.Callback().Query().Remove(name)
	f()
	return n
}

// TestNewDraftFromLastYear: a year never reported opens with last year's approved
// figures, marked as last year's; once saved the mark is gone.
func TestNewDraftFromLastYear(t *testing.T) {
	en := newEnv(t)
	en.approvedYear("v1", seeds.FixA1, 2024, models.ReportInput{BusinessFen: fen(70_000_000), ContractFen: fen(8_450_000),
		Note: strPtr("2024 年的说明")})
	page := "/villages/" + seeds.FixA1 + "/reports/2025"
	body := en.page("GET", page, en.token("v1"), nil, false).Body.String()
	for _, want := range []string{"以下为 2024 年已通过数据，请逐项核对后修改或确认", `value="70"`, `value="8.45"`, `class="from-last"`} {
		if !strings.Contains(body, want) {
			t.Errorf("a new 2025 form lacks %q", want)
		}
	}
	if strings.Contains(body, "2024 年的说明") {
		t.Error("last year's note was carried into the new year")
	}
	form := url.Values{"version": {"0"}, "star_rating": {"0"}, "business_wan": {"70"}, "contract_wan": {"8.45"}}
	if rec := en.page("POST", page, en.token("v1"), form, true); rec.Code != http.StatusSeeOther {
		t.Fatalf("save: %d", rec.Code)
	}
	if strings.Contains(en.page("GET", page, en.token("v1"), nil, false).Body.String(), "以下为 2024 年已通过数据") {
		t.Fatal("a saved draft is still marked as last year's")
	}
	// Without last year's figures the form starts empty, unmarked.
	if strings.Contains(en.page("GET", "/villages/"+seeds.FixA1+"/reports/2024", en.token("v1"), nil, false).Body.String(), "from-last") {
		t.Fatal("a year with its own version is marked as last year's")
	}
}

func strPtr(s string) *string { return &s }

// TestClosedAndFutureYears: outside the reporting window the cadre gets no form
// but a sentence (and the approved figures); an exception opens the form again.
// After saving a draft there is one submit button.
func TestClosedAndFutureYears(t *testing.T) {
	en := newEnv(t)
	d := en.actor("d")
	now := time.Now()
	en.approvedYear("v1", seeds.FixA1, 2025, models.ReportInput{BusinessFen: fen(60_000_000)})
	page := "/villages/" + seeds.FixA1 + "/reports/2025"
	get := func() string { return en.page("GET", page, en.token("v1"), nil, false).Body.String() }
	if !strings.Contains(get(), `id="report-form"`) {
		t.Fatal("an open year has no form")
	}
	if _, err := models.SetWindow(en.db, d, 2025, now.Add(-48*time.Hour), now.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	body := get()
	if strings.Contains(body, `id="report-form"`) || !strings.Contains(body, "截止") || !strings.Contains(body, "本年度只读") ||
		!strings.Contains(body, "已通过数据") || !strings.Contains(body, "60.00") {
		t.Fatal("a closed year shows a form, or not its sentence and approved figures")
	}
	if _, err := models.GrantException(en.db, d, seeds.FixA1, 2025, now.Add(24*time.Hour), "村委换届"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(get(), `id="report-form"`) {
		t.Fatal("a district exception does not open the form")
	}
	if _, err := models.SetWindow(en.db, d, 2025, now.Add(time.Hour), now.Add(48*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if body := get(); strings.Contains(body, `id="report-form"`) || !strings.Contains(body, "尚未开始") {
		t.Fatal("a year not open yet shows a form")
	}
	// One submit button after saving a draft.
	draft := "/villages/" + seeds.FixA2 + "/reports/2025"
	form := url.Values{"version": {"0"}, "star_rating": {"0"}, "business_wan": {"1"}}
	if rec := en.page("POST", draft, en.token("v2"), form, true); rec.Code != http.StatusSeeOther {
		t.Fatalf("save: %d", rec.Code)
	}
	if _, err := models.SetWindow(en.db, d, 2025, now.Add(-time.Hour), now.Add(48*time.Hour)); err != nil {
		t.Fatal(err)
	}
	body = en.page("GET", draft, en.token("v2"), nil, false).Body.String()
	if n := strings.Count(body, "提交审核</button>"); n != 1 {
		t.Fatalf("%d submit buttons after saving a draft, want 1", n)
	}
}
