package handlers

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"cunji/seeds"
)

// TestWeakPasswordRefused: the API and the page refuse an easily guessed new
// password with the Chinese reason.
func TestWeakPasswordRefused(t *testing.T) {
	en := newEnv(t)
	for _, pw := range []string{"aaaaaaaaaa", "qwerty1234", "abcdefghij", "v1v1v1v1v1"} {
		code, b := en.api("POST", "/api/v1/auth/password", en.token("v1"), map[string]any{"current": seeds.FixturePassword, "password": pw})
		if code != http.StatusUnprocessableEntity || !strings.Contains(errorShape(t, b)["fields"].(map[string]any)["password"].(string), "容易被猜到") {
			t.Fatalf("api %q: %d %v", pw, code, b)
		}
	}
	rec := en.page("POST", "/password", en.token("v2"), url.Values{"current": {seeds.FixturePassword},
		"password": {"qwerty1234"}, "confirm": {"qwerty1234"}}, true)
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "容易被猜到") {
		t.Fatalf("page: %d", rec.Code)
	}
}
