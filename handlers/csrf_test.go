package handlers

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// TestCSRFBound: a form token counts only for the browser and session it was made
// for, and only in the form body or the X-CSRF-Token header.
func TestCSRFBound(t *testing.T) {
	en := newEnv(t)
	const browser = "browser-id-0123456789-0123456789-abcdef"
	const planted = "planted-by-attacker-0123456789-0123456789"
	victim, other := en.token("s1"), en.token("s2")
	cases := []struct {
		name        string
		cookie      string // the browser id cookie
		query, form string // where the token travels
		header      string
		want        int
	}{
		{"own token in the form", browser, "", en.h.csrfToken(browser, victim), "", http.StatusSeeOther},
		{"own token in the header", browser, "", "", en.h.csrfToken(browser, victim), http.StatusSeeOther},
		{"own token in the query string", browser, en.h.csrfToken(browser, victim), "", "", http.StatusForbidden},
		{"another session's token", browser, "", en.h.csrfToken(browser, other), "", http.StatusForbidden},
		{"another browser's token", browser, "", en.h.csrfToken("another-browser-0123456789-0123456789", victim), "", http.StatusForbidden},
		{"a planted cookie echoed", planted, "", planted, "", http.StatusForbidden},
		{"no token", browser, "", "", "", http.StatusForbidden},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := en.state()
			target := "/users/v2/disable"
			if tc.query != "" {
				target += "?csrf=" + url.QueryEscape(tc.query)
			}
			form := url.Values{}
			if tc.form != "" {
				form.Set("csrf", tc.form)
			}
			req := httptest.NewRequest("POST", target, strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if tc.header != "" {
				req.Header.Set("X-CSRF-Token", tc.header)
			}
			req.AddCookie(&http.Cookie{Name: csrfCookie, Value: tc.cookie})
			req.AddCookie(&http.Cookie{Name: tokenCookie, Value: victim})
			rec := httptest.NewRecorder()
			en.e.ServeHTTP(rec, req)
			if rec.Code != tc.want {
				t.Fatalf("%d, want %d", rec.Code, tc.want)
			}
			if tc.want == http.StatusForbidden && en.state() != before {
				t.Fatal("a refused request changed the state")
			}
			if tc.want == http.StatusSeeOther {
				en.api("POST", "/api/v1/users/v2/enable", en.token("s1"), nil)
			}
		})
	}
}
