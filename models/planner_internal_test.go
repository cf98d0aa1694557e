package models

import (
	"net/url"
	"testing"
)

// The planner is told the page cost of solid-state storage, and PostgreSQL keeps
// its own plan cache mode (auto) unless the deployment's URL names one: forcing a
// plan for every execution made the version workflow's statements cost their
// planning each time (docs/performance.md, 2026-12-02).
func TestPlannerSettings(t *testing.T) {
	for _, c := range []struct {
		dsn, mode, pageCost string
	}{
		{"postgres://u@127.0.0.1:5432/db?sslmode=disable", "", "1.1"},
		{"postgres://u@127.0.0.1:5432/db?sslmode=disable&plan_cache_mode=force_custom_plan", "force_custom_plan", "1.1"},
		{"postgres://u@127.0.0.1:5432/db?random_page_cost=4", "", "4"},
	} {
		u, err := url.Parse(withPlannerSettings(c.dsn))
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query()
		if got := q.Get("plan_cache_mode"); got != c.mode {
			t.Errorf("%s: plan_cache_mode %q, want %q", c.dsn, got, c.mode)
		}
		if got := q.Get("random_page_cost"); got != c.pageCost {
			t.Errorf("%s: random_page_cost %q, want %q", c.dsn, got, c.pageCost)
		}
		if u.Host != "127.0.0.1:5432" || u.Path != "/db" || u.User.Username() != "u" {
			t.Errorf("%s: the rest of the URL changed: %s", c.dsn, u)
		}
	}
}

// On PostgreSQL the sessions of an opened database plan as PostgreSQL does by
// default.
func TestPlanCacheModeOnPostgres(t *testing.T) {
	if TestBackend() != "postgres" {
		t.Skip("PostgreSQL only")
	}
	db := OpenTest(t)
	var mode string
	if err := db.Raw("SELECT current_setting('plan_cache_mode')").Scan(&mode).Error; err != nil {
		t.Fatal(err)
	}
	if mode != "auto" {
		t.Fatalf("plan_cache_mode %q, want auto", mode)
	}
}
