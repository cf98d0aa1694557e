package handlers

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"cunji/models"
	"cunji/views"

	"github.com/labstack/echo/v4"
)

// Reports upward (上报报表): the tables 市 and 省 ask a street or the district for.
// Each kind is one model call that gives the JSON answer and the tables the page
// shows and the files (XLSX, CSV) hold, so that the three never differ.

// upwardKind is one report upward.
type upwardKind struct {
	Kind, Title, About string
	build              func(h *Handler, c echo.Context, q models.UpwardQuery) (any, []*views.Table, error)
}

// upwardKinds are the reports upward, in the order the index lists them.
var upwardKinds = []upwardKind{
	{"income-bands", "行政村经营性收入分档", "按经营性收入分 10 万元以下、10 万—30 万、30 万—50 万、50 万—100 万、100 万元及以上五档，村数与名单，上年同档村数并列。", (*Handler).upwardBands},
	{"weak", "集体经济薄弱村名单", "经营性收入低于区设定的薄弱村线的村，上年数字并列。", func(h *Handler, c echo.Context, q models.UpwardQuery) (any, []*views.Table, error) {
		return h.upwardLine(c, models.ListWeak, q)
	}},
	{"strong", "强村名单", "经营性收入达到区设定的强村线的村，上年数字并列。", func(h *Handler, c echo.Context, q models.UpwardQuery) (any, []*views.Table, error) {
		return h.upwardLine(c, models.ListStrong, q)
	}},
	{"titles", "星级美丽乡村、和美乡村名单", "年末持有称号的村，注明命名年度、日期与文号。", (*Handler).upwardTitles},
	{"companies", "强村公司及股东村分红", "年内有本范围股东村的强村公司，股东村持股比例与本年、上年分红。", (*Handler).upwardCompanies},
	{"workshops", "共富工坊及带动就业", "年末前建成的共富工坊，年末运营的计入带动就业。", (*Handler).upwardWorkshops},
}

func findUpward(kind string) (upwardKind, bool) {
	for _, k := range upwardKinds {
		if k.Kind == kind {
			return k, true
		}
	}
	return upwardKind{}, false
}

// upwardQuery reads year (default: the latest closed year), street and as_of.
func (h *Handler) upwardQuery(c echo.Context) (models.UpwardQuery, error) {
	year, street, asOf, err := h.rollupParams(c)
	return models.UpwardQuery{Street: street, Year: year, AsOf: asOf}, err
}

// upwardStamp states the scope (the caller's, or the street asked for), the year and
// the instant in each table of a report.
func (h *Handler) upwardStamp(c echo.Context, q models.UpwardQuery, ts ...*views.Table) error {
	name, code, err := h.scopeOf(c)
	if err != nil {
		return err
	}
	if q.Street != "" {
		var s models.Street
		if err := h.db(c).Where("code = ?", q.Street).Take(&s).Error; err != nil {
			return err
		}
		name, code = s.Name, s.Code
	}
	inProgress, err := models.YearInProgress(h.db(c), actorOf(c).DistrictCode, q.Year, q.AsOf)
	if err != nil {
		return err
	}
	for _, t := range ts {
		t.Scope, t.ScopeCode, t.Year, t.AsOf, t.InProgress = name, code, q.Year, q.AsOf.UTC(), inProgress
		t.Name = t.Name + "-" + strconv.Itoa(q.Year)
		t.Title = fmt.Sprintf("%s%d年%s（截至%s）", name, q.Year, t.Title, asOfLabel(q.AsOf))
	}
	return nil
}

// optYuan is an optional amount as a cell: empty when nil.
func optYuan(p *int64) any {
	if p == nil {
		return nil
	}
	return views.Yuan(*p)
}

func (h *Handler) upwardBands(c echo.Context, q models.UpwardQuery) (any, []*views.Table, error) {
	r, err := models.UpwardIncomeBands(h.db(c), actorOf(c), q)
	if err != nil {
		return nil, nil, err
	}
	counts := &views.Table{Name: "income-bands", Title: "行政村经营性收入分档",
		Header: []string{"档次", "村数", "占比", "上年村数", "增减"}}
	for _, b := range r.Bands {
		counts.Rows = append(counts.Rows, []any{b.Label, b.Villages, b.Share, b.PrevVillages, b.Villages - b.PrevVillages})
	}
	counts.Rows = append(counts.Rows, []any{"未填报（无审核通过数据）", r.Villages - r.Reported, nil, nil, nil},
		[]any{"合计", r.Villages, nil, r.PrevReported, nil})
	list := &views.Table{Name: "income-bands-list", Title: "行政村经营性收入分档名单",
		Header: []string{"村代码", "村名称", "街道/镇", "村庄类型", "经营性收入（元）", "档次", "上年经营性收入（元）", "上年档次"}}
	for _, v := range r.List {
		list.Rows = append(list.Rows, []any{v.Code, v.Name, v.StreetName, v.Type, views.Yuan(v.OperatingFen), v.Band, optYuan(v.PrevOperatingFen), v.PrevBand})
	}
	for _, v := range r.NotReported {
		list.Rows = append(list.Rows, []any{v.Code, v.Name, v.StreetName, v.Type, nil, "未填报", nil, ""})
	}
	return r, []*views.Table{counts, list}, h.upwardStamp(c, q, counts, list)
}

func (h *Handler) upwardLine(c echo.Context, kind string, q models.UpwardQuery) (any, []*views.Table, error) {
	r, err := models.UpwardLineList(h.db(c), actorOf(c), kind, q)
	if err != nil {
		return nil, nil, err
	}
	t := &views.Table{Name: "weak", Title: "集体经济薄弱村名单",
		Header: []string{"村代码", "村名称", "街道/镇", "村庄类型", "经营性收入（元）", "总收入（元）", "上年经营性收入（元）", "上年总收入（元）", "经营性收入增减（元）", "上年是否在列"}}
	line := "经营性收入低于 " + models.FormatMoney(r.LineFen) + "（区设定）"
	if kind == models.ListStrong {
		t.Name, t.Title = "strong", "强村名单"
		line = "经营性收入达到 " + models.FormatMoney(r.LineFen) + " 及以上（区设定）"
	}
	t.Notes = [][2]string{{"标准", line}, {"村数", fmt.Sprintf("本年 %d 个（已填报 %d / %d 村），上年 %d 个（按本年标准）", r.Count, r.Reported, r.Villages, r.PrevCount)}}
	for _, v := range r.List {
		var delta any
		prevListed := "上年无数据"
		if v.PrevOperatingFen != nil {
			delta = views.Yuan(v.OperatingFen - *v.PrevOperatingFen)
			prevListed = yesNo(*v.PrevListed)
		}
		t.Rows = append(t.Rows, []any{v.Code, v.Name, v.StreetName, v.Type, views.Yuan(v.OperatingFen), views.Yuan(v.TotalFen),
			optYuan(v.PrevOperatingFen), optYuan(v.PrevTotalFen), delta, prevListed})
	}
	return r, []*views.Table{t}, h.upwardStamp(c, q, t)
}

// levelLabel names a title's level.
func levelLabel(title string, level int) string {
	if title == models.TitleStar {
		return [...]string{"", "一星", "二星", "三星"}[min(max(level, 0), 3)]
	}
	return "—"
}

func (h *Handler) upwardTitles(c echo.Context, q models.UpwardQuery) (any, []*views.Table, error) {
	r, err := models.UpwardTitleHolders(h.db(c), actorOf(c), q)
	if err != nil {
		return nil, nil, err
	}
	t := &views.Table{Name: "titles", Title: "星级美丽乡村、和美乡村名单",
		Header: []string{"村代码", "村名称", "街道/镇", "称号", "等级", "命名年度", "命名日期", "文号", "本年新命名"}}
	t.Notes = [][2]string{{"村数", fmt.Sprintf("星级美丽乡村 %d 个，和美乡村 %d 个（年末持有；共 %d 个行政村）", r.Star, r.Hemei, r.Villages)}}
	for _, v := range r.Holders {
		t.Rows = append(t.Rows, []any{v.VillageCode, v.VillageName, v.StreetName, v.Title, levelLabel(v.Title, v.Level), v.YearNamed, v.NamedOn, v.DocumentNo, yesNo(v.New)})
	}
	return r, []*views.Table{t}, h.upwardStamp(c, q, t)
}

func (h *Handler) upwardCompanies(c echo.Context, q models.UpwardQuery) (any, []*views.Table, error) {
	r, err := models.UpwardCompanies(h.db(c), actorOf(c), q)
	if err != nil {
		return nil, nil, err
	}
	t := &views.Table{Name: "companies", Title: "强村公司及股东村分红",
		Header: []string{"公司名称", "统一社会信用代码", "模式", "成立日期", "本年营业收入（元）", "本年利润（元）", "股东村代码", "股东村", "街道/镇", "持股比例", "本年分红（元）", "上年分红（元）"}}
	t.Notes = [][2]string{{"家数", fmt.Sprintf("强村公司 %d 家，股东村 %d 个，本年分红合计 %s", len(r.Companies), r.MemberVillages, models.FormatMoney(r.DividendFen))},
		{"说明", "股东村只列本范围内的村；营业收入、利润与分红为当前登记数（无历史版本）"}}
	for _, co := range r.Companies {
		for _, m := range co.Members {
			t.Rows = append(t.Rows, []any{co.Name, co.CreditCode, co.Model, co.FoundedOn, optYuan(co.RevenueFen), optYuan(co.ProfitFen),
				m.VillageCode, m.VillageName, m.StreetName, models.FormatShare(m.ShareMicro), optYuan(m.DividendFen), optYuan(m.PrevDividendFen)})
		}
	}
	return r, []*views.Table{t}, h.upwardStamp(c, q, t)
}

func (h *Handler) upwardWorkshops(c echo.Context, q models.UpwardQuery) (any, []*views.Table, error) {
	r, err := models.UpwardWorkshops(h.db(c), actorOf(c), q)
	if err != nil {
		return nil, nil, err
	}
	t := &views.Table{Name: "workshops", Title: "共富工坊及带动就业",
		Header: []string{"工坊名称", "类型", "村代码", "所在村", "街道/镇", "建成日期", "停运日期", "年末运营", "带动就业（人）", "其中低收入农户（人）", "人均月增收（元）", "星级"}}
	t.Notes = [][2]string{{"家数", fmt.Sprintf("累计建成 %d 家，年末运营 %d 家，带动就业 %d 人，其中低收入农户 %d 人", r.Built, r.Operating, r.Employed, r.LowIncomeEmployed)}}
	for _, w := range r.Workshops {
		var employed, low any
		if w.Operating {
			employed, low = w.Employed, w.LowIncomeEmployed
		}
		t.Rows = append(t.Rows, []any{w.Name, w.Type, w.VillageCode, w.VillageName, w.StreetName, w.FoundedOn, w.ClosedOn, yesNo(w.Operating),
			employed, low, views.Yuan(w.AvgIncomeIncreaseFen), w.StarLevel})
	}
	return r, []*views.Table{t}, h.upwardStamp(c, q, t)
}

// upwardPage is the data of a report upward's page.
type upwardPage struct {
	Kind  upwardKind
	Query models.UpwardQuery
	// Files are each table's downloads (XLSX, CSV) for the same year, street and
	// instant as the page.
	Files   [][2]template.URL
	Tables  []*views.Table
	Years   yearsView
	Streets []models.Street
}

// UpwardIndex is GET /upward: the reports upward, and the district's lines.
func (h *Handler) UpwardIndex(c echo.Context) error {
	return h.renderUpwardIndex(c, http.StatusOK, nil)
}

func (h *Handler) renderUpwardIndex(c echo.Context, status int, errs map[string]string) error {
	q, err := h.upwardQuery(c)
	if err != nil {
		return err
	}
	a := actorOf(c)
	p := map[string]any{"Kinds": upwardKinds, "Query": q}
	if p["Years"], err = h.yearsView(c, q.Year, q.AsOf); err != nil {
		return err
	}
	if a.Role == models.RoleDistrict {
		streets, err := models.ListStreets(h.db(c), a)
		if err != nil {
			return err
		}
		p["Streets"] = streets
		p["Weak"] = models.FormatWanExact(models.WeakLine(h.db(c), a.DistrictCode, time.Now()))
		p["Strong"] = models.FormatWanExact(models.StrongLine(h.db(c), a.DistrictCode, time.Now()))
		if errs != nil {
			p["Weak"], p["Strong"] = c.FormValue("weak_line"), c.FormValue("strong_line")
		}
	}
	return h.render(c, status, "upward_index", "上报报表", p, errs)
}

// UpwardLinesSave is POST /upward/lines: the district sets its 薄弱村 and 强村 lines (万元).
func (h *Handler) UpwardLinesSave(c echo.Context) error {
	v := &models.ValidationError{}
	weak, err := models.ParseWan(c.FormValue("weak_line"))
	if err != nil {
		v.Add("weak_line_fen", "薄弱村线须为万元金额")
	}
	strong, err := models.ParseWan(c.FormValue("strong_line"))
	if err != nil {
		v.Add("strong_line_fen", "强村线须为万元金额")
	}
	if err := v.Err(); err == nil {
		err = models.SetUpwardLines(h.db(c), actorOf(c), weak, strong)
		if err == nil {
			return redirectFlash(c, "/upward", "薄弱村线与强村线已保存")
		}
		if !v.Merge(err) {
			return err
		}
	}
	return h.renderUpwardIndex(c, http.StatusUnprocessableEntity, v.Fields)
}

// UpwardShow is GET /upward/:kind: a report upward as a page, or with
// format=xlsx|csv as a file (part=list for the income bands' list).
func (h *Handler) UpwardShow(c echo.Context) error {
	k, ok := findUpward(c.Param("kind"))
	if !ok {
		return models.ErrNotFound
	}
	q, err := h.upwardQuery(c)
	if err != nil {
		return err
	}
	_, tables, err := k.build(h, c, q)
	if err != nil {
		return err
	}
	if f := c.QueryParam("format"); f != "" {
		return sendTable(c, upwardPart(c, tables), f)
	}
	link := url.Values{"year": {strconv.Itoa(q.Year)}, "as_of": {q.AsOf.UTC().Format(time.RFC3339Nano)}}
	if q.Street != "" {
		link.Set("street", q.Street)
	}
	p := upwardPage{Kind: k, Query: q, Tables: tables}
	for i := range tables {
		if i > 0 {
			link.Set("part", "list")
		}
		var f [2]template.URL
		for j, format := range []string{"xlsx", "csv"} {
			link.Set("format", format)
			f[j] = template.URL("/upward/" + k.Kind + "?" + link.Encode())
		}
		p.Files = append(p.Files, f)
	}
	if p.Years, err = h.yearsView(c, q.Year, q.AsOf); err != nil {
		return err
	}
	if actorOf(c).Role == models.RoleDistrict {
		if p.Streets, err = models.ListStreets(h.db(c), actorOf(c)); err != nil {
			return err
		}
	}
	return h.render(c, http.StatusOK, "upward", k.Title, p, nil)
}

// upwardPart picks the table a download asks for: the first, or the list (part=list).
func upwardPart(c echo.Context, tables []*views.Table) *views.Table {
	if c.QueryParam("part") == "list" && len(tables) > 1 {
		return tables[1]
	}
	return tables[0]
}
