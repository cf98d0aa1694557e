package main

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserPlanPages: the pages of the plan's registers at 375 px, axe-clean: the
// import page with the naming list and the 分解下达 sheet, the oversight trend with
// its reference path, a company with its other shareholders, and a street's own
// workshop form.
func TestBrowserPlanPages(t *testing.T) {
	exec := chromiumPath(t)
	needAxe(t)
	bin := buildBinary(t)
	srv := startDemo(t, bin, "--db", t.TempDir()+"/plan.db")
	base := "http://" + srv.addr
	ctx := context.Background()
	d := newBrowserSession(t, exec, base, "plan-district", ctx)
	d.login("district")
	for _, p := range []string{"/import", "/oversight", "/companies/1", "/titles", "/targets"} {
		d.do(p, chromedp.Navigate(base+p), chromedp.WaitVisible(chromedp.CSS("main h1")))
		d.pageChecks(p, true)
	}
	s := newBrowserSession(t, exec, base, "plan-street", ctx)
	s.login("street-331002001")
	for _, p := range []string{"/workshops/new", "/workshops"} {
		s.do(p, chromedp.Navigate(base+p), chromedp.WaitVisible(chromedp.CSS("main h1")))
		s.pageChecks(p, true)
	}
	d.noProblems()
	s.noProblems()
}
