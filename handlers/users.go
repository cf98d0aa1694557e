package handlers

import (
	"net/http"
	"strings"

	"cunji/models"
	"cunji/views"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"
)

func adminUserJSON(u *models.User) map[string]any {
	j := map[string]any{"username": u.Username, "name": u.Name, "role": u.Role, "district_code": u.DistrictCode,
		"street_code": u.StreetCode, "village_code": u.VillageCode, "phone": u.Phone, "disabled": u.Disabled,
		"must_change_password": u.MustChangePassword}
	return j
}

// APIUserList is GET /api/v1/users: the accounts the caller manages.
func (h *Handler) APIUserList(c echo.Context) error {
	list, err := models.ListUsers(h.DB, actorOf(c))
	if err != nil {
		return err
	}
	out := make([]map[string]any, len(list))
	for i := range list {
		out[i] = adminUserJSON(&list[i])
	}
	return c.JSON(http.StatusOK, map[string]any{"users": out, "total": len(out)})
}

// APIUserCreate is POST /api/v1/users {"username","name","role","scope","phone"}:
// the account gets a one-time password, answered once.
func (h *Handler) APIUserCreate(c echo.Context) error {
	m, err := decodeObject(c.Request().Body, false)
	if err != nil {
		return err
	}
	b := newBinder(m)
	in := models.UserInput{Password: models.OneTimePassword(), OneTime: true}
	for key, dst := range map[string]*string{"username": &in.Username, "name": &in.Name, "role": &in.Role, "scope": &in.Scope, "phone": &in.Phone} {
		if s := b.str(key); s != nil {
			*dst = *s
		}
	}
	if err := b.err(); err != nil {
		return err
	}
	u, err := models.CreateUser(h.DB, actorOf(c), in)
	if err != nil {
		return err
	}
	j := adminUserJSON(u)
	j["one_time_password"] = in.Password
	return c.JSON(http.StatusCreated, j)
}

// userChange is one change to an account; reset answers the one-time password.
type userChange func(db *gorm.DB, a *models.Actor, username string) (string, error)

func disableUser(db *gorm.DB, a *models.Actor, username string) (string, error) {
	return "", models.SetDisabled(db, a, username, true)
}

func enableUser(db *gorm.DB, a *models.Actor, username string) (string, error) {
	return "", models.SetDisabled(db, a, username, false)
}

// apiUserChange answers one change to an account: {"username","action"} and, after a
// reset, the one-time password.
func (h *Handler) apiUserChange(c echo.Context, change userChange, action string) error {
	pw, err := change(h.DB, actorOf(c), c.Param("username"))
	if err != nil {
		return err
	}
	out := map[string]any{"username": c.Param("username"), "action": action}
	if pw != "" {
		out["one_time_password"] = pw
	}
	return c.JSON(http.StatusOK, out)
}

// APIUserDisable is POST /api/v1/users/:username/disable (street, district).
func (h *Handler) APIUserDisable(c echo.Context) error {
	return h.apiUserChange(c, disableUser, "disable")
}

// APIUserEnable is POST /api/v1/users/:username/enable (street, district).
func (h *Handler) APIUserEnable(c echo.Context) error {
	return h.apiUserChange(c, enableUser, "enable")
}

// APIUserReset is POST /api/v1/users/:username/reset (street, district): a new
// one-time password, answered once.
func (h *Handler) APIUserReset(c echo.Context) error {
	return h.apiUserChange(c, models.ResetPassword, "reset")
}

type usersPage struct {
	Users    []models.User
	Created  *models.CreatedUser
	Form     models.UserInput
	District bool
}

func (h *Handler) renderUsers(c echo.Context, status int, p usersPage, errs map[string]string) error {
	var err error
	if p.Users, err = models.ListUsers(h.DB, actorOf(c)); err != nil {
		return err
	}
	p.District = userOf(c).Role == models.RoleDistrict
	return h.render(c, status, "users", "账号管理", p, errs)
}

// UserList is GET /users (street, district).
func (h *Handler) UserList(c echo.Context) error {
	return h.renderUsers(c, http.StatusOK, usersPage{Form: models.UserInput{Role: models.RoleVillage}}, nil)
}

// UserCreate is POST /users: a new account with a one-time password, shown once.
func (h *Handler) UserCreate(c echo.Context) error {
	in := models.UserInput{Username: c.FormValue("username"), Name: c.FormValue("name"), Role: c.FormValue("role"),
		Scope: strings.TrimSpace(c.FormValue("scope")), Phone: c.FormValue("phone"), Password: models.OneTimePassword(), OneTime: true}
	u, err := models.CreateUser(h.DB, actorOf(c), in)
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
	name := c.Param("username")
	pw, err := change(h.DB, actorOf(c), name)
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
