package handlers

import (
	"net/http"
	"strconv"
	"strings"

	"cunji/models"

	"github.com/labstack/echo/v4"
)

type targetRow struct {
	Scope, Label, Value, Note string
	Year                      int
}

type targetsPage struct {
	Rows       []targetRow
	District   string
	Streets    []models.Street
	Indicators []models.IndicatorInfo
}

func indicatorInfo(code string) *models.IndicatorInfo { return models.IndicatorOf(code) }

// infoIn finds an indicator by code in a list (nil when absent).
func infoIn(list []models.IndicatorInfo, code string) *models.IndicatorInfo {
	for i := range list {
		if list[i].Code == code {
			return &list[i]
		}
	}
	return nil
}

// parseTarget reads a target value typed in its unit (%, 万元 or a count).
func parseTarget(info *models.IndicatorInfo, s string) (int64, error) {
	return models.ParseTargetValue(info, s, "")
}

func (h *Handler) targetsPageData(c echo.Context) (targetsPage, error) {
	a := actorOf(c)
	ts, err := models.ListTargets(h.db(c), a, models.TargetFilter{})
	if err != nil {
		return targetsPage{}, err
	}
	streets, err := models.ListStreets(h.db(c), a)
	if err != nil {
		return targetsPage{}, err
	}
	names := map[string]string{a.DistrictCode: "全区"}
	for _, s := range streets {
		names[s.Code] = s.Name
	}
	inds, err := models.TargetIndicators(h.db(c), a)
	if err != nil {
		return targetsPage{}, err
	}
	p := targetsPage{District: a.DistrictCode, Streets: streets, Indicators: inds}
	for _, t := range ts {
		info := infoIn(inds, t.Indicator)
		if info == nil {
			continue
		}
		p.Rows = append(p.Rows, targetRow{Scope: names[t.ScopeCode], Label: info.Label, Year: t.Year,
			Value: models.FormatTarget(info.Unit, t.Value), Note: t.Note})
	}
	return p, nil
}

// TargetsShow is GET /targets (district).
func (h *Handler) TargetsShow(c echo.Context) error {
	p, err := h.targetsPageData(c)
	if err != nil {
		return err
	}
	return h.render(c, http.StatusOK, "targets", "规划目标", p, nil)
}

// TargetSave is POST /targets (district).
func (h *Handler) TargetSave(c echo.Context) error {
	rerender := func(status int, errs map[string]string) error {
		p, err := h.targetsPageData(c)
		if err != nil {
			return err
		}
		return h.render(c, status, "targets", "规划目标", p, errs)
	}
	inds, err := models.TargetIndicators(h.db(c), actorOf(c))
	if err != nil {
		return err
	}
	info := infoIn(inds, c.FormValue("indicator"))
	if info == nil {
		return rerender(http.StatusUnprocessableEntity, map[string]string{"form": "请修正标出的项目", "indicator": "未知指标"})
	}
	year, err := strconv.Atoi(strings.TrimSpace(c.FormValue("year")))
	if err != nil {
		return rerender(http.StatusUnprocessableEntity, map[string]string{"form": "请修正标出的项目", "year": "年度须为整数"})
	}
	value, err := parseTarget(info, c.FormValue("value"))
	if err == nil {
		_, err = models.SetTarget(h.db(c), actorOf(c), c.FormValue("scope_code"), info.Code, year, value, strings.TrimSpace(c.FormValue("note")))
	}
	if err != nil {
		return h.pageError(c, err, rerender)
	}
	return redirectFlash(c, "/targets", "目标已保存")
}
