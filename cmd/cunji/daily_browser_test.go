package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserCadreYear walks the cadre's year at 375×812 on the demo: a closed
// year (2025) is read-only with its sentence; the open year (2026) shows last
// year's figure beside every field; one submit button; 撤回 brings the form back.
func TestBrowserCadreYear(t *testing.T) {
	exec := chromiumPath(t)
	bin := buildBinary(t)
	srv := startDemo(t, bin, "--db", filepath.Join(t.TempDir(), "daily.db"))
	base := "http://" + srv.addr
	report := base + "/villages/331002001201/reports/"
	cadre := newBrowserSession(t, exec, base, "daily", context.Background())
	cadre.login("village-331002001201")
	cadre.do("closed-2025", chromedp.Navigate(report+"2025"), chromedp.WaitVisible(chromedp.CSS("p.notice")))
	if s := cadre.text("p.notice"); !strings.Contains(s, "截止") {
		t.Fatalf("closed year: %q", s)
	}
	if n, err := chromedp.Run(cadre.ctx, chromedp.Evaluate[int](`document.querySelectorAll("#report-form").length`)); err != nil || n != 0 {
		t.Fatalf("a closed year shows a form (%d, %v)", n, err)
	}
	cadre.do("open-2026", chromedp.Navigate(report+"2026"), chromedp.WaitVisible(chromedp.CSS("h1")))
	// A submission the demo left under review is withdrawn first.
	if n, _ := chromedp.Run(cadre.ctx, chromedp.Evaluate[int](`document.querySelectorAll("form[action$='/withdraw']").length`)); n == 1 {
		cadre.do("withdraw-demo", chromedp.Click(chromedp.CSS("form[action$='/withdraw'] button")), chromedp.WaitVisible(chromedp.CSS("#report-form")))
	}
	cadre.do("form-last-year", chromedp.WaitVisible(chromedp.CSS("#report-form .vs")))
	if n, err := chromedp.Run(cadre.ctx, chromedp.Evaluate[int](`document.querySelectorAll("#report-form .vs").length`)); err != nil || n != 8 {
		t.Fatalf("last year beside %d figures, want 8 (%v)", n, err)
	}
	cadre.do("typed",
		chromedp.Clear(chromedp.CSS("#business_wan")), chromedp.SendKeys(chromedp.CSS("#business_wan"), "1"),
		// A change past the flags' thresholds is submitted with a note (说明).
		chromedp.SendKeys(chromedp.CSS("#note"), "经营收入按新合同核减"),
		chromedp.WaitVisible(chromedp.CSS("#report-form .vs .vs-delta")))
	cadre.do("submitted",
		chromedp.Click(chromedp.CSS(`button[name=action][value=submit]`)),
		chromedp.WaitVisible(chromedp.CSS("form[action$='/withdraw'] button")))
	cadre.do("withdrawn",
		chromedp.Click(chromedp.CSS("form[action$='/withdraw'] button")),
		chromedp.WaitVisible(chromedp.CSS("#report-form")))
	if n, err := chromedp.Run(cadre.ctx, chromedp.Evaluate[int](`Array.from(document.querySelectorAll("button")).filter(b => b.textContent.includes("提交审核")).length`)); err != nil || n != 1 {
		t.Fatalf("%d submit buttons on a draft, want 1 (%v)", n, err)
	}
	cadre.noProblems()
}
