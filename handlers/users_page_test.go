package handlers

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"cunji/models"
	"cunji/seeds"
)

// addCadres adds n village cadres of 甲村 named cadre-000…, for paging.
func (en *env) addCadres(n int) {
	en.t.Helper()
	users := make([]models.User, n)
	for i := range users {
		users[i] = models.User{Username: fmt.Sprintf("cadre-%03d", i), Name: fmt.Sprintf("干部%03d", i), Role: models.RoleVillage,
			DistrictCode: seeds.DistrictCode, StreetCode: "331002001", VillageCode: seeds.FixA1, PasswordHash: "x", TokenVersion: 1}
	}
	if err := en.db.CreateInBatches(users, 100).Error; err != nil {
		en.t.Fatal(err)
	}
}

// TestUsersPage: the accounts page searches, filters and pages in SQL, shows scopes
// by name, and offers the scope by name when creating an account.
func TestUsersPage(t *testing.T) {
	en := newEnv(t)
	en.addCadres(120)
	d := en.token("d")
	get := func(path string) string {
		t.Helper()
		rec := en.page("GET", path, d, nil, false)
		if rec.Code != 200 {
			t.Fatalf("%s: %d", path, rec.Code)
		}
		return rec.Body.String()
	}
	rows := func(body string) int { return strings.Count(body, "<td class=\"ops\">") }
	var total int64
	en.db.Model(&models.User{}).Count(&total)

	cases := []struct {
		name, path string
		rows       int
		has, not   []string
	}{
		{"first page", "/users", models.UsersPerPage, []string{fmt.Sprintf("共 %d 个账号", total), "下一页", "甲村 <small class=\"muted\">" + seeds.FixA1}, []string{"上一页"}},
		{"last page", "/users?page=3", int(total) - 2*models.UsersPerPage, []string{"上一页", "第 3 / 3 页"}, []string{"下一页"}},
		{"beyond the end", "/users?page=99", int(total) - 2*models.UsersPerPage, []string{"第 3 / 3 页"}, nil},
		{"before the start", "/users?page=-4", models.UsersPerPage, []string{"第 1 / 3 页"}, nil},
		{"search by name", "/users?q=干部01", 10, []string{"共 10 个账号"}, []string{"下一页"}},
		{"search by username", "/users?q=cadre-119", 1, []string{"共 1 个账号"}, nil},
		{"like is escaped", "/users?q=%25", 0, []string{"没有符合条件的账号"}, nil},
		{"role", "/users?role=street", 2, []string{"共 2 个账号", "海门街道 <small class=\"muted\">331002001"}, nil},
		{"street", "/users?street=331002002&role=village", 1, []string{"丁村"}, []string{"甲村 <small"}},
		{"filters kept in the pager", "/users?q=cadre&page=2", models.UsersPerPage, []string{"page=3&amp;q=cadre", "page=1&amp;q=cadre"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			body := get(c.path)
			if got := rows(body); got != c.rows {
				t.Errorf("rows %d, want %d", got, c.rows)
			}
			for _, s := range c.has {
				if !strings.Contains(body, s) {
					t.Errorf("missing %q", s)
				}
			}
			for _, s := range c.not {
				if strings.Contains(body, s) {
					t.Errorf("unexpected %q", s)
				}
			}
		})
	}

	// The scope is picked by name: streets as groups, villages by name, no code typed.
	body := get("/users")
	for _, s := range []string{`<select id="scope" name="scope"`, `<optgroup label="海门街道">`, `<option value="` + seeds.FixA1 + `" >甲村</option>`, "海门街道（街道本级）"} {
		if !strings.Contains(body, s) {
			t.Errorf("create form: missing %q", s)
		}
	}

	// A street officer sees its own villages' cadres only, and picks only among them.
	rec := en.page("GET", "/users?q=v", en.token("s2"), nil, false)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "共 1 个账号") || strings.Contains(rec.Body.String(), "甲村") ||
		strings.Contains(rec.Body.String(), "街道本级") {
		t.Errorf("street officer: %d %s", rec.Code, rec.Body.String())
	}
	// A cadre may not open the page.
	if rec := en.page("GET", "/users", en.token("v1"), nil, false); rec.Code != http.StatusForbidden {
		t.Errorf("cadre: %d", rec.Code)
	}
	// Creating with a scope picked from the select.
	rec = en.page("POST", "/users", d, url.Values{"username": {"new-cadre"}, "name": {"新干部"}, "role": {"village"}, "scope": {seeds.FixB1}}, true)
	if rec.Code != http.StatusCreated {
		t.Fatalf("create: %d", rec.Code)
	}
}

// TestFirstLoginPage: after logging in with a one-time password, the password page
// asks only for the new password; a normal session still needs the current one.
func TestFirstLoginPage(t *testing.T) {
	en := newEnv(t)
	code, r := en.api("POST", "/api/v1/users/v1/reset", en.token("s1"), nil)
	if code != 200 {
		t.Fatalf("reset: %d", code)
	}
	otp := r["one_time_password"].(string)
	rec := en.page("POST", "/login", "", url.Values{"username": {"v1"}, "password": {otp}}, true)
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("login: %d", rec.Code)
	}
	var tok string
	for _, c := range rec.Result().Cookies() {
		if c.Name == tokenCookie {
			tok = c.Value
		}
	}
	if body := en.page("GET", "/password", tok, nil, false).Body.String(); strings.Contains(body, `name="current"`) {
		t.Error("the one-time session is asked for the current password")
	}
	if rec := en.page("POST", "/password", tok, url.Values{"password": {otp}, "confirm": {otp}}, true); rec.Code != 422 {
		t.Errorf("the one-time password again: %d", rec.Code)
	}
	rec = en.page("POST", "/password", tok, url.Values{"password": {"a-good-new-password"}, "confirm": {"a-good-new-password"}}, true)
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("first own password: %d %s", rec.Code, rec.Body.String())
	}
	if code, _ := en.api("POST", "/api/v1/auth/login", "", map[string]any{"username": "v1", "password": "a-good-new-password"}); code != 200 {
		t.Errorf("login with the new password: %d", code)
	}
	// A normal session (a token issued for an account without the one-time flag)
	// must still give the current password.
	s1 := en.token("s1")
	if body := en.page("GET", "/password", s1, nil, false).Body.String(); !strings.Contains(body, `name="current"`) {
		t.Error("a normal session is not asked for the current password")
	}
	if rec := en.page("POST", "/password", s1, url.Values{"password": {"another-good-password"}, "confirm": {"another-good-password"}}, true); rec.Code != 422 {
		t.Errorf("normal session without the current password: %d", rec.Code)
	}
}
