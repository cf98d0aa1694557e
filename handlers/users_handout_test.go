package handlers

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"cunji/models"
	"cunji/seeds"
)

// TestUsersHandout: a bulk account sheet answered as a printed handout — one slip a
// account with name, unit by name, username, one-time password and the login
// address, not cached; each password logs in once and is stored only as a hash
// (not in the accounts, nor in the audit log).
func TestUsersHandout(t *testing.T) {
	en := newEnv(t)
	sheet := "用户名,姓名,角色,范围代码,手机\nhand-a,王一,村干部," + seeds.FixA1 + ",\nhand-b,李二,街道,331002001,\n"
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	tok := en.token("d")
	mw.WriteField("csrf", en.h.csrfToken(testCSRF, tok))
	mw.WriteField("output", "handout")
	fw, _ := mw.CreateFormFile("file", "accounts.csv")
	fw.Write([]byte(sheet))
	mw.Close()
	req := httptest.NewRequest("POST", "/users/import", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.AddCookie(&http.Cookie{Name: csrfCookie, Value: testCSRF})
	req.AddCookie(&http.Cookie{Name: tokenCookie, Value: tok})
	rec := httptest.NewRecorder()
	en.e.ServeHTTP(rec, req)
	page := rec.Body.String()
	if rec.Code != 200 || !strings.Contains(rec.Header().Get("Content-Type"), "text/html") {
		t.Fatalf("handout: %d %s", rec.Code, page)
	}
	if rec.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control %q", rec.Header().Get("Cache-Control"))
	}
	if n := strings.Count(page, `class="slip"`); n != 2 {
		t.Fatalf("%d slips", n)
	}
	for _, want := range []string{"王一", "海门街道 甲村", "李二", "http://example.com/login", "hand-a", "只在本页显示这一次"} {
		if !strings.Contains(page, want) {
			t.Errorf("handout without %q", want)
		}
	}
	pws := regexp.MustCompile(`class="mono pw">([^<]+)<`).FindAllStringSubmatch(page, -1)
	if len(pws) != 2 {
		t.Fatalf("passwords on the handout: %v", pws)
	}
	for i, user := range []string{"hand-a", "hand-b"} {
		pw := pws[i][1]
		var stored []string
		en.db.Model(&models.User{}).Pluck("password_hash", &stored)
		var audit []string
		en.db.Model(&models.AuditEntry{}).Pluck("after", &audit)
		if strings.Contains(strings.Join(stored, " ")+strings.Join(audit, " "), pw) {
			t.Errorf("%s's one-time password is stored in clear", user)
		}
		if code, _ := en.api("POST", "/api/v1/auth/login", "", map[string]any{"username": user, "password": pw}); code != 200 {
			t.Errorf("%s cannot log in with the handout's password: %d", user, code)
		}
	}
}
