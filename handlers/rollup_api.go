package handlers

import (
	"net/http"

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
	if f := c.QueryParam("format"); (f == "" || f == "json") && !c.QueryParams().Has("pretty") && !c.Echo().Debug {
		// The JSON kept beside the roll-up, with this request's as_of: the bytes
		// c.JSON would write, without encoding the roll-up again.
		b, err := h.Rollups.RollupJSON(h.db(c), keptRevision(c), actorOf(c), street, year, asOf, c.QueryParam("as_of") == "")
		if err != nil {
			return err
		}
		return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, append(b, '\n'))
	}
	return h.withFormat(c, func(c echo.Context) (*views.Table, error) { return h.rollupTable(c, by) }, func() (any, error) {
		return h.rollup(c, actorOf(c), street, year, asOf)
	})
}
