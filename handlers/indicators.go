package handlers

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"cunji/models"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"
)

// The indicator catalogue's pages: the list for everyone in scope, the district's
// define/edit form, a village-year's value page (entry, submit, withdraw, review) and
// the roll-up page (indicator_rollup.go).

type indicatorsPage struct {
	List []models.Indicator
	Year int
	// Years are the reporting years for the selector.
	Years []int
	// VillageCode is the cadre's village (its value pages are linked).
	VillageCode string
}

// IndicatorList is GET /indicators?year=: the district's catalogue, those applying
// in the year.
func (h *Handler) IndicatorList(c echo.Context) error {
	year, err := h.queryYear(c)
	if err != nil {
		return err
	}
	a := actorOf(c)
	p := indicatorsPage{Year: year, VillageCode: a.VillageCode}
	if p.List, err = models.ListIndicators(h.db(c), a, year); err != nil {
		return err
	}
	if p.Years, err = models.Years(h.db(c)); err != nil {
		return err
	}
	return h.render(c, http.StatusOK, "indicators", "指标目录", p, nil)
}

// indicatorForm is the define/edit form as typed.
type indicatorForm struct {
	Code, Name, Kind, Unit, EnteredBy, Rollup, Wording string
	FromYear, UntilYear                                string
	Plan                                               bool
	Version                                            int
}

func indicatorFormOf(d *models.Indicator) indicatorForm {
	if d == nil {
		return indicatorForm{Kind: models.KindYesNo, EnteredBy: models.EnteredByVillage, Rollup: models.RollupCountYes,
			FromYear: strconv.Itoa(models.CurrentYear())}
	}
	f := indicatorForm{Code: d.Code, Name: d.Name, Kind: d.Kind, Unit: d.Unit, EnteredBy: d.EnteredBy, Rollup: d.Rollup,
		Wording: d.Wording, FromYear: strconv.Itoa(d.FromYear), Plan: d.Plan, Version: d.Version}
	if d.UntilYear != nil {
		f.UntilYear = strconv.Itoa(*d.UntilYear)
	}
	return f
}

// bindIndicatorForm reads the form; years that are not whole numbers are marked here,
// everything else by the model.
func bindIndicatorForm(c echo.Context) (indicatorForm, models.IndicatorInput, map[string]string) {
	f := indicatorForm{Code: strings.TrimSpace(c.FormValue("code")), Name: c.FormValue("name"), Kind: c.FormValue("kind"),
		Unit: c.FormValue("unit"), EnteredBy: c.FormValue("entered_by"), Rollup: c.FormValue("rollup"),
		Wording: c.FormValue("wording"), FromYear: strings.TrimSpace(c.FormValue("from_year")),
		UntilYear: strings.TrimSpace(c.FormValue("until_year")), Plan: c.FormValue("plan") == "1"}
	f.Version, _ = strconv.Atoi(c.FormValue("version"))
	in := models.IndicatorInput{Code: &f.Code, Name: &f.Name, Kind: &f.Kind, Unit: &f.Unit, EnteredBy: &f.EnteredBy,
		Rollup: &f.Rollup, Wording: &f.Wording, Plan: &f.Plan, Version: f.Version}
	errs := map[string]string{}
	if y, err := strconv.Atoi(f.FromYear); err != nil {
		errs["from_year"] = "起始年度须为四位年份，如 2024"
	} else {
		in.FromYear = &y
	}
	until := 0 // empty: no end
	if f.UntilYear != "" {
		y, err := strconv.Atoi(f.UntilYear)
		if err != nil {
			errs["until_year"] = "终止年度须为四位年份，或留空"
		}
		until = y
	}
	in.UntilYear = &until
	return f, in, errs
}

type indicatorFormPage struct {
	Form      indicatorForm
	New       bool
	History   []models.IndicatorRevision
	Kinds     []struct{ Code, Label string }
	EnteredBy []struct{ Code, Label string }
	Rollups   []struct{ Code, Label string }
}

func (h *Handler) renderIndicatorForm(c echo.Context, status int, f indicatorForm, isNew bool, errs map[string]string) error {
	p := indicatorFormPage{Form: f, New: isNew, Kinds: models.IndicatorKinds, EnteredBy: models.IndicatorEnteredBy,
		Rollups: models.IndicatorRollups}
	title := "新建指标"
	if !isNew {
		var err error
		if p.History, err = models.IndicatorHistory(h.db(c), actorOf(c), c.Param("code")); err != nil {
			return err
		}
		title = "修改指标"
	}
	return h.render(c, status, "indicator_form", title, p, errs)
}

// IndicatorNewForm is GET /indicators/new (district).
func (h *Handler) IndicatorNewForm(c echo.Context) error {
	return h.renderIndicatorForm(c, http.StatusOK, indicatorFormOf(nil), true, nil)
}

// IndicatorCreate is POST /indicators/new (district).
func (h *Handler) IndicatorCreate(c echo.Context) error {
	f, in, errs := bindIndicatorForm(c)
	rerender := func(status int, errs map[string]string) error {
		return h.renderIndicatorForm(c, status, f, true, errs)
	}
	if len(errs) > 0 {
		// Every field's error at once: the model's, with a year that parses.
		year := models.CurrentYear()
		if in.FromYear == nil {
			in.FromYear = &year
		}
		for k, v := range models.CheckIndicatorInput(in) {
			if _, ok := errs[k]; !ok && k != "until_year" {
				errs[k] = v
			}
		}
		errs["form"] = "请修正标出的项目"
		return rerender(http.StatusUnprocessableEntity, errs)
	}
	d, err := models.DefineIndicator(h.db(c), actorOf(c), in)
	if err != nil {
		return h.pageError(c, err, rerender)
	}
	return redirectFlash(c, "/indicators?year="+strconv.Itoa(d.FromYear), "已新建指标“"+d.Name+"”")
}

// IndicatorEditForm is GET /indicators/:code/edit (district).
func (h *Handler) IndicatorEditForm(c echo.Context) error {
	d, err := models.FindIndicator(h.db(c), actorOf(c), c.Param("code"))
	if err != nil {
		return err
	}
	return h.renderIndicatorForm(c, http.StatusOK, indicatorFormOf(d), false, nil)
}

// IndicatorUpdate is POST /indicators/:code/edit (district).
func (h *Handler) IndicatorUpdate(c echo.Context) error {
	if _, err := models.FindIndicator(h.db(c), actorOf(c), c.Param("code")); err != nil {
		return err
	}
	f, in, errs := bindIndicatorForm(c)
	f.Code = c.Param("code")
	in.Code = nil // the code never changes
	rerender := func(status int, errs map[string]string) error {
		return h.renderIndicatorForm(c, status, f, false, errs)
	}
	if len(errs) > 0 {
		errs["form"] = "请修正标出的项目"
		return rerender(http.StatusUnprocessableEntity, errs)
	}
	d, err := models.ChangeIndicator(h.db(c), actorOf(c), f.Code, in)
	if err != nil {
		return h.pageError(c, err, rerender)
	}
	return redirectFlash(c, "/indicators?year="+strconv.Itoa(d.FromYear), "已修改指标“"+d.Name+"”，原定义留在历史中")
}

// valuePage is a village-year's value of one indicator.
type valuePage struct {
	Series *models.ValueSeries
	Steps  []step
	// Value is the form's value as typed ("1"/"0" for a yes/no, a count, 万元).
	Value, Note string
	Version     int
	Reason      string
	// Editable: the one who enters may edit (the cadre a draft; the street or the
	// district an entry approved at once). Submittable and Withdrawable are the
	// cadre's moves, Reviewable the street's.
	Editable, Submittable, Withdrawable, Reviewable bool
}

func valueText(d *models.Indicator, v int64) string {
	if d.Kind == models.KindAmount {
		return models.FormatWanExact(v)
	}
	return strconv.FormatInt(v, 10)
}

func (h *Handler) renderValue(c echo.Context, status int, patch func(*valuePage), errs map[string]string) error {
	code, village, year, err := valuePath(c)
	if err != nil {
		return err
	}
	a := actorOf(c)
	s, err := models.GetIndicatorValue(h.db(c), a, code, village, year)
	if err != nil {
		return err
	}
	p := &valuePage{Series: s}
	var open, last *models.Workflow
	if s.Open != nil {
		open = &s.Open.Workflow
	}
	if len(s.History) > 0 {
		last = &s.History[0].Workflow
	}
	p.Steps = stepsOfFlow(open, last)
	d := &s.Indicator
	enters := a.Role == d.EnteredBy && d.AppliesIn(year) && s.Village.ActiveIn(year)
	if d.EnteredBy == models.EnteredByVillage {
		p.Editable = enters && (s.Open == nil || s.Open.Status == models.StatusDraft)
		p.Submittable = enters && s.Open != nil && s.Open.Status == models.StatusDraft
		p.Withdrawable = enters && s.Open != nil && s.Open.Status == models.StatusSubmitted
		p.Reviewable = a.Role == models.RoleStreet && s.Open != nil && s.Open.Status == models.StatusSubmitted
	} else {
		p.Editable = enters && s.Open == nil
	}
	base := s.Open
	if base == nil && len(s.History) > 0 {
		base = &s.History[0]
	}
	if base != nil {
		p.Value, p.Note = valueText(d, base.Value), base.Note
	}
	switch {
	case s.Open != nil:
		p.Version = s.Open.Version
	case d.EnteredBy != models.EnteredByVillage && len(s.History) > 0:
		p.Version = s.History[0].Version // an entry names the latest version
	}
	if patch != nil {
		patch(p)
	}
	title := s.Village.Name + " · " + d.Name
	return h.render(c, status, "indicator_value", title, p, errs)
}

// IndicatorValueShow is GET /indicators/:code/values/:village/:year.
func (h *Handler) IndicatorValueShow(c echo.Context) error {
	return h.renderValue(c, http.StatusOK, nil, nil)
}

// parseValue reads a value typed for the indicator's kind.
func parseValue(d *models.Indicator, s string) (int64, string) {
	s = strings.TrimSpace(s)
	switch d.Kind {
	case models.KindYesNo, models.KindTitle:
		switch s {
		case "1":
			return 1, ""
		case "0":
			return 0, ""
		}
		return 0, "请选择“是”或“否”"
	case models.KindAmount:
		fen, err := models.ParseWan(s)
		if err != nil {
			return 0, "金额须为万元数，最多六位小数，如 12.5"
		}
		return fen, ""
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, "数量须为整数"
	}
	return n, ""
}

// IndicatorValueSave is POST /indicators/:code/values/:village/:year: the cadre's
// draft (action=submit also submits it), or the street's or district's entry.
func (h *Handler) IndicatorValueSave(c echo.Context) error {
	code, village, year, err := h.valueInScope(c)
	if err != nil {
		return err
	}
	a := actorOf(c)
	d, err := models.FindIndicator(h.db(c), a, code)
	if err != nil {
		return err
	}
	typed, note := c.FormValue("value"), c.FormValue("note")
	version, _ := strconv.Atoi(c.FormValue("version"))
	rerender := func(status int, errs map[string]string) error {
		return h.renderValue(c, status, func(p *valuePage) {
			p.Value, p.Note = typed, note
		}, errs)
	}
	val, msg := parseValue(d, typed)
	if msg != "" {
		return rerender(http.StatusUnprocessableEntity, map[string]string{"form": "请修正标出的项目", "value": msg})
	}
	v, err := models.SaveIndicatorValue(h.db(c), a, code, village, year, models.ValueInput{Value: &val, Note: &note, Version: version})
	if err != nil {
		return h.pageError(c, err, rerender)
	}
	back := c.Request().URL.Path
	if d.EnteredBy != models.EnteredByVillage {
		return redirectFlash(c, back, "已录入，即时生效")
	}
	if c.FormValue("action") == "submit" {
		if _, err := models.SubmitIndicatorValue(h.db(c), a, code, village, year, &v.Version); err != nil {
			return h.pageError(c, err, rerender)
		}
		return redirectFlash(c, back, "已保存并提交，等待街道审核")
	}
	return redirectFlash(c, back, "草稿已保存")
}

// valueChangePage applies one transition from the value page (or the queue) and
// redirects back with done as the flash message.
func (h *Handler) valueChangePage(c echo.Context, change valueChange, done string) error {
	code, village, year, err := h.valueInScope(c)
	if err != nil {
		return err
	}
	v, err := formVersion(c)
	if err != nil {
		return err
	}
	if _, err := change(h.db(c), actorOf(c), code, village, year, v, c.FormValue("reason")); err != nil {
		return h.pageError(c, err, func(status int, errs map[string]string) error {
			return h.renderValue(c, status, func(p *valuePage) { p.Reason = c.FormValue("reason") }, errs)
		})
	}
	back := "/indicators/" + url.PathEscape(code) + "/values/" + village + "/" + strconv.Itoa(year)
	if c.FormValue("from") == "queue" {
		back = "/queue"
	}
	return redirectFlash(c, back, done)
}

// IndicatorValueSubmit is POST …/submit (village).
func (h *Handler) IndicatorValueSubmit(c echo.Context) error {
	return h.valueChangePage(c, submitValue, "已提交，等待街道审核")
}

// IndicatorValueWithdraw is POST …/withdraw (village).
func (h *Handler) IndicatorValueWithdraw(c echo.Context) error {
	return h.valueChangePage(c, withdrawValue, "已撤回，可继续修改")
}

// IndicatorValueApprove is POST …/approve (street).
func (h *Handler) IndicatorValueApprove(c echo.Context) error {
	return h.valueChangePage(c, h.countValueApprovals(approveValue), "已审核通过")
}

// IndicatorValueReject is POST …/reject (street).
func (h *Handler) IndicatorValueReject(c echo.Context) error {
	return h.valueChangePage(c, models.RejectIndicatorValue, "已退回")
}

// countValueApprovals counts an approval in the metrics.
func (h *Handler) countValueApprovals(change valueChange) valueChange {
	return func(db *gorm.DB, a *models.Actor, code, village string, year int, version *int, reason string) (*models.IndicatorValue, error) {
		v, err := change(db, a, code, village, year, version, reason)
		h.Metrics.approvedOne("indicator_value", err)
		return v, err
	}
}
