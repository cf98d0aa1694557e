package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserIndicatorCatalogue walks the catalogue on the demo, every page on a
// phone (375×812) and axe-clean: the district defines a new indicator on the page
// (its Chinese field errors first) and assigns it a target; a cadre enters the
// village's value and submits it; the street approves it from its queue; the district
// sees it in the indicator's roll-up and in the 通报's section on the catalogue.
func TestBrowserIndicatorCatalogue(t *testing.T) {
	exec := chromiumPath(t)
	needAxe(t)
	bin := buildBinary(t)
	srv := startDemo(t, bin, "--db", filepath.Join(t.TempDir(), "catalogue.db"))
	base := "http://" + srv.addr
	const code, name, village, year = "drinking_water", "农村饮用水达标村", "331002001201", "2026"
	ctx := context.Background()

	d := newBrowserSession(t, exec, base, "district375", ctx)
	d.login("district")
	d.do("rollup-existing", chromedp.Navigate(base+"/rollup?year=2025"), chromedp.WaitReady(chromedp.CSS(".kpi.big")))
	d.pageChecks("rollup-existing", true)
	d.do("catalogue", chromedp.Click(chromedp.CSS("details.menu summary")),
		chromedp.Click(chromedp.CSS(`details.menu nav a[href="/indicators"]`)), chromedp.WaitVisible(chromedp.CSS("ul.indicator-list")))
	d.pageChecks("catalogue", true)
	if s := d.text("main"); !strings.Contains(s, "电商专业村") || !strings.Contains(s, "方案") {
		t.Fatalf("the seeded plan indicators are not listed: %.200q", s)
	}
	d.do("new", chromedp.Click(chromedp.CSS(`a[href="/indicators/new"]`)), chromedp.WaitVisible(chromedp.CSS("#code")))
	d.pageChecks("new", true)
	d.do("errors", chromedp.SendKeys(chromedp.CSS("#code"), "Bad Code"), chromedp.Clear(chromedp.CSS("#from_year")),
		chromedp.SendKeys(chromedp.CSS("#from_year"), "明年"), chromedp.Click(chromedp.CSS(`main form button.primary`)),
		chromedp.WaitVisible(chromedp.CSS("#from_year-error")))
	if s := d.text("main"); !strings.Contains(s, "起始年度须为四位年份") {
		t.Fatalf("no Chinese field error: %.300q", s)
	}
	d.pageChecks("errors", true)
	d.do("defined", chromedp.Clear(chromedp.CSS("#code")), chromedp.SendKeys(chromedp.CSS("#code"), code),
		chromedp.SendKeys(chromedp.CSS("#name"), name), chromedp.Clear(chromedp.CSS("#from_year")),
		chromedp.SendKeys(chromedp.CSS("#from_year"), "2026"),
		chromedp.Click(chromedp.CSS(`main form button.primary`)), chromedp.WaitVisible(chromedp.CSS(".flash")))
	if s := d.text(".flash"); !strings.Contains(s, name) {
		t.Fatalf("define: %q", s)
	}
	d.do("target", chromedp.Navigate(base+"/targets"), chromedp.WaitVisible(chromedp.CSS("#indicator")),
		chromedp.SetValue(chromedp.CSS("#indicator"), code), chromedp.Clear(chromedp.CSS("#year")),
		chromedp.SendKeys(chromedp.CSS("#year"), year), chromedp.SendKeys(chromedp.CSS("#value"), "1"),
		chromedp.Click(chromedp.CSS(`main form button.primary`)), chromedp.WaitVisible(chromedp.CSS(".flash")))
	d.noProblems("422")

	cadre := newBrowserSession(t, exec, base, "cadre375", ctx)
	cadre.login("village-" + village)
	value := "/indicators/" + code + "/values/" + village + "/" + year
	cadre.do("catalogue", chromedp.Navigate(base+"/indicators"), chromedp.WaitVisible(chromedp.CSS(`a[href="`+value+`"]`)))
	cadre.pageChecks("catalogue", true)
	cadre.do("value", chromedp.Click(chromedp.CSS(`a[href="`+value+`"]`)), chromedp.WaitVisible(chromedp.CSS("ol.stepper")))
	cadre.pageChecks("value", true)
	cadre.do("submitted", chromedp.Click(chromedp.CSS(`input[name=value][value="1"]`)),
		chromedp.Click(chromedp.CSS(`button[name=action][value=submit]`)), chromedp.WaitVisible(chromedp.CSS(".flash")))
	if s := cadre.text("ol.stepper li[aria-current=step]"); !strings.Contains(s, "已提交") {
		t.Fatalf("the stepper after submitting: %q", s)
	}
	cadre.pageChecks("submitted", true)
	cadre.noProblems()

	officer := newBrowserSession(t, exec, base, "street375", ctx)
	officer.login("street-331002001")
	approve := `form[action="` + value + `/approve"] button`
	officer.do("queue", chromedp.Navigate(base+"/queue"), chromedp.WaitVisible(chromedp.CSS(approve)))
	officer.pageChecks("queue", true)
	officer.do("approved", chromedp.Click(chromedp.CSS(approve)), chromedp.WaitVisible(chromedp.CSS(".flash")))
	if s := officer.text(".flash"); !strings.Contains(s, "审核通过") {
		t.Fatalf("approve: %q", s)
	}
	officer.noProblems()

	d.do("rollup", chromedp.Navigate(base+"/indicators/"+code+"/rollup?year="+year), chromedp.WaitVisible(chromedp.CSS(".kpi.big")))
	d.pageChecks("rollup", true)
	if s := d.text(".kpi.big"); !strings.Contains(s, "1 个村") || !strings.Contains(s, "本年目标 1 个村") {
		t.Fatalf("the roll-up: %q", s)
	}
	if s := d.text("main"); !strings.Contains(s, "分街道排名") || !strings.Contains(s, "1\t海门街道") {
		t.Fatalf("the ranking does not place 海门街道 first: %.600q", s)
	}
	if s := d.text("main"); !strings.Contains(s, "进行中") || !strings.Contains(s, "演示库中的指标值是虚构的") {
		t.Fatalf("the roll-up page does not say the year is in progress and the demo values invented: %.300q", s)
	}
	d.do("bulletin", chromedp.Navigate(base+"/bulletin?year="+year), chromedp.WaitVisible(chromedp.CSS("main h1")))
	if s := d.text("main"); !strings.Contains(s, "实施方案其他指标") || !strings.Contains(s, name) {
		t.Fatalf("the 通报 lacks the catalogue section with %s", name)
	}
	d.noProblems("422")
}
