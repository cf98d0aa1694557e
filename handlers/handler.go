// Package handlers holds cunji's Echo handlers: the pages and the JSON API, which
// share one model call per action; routes.go lists who may do what.
package handlers

import (
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"cunji/models"
	"cunji/views"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"
)

// TokenTTL is how long a login lasts.
const TokenTTL = 8 * time.Hour

// Handler carries what every handler needs; there is no package-level state.
type Handler struct {
	DB     *gorm.DB
	Secret []byte
	Views  *views.Views
	// FilesDir holds the evidence files, outside any served folder.
	FilesDir string
	// EvidenceLimits are the evidence quotas (zero fields: the defaults).
	EvidenceLimits models.EvidenceLimits
	// TrustedProxies are the reverse proxies whose X-Forwarded-For and
	// X-Forwarded-Proto count (--trust-proxy); nil trusts no one.
	TrustedProxies []*net.IPNet
	// Log receives one line per request (slog.Default when nil).
	Log *slog.Logger
	// Metrics counts requests and events (nothing when nil).
	Metrics *Metrics
	// RequestTimeout bounds every request (DefaultRequestTimeout when 0).
	RequestTimeout time.Duration
	// Passwords counts and compares password attempts; Echo makes one with
	// models.ConcurrentComparisons slots when it is nil.
	Passwords *models.Passwords
	// Rollups keeps computed roll-ups (until the data revision moves, or for good
	// for a settled past instant); Echo makes one when it is nil.
	Rollups *models.RollupCache
	// verified keeps the claims of tokens already verified (Echo makes it).
	verified *verifiedTokens
	// shells keeps the layout around kept page contents (Echo makes it).
	shells *pageShells
	// reports keeps report page contents (report_kept.go; Echo makes it).
	reports *keptReports
	// Clock is the instant the reporting window is judged at on the report page
	// (time.Now when nil): tests move it to open and close a window.
	Clock func() time.Time
}

// now is the request's instant for what time alone changes (Clock).
func (h *Handler) now() time.Time {
	if h.Clock != nil {
		return h.Clock()
	}
	return time.Now()
}

// Context keys.
const (
	ctxUser  = "cunji.user"
	ctxActor = "cunji.actor"
	// ctxRevision is the data revision read with the account (keptRevision).
	ctxRevision = "cunji.revision"
	// ctxOneTime marks a session opened with a one-time password.
	ctxOneTime = "cunji.onetime"
	ctxCSRF    = "cunji.csrf"
	// ctxBrowser is the browser id the CSRF token is made from.
	ctxBrowser = "cunji.browser"
)

func userOf(c echo.Context) *models.User {
	u, _ := c.Get(ctxUser).(*models.User)
	return u
}

func actorOf(c echo.Context) *models.Actor {
	a, _ := c.Get(ctxActor).(*models.Actor)
	return a
}

// PageData is what every page template receives.
type PageData struct {
	Title     string
	User      *models.User
	CSRF      string
	Flash     string
	FlashKind string
	Errors    map[string]string
	Demo      bool
	Data      any
	// RequestID is shown on error pages, to be quoted to the IT office.
	RequestID string
}

// render writes a page with its status code.
func (h *Handler) render(c echo.Context, status int, page, title string, data any, errs map[string]string) error {
	return h.renderPage(c, status, page, h.pageData(c, title, data, errs))
}

// pageData is what a page's template receives (it takes the flash message).
func (h *Handler) pageData(c echo.Context, title string, data any, errs map[string]string) PageData {
	pd := PageData{Title: title, User: userOf(c), Errors: errs, Data: data,
		RequestID: c.Response().Header().Get(HeaderRequestID)}
	pd.CSRF, _ = c.Get(ctxCSRF).(string)
	pd.Flash, pd.FlashKind = takeFlash(c)
	if demo, err := h.Rollups.DemoAccounts(h.db(c), keptRevision(c)); err == nil && demo {
		pd.Demo = true
	}
	if pd.Errors == nil {
		pd.Errors = map[string]string{}
	}
	return pd
}

// renderPage writes a page with its length: the page is rendered whole first, so
// it goes out in one piece rather than in chunks of the chunked encoding (fewer
// writes for the server, less parsing for the browser), and a template error
// still leaves the response unwritten for the error handler.
func (h *Handler) renderPage(c echo.Context, status int, page string, pd PageData) error {
	return h.Views.RenderPage(page, pd, func(b []byte) error {
		res := c.Response()
		res.Header().Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
		res.Header().Set(echo.HeaderContentLength, strconv.Itoa(len(b)))
		res.WriteHeader(status)
		_, err := res.Write(b)
		return err
	})
}

const flashCookie = "cunji_flash"

// redirectFlash redirects with 303 (POST-redirect-GET) carrying a message for the
// next page.
func redirectFlash(c echo.Context, to, msg string) error {
	if msg != "" {
		c.SetCookie(&http.Cookie{Name: flashCookie, Value: encodeFlash(msg), Path: "/", HttpOnly: true,
			SameSite: http.SameSiteLaxMode, MaxAge: 60})
	}
	return c.Redirect(http.StatusSeeOther, to)
}

func takeFlash(c echo.Context) (string, string) {
	ck, err := c.Cookie(flashCookie)
	if err != nil || ck.Value == "" {
		return "", ""
	}
	c.SetCookie(&http.Cookie{Name: flashCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true})
	msg := decodeFlash(ck.Value)
	kind := "ok"
	if len(msg) > 0 && msg[0] == '!' {
		kind, msg = "error", msg[1:]
	}
	// '+' marks a report form saved on the server: the page lets the browser drop
	// the copy of the typing it kept.
	if len(msg) > 0 && msg[0] == '+' {
		kind, msg = "ok saved", msg[1:]
	}
	return msg, kind
}

// pathYear reads the :year parameter; a malformed year is simply not found.
func pathYear(c echo.Context) (int, error) {
	y, err := strconv.Atoi(c.Param("year"))
	if err != nil || y < 1000 || y > 9999 {
		return 0, models.ErrNotFound
	}
	return y, nil
}

// pathParam reads a path parameter as the client wrote it before escaping. When a
// path holds an escape that its decoded form cannot show (an encoded "/"), Echo
// routes on the raw path and leaves every parameter escaped.
func pathParam(c echo.Context, name string) string {
	v := c.Param(name)
	if c.Request().URL.RawPath == "" {
		return v
	}
	if u, err := url.PathUnescape(v); err == nil {
		return u
	}
	return v
}

// queryInt reads an optional integer query parameter.
func queryInt(c echo.Context, name string, def int) (int, error) {
	s := c.QueryParam(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, models.Invalid(name, "须为整数")
	}
	return n, nil
}

// defaultYear is the current year, within the reporting years.
func (h *Handler) defaultYear(c echo.Context) (int, error) {
	last, err := models.LastYear(h.db(c))
	if err != nil {
		return 0, err
	}
	return max(min(models.CurrentYear(), last), models.FirstYear), nil
}

// queryYear reads the optional year parameter; without it, the default year.
func (h *Handler) queryYear(c echo.Context) (int, error) {
	if c.QueryParam("year") == "" {
		return h.defaultYear(c)
	}
	return queryInt(c, "year", 0)
}

// staticFS serves the embedded assets.
func (h *Handler) staticFS() fs.FS { return views.Static() }
