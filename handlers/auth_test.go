package handlers

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"cunji/models"
	"cunji/seeds"
)

func TestAPILogin(t *testing.T) {
	en := newEnv(t)
	code, body := en.api("POST", "/api/v1/auth/login", "", map[string]any{"username": "v1", "password": seeds.FixturePassword})
	if code != 200 || body["token"] == "" || body["expires_at"] == "" {
		t.Fatalf("login: %d %v", code, body)
	}
	u := body["user"].(map[string]any)
	if u["role"] != "village" || u["village_code"] != seeds.FixA1 || u["street_code"] != "331002001" || u["district_code"] != "331002" {
		t.Fatalf("user = %v", u)
	}
	if code, _ := en.api("GET", "/api/v1/villages", body["token"].(string), nil); code != 200 {
		t.Fatalf("token refused: %d", code)
	}
	// Wrong password and unknown user answer alike.
	c1, b1 := en.api("POST", "/api/v1/auth/login", "", map[string]any{"username": "v1", "password": "wrong-password"})
	c2, b2 := en.api("POST", "/api/v1/auth/login", "", map[string]any{"username": "nobody", "password": "wrong-password"})
	if c1 != 401 || c2 != 401 || errorShape(t, b1)["message"] != errorShape(t, b2)["message"] {
		t.Fatalf("wrong password %d %v / unknown user %d %v", c1, b1, c2, b2)
	}
	if code, _ := en.api("POST", "/api/v1/auth/login", "", "{"); code != 400 {
		t.Fatalf("malformed login: %d", code)
	}
}

// TestTokensEnd: a password change, a disabled account and a logout each end the
// sessions that were open.
func TestTokensEnd(t *testing.T) {
	en := newEnv(t)
	steps := []struct {
		name string
		user string
		end  func()
	}{
		{"password change", "v1", func() {
			if err := models.SetPassword(en.db, nil, "v1", "a-new-password-2026"); err != nil {
				t.Fatal(err)
			}
		}},
		{"disabled", "v2", func() {
			if err := models.SetDisabled(en.db, nil, "v2", true); err != nil {
				t.Fatal(err)
			}
		}},
		{"logout", "s1", func() {
			tok := en.token("s1")
			if rec := en.page("POST", "/logout", tok, nil, true); rec.Code != http.StatusSeeOther {
				t.Fatalf("logout: %d", rec.Code)
			}
		}},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			tok := en.token(s.user)
			if code, _ := en.api("GET", "/api/v1/villages", tok, nil); code != 200 {
				t.Fatalf("before: %d", code)
			}
			s.end()
			if code, _ := en.api("GET", "/api/v1/villages", tok, nil); code != 401 {
				t.Fatalf("after: %d, want 401", code)
			}
			if rec := en.page("GET", "/", tok, nil, false); rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/login" {
				t.Fatalf("page after: %d %s", rec.Code, rec.Header().Get("Location"))
			}
		})
	}
	// A disabled account cannot log in again.
	if code, _ := en.api("POST", "/api/v1/auth/login", "", map[string]any{"username": "v2", "password": seeds.FixturePassword}); code != 401 {
		t.Fatalf("disabled login: %d", code)
	}
}

// browser is a cookie-jar client against a real server, as a person would use it.
type browser struct {
	t    *testing.T
	c    *http.Client
	base string
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func newBrowser(t *testing.T, srv *httptest.Server) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, base: srv.URL, c: &http.Client{Jar: jar}}
}

func (b *browser) get(path string) (int, string) {
	b.t.Helper()
	res, err := b.c.Get(b.base + path)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(body)
}

// post submits a form found on the page at from, with its CSRF token.
func (b *browser) post(from, path string, form url.Values) (int, string) {
	b.t.Helper()
	_, page := b.get(from)
	m := csrfField.FindStringSubmatch(page)
	if m == nil {
		b.t.Fatalf("no CSRF token on %s", from)
	}
	form.Set("csrf", m[1])
	res, err := b.c.PostForm(b.base+path, form)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(body)
}

func (b *browser) login(user string) {
	b.t.Helper()
	code, body := b.post("/login", "/login", url.Values{"username": {user}, "password": {seeds.FixturePassword}})
	if code != 200 || strings.Contains(body, "用户名或密码错误") {
		b.t.Fatalf("login %s: %d", user, code)
	}
}

// TestDoneMeans walks the "done means" through the pages: a cadre fills in
// the year's report in 万元 and submits it; the street officer approves it; the
// district sees the share move.
func TestDoneMeans(t *testing.T) {
	en := newEnv(t)
	srv := httptest.NewServer(en.e)
	defer srv.Close()

	district := newBrowser(t, srv)
	district.login("d")
	_, before := district.get("/rollup?year=2026")
	if !strings.Contains(before, "0 / 3 村") {
		t.Fatal("district page before: expected 0 / 3 villages over 50万")
	}

	cadre := newBrowser(t, srv)
	if code, _ := cadre.post("/login", "/login", url.Values{"username": {"v1"}, "password": {"wrong"}}); code != http.StatusUnauthorized {
		t.Fatalf("wrong password: %d", code)
	}
	cadre.login("v1")
	rp := "/villages/" + seeds.FixA1 + "/reports/2026"
	code, body := cadre.post(rp, rp, url.Values{"version": {"0"}, "star_rating": {"2"}, "hemei_built": {"1"},
		"business_wan": {"30.5"}, "contract_wan": {"１５"}, "investment_wan": {"4.5"}, "subsidy_wan": {"12.345678"},
		"other_wan": {""}, "assets_wan": {"2,000"}, "note": {"年度填报"}, "action": {"submit"}})
	if code != 200 || !strings.Contains(body, "已保存并提交") {
		t.Fatalf("cadre submit: %d", code)
	}
	if !strings.Contains(body, "待审核") || !strings.Contains(body, "50.00") {
		t.Fatal("report page after submit shows neither the state nor 经营性收入 50.00")
	}

	officer := newBrowser(t, srv)
	officer.login("s1")
	_, queue := officer.get("/queue")
	if !strings.Contains(queue, "甲村 2026") {
		t.Fatal("the submission is not in the street's queue")
	}
	code, body = officer.post(rp, rp+"/approve", url.Values{"version": {"2"}})
	if code != 200 || !strings.Contains(body, "已审核通过") {
		t.Fatalf("approve: %d", code)
	}

	_, after := district.get("/rollup?year=2026")
	if !strings.Contains(after, "1 / 3 村") || !strings.Contains(after, "33.3%") {
		t.Fatal("district page after approval: expected 1 / 3 villages, 33.3%")
	}
	var r models.ReportVersion
	en.db.Where("village_code = ? AND year = 2026", seeds.FixA1).Take(&r)
	if r.Status != models.StatusApproved || r.OperatingFen != 50_000_000 || r.SubsidyFen != 12_345_678 || r.AssetsFen != 2_000_000_000 || r.OtherFen != 0 {
		t.Fatalf("stored version = %+v", r)
	}
	// The cadre cannot reach the district's pages.
	if code, _ := cadre.get("/rollup"); code != http.StatusForbidden {
		t.Fatalf("cadre on the roll-up page: %d", code)
	}
}

// TestPasswordChangeAudited: the audit entry of a user's own password change, by
// the API or the page, records the address it came from.
func TestPasswordChangeAudited(t *testing.T) {
	en := newEnv(t)
	if code, b := en.api("POST", "/api/v1/auth/password", en.token("v1"), map[string]any{"current": seeds.FixturePassword, "password": "Xq7-lantern-orbit"}); code != 200 {
		t.Fatalf("api change: %d %v", code, b)
	}
	rec := en.page("POST", "/password", en.token("v2"), url.Values{"current": {seeds.FixturePassword},
		"password": {"Xq7-lantern-orbit"}, "confirm": {"Xq7-lantern-orbit"}}, true)
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("page change: %d", rec.Code)
	}
	var entries []models.AuditEntry
	en.db.Where("action = ?", "user.password").Order("id").Find(&entries)
	if len(entries) != 2 {
		t.Fatalf("%d password entries", len(entries))
	}
	for _, e := range entries {
		if e.IP != "192.0.2.1" {
			t.Fatalf("%s changed the password from %q", e.ActorName, e.IP)
		}
	}
}

// TestAuthBodies: the login and password bodies go through the one JSON binder: a
// body that is not a JSON object is 400, a field of the wrong type is named (422),
// and neither counts as a failed login.
func TestAuthBodies(t *testing.T) {
	en := newEnv(t)
	for _, c := range []struct {
		path, token string
		body        any
		want        int
		field       string
	}{
		{"/api/v1/auth/login", "", "not json", 400, ""},
		{"/api/v1/auth/login", "", map[string]any{"username": 5, "password": "x"}, 422, "username"},
		{"/api/v1/auth/password", en.token("v1"), "[1]", 400, ""},
		{"/api/v1/auth/password", en.token("v1"), map[string]any{"current": true, "password": "long-enough-1"}, 422, "current"},
	} {
		code, body := en.api("POST", c.path, c.token, c.body)
		if code != c.want {
			t.Fatalf("POST %s %v: %d, want %d (%v)", c.path, c.body, code, c.want, body)
		}
		e := errorShape(t, body)
		if fields, _ := e["fields"].(map[string]any); c.field != "" && fields[c.field] == nil {
			t.Fatalf("POST %s %v: %v names no %s", c.path, c.body, e, c.field)
		}
	}
	if code, _ := en.api("POST", "/api/v1/auth/login", "", map[string]any{"username": "v1", "password": seeds.FixturePassword}); code != 200 {
		t.Fatalf("login after the refused bodies: %d", code)
	}
}
