package handlers

import (
	"net/http"
	"strconv"

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
		k, err := h.Rollups.Kept(h.db(c), keptRevision(c), actorOf(c), street, year, asOf, c.QueryParam("as_of") == "")
		if err != nil {
			return err
		}
		res := c.Response()
		return k.WriteJSON(res, asOf, "\n", func(n int) {
			res.Header().Set(echo.HeaderContentType, echo.MIMEApplicationJSON)
			res.Header().Set(echo.HeaderContentLength, strconv.Itoa(n))
			res.WriteHeader(http.StatusOK)
		})
	}
	return h.withFormat(c, func(c echo.Context) (*views.Table, error) { return h.rollupTable(c, by) }, func() (any, error) {
		return h.rollup(c, actorOf(c), street, year, asOf)
	})
}
