package handlers

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"cunji/models"
	"cunji/seeds"
	"cunji/views"
)

// TestKeptRollupRefusedAtOnce: a roll-up and its page kept for an account are
// refused at once when the account is disabled, its token version moves (a
// password changed, a logout) — each checked alone, with the kept answer warm —
// and the refused request never reaches the kept answer.
func TestKeptRollupRefusedAtOnce(t *testing.T) {
	en := newEnv(t)
	en.approvedYear("v1", seeds.FixA1, 2025, models.ReportInput{BusinessFen: fen(70_000_000)})
	warm := func(tok string) {
		t.Helper()
		for range 2 {
			if code, body := en.api("GET", "/api/v1/rollup?year=2025", tok, nil); code != http.StatusOK {
				t.Fatalf("roll-up: %d %v", code, body)
			}
			if rec := en.page("GET", "/rollup?year=2025", tok, nil, false); rec.Code != http.StatusOK {
				t.Fatalf("roll-up page: %d", rec.Code)
			}
		}
		// Kept: the account's check is all that runs.
		if n := en.statements(func() { en.api("GET", "/api/v1/rollup?year=2025", tok, nil) }); n.Total() != 1 {
			t.Fatalf("a kept roll-up ran %s", n)
		}
	}
	refused := func(step, tok string) {
		t.Helper()
		if code, _ := en.api("GET", "/api/v1/rollup?year=2025", tok, nil); code != http.StatusUnauthorized {
			t.Fatalf("after %s, the kept roll-up answered %d", step, code)
		}
		rec := en.page("GET", "/rollup?year=2025", tok, nil, false)
		if rec.Code == http.StatusOK || strings.Contains(rec.Body.String(), "年度汇总") {
			t.Fatalf("after %s, the kept roll-up page answered %d", step, rec.Code)
		}
	}
	d := en.users["d"]

	// The disabled mark alone (the token version unchanged).
	tok := en.token("d")
	warm(tok)
	if err := en.db.Exec("UPDATE users SET disabled = ? WHERE id = ?", true, d.ID).Error; err != nil {
		t.Fatal(err)
	}
	refused("the account disabled", tok)
	if err := en.db.Exec("UPDATE users SET disabled = ? WHERE id = ?", false, d.ID).Error; err != nil {
		t.Fatal(err)
	}

	// A password changed (through the API) ends every other session.
	tok, other := en.token("d"), en.token("d")
	warm(other)
	code, body := en.api("POST", "/api/v1/auth/password", tok, map[string]any{"current": seeds.FixturePassword, "password": "another-Password-9"})
	if code != http.StatusOK {
		t.Fatalf("password change: %d %v", code, body)
	}
	refused("the password changed", other)

	// A logout ends the session.
	tok = en.token("d")
	warm(tok)
	if rec := en.page("POST", "/logout", tok, url.Values{}, true); rec.Code != http.StatusSeeOther {
		t.Fatalf("logout: %d", rec.Code)
	}
	refused("a logout", tok)
}

// TestKeptRollupNeverCrossesActors: whichever actor's roll-up is kept first, a
// street officer gets the street's answer and page, and district staff the
// district's (or, filtered, the street's under their own key).
func TestKeptRollupNeverCrossesActors(t *testing.T) {
	en := newEnv(t)
	en.approvedYear("v1", seeds.FixA1, 2025, models.ReportInput{BusinessFen: fen(70_000_000)})
	d, s1, s2 := en.token("d"), en.token("s1"), en.token("s2")
	want := map[string]struct{ scope, page string }{}
	for _, who := range []string{"d", "s1", "s2"} {
		ru, err := models.ComputeRollup(en.db, en.actor(who), "", 2025, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		want[who] = struct{ scope, page string }{ru.ScopeCode, ru.ScopeName + " 2025 年度汇总"}
	}
	if want["d"].scope == want["s1"].scope || want["s1"].scope == want["s2"].scope {
		t.Fatalf("the scopes do not differ: %v", want)
	}
	check := func(who, tok string) {
		t.Helper()
		for range 2 {
			code, body := en.api("GET", "/api/v1/rollup?year=2025", tok, nil)
			if code != http.StatusOK || body["scope_code"] != want[who].scope {
				t.Fatalf("%s got the roll-up of %v (%d), not %s", who, body["scope_code"], code, want[who].scope)
			}
			rec := en.page("GET", "/rollup?year=2025", tok, nil, false)
			if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), want[who].page) {
				t.Fatalf("%s's roll-up page is not %q: %d", who, want[who].page, rec.Code)
			}
		}
	}
	// District first, then the streets; then the other way round on a new revision.
	check("d", d)
	check("s1", s1)
	check("s2", s2)
	en.approvedYear("v2", seeds.FixA2, 2025, models.ReportInput{BusinessFen: fen(60_000_000)})
	check("s2", s2)
	check("s1", s1)
	check("d", d)
	// District staff filtering on a street get the street's figures, never the
	// officer's kept answer under another key: the same numbers, their own page
	// (with the street selector).
	code, body := en.api("GET", "/api/v1/rollup?year=2025&street=331002001", d, nil)
	if code != http.StatusOK || body["scope_code"] != want["s1"].scope {
		t.Fatalf("district filtered on 331002001: %d %v", code, body["scope_code"])
	}
	rec := en.page("GET", "/rollup?year=2025&street=331002001", d, nil, false)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `<option value="331002001" selected>`) {
		t.Fatalf("district's filtered page: %d", rec.Code)
	}
	if rec := en.page("GET", "/rollup?year=2025", s1, nil, false); strings.Contains(rec.Body.String(), `name="street"`) {
		t.Fatal("the street officer's page shows the district's street selector")
	}
}

// TestRollupPageKeyNamesWhatItShows: the kept page content's key changes with the
// instant as shown (to the minute), the years' standing, the street filter and the
// streets, and only with them.
func TestRollupPageKeyNamesWhatItShows(t *testing.T) {
	at := time.Date(2026, 3, 1, 9, 30, 10, 0, time.UTC)
	base := func() rollupPage {
		return rollupPage{Rollup: &models.Rollup{AsOf: at}, Street: "",
			Years:   yearsView{Years: []int{2025, 2026}, InProgress: map[int]bool{2025: false, 2026: true}, Open: 2026, Selected: 2025},
			Streets: []models.Street{{Code: "331002001", Name: "甲街道"}}}
	}
	k := rollupPageKey(base())
	same := base()
	same.Rollup.AsOf = at.Add(20 * time.Second)
	if rollupPageKey(same) != k || views.When(same.Rollup.AsOf) != views.When(at) {
		t.Fatal("the same minute gives another key")
	}
	for name, change := range map[string]func(p *rollupPage){
		"the minute":    func(p *rollupPage) { p.Rollup.AsOf = at.Add(time.Minute) },
		"in progress":   func(p *rollupPage) { p.Years.InProgress = map[int]bool{2025: true, 2026: true} },
		"the open year": func(p *rollupPage) { p.Years.Open = 0 },
		"the selected":  func(p *rollupPage) { p.Years.Selected = 2026 },
		"the years":     func(p *rollupPage) { p.Years.Years = []int{2025, 2026, 2027} },
		"the filter":    func(p *rollupPage) { p.Street = "331002001" },
		"a street name": func(p *rollupPage) { p.Streets = []models.Street{{Code: "331002001", Name: "乙街道"}} },
		"no streets":    func(p *rollupPage) { p.Streets = nil },
	} {
		p := base()
		change(&p)
		if rollupPageKey(p) == k {
			t.Errorf("%s changed, the key did not", name)
		}
	}
}

// TestRollupPageContentKeptAsRendered: the roll-up page served around its kept
// content (views.Prerendered) is byte for byte the page rendered whole.
func TestRollupPageContentKeptAsRendered(t *testing.T) {
	en := newEnv(t)
	en.approvedYear("v1", seeds.FixA1, 2025, models.ReportInput{BusinessFen: fen(70_000_000)})
	a := en.actor("d")
	ru, err := models.ComputeRollup(en.db, a, "", 2025, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	streets, err := models.ListStreets(en.db, a)
	if err != nil {
		t.Fatal(err)
	}
	p := rollupPage{Rollup: ru, Streets: streets, Street: "331002001",
		Years: yearsView{Years: []int{2025, 2026}, InProgress: map[int]bool{2026: true}, Open: 2026, Selected: 2025}}
	pd := PageData{Title: ru.ScopeName + "汇总", User: en.users["d"], CSRF: "csrf-<&>", Flash: "已保存 <b>", FlashKind: "ok",
		Errors: map[string]string{}, Demo: true, Data: p}
	var whole, around strings.Builder
	if err := en.h.Views.Render(&whole, "rollup", pd); err != nil {
		t.Fatal(err)
	}
	content, err := en.h.Views.Content("rollup", p)
	if err != nil {
		t.Fatal(err)
	}
	pd.Data = content
	if err := en.h.Views.Render(&around, views.Prerendered, pd); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(whole.String(), "海门街道") || whole.String() != around.String() {
		t.Fatalf("the page around its kept content differs:\n%s\n----\n%s", around.String(), whole.String())
	}

	// Served around a kept layout (renderKept): the same bytes as the page rendered
	// whole, for each account, the first time (the layout rendered) and again (the
	// layout kept); with a flash message too (rendered whole).
	for _, who := range []string{"d", "s1", "d"} {
		for _, flash := range []string{"", "已保存"} {
			req := httptest.NewRequest("GET", "/rollup", nil)
			if flash != "" {
				req.AddCookie(&http.Cookie{Name: flashCookie, Value: encodeFlash(flash)})
			}
			rec := httptest.NewRecorder()
			c := en.e.NewContext(req, rec)
			c.Set(ctxUser, en.users[who])
			c.Set(ctxCSRF, "csrf+/=<&>"+who)
			c.Response().Header().Set(HeaderRequestID, "request-"+who)
			if err := en.h.renderKept(c, http.StatusOK, ru.ScopeName+"汇总", content); err != nil {
				t.Fatal(err)
			}
			pd := PageData{Title: ru.ScopeName + "汇总", User: en.users[who], CSRF: "csrf+/=<&>" + who, Flash: flash,
				Errors: map[string]string{}, Data: p, RequestID: "request-" + who}
			if flash != "" {
				pd.FlashKind = "ok"
			}
			var want strings.Builder
			if err := en.h.Views.Render(&want, "rollup", pd); err != nil {
				t.Fatal(err)
			}
			if rec.Body.String() != want.String() || !strings.Contains(want.String(), en.users[who].Name) {
				t.Fatalf("%s's page around a kept layout differs:\n%s\n----\n%s", who, rec.Body.String(), want.String())
			}
		}
	}
}

// TestVerifiedTokenExpiry: a token verified before is still checked for expiry at
// each request (its kept claims say when it expires), and a token whose signature
// fails is never kept.
func TestVerifiedTokenExpiry(t *testing.T) {
	en := newEnv(t)
	tok := en.token("d")
	if code, _ := en.api("GET", "/api/v1/rollup?year=2025", tok, nil); code != http.StatusOK {
		t.Fatalf("roll-up: %d", code)
	}
	cl, ok := en.h.verified.get(tok)
	if !ok {
		t.Fatal("the verified token was not kept")
	}
	cl.ExpiresAt.Time = time.Now().Add(-time.Second)
	en.h.verified.put(tok, cl)
	if code, _ := en.api("GET", "/api/v1/rollup?year=2025", tok, nil); code != http.StatusUnauthorized {
		t.Fatalf("an expired token verified before answered %d", code)
	}
	forged := tok[:len(tok)-2] + "AA"
	if forged == tok {
		forged = tok[:len(tok)-2] + "BB"
	}
	if code, _ := en.api("GET", "/api/v1/rollup?year=2025", forged, nil); code != http.StatusUnauthorized {
		t.Fatalf("a forged token answered %d", code)
	}
	if _, ok := en.h.verified.get(forged); ok {
		t.Fatal("a forged token was kept")
	}
}
