package handlers

import (
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"cunji/models"

	"github.com/labstack/echo/v4"
)

// The company pages take member lists and dividends as lines of text — one village a
// line, the columns separated by spaces, tabs or commas — so that a table copied
// from a spreadsheet can be pasted in.

func splitLine(l string) []string {
	return strings.FieldsFunc(l, func(r rune) bool { return r == ' ' || r == '\t' || r == ',' || r == '，' || r == '　' })
}

// parseMemberLines reads "村代码 持股比例% 起始年 [终止年]" lines.
func parseMemberLines(text string) ([]models.MemberInput, error) {
	var out []models.MemberInput
	for i, line := range strings.Split(text, "\n") {
		f := splitLine(strings.TrimSpace(line))
		if len(f) == 0 {
			continue
		}
		bad := func(msg string) error { return models.Invalid("members", fmt.Sprintf("第 %d 行：%s", i+1, msg)) }
		if len(f) < 3 || len(f) > 4 {
			return nil, bad("须为“村代码 持股比例 起始年度 [终止年度]”")
		}
		share, ok := parseShare(f[1])
		if !ok {
			return nil, bad("持股比例须为大于 0、不超过 100 的百分数，最多 4 位小数")
		}
		from, err := strconv.Atoi(f[2])
		if err != nil {
			return nil, bad("起始年度须为整数")
		}
		m := models.MemberInput{VillageCode: f[0], ShareMicro: share, FromYear: from}
		if len(f) == 4 {
			u, err := strconv.Atoi(f[3])
			if err != nil {
				return nil, bad("终止年度须为整数")
			}
			m.UntilYear = &u
		}
		out = append(out, m)
	}
	return out, nil
}

func memberLines(ms []models.MemberView) string {
	var b strings.Builder
	for _, m := range ms {
		fmt.Fprintf(&b, "%s %s %d", m.VillageCode, strings.TrimSuffix(models.FormatShare(m.ShareMicro), "%"), m.FromYear)
		if m.UntilYear != nil {
			fmt.Fprintf(&b, " %d", *m.UntilYear)
		}
		b.WriteString("\n")
	}
	return b.String()
}

type companyForm struct {
	Name, CreditCode, Model, FoundedOn, Capital, Members string
	Shareholders                                         string
	Dissolved                                            bool
	Version                                              int
}

type companyPage struct {
	Detail   *models.CompanyDetail
	Form     companyForm
	New      bool
	CanEdit  bool
	Models   []string
	Kinds    []string // of other shareholders
	Years    []int
	YearForm struct{ Year, Revenue, Profit, Dividends, Reason string }
}

func companyFormOf(c *models.Company, members []models.MemberView) companyForm {
	return companyForm{Name: c.Name, CreditCode: c.CreditCode, Model: c.Model, FoundedOn: c.FoundedOn,
		Capital: models.FormatWanExact(c.RegisteredCapitalFen), Members: memberLines(members), Dissolved: c.DissolvedAt != nil, Version: c.Version}
}

func bindCompanyForm(c echo.Context) (companyForm, models.CompanyInput, map[string]string) {
	f := companyForm{Name: c.FormValue("name"), CreditCode: c.FormValue("credit_code"), Model: c.FormValue("model"),
		FoundedOn: c.FormValue("founded_on"), Capital: c.FormValue("capital"), Members: c.FormValue("members"),
		Dissolved: c.FormValue("dissolved") != ""}
	f.Version, _ = strconv.Atoi(c.FormValue("version"))
	errs := map[string]string{}
	in := models.CompanyInput{Name: f.Name, CreditCode: f.CreditCode, Model: f.Model, FoundedOn: strings.TrimSpace(f.FoundedOn),
		Dissolved: f.Dissolved, Version: f.Version}
	if fen, err := models.ParseWan(f.Capital); err != nil && err != models.ErrWanEmpty {
		errs["registered_capital_fen"] = err.Error()
	} else {
		in.RegisteredCapitalFen = fen
	}
	return f, in, errs
}

func (h *Handler) companyPageData(c echo.Context, id uint) (*companyPage, error) {
	d, err := models.GetCompany(h.db(c), actorOf(c), id)
	if err != nil {
		return nil, err
	}
	years, err := models.Years(h.db(c))
	if err != nil {
		return nil, err
	}
	p := &companyPage{Detail: d, Form: companyFormOf(&d.Company, d.Members), Models: models.CompanyModels, Years: years,
		Kinds: models.ShareholderKinds}
	p.Form.Shareholders = shareholderLines(d.Shareholders)
	u := userOf(c)
	p.CanEdit = u.Role == models.RoleDistrict
	if u.Role == models.RoleStreet {
		p.CanEdit = true
		for _, m := range d.Members {
			p.CanEdit = p.CanEdit && m.StreetCode == u.StreetCode
		}
	}
	year, err := h.defaultYear(c)
	if err != nil {
		return nil, err
	}
	p.YearForm.Year = strconv.Itoa(year)
	return p, nil
}

func (h *Handler) renderCompany(c echo.Context, status int, id uint, patch func(*companyPage), errs map[string]string) error {
	p, err := h.companyPageData(c, id)
	if err != nil {
		return err
	}
	if patch != nil {
		patch(p)
	}
	return h.render(c, status, "company", p.Detail.Company.Name, p, errs)
}

// CompanyList is GET /companies (street, district).
func (h *Handler) CompanyList(c echo.Context) error {
	f := models.CompanyFilter{Street: c.QueryParam("street"), Model: c.QueryParam("model")}
	list, err := models.ListCompanies(h.db(c), actorOf(c), f)
	if err != nil {
		return err
	}
	streets, err := models.ListStreets(h.db(c), actorOf(c))
	if err != nil {
		return err
	}
	return h.render(c, http.StatusOK, "companies", "强村公司", map[string]any{"Companies": list, "Filter": f,
		"Streets": streets, "Models": models.CompanyModels}, nil)
}

// CompanyShow is GET /companies/:id.
func (h *Handler) CompanyShow(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	return h.renderCompany(c, http.StatusOK, id, nil, nil)
}

// CompanyNewForm is GET /companies/new.
func (h *Handler) CompanyNewForm(c echo.Context) error {
	p := &companyPage{New: true, CanEdit: true, Models: models.CompanyModels, Form: companyForm{Model: models.CompanyModels[0]}}
	return h.render(c, http.StatusOK, "company", "登记强村公司", p, nil)
}

// CompanyCreate is POST /companies/new.
func (h *Handler) CompanyCreate(c echo.Context) error {
	form, in, errs := bindCompanyForm(c)
	rerender := func(status int, errs map[string]string) error {
		p := &companyPage{New: true, CanEdit: true, Models: models.CompanyModels, Form: form}
		return h.render(c, status, "company", "登记强村公司", p, errs)
	}
	members, err := parseMemberLines(form.Members)
	if err != nil {
		return h.pageError(c, err, rerender)
	}
	if len(errs) > 0 {
		errs["form"] = "请修正标出的项目"
		return rerender(http.StatusUnprocessableEntity, errs)
	}
	co, err := models.CreateCompany(h.db(c), actorOf(c), in, members)
	if err != nil {
		return h.pageError(c, memberErrors(err), rerender)
	}
	return redirectFlash(c, fmt.Sprintf("/companies/%d", co.ID), "已登记 "+co.Name)
}

// memberErrors folds the per-member field errors into the members field of the page,
// each named by its line of the form (第 N 行) and its field's Chinese name, in line
// order; the list's own errors (shares over 100% in a year) keep their sentence.
func memberErrors(err error) error {
	ve, ok := err.(*models.ValidationError)
	if !ok {
		return err
	}
	out := &models.ValidationError{}
	type line struct {
		row  int
		text string
	}
	var lines []line
	for k, m := range ve.Fields {
		if !strings.HasPrefix(k, "members") {
			out.Add(k, m)
			continue
		}
		if sub := memberKey.FindStringSubmatch(k); sub != nil {
			n, _ := strconv.Atoi(sub[1])
			lines = append(lines, line{n, fmt.Sprintf("第 %d 行%s：%s", n+1, memberFieldNames[sub[2]], m)})
			continue
		}
		lines = append(lines, line{-1, m})
	}
	sort.Slice(lines, func(i, j int) bool {
		if lines[i].row != lines[j].row {
			return lines[i].row < lines[j].row
		}
		return lines[i].text < lines[j].text
	})
	texts := make([]string, len(lines))
	for i, l := range lines {
		texts[i] = l.text
	}
	if len(texts) > 0 {
		out.Add("members", strings.Join(texts, "；"))
	}
	return out
}

// memberKey reads a member's field key, members[i].field.
var memberKey = regexp.MustCompile(`^members\[(\d+)\]\.(\w+)$`)

// memberFieldNames name a member's fields on the page.
var memberFieldNames = map[string]string{"village_code": "（村代码）", "share": "（持股比例）", "years": "（起止年度）"}

// CompanyUpdate is POST /companies/:id: the company's own fields.
func (h *Handler) CompanyUpdate(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	form, in, errs := bindCompanyForm(c)
	rerender := func(status int, errs map[string]string) error {
		return h.renderCompany(c, status, id, func(p *companyPage) {
			form.Members, form.Shareholders = p.Form.Members, p.Form.Shareholders
			p.Form = form
		}, errs)
	}
	if len(errs) > 0 {
		errs["form"] = "请修正标出的项目"
		return rerender(http.StatusUnprocessableEntity, errs)
	}
	if _, err := models.UpdateCompany(h.db(c), actorOf(c), id, in); err != nil {
		return h.pageError(c, err, rerender)
	}
	return redirectFlash(c, fmt.Sprintf("/companies/%d", id), "已保存")
}

// CompanyMembersSave is POST /companies/:id/members: the whole member list.
func (h *Handler) CompanyMembersSave(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	text := c.FormValue("members")
	version, _ := strconv.Atoi(c.FormValue("version"))
	rerender := func(status int, errs map[string]string) error {
		return h.renderCompany(c, status, id, func(p *companyPage) { p.Form.Members = text }, errs)
	}
	members, err := parseMemberLines(text)
	if err == nil {
		_, err = models.SetMembers(h.db(c), actorOf(c), id, version, members)
	}
	if err != nil {
		return h.pageError(c, memberErrors(err), rerender)
	}
	return redirectFlash(c, fmt.Sprintf("/companies/%d", id), "股东村已保存")
}

// CompanyYearSave is POST /companies/:id/years: one year's figures and dividends
// ("村代码 分红万元" lines).
func (h *Handler) CompanyYearSave(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	yf := struct{ Year, Revenue, Profit, Dividends, Reason string }{c.FormValue("year"), c.FormValue("revenue"),
		c.FormValue("profit"), c.FormValue("dividends"), c.FormValue("reason")}
	rerender := func(status int, errs map[string]string) error {
		return h.renderCompany(c, status, id, func(p *companyPage) { p.YearForm = yf }, errs)
	}
	verr := &models.ValidationError{}
	year, err := strconv.Atoi(strings.TrimSpace(yf.Year))
	if err != nil {
		verr.Add("year", "年度须为整数")
	}
	revenue, err := models.ParseWan(yf.Revenue)
	if err != nil {
		verr.Add("revenue_fen", "营业收入："+err.Error())
	}
	profit, err := models.ParseWan(yf.Profit)
	if err != nil {
		verr.Add("profit_fen", "利润："+err.Error())
	}
	var divs []models.DividendInput
	for i, line := range strings.Split(yf.Dividends, "\n") {
		f := splitLine(strings.TrimSpace(line))
		if len(f) == 0 {
			continue
		}
		fen, err := models.ParseWan(cellOr(f, 1))
		if len(f) != 2 || err != nil || fen < 0 {
			verr.Add("dividends", fmt.Sprintf("第 %d 行须为“村代码 分红（万元）”", i+1))
			continue
		}
		divs = append(divs, models.DividendInput{VillageCode: f[0], DividendFen: fen})
	}
	if err := verr.Err(); err != nil {
		return h.pageError(c, err, rerender)
	}
	if _, err := models.SetCompanyYear(h.db(c), actorOf(c), id, year, revenue, profit, divs, yf.Reason); err != nil {
		return h.pageError(c, dividendErrors(err), rerender)
	}
	return redirectFlash(c, fmt.Sprintf("/companies/%d", id), fmt.Sprintf("%d 年经营数据已保存", year))
}

func cellOr(f []string, i int) string {
	if i < len(f) {
		return f[i]
	}
	return ""
}

// dividendErrors folds per-dividend field errors into the dividends field.
func dividendErrors(err error) error {
	ve, ok := err.(*models.ValidationError)
	if !ok {
		return err
	}
	out := &models.ValidationError{}
	for k, m := range ve.Fields {
		if strings.HasPrefix(k, "dividends[") {
			k = "dividends"
		}
		out.Add(k, m)
	}
	return out
}
