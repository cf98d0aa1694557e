package handlers

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"cunji/models"
	"cunji/views"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"
)

// userChange is one change to an account; reset answers the one-time password.
type userChange func(db *gorm.DB, a *models.Actor, username string) (string, error)

func disableUser(db *gorm.DB, a *models.Actor, username string) (string, error) {
	return "", models.SetDisabled(db, a, username, true)
}

func enableUser(db *gorm.DB, a *models.Actor, username string) (string, error) {
	return "", models.SetDisabled(db, a, username, false)
}

type usersPage struct {
	List     *models.UserPage
	Filter   models.UserFilter
	Scopes   []models.ScopeGroup
	Prev     string
	Next     string
	Created  *models.CreatedUser
	Form     models.UserInput
	District bool
}

// userFilter reads the accounts list's search, filters and page from the query.
func userFilter(c echo.Context) models.UserFilter {
	f := models.UserFilter{Q: strings.TrimSpace(c.QueryParam("q")), Role: c.QueryParam("role"), Street: c.QueryParam("street")}
	f.Page, _ = strconv.Atoi(c.QueryParam("page"))
	return f
}

func (h *Handler) renderUsers(c echo.Context, status int, p usersPage, errs map[string]string) error {
	var err error
	p.Filter = userFilter(c)
	if p.List, err = models.ListUserPage(h.db(c), actorOf(c), p.Filter); err != nil {
		return err
	}
	if p.Scopes, err = models.ScopeChoices(h.db(c), actorOf(c)); err != nil {
		return err
	}
	if p.List.Page > 1 {
		p.Prev = usersURL(p.Filter, p.List.Page-1)
	}
	if p.List.Page < p.List.Pages {
		p.Next = usersURL(p.Filter, p.List.Page+1)
	}
	p.District = userOf(c).Role == models.RoleDistrict
	return h.render(c, status, "users", "账号管理", p, errs)
}

// usersURL is the accounts list's address for page n with the same search and filters.
func usersURL(f models.UserFilter, n int) string {
	v := url.Values{}
	for k, s := range map[string]string{"q": f.Q, "role": f.Role, "street": f.Street} {
		if s != "" {
			v.Set(k, s)
		}
	}
	v.Set("page", strconv.Itoa(n))
	return "/users?" + v.Encode()
}

// UserList is GET /users (street, district).
func (h *Handler) UserList(c echo.Context) error {
	return h.renderUsers(c, http.StatusOK, usersPage{Form: models.UserInput{Role: models.RoleVillage}}, nil)
}

// UserCreate is POST /users: a new account with a one-time password, shown once.
func (h *Handler) UserCreate(c echo.Context) error {
	in := models.UserInput{Username: c.FormValue("username"), Name: c.FormValue("name"), Role: c.FormValue("role"),
		Scope: strings.TrimSpace(c.FormValue("scope")), Phone: c.FormValue("phone"), Password: models.OneTimePassword(), OneTime: true}
	u, err := models.CreateUser(h.db(c), actorOf(c), in)
	if err != nil {
		return h.pageError(c, err, func(status int, errs map[string]string) error {
			return h.renderUsers(c, status, usersPage{Form: in}, errs)
		})
	}
	created := &models.CreatedUser{Username: u.Username, Name: u.Name, Role: u.Role, Scope: in.Scope, Password: in.Password}
	return h.renderUsers(c, http.StatusCreated, usersPage{Created: created, Form: models.UserInput{Role: in.Role}}, nil)
}

// userChangePage applies one change from the accounts page: a reset shows the
// one-time password once, the others redirect with done as the flash message.
func (h *Handler) userChangePage(c echo.Context, change userChange, done string) error {
	name := pathParam(c, "username")
	pw, err := change(h.db(c), actorOf(c), name)
	if err != nil {
		return h.pageError(c, err, func(status int, errs map[string]string) error {
			return h.renderUsers(c, status, usersPage{}, errs)
		})
	}
	if pw != "" {
		return h.renderUsers(c, http.StatusOK, usersPage{Created: &models.CreatedUser{Username: name, Password: pw}}, nil)
	}
	return redirectFlash(c, "/users", name+" "+done)
}

// UserDisable is POST /users/:username/disable (street, district).
func (h *Handler) UserDisable(c echo.Context) error {
	return h.userChangePage(c, disableUser, "已停用，其登录已立即失效")
}

// UserEnable is POST /users/:username/enable (street, district).
func (h *Handler) UserEnable(c echo.Context) error {
	return h.userChangePage(c, enableUser, "已启用")
}

// UserReset is POST /users/:username/reset (street, district).
func (h *Handler) UserReset(c echo.Context) error {
	return h.userChangePage(c, models.ResetPassword, "")
}

// usersTable is the sheet of one-time passwords a bulk creation answers.
func usersTable(created []models.CreatedUser) *views.Table {
	t := &views.Table{Name: "one-time-passwords", Title: "一次性密码（首次登录须修改）",
		Header: []string{"用户名", "姓名", "角色", "范围代码", "手机", "一次性密码"}}
	for _, u := range created {
		t.Rows = append(t.Rows, []any{u.Username, u.Name, u.Role, u.Scope, u.Phone, u.Password})
	}
	return t
}
