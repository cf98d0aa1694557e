package handlers

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"cunji/models"
	"cunji/views"

	"github.com/labstack/echo/v4"
)

// readSheetUpload reads the multipart field "file" as a spreadsheet.
func readSheetUpload(c echo.Context) ([]byte, error) {
	fh, err := c.FormFile("file")
	if err != nil {
		return nil, models.Invalid("file", "请选择要导入的文件")
	}
	if fh.Size > models.MaxSheetBytes {
		return nil, models.Invalid("file", models.ErrSheetTooLarge.Error())
	}
	f, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, models.MaxSheetBytes+1))
	if err != nil {
		return nil, err
	}
	if err := models.CheckSheetName(fh.Filename, data); err != nil {
		return nil, models.Invalid("file", err.Error())
	}
	return data, nil
}

// sheetRows reads a spreadsheet of at most maxRows rows; any problem of the file
// is a 422 on the file field.
func sheetRows(data []byte, maxRows int) ([][]string, error) {
	rows, err := models.ReadSheet(data, maxRows)
	if err != nil {
		return nil, models.Invalid("file", err.Error())
	}
	return rows, nil
}

// uploadedRows reads the uploaded spreadsheet's rows.
func uploadedRows(c echo.Context, maxRows int) ([][]string, error) {
	data, err := readSheetUpload(c)
	if err != nil {
		return nil, err
	}
	return sheetRows(data, maxRows)
}

// importResult answers an import: 200 with the result, or 422 in the error shape
// with every problem listed.
func importResult(c echo.Context, problems []models.ImportProblem, result any) error {
	if len(problems) > 0 {
		return c.JSON(http.StatusUnprocessableEntity, map[string]any{
			"error":    APIErrorBody{Code: "invalid", Message: fmt.Sprintf("导入文件有 %d 处问题，未写入任何数据", len(problems))},
			"problems": problems, "result": result})
	}
	return c.JSON(http.StatusOK, result)
}

func dryRunParam(c echo.Context) (bool, error) {
	switch c.QueryParam("dry_run") {
	case "", "true", "1":
		return true, nil
	case "false", "0":
		return false, nil
	}
	return false, models.Invalid("dry_run", "dry_run 须为 true 或 false")
}

// APIImportVillages is POST /api/v1/import/villages?dry_run=true|false&mapping= (district).
func (h *Handler) APIImportVillages(c echo.Context) error {
	dry, err := dryRunParam(c)
	if err != nil {
		return err
	}
	m, err := apiMapping(c)
	if err != nil {
		return err
	}
	rows, err := uploadedRows(c, models.VillageSheetRows)
	if err != nil {
		return err
	}
	res, err := models.ImportVillagesMapped(h.db(c), actorOf(c), rows, m, dry)
	h.Metrics.imported("villages", dry, err)
	if err != nil {
		return err
	}
	return importResult(c, res.Problems, res)
}

// reportMode reads what a figures import does, and the unit of amounts whose
// header names none.
func reportMode(mode, reason, unit string) (models.ReportImportMode, error) {
	var m models.ReportImportMode
	switch unit {
	case "": // the unit remembered with the sheet's mapping, else 元
	case "yuan", models.UnitYuan:
		m.Unit = models.UnitYuan
	case "wan", models.UnitWan:
		m.Unit = models.UnitWan
	default:
		return m, models.Invalid("unit", "unit 须为 yuan（元）或 wan（万元）")
	}
	switch mode {
	case "approve":
		m.Approve, m.Reason = true, reason
	case "queue", "":
	default:
		return m, models.Invalid("mode", "mode 须为 approve（直接审核通过）或 queue（交街道审核）")
	}
	return m, nil
}

// apiMapping reads the API's mapping parameter (query or form), nil when absent.
func apiMapping(c echo.Context) (*models.ColumnMapping, error) {
	s := c.FormValue("mapping")
	if s == "" {
		return nil, nil
	}
	return models.ParseMappingJSON(s)
}

// formMapping reads the mapping step's form: header_row and map_<column index>,
// nil when the form has none.
func formMapping(c echo.Context) (*models.ColumnMapping, error) {
	h := c.FormValue("header_row")
	if h == "" {
		return nil, nil
	}
	n, err := strconv.Atoi(h)
	if err != nil || n < 1 {
		return nil, models.Invalid("form", "表头行须为正整数")
	}
	m := &models.ColumnMapping{HeaderRow: n}
	params, err := c.FormParams()
	if err != nil {
		return nil, err
	}
	for k, v := range params {
		if j, err := strconv.Atoi(strings.TrimPrefix(k, "map_")); err == nil && strings.HasPrefix(k, "map_") && len(v) > 0 {
			m.SetColumn(j, v[0])
		}
	}
	return m, nil
}

// APIImportReports is POST /api/v1/import/reports?dry_run=&mode=approve|queue&reason=&unit=yuan|wan&mapping=
// (unit: of amounts whose header names none; mapping: the field of each column,
// see docs/openapi.json).
func (h *Handler) APIImportReports(c echo.Context) error {
	dry, err := dryRunParam(c)
	if err != nil {
		return err
	}
	mode, err := reportMode(c.QueryParam("mode"), c.QueryParam("reason"), c.QueryParam("unit"))
	if err != nil {
		return err
	}
	if mode.Mapping, err = apiMapping(c); err != nil {
		return err
	}
	rows, err := uploadedRows(c, models.ReportSheetRows)
	if err != nil {
		return err
	}
	res, err := models.ImportReports(h.db(c), actorOf(c), rows, mode, dry)
	h.Metrics.imported("reports", dry, err)
	if err != nil {
		return err
	}
	return importResult(c, res.Problems, res)
}

// APIImportUsers is POST /api/v1/import/users[?format=xlsx|csv]: every account with
// a one-time password, all or nothing.
func (h *Handler) APIImportUsers(c echo.Context) error {
	rows, err := uploadedRows(c, models.UserSheetRows)
	if err != nil {
		return err
	}
	created, probs, err := models.BulkCreateUsers(h.db(c), actorOf(c), rows)
	if err != nil {
		return err
	}
	if len(probs) > 0 {
		return importResult(c, probs, nil)
	}
	if f := c.QueryParam("format"); f != "" && f != "json" {
		return sendTable(c, usersTable(created), f)
	}
	out := make([]map[string]any, len(created))
	for i, u := range created {
		out[i] = map[string]any{"username": u.Username, "name": u.Name, "role": u.Role, "scope": u.Scope, "one_time_password": u.Password}
	}
	return c.JSON(http.StatusCreated, map[string]any{"users": out})
}

// templates of the import sheets.
var importTemplates = map[string]*views.Table{
	"villages": {Name: "villages-template", Title: "村基本信息导入模板", Header: models.VillageImportHeader,
		Rows: [][]any{{"331002004201", "示例村", "331002004", "整治提升", "2000", ""}}},
	"reports": {Name: "reports-template", Title: "年度数据导入模板（金额单位：元）", Header: models.ReportImportHeader,
		Rows: [][]any{{"331002004201", "2025", "1", "是", "350000.00", "150000.00", "20000.00", "120000.00", "0", "25000000.00"}}},
	"reports-wan": {Name: "reports-template-wan", Title: "年度数据导入模板（金额单位：万元）", Header: models.SheetLabels(models.ReportColumns[:10], models.UnitWan),
		Rows: [][]any{{"331002004201", "2025", "1", "是", "35.00", "15.00", "2.00", "12.00", "0", "2500.00"}}},
	"titles": {Name: "titles-template", Title: "称号命名名单导入模板", Header: models.TitleImportHeader,
		Rows: [][]any{
			{"331002004201", "示例村", "星级美丽乡村", "3", "2024", "2024-12-20", "椒政办发〔2024〕18号"},
			{"", "示例二村", "和美乡村", "", "2024", "2024-12-20", "椒政办发〔2024〕18号"}}},
	"targets": {Name: "targets-template", Title: "目标分解下达导入模板", Header: models.TargetImportHeader,
		Rows: [][]any{
			{"全区", "2026", "经营性收入 50 万元以上村占比", "80", "%", ""},
			{"示例街道", "2026", "income_50w", "75", "%", "按街道基数分解"},
			{"全区", "2026", "村级集体经济总收入", "120000", "万元", ""},
			{"全区", "2026", "强村公司数", "5", "个", ""}}},
	"users": {Name: "users-template", Title: "账号批量创建模板", Header: models.UserImportHeader,
		Rows: [][]any{{"village-331002004201", "张三", "村干部", "331002004201", "13800000000"}}},
}

// ImportTemplate is GET /import/template/:kind?format=xlsx|csv (and the API's).
func (h *Handler) ImportTemplate(c echo.Context) error {
	t, ok := importTemplates[c.Param("kind")]
	if !ok {
		return models.ErrNotFound
	}
	f := c.QueryParam("format")
	if f == "" {
		f = "xlsx"
	}
	return sendTable(c, t, f)
}

// Pages. A dry run keeps the uploaded file under a random token, owned by the
// user, so that "确认导入" commits exactly the file that was checked; the mapping
// step (step=map) checks the same kept file again with the columns chosen.

type importPage struct {
	Kind     string
	Villages *models.VillageImport
	Reports  *models.ReportImport
	Titles   *models.TitleImport
	Targets  *models.TargetImport
	Problems []models.ImportProblem
	Mapping  *models.SheetMapping
	Token    string
	Mode     string
	Reason   string
	Unit     string
}

// ImportPage is GET /import (district).
func (h *Handler) ImportPage(c echo.Context) error {
	return h.render(c, http.StatusOK, "import", "批量导入", &importPage{}, nil)
}

// ImportVillagesPost is POST /import/villages (district): check, then commit, a
// sheet of villages.
func (h *Handler) ImportVillagesPost(c echo.Context) error { return h.importPost(c, "villages") }

// ImportReportsPost is POST /import/reports (district): check, then commit, a sheet
// of yearly reports.
func (h *Handler) ImportReportsPost(c echo.Context) error { return h.importPost(c, "reports") }

// importMaxRows is the most rows each kind of sheet may have.
var importMaxRows = map[string]int{"villages": models.VillageSheetRows, "reports": models.ReportSheetRows,
	"titles": models.TitleSheetRows, "targets": models.TargetSheetRows}

// runImport checks (dry) or commits the rows of a sheet of kind into the page.
func (h *Handler) runImport(c echo.Context, kind string, rows [][]string, p *importPage, chosen *models.ColumnMapping, dry bool) error {
	a := actorOf(c)
	var err error
	switch kind {
	case "villages":
		if p.Villages, err = models.ImportVillagesMapped(h.db(c), a, rows, chosen, dry); err == nil {
			p.Problems, p.Mapping = p.Villages.Problems, p.Villages.Mapping
		}
	case "reports":
		var mode models.ReportImportMode
		if mode, err = reportMode(p.Mode, p.Reason, p.Unit); err == nil {
			mode.Mapping = chosen
			if p.Reports, err = models.ImportReports(h.db(c), a, rows, mode, dry); err == nil {
				p.Problems, p.Mapping = p.Reports.Problems, p.Reports.Mapping
			}
		}
	case "titles":
		if p.Titles, err = models.ImportTitles(h.db(c), a, rows, dry); err == nil {
			p.Problems = p.Titles.Problems
		}
	case "targets":
		if p.Targets, err = models.ImportTargets(h.db(c), a, rows, dry); err == nil {
			p.Problems = p.Targets.Problems
		}
	}
	h.Metrics.imported(kind, dry, err)
	return err
}

// importPost checks an uploaded sheet of kind (a dry run) or commits the file a dry
// run kept under its token.
func (h *Handler) importPost(c echo.Context, kind string) error {
	p := &importPage{Kind: kind, Mode: c.FormValue("mode"), Reason: c.FormValue("reason"), Unit: c.FormValue("unit")}
	token := c.FormValue("token")
	remap := token != "" && c.FormValue("step") == "map"
	commit := token != "" && !remap
	var data []byte
	var err error
	if token != "" {
		data, err = h.takeUpload(c, token)
	} else {
		data, err = readSheetUpload(c)
	}
	fail := func(err error) error {
		return h.pageError(c, err, func(status int, errs map[string]string) error {
			return h.render(c, status, "import", "批量导入", p, errs)
		})
	}
	if err != nil {
		return fail(err)
	}
	rows, err := sheetRows(data, importMaxRows[kind])
	if err != nil {
		return fail(err)
	}
	chosen, err := formMapping(c)
	if err != nil {
		return fail(err)
	}
	if err := h.runImport(c, kind, rows, p, chosen, !commit); err != nil {
		return fail(err)
	}
	status := http.StatusOK
	if len(p.Problems) > 0 {
		status = http.StatusUnprocessableEntity
	}
	switch {
	case commit && len(p.Problems) == 0:
		os.Remove(filepath.Join(h.importDir(), token))
	case commit:
	case remap:
		p.Token = token // the kept file, checked again with the columns chosen
	case len(p.Problems) == 0 || p.Mapping != nil:
		// Kept for 确认导入, or for the mapping step (a header was found).
		if p.Token, err = h.keepUpload(c, data); err != nil {
			return err
		}
	}
	return h.render(c, status, "import", "批量导入", p, nil)
}

// UsersImport is POST /users/import: the sheet of accounts; answers the sheet of
// one-time passwords as a download, or the problems.
func (h *Handler) UsersImport(c echo.Context) error {
	fail := func(err error) error {
		return h.pageError(c, err, func(status int, errs map[string]string) error {
			return h.renderUsers(c, status, usersPage{}, errs)
		})
	}
	rows, err := uploadedRows(c, models.UserSheetRows)
	if err != nil {
		return fail(err)
	}
	created, probs, err := models.BulkCreateUsers(h.db(c), actorOf(c), rows)
	if err != nil {
		return fail(err)
	}
	if len(probs) > 0 {
		msg := fmt.Sprintf("账号表有 %d 处问题，未创建任何账号：", len(probs))
		for i, p := range probs {
			if i == 10 {
				msg += "……"
				break
			}
			msg += fmt.Sprintf("第 %d 行 %s：%s；", p.Row, p.Column, p.Message)
		}
		return h.renderUsers(c, http.StatusUnprocessableEntity, usersPage{}, map[string]string{"form": msg})
	}
	if c.FormValue("output") == "handout" {
		return h.renderHandout(c, created)
	}
	return sendTable(c, usersTable(created), "xlsx")
}
