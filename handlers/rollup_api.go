package handlers

import (
	"cunji/views"

	"github.com/labstack/echo/v4"
)

// APIRollup is GET /api/v1/rollup?year=Y[&street=CODE][&as_of=RFC3339].
func (h *Handler) APIRollup(c echo.Context) error {
	year, street, asOf, err := h.rollupParams(c)
	if err != nil {
		return err
	}
	by := "street"
	if c.QueryParam("table") == "type" {
		by = "type"
	}
	return h.withFormat(c, func(c echo.Context) (*views.Table, error) { return h.rollupTable(c, by) }, func() (any, error) {
		return h.rollup(c, actorOf(c), street, year, asOf)
	})
}
