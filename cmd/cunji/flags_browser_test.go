package main

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserReviewFlags walks the street officer's review of flagged reports on a
// phone (375×812), every page axe-core clean: three cadres submit 2026 figures far
// above last year's (with their notes); the queue shows the flags, filters by flag
// and counts what is left; the officer opens the first and approves it; 下一个 is the
// next flagged report and keeps the filter; back in the filtered queue, a bulk
// approval of everything lists the flagged reports not opened apart and does not
// offer to approve them. Then the 催报 list, from 待办, for the street and the
// district, and the district's thresholds form.
func TestBrowserReviewFlags(t *testing.T) {
	exec := chromiumPath(t)
	needAxe(t)
	bin := buildBinary(t)
	srv := startDemo(t, bin, "--db", t.TempDir()+"/flags.db")
	base := "http://" + srv.addr
	street := "331002001"
	for _, code := range []string{"331002001202", "331002001203", "331002001204"} {
		status, tok := login(t, srv.addr, "village-"+code, "cunji-demo")
		if status != 200 {
			t.Fatalf("login %s: %d", code, status)
		}
		c := apiClient{t, srv.addr, tok}
		path := "/api/v1/villages/" + code + "/reports/2026"
		st, rep := c.call("GET", path, nil)
		if st != 200 {
			t.Fatalf("GET %s: %d %v", path, st, rep)
		}
		version := 0.0
		if open, ok := rep["open"].(map[string]any); ok {
			version = open["version"].(float64)
			if open["status"] == "submitted" {
				if st, body := c.call("POST", path+"/withdraw", map[string]any{"version": version}); st != 200 {
					t.Fatalf("withdraw %s: %d %v", code, st, body)
				} else {
					version = body["version"].(float64)
				}
			}
		}
		last, ok := rep["last_year"].(map[string]any)
		if !ok {
			t.Fatalf("%s has no 2025 approved figures to compare with", code)
		}
		// Last year's figures, but 经营收入 three times last year's and 20 万 more.
		figures := map[string]any{"version": version, "business_fen": last["business_fen"].(float64)*3 + 20_000_000}
		for _, k := range []string{"contract_fen", "investment_fen", "subsidy_fen", "other_fen", "assets_fen"} {
			figures[k] = last[k]
		}
		if st, body := c.call("PUT", path, figures); st != 200 {
			t.Fatalf("save %s: %d %v", code, st, body)
		}
		if st, body := c.call("POST", path+"/submit", nil); st != 422 {
			t.Fatalf("flagged submit without a note %s: %d %v", code, st, body)
		}
		if st, body := c.call("POST", path+"/submit", map[string]any{"note": "新签厂房租赁合同，经营收入增加"}); st != 200 {
			t.Fatalf("submit %s: %d %v", code, st, body)
		}
	}

	officer := newBrowserSession(t, exec, base, "flags375", context.Background())
	officer.login("street-" + street)
	officer.do("queue", chromedp.Navigate(base+"/queue"), chromedp.WaitVisible(chromedp.CSS("form.filters")))
	officer.pageChecks("queue", true)
	if s := officer.text("main"); !strings.Contains(s, "较上年增加") || !strings.Contains(s, "项提示") {
		t.Fatalf("the queue shows no flag: %.300s", s)
	}
	officer.do("filter",
		chromedp.SetValue(chromedp.CSS("#f-flag"), "change"),
		chromedp.Click(chromedp.CSS("form.filters button")),
		chromedp.WaitVisible(chromedp.CSS("#check-all")))
	officer.pageChecks("queue by flag", true)
	url, err := chromedp.Run(officer.ctx, chromedp.Location())
	if err != nil || !strings.Contains(url, "flag=change") || !strings.Contains(officer.text("p.left"), "筛选后") {
		t.Fatalf("filtered queue at %s: %q (%v)", url, officer.text("p.left"), err)
	}
	officer.do("open",
		chromedp.Click(chromedp.CSS("table tbody tr:first-child td:nth-child(2) a")),
		chromedp.WaitVisible(chromedp.CSS(".flagbox")))
	officer.pageChecks("review", true)
	if s := officer.text(".flagbox"); !strings.Contains(s, "较上年增加") {
		t.Fatalf("review flags: %q", s)
	}
	officer.do("approve",
		chromedp.Click(chromedp.CSS(`form[action$="/approve"] button`)),
		chromedp.WaitVisible(chromedp.CSS(".flash")))
	officer.pageChecks("next", true)
	url, _ = chromedp.Run(officer.ctx, chromedp.Location())
	if flash := officer.text(".flash"); !strings.Contains(url, "/reports/") || !strings.Contains(url, "flag=change") ||
		!strings.Contains(flash, "下一份") || !strings.Contains(flash, "筛选后") {
		t.Fatalf("下一个 at %s: %q", url, flash)
	}
	if s := officer.text(".flagbox"); !strings.Contains(s, "较上年增加") {
		t.Fatalf("the next report is not a flagged one: %q", s)
	}
	officer.do("queue-again",
		chromedp.Click(chromedp.CSS("p.left a")),
		chromedp.WaitVisible(chromedp.CSS("#check-all")))
	officer.do("bulk-confirm",
		chromedp.Click(chromedp.CSS("#check-all")),
		chromedp.Click(chromedp.CSS(`form[action="/queue/approve"] button.primary`)),
		chromedp.WaitVisible(chromedp.CSS("section.refused")))
	officer.pageChecks("bulk confirm", true)
	refused, err := chromedp.Run(officer.ctx, chromedp.Evaluate[int](`document.querySelectorAll("section.refused li > a").length`))
	if err != nil || refused < 1 {
		t.Fatalf("%d refused items (%v)", refused, err)
	}
	// What is refused is not among what the confirmation would approve.
	leak, err := chromedp.Run(officer.ctx, chromedp.Evaluate[int](`(() => {
		const approve = new Set(Array.from(document.querySelectorAll("input[name=item]")).map(i => i.value.split("/").slice(0, 2).join("/")));
		return Array.from(document.querySelectorAll("section.refused li > a")).filter(a => {
			const m = a.getAttribute("href").match(/villages\/(\d+)\/reports\/(\d+)/);
			return approve.has(m[1] + "/" + m[2]);
		}).length;
	})()`))
	if err != nil || leak != 0 {
		t.Fatalf("%d refused items offered for approval (%v)", leak, err)
	}
	// The 催报 list from 待办, and the district's list and thresholds form.
	officer.do("home", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS(`a[href="/overdue"]`)))
	officer.do("overdue", chromedp.Click(chromedp.CSS(`a[href="/overdue"]`)), chromedp.WaitVisible(chromedp.CSS("button[data-print]")))
	officer.pageChecks("overdue", true)
	officer.noProblems()
	district := newBrowserSession(t, exec, base, "district375", context.Background())
	district.login("district")
	district.do("overdue", chromedp.Navigate(base+"/overdue"), chromedp.WaitVisible(chromedp.CSS("#o-street")))
	district.pageChecks("overdue", true)
	district.do("thresholds", chromedp.Navigate(base+"/windows#flags"), chromedp.WaitVisible(chromedp.CSS("#median_k100")))
	district.pageChecks("thresholds", true)
	district.noProblems()
}
