package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"
)

// tablesFit fails on a table of the page wider than its box or reaching past the
// screen, even inside a scrolling box: on a phone each table must read without
// scrolling sideways.
func (b *browserSession) tablesFit(what string) {
	b.t.Helper()
	wide, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("main table"))
		.filter(t => t.getBoundingClientRect().width > 0 && (t.getBoundingClientRect().width > t.parentElement.clientWidth + 1 ||
			t.getBoundingClientRect().right > window.innerWidth))
		.map(t => (t.className || "table") + " " + Math.round(t.getBoundingClientRect().width) + "/" + t.scrollWidth + " px")`))
	if err != nil || len(wide) > 0 {
		b.t.Errorf("%s (%s): tables wider than the %s screen: %v (%v)", b.name, what, "375 px", wide, err)
	}
}

// newAccounts is a street officer's sheet of new cadre accounts, as a clerk types it:
// a title row, the usual names of the columns in another order.
var newAccounts = []struct{ user, name, village string }{
	{"hm-zhanghaiming", "张海明", "331002001201"},
	{"hm-lixiaohong", "李晓红", "331002001202"},
	{"hm-wangjianguo", "王建国", "331002001203"},
}

var otpRe = regexp.MustCompile(`一次性密码\s*([A-Za-z0-9]{12})`)

// measureOnly are the pages whose wide tables stay in a box that scrolls sideways
// on a phone (lists and series of many columns); the test reports their widths.
var measureOnly = map[string]bool{"oversight": true, "villages": true, "titles": true, "companies": true, "workshops": true}

// TestBrowserHandoutAndTables: a street officer bulk-creates three cadre accounts on
// the accounts page of a 375 px phone and gets the handout: one slip per account
// with its name, the unit by name, the login address, the username and a one-time
// password; the page is axe-core clean and fits the screen, and printed to A4 every
// slip stays whole on one page with the page's buttons left out. The accounts page,
// the audit log (filtered to the new accounts) and the district's accounts, audit
// log, roll-up, 上报报表, village and report pages read at 375 px without a table
// wider than the screen; the lists' widths are measured.
func TestBrowserHandoutAndTables(t *testing.T) {
	exec := chromiumPath(t)
	needAxe(t)
	bin := buildBinary(t)
	srv := startDemo(t, bin, "--db", filepath.Join(t.TempDir(), "handout.db"))
	base := "http://" + srv.addr
	sheet := "海门街道新增村干部账号\n姓名,账号,所属范围,角色,联系电话\n"
	for _, a := range newAccounts {
		sheet += a.name + "," + a.user + "," + a.village + ",村干部,\n"
	}
	file := filepath.Join(t.TempDir(), "海门街道新账号.csv")
	if err := os.WriteFile(file, []byte(sheet), 0o644); err != nil {
		t.Fatal(err)
	}

	officer := newBrowserSession(t, exec, base, "handout375", context.Background())
	officer.login("street-331002001")
	officer.do("users", chromedp.Navigate(base+"/users"), chromedp.WaitVisible(chromedp.CSS("#users-file")))
	officer.pageChecks("users", true)
	officer.tablesFit("users")
	villageNames := map[string]string{}
	for _, a := range newAccounts {
		officer.do("village-"+a.village, chromedp.Navigate(base+"/villages/"+a.village), chromedp.WaitVisible(chromedp.CSS("main h1")))
		villageNames[a.village] = strings.Fields(officer.text("main h1"))[0]
	}
	officer.do("users-again", chromedp.Navigate(base+"/users"), chromedp.WaitVisible(chromedp.CSS("#users-file")))
	officer.do("handout", chromedp.SetUploadFiles(chromedp.CSS("#users-file"), []string{file}),
		chromedp.Click(chromedp.CSS(`form[action="/users/import"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(".slips .slip")))
	officer.pageChecks("handout", true)
	slips, err := chromedp.Run(officer.ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll(".slip")).map(s => s.innerText)`))
	if err != nil || len(slips) != len(newAccounts) {
		t.Fatalf("slips: %d (%v)", len(slips), err)
	}
	passwords := map[string]string{}
	for i, a := range newAccounts {
		s := slips[i]
		m := otpRe.FindStringSubmatch(s)
		if m == nil || !strings.Contains(s, a.name) || !strings.Contains(s, a.user) || !strings.Contains(s, base+"/login") ||
			!strings.Contains(s, "海门街道 "+villageNames[a.village]) || strings.Contains(s, a.village) {
			t.Errorf("slip %d of %s (%s):\n%s", i+1, a.user, villageNames[a.village], s)
			continue
		}
		passwords[a.user] = m[1]
	}
	res, err := chromedp.Call(officer.ctx, page.PrintToPDF, page.PrintToPDFParams{PaperWidth: 8.27, PaperHeight: 11.69})
	if err != nil || !bytes.HasPrefix(res.Data, []byte("%PDF")) {
		t.Fatalf("printing the handout: %v", err)
	}
	pdf := filepath.Join(officer.shots, "handout.pdf")
	os.WriteFile(pdf, res.Data, 0o644)
	printedHandout(t, pdf, passwords)

	// The audit log on the phone, filtered to the accounts just made.
	officer.do("audit", chromedp.Navigate(base+"/audit"), chromedp.WaitVisible(chromedp.CSS("main h1")))
	officer.pageChecks("audit", true)
	officer.tablesFit("audit")
	officer.do("audit-filtered", chromedp.SetValue(chromedp.CSS("#action"), "user.create"),
		chromedp.Click(chromedp.CSS(`form.filters button[type=submit]`)),
		chromedp.WaitReady(chromedp.CSS(`#action option[value="user.create"][selected]`)))
	officer.pageChecks("audit filtered", true)
	officer.tablesFit("audit filtered")
	if log := officer.text("ol.audit-log"); strings.Count(log, "新建账号") < len(newAccounts) || !strings.Contains(log, "hm-lixiaohong") {
		t.Errorf("the audit log filtered to 新建账号:\n%s", log)
	}
	officer.noProblems()

	district := newBrowserSession(t, exec, base, "tables375", context.Background())
	district.login("district")
	for _, p := range []struct{ name, path string }{
		{"users", "/users"}, {"users-search", "/users?q=hm-"}, {"audit", "/audit"}, {"rollup", "/rollup?year=2025"}, {"upward", "/upward"},
		{"village", "/villages/331002001201"}, {"report", "/villages/331002001201/reports/2025"}, {"oversight", "/oversight?year=2025"},
		{"villages", "/villages"}, {"targets", "/targets"}, {"titles", "/titles"}, {"companies", "/companies"}, {"workshops", "/workshops"},
	} {
		if measureOnly[p.name] {
			district.do(p.name, chromedp.Navigate(base+p.path), chromedp.WaitVisible(chromedp.CSS("main h1")))
			district.pageChecks(p.name, true)
			wide, _ := chromedp.Run(district.ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("main table"))
				.filter(t => t.getBoundingClientRect().width > t.parentElement.clientWidth + 1)
				.map(t => Math.round(t.getBoundingClientRect().width) + " in " + t.parentElement.clientWidth)`))
			t.Logf("measured: %s at 375 px has %d table(s) wider than their box, read by scrolling sideways: %v px", p.path, len(wide), wide)
			continue
		}
		district.do(p.name, chromedp.Navigate(base+p.path), chromedp.WaitVisible(chromedp.CSS("main h1")))
		district.pageChecks(p.name, true)
		district.tablesFit(p.name)
	}
	district.noProblems()
}

// printedHandout reads the printed handout back with pdftotext: every slip's
// username and one-time password on the same page, the page's buttons and notice
// and the app's header, menu and footer left out.
func printedHandout(t *testing.T, pdf string, passwords map[string]string) {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("pdftotext is missing: .ci/run installs poppler-utils")
		}
		t.Logf("pdftotext is missing: the printed handout is not read back")
		return
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", pdf, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	pages := strings.Split(strings.TrimRight(string(out), "\f\n"), "\f")
	for user, pw := range passwords {
		whole := false
		for _, p := range pages {
			if strings.Contains(p, user) && strings.Contains(p, pw) && strings.Contains(p, "首次登录后须设置") {
				whole = true
			}
		}
		if !whole {
			t.Errorf("the printed slip of %s is not whole on one A4 page:\n%s", user, out)
		}
	}
	for _, chrome := range []string{"打印发放单", "只在本页显示这一次", "菜单", "千村示范"} {
		if strings.Contains(string(out), chrome) {
			t.Errorf("the print carries the page's %q:\n%s", chrome, out)
		}
	}
	t.Logf("measured: %d slips printed on %d A4 page(s)", len(passwords), len(pages))
}

// clerkWorkbook is a district clerk's yearly figures as the office keeps them: a
// title naming the year, a two-row header with merged cells, amounts in 万元 named
// above them, its own column names (村级经营性收入, 发包上交, 期末资产合计) and order, a
// 合计 row.
func clerkWorkbook(t *testing.T, business int) string {
	t.Helper()
	f := excelize.NewFile()
	rows := [][]any{
		{"2024年 椒江区村级集体经济收入统计表"},
		{"序号", "行政村代码", "村名", "收入明细（万元）", "", "", "", "", "期末资产合计（万元）"},
		{"", "", "", "村级经营性收入", "补助收入", "投资收益", "发包上交", "其他收入"},
		{1, "331002003201", "一村", business, 10, 5, 15, 0, 2000},
		{2, "331002004201", "二村", 60, 0, 0, 0, 0, 900},
		{"合计", "", "", business + 60, 10, 5, 15, 0, 2900},
	}
	for i, r := range rows {
		for j, v := range r {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
			if v != "" {
				f.SetCellValue("Sheet1", cell, v)
			}
		}
	}
	for _, m := range [][2]string{{"A1", "I1"}, {"A2", "A3"}, {"B2", "B3"}, {"C2", "C3"}, {"D2", "H2"}, {"I2", "I3"}} {
		if err := f.MergeCell("Sheet1", m[0], m[1]); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "2024年村级收入.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestBrowserImportMapping: the district imports its own sheet on a 375 px phone:
// the mapping step lists every column with a select box in Chinese (axe-core clean,
// nothing wider than the screen, 44 px targets); three columns chosen, the check
// passes in 万元 and 确认导入 writes it; the same sheet again is read with the kept
// mapping and says so. A text file renamed .xlsx is one sentence.
func TestBrowserImportMapping(t *testing.T) {
	exec := chromiumPath(t)
	needAxe(t)
	bin := buildBinary(t)
	srv := startDemo(t, bin, "--db", filepath.Join(t.TempDir(), "mapping.db"))
	base := "http://" + srv.addr
	text := filepath.Join(t.TempDir(), "年报.xlsx")
	os.WriteFile(text, []byte("会议纪要\n一、情况\n二、问题\n"), 0o644)
	// The answer to an upload: the section of its result, headed "年度数据：…".
	const answered = `//main//h2[contains(., "年度数据：")]`
	upload := func(b *browserSession, what, file string) {
		b.do(what, chromedp.Navigate(base+"/import"), chromedp.WaitVisible(chromedp.CSS("#reports-file")),
			chromedp.SetUploadFiles(chromedp.CSS("#reports-file"), []string{file}),
			chromedp.SetValue(chromedp.CSS("#reason"), "2024 年农经统计年报"),
			chromedp.Click(chromedp.CSS(`input[name=mode][value=approve]`)),
			chromedp.Click(chromedp.CSS(`form[action="/import/reports"].upload button[type=submit]`)),
			chromedp.WaitVisible(chromedp.Search(answered)))
	}
	d := newBrowserSession(t, exec, base, "mapping375", context.Background())
	d.login("district")
	d.do("import-page", chromedp.Navigate(base+"/import"), chromedp.WaitVisible(chromedp.CSS("#reports-file")))
	d.do("renamed-text", chromedp.SetUploadFiles(chromedp.CSS("#reports-file"), []string{text}),
		chromedp.Click(chromedp.CSS(`form[action="/import/reports"].upload button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS("main p.error")))
	msgs, _ := chromedp.Run(d.ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("main p.error")).map(p => p.innerText)`))
	if len(msgs) == 0 || !strings.Contains(msgs[len(msgs)-1], "不是 Excel 工作簿") || strings.Count(msgs[len(msgs)-1], "。") != 1 {
		t.Errorf("a text file renamed .xlsx: %q", msgs)
	}
	sheet := clerkWorkbook(t, 30)
	upload(d, "mapping-step", sheet)
	d.pageChecks("mapping step", true)
	d.tablesFit("mapping step")
	if h := d.text("main section.card h2"); !strings.Contains(h, "请选择各列对应的项目") {
		t.Fatalf("the mapping step's title: %q", h)
	}
	if n, _ := chromedp.Run(d.ctx, chromedp.Evaluate[int](`document.querySelectorAll("form.mapform select[name^=map_]").length`)); n != 9 {
		t.Errorf("the mapping step has %d column selects, want 9", n)
	}
	d.do("mapped", chromedp.SetValue(chromedp.CSS("#map-3"), "business_fen"), chromedp.SetValue(chromedp.CSS("#map-6"), "contract_fen"),
		chromedp.SetValue(chromedp.CSS("#map-8"), "assets_fen"),
		chromedp.Click(chromedp.CSS("form.mapform button[type=submit]")), chromedp.WaitVisible(chromedp.Search(`//h2[contains(., "检查通过")]`)))
	d.pageChecks("checked with the mapping", true)
	if s := d.text("main section.card"); !strings.Contains(s, "检查通过") || !strings.Contains(s, "经营收入 万元") {
		t.Fatalf("checked with the mapping:\n%s", s)
	}
	d.do("committed", chromedp.Click(chromedp.CSS(`form:not(.mapform) input[name=token] ~ button.primary`)),
		chromedp.WaitVisible(chromedp.Search(`//h2[contains(., "已导入")]`)))
	if h := d.text("main section.card h2"); !strings.Contains(h, "已导入") {
		t.Fatalf("after 确认导入: %q", h)
	}
	upload(d, "remembered", clerkWorkbook(t, 31))
	d.pageChecks("remembered", true)
	if s := d.text("main section.card"); !strings.Contains(s, "已按上次保存的列对应读取本表") || !strings.Contains(s, "检查通过") {
		t.Errorf("the same sheet again:\n%s", s)
	}
	d.noProblems("422")
}
