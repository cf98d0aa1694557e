package handlers

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"cunji/seeds"
)

// TestExpiredSessionKeepsTheWayBack: a form sent after the session ended (the
// browser dropped the expired cookie, or the session was ended elsewhere) answers
// the login page at once, saying nothing was saved, not the 请先登录 … 返回首页 dead
// end; the login then leads back to the form. A GET without a session comes back
// to the page asked for. Nothing is saved on the way.
func TestExpiredSessionKeepsTheWayBack(t *testing.T) {
	en := newEnv(t)
	srv := httptest.NewServer(en.e)
	defer srv.Close()
	rp := "/villages/" + seeds.FixA1 + "/reports/2026"
	for _, how := range []string{"cookie dropped", "session ended elsewhere"} {
		t.Run(how, func(t *testing.T) {
			cadre := newBrowser(t, srv)
			cadre.login("v1")
			_, page := cadre.get(rp)
			m := csrfField.FindStringSubmatch(page)
			if m == nil {
				t.Fatal("no form token")
			}
			u, _ := url.Parse(srv.URL)
			if how == "cookie dropped" {
				cadre.c.Jar.SetCookies(u, []*http.Cookie{{Name: tokenCookie, Value: "", Path: "/", MaxAge: -1}})
			} else {
				other := newBrowser(t, srv)
				other.login("v1")
				if code, _ := other.post("/", "/logout", url.Values{}); code != 200 {
					t.Fatalf("logout elsewhere: %d", code)
				}
			}
			before := en.state()
			form := url.Values{"csrf": {m[1]}, "version": {"0"}, "business_wan": {"31"}, "action": {"save"}}
			req, _ := http.NewRequest("POST", srv.URL+rp, strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Referer", srv.URL+rp)
			res, err := cadre.c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body := readAll(res)
			if res.StatusCode != http.StatusUnauthorized || !strings.Contains(body, `action="/login"`) ||
				!strings.Contains(body, "尚未保存") || strings.Contains(body, "返回首页") {
				t.Fatalf("a form sent after the session ended: %d\n%s", res.StatusCode, body)
			}
			if en.state() != before {
				t.Fatal("a form sent without a session changed the state")
			}
			m = csrfField.FindStringSubmatch(body)
			if m == nil {
				t.Fatal("the login page has no token")
			}
			res, err = cadre.c.PostForm(srv.URL+"/login", url.Values{"csrf": {m[1]}, "username": {"v1"}, "password": {seeds.FixturePassword}})
			if err != nil {
				t.Fatal(err)
			}
			readAll(res)
			if res.StatusCode != 200 || res.Request.URL.Path != rp {
				t.Fatalf("after the login: %d at %s, want the form %s", res.StatusCode, res.Request.URL.Path, rp)
			}
		})
	}
	t.Run("a page asked for", func(t *testing.T) {
		cadre := newBrowser(t, srv)
		if code, body := cadre.get(rp + "?x=1"); code != 200 || !strings.Contains(body, `action="/login"`) {
			t.Fatalf("without a session: %d", code)
		}
		code, body := cadre.post("/login", "/login", url.Values{"username": {"v1"}, "password": {seeds.FixturePassword}})
		if code != 200 || !strings.Contains(body, "年度填报") {
			t.Fatalf("after the login: %d, want the page asked for", code)
		}
	})
}

// TestLocalPath: the way back is only ever a path of this site.
func TestLocalPath(t *testing.T) {
	for raw, want := range map[string]string{
		"/villages/1/reports/2026": "/villages/1/reports/2026", "/audit?q=1": "/audit?q=1",
		"//evil.example/x": "", "https://evil.example/": "", "/\\evil.example": "", "javascript:alert(1)": "",
		"/login": "", "": "", "villages": "", "/a\r\nSet-Cookie: x": "",
	} {
		if got := localPath(raw); got != want {
			t.Errorf("localPath(%q) = %q, want %q", raw, got, want)
		}
	}
}

func readAll(res *http.Response) string {
	defer res.Body.Close()
	var b strings.Builder
	buf := make([]byte, 32<<10)
	for {
		n, err := res.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			return b.String()
		}
	}
}
