package handlers

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"cunji/models"
	"cunji/seeds"

	"github.com/labstack/echo/v4"
)

// TestSecurityHeaders: every answer carries the headers; the session cookie is
// HttpOnly and SameSite, and Secure over TLS.
func TestSecurityHeaders(t *testing.T) {
	en := newEnv(t)
	for _, p := range []string{"/login", "/api/v1/villages", "/static/app.css"} {
		rec := en.page("GET", p, "", nil, false)
		h := rec.Header()
		csp := h.Get("Content-Security-Policy")
		if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Fatalf("%s: CSP %q", p, csp)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") != "same-origin" || h.Get("X-Frame-Options") != "DENY" {
			t.Fatalf("%s: headers %v", p, h)
		}
	}
	// No inline script anywhere in the pages.
	rec := en.page("GET", "/villages/"+seeds.FixA1+"/reports/2025", en.token("v1"), nil, false)
	if strings.Contains(rec.Body.String(), "<script>") || strings.Contains(rec.Body.String(), " onclick=") || strings.Contains(rec.Body.String(), "style=\"") {
		t.Fatal("a page carries inline script or style")
	}
	login := func(srv *httptest.Server, client *http.Client) *http.Cookie {
		res, err := client.Get(srv.URL + "/login")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		var csrfTok string
		for _, c := range res.Cookies() {
			if c.Name == csrfCookie {
				csrfTok = c.Value
			}
		}
		form := url.Values{"username": {"v1"}, "password": {seeds.FixturePassword}, "csrf": {en.h.csrfToken(csrfTok, "")}}
		req, _ := http.NewRequest("POST", srv.URL+"/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(&http.Cookie{Name: csrfCookie, Value: csrfTok})
		client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		res, err = client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		for _, c := range res.Cookies() {
			if c.Name == tokenCookie {
				return c
			}
		}
		t.Fatalf("no session cookie (%d)", res.StatusCode)
		return nil
	}
	plain := httptest.NewServer(en.e)
	defer plain.Close()
	c := login(plain, plain.Client())
	if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure {
		t.Fatalf("cookie over HTTP: %+v", c)
	}
	tls := httptest.NewTLSServer(en.e)
	defer tls.Close()
	c = login(tls, tls.Client())
	if !c.HttpOnly || !c.Secure {
		t.Fatalf("cookie over TLS: %+v", c)
	}
}

// TestHostileTextEverywhere: very long text in mixed scripts and markup is stored
// exactly as typed and shown escaped on every page that shows it.
func TestHostileTextEverywhere(t *testing.T) {
	en := newEnv(t)
	note := strings.Repeat("村务公开 ﷽ 🏡 Ünïcødé <b>粗</b> \"'&", 100)
	note = string([]rune(note)[:models.MaxNoteChars])
	// Control characters (PostgreSQL refuses NUL) are refused with a 422, not a 500.
	for _, bad := range []string{"a\x00b", "a\x1bb"} {
		if code, _ := en.api("PUT", "/api/v1/villages/"+seeds.FixA1+"/reports/2025", en.token("v1"), map[string]any{"note": bad}); code != 422 {
			t.Fatalf("note %q: %d", bad, code)
		}
	}
	code, v := en.api("PUT", "/api/v1/villages/"+seeds.FixA1+"/reports/2025", en.token("v1"), map[string]any{"note": note})
	if code != 200 || v["note"] != note || utf8.RuneCountInString(v["note"].(string)) != models.MaxNoteChars {
		t.Fatalf("save: %d", code)
	}
	name := `<svg onload=alert(1)>"上'村` + "\u202e"
	if _, err := models.UpdateVillage(en.db, en.actor("d"), models.VillageInput{Code: seeds.FixA1, Name: &name}); err != nil {
		t.Fatal(err)
	}
	var stored models.Village
	en.db.Where("code = ?", seeds.FixA1).Take(&stored)
	if stored.Name != name {
		t.Fatalf("name stored as %q", stored.Name)
	}
	pages := map[string]string{
		"/villages/" + seeds.FixA1: "v1", "/villages/" + seeds.FixA1 + "/reports/2025": "v1",
		"/villages?year=2025": "d", "/audit": "d", "/rollup?year=2025": "d", "/oversight?year=2025": "d",
	}
	for p, who := range pages {
		body := en.page("GET", p, en.token(who), nil, false).Body.String()
		if strings.Contains(body, "<svg onload") || strings.Contains(body, "<b>粗</b>") {
			t.Fatalf("%s shows unescaped markup", p)
		}
	}
	// The audit log keeps the exact text.
	_, au := en.api("GET", "/api/v1/audit?village="+seeds.FixA1, en.token("d"), nil)
	raw, _ := json.Marshal(au)
	if !strings.Contains(string(raw), `\u003csvg onload=alert(1)\u003e`) {
		t.Fatal("the audit log lost the name as typed")
	}
}

// TestLoginAnswersAlike: an unknown user and a wrong password get the same answer;
// both pay for a bcrypt comparison (the times are logged, not asserted).
func TestLoginAnswersAlike(t *testing.T) {
	en := newEnv(t)
	measure := func(user string) (string, time.Duration) {
		start := time.Now()
		_, b := en.api("POST", "/api/v1/auth/login", "", map[string]any{"username": user, "password": "not-the-password"})
		return errorShape(t, b)["message"].(string), time.Since(start)
	}
	m1, d1 := measure("v1")
	m2, d2 := measure("nobody-at-all")
	if m1 != m2 {
		t.Fatalf("answers differ: %q / %q", m1, m2)
	}
	t.Logf("wrong password %v, unknown user %v", d1, d2)
}

// FuzzReportJSON: whatever body a client sends, binding never panics, and a body
// that binds gives values the workflow then validates.
func FuzzReportJSON(f *testing.F) {
	for _, s := range []string{`{"business_fen": 1, "version": 0}`, `{"star_rating": 4}`, `{"note": "<b>x</b>"}`,
		`{"business_fen": 1e99}`, `{"investment_fen": -5, "hemei_built": true}`, `[]`, `{"version": -1}`, `{"business_fen": "12"}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		m, err := decodeObject(strings.NewReader(body), false)
		if err != nil {
			return
		}
		in, err := bindReportJSON(m)
		if err != nil {
			return
		}
		r := models.ReportVersion{}
		if in.StarRating != nil && (*in.StarRating < 0 || *in.StarRating > 3) {
			t.Fatalf("star %d bound", *in.StarRating)
		}
		if in.BusinessFen != nil {
			r.BusinessFen = *in.BusinessFen
		}
		_ = r.Validate()
	})
}

// FuzzReportForm: the page form's binding never panics and never accepts an
// amount it cannot represent exactly.
func FuzzReportForm(f *testing.F) {
	f.Add("1", "50.5", "-3", "1,000", "")
	f.Add("9", "abc", "１２", "0.0000001", "<script>")
	f.Fuzz(func(t *testing.T, star, business, investment, assets, note string) {
		form := url.Values{"version": {"0"}, "star_rating": {star}, "business_wan": {business}, "investment_wan": {investment},
			"assets_wan": {assets}, "note": {note}}
		req := httptest.NewRequest("POST", "/", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		c := echo.New().NewContext(req, httptest.NewRecorder())
		_, in, errs := bindReportForm(c)
		if len(errs) > 0 {
			return
		}
		if in.BusinessFen == nil || *in.BusinessFen < 0 || *in.BusinessFen > models.MaxAmountFen {
			t.Fatalf("business %q bound to %v", business, in.BusinessFen)
		}
		if back, err := models.ParseWan(models.FormatWanExact(*in.BusinessFen)); err != nil || back != *in.BusinessFen {
			t.Fatalf("%q is not exact: %d", business, *in.BusinessFen)
		}
	})
}
