package handlers

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"cunji/seeds"
)

// behind configures en's server to trust the proxies of list.
func (en *env) behind(list string) {
	en.t.Helper()
	nets, err := ParseTrustedProxies(list)
	if err != nil {
		en.t.Fatal(err)
	}
	en.h.TrustedProxies = nets
	en.e = en.h.Echo()
}

// TestTrustedProxies: X-Forwarded-For counts only when the peer is a listed proxy
// (a private-network client is not one), and then the client is the right-most hop
// that is not a trusted proxy.
func TestTrustedProxies(t *testing.T) {
	en := newEnv(t)
	clientIP := func(peer, xff string) string {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = peer + ":40000"
		if xff != "" {
			r.Header.Set("X-Forwarded-For", xff)
		}
		return en.e.IPExtractor(r)
	}
	// Without --trust-proxy nobody's header counts.
	if ip := clientIP("10.1.2.3", "203.0.113.9"); ip != "10.1.2.3" {
		t.Fatalf("no proxy trusted, yet XFF taken: %s", ip)
	}
	en.behind("10.0.0.1, 192.168.5.0/24")
	for _, c := range []struct{ peer, xff, want string }{
		{"10.9.9.9", "203.0.113.9", "10.9.9.9"},                           // a private-network client spoofing: ignored
		{"127.0.0.1", "203.0.113.9", "127.0.0.1"},                         // loopback is not trusted unless listed
		{"198.51.100.7", "1.2.3.4, 10.0.0.1", "198.51.100.7"},             // an outside client writing a trusted hop
		{"10.0.0.1", "203.0.113.9", "203.0.113.9"},                        // the trusted proxy's word
		{"10.0.0.1", "6.6.6.6, 203.0.113.9, 192.168.5.20", "203.0.113.9"}, // right-most untrusted of the chain
		{"192.168.5.7", "6.6.6.6,203.0.113.9", "203.0.113.9"},             // a proxy of the listed range
		{"10.0.0.1", "", "10.0.0.1"},                                      // the proxy itself
	} {
		if ip := clientIP(c.peer, c.xff); ip != c.want {
			t.Errorf("peer %s, X-Forwarded-For %q: client %s, want %s", c.peer, c.xff, ip, c.want)
		}
	}
	for _, bad := range []string{"true", "10.0.0.1,proxy.example", "10.0.0.0/33"} {
		if _, err := ParseTrustedProxies(bad); err == nil || !strings.Contains(err.Error(), "--trust-proxy") {
			t.Errorf("--trust-proxy %q: %v", bad, err)
		}
	}
}

// TestSecureCookieBehindProxy: the session cookie is Secure when a trusted proxy
// says the browser came over HTTPS, and only then.
func TestSecureCookieBehindProxy(t *testing.T) {
	en := newEnv(t)
	en.behind("10.0.0.1")
	secure := func(peer, proto string) bool {
		form := url.Values{"username": {"d"}, "password": {seeds.FixturePassword}, "csrf": {en.h.csrfToken(testCSRF, "")}}
		r := httptest.NewRequest("POST", "/login", strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.AddCookie(&http.Cookie{Name: csrfCookie, Value: testCSRF})
		r.RemoteAddr = peer + ":40000"
		if proto != "" {
			r.Header.Set("X-Forwarded-Proto", proto)
		}
		rec := httptest.NewRecorder()
		en.e.ServeHTTP(rec, r)
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("login from %s: %d %s", peer, rec.Code, rec.Body)
		}
		for _, ck := range rec.Result().Cookies() {
			if ck.Name == tokenCookie {
				return ck.Secure
			}
		}
		t.Fatalf("no session cookie from %s", peer)
		return false
	}
	if !secure("10.0.0.1", "https") {
		t.Error("trusted proxy over https: the session cookie is not Secure")
	}
	if secure("10.0.0.1", "http") {
		t.Error("trusted proxy over http: Secure cookie")
	}
	if secure("10.0.0.2", "https") {
		t.Error("an untrusted client's X-Forwarded-Proto made the cookie Secure")
	}
}
