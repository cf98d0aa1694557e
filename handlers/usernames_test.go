package handlers

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"cunji/models"
)

// TestUsernameAlphabet: a new username holds English letters, digits and - _ .
// only, on the API and the page; the refusal says so in Chinese.
func TestUsernameAlphabet(t *testing.T) {
	en := newEnv(t)
	for _, name := range []string{"a/b", "a?b", "a#b", "a%2Fb", "..", ".hidden", "-x", "张三", "a b", "Ꭺdmin", strings.Repeat("a", 41)} {
		code, b := en.api("POST", "/api/v1/users", en.token("d"), map[string]any{"username": name, "name": "新用户", "role": "village", "scope": en.users["v1"].VillageCode})
		if code != http.StatusUnprocessableEntity || !strings.Contains(errorShape(t, b)["fields"].(map[string]any)["username"].(string), "英文字母") {
			t.Fatalf("username %q: %d %v", name, code, b)
		}
	}
	rec := en.page("POST", "/users", en.token("d"), url.Values{"username": {"a/b"}, "name": {"新用户"}, "role": {"village"}, "scope": {en.users["v1"].VillageCode}}, true)
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "英文字母") {
		t.Fatalf("page: %d", rec.Code)
	}
	for _, name := range []string{"li.ming_2026-a", "X", strings.Repeat("a", 40)} {
		if code, b := en.api("POST", "/api/v1/users", en.token("d"), map[string]any{"username": name, "name": "新用户", "role": "village", "scope": en.users["v1"].VillageCode}); code != http.StatusCreated {
			t.Fatalf("username %q: %d %v", name, code, b)
		}
	}
}

// TestOddLegacyUsernames: an account named before the rule, with "/", "?" and "%"
// in its name, can still be disabled, enabled and reset, on the API and the page.
func TestOddLegacyUsernames(t *testing.T) {
	en := newEnv(t)
	legacy := "old/50%?x"
	u := *en.users["v1"]
	u.ID, u.Username = 0, legacy
	if err := en.db.Create(&u).Error; err != nil {
		t.Fatal(err)
	}
	esc := "/users/" + url.PathEscape(legacy)
	for _, action := range []string{"disable", "enable", "reset"} {
		code, b := en.api("POST", "/api/v1"+esc+"/"+action, en.token("s1"), nil)
		if code != http.StatusOK || b["username"] != legacy {
			t.Fatalf("api %s: %d %v", action, code, b)
		}
	}
	page := en.page("GET", "/users", en.token("s1"), nil, false).Body.String()
	if !strings.Contains(page, `action="`+esc+`/disable"`) || !strings.Contains(page, `action="`+esc+`/reset"`) {
		t.Fatalf("the accounts page does not link %s", esc)
	}
	if rec := en.page("POST", esc+"/disable", en.token("s1"), nil, true); rec.Code != http.StatusSeeOther {
		t.Fatalf("page disable: %d", rec.Code)
	}
	var got models.User
	en.db.Where("username = ?", legacy).Take(&got)
	if !got.Disabled {
		t.Fatal("the legacy account is not disabled")
	}
	if rec := en.page("POST", esc+"/reset", en.token("s1"), nil, true); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "一次性密码") {
		t.Fatalf("page reset: %d", rec.Code)
	}
}
