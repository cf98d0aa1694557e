package handlers

import (
	"net/http"
	"strconv"
	"time"

	"cunji/models"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"
)

// indicatorJSON is the API form of a definition.
func indicatorJSON(d *models.Indicator) map[string]any {
	return map[string]any{"code": d.Code, "name": d.Name, "kind": d.Kind, "unit": d.Unit, "entered_by": d.EnteredBy,
		"from_year": d.FromYear, "until_year": d.UntilYear, "rollup": d.Rollup, "plan": d.Plan, "wording": d.Wording,
		"version": d.Version}
}

func indicatorRevisionJSON(r *models.IndicatorRevision) map[string]any {
	return map[string]any{"name": r.Name, "kind": r.Kind, "unit": r.Unit, "entered_by": r.EnteredBy,
		"from_year": r.FromYear, "until_year": r.UntilYear, "rollup": r.Rollup, "plan": r.Plan, "wording": r.Wording,
		"version": r.Version, "valid_from": r.ValidFrom, "valid_to": rfc3339(r.ValidTo), "recorded_by": r.RecordedBy}
}

func indicatorValueJSON(v *models.IndicatorValue) map[string]any {
	if v == nil {
		return nil
	}
	return map[string]any{"seq": v.Seq, "status": v.Status, "version": v.Version, "value": v.Value, "note": v.Note,
		"submitted_at": rfc3339(v.SubmittedAt), "reviewed_at": rfc3339(v.ReviewedAt), "reviewer": nonEmpty(v.Reviewer),
		"reject_reason": nonEmpty(v.RejectReason)}
}

// bindIndicator reads a definition from a JSON body.
func bindIndicator(b *binder) models.IndicatorInput {
	in := models.IndicatorInput{Code: b.str("code"), Name: b.str("name"), Kind: b.str("kind"), Unit: b.str("unit"),
		EnteredBy: b.str("entered_by"), Rollup: b.str("rollup"), Wording: b.str("wording"),
		FromYear: b.small("from_year", 0, 9999), Plan: b.boolean("plan")}
	if _, ok := b.raw("until_year"); ok {
		in.UntilYear = b.small("until_year", 0, 9999)
	} else if _, given := b.m["until_year"]; given {
		zero := 0 // null clears it
		in.UntilYear = &zero
	}
	if v := b.small("version", 0, 1<<31-1); v != nil {
		in.Version = *v
	}
	return in
}

// APIIndicatorList is GET /api/v1/indicators[?year=Y]: the district's catalogue
// (those applying in Y when given).
func (h *Handler) APIIndicatorList(c echo.Context) error {
	year, err := queryInt(c, "year", 0)
	if err != nil {
		return err
	}
	list, err := models.ListIndicators(h.db(c), actorOf(c), year)
	if err != nil {
		return err
	}
	out := make([]map[string]any, len(list))
	for i := range list {
		out[i] = indicatorJSON(&list[i])
	}
	return c.JSON(http.StatusOK, map[string]any{"indicators": out})
}

// APIIndicatorCreate is POST /api/v1/indicators (district): a new definition.
func (h *Handler) APIIndicatorCreate(c echo.Context) error {
	m, err := decodeObject(c.Request().Body, false)
	if err != nil {
		return err
	}
	b := newBinder(m)
	in := bindIndicator(b)
	if err := b.err(); err != nil {
		return err
	}
	d, err := models.DefineIndicator(h.db(c), actorOf(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, indicatorJSON(d))
}

// APIIndicatorShow is GET /api/v1/indicators/:code: the definition and its history.
func (h *Handler) APIIndicatorShow(c echo.Context) error {
	a := actorOf(c)
	d, err := models.FindIndicator(h.db(c), a, c.Param("code"))
	if err != nil {
		return err
	}
	hist, err := models.IndicatorHistory(h.db(c), a, d.Code)
	if err != nil {
		return err
	}
	out := indicatorJSON(d)
	revs := make([]map[string]any, len(hist))
	for i := range hist {
		revs[i] = indicatorRevisionJSON(&hist[i])
	}
	out["history"] = revs
	return c.JSON(http.StatusOK, out)
}

// APIIndicatorUpdate is PUT /api/v1/indicators/:code (district): a changed definition.
func (h *Handler) APIIndicatorUpdate(c echo.Context) error {
	a := actorOf(c)
	if _, err := models.FindIndicator(h.db(c), a, c.Param("code")); err != nil {
		return err
	}
	m, err := decodeObject(c.Request().Body, false)
	if err != nil {
		return err
	}
	b := newBinder(m)
	in := bindIndicator(b)
	if err := b.err(); err != nil {
		return err
	}
	d, err := models.ChangeIndicator(h.db(c), a, c.Param("code"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, indicatorJSON(d))
}

// indicatorListParams reads ?year=&street=&as_of= of a list of values.
func (h *Handler) indicatorListParams(c echo.Context) (int, string, time.Time, error) {
	year, err := h.queryYear(c)
	if err != nil {
		return 0, "", time.Time{}, err
	}
	asOf, err := queryAsOf(c)
	return year, c.QueryParam("street"), asOf, err
}

// APIIndicatorValues is GET /api/v1/indicators/:code/values?year=&street=&as_of=: the
// villages of the caller's scope with their value approved by as_of, and the
// indicator rolled up over them.
func (h *Handler) APIIndicatorValues(c echo.Context) error {
	year, street, asOf, err := h.indicatorListParams(c)
	if err != nil {
		return err
	}
	d, vals, sum, err := models.ListIndicatorValues(h.db(c), actorOf(c), c.Param("code"), year, street, asOf)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"indicator": indicatorJSON(d), "year": year, "as_of": asOf,
		"summary": sum, "villages": vals})
}

// valuePath reads :code, :village and :year.
func valuePath(c echo.Context) (string, string, int, error) {
	year, err := strconv.Atoi(c.Param("year"))
	if err != nil {
		return "", "", 0, models.ErrNotFound
	}
	return c.Param("code"), c.Param("village"), year, nil
}

// APIIndicatorValueShow is GET /api/v1/indicators/:code/values/:village/:year: the
// village-year's series (the value that counts, the open one, every version).
func (h *Handler) APIIndicatorValueShow(c echo.Context) error {
	code, village, year, err := valuePath(c)
	if err != nil {
		return err
	}
	s, err := models.GetIndicatorValue(h.db(c), actorOf(c), code, village, year)
	if err != nil {
		return err
	}
	files, _, err := h.valueFiles(c, s, false)
	if err != nil {
		return err
	}
	hist := make([]map[string]any, len(s.History))
	for i := range s.History {
		hist[i] = indicatorValueJSON(&s.History[i])
		hist[i]["files"] = filesJSON(files[s.History[i].ID])
	}
	return c.JSON(http.StatusOK, map[string]any{"indicator": s.Indicator.Code, "village_code": s.Village.Code,
		"year": s.Year, "approved": indicatorValueJSON(s.Approved), "open": indicatorValueJSON(s.Open), "history": hist})
}

// valueInScope answers 404 for an indicator or a village outside the caller's
// scope, before the body is read.
func (h *Handler) valueInScope(c echo.Context) (string, string, int, error) {
	code, village, year, err := valuePath(c)
	if err != nil {
		return "", "", 0, err
	}
	a := actorOf(c)
	if _, err := models.FindIndicator(h.db(c), a, code); err != nil {
		return "", "", 0, err
	}
	if _, err := a.FindVillage(h.db(c), village); err != nil {
		return "", "", 0, err
	}
	return code, village, year, nil
}

// APIIndicatorValueSave is PUT /api/v1/indicators/:code/values/:village/:year
// {"value","note","version"}: the cadre's draft, or the street's or district's entry
// (approved on entry), by who enters the indicator.
func (h *Handler) APIIndicatorValueSave(c echo.Context) error {
	code, village, year, err := h.valueInScope(c)
	if err != nil {
		return err
	}
	m, err := decodeObject(c.Request().Body, false)
	if err != nil {
		return err
	}
	b := newBinder(m)
	in := models.ValueInput{Value: b.whole("value"), Note: b.str("note")}
	if v := b.small("version", 0, 1<<31-1); v != nil {
		in.Version = *v
	}
	if err := b.err(); err != nil {
		return err
	}
	v, err := models.SaveIndicatorValue(h.db(c), actorOf(c), code, village, year, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, indicatorValueJSON(v))
}

// valueChange is one transition of a value's open version.
type valueChange func(db *gorm.DB, a *models.Actor, code, village string, year int, version *int, reason string) (*models.IndicatorValue, error)

func submitValue(db *gorm.DB, a *models.Actor, code, village string, year int, version *int, _ string) (*models.IndicatorValue, error) {
	return models.SubmitIndicatorValue(db, a, code, village, year, version)
}

func withdrawValue(db *gorm.DB, a *models.Actor, code, village string, year int, version *int, _ string) (*models.IndicatorValue, error) {
	return models.WithdrawIndicatorValue(db, a, code, village, year, version)
}

func approveValue(db *gorm.DB, a *models.Actor, code, village string, year int, version *int, _ string) (*models.IndicatorValue, error) {
	return models.ApproveIndicatorValue(db, a, code, village, year, version)
}

// apiValueChange answers one transition: {"version","reason"} in, the version out.
func (h *Handler) apiValueChange(c echo.Context, change valueChange) error {
	code, village, year, err := h.valueInScope(c)
	if err != nil {
		return err
	}
	m, err := decodeObject(c.Request().Body, true)
	if err != nil {
		return err
	}
	b := newBinder(m)
	version := b.small("version", 0, 1<<31-1)
	reason := b.text("reason")
	if err := b.err(); err != nil {
		return err
	}
	v, err := change(h.db(c), actorOf(c), code, village, year, version, reason)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, indicatorValueJSON(v))
}

// APIIndicatorValueSubmit is POST …/submit {"version"} (village).
func (h *Handler) APIIndicatorValueSubmit(c echo.Context) error {
	return h.apiValueChange(c, submitValue)
}

// APIIndicatorValueWithdraw is POST …/withdraw {"version"} (village).
func (h *Handler) APIIndicatorValueWithdraw(c echo.Context) error {
	return h.apiValueChange(c, withdrawValue)
}

// APIIndicatorValueApprove is POST …/approve {"version"} (street).
func (h *Handler) APIIndicatorValueApprove(c echo.Context) error {
	return h.apiValueChange(c, approveValue)
}

// APIIndicatorValueReject is POST …/reject {"version","reason"} (street).
func (h *Handler) APIIndicatorValueReject(c echo.Context) error {
	return h.apiValueChange(c, models.RejectIndicatorValue)
}
