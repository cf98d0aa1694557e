package handlers

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"cunji/models"

	"github.com/golang-jwt/jwt/v5"
	"github.com/labstack/echo/v4"
)

const tokenCookie = "cunji_token"

// claims are the JWT claims: the user id as subject and the token version, which a
// password change, a disabled account or a logout moves on.
type claims struct {
	TokenVersion int `json:"tv"`
	// OneTime marks a session opened with a one-time password: it may set the new
	// password without typing the one-time password again.
	OneTime bool `json:"otp,omitempty"`
	jwt.RegisteredClaims
}

// IssueToken signs a token for u (HS256, TokenTTL).
func (h *Handler) IssueToken(u *models.User) (string, time.Time, error) {
	now := time.Now()
	exp := now.Add(TokenTTL)
	t := jwt.NewWithClaims(jwt.SigningMethodHS256, claims{
		TokenVersion: u.TokenVersion, OneTime: u.MustChangePassword,
		RegisteredClaims: jwt.RegisteredClaims{
			Subject: strconv.FormatUint(uint64(u.ID), 10), IssuedAt: jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(exp), Issuer: "cunji",
		},
	})
	s, err := t.SignedString(h.Secret)
	return s, exp, err
}

// userFromToken verifies a token (HS256 only, expiry required) and loads its user,
// refusing disabled accounts and superseded token versions.
func (h *Handler) userFromToken(c echo.Context, raw string) (*models.User, error) {
	cl, ok := h.verified.get(raw)
	if !ok {
		_, err := jwt.ParseWithClaims(raw, &cl, func(*jwt.Token) (any, error) { return h.Secret, nil },
			jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}), jwt.WithExpirationRequired(), jwt.WithIssuer("cunji"))
		if err != nil {
			return nil, models.ErrUnauthorized
		}
		h.verified.put(raw, cl)
	}
	// The expiry is checked at every request, a token verified before included
	// (as the parser checks it: expired from the instant it names on).
	if cl.ExpiresAt == nil || !time.Now().Before(cl.ExpiresAt.Time) {
		return nil, models.ErrUnauthorized
	}
	id, err := strconv.ParseUint(cl.Subject, 10, 64)
	if err != nil {
		return nil, models.ErrUnauthorized
	}
	// The account is read on every request, so that a disabled account, a changed
	// password or a logout is refused at once; the data revision comes with it.
	u, rev, err := models.SessionUser(h.db(c), uint(id))
	if err != nil && !errors.Is(err, models.ErrNotFound) {
		// The database is away or slow: 503, and the session stays.
		return nil, err
	}
	if err != nil || u.Disabled || u.TokenVersion != cl.TokenVersion {
		return nil, models.ErrUnauthorized
	}
	c.Set(ctxOneTime, cl.OneTime && u.MustChangePassword)
	c.Set(ctxRevision, rev)
	return u, nil
}

// verifiedTokens keeps the claims of tokens whose signature (and method and
// issuer) were verified, so that a session's next requests skip decoding and
// verifying them again: the claims are a function of the token's text and the
// secret alone. Nothing else is taken from it: the expiry is checked at each
// request, and the account (disabled, token version) is read at each request.
// When full it starts afresh. A nil cache keeps nothing.
type verifiedTokens struct {
	mu sync.Mutex
	m  map[string]claims
}

// tokensKept bounds verifiedTokens (a few hundred bytes each).
const tokensKept = 8192

func newVerifiedTokens() *verifiedTokens { return &verifiedTokens{m: map[string]claims{}} }

func (v *verifiedTokens) get(raw string) (claims, bool) {
	if v == nil {
		return claims{}, false
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	cl, ok := v.m[raw]
	return cl, ok
}

func (v *verifiedTokens) put(raw string, cl claims) {
	if v == nil {
		return
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if len(v.m) >= tokensKept {
		v.m = map[string]claims{}
	}
	v.m[raw] = cl
}

// oneTimeSession tells whether the request's session was opened with a one-time
// password that is still to be replaced.
func oneTimeSession(c echo.Context) bool {
	b, _ := c.Get(ctxOneTime).(bool)
	return b
}

func (h *Handler) setUser(c echo.Context, u *models.User) {
	c.Set(ctxUser, u)
	c.Set(ctxActor, models.ActorFor(u, c.RealIP()))
}

// apiAuth requires `Authorization: Bearer <token>`. The API does not read the
// cookie, so a cross-site form can never act through it.
func (h *Handler) apiAuth(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		auth := c.Request().Header.Get(echo.HeaderAuthorization)
		raw, ok := strings.CutPrefix(auth, "Bearer ")
		if !ok || strings.TrimSpace(raw) == "" {
			return models.ErrUnauthorized
		}
		u, err := h.userFromToken(c, strings.TrimSpace(raw))
		if err != nil {
			return err
		}
		h.setUser(c, u)
		if u.MustChangePassword && c.Path() != "/api/v1/auth/password" {
			return &echo.HTTPError{Code: http.StatusForbidden, Message: "请先修改一次性密码（POST /api/v1/auth/password）"}
		}
		return next(c)
	}
}

// pageAuth requires the session cookie; a GET without one goes to the login page.
func (h *Handler) pageAuth(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ck, err := c.Cookie(tokenCookie)
		if err != nil || ck.Value == "" {
			return models.ErrUnauthorized
		}
		u, err := h.userFromToken(c, ck.Value)
		if errors.Is(err, models.ErrUnauthorized) {
			clearCookie(c, tokenCookie)
		}
		if err != nil {
			return err
		}
		h.setUser(c, u)
		if u.MustChangePassword && c.Path() != "/password" && c.Path() != "/logout" {
			if c.Request().Method == http.MethodGet {
				return redirectFlash(c, "/password", "!请先设置您自己的密码（一次性密码只能用来登录这一次）")
			}
			return &echo.HTTPError{Code: http.StatusForbidden, Message: "请先修改一次性密码"}
		}
		return next(c)
	}
}

// roles lets only the given roles through (403 otherwise).
func roles(allowed ...string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			u := userOf(c)
			for _, r := range allowed {
				if u != nil && u.Role == r {
					return next(c)
				}
			}
			return models.ErrForbidden
		}
	}
}

// userJSON is the user object of the login answer.
type userJSON struct {
	Username     string `json:"username"`
	Name         string `json:"name"`
	Role         string `json:"role"`
	DistrictCode string `json:"district_code"`
	StreetCode   string `json:"street_code"`
	VillageCode  string `json:"village_code"`
}

func toUserJSON(u *models.User) userJSON {
	return userJSON{u.Username, u.Name, u.Role, u.DistrictCode, u.StreetCode, u.VillageCode}
}

// AuthLogin is POST /api/v1/auth/login.
func (h *Handler) AuthLogin(c echo.Context) error {
	m, err := decodeObject(c.Request().Body, false)
	if err != nil {
		return err
	}
	b := newBinder(m)
	username, password := b.text("username"), b.text("password")
	if err := b.err(); err != nil {
		return err
	}
	u, err := h.login(c, username, password)
	if err != nil {
		if errors.Is(err, models.ErrUnauthorized) {
			return &echo.HTTPError{Code: http.StatusUnauthorized, Message: "用户名或密码错误"}
		}
		return err
	}
	tok, exp, err := h.IssueToken(u)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"token": tok, "expires_at": exp.UTC().Format(time.RFC3339), "user": toUserJSON(u)})
}

// LoginPage is GET /login.
func (h *Handler) LoginPage(c echo.Context) error {
	return h.render(c, http.StatusOK, "login", "登录", loginPage{}, nil)
}

// LoginSubmit is POST /login: on success the token goes into an HttpOnly cookie.
func (h *Handler) LoginSubmit(c echo.Context) error {
	username := strings.TrimSpace(c.FormValue("username"))
	u, err := h.login(c, username, c.FormValue("password"))
	if errors.Is(err, models.ErrUnauthorized) {
		return h.render(c, http.StatusUnauthorized, "login", "登录", loginPage{Username: username}, map[string]string{"form": "用户名或密码错误，或账号已停用"})
	}
	var te *models.ThrottledError
	if errors.As(err, &te) {
		return h.render(c, http.StatusTooManyRequests, "login", "登录", loginPage{Username: username}, map[string]string{"form": te.Error()})
	}
	if err != nil {
		return err
	}
	if err := h.setSession(c, u); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, takeNext(c))
}

// Logout is POST /logout: it ends every session of the user (the token version
// moves on) and clears the cookie.
func (h *Handler) Logout(c echo.Context) error {
	u := userOf(c)
	if err := h.db(c).Model(&models.User{}).Where("id = ?", u.ID).
		Update("token_version", u.TokenVersion+1).Error; err != nil {
		return err
	}
	clearCookie(c, tokenCookie)
	return redirectFlash(c, "/login", "已退出登录")
}

func clearCookie(c echo.Context, name string) {
	c.SetCookie(&http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

// Home is each role's starting page: what waits for them (待办), each item a link
// to where it is done.
func (h *Handler) Home(c echo.Context) error {
	t, err := models.TodoOf(h.db(c), actorOf(c), time.Now())
	if err != nil {
		return err
	}
	return h.render(c, http.StatusOK, "home", "待办", t, nil)
}

// setSession puts a fresh token for u into the session cookie.
func (h *Handler) setSession(c echo.Context, u *models.User) error {
	tok, exp, err := h.IssueToken(u)
	if err != nil {
		return err
	}
	c.SetCookie(&http.Cookie{Name: tokenCookie, Value: tok, Path: "/", Expires: exp, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: viaHTTPS(c)})
	return nil
}

// PasswordPage is GET /password: choose a new password.
func (h *Handler) PasswordPage(c echo.Context) error {
	return h.render(c, http.StatusOK, "password", "修改密码", passwordPage{OneTime: oneTimeSession(c)}, nil)
}

// passwordPage is the password form's data: a one-time session is not asked for
// the current password (it was typed at the login that opened this session).
type passwordPage struct{ OneTime bool }

// changeOwnPassword changes the caller's password from the page: a one-time session
// without the current password, any other session with it. (The API still asks for
// the current password.)
func (h *Handler) changeOwnPassword(c echo.Context, current, next string) error {
	ctx := c.Request().Context()
	if oneTimeSession(c) {
		return h.Passwords.ReplaceOneTimePassword(ctx, h.db(c), userOf(c), next, c.RealIP())
	}
	return h.Passwords.ChangeOwnPassword(ctx, h.db(c), userOf(c), current, next, c.RealIP())
}

// PasswordSave is POST /password: every other session ends; this one continues
// with a new token.
func (h *Handler) PasswordSave(c echo.Context) error {
	u := userOf(c)
	next := c.FormValue("password")
	page := passwordPage{OneTime: oneTimeSession(c)}
	if next != c.FormValue("confirm") {
		return h.render(c, http.StatusUnprocessableEntity, "password", "修改密码", page,
			map[string]string{"form": "请修正标出的项目", "confirm": "两次输入的新密码不一致"})
	}
	if err := h.changeOwnPassword(c, c.FormValue("current"), next); err != nil {
		return h.pageError(c, err, func(status int, errs map[string]string) error {
			return h.render(c, status, "password", "修改密码", page, errs)
		})
	}
	fresh, err := models.UserByID(h.db(c), u.ID)
	if err != nil {
		return err
	}
	if err := h.setSession(c, fresh); err != nil {
		return err
	}
	return redirectFlash(c, "/", "密码已修改")
}

// AuthPassword is POST /api/v1/auth/password {"current","password"} → a new token.
func (h *Handler) AuthPassword(c echo.Context) error {
	m, err := decodeObject(c.Request().Body, false)
	if err != nil {
		return err
	}
	b := newBinder(m)
	current, password := b.text("current"), b.text("password")
	if err := b.err(); err != nil {
		return err
	}
	u := userOf(c)
	if err := h.Passwords.ChangeOwnPassword(c.Request().Context(), h.db(c), u, current, password, c.RealIP()); err != nil {
		return err
	}
	fresh, err := models.UserByID(h.db(c), u.ID)
	if err != nil {
		return err
	}
	tok, exp, err := h.IssueToken(fresh)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"token": tok, "expires_at": exp.UTC().Format(time.RFC3339), "user": toUserJSON(fresh)})
}
