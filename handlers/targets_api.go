package handlers

import (
	"encoding/json"
	"math/big"
	"net/http"
	"strings"

	"cunji/models"

	"github.com/labstack/echo/v4"
)

// targetJSON is the API form of a target: shares as fractions (0.85), money in 分,
// counts as counts.
func targetJSON(t models.Target) map[string]any {
	var v any = t.Value
	if info := indicatorInfo(t.Indicator); info != nil && info.Unit == "bp" {
		v = models.Ratio{R: big.NewRat(t.Value, 10000)}
	}
	return map[string]any{"scope_code": t.ScopeCode, "year": t.Year, "indicator": t.Indicator, "value": v,
		"note": t.Note, "recorded_at": t.RecordedAt}
}

// APITargetList is GET /api/v1/targets?year=&indicator=&scope=[&as_of=][&history=1]:
// the targets in force at as_of (default now), or every row recorded by then.
func (h *Handler) APITargetList(c echo.Context) error {
	year, err := queryInt(c, "year", 0)
	if err != nil {
		return err
	}
	_, _, asOf, err := h.rollupParams(c)
	if err != nil {
		return err
	}
	f := models.TargetFilter{Year: year, Indicator: c.QueryParam("indicator"), Scope: c.QueryParam("scope"),
		AsOf: asOf, History: c.QueryParam("history") == "1" || c.QueryParam("history") == "true"}
	ts, err := models.ListTargets(h.db(c), actorOf(c), f)
	if err != nil {
		return err
	}
	out := make([]map[string]any, len(ts))
	for i, t := range ts {
		out[i] = targetJSON(t)
	}
	return c.JSON(http.StatusOK, map[string]any{"as_of": asOf, "targets": out})
}

// APITargetSet is PUT /api/v1/targets {"scope_code","year","indicator","value"[,"note"]}
// (district): assigns a target; the earlier value stays in the history.
func (h *Handler) APITargetSet(c echo.Context) error {
	var in struct {
		ScopeCode string      `json:"scope_code"`
		Year      int         `json:"year"`
		Indicator string      `json:"indicator"`
		Value     json.Number `json:"value"`
		Note      string      `json:"note"`
	}
	dec := json.NewDecoder(c.Request().Body)
	dec.UseNumber()
	if err := dec.Decode(&in); err != nil {
		return badRequest("请求体须为 JSON：{\"scope_code\", \"year\", \"indicator\", \"value\"}")
	}
	inds, err := models.TargetIndicators(h.db(c), actorOf(c))
	if err != nil {
		return err
	}
	info := infoIn(inds, in.Indicator) // the registry's own or the catalogue's
	if info == nil {
		return models.Invalid("indicator", "未知指标")
	}
	value, err := targetValueJSON(info, string(in.Value))
	if err != nil {
		return err
	}
	t, err := models.SetTarget(h.db(c), actorOf(c), in.ScopeCode, in.Indicator, in.Year, value, strings.TrimSpace(in.Note))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, targetJSON(*t))
}

// targetValueJSON reads a target value of the API: a share as a fraction with at most
// four decimals (0.85), money in whole 分, a count as an integer.
func targetValueJSON(info *models.IndicatorInfo, s string) (int64, error) {
	r, ok := new(big.Rat).SetString(s)
	if s == "" || !ok {
		return 0, models.Invalid("value", "须为数字")
	}
	if info.Unit == "bp" {
		r.Mul(r, big.NewRat(10000, 1))
		if !r.IsInt() || !r.Num().IsInt64() {
			return 0, models.Invalid("value", "占比须为 0 至 1 之间的小数，最多四位小数（如 0.85）")
		}
		return r.Num().Int64(), nil
	}
	if !r.IsInt() || !r.Num().IsInt64() {
		return 0, models.Invalid("value", "须为整数（金额以分计）")
	}
	return r.Num().Int64(), nil
}
