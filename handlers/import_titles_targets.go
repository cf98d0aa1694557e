package handlers

import (
	"cunji/models"

	"github.com/labstack/echo/v4"
)

// The district's naming list (命名名单) and its 分解下达 sheet: checked, then
// committed, like the village and figures sheets.

// APIImportTitles is POST /api/v1/import/titles?dry_run=true|false (district): the
// naming list, all or nothing.
func (h *Handler) APIImportTitles(c echo.Context) error {
	dry, err := dryRunParam(c)
	if err != nil {
		return err
	}
	rows, err := uploadedRows(c, models.TitleSheetRows)
	if err != nil {
		return err
	}
	res, err := models.ImportTitles(h.db(c), actorOf(c), rows, dry)
	h.Metrics.imported("titles", dry, err)
	if err != nil {
		return err
	}
	return importResult(c, res.Problems, res)
}

// APIImportTargets is POST /api/v1/import/targets?dry_run=true|false (district): the
// 分解下达 sheet, all or nothing.
func (h *Handler) APIImportTargets(c echo.Context) error {
	dry, err := dryRunParam(c)
	if err != nil {
		return err
	}
	rows, err := uploadedRows(c, models.TargetSheetRows)
	if err != nil {
		return err
	}
	res, err := models.ImportTargets(h.db(c), actorOf(c), rows, dry)
	h.Metrics.imported("targets", dry, err)
	if err != nil {
		return err
	}
	return importResult(c, res.Problems, res)
}

// ImportTitlesPost is POST /import/titles (district): check, then commit, a naming list.
func (h *Handler) ImportTitlesPost(c echo.Context) error { return h.importPost(c, "titles") }

// ImportTargetsPost is POST /import/targets (district): check, then commit, a 分解下达 sheet.
func (h *Handler) ImportTargetsPost(c echo.Context) error { return h.importPost(c, "targets") }
