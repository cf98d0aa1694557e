package handlers

import (
	"encoding/json"
	"net/http"

	"cunji/models"

	"github.com/labstack/echo/v4"
)

// APIReportShow is GET /api/v1/villages/:code/reports/:year.
func (h *Handler) APIReportShow(c echo.Context) error {
	year, err := pathYear(c)
	if err != nil {
		return err
	}
	rep, err := models.GetReport(h.DB, actorOf(c), c.Param("code"), year)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toReportJSON(rep))
}

// reportRequest reads a village-year of the caller's scope (404 outside it, before
// the body is even read) and the JSON body.
func (h *Handler) reportRequest(c echo.Context, allowEmpty bool) (*models.Actor, string, int, map[string]json.RawMessage, error) {
	year, err := pathYear(c)
	if err != nil {
		return nil, "", 0, nil, err
	}
	code, a := c.Param("code"), actorOf(c)
	if _, err := a.FindVillage(h.DB, code); err != nil {
		return nil, "", 0, nil, err
	}
	m, err := decodeObject(c.Request().Body, allowEmpty)
	return a, code, year, m, err
}

// APIReportSave is PUT /api/v1/villages/:code/reports/:year.
func (h *Handler) APIReportSave(c echo.Context) error {
	a, code, year, m, err := h.reportRequest(c, false)
	if err != nil {
		return err
	}
	in, err := bindReportJSON(m)
	if err != nil {
		return err
	}
	r, err := models.SaveDraft(h.DB, a, code, year, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toVersionJSON(r))
}

// APIReportSubmit is POST /api/v1/villages/:code/reports/:year/submit.
func (h *Handler) APIReportSubmit(c echo.Context) error {
	return h.apiTransition(c, func(a *models.Actor, code string, year int, v *int, _ map[string]any) (*models.ReportVersion, error) {
		return models.Submit(h.DB, a, code, year, v)
	})
}

// APIReportApprove is POST /api/v1/villages/:code/reports/:year/approve.
func (h *Handler) APIReportApprove(c echo.Context) error {
	return h.apiTransition(c, func(a *models.Actor, code string, year int, v *int, _ map[string]any) (*models.ReportVersion, error) {
		return models.Approve(h.DB, a, code, year, v)
	})
}

// APIReportReject is POST /api/v1/villages/:code/reports/:year/reject.
func (h *Handler) APIReportReject(c echo.Context) error {
	return h.apiTransition(c, func(a *models.Actor, code string, year int, v *int, body map[string]any) (*models.ReportVersion, error) {
		reason, _ := body["reason"].(string)
		return models.Reject(h.DB, a, code, year, v, reason)
	})
}

func (h *Handler) apiTransition(c echo.Context, act func(*models.Actor, string, int, *int, map[string]any) (*models.ReportVersion, error)) error {
	a, code, year, m, err := h.reportRequest(c, true)
	if err != nil {
		return err
	}
	v, err := versionField(m)
	if err != nil {
		return err
	}
	body := map[string]any{}
	if raw, ok := m["reason"]; ok {
		var s string
		if jerr := json.Unmarshal(raw, &s); jerr != nil {
			return models.Invalid("reason", "退回理由须为文字")
		}
		body["reason"] = s
	}
	r, err := act(a, code, year, v, body)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toVersionJSON(r))
}
