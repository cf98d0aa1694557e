package handlers

import (
	"html/template"
	"net/http"
	"strconv"
	"time"

	"cunji/models"
	"cunji/views"

	"github.com/labstack/echo/v4"
)

// closedYear is the year the district's pages, the 通报 and exports open on: the
// latest year closed now, or the current year while none is.
// A year given in the query is taken as it is.
func (h *Handler) closedYear(c echo.Context) (int, error) {
	if c.QueryParam("year") != "" {
		return queryInt(c, "year", 0)
	}
	ys, err := h.Rollups.Years(h.db(c), keptRevision(c), actorOf(c).DistrictCode)
	if err != nil {
		return 0, err
	}
	if y := ys.LatestClosed(time.Now()); y != 0 {
		return y, nil
	}
	// As defaultYear decides it, from the same last open year.
	years := ys.Years()
	return max(min(models.CurrentYear(), years[len(years)-1]), models.FirstYear), nil
}

// keptRevision is the data revision read with the request's account
// (models.SessionUser): what the request reads that only a change to the data can
// change may be taken as kept at that revision (models.RollupCache). A request
// that may write (any method but GET and HEAD) reads afresh (models.NoRevision),
// so that what it shows after its own change is never what was kept before it.
func keptRevision(c echo.Context) int64 {
	rev, ok := c.Get(ctxRevision).(int64)
	if m := c.Request().Method; !ok || (m != http.MethodGet && m != http.MethodHead) {
		return models.NoRevision
	}
	return rev
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
	ys, err := h.Rollups.Years(h.db(c), keptRevision(c), actorOf(c).DistrictCode)
	if err != nil {
		return v, err
	}
	v.Years, v.InProgress = ys.Years(), ys.InProgress(at)
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
	return h.Rollups.RollupAt(h.db(c), keptRevision(c), a, street, year, asOf, c.QueryParam("as_of") == "")
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

// RollupShow is GET /rollup: the district's (or the street's) roll-up page. Its
// content (all but the layout) is rendered once for a kept roll-up and kept beside
// it, while what else it shows stays the same (rollupPageKey).
func (h *Handler) RollupShow(c echo.Context) error {
	year, street, asOf, err := h.rollupParams(c)
	if err != nil {
		return err
	}
	a, rev := actorOf(c), keptRevision(c)
	k, err := h.Rollups.Kept(h.db(c), rev, a, street, year, asOf, c.QueryParam("as_of") == "")
	if err != nil {
		return err
	}
	ru := k.At(asOf)
	p := rollupPage{Rollup: ru, Street: street}
	if p.Years, err = h.yearsView(c, year, asOf); err != nil {
		return err
	}
	if a.Role == models.RoleDistrict {
		if p.Streets, err = h.Rollups.Streets(h.db(c), rev, a); err != nil {
			return err
		}
	}
	content, err := k.Memo(rollupPageKey(p), func() ([]byte, error) {
		html, err := h.Views.Content("rollup", p)
		return []byte(html), err
	})
	if err != nil {
		return err
	}
	return h.renderKept(c, http.StatusOK, ru.ScopeName+"汇总", template.HTML(content))
}

// rollupPageKey names everything the roll-up page's content shows besides the kept
// roll-up: its instant as shown, the year selector, the street filter and the
// streets to choose from.
func rollupPageKey(p rollupPage) string {
	b := make([]byte, 0, 256)
	b = append(b, views.When(p.Rollup.AsOf)...)
	b = strconv.AppendInt(append(b, '|'), int64(p.Years.Selected), 10)
	b = strconv.AppendInt(append(b, '|'), int64(p.Years.Open), 10)
	b = strconv.AppendQuote(append(b, '|'), p.Street)
	for _, y := range p.Years.Years {
		b = strconv.AppendInt(append(b, '|'), int64(y), 10)
		b = strconv.AppendBool(append(b, ':'), p.Years.InProgress[y])
	}
	for _, s := range p.Streets {
		b = strconv.AppendQuote(append(b, '|'), s.Code)
		b = strconv.AppendQuote(append(b, '='), s.Name)
	}
	return string(b)
}
