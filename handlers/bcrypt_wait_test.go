package handlers

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"cunji/models"
	"cunji/seeds"

	"golang.org/x/crypto/bcrypt"
)

// TestLoginCancelledWaitingForSlot: a login whose request ends (the client hung up,
// or its deadline passed) while it waits for a password-comparison slot answers 503
// with Retry-After — the JSON error shape on the API, the Chinese page on /login —
// not 500 (a cancelled context is "unavailable" in models.Unavailable).
func TestLoginCancelledWaitingForSlot(t *testing.T) {
	en := newEnv(t)
	entered, release := make(chan struct{}, 1), make(chan struct{})
	en.h.Passwords = models.NewPasswords(1)
	en.h.Passwords.Compare = func(hash, pw []byte) error {
		select {
		case entered <- struct{}{}:
			<-release // the first comparison holds the only slot
		default:
		}
		return bcrypt.CompareHashAndPassword(hash, pw)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		en.api("POST", "/api/v1/auth/login", "", map[string]any{"username": "v1", "password": seeds.FixturePassword})
	}()
	<-entered
	send := func(req *http.Request) *httptest.ResponseRecorder {
		ctx, cancel := context.WithCancel(req.Context())
		go func() { time.Sleep(100 * time.Millisecond); cancel() }()
		rec := httptest.NewRecorder()
		en.e.ServeHTTP(rec, req.WithContext(ctx))
		return rec
	}
	api := httptest.NewRequest("POST", "/api/v1/auth/login", strings.NewReader(`{"username":"v2","password":"`+seeds.FixturePassword+`"}`))
	api.Header.Set("Content-Type", "application/json")
	rec := send(api)
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" ||
		!strings.Contains(rec.Body.String(), `"code":"unavailable"`) {
		t.Errorf("API login cancelled while waiting: %d %s", rec.Code, rec.Body.String())
	}
	form := url.Values{"username": {"v3"}, "password": {seeds.FixturePassword}, "csrf": {en.h.csrfToken(testCSRF, "")}}
	page := httptest.NewRequest("POST", "/login", strings.NewReader(form.Encode()))
	page.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	page.AddCookie(&http.Cookie{Name: csrfCookie, Value: testCSRF})
	rec = send(page)
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "服务暂时不可用") {
		t.Errorf("page login cancelled while waiting: %d %s", rec.Code, rec.Body.String())
	}
	close(release)
	<-done // the login holding the slot is not what is tested here
}
