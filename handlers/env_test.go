package handlers

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"

	"cunji/models"
	"cunji/seeds"
	"cunji/views"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"
)

// env is a fresh server on a fresh SQLite file with the fixture accounts.
type env struct {
	t     *testing.T
	db    *gorm.DB
	h     *Handler
	e     *echo.Echo
	users map[string]*models.User
}

func TestMain(m *testing.M) { os.Exit(models.RunOnAllBackends(m)) }

const testCSRF = "test-csrf-token-0123456789-abcdefghijklmnop"

func newEnv(t *testing.T) *env {
	t.Helper()
	db := models.OpenTest(t)
	users, err := seeds.Fixture(db)
	if err != nil {
		t.Fatal(err)
	}
	v, err := views.Load()
	if err != nil {
		t.Fatal(err)
	}
	h := &Handler{DB: db, Secret: []byte("test-secret-0123456789-0123456789-abcdef"), Views: v, FilesDir: t.TempDir(),
		Log: slog.New(slog.DiscardHandler)}
	e := h.Echo()
	checkResponses(t, e)
	return &env{t: t, db: db, h: h, e: e, users: users}
}

// token issues a valid token for a fixture user.
func (en *env) token(username string) string {
	en.t.Helper()
	u, err := models.UserByID(en.db, en.users[username].ID)
	if err != nil {
		en.t.Fatal(err)
	}
	tok, _, err := en.h.IssueToken(u)
	if err != nil {
		en.t.Fatal(err)
	}
	return tok
}

// actor is a fixture user as a models.Actor.
func (en *env) actor(username string) *models.Actor {
	return models.ActorFor(en.users[username], "127.0.0.1")
}

// api sends an API request with an optional bearer token and JSON body (a string is
// sent as it is).
func (en *env) api(method, path, token string, body any) (int, map[string]any) {
	en.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		raw, _ := json.Marshal(b)
		rd = strings.NewReader(string(raw))
	}
	req := httptest.NewRequest(method, path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	en.e.ServeHTTP(rec, req)
	var out map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &out)
	return rec.Code, out
}

// page sends a page request with the session cookie of token (if any); a form is
// posted with the CSRF token unless csrf is false.
func (en *env) page(method, path, token string, form url.Values, csrf bool) *httptest.ResponseRecorder {
	en.t.Helper()
	var rd io.Reader
	// Never change the caller's form: copy it.
	f := url.Values{}
	for k, v := range form {
		f[k] = append([]string(nil), v...)
	}
	form = f
	if method == http.MethodPost {
		if csrf {
			form.Set("csrf", en.h.csrfToken(testCSRF, token))
		}
		rd = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, path, rd)
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.AddCookie(&http.Cookie{Name: csrfCookie, Value: testCSRF})
	if token != "" {
		req.AddCookie(&http.Cookie{Name: tokenCookie, Value: token})
	}
	rec := httptest.NewRecorder()
	en.e.ServeHTTP(rec, req)
	return rec
}

// moveRevision moves the data revision as a change through the app does, after
// a test changed the database behind the app's back: what was kept at the
// revision before (a report page, a roll-up) is then read afresh.
func (en *env) moveRevision() {
	en.t.Helper()
	if err := en.db.Exec("UPDATE data_revision SET n = n + 1 WHERE id = 1").Error; err != nil {
		en.t.Fatal(err)
	}
}

// state is everything a request could change: versions, villages, targets, users
// and the audit log's length.
func (en *env) state() string {
	en.t.Helper()
	var rv []models.ReportVersion
	var vs []models.Village
	var ts []models.Target
	var us []models.User
	var audits int64
	en.db.Order("id").Find(&rv)
	en.db.Order("code").Find(&vs)
	en.db.Order("id").Find(&ts)
	en.db.Order("id").Find(&us)
	en.db.Model(&models.AuditEntry{}).Count(&audits)
	b, _ := json.Marshal([]any{rv, vs, ts, us, audits})
	return string(b)
}

// errorShape checks the API error body (docs/openapi.json: Error).
func errorShape(t *testing.T, body map[string]any) map[string]any {
	t.Helper()
	e, ok := body["error"].(map[string]any)
	if !ok {
		t.Fatalf("no error object in %v", body)
	}
	if c, _ := e["code"].(string); c == "" {
		t.Fatalf("error without code: %v", e)
	}
	if m, _ := e["message"].(string); !isChinese(m) {
		t.Fatalf("error message not in Chinese: %q", m)
	}
	return e
}
