package handlers

// Uploads of the indicator catalogue: evidence files of a value, and sheets of a
// year's values imported by their enterer.

import (
	"net/http"
	"net/url"
	"strconv"

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
	return uploadedBack(c, back, u, err)
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

// APIIndicatorImport is POST /api/v1/indicators/:code/import?year=&dry_run= (multipart
// "file"; the indicator's enterer, the district or a street): a sheet of the year's
// values, approved on entry, all or nothing.
func (h *Handler) APIIndicatorImport(c echo.Context) error {
	dry, err := dryRunParam(c)
	if err != nil {
		return err
	}
	year, err := h.queryYear(c)
	if err != nil {
		return err
	}
	a := actorOf(c)
	d, err := models.FindIndicator(h.db(c), a, c.Param("code"))
	if err != nil {
		return err
	}
	if d.EnteredBy != a.Role {
		return models.ErrForbidden // only its enterer imports, before the file is read
	}
	rows, err := uploadedRows(c, models.ReportSheetRows)
	if err != nil {
		return err
	}
	res, err := models.ImportIndicatorValues(h.db(c), a, c.Param("code"), year, rows, dry)
	h.Metrics.imported("indicator_values", dry, err)
	if err != nil {
		return err
	}
	return importResult(c, res.Problems, res)
}

// IndicatorImportPage is POST /indicators/:code/import (the page's form: year, file):
// the values are written at once; problems are listed back on the roll-up page.
func (h *Handler) IndicatorImportPage(c echo.Context) error {
	a := actorOf(c)
	d, err := models.FindIndicator(h.db(c), a, c.Param("code"))
	if err != nil {
		return err
	}
	if d.EnteredBy != a.Role {
		return models.ErrForbidden
	}
	year, err := strconv.Atoi(c.FormValue("year"))
	if err != nil {
		return badRequest("年度无效")
	}
	back := "/indicators/" + url.PathEscape(d.Code) + "/rollup?year=" + strconv.Itoa(year)
	rows, err := uploadedRows(c, models.ReportSheetRows)
	if err == nil {
		var res *models.IndicatorImport
		res, err = models.ImportIndicatorValues(h.db(c), a, d.Code, year, rows, false)
		h.Metrics.imported("indicator_values", false, err)
		if err == nil && len(res.Problems) > 0 {
			msg := "导入未写入：" + strconv.Itoa(len(res.Problems)) + " 处问题。"
			for i, p := range res.Problems {
				if i == 5 {
					msg += "……"
					break
				}
				msg += "第 " + strconv.Itoa(p.Row) + " 行" + p.Column + "：" + p.Message + "；"
			}
			return redirectFlash(c, back, "!"+msg)
		}
		if err == nil {
			return redirectFlash(c, back, "已导入：新增 "+strconv.Itoa(res.New)+" 个村，修改 "+strconv.Itoa(res.Changed)+
				" 个村，未变 "+strconv.Itoa(res.Unchanged)+" 个村，即时生效")
		}
	}
	status, body := classify(err)
	if status == http.StatusUnprocessableEntity || status == http.StatusConflict {
		msg := body.Message
		if m, ok := body.Fields["file"]; ok {
			msg = m
		}
		return redirectFlash(c, back, "!导入失败："+msg)
	}
	return err
}
