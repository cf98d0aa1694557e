package handlers

import (
	"net/http"

	"cunji/models"
	"cunji/views"

	"github.com/labstack/echo/v4"
)

// trendJSON is the API form of a trend.
func trendJSON(tr *models.Trend) map[string]any {
	years := make([]map[string]any, len(tr.Points))
	for i, p := range tr.Points {
		years[i] = map[string]any{"year": p.Year, "actual": models.Value(tr.Indicator, p.Actual),
			"target": models.Value(tr.Indicator, p.Target), "projected": models.Value(tr.Indicator, p.Projected),
			"in_progress": p.InProgress, "provisional": models.Value(tr.Indicator, p.Provisional),
			"reference": models.Value(tr.Indicator, p.Reference)}
		if p.Needed != nil {
			years[i]["needed"] = *p.Needed
		}
	}
	return map[string]any{"indicator": tr.Indicator, "scope_code": tr.ScopeCode, "scope_name": tr.ScopeName,
		"as_of": tr.AsOf, "years": years, "reference_label": models.ReferenceLabel}
}

// APITrend is GET /api/v1/trend?indicator=income_50w[&street=CODE][&as_of=RFC3339].
func (h *Handler) APITrend(c echo.Context) error {
	_, street, asOf, err := h.rollupParams(c)
	if err != nil {
		return err
	}
	ind := c.QueryParam("indicator")
	if ind == "" {
		ind = models.IndIncome50w
	}
	tr, err := models.ComputeTrend(h.db(c), actorOf(c), street, ind, asOf)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, trendJSON(tr))
}

// APIRanking is GET /api/v1/ranking?year=Y[&indicator=…][&as_of=…][&format=xlsx|csv].
func (h *Handler) APIRanking(c echo.Context) error {
	return h.withFormat(c, h.rankingTable, func() (any, error) { return h.rankingParams(c) })
}

// APICompleteness is GET /api/v1/completeness?year=Y[&format=…].
func (h *Handler) APICompleteness(c echo.Context) error {
	return h.withFormat(c, h.completenessTable, func() (any, error) {
		year, err := h.queryYear(c)
		if err != nil {
			return nil, err
		}
		rows, total, err := models.Completeness(h.db(c), actorOf(c), year)
		if err != nil {
			return nil, err
		}
		return map[string]any{"year": year, "streets": rows, "total": total}, nil
	})
}

// APIList is GET /api/v1/lists/sprint|slipping?year=Y[&as_of=…][&format=…].
func (h *Handler) APIList(c echo.Context) error {
	kind := c.Param("kind")
	if kind != "sprint" && kind != "slipping" {
		return models.ErrNotFound
	}
	return h.withFormat(c, func(c echo.Context) (*views.Table, error) { return h.listTable(c, kind) }, func() (any, error) {
		list, year, asOf, err := h.villageList(c, kind)
		if err != nil {
			return nil, err
		}
		if list == nil {
			list = []models.VillageFigures{}
		}
		return map[string]any{"year": year, "as_of": asOf, "villages": list}, nil
	})
}
