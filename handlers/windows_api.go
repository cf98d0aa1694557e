package handlers

import (
	"net/http"

	"cunji/models"

	"github.com/labstack/echo/v4"
)

// APIWindowSet is PUT /api/v1/windows/:year {"opens","closes"} (district).
func (h *Handler) APIWindowSet(c echo.Context) error {
	year, err := pathYear(c)
	if err != nil {
		return err
	}
	m, err := decodeObject(c.Request().Body, false)
	if err != nil {
		return err
	}
	b := newBinder(m)
	opens, closes := b.time("opens"), b.time("closes")
	if err := b.err(); err != nil {
		return err
	}
	w, err := models.SetWindow(h.db(c), actorOf(c), year, opens, closes)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"year": w.Year, "opens": w.Opens, "closes": w.Closes})
}

// APIExceptionGrant is POST /api/v1/villages/:code/exceptions {"year","until","reason"} (district).
func (h *Handler) APIExceptionGrant(c echo.Context) error {
	m, err := decodeObject(c.Request().Body, false)
	if err != nil {
		return err
	}
	b := newBinder(m)
	year, until, reason := b.small("year", 0, 9999), b.time("until"), b.str("reason")
	if err := b.err(); err != nil {
		return err
	}
	y, r := 0, ""
	if year != nil {
		y = *year
	}
	if reason != nil {
		r = *reason
	}
	e, err := models.GrantException(h.db(c), actorOf(c), c.Param("code"), y, until, r)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"village_code": e.VillageCode, "year": e.Year, "until": e.Until, "reason": e.Reason})
}

// APIYearClose is POST /api/v1/years/:year/close (district): the year's figures
// become results (no longer 进行中).
func (h *Handler) APIYearClose(c echo.Context) error {
	year, err := pathYear(c)
	if err != nil {
		return err
	}
	cl, err := models.CloseYear(h.db(c), actorOf(c), year)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"year": cl.Year, "closed_at": cl.ClosedAt, "closed_by": cl.ClosedBy})
}
