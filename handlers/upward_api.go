package handlers

import (
	"net/http"
	"path"
	"time"

	"cunji/models"

	"github.com/labstack/echo/v4"
)

// APIUpward is GET /api/v1/upward/{income-bands|weak|strong|titles|companies|workshops}
// ?year=&street=&as_of=&format=: a report upward as JSON, or with format=xlsx|csv as
// the file the page offers (part=list for the income bands' list). The route's last
// segment names the report.
func (h *Handler) APIUpward(c echo.Context) error {
	k, ok := findUpward(path.Base(c.Path()))
	if !ok {
		return models.ErrNotFound
	}
	q, err := h.upwardQuery(c)
	if err != nil {
		return err
	}
	data, tables, err := k.build(h, c, q)
	if err != nil {
		return err
	}
	if f := c.QueryParam("format"); f != "" && f != "json" {
		return sendTable(c, upwardPart(c, tables), f)
	}
	return c.JSON(http.StatusOK, data)
}

// upwardLines is the district's 薄弱村 and 强村 lines, in 分 of 经营性收入.
type upwardLines struct {
	WeakLineFen   int64 `json:"weak_line_fen"`
	StrongLineFen int64 `json:"strong_line_fen"`
}

// APIUpwardLines is PUT /api/v1/upward/lines (district): sets both lines and answers
// the lines now in force.
func (h *Handler) APIUpwardLines(c echo.Context) error {
	m, err := decodeObject(c.Request().Body, false)
	if err != nil {
		return err
	}
	b := newBinder(m)
	weak, strong := b.int("weak_line_fen", 1, models.MaxAmountFen), b.int("strong_line_fen", 1, models.MaxAmountFen)
	if weak == nil {
		b.v.Add("weak_line_fen", "须给出薄弱村线（分）")
	}
	if strong == nil {
		b.v.Add("strong_line_fen", "须给出强村线（分）")
	}
	if err := b.err(); err != nil {
		return err
	}
	a := actorOf(c)
	if err := models.SetUpwardLines(h.db(c), a, *weak, *strong); err != nil {
		return err
	}
	now := time.Now()
	return c.JSON(http.StatusOK, upwardLines{models.WeakLine(h.db(c), a.DistrictCode, now), models.StrongLine(h.db(c), a.DistrictCode, now)})
}
