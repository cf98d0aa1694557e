package handlers

import (
	"net/http"

	"cunji/models"

	"github.com/labstack/echo/v4"
)

// handoutSlip is one account's slip of the printed handout.
type handoutSlip struct {
	Name, Scope, Username, Password string
}

// renderHandout answers the accounts a bulk import created as a printable A4
// handout: one slip per account with name, unit, login address, username and
// one-time password, between cut lines. The passwords exist in clear only in this
// answer (never stored, logged or audited; every answer is no-store): see
// docs/security.md, "One-time passwords".
func (h *Handler) renderHandout(c echo.Context, created []models.CreatedUser) error {
	groups, err := models.ScopeChoices(h.db(c), actorOf(c))
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, g := range groups {
		names[g.Street.Code] = g.Street.Name
		for _, v := range g.Villages {
			names[v.Code] = g.Street.Name + " " + v.Name
		}
	}
	slips := make([]handoutSlip, len(created))
	for i, u := range created {
		scope := names[u.Scope]
		if scope == "" {
			scope = models.RoleName(u.Role) + " " + u.Scope
		}
		slips[i] = handoutSlip{Name: u.Name, Scope: scope, Username: u.Username, Password: u.Password}
	}
	url := c.Scheme() + "://" + c.Request().Host + "/login"
	return h.render(c, http.StatusOK, "users_handout", "账号发放单", map[string]any{"Slips": slips, "URL": url}, nil)
}
