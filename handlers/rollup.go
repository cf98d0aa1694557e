package handlers

import (
	"net/http"
	"time"

	"cunji/models"

	"github.com/labstack/echo/v4"
)

// rollupParams reads year, street and as_of (RFC 3339; default now).
func (h *Handler) rollupParams(c echo.Context) (int, string, time.Time, error) {
	year, err := h.queryYear(c)
	if err != nil {
		return 0, "", time.Time{}, err
	}
	asOf := time.Now().UTC()
	if s := c.QueryParam("as_of"); s != "" {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return 0, "", time.Time{}, models.Invalid("as_of", "as_of 须为 RFC 3339 时间，例如 2026-01-31T17:00:00+08:00")
		}
		asOf = t.UTC()
	}
	return year, c.QueryParam("street"), asOf, nil
}

type rollupPage struct {
	Rollup  *models.Rollup
	Years   []int
	Streets []models.Street
	Street  string
}

// RollupShow is GET /rollup: the district's (or the street's) roll-up page.
func (h *Handler) RollupShow(c echo.Context) error {
	year, street, asOf, err := h.rollupParams(c)
	if err != nil {
		return err
	}
	a := actorOf(c)
	ru, err := models.ComputeRollup(h.db(c), a, street, year, asOf)
	if err != nil {
		return err
	}
	years, err := models.Years(h.db(c))
	if err != nil {
		return err
	}
	p := rollupPage{Rollup: ru, Years: years, Street: street}
	if a.Role == models.RoleDistrict {
		if p.Streets, err = models.ListStreets(h.db(c), a); err != nil {
			return err
		}
	}
	return h.render(c, http.StatusOK, "rollup", ru.ScopeName+"汇总", p, nil)
}
