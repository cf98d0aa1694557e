package handlers

import (
	"net/http"
	"strconv"
	"time"

	"cunji/models"
	"cunji/views"

	"github.com/labstack/echo/v4"
)

// indicatorRollupParams reads ?year= (default: the current reporting year), ?street=
// and ?as_of= (default now).
func (h *Handler) indicatorRollupParams(c echo.Context) (int, string, time.Time, error) {
	return h.indicatorListParams(c)
}

func (h *Handler) indicatorRollup(c echo.Context) (*models.IndicatorRollup, error) {
	year, street, asOf, err := h.indicatorRollupParams(c)
	if err != nil {
		return nil, err
	}
	return h.Rollups.IndicatorRollup(h.db(c), actorOf(c), c.Param("code"), year, street, asOf, c.QueryParam("as_of") == "")
}

// indicatorRollupJSON is the API form of an indicator's roll-up.
func indicatorRollupJSON(ru *models.IndicatorRollup) map[string]any {
	return map[string]any{"indicator": indicatorJSON(&ru.Indicator), "year": ru.Year, "as_of": ru.AsOf,
		"scope_code": ru.ScopeCode, "scope_name": ru.ScopeName, "in_progress": ru.InProgress,
		"target_unit": ru.Indicator.TargetUnit(), "total": ru.Total, "by_street": ru.ByStreet, "by_type": ru.ByType}
}

// indicatorRollupTable is the roll-up as a download: the scope, then each street and
// each village type, with the target and the colour; the file states the scope, the
// year and as_of.
func indicatorRollupTable(ru *models.IndicatorRollup) *views.Table {
	d := &ru.Indicator
	t := &views.Table{Name: "indicator-" + d.Code, Title: d.Name + "汇总（" + ru.ScopeName + " " + strconv.Itoa(ru.Year) + " 年）",
		Header: []string{"分组", "名称", "村数", "有通过数据", "达标村（是/大于零）", "合计", "达标村占比", "实际（按汇总方式）", "本年目标", "预警", "名次"},
		Scope:  ru.ScopeName, ScopeCode: ru.ScopeCode, Year: ru.Year, AsOf: ru.AsOf, InProgress: ru.InProgress,
		Notes: [][2]string{{"指标", d.Code + " " + d.Name + "（" + d.KindLabel() + "，" + d.RollupLabel() + "）"}}}
	add := func(group string, f models.IndicatorFigures) {
		var sum any = f.Sum
		if d.Kind == models.KindAmount {
			sum = views.Yuan(f.Sum)
		}
		colour := colourLabel(f.Color)
		if ru.InProgress {
			colour = "进行中，不着色"
		} else if f.Target == nil {
			colour = "未下达目标"
		}
		var rank any = ""
		if f.Rank > 0 {
			rank = f.Rank
		}
		t.Rows = append(t.Rows, []any{group, f.Name, f.Villages, f.Reported, f.Yes, sum, f.Share, d.ActualText(f), d.TargetText(f.Target), colour, rank})
	}
	add("合计", ru.Total)
	for _, f := range ru.ByStreet {
		add("街道", f)
	}
	for _, f := range ru.ByType {
		add("村庄类型", f)
	}
	if d.Kind == models.KindAmount {
		t.Header[5] = "合计（元）"
	}
	return t
}

// APIIndicatorRollup is GET /api/v1/indicators/:code/rollup?year=&street=&as_of=
// [&format=xlsx|csv] (street, district).
func (h *Handler) APIIndicatorRollup(c echo.Context) error {
	var ru *models.IndicatorRollup
	get := func() error {
		if ru != nil {
			return nil
		}
		var err error
		ru, err = h.indicatorRollup(c)
		return err
	}
	return h.withFormat(c, func(echo.Context) (*views.Table, error) {
		if err := get(); err != nil {
			return nil, err
		}
		return indicatorRollupTable(ru), nil
	}, func() (any, error) {
		if err := get(); err != nil {
			return nil, err
		}
		return indicatorRollupJSON(ru), nil
	})
}

type indicatorRollupPage struct {
	Rollup   *models.IndicatorRollup
	Villages []models.VillageValue
	// Trend is the scope's roll-up of each year the indicator applies to, as of the
	// same instant.
	Trend []*models.IndicatorRollup
	// Slipping are the villages with yes last year and no this year (yes/no kinds).
	Slipping []models.VillageValue
	Years    yearsView
	Streets  []models.Street
	Street   string
	// AsOfParam is the as_of given (kept in the export links), "" for now.
	AsOfParam string
}

// IndicatorRollupShow is GET /indicators/:code/rollup?year=&street=&as_of=[&format=]
// (street, district): the roll-up by street and by type beside the targets, and each
// village's value approved by as_of.
func (h *Handler) IndicatorRollupShow(c echo.Context) error {
	year, street, asOf, err := h.indicatorRollupParams(c)
	if err != nil {
		return err
	}
	a := actorOf(c)
	now := c.QueryParam("as_of") == ""
	ru, err := h.Rollups.IndicatorRollup(h.db(c), a, c.Param("code"), year, street, asOf, now)
	if err != nil {
		return err
	}
	if f := c.QueryParam("format"); f != "" {
		return sendTable(c, indicatorRollupTable(ru), f)
	}
	p := indicatorRollupPage{Rollup: ru, Street: street, AsOfParam: c.QueryParam("as_of")}
	if _, p.Villages, _, err = models.ListIndicatorValues(h.db(c), a, ru.Indicator.Code, year, street, asOf); err != nil {
		return err
	}
	if p.Trend, err = h.Rollups.IndicatorTrend(h.db(c), a, ru.Indicator.Code, street, asOf, now); err != nil {
		return err
	}
	if ru.Indicator.IsYes() {
		if p.Slipping, err = models.IndicatorSlipping(h.db(c), a, ru.Indicator.Code, year, street, asOf); err != nil {
			return err
		}
	}
	if p.Years, err = h.yearsView(c, year, asOf); err != nil {
		return err
	}
	if a.Role == models.RoleDistrict {
		if p.Streets, err = models.ListStreets(h.db(c), a); err != nil {
			return err
		}
	}
	return h.render(c, http.StatusOK, "indicator_rollup", ru.Indicator.Name+" · "+ru.ScopeName+"汇总", p, nil)
}
