package handlers

import (
	"net/http"
	"time"

	"cunji/models"

	"github.com/labstack/echo/v4"
)

// closedYear is the year the district's pages, the 通报 and exports open on: the
// latest year closed now, or the current year while none is.
// A year given in the query is taken as it is.
func (h *Handler) closedYear(c echo.Context) (int, error) {
	if c.QueryParam("year") != "" {
		return queryInt(c, "year", 0)
	}
	y, err := models.LatestClosedYear(h.db(c), actorOf(c).DistrictCode, time.Now())
	if err != nil {
		return 0, err
	}
	if y == 0 {
		return h.defaultYear(c)
	}
	return y, nil
}

// yearsView lists the reporting years for a year selector, each marked when it is
// still in progress (进行中).
type yearsView struct {
	Years      []int
	InProgress map[int]bool
	// Open is the latest year in progress, one click away from a closed year.
	Open int
	// Selected is the year shown.
	Selected int
}

func (h *Handler) yearsView(c echo.Context, year int, at time.Time) (yearsView, error) {
	v := yearsView{Selected: year}
	var err error
	if v.Years, err = models.Years(h.db(c)); err != nil {
		return v, err
	}
	if v.InProgress, err = models.InProgressYears(h.db(c), actorOf(c).DistrictCode, at); err != nil {
		return v, err
	}
	cur := models.CurrentYear()
	for _, y := range v.Years {
		if v.InProgress[y] && y <= cur {
			v.Open = y
		}
	}
	return v, nil
}

// rollupParams reads year (default: the latest closed year), street and as_of
// (RFC 3339; default now).
func (h *Handler) rollupParams(c echo.Context) (int, string, time.Time, error) {
	year, err := h.closedYear(c)
	if err != nil {
		return 0, "", time.Time{}, err
	}
	asOf, err := queryAsOf(c)
	return year, c.QueryParam("street"), asOf, err
}

// rollupsKept is how many roll-ups the cache keeps (a district's streets × years ×
// a few instants; each is a few kilobytes).
const rollupsKept = 4096

// rollup is the roll-up through the cache; without ?as_of= it is the roll-up of now.
func (h *Handler) rollup(c echo.Context, a *models.Actor, street string, year int, asOf time.Time) (*models.Rollup, error) {
	return h.Rollups.Rollup(h.db(c), a, street, year, asOf, c.QueryParam("as_of") == "")
}

// queryAsOf reads ?as_of= (RFC 3339; default now), in UTC.
func queryAsOf(c echo.Context) (time.Time, error) {
	s := c.QueryParam("as_of")
	if s == "" {
		return time.Now().UTC(), nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, models.Invalid("as_of", "as_of 须为 RFC 3339 时间，例如 2026-01-31T17:00:00+08:00")
	}
	return t.UTC(), nil
}

type rollupPage struct {
	Rollup  *models.Rollup
	Years   yearsView
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
	ru, err := h.rollup(c, a, street, year, asOf)
	if err != nil {
		return err
	}
	p := rollupPage{Rollup: ru, Street: street}
	if p.Years, err = h.yearsView(c, year, asOf); err != nil {
		return err
	}
	if a.Role == models.RoleDistrict {
		if p.Streets, err = models.ListStreets(h.db(c), a); err != nil {
			return err
		}
	}
	return h.render(c, http.StatusOK, "rollup", ru.ScopeName+"汇总", p, nil)
}
