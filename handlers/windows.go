package handlers

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"cunji/models"

	"github.com/labstack/echo/v4"
)

type windowRow struct {
	Year       int
	Window     *models.ReportingWindow
	InProgress bool
}

type windowsPage struct {
	Rows       []windowRow
	Years      []int
	YellowBand string
	// Flags are the reviewer's flag thresholds in force, as the form shows them
	// (a percentage, 万元, a multiple), and FlagHistory their recorded values.
	FlagChangePct, FlagChangeWan, FlagMedianK string
	FlagText                                  string
	FlagHistory                               []models.FlagSettingEntry
}

func (h *Handler) windowsData(c echo.Context) (*windowsPage, error) {
	a := actorOf(c)
	years, err := models.Years(h.db(c))
	if err != nil {
		return nil, err
	}
	p := &windowsPage{Years: years}
	open, err := models.InProgressYears(h.db(c), a.DistrictCode, time.Now())
	if err != nil {
		return nil, err
	}
	for _, y := range p.Years {
		w, err := models.Window(h.db(c), a.DistrictCode, y)
		if err != nil {
			return nil, err
		}
		p.Rows = append(p.Rows, windowRow{Year: y, Window: w, InProgress: open[y]})
	}
	bp := models.YellowBand(h.db(c), a.DistrictCode, time.Now())
	p.YellowBand = strconv.FormatInt(bp/100, 10) + "." + strconv.FormatInt(bp%100/10, 10)
	t, err := models.FlagThresholdsAt(h.db(c), a.DistrictCode, time.Now())
	if err != nil {
		return nil, err
	}
	p.FlagChangePct, p.FlagChangeWan, p.FlagMedianK = hundredths(t.ChangeBP), models.FormatWanExact(t.ChangeFen), hundredths(t.MedianK100)
	p.FlagText = t.Text()
	if p.FlagHistory, err = models.FlagSettingsHistory(h.db(c), a.DistrictCode); err != nil {
		return nil, err
	}
	return p, nil
}

func (h *Handler) windowsRender(c echo.Context, status int, errs map[string]string) error {
	p, err := h.windowsData(c)
	if err != nil {
		return err
	}
	return h.render(c, status, "windows", "填报期与预警设置", p, errs)
}

// WindowsShow is GET /windows (district): the reporting windows, exceptions and the
// ranking's yellow band.
func (h *Handler) WindowsShow(c echo.Context) error { return h.windowsRender(c, http.StatusOK, nil) }

// hundredths writes n/100 with at most two decimals.
func hundredths(n int64) string {
	s := strconv.FormatInt(n/100, 10)
	if r := n % 100; r != 0 {
		s += strings.TrimRight("."+strconv.FormatInt(100+r, 10)[1:], "0")
	}
	return s
}

// parseLocal reads a datetime-local value (Asia/Shanghai).
func parseLocal(s string) (time.Time, bool) {
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, strings.TrimSpace(s), models.Shanghai); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func (h *Handler) formFail(c echo.Context, err error) error {
	return h.pageError(c, err, func(status int, errs map[string]string) error { return h.windowsRender(c, status, errs) })
}

// WindowSave is POST /windows: set a year's reporting window.
func (h *Handler) WindowSave(c echo.Context) error {
	year, yerr := strconv.Atoi(c.FormValue("year"))
	opens, ok1 := parseLocal(c.FormValue("opens"))
	closes, ok2 := parseLocal(c.FormValue("closes"))
	verr := &models.ValidationError{}
	if yerr != nil {
		verr.Add("year", "年度须为整数")
	}
	if !ok1 {
		verr.Add("opens", "请填写开始时间")
	}
	if !ok2 {
		verr.Add("closes", "请填写截止时间")
	}
	if err := verr.Err(); err != nil {
		return h.formFail(c, err)
	}
	if _, err := models.SetWindow(h.db(c), actorOf(c), year, opens, closes); err != nil {
		return h.formFail(c, err)
	}
	return redirectFlash(c, "/windows", "填报期已保存")
}

// ExceptionSave is POST /windows/exception: let one village submit late.
func (h *Handler) ExceptionSave(c echo.Context) error {
	year, yerr := strconv.Atoi(c.FormValue("year"))
	until, ok := parseLocal(c.FormValue("until"))
	verr := &models.ValidationError{}
	if yerr != nil {
		verr.Add("year", "年度须为整数")
	}
	if !ok {
		verr.Add("until", "请填写延期截止时间")
	}
	if err := verr.Err(); err != nil {
		return h.formFail(c, err)
	}
	if _, err := models.GrantException(h.db(c), actorOf(c), strings.TrimSpace(c.FormValue("village_code")), year, until, c.FormValue("reason")); err != nil {
		if err == models.ErrNotFound {
			err = models.Invalid("village_code", "村代码不存在")
		}
		return h.formFail(c, err)
	}
	return redirectFlash(c, "/windows", "已开通延期补报")
}

// BandSave is POST /windows/band: the ranking's yellow band in percentage points.
func (h *Handler) BandSave(c echo.Context) error {
	bp, err := parseTarget(&models.IndicatorInfo{Unit: "bp"}, c.FormValue("yellow_band"))
	if err != nil {
		return h.formFail(c, models.Invalid("yellow_band", "须为百分点数，最多两位小数"))
	}
	if err := models.SetYellowBand(h.db(c), actorOf(c), bp); err != nil {
		return h.formFail(c, err)
	}
	return redirectFlash(c, "/windows", "预警阈值已保存")
}

// YearClose is POST /windows/close: the district closes a year (结束年度).
func (h *Handler) YearClose(c echo.Context) error {
	year, err := strconv.Atoi(c.FormValue("year"))
	if err != nil {
		return h.formFail(c, models.Invalid("year", "年度须为整数"))
	}
	if _, err := models.CloseYear(h.db(c), actorOf(c), year); err != nil {
		return h.formFail(c, err)
	}
	return redirectFlash(c, "/windows", strconv.Itoa(year)+" 年度已结束，数字不再为临时数")
}
