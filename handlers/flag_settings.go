package handlers

import (
	"net/http"
	"time"

	"cunji/models"

	"github.com/labstack/echo/v4"
)

// flagSettingsJSON is the district's flag thresholds in force and their history
// (docs/openapi.json: FlagSettings).
type flagSettingsJSON struct {
	models.FlagThresholds
	History []models.FlagSettingEntry `json:"history"`
}

func (h *Handler) flagSettingsJSON(c echo.Context) (*flagSettingsJSON, error) {
	a := actorOf(c)
	t, err := models.FlagThresholdsAt(h.db(c), a.DistrictCode, time.Now())
	if err != nil {
		return nil, err
	}
	hist, err := models.FlagSettingsHistory(h.db(c), a.DistrictCode)
	if err != nil {
		return nil, err
	}
	if hist == nil {
		hist = []models.FlagSettingEntry{}
	}
	return &flagSettingsJSON{t, hist}, nil
}

// APIFlagSettings is GET /api/v1/settings/flags: the thresholds of the reviewer's
// flags in force in the caller's district, and their history.
func (h *Handler) APIFlagSettings(c echo.Context) error {
	out, err := h.flagSettingsJSON(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// APIFlagSettingsSet is PUT /api/v1/settings/flags (district): change the
// thresholds; a field left out keeps its value. Each change is a new setting row.
func (h *Handler) APIFlagSettingsSet(c echo.Context) error {
	m, err := decodeObject(c.Request().Body, false)
	if err != nil {
		return err
	}
	a := actorOf(c)
	t, err := models.FlagThresholdsAt(h.db(c), a.DistrictCode, time.Now())
	if err != nil {
		return err
	}
	b := newBinder(m)
	for key, dst := range map[string]*int64{"change_bp": &t.ChangeBP, "change_fen": &t.ChangeFen, "median_k100": &t.MedianK100} {
		if n := b.int(key, 0, models.MaxAmountFen); n != nil {
			*dst = *n
		}
	}
	if err := b.err(); err != nil {
		return err
	}
	if err := models.SetFlagThresholds(h.db(c), a, t); err != nil {
		return err
	}
	out, err := h.flagSettingsJSON(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// FlagSettingsSave is POST /windows/flags: the page form of the thresholds, in a
// percentage, 万元 and a multiple.
func (h *Handler) FlagSettingsSave(c echo.Context) error {
	var t models.FlagThresholds
	verr := &models.ValidationError{}
	var err error
	if t.ChangeBP, err = parseTarget(&models.IndicatorInfo{Unit: "bp"}, c.FormValue("change_bp")); err != nil {
		verr.Add("change_bp", "须为百分数，最多两位小数")
	}
	if t.ChangeFen, err = models.ParseWan(c.FormValue("change_fen")); err != nil {
		verr.Add("change_fen", "须为万元金额，最多 6 位小数")
	}
	if t.MedianK100, err = parseTarget(&models.IndicatorInfo{Unit: "bp"}, c.FormValue("median_k100")); err != nil {
		verr.Add("median_k100", "须为倍数，最多两位小数")
	}
	if err := verr.Err(); err != nil {
		return h.formFail(c, err)
	}
	if err := models.SetFlagThresholds(h.db(c), actorOf(c), t); err != nil {
		return h.formFail(c, err)
	}
	return redirectFlash(c, "/windows", "审核提示阈值已保存")
}
