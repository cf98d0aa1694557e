package handlers

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"

	"cunji/models"

	"github.com/labstack/echo/v4"
)

const (
	csrfCookie    = "cunji_csrf"
	csrfFormField = "csrf"
	csrfHeader    = "X-CSRF-Token"
)

// csrf protects every state-changing page request. The token a page embeds is an
// HMAC, under the server's secret, of the browser's random id (an HttpOnly,
// SameSite=Strict cookie) and of its session cookie, so a token from another
// browser or another session is worth nothing; it is read from the form's `csrf`
// field or the X-CSRF-Token header, never from the query string.
func (h *Handler) csrf(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		id := ""
		if ck, err := c.Cookie(csrfCookie); err == nil && len(ck.Value) >= 32 {
			id = ck.Value
		} else {
			b := make([]byte, 32)
			if _, err := rand.Read(b); err != nil {
				return err
			}
			id = base64.RawURLEncoding.EncodeToString(b)
			c.SetCookie(&http.Cookie{Name: csrfCookie, Value: id, Path: "/", HttpOnly: true,
				SameSite: http.SameSiteStrictMode, Secure: viaHTTPS(c)})
		}
		session := ""
		if ck, err := c.Cookie(tokenCookie); err == nil {
			session = ck.Value
		}
		token := h.csrfToken(id, session)
		c.Set(ctxCSRF, token)
		c.Set(ctxBrowser, id)
		switch c.Request().Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return next(c)
		}
		sent := c.Request().Header.Get(csrfHeader)
		if sent == "" {
			sent = c.Request().PostFormValue(csrfFormField)
		}
		if !hmac.Equal([]byte(sent), []byte(token)) {
			// The browser dropped an expired session cookie, so the form's token no
			// longer matches: without a valid session nothing can be done anyway, and
			// the login page (which keeps the way back to the form) is the answer.
			if sent != "" && c.Path() != "/login" && !h.validSession(c, session) {
				return models.ErrUnauthorized
			}
			return echo.NewHTTPError(http.StatusForbidden, "表单已过期或来源不明（CSRF 校验失败），请刷新页面后重试")
		}
		return next(c)
	}
}

// csrfToken binds a form token to a browser id and a session.
func (h *Handler) csrfToken(browser, session string) string {
	m := hmac.New(sha256.New, h.Secret)
	m.Write([]byte("cunji-csrf\x00" + browser + "\x00" + session))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// secureHeaders sets the headers every answer carries: no inline script, no framing,
// no content sniffing, no referrer leaving the site.
func secureHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		hd := c.Response().Header()
		hd.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
			"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Referrer-Policy", "same-origin")
		if c.Request().URL.Path != "/static/app.css" && c.Request().URL.Path != "/static/app.js" {
			hd.Set("Cache-Control", "no-store")
		}
		return next(c)
	}
}

// validSession tells whether a session cookie's token still opens a session.
func (h *Handler) validSession(c echo.Context, session string) bool {
	if session == "" {
		return false
	}
	_, err := h.userFromToken(c, session)
	return !errors.Is(err, models.ErrUnauthorized)
}
