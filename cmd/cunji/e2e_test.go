package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// chromiumPath finds Debian's Chromium; in CI a missing browser is a failure, not a
// skip, so that the browser tests always run there.
func chromiumPath(t *testing.T) string {
	for _, p := range []string{"/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("Chromium is not installed: .ci/run must install it (apt-get install chromium)")
	}
	t.Skip("Chromium is not installed (apt-get install chromium): browser tests skipped")
	return ""
}

// browserSession is one person's headless Chromium tab on a phone-sized screen,
// recording console errors and failed requests.
type browserSession struct {
	t        *testing.T
	ctx      context.Context
	base     string
	shots    string
	mu       sync.Mutex
	problems []string
	step     int
	name     string
}

func newBrowserSession(t *testing.T, exec, base, name string, parent context.Context) *browserSession {
	return newSizedSession(t, exec, base, name, parent, 375, 812, true)
}

// newSizedSession is a tab of w×h CSS pixels: a phone (touch, mobile viewport) or
// a desktop screen.
func newSizedSession(t *testing.T, exec, base, name string, parent context.Context, w, h int64, phone bool) *browserSession {
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exec), chromedp.NoSandbox,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-quic", true), chromedp.WindowSize(int(w), int(h)))
	actx, cancelA := chromedp.NewExecAllocator(parent, opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelA() })
	b := &browserSession{t: t, ctx: ctx, base: base, shots: t.ArtifactDir(), name: name}
	emulate := chromedp.EmulateViewport(w, h)
	if phone {
		emulate = chromedp.EmulateViewport(w, h, chromedp.EmulateMobile)
	}
	if err := chromedp.Do(ctx, emulate); err != nil {
		t.Fatal(err)
	}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.IsException() || strings.Contains(strings.ToLower(string(m.Type)), "error") {
				b.mu.Lock()
				b.problems = append(b.problems, fmt.Sprintf("console %s: %s (%s)", m.Type, m.Text, m.URL))
				b.mu.Unlock()
			}
		}
	}()
	failed := chromedp.Events(ctx, network.LoadingFailed)
	go func() {
		for ev, err := range failed {
			if err != nil {
				return
			}
			if ev.Canceled {
				continue // a navigation that replaced the page
			}
			b.mu.Lock()
			b.problems = append(b.problems, fmt.Sprintf("request failed: %s %s", ev.ErrorText, ev.BlockedReason))
			b.mu.Unlock()
		}
	}()
	return b
}

// do runs actions, then takes a screenshot named after the step.
func (b *browserSession) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 90*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.t.Fatalf("%s: %s: %v", b.name, what, err)
	}
	b.step++
	buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(90))
	if err == nil {
		os.WriteFile(filepath.Join(b.shots, fmt.Sprintf("%02d-%s-%s.jpg", b.step, b.name, what)), buf, 0o644)
	}
}

func (b *browserSession) text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("%s: text of %s: %v", b.name, sel, err)
	}
	return s
}

func (b *browserSession) login(user string) {
	b.t.Helper()
	b.do("login-"+user,
		chromedp.Navigate(b.base+"/login"),
		chromedp.WaitVisible(chromedp.CSS("#username")),
		chromedp.SendKeys(chromedp.CSS("#username"), user),
		chromedp.SendKeys(chromedp.CSS("#password"), "cunji-demo"),
		chromedp.Submit(chromedp.CSS("#password")),
		chromedp.WaitReady(chromedp.CSS("header.top .who")),
	)
}

// noProblems fails on any console error or failed request, except those that
// contain one of the expected texts (a form answered 422 on purpose).
func (b *browserSession) noProblems(expected ...string) {
	b.t.Helper()
	time.Sleep(200 * time.Millisecond)
	b.mu.Lock()
	defer b.mu.Unlock()
	var left []string
outer:
	for _, p := range b.problems {
		for _, e := range expected {
			if strings.Contains(p, e) {
				continue outer
			}
		}
		left = append(left, p)
	}
	if len(left) > 0 {
		b.t.Fatalf("%s: %d console errors or failed requests:\n%s", b.name, len(left), strings.Join(left, "\n"))
	}
}

var shareRe = regexp.MustCompile(`(\d+) / (\d+) 村`)

// TestBrowserWorkflow drives the real binary in headless Chromium on a 375×812
// screen: a cadre fills in the year's report in 万元 and submits; the street
// rejects it with a reason; the cadre corrects and resubmits; the street approves;
// the district sees the share move and prints the 通报 to PDF.
func TestBrowserWorkflow(t *testing.T) {
	exec := chromiumPath(t)
	bin := buildBinary(t)
	srv := startDemo(t, bin, "--db", filepath.Join(t.TempDir(), "e2e.db"))
	base := "http://" + srv.addr
	village, street := "331002001201", "331002001"
	report := "/villages/" + village + "/reports/2027"
	ctx := context.Background()

	district := newBrowserSession(t, exec, base, "district", ctx)
	district.login("district")
	district.do("rollup-before", chromedp.Navigate(base+"/rollup?year=2027"), chromedp.WaitVisible(chromedp.CSS(".kpi.big")))
	before := shareRe.FindStringSubmatch(district.text(".kpi.big"))
	if before == nil {
		t.Fatalf("no share on the district page: %q", district.text(".kpi.big"))
	}

	cadre := newBrowserSession(t, exec, base, "cadre", ctx)
	cadre.login("village-" + village)
	cadre.do("report-form",
		chromedp.Navigate(base+report),
		chromedp.WaitVisible(chromedp.CSS("#report-form")),
		chromedp.Clear(chromedp.CSS("#business_wan")), chromedp.SendKeys(chromedp.CSS("#business_wan"), "30.5"),
		chromedp.Clear(chromedp.CSS("#contract_wan")), chromedp.SendKeys(chromedp.CSS("#contract_wan"), "15"),
		chromedp.Clear(chromedp.CSS("#investment_wan")), chromedp.SendKeys(chromedp.CSS("#investment_wan"), "4.5"),
		chromedp.Clear(chromedp.CSS("#subsidy_wan")), chromedp.SendKeys(chromedp.CSS("#subsidy_wan"), "12.345678"),
	)
	if got := cadre.text("#d-operating"); got != "50.00" {
		t.Fatalf("derived 经营性收入 shown as %q, want 50.00", got)
	}
	if got := cadre.text("#d-total"); got != "62.35" {
		t.Fatalf("derived 总收入 shown as %q, want 62.35", got)
	}
	if got := cadre.text("#d-verdict"); !strings.Contains(got, "达到 50 万元") {
		t.Fatalf("verdict %q", got)
	}
	cadre.do("submitted",
		chromedp.Click(chromedp.CSS(`button[name=action][value=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(".flash")),
	)
	if !strings.Contains(cadre.text("main"), "待审核") {
		t.Fatal("the report page does not show 待审核 after submitting")
	}
	cadre.noProblems()

	officer := newBrowserSession(t, exec, base, "officer", ctx)
	officer.login("street-" + street)
	officer.do("queue", chromedp.Navigate(base+"/queue"), chromedp.WaitVisible(chromedp.CSS(`a[href="`+report+`"]`)))
	officer.do("reject",
		chromedp.Click(chromedp.CSS(`a[href="`+report+`"]`)),
		chromedp.WaitVisible(chromedp.CSS("#reason")),
		chromedp.SendKeys(chromedp.CSS("#reason"), "请补充经营收入的凭据"),
		chromedp.Click(chromedp.CSS(`form[action$="/reject"] button`)),
		chromedp.WaitVisible(chromedp.CSS(".flash")),
	)
	officer.noProblems()

	cadre.do("sees-reason", chromedp.Navigate(base+report), chromedp.WaitVisible(chromedp.CSS(".reason")))
	if !strings.Contains(cadre.text("main"), "请补充经营收入的凭据") {
		t.Fatal("the cadre does not see the rejection reason")
	}
	cadre.do("resubmitted",
		chromedp.Clear(chromedp.CSS("#business_wan")), chromedp.SendKeys(chromedp.CSS("#business_wan"), "31"),
		chromedp.Click(chromedp.CSS(`button[name=action][value=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(".flash")),
	)
	cadre.noProblems()

	officer.do("approve",
		chromedp.Navigate(base+report),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/approve"] button`)),
		chromedp.Click(chromedp.CSS(`form[action$="/approve"] button`)),
		chromedp.WaitVisible(chromedp.CSS(".flash")),
	)
	officer.noProblems()

	district.do("rollup-after", chromedp.Navigate(base+"/rollup?year=2027"), chromedp.WaitVisible(chromedp.CSS(".kpi.big")))
	after := shareRe.FindStringSubmatch(district.text(".kpi.big"))
	if after == nil || after[1] == before[1] || fmt.Sprint(atoi(before[1])+1) != after[1] {
		t.Fatalf("the count over 50万 went from %v to %v, want one more", before, after)
	}
	district.do("bulletin", chromedp.Navigate(base+"/bulletin?year=2027"), chromedp.WaitVisible(chromedp.CSS(".bulletin")))
	pdf, err := chromedp.Run(district.ctx, chromedp.PrintToPDF())
	if err != nil || !bytes.HasPrefix(pdf, []byte("%PDF")) || len(pdf) < 10_000 {
		t.Fatalf("printing the 通报: %v (%d bytes)", err, len(pdf))
	}
	os.WriteFile(filepath.Join(t.ArtifactDir(), "bulletin.pdf"), pdf, 0o644)
	district.do("oversight", chromedp.Navigate(base+"/oversight?year=2025"), chromedp.WaitReady(chromedp.CSS("svg.chart")))
	district.noProblems()
}

// TestBrowserFormAccessibility: labels tied to inputs, errors tied to their fields,
// and the focus on the first field in error.
func TestBrowserFormAccessibility(t *testing.T) {
	exec := chromiumPath(t)
	bin := buildBinary(t)
	srv := startDemo(t, bin, "--db", filepath.Join(t.TempDir(), "a11y.db"))
	base := "http://" + srv.addr
	cadre := newBrowserSession(t, exec, base, "a11y", context.Background())
	cadre.login("village-331002001201")
	cadre.do("bad-values",
		chromedp.Navigate(base+"/villages/331002001201/reports/2027"),
		chromedp.WaitVisible(chromedp.CSS("#report-form")),
		chromedp.Clear(chromedp.CSS("#contract_wan")), chromedp.SendKeys(chromedp.CSS("#contract_wan"), "abc"),
		chromedp.Clear(chromedp.CSS("#assets_wan")), chromedp.SendKeys(chromedp.CSS("#assets_wan"), "-5"),
		chromedp.Click(chromedp.CSS(`button[name=action][value=save]`)),
		chromedp.WaitVisible(chromedp.CSS("#contract_wan-error")),
	)
	// Every input of the form has a label.
	unlabelled, err := chromedp.Run(cadre.ctx, chromedp.Evaluate[int](`Array.from(document.querySelectorAll(
		"#report-form input:not([type=hidden]), #report-form select, #report-form textarea"))
		.filter(e => !document.querySelector('label[for="' + e.id + '"]')).length`))
	if err != nil || unlabelled != 0 {
		t.Fatalf("%d inputs without a label (%v)", unlabelled, err)
	}
	focused, err := chromedp.Run(cadre.ctx, chromedp.Evaluate[string](`document.activeElement.id`))
	if err != nil || focused != "contract_wan" {
		t.Fatalf("focus on %q, want the first field in error", focused)
	}
	described, err := chromedp.Run(cadre.ctx, chromedp.Evaluate[string](`document.getElementById("assets_wan").getAttribute("aria-describedby")`))
	if err != nil || described != "assets_wan-error" {
		t.Fatalf("the error is not tied to its field: %q", described)
	}
	cadre.noProblems("status of 422")
}

func atoi(s string) int {
	n := 0
	fmt.Sscan(s, &n)
	return n
}

// TestBrowserAdminPages: the district's accounts, audit and 通报 pages fit a 375 px
// screen (neither the page nor their tables scroll sideways).
func TestBrowserAdminPages(t *testing.T) {
	exec := chromiumPath(t)
	bin := buildBinary(t)
	srv := startDemo(t, bin, "--db", filepath.Join(t.TempDir(), "admin.db"))
	base := "http://" + srv.addr
	district := newBrowserSession(t, exec, base, "admin", context.Background())
	district.login("district")
	for _, p := range []struct{ name, path string }{{"users", "/users"}, {"audit", "/audit"}, {"bulletin", "/bulletin"}} {
		district.do(p.name, chromedp.Navigate(base+p.path), chromedp.WaitVisible(chromedp.CSS("main h1")))
		wide, err := chromedp.Run(district.ctx, chromedp.Evaluate[string](`[document.documentElement.scrollWidth,
			...Array.from(document.querySelectorAll("main table")).map(t => t.scrollWidth)].filter(w => w > 375).join(",")`))
		if err != nil || wide != "" {
			t.Errorf("%s at 375 px: wider parts %q (%v)", p.path, wide, err)
		}
	}
	district.noProblems()
}
