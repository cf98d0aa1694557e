package handlers

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"cunji/models"
	"cunji/views"

	"github.com/labstack/echo/v4"
)

// Every table the district reviews downloads as Excel or CSV: the API takes
// format=xlsx|csv on the same endpoint, the pages link to /export/NAME. Both build
// the table with the same function from the same model call as the JSON.

// tableBuilders names the downloadable tables.
func (h *Handler) tableBuilders() map[string]func(echo.Context) (*views.Table, error) {
	return map[string]func(echo.Context) (*views.Table, error){
		"rollup-street": func(c echo.Context) (*views.Table, error) { return h.rollupTable(c, "street") },
		"rollup-type":   func(c echo.Context) (*views.Table, error) { return h.rollupTable(c, "type") },
		"ranking":       h.rankingTable,
		"villages":      h.villagesTable,
		"completeness":  h.completenessTable,
		"sprint":        func(c echo.Context) (*views.Table, error) { return h.listTable(c, "sprint") },
		"slipping":      func(c echo.Context) (*views.Table, error) { return h.listTable(c, "slipping") },
	}
}

// sendTable writes a table in the requested format as a download.
func sendTable(c echo.Context, t *views.Table, format string) error {
	var buf bytes.Buffer
	var ctype string
	switch format {
	case "csv":
		ctype = "text/csv; charset=utf-8"
		if err := views.WriteCSV(&buf, t); err != nil {
			return err
		}
	case "xlsx":
		ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
		if err := views.WriteXLSX(&buf, t); err != nil {
			return err
		}
	default:
		return models.Invalid("format", "format 须为 xlsx 或 csv")
	}
	c.Response().Header().Set(echo.HeaderContentDisposition,
		fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, t.FileName()+"."+format, url.PathEscape(t.Title+"."+format)))
	return c.Blob(http.StatusOK, ctype, buf.Bytes())
}

// withFormat answers JSON, or the table when format is given.
func (h *Handler) withFormat(c echo.Context, table func(echo.Context) (*views.Table, error), data func() (any, error)) error {
	if f := c.QueryParam("format"); f != "" && f != "json" {
		t, err := table(c)
		if err != nil {
			return err
		}
		return sendTable(c, t, f)
	}
	d, err := data()
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, d)
}

// ExportPage is GET /export/:name?format=…: a table for a page user.
func (h *Handler) ExportPage(c echo.Context) error {
	build, ok := h.tableBuilders()[c.Param("name")]
	if !ok {
		return models.ErrNotFound
	}
	t, err := build(c)
	if err != nil {
		return err
	}
	f := c.QueryParam("format")
	if f == "" {
		f = "xlsx"
	}
	return sendTable(c, t, f)
}

func asOfLabel(t time.Time) string { return t.In(models.Shanghai).Format("2006-01-02 15:04:05") }

func (h *Handler) rollupTable(c echo.Context, by string) (*views.Table, error) {
	year, street, asOf, err := h.rollupParams(c)
	if err != nil {
		return nil, err
	}
	ru, err := h.rollup(c, actorOf(c), street, year, asOf)
	if err != nil {
		return nil, err
	}
	head := []string{"村数", "已填报", "经营性收入≥50万村数", "占比", "目标", "还需", "星级村", "一星", "二星", "三星", "和美乡村",
		"总收入（元）", "经营性收入（元）", "集体资产（元）", "强村公司", "股东村", "共富工坊", "工坊就业", "其中低收入农户"}
	row := func(f *models.Figures) []any {
		return []any{f.Villages, f.Reported, f.Income50w.Count, f.Income50w.Share, f.Income50w.Target, optInt(f.Income50w.Needed),
			f.Star.Rated, f.Star.ByLevel[1], f.Star.ByLevel[2], f.Star.ByLevel[3], f.Hemei.Count,
			views.Yuan(f.CollectiveIncomeTotalFen), views.Yuan(f.OperatingIncomeTotalFen), views.Yuan(f.AssetsTotalFen),
			f.Companies, f.MemberVillages, f.Workshops, f.WorkshopEmployed, f.WorkshopLowIncomeEmployed}
	}
	t := &views.Table{Scope: ru.ScopeName, ScopeCode: ru.ScopeCode, Year: year, AsOf: asOf, InProgress: ru.InProgress}
	if by == "type" {
		t.Name = fmt.Sprintf("rollup-type-%d", year)
		t.Title = fmt.Sprintf("%s%d年分村庄类型汇总（截至%s）", ru.ScopeName, year, asOfLabel(asOf))
		t.Header = append([]string{"村庄类型"}, head...)
		for _, r := range ru.ByType {
			t.Rows = append(t.Rows, append([]any{r.Type}, row(&r.Figures)...))
		}
	} else {
		t.Name = fmt.Sprintf("rollup-street-%d", year)
		t.Title = fmt.Sprintf("%s%d年分街道汇总（截至%s）", ru.ScopeName, year, asOfLabel(asOf))
		t.Header = append([]string{"街道代码", "街道/镇"}, head...)
		for _, r := range ru.ByStreet {
			t.Rows = append(t.Rows, append([]any{r.Code, r.Name}, row(&r.Figures)...))
		}
	}
	t.Rows = append(t.Rows, append(map[bool][]any{true: {"合计"}, false: {"", "合计"}}[by == "type"], row(&ru.Figures)...))
	return t, nil
}

func (h *Handler) rankingParams(c echo.Context) (*models.Ranking, error) {
	year, _, asOf, err := h.rollupParams(c)
	if err != nil {
		return nil, err
	}
	ind := c.QueryParam("indicator")
	if ind == "" {
		ind = models.IndIncome50w
	}
	return models.ComputeRanking(h.db(c), actorOf(c), year, ind, asOf)
}

func (h *Handler) rankingTable(c echo.Context) (*views.Table, error) {
	rk, err := h.rankingParams(c)
	if err != nil {
		return nil, err
	}
	name, code, err := h.scopeOf(c)
	if err != nil {
		return nil, err
	}
	t := &views.Table{Name: fmt.Sprintf("ranking-%s-%d", rk.Indicator, rk.Year),
		Title:  fmt.Sprintf("%d年街道晾晒排名（截至%s）", rk.Year, asOfLabel(rk.AsOf)),
		Header: []string{"名次", "街道代码", "街道/镇", "村数", "达标村数", "占比", "目标", "预警"},
		Scope:  name, ScopeCode: code, Year: rk.Year, AsOf: rk.AsOf, InProgress: rk.InProgress}
	for _, r := range rk.Streets {
		t.Rows = append(t.Rows, []any{r.Rank, r.StreetCode, r.StreetName, r.Villages, r.Count, r.Share, r.Target, colourLabel(r.Color)})
	}
	return t, nil
}

// colourLabel names a 三色预警 colour; "—" when there is none (no target assigned,
// or a year in progress).
func colourLabel(c string) string {
	if l, ok := map[string]string{models.ColorGreen: "绿", models.ColorYellow: "黄", models.ColorRed: "红"}[c]; ok {
		return l
	}
	return "—"
}

// optInt is an optional count as a cell: empty when nil.
func optInt(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

func (h *Handler) villagesTable(c echo.Context) (*views.Table, error) {
	a := actorOf(c)
	f, err := villageFilter(c)
	if err != nil {
		return nil, err
	}
	year, err := h.queryYear(c)
	if err != nil {
		return nil, err
	}
	vs, _, err := models.ListVillages(h.db(c), a, f)
	if err != nil {
		return nil, err
	}
	approved, open, err := models.YearStatus(h.db(c), a, year)
	if err != nil {
		return nil, err
	}
	t := &views.Table{Name: fmt.Sprintf("villages-%d", year), Title: fmt.Sprintf("村列表（%d年）", year),
		Header: []string{"村代码", "村名称", "街道/镇", "村庄类型", "在册", "经营性收入（元）", "总收入（元）", "集体资产（元）", "≥50万", "星级", "和美乡村", "当前状态"}}
	for _, v := range vs {
		row := []any{v.Code, v.Name, v.Street.Name, v.Type, yesNo(v.ActiveIn(year))}
		if r := approved[v.Code]; r != nil {
			row = append(row, views.Yuan(r.OperatingFen), views.Yuan(r.TotalFen), views.Yuan(r.AssetsFen), yesNo(r.Meets50w()), r.StarRating, yesNo(r.HemeiBuilt))
		} else {
			row = append(row, nil, nil, nil, "", nil, "")
		}
		status := "未填报"
		if o := open[v.Code]; o != nil {
			status = views.StatusLabel(o.Status)
		} else if approved[v.Code] != nil {
			status = "已通过"
		}
		t.Rows = append(t.Rows, append(row, status))
	}
	return t, h.stamp(c, t, year, time.Now())
}

func (h *Handler) completenessTable(c echo.Context) (*views.Table, error) {
	year, err := h.queryYear(c)
	if err != nil {
		return nil, err
	}
	rows, total, err := models.Completeness(h.db(c), actorOf(c), year)
	if err != nil {
		return nil, err
	}
	t := &views.Table{Name: fmt.Sprintf("completeness-%d", year), Title: fmt.Sprintf("%d年填报进度", year),
		Header: []string{"街道代码", "街道/镇", "应报", "已通过", "待审核", "草稿", "已退回", "未开始", "逾期"}}
	for _, r := range append(rows, *total) {
		t.Rows = append(t.Rows, []any{r.StreetCode, r.StreetName, r.Expected, r.Approved, r.Submitted, r.Draft, r.Rejected, r.NotStarted, r.Overdue})
	}
	return t, h.stamp(c, t, year, time.Now())
}

func (h *Handler) villageList(c echo.Context, kind string) ([]models.VillageFigures, int, time.Time, error) {
	year, _, asOf, err := h.rollupParams(c)
	if err != nil {
		return nil, 0, asOf, err
	}
	if err := models.CheckYear(h.db(c), year); err != nil {
		return nil, 0, asOf, err
	}
	var list []models.VillageFigures
	if kind == "sprint" {
		list, err = models.SprintList(h.db(c), actorOf(c), year, asOf)
	} else {
		list, err = models.SlippingList(h.db(c), actorOf(c), year, asOf)
	}
	return list, year, asOf, err
}

func (h *Handler) listTable(c echo.Context, kind string) (*views.Table, error) {
	list, year, asOf, err := h.villageList(c, kind)
	if err != nil {
		return nil, err
	}
	title := map[string]string{"sprint": "冲刺名单（经营性收入40万—50万）", "slipping": "预警名单（上年≥50万、本年跌破）"}[kind]
	t := &views.Table{Name: fmt.Sprintf("%s-%d", kind, year), Title: fmt.Sprintf("%d年%s（截至%s）", year, title, asOfLabel(asOf)),
		Header: []string{"村代码", "村名称", "街道/镇", "村庄类型", "经营性收入（元）", "上年经营性收入（元）", "总收入（元）"}}
	for _, v := range list {
		var prev any
		if v.PrevOperatingFen != nil {
			prev = views.Yuan(*v.PrevOperatingFen)
		}
		t.Rows = append(t.Rows, []any{v.Code, v.Name, v.StreetName, v.Type, views.Yuan(v.OperatingFen), prev, views.Yuan(v.TotalFen)})
	}
	return t, h.stamp(c, t, year, asOf)
}

// scopeOf names the caller's scope (a district or a street) and its code, for the
// files that state their scope.
func (h *Handler) scopeOf(c echo.Context) (string, string, error) {
	a := actorOf(c)
	if a.Role == models.RoleStreet {
		var s models.Street
		err := h.db(c).Where("code = ?", a.StreetCode).Take(&s).Error
		return s.Name, s.Code, err
	}
	var d models.District
	if err := h.db(c).Where("code = ?", a.DistrictCode).Take(&d).Error; err != nil {
		return "区域", a.DistrictCode, nil
	}
	return d.Name, d.Code, nil
}

// stamp states the caller's scope, the year and the instant in a table of figures.
func (h *Handler) stamp(c echo.Context, t *views.Table, year int, asOf time.Time) error {
	name, code, err := h.scopeOf(c)
	if err != nil {
		return err
	}
	t.Scope, t.ScopeCode, t.Year, t.AsOf = name, code, year, asOf.UTC()
	t.InProgress, err = models.YearInProgress(h.db(c), actorOf(c).DistrictCode, year, asOf)
	return err
}
