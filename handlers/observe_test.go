package handlers

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	"cunji/models"
	"cunji/seeds"
)

// lockedBuffer collects log lines written from several goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// observed is a test server whose log lines (JSON) and metrics are kept.
func observed(t *testing.T) (*env, *lockedBuffer) {
	t.Helper()
	en := newEnv(t)
	logs := &lockedBuffer{}
	m, err := NewMetrics(en.db)
	if err != nil {
		t.Fatal(err)
	}
	en.h.Log, en.h.Metrics = slog.New(slog.NewJSONHandler(logs, nil)), m
	en.e = en.h.Echo()
	checkResponses(t, en.e)
	return en, logs
}

// scrape reads the metrics as Prometheus would.
func scrape(t *testing.T, m *Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 200 {
		t.Fatalf("metrics: %d", rec.Code)
	}
	return rec.Body.String()
}

// metricValue finds one sample's value ("" when absent).
func metricValue(text, series string) string {
	for _, line := range strings.Split(text, "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			return v
		}
	}
	return ""
}

// TestRequestLogAndMetrics: one JSON log line per request with the route pattern,
// status, user and the request id of the X-Request-ID header; no password, token or
// cookie in any line; the counters of requests, failed logins, lockouts and
// approvals move, and the database pool is measured.
func TestRequestLogAndMetrics(t *testing.T) {
	en, logs := observed(t)
	const badPassword = "wrong-password-Zq7"
	for i := 0; i < 5; i++ {
		if code, _ := en.api("POST", "/api/v1/auth/login", "", map[string]string{"username": "v2", "password": badPassword}); code != 401 {
			t.Fatalf("wrong password: %d", code)
		}
	}
	if code, _ := en.api("POST", "/api/v1/auth/login", "", map[string]string{"username": "v2", "password": badPassword}); code != 429 {
		t.Fatalf("login while locked: %d", code)
	}
	code, body := en.api("POST", "/api/v1/auth/login", "", map[string]string{"username": "v1", "password": seeds.FixturePassword})
	if code != 200 {
		t.Fatalf("login: %d", code)
	}
	tok := body["token"].(string)
	path := "/api/v1/villages/" + seeds.FixA1 + "/reports/2024"
	if code, _ := en.api("PUT", path, tok, map[string]any{"business_fen": 60_000_000, "version": 0}); code != 200 {
		t.Fatalf("save: %d", code)
	}
	if code, _ := en.api("POST", path+"/submit", tok, nil); code != 200 {
		t.Fatalf("submit: %d", code)
	}
	if code, _ := en.api("POST", path+"/approve", en.token("s1"), nil); code != 200 {
		t.Fatalf("approve: %d", code)
	}
	// A page with the session cookie, and an error page that shows the request id.
	rec := en.page("GET", "/villages/999999999999", tok, nil, false)
	id := rec.Header().Get(HeaderRequestID)
	if rec.Code != 404 || !regexp.MustCompile(`^[0-9a-f]{16}$`).MatchString(id) {
		t.Fatalf("error page: %d, request id %q", rec.Code, id)
	}
	if !strings.Contains(rec.Body.String(), id) || !strings.Contains(rec.Body.String(), "请求编号") {
		t.Fatalf("the error page does not show its request id %s:\n%s", id, rec.Body)
	}

	text := logs.String()
	for _, secret := range []string{badPassword, seeds.FixturePassword, tok, en.token("s1")[:40], testCSRF, "password", "Bearer", "cookie"} {
		if strings.Contains(text, secret) {
			t.Fatalf("the log holds %q:\n%s", secret, text)
		}
	}
	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(text), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("not a JSON line: %s", l)
		}
		lines = append(lines, m)
	}
	if len(lines) != 11 {
		t.Fatalf("%d log lines for 11 requests:\n%s", len(lines), text)
	}
	last := lines[len(lines)-1]
	if last["msg"] != "request" || last["method"] != "GET" || last["route"] != "/villages/:code" ||
		last["status"] != float64(404) || last["request_id"] != id || last["user_id"] != float64(en.users["v1"].ID) {
		t.Fatalf("page log line: %v", last)
	}
	if _, ok := last["duration_ms"].(float64); !ok {
		t.Fatalf("no duration: %v", last)
	}
	if approve := lines[9]; approve["route"] != "/api/v1/villages/:code/reports/:year/approve" || approve["status"] != float64(200) {
		t.Fatalf("approval log line: %v", approve)
	}

	m := scrape(t, en.h.Metrics)
	for series, want := range map[string]string{
		`cunji_http_requests_total{method="POST",route="/api/v1/auth/login",status="401"}`:                  "5",
		`cunji_http_requests_total{method="POST",route="/api/v1/auth/login",status="429"}`:                  "1",
		`cunji_http_requests_total{method="PUT",route="/api/v1/villages/:code/reports/:year",status="200"}`: "1",
		`cunji_http_request_duration_seconds_count{method="GET",route="/villages/:code",status="404"}`:      "1",
		`cunji_login_failures_total`:                   "5",
		`cunji_login_lockouts_total`:                   "1",
		`cunji_approvals_total{kind="report"}`:         "1",
		`cunji_approvals_total{kind="workshop"}`:       "0",
		`go_sql_max_open_connections{db_name="cunji"}`: "",
	} {
		got := metricValue(m, series)
		if got == "" || want != "" && got != want {
			t.Errorf("%s = %q, want %q", series, got, want)
		}
	}
	if t.Failed() {
		t.Logf("metrics:\n%s", m)
	}
}

// TestHealthAndReadiness: /healthz answers while the process lives; /readyz checks
// the database and the schema version, and answers 503 without them.
func TestHealthAndReadiness(t *testing.T) {
	en := newEnv(t)
	get := func(path string) (int, string) {
		rec := httptest.NewRecorder()
		en.e.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		b, _ := io.ReadAll(rec.Body)
		return rec.Code, string(b)
	}
	if code, body := get("/healthz"); code != 200 || body != "ok" {
		t.Fatalf("healthz: %d %q", code, body)
	}
	if code, body := get("/readyz"); code != 200 || body != "ready" {
		t.Fatalf("readyz: %d %q", code, body)
	}
	// A schema newer than this program knows is not ready.
	have, _, err := models.SchemaVersions(t.Context(), en.db)
	if err != nil {
		t.Fatal(err)
	}
	if err := en.db.Exec("INSERT INTO schema_version (version, applied_at) VALUES (?, CURRENT_TIMESTAMP)", have+1).Error; err != nil {
		t.Fatal(err)
	}
	if code, _ := get("/readyz"); code != http.StatusServiceUnavailable {
		t.Fatalf("readyz with schema %d: %d", have+1, code)
	}
	// A closed database is not ready, but the process is alive.
	sqlDB, _ := en.db.DB()
	sqlDB.Close()
	if code, _ := get("/readyz"); code != http.StatusServiceUnavailable {
		t.Fatalf("readyz without a database: %d", code)
	}
	if code, _ := get("/healthz"); code != 200 {
		t.Fatalf("healthz without a database: %d", code)
	}
}
