package handlers

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"cunji/models"
	"cunji/seeds"
)

// TestSlowDatabaseDeadline: a save stuck behind another session's lock on the
// reports table ends with 503, Retry-After and a Chinese message (a page: a Chinese
// page) while the lock is still held, at the request's deadline on PostgreSQL; the
// connection goes back to the pool, which has a limit.
func TestSlowDatabaseDeadline(t *testing.T) {
	en := newEnv(t)
	en.h.RequestTimeout = 300 * time.Millisecond
	en.e = en.h.Echo()
	checkResponses(t, en.e)
	sqlDB, _ := en.db.DB()
	if max := sqlDB.Stats().MaxOpenConnections; max <= 0 || max > 16 {
		t.Fatalf("the pool allows %d connections", max)
	}
	tok := en.token("v1")
	path := "/api/v1/villages/" + seeds.FixA1 + "/reports/2024"

	// Another session holds the lock: PostgreSQL's LOCK TABLE, SQLite's write lock.
	lock := en.db.Begin()
	if lock.Error != nil {
		t.Fatal(lock.Error)
	}
	if models.TestBackend() == "postgres" {
		if err := lock.Exec("LOCK TABLE report_versions IN ACCESS EXCLUSIVE MODE").Error; err != nil {
			t.Fatal(err)
		}
	}
	type answer struct {
		code  int
		retry string
		body  string
		took  time.Duration
	}
	done := make(chan answer, 2)
	go func() {
		start := time.Now()
		req := httptest.NewRequest("PUT", path, strings.NewReader(`{"business_fen": 1, "version": 0}`))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		en.e.ServeHTTP(rec, req)
		done <- answer{rec.Code, rec.Header().Get("Retry-After"), rec.Body.String(), time.Since(start)}
	}()
	go func() {
		start := time.Now()
		rec := en.page("POST", "/villages/"+seeds.FixA1+"/reports/2024", tok, map[string][]string{"business_wan": {"1"}, "version": {"0"}, "star_rating": {"1"}}, true)
		done <- answer{rec.Code, rec.Header().Get("Retry-After"), rec.Body.String(), time.Since(start)}
	}()
	// The lock is released only after both answers. PostgreSQL cancels the statement
	// at the deadline; SQLite cannot interrupt its wait for the write lock, which ends
	// at its busy timeout (10 s) instead.
	limit := 5 * time.Second
	if models.TestBackend() != "postgres" {
		limit = 15 * time.Second
	}
	var got []answer
	timeout := time.After(limit)
	for len(got) < 2 {
		select {
		case a := <-done:
			got = append(got, a)
		case <-timeout:
			lock.Rollback()
			t.Fatalf("requests still blocked by the lock after %v (deadline 300 ms): %+v", limit, got)
		}
	}
	lock.Rollback()
	for _, a := range got {
		t.Logf("%s: answered %d after %v", models.TestBackend(), a.code, a.took)
		if a.code != 503 || a.retry == "" || !strings.Contains(a.body, "数据库暂时无法访问") {
			t.Fatalf("a request blocked by a lock: %d, Retry-After %q\n%s", a.code, a.retry, a.body)
		}
		if strings.Contains(a.body, "report_versions") || strings.Contains(a.body, "SQL") {
			t.Fatalf("the answer shows SQL: %s", a.body)
		}
	}
	// The connections went back to the pool, and the same save now succeeds.
	if code, body := en.api("PUT", path, tok, map[string]any{"business_fen": 1, "version": 0}); code != 200 {
		t.Fatalf("save after the lock: %d %v", code, body)
	}
	if in := sqlDB.Stats().InUse; in != 0 {
		t.Fatalf("%d connections still in use", in)
	}
}
