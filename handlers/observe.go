package handlers

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"cunji/models"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"
)

// HeaderRequestID carries the request id, in the answer and in the log line.
const HeaderRequestID = "X-Request-ID"

// DefaultRequestTimeout bounds every request: a query stuck behind a lock or on a
// lost database ends with 503 instead of holding a connection for ever.
const DefaultRequestTimeout = 30 * time.Second

// RetryAfterSeconds is what a 503 asks the client to wait.
const RetryAfterSeconds = "5"

// db is the database bound to the request's context: its deadline ends a stuck
// query, and a client that hangs up cancels its statements.
func (h *Handler) db(c echo.Context) *gorm.DB {
	return h.DB.WithContext(c.Request().Context())
}

func (h *Handler) logger() *slog.Logger {
	if h.Log != nil {
		return h.Log
	}
	return slog.Default()
}

// observe is the outermost middleware: it gives the request an id (header
// X-Request-ID) and a deadline, answers its error, then writes one log line (method,
// route pattern, status, duration, user id, request id; never a body, a query
// string, a header or a cookie) and counts it in the metrics.
func (h *Handler) observe(next echo.HandlerFunc) echo.HandlerFunc {
	timeout := h.RequestTimeout
	if timeout <= 0 {
		timeout = DefaultRequestTimeout
	}
	return func(c echo.Context) error {
		start := time.Now()
		req := c.Request()
		id := req.Header.Get(HeaderRequestID)
		if !validRequestID(id) || !h.trusted(req) {
			id = newRequestID()
		}
		c.Response().Header().Set(HeaderRequestID, id)
		ctx, cancel := context.WithTimeout(req.Context(), timeout)
		defer cancel()
		c.SetRequest(req.WithContext(ctx))

		err := next(c)
		if err != nil {
			c.Error(err)
		}
		route := c.Path()
		if route == "" {
			route = "unmatched"
		}
		status := c.Response().Status
		d := time.Since(start)
		h.Metrics.request(req.Method, route, status, d)
		attrs := []slog.Attr{slog.String("method", req.Method), slog.String("route", route),
			slog.Int("status", status), slog.Float64("duration_ms", float64(d.Microseconds())/1000),
			slog.String("request_id", id)}
		if u := userOf(c); u != nil {
			attrs = append(attrs, slog.Uint64("user_id", uint64(u.ID)))
		}
		level := slog.LevelInfo
		if status >= 500 {
			level = slog.LevelError
			if err != nil {
				attrs = append(attrs, slog.String("error", err.Error()))
			}
		}
		h.logger().LogAttrs(context.Background(), level, "request", attrs...)
		return nil
	}
}

func newRequestID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// validRequestID accepts a proxy's id of up to 64 letters, digits and dashes.
func validRequestID(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

// Healthz is GET /healthz: the process is alive (it asks nothing of the database).
func (h *Handler) Healthz(c echo.Context) error { return c.String(http.StatusOK, "ok") }

// Readyz is GET /readyz: the database answers within two seconds and its schema is
// the one this program expects; otherwise 503, and a load balancer sends the
// traffic elsewhere.
func (h *Handler) Readyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	if err := models.Ready(ctx, h.DB); err != nil {
		h.logger().Warn("not ready", "error", err.Error())
		c.Response().Header().Set("Retry-After", RetryAfterSeconds)
		return c.String(http.StatusServiceUnavailable, "not ready")
	}
	return c.String(http.StatusOK, "ready")
}

// login is Passwords.Login bound to the request, counting failures and lockouts.
func (h *Handler) login(c echo.Context, username, password string) (*models.User, error) {
	u, err := h.Passwords.Login(c.Request().Context(), h.db(c), username, password, c.RealIP())
	var te *models.ThrottledError
	switch {
	case errors.Is(err, models.ErrUnauthorized):
		h.Metrics.loginFailed(false)
	case errors.As(err, &te):
		h.Metrics.loginFailed(true)
	}
	return u, err
}
