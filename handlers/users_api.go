package handlers

import (
	"net/http"

	"cunji/models"

	"github.com/labstack/echo/v4"
)

func adminUserJSON(u *models.User) map[string]any {
	j := map[string]any{"username": u.Username, "name": u.Name, "role": u.Role, "district_code": u.DistrictCode,
		"street_code": u.StreetCode, "village_code": u.VillageCode, "phone": u.Phone, "disabled": u.Disabled,
		"must_change_password": u.MustChangePassword}
	return j
}

// APIUserList is GET /api/v1/users?q=&role=&street=&limit=&offset=: the accounts the
// caller manages that match, in a stable order; total counts every match. Without
// limit every match is returned (as before paging).
func (h *Handler) APIUserList(c echo.Context) error {
	f := models.UserFilter{Q: c.QueryParam("q"), Role: c.QueryParam("role"), Street: c.QueryParam("street")}
	limit, err := queryInt(c, "limit", 0)
	if err != nil {
		return err
	}
	offset, err := queryInt(c, "offset", 0)
	if err != nil {
		return err
	}
	if limit < 0 || offset < 0 {
		return models.Invalid("limit", "limit 与 offset 不能为负数")
	}
	list, total, err := models.ListUserRange(h.db(c), actorOf(c), f, limit, offset)
	if err != nil {
		return err
	}
	out := make([]map[string]any, len(list))
	for i := range list {
		out[i] = adminUserJSON(&list[i].User)
	}
	return c.JSON(http.StatusOK, map[string]any{"users": out, "total": total})
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
	u, err := models.CreateUser(h.db(c), actorOf(c), in)
	if err != nil {
		return err
	}
	j := adminUserJSON(u)
	j["one_time_password"] = in.Password
	return c.JSON(http.StatusCreated, j)
}

// apiUserChange answers one change to an account: {"username","action"} and, after a
// reset, the one-time password.
func (h *Handler) apiUserChange(c echo.Context, change userChange, action string) error {
	name := pathParam(c, "username")
	pw, err := change(h.db(c), actorOf(c), name)
	if err != nil {
		return err
	}
	out := map[string]any{"username": name, "action": action}
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
