package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// upwardAxe is axe-core's axe.min.js for the reports upward test: CUNJI_AXE_JS names
// it, else .ci/run's npm install under /tmp/cunji-axe; without it the test skips
// outside CI.
func upwardAxe(t *testing.T) string {
	t.Helper()
	p := os.Getenv("CUNJI_AXE_JS")
	if p == "" {
		p = "/tmp/cunji-axe/node_modules/axe-core/axe.min.js"
	}
	b, err := os.ReadFile(p)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("axe-core is missing: %v", err)
		}
		t.Skipf("axe-core is missing (%v): npm install --prefix /tmp/cunji-axe axe-core", err)
	}
	return string(b)
}

// TestBrowserUpwardReports: every report upward, as the district and as a street, on
// a 375 px phone: axe-core WCAG 2.1 AA clean, nothing wider than the screen, the
// street's pages naming its street only; the income bands print to A4.
func TestBrowserUpwardReports(t *testing.T) {
	exec := chromiumPath(t)
	axe := upwardAxe(t)
	bin := buildBinary(t)
	srv := startDemo(t, bin, "--db", filepath.Join(t.TempDir(), "upward.db"))
	base := "http://" + srv.addr
	check := func(b *browserSession, what string) {
		t.Helper()
		raw, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](axe+`;axe.run(document, {runOnly: {type: "tag",
			values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}, resultTypes: ["violations"]}).then(r =>
			JSON.stringify(r.violations.map(v => v.id + ": " + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(" | "))))`,
			chromedp.EvalAwaitPromise))
		var violations []string
		if err != nil || json.Unmarshal([]byte(raw), &violations) != nil || len(violations) > 0 {
			t.Errorf("%s %s: axe-core violations %v (%v)", b.name, what, violations, err)
		}
		wide, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`[document.documentElement.scrollWidth, document.body.scrollWidth,
			...Array.from(document.querySelectorAll("main table")).map(t => t.scrollWidth)].filter(w => w > window.innerWidth).join(",")`))
		if err != nil || wide != "" {
			t.Errorf("%s %s at 375 px: wider parts %q (%v)", b.name, what, wide, err)
		}
	}
	kinds := []string{"income-bands", "weak", "strong", "titles", "companies", "workshops"}
	district := newBrowserSession(t, exec, base, "upward-district", context.Background())
	district.login("district")
	district.do("index", chromedp.Navigate(base+"/upward"), chromedp.WaitVisible(chromedp.CSS("main h1")))
	check(district, "index")
	for _, k := range kinds {
		district.do(k, chromedp.Navigate(base+"/upward/"+k), chromedp.WaitVisible(chromedp.CSS("main h1")))
		check(district, k)
		if n, _ := chromedp.Run(district.ctx, chromedp.Evaluate[int](`document.querySelectorAll("a[href*='format=xlsx'], a[href*='format=csv']").length`)); n < 2 {
			t.Errorf("%s: %d download links", k, n)
		}
	}
	district.do("bands-print", chromedp.Navigate(base+"/upward/income-bands"), chromedp.WaitVisible(chromedp.CSS("main h1")))
	res, err := chromedp.Call(district.ctx, page.PrintToPDF, page.PrintToPDFParams{PaperWidth: 8.27, PaperHeight: 11.69})
	pdf := res.Data
	if err != nil || !strings.HasPrefix(string(pdf), "%PDF") {
		t.Errorf("printing the income bands: %v", err)
	} else {
		os.WriteFile(filepath.Join(district.shots, "upward-income-bands.pdf"), pdf, 0o644)
	}
	district.noProblems()

	street := newBrowserSession(t, exec, base, "upward-street", context.Background())
	street.login("street-331002001")
	for _, k := range kinds {
		street.do(k, chromedp.Navigate(base+"/upward/"+k), chromedp.WaitVisible(chromedp.CSS("main h1")))
		check(street, k)
		if h := street.text("main h1"); !strings.Contains(h, "海门街道") {
			t.Errorf("street page %s names %q", k, h)
		}
		if others := street.text("main"); strings.Contains(others, "白云街道") {
			t.Errorf("street page %s shows another street", k)
		}
	}
	street.noProblems()
}
