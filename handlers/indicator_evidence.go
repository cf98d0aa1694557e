package handlers

import (
	"net/http"
	"net/url"

	"cunji/models"

	"github.com/labstack/echo/v4"
)

// indicatorUpload attaches the uploaded file to the open draft of a village-year's
// value (404 outside the scope, before the body is read).
func (h *Handler) indicatorUpload(c echo.Context) (*models.EvidenceFile, *models.EvidenceUsage, error) {
	code, village, year, err := h.valueInScope(c)
	if err != nil {
		return nil, nil, err
	}
	name, data, err := readUpload(c)
	if err != nil {
		return nil, nil, err
	}
	return models.AddIndicatorEvidence(h.db(c), actorOf(c), h.FilesDir, h.EvidenceLimits, code, village, year, name, data)
}

// APIIndicatorUpload is POST /api/v1/indicators/:code/values/:village/:year/files
// (multipart "file", the village's cadre): the file and the quotas' usage.
func (h *Handler) APIIndicatorUpload(c echo.Context) error {
	f, u, err := h.indicatorUpload(c)
	if err != nil {
		return err
	}
	out := filesJSON([]models.EvidenceFile{*f})[0]
	out["usage"] = u.JSON()
	return c.JSON(http.StatusCreated, out)
}

// IndicatorPageUpload is the value page's upload; it returns to the value page.
func (h *Handler) IndicatorPageUpload(c echo.Context) error {
	back := "/indicators/" + url.PathEscape(c.Param("code")) + "/values/" + url.PathEscape(c.Param("village")) + "/" + url.PathEscape(c.Param("year"))
	_, u, err := h.indicatorUpload(c)
	if err != nil {
		status, body := classify(err)
		if status == http.StatusUnprocessableEntity || status == http.StatusConflict {
			msg := body.Message
			if m, ok := body.Fields["file"]; ok {
				msg = m
			}
			return redirectFlash(c, back, "!上传失败："+msg)
		}
		return err
	}
	return redirectFlash(c, back, "凭据已上传。"+u.Text())
}

// valueFiles lists the files of a series' versions, by version id, and the usage
// beside the upload form of an open draft (nil otherwise).
func (h *Handler) valueFiles(c echo.Context, s *models.ValueSeries, draft bool) (map[uint][]models.EvidenceFile, *models.EvidenceUsage, error) {
	ids := make([]uint, len(s.History))
	for i := range s.History {
		ids[i] = s.History[i].ID
	}
	files, err := models.ListEvidence(h.db(c), models.EvidenceIndicator, ids)
	if err != nil || !draft {
		return files, nil, err
	}
	u, err := models.EvidenceUsageOf(h.db(c), h.EvidenceLimits, models.EvidenceIndicator, s.Open.ID, s.Village.Code)
	return files, u, err
}
