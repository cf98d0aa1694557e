package main

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// axeSource is axe-core's axe.min.js: CUNJI_AXE_JS names it, or .ci/run's npm
// install under /tmp/cunji-axe left it. It is a test tool, never served.
var axeSource = sync.OnceValues(func() (string, error) {
	p := os.Getenv("CUNJI_AXE_JS")
	if p == "" {
		p = "/tmp/cunji-axe/node_modules/axe-core/axe.min.js"
	}
	b, err := os.ReadFile(p)
	return string(b), err
})

func needAxe(t *testing.T) {
	t.Helper()
	if _, err := axeSource(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("axe-core is missing (%v): .ci/run installs it with npm", err)
		}
		t.Skipf("axe-core is missing (%v): npm install --prefix /tmp/cunji-axe axe-core", err)
	}
}

// pageChecks are what every page of the walk must pass: axe-core's WCAG 2.1 A and
// AA rules without a violation, nothing wider than the screen and, on a phone,
// every tappable element at least 44×44 px (links inside a sentence excepted, as
// WCAG 2.5.8 does; a control counts with its label) and chart labels of 12 px and up.
func (b *browserSession) pageChecks(what string, phone bool) {
	b.t.Helper()
	src, _ := axeSource()
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](src+";true")); err != nil {
		b.t.Fatalf("%s: loading axe-core: %v", what, err)
	}
	raw, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`axe.run(document, {runOnly: {type: "tag",
		values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}, resultTypes: ["violations"]}).then(r =>
		JSON.stringify(r.violations.map(v => v.id + " (" + v.impact + "): " + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(" | "))))`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("%s: axe-core: %v", what, err)
	}
	var violations []string
	if err := json.Unmarshal([]byte(raw), &violations); err != nil {
		b.t.Fatalf("%s: axe-core answer %q: %v", what, raw, err)
	}
	if len(violations) > 0 {
		b.t.Errorf("%s (%s): axe-core WCAG 2.1 AA violations:\n%s", b.name, what, strings.Join(violations, "\n"))
	}
	wide, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`[document.documentElement.scrollWidth, document.body.scrollWidth]
		.filter(w => w > window.innerWidth).join(",")`))
	if err != nil || wide != "" {
		b.t.Errorf("%s (%s): the page is wider than the screen: %q (%v)", b.name, what, wide, err)
	}
	if !phone {
		return
	}
	small, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](smallTargetsJS))
	if err != nil || len(small) > 0 {
		b.t.Errorf("%s (%s): tappable elements under 44×44 px: %v (%v)", b.name, what, small, err)
	}
	tiny, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](smallChartTextJS))
	if err != nil || len(tiny) > 0 {
		b.t.Errorf("%s (%s): chart labels under 12 px: %v (%v)", b.name, what, tiny, err)
	}
}

// smallTargetsJS lists the visible tappable elements smaller than 44×44 px.
const smallTargetsJS = `(() => {
  const inSentence = a => {
    const p = a.parentElement;
    if (!p || !["P", "SPAN", "SMALL", "LI", "TD", "DD"].includes(p.tagName)) return false;
    return Array.from(p.childNodes).some(n => n !== a && n.textContent.trim() !== "");
  };
  const out = [];
  document.querySelectorAll("a[href], button, input:not([type=hidden]), select, textarea, summary").forEach(e => {
    let r = e.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || !e.checkVisibility({visibilityProperty: true})) return;
    if (e.tagName === "A" && inSentence(e)) return;
    const label = e.closest("label");
    if (label) { const l = label.getBoundingClientRect(); if (l.width >= 44 && l.height >= 44) return; }
    if (r.width < 43.5 || r.height < 43.5)
      out.push(e.tagName.toLowerCase() + " " + (e.textContent.trim() || e.name || e.id).slice(0, 20) + " " + Math.round(r.width) + "×" + Math.round(r.height));
  });
  return out;
})()`

// smallChartTextJS lists the visible chart labels drawn under 12 px.
const smallChartTextJS = `(() => {
  const out = [];
  document.querySelectorAll("svg.chart").forEach(svg => {
    const r = svg.getBoundingClientRect();
    if (r.width === 0) return;
    const k = r.width / svg.viewBox.baseVal.width;
    svg.querySelectorAll("text").forEach(t => {
      const px = parseFloat(t.getAttribute("font-size")) * k;
      if (px < 11.95) out.push(t.textContent + " " + px.toFixed(1) + " px");
    });
  });
  return out.slice(0, 10);
})()`

// TestBrowserPhoneWalk walks the daily work on a phone (375×812) and the district's
// desktop (1366×768): every page axe-core clean, nothing wider than the screen,
// 44 px targets and legible charts on the phone, a compact header whose menu
// opens, the status stepper and the history as cards.
func TestBrowserPhoneWalk(t *testing.T) {
	exec := chromiumPath(t)
	needAxe(t)
	bin := buildBinary(t)
	srv := startDemo(t, bin, "--db", t.TempDir()+"/walk.db")
	base := "http://" + srv.addr
	village, street := "331002001201", "331002001"
	report := "/villages/" + village + "/reports/2026"
	ctx := context.Background()

	cadre := newBrowserSession(t, exec, base, "cadre375", ctx)
	cadre.do("login-page", chromedp.Navigate(base+"/login"), chromedp.WaitVisible(chromedp.CSS("#username")))
	cadre.pageChecks("login", true)
	cadre.login("village-" + village)
	cadre.pageChecks("home", true)
	header, err := chromedp.Run(cadre.ctx, chromedp.Evaluate[float64](`document.querySelector("header.top").getBoundingClientRect().height`))
	if err != nil || header > 64 {
		t.Errorf("the phone header is %.0f px high, want at most 64 (%v)", header, err)
	}
	cadre.do("menu-open", chromedp.Click(chromedp.CSS("details.menu summary")), chromedp.WaitVisible(chromedp.CSS("details.menu nav a")))
	cadre.pageChecks("menu open", true)
	cadre.do("village", chromedp.Navigate(base+"/villages/"+village), chromedp.WaitVisible(chromedp.CSS("main h1")))
	cadre.pageChecks("village", true)
	// The cadre's day, counted in taps from the home page (待办): the year's item,
	// the changed figure, 保存并提交审核.
	cadre.do("home-again", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS("ul.todo")))
	start := time.Now()
	cadre.do("report", chromedp.Click(chromedp.CSS(`ul.todo a[href="`+report+`"]`)), chromedp.WaitVisible(chromedp.CSS("ol.stepper")))
	cadreTaps := 1
	cadre.pageChecks("report", true)
	// The demo left this year rejected: the stepper says so, with the reason.
	if s := cadre.text("ol.stepper li[aria-current=step]"); !strings.Contains(s, "已退回") || !strings.Contains(s, "退回：") {
		t.Errorf("the stepper's current stage after a rejection: %q", s)
	}
	cadre.do("typed",
		chromedp.Click(chromedp.CSS("#business_wan")), chromedp.Clear(chromedp.CSS("#business_wan")), chromedp.SendKeys(chromedp.CSS("#business_wan"), "33.3"),
		chromedp.Click(chromedp.CSS(`button[name=action][value=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(".flash")))
	cadreTaps += 2
	cadreTime := time.Since(start)
	if s := cadre.text("ol.stepper li[aria-current=step]"); !strings.Contains(s, "已提交") {
		t.Errorf("the stepper's current stage after submitting: %q", s)
	}
	cadre.pageChecks("submitted", true)
	// History as cards: no cell squeezed to a column of single characters.
	narrow, err := chromedp.Run(cadre.ctx, chromedp.Evaluate[int](`Array.from(document.querySelectorAll("table.history td"))
		.filter(td => td.getBoundingClientRect().width > 0 && td.getBoundingClientRect().width < 120).length`))
	if err != nil || narrow != 0 {
		t.Errorf("%d history cells narrower than 120 px at 375 px (%v)", narrow, err)
	}
	cadre.noProblems()

	officer := newBrowserSession(t, exec, base, "street375", ctx)
	officer.login("street-" + street)
	officer.pageChecks("home", true)
	// The street's approval, counted in taps from its home page: 审核 N 份, the
	// report in the queue, 审核通过 (the checks between are not timed).
	start = time.Now()
	officer.do("queue", chromedp.Click(chromedp.CSS(`ul.todo a[href="/queue"]`)), chromedp.WaitVisible(chromedp.CSS(`a[href="`+report+`"]`)))
	queueAt := time.Since(start)
	officer.pageChecks("queue", true)
	start = time.Now()
	officer.do("review", chromedp.Click(chromedp.CSS(`a[href="`+report+`"]`)), chromedp.WaitVisible(chromedp.CSS(`form[action$="/approve"] button`)))
	reviewAt := time.Since(start)
	officer.pageChecks("review", true)
	start = time.Now()
	officer.do("approved", chromedp.Click(chromedp.CSS(`form[action$="/approve"] button`)), chromedp.WaitVisible(chromedp.CSS(".flash")))
	t.Logf("measured: a cadre reports a year with a changed figure in %d taps (and typing one figure), %.1f s scripted; "+
		"a street approves it in 3 taps, %.1f s scripted (screenshots included)", cadreTaps, cadreTime.Seconds(),
		(queueAt + reviewAt + time.Since(start)).Seconds())
	officer.noProblems()

	for _, s := range []struct {
		name  string
		w, h  int64
		phone bool
	}{{"district375", 375, 812, true}, {"district1366", 1366, 768, false}} {
		d := newSizedSession(t, exec, base, s.name, ctx, s.w, s.h, s.phone)
		d.login("district")
		for _, p := range []struct{ name, path, wait string }{
			{"rollup", "/rollup?year=2025", ".kpi.big"}, {"oversight", "/oversight?year=2025", "svg.chart"},
			{"report", "/villages/" + village + "/reports/2025", "ol.stepper"}, {"villages", "/villages", "main h1"},
		} {
			d.do(p.name, chromedp.Navigate(base+p.path), chromedp.WaitReady(chromedp.CSS(p.wait)))
			d.pageChecks(p.name, s.phone)
		}
		d.noProblems()
	}
}
