package handlers

import (
	"encoding/json"
	"net/http"
	"time"

	"cunji/models"

	"github.com/labstack/echo/v4"
)

// APIReportShow is GET /api/v1/villages/:code/reports/:year.
func (h *Handler) APIReportShow(c echo.Context) error {
	year, err := pathYear(c)
	if err != nil {
		return err
	}
	rep, err := models.GetReport(h.db(c), actorOf(c), c.Param("code"), year)
	if err != nil {
		return err
	}
	// The flags of the open version, else of the approved one (one statement).
	flags := []models.Flag{}
	if v := rep.Open; v != nil || rep.Approved != nil {
		if v == nil {
			v = rep.Approved
		}
		res, err := models.ComputeFlags(h.db(c), []models.FlagSubject{{Version: v, Village: rep.Village,
			LastYear: rep.LastYear, Known: true}}, time.Now())
		if err != nil {
			return err
		}
		if res.Flags[0] != nil {
			flags = res.Flags[0]
		}
	}
	out := toReportJSON(rep)
	out["flags"] = flags
	return c.JSON(http.StatusOK, out)
}

// reportRequest reads a village-year and the JSON body. The scope is checked by the
// model inside the change itself; a body refused before that answers 404 all the
// same when the village is outside the caller's scope (see outOfScope).
func (h *Handler) reportRequest(c echo.Context, allowEmpty bool) (*models.Actor, string, int, map[string]json.RawMessage, error) {
	year, err := pathYear(c)
	if err != nil {
		return nil, "", 0, nil, err
	}
	code, a := c.Param("code"), actorOf(c)
	m, err := decodeObject(c.Request().Body, allowEmpty)
	return a, code, year, m, h.outOfScope(c, code, err)
}

// outOfScope turns an error found before the model ran (a malformed body, a field
// of the wrong type) into 404 when the village is outside the caller's scope, so
// that such a request learns nothing; nil stays nil and costs no statement.
func (h *Handler) outOfScope(c echo.Context, code string, err error) error {
	if err == nil {
		return nil
	}
	if serr := h.villageInScope(c, code); serr != nil {
		return serr
	}
	return err
}

// villageInScope is nil when the village is inside the caller's scope, ErrNotFound
// otherwise (one statement).
func (h *Handler) villageInScope(c echo.Context, code string) error {
	_, err := actorOf(c).Scope().VillageByCode(h.db(c), code)
	return err
}

// APIReportSave is PUT /api/v1/villages/:code/reports/:year.
func (h *Handler) APIReportSave(c echo.Context) error {
	a, code, year, m, err := h.reportRequest(c, false)
	if err != nil {
		return err
	}
	in, err := bindReportJSON(m)
	if err != nil {
		return h.outOfScope(c, code, err)
	}
	r, err := models.SaveDraft(h.db(c), a, code, year, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toVersionJSON(r))
}

// APIReportSubmit is POST /api/v1/villages/:code/reports/:year/submit, with an
// optional note (说明): a flagged draft is refused without one (422 on note).
func (h *Handler) APIReportSubmit(c echo.Context) error {
	return h.apiTransition(c, func(a *models.Actor, code string, year int, v *int, body map[string]any) (*models.ReportVersion, error) {
		var note *string
		if n, ok := body["note"].(string); ok {
			note = &n
		}
		return models.SubmitNote(h.db(c), a, code, year, v, note)
	})
}

// APIReportWithdraw is POST /api/v1/villages/:code/reports/:year/withdraw.
func (h *Handler) APIReportWithdraw(c echo.Context) error {
	return h.apiTransition(c, func(a *models.Actor, code string, year int, v *int, _ map[string]any) (*models.ReportVersion, error) {
		return models.Withdraw(h.DB, a, code, year, v)
	})
}

// APIReportApprove is POST /api/v1/villages/:code/reports/:year/approve.
func (h *Handler) APIReportApprove(c echo.Context) error {
	return h.apiTransition(c, func(a *models.Actor, code string, year int, v *int, _ map[string]any) (*models.ReportVersion, error) {
		r, err := models.Approve(h.db(c), a, code, year, v)
		h.Metrics.approvedOne("report", err)
		return r, err
	})
}

// APIReportReject is POST /api/v1/villages/:code/reports/:year/reject.
func (h *Handler) APIReportReject(c echo.Context) error {
	return h.apiTransition(c, func(a *models.Actor, code string, year int, v *int, body map[string]any) (*models.ReportVersion, error) {
		reason, _ := body["reason"].(string)
		return models.Reject(h.db(c), a, code, year, v, reason)
	})
}

func (h *Handler) apiTransition(c echo.Context, act func(*models.Actor, string, int, *int, map[string]any) (*models.ReportVersion, error)) error {
	a, code, year, m, err := h.reportRequest(c, true)
	if err != nil {
		return err
	}
	v, err := versionField(m)
	if err != nil {
		return h.outOfScope(c, code, err)
	}
	body := map[string]any{}
	for key, msg := range map[string]string{"reason": "退回理由须为文字", "note": "说明须为文字"} {
		if raw, ok := m[key]; ok {
			var s string
			if jerr := json.Unmarshal(raw, &s); jerr != nil {
				return h.outOfScope(c, code, models.Invalid(key, msg))
			}
			body[key] = s
		}
	}
	r, err := act(a, code, year, v, body)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toVersionJSON(r))
}

// versionJSON is a version as the API gives it (docs/openapi.json: ReportVersion).
type versionJSON struct {
	Seq           int     `json:"seq"`
	StarRating    int     `json:"star_rating"`
	HemeiBuilt    bool    `json:"hemei_built"`
	BusinessFen   int64   `json:"business_fen"`
	ContractFen   int64   `json:"contract_fen"`
	InvestmentFen int64   `json:"investment_fen"`
	SubsidyFen    int64   `json:"subsidy_fen"`
	OtherFen      int64   `json:"other_fen"`
	AssetsFen     int64   `json:"assets_fen"`
	Note          string  `json:"note"`
	OperatingFen  int64   `json:"operating_fen"`
	TotalFen      int64   `json:"total_fen"`
	Meets50w      bool    `json:"meets_50w"`
	Status        string  `json:"status"`
	Version       int     `json:"version"`
	SubmittedAt   *string `json:"submitted_at"`
	SubmittedBy   string  `json:"submitted_by"`
	ReviewedAt    *string `json:"reviewed_at"`
	Reviewer      *string `json:"reviewer"`
	RejectReason  *string `json:"reject_reason"`
}

func rfc3339(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := t.UTC().Format(time.RFC3339Nano)
	return &s
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func toVersionJSON(r *models.ReportVersion) *versionJSON {
	if r == nil {
		return nil
	}
	return &versionJSON{
		Seq: r.Seq, StarRating: r.StarRating, HemeiBuilt: r.HemeiBuilt, BusinessFen: r.BusinessFen,
		ContractFen: r.ContractFen, InvestmentFen: r.InvestmentFen, SubsidyFen: r.SubsidyFen, OtherFen: r.OtherFen,
		AssetsFen: r.AssetsFen, Note: r.Note, OperatingFen: r.OperatingFen, TotalFen: r.TotalFen,
		Meets50w: r.Meets50w(), Status: r.Status, Version: r.Version, SubmittedAt: rfc3339(r.SubmittedAt),
		SubmittedBy: r.SubmittedBy, ReviewedAt: rfc3339(r.ReviewedAt), Reviewer: nonEmpty(r.Reviewer),
		RejectReason: nonEmpty(r.RejectReason),
	}
}

func toReportJSON(rep *models.Report) map[string]any {
	// The titles are the district's register's, read-only: every version shows the
	// titles held at the end of the year.
	titled := func(r *models.ReportVersion) *versionJSON {
		v := toVersionJSON(r)
		if v != nil {
			v.StarRating, v.HemeiBuilt = rep.Titles.Star, rep.Titles.Hemei
		}
		return v
	}
	hist := make([]*versionJSON, len(rep.History))
	for i := range rep.History {
		hist[i] = titled(&rep.History[i])
	}
	// last_year is the latest approved version of the year before (its own titles
	// are not repeated: the register's of this year are in titles).
	return map[string]any{"village_code": rep.Village.Code, "year": rep.Year, "titles": rep.Titles,
		"approved": titled(rep.Approved), "open": titled(rep.Open), "history": hist,
		"last_year": toVersionJSON(rep.LastYear)}
}

// bindReportJSON turns a PUT body into a ReportInput; every unusable value is named
// in a 422, never a 400, so the client knows which field to fix.
func bindReportJSON(m map[string]json.RawMessage) (models.ReportInput, error) {
	var in models.ReportInput
	verr := &models.ValidationError{}
	if raw, ok := m["star_rating"]; ok {
		if n, ok := jsonInt(raw); ok && n >= 0 && n <= 3 {
			v := int(n)
			in.StarRating = &v
		} else {
			verr.Add("star_rating", "星级须为整数 0、1、2 或 3")
		}
	}
	if raw, ok := m["hemei_built"]; ok {
		var b bool
		if json.Unmarshal(raw, &b) == nil {
			in.HemeiBuilt = &b
		} else {
			verr.Add("hemei_built", "须为 true 或 false")
		}
	}
	money := []struct {
		key string
		dst **int64
	}{
		{"business_fen", &in.BusinessFen}, {"contract_fen", &in.ContractFen}, {"investment_fen", &in.InvestmentFen},
		{"subsidy_fen", &in.SubsidyFen}, {"other_fen", &in.OtherFen}, {"assets_fen", &in.AssetsFen},
	}
	for _, f := range money {
		raw, ok := m[f.key]
		if !ok {
			continue
		}
		n, ok := jsonInt(raw)
		if !ok {
			verr.Add(f.key, "金额须为整数（单位：分），且不超过 10^14 分")
			continue
		}
		*f.dst = &n
	}
	if raw, ok := m["note"]; ok {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			in.Note = &s
		} else {
			verr.Add("note", "说明须为文字")
		}
	}
	v, err := versionField(m)
	if err != nil {
		verr.Add("version", "版本号须为非负整数")
	} else if v != nil {
		in.Version = *v
	}
	return in, verr.Err()
}

// jsonRaw embeds already-encoded JSON.
func jsonRaw(s string) json.RawMessage { return json.RawMessage(s) }
