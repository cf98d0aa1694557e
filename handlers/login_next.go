package handlers

import (
	"io/fs"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"
)

// After a session ends, the login leads back to where the person was: a GET to the
// page asked for, a form sent with an expired session to the page of that form.
// The way back travels in a short-lived cookie (the login page's address stays
// /login), and only a path of this site is ever followed.
const nextCookie = "cunji_next"

// loginPage is the login form's data.
type loginPage struct {
	Username string
	// Expired: a form was sent after the session ended; nothing was saved.
	Expired bool
}

// localPath keeps a same-site path with its query, or "" for anything else
// (another host, a scheme, "//host", backslashes, control characters).
func localPath(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || !strings.HasPrefix(u.Path, "/") ||
		strings.HasPrefix(u.Path, "//") || strings.ContainsAny(raw, "\\\x00\r\n\t") || u.Path == "/login" {
		return ""
	}
	if u.RawQuery != "" {
		return u.Path + "?" + u.RawQuery
	}
	return u.Path
}

// toLogin answers a page request without a valid session: a GET goes to the login
// page; a form sent after the session ended gets the login page at once, saying
// that nothing was saved and that the typing waits in this browser.
func (h *Handler) toLogin(c echo.Context) {
	r := c.Request()
	back := ""
	if r.Method == http.MethodGet {
		back = localPath(r.URL.RequestURI())
	} else if ref, err := url.Parse(r.Referer()); err == nil && ref.Host == r.Host {
		back = localPath(ref.RequestURI())
	}
	if back != "" && back != "/" {
		c.SetCookie(&http.Cookie{Name: nextCookie, Value: url.QueryEscape(back), Path: "/", MaxAge: 1800,
			HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: viaHTTPS(c)})
	}
	if r.Method == http.MethodGet {
		_ = c.Redirect(http.StatusSeeOther, "/login")
		return
	}
	// The form's token was made for the ended session: the login form needs one
	// for no session.
	if id, ok := c.Get(ctxBrowser).(string); ok {
		c.Set(ctxCSRF, h.csrfToken(id, ""))
	}
	c.Set(ctxUser, nil)
	if err := h.render(c, http.StatusUnauthorized, "login", "登录", loginPage{Expired: true}, nil); err != nil {
		_ = c.String(http.StatusUnauthorized, "请先登录")
	}
}

// takeNext reads and clears the way back after a login.
func takeNext(c echo.Context) string {
	ck, err := c.Cookie(nextCookie)
	if err != nil || ck.Value == "" {
		return "/"
	}
	clearCookie(c, nextCookie)
	raw, err := url.QueryUnescape(ck.Value)
	if p := localPath(raw); err == nil && p != "" {
		return p
	}
	return "/"
}

// ServiceWorker is GET /sw.js: the embedded service worker that lets a visited
// report form open without a network (views/static/sw.js).
func (h *Handler) ServiceWorker(c echo.Context) error {
	b, err := fs.ReadFile(h.staticFS(), "sw.js")
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-cache")
	return c.Blob(http.StatusOK, "text/javascript; charset=utf-8", b)
}
