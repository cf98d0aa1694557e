package handlers

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"cunji/models"

	"github.com/labstack/echo/v4"
)

// companyJSON is a company as the API gives it.
func companyJSON(c *models.Company) map[string]any {
	return map[string]any{"id": c.ID, "name": c.Name, "credit_code": c.CreditCode, "model": c.Model,
		"founded_on": c.FoundedOn, "registered_capital_fen": c.RegisteredCapitalFen, "active": c.DissolvedAt == nil,
		"dissolved_at": rfc3339(c.DissolvedAt), "version": c.Version}
}

func memberJSON(m *models.CompanyMember) map[string]any {
	return map[string]any{"village_code": m.VillageCode, "share": shareNumber(m.ShareMicro), "share_micro": m.ShareMicro,
		"from_year": m.FromYear, "until_year": m.UntilYear}
}

// shareNumber writes millionths as a JSON number in percent (33.3333).
func shareNumber(micro int64) json.Number {
	return json.Number(fmt.Sprintf("%d.%04d", micro/10_000, micro%10_000))
}

func companyDetailJSON(d *models.CompanyDetail) map[string]any {
	out := companyJSON(&d.Company)
	members := make([]map[string]any, len(d.Members))
	for i := range d.Members {
		m := memberJSON(&d.Members[i].CompanyMember)
		m["village_name"], m["street_code"], m["street_name"] = d.Members[i].VillageName, d.Members[i].StreetCode, d.Members[i].StreetName
		members[i] = m
	}
	years := make([]map[string]any, len(d.Years))
	for i, y := range d.Years {
		divs := []map[string]any{}
		for _, dv := range d.Dividends {
			if dv.Year == y.Year {
				divs = append(divs, map[string]any{"village_code": dv.VillageCode, "dividend_fen": dv.DividendFen})
			}
		}
		years[i] = map[string]any{"year": y.Year, "revenue_fen": y.RevenueFen, "profit_fen": y.ProfitFen,
			"reason": y.Reason, "dividends": divs}
	}
	others := make([]map[string]any, len(d.Shareholders))
	for i := range d.Shareholders {
		others[i] = shareholderJSON(&d.Shareholders[i])
	}
	out["members"], out["shareholders"], out["years"] = members, others, years
	return out
}

func pathID(c echo.Context) (uint, error) {
	id, err := strconv.ParseUint(c.Param("id"), 10, 32)
	if err != nil || id == 0 {
		return 0, models.ErrNotFound
	}
	return uint(id), nil
}

// bindCompany reads a company's own fields from a JSON body.
func bindCompany(b *binder) models.CompanyInput {
	var in models.CompanyInput
	get := func(key string, dst *string) {
		if s := b.str(key); s != nil {
			*dst = *s
		}
	}
	get("name", &in.Name)
	get("credit_code", &in.CreditCode)
	get("model", &in.Model)
	get("founded_on", &in.FoundedOn)
	if n := b.whole("registered_capital_fen"); n != nil {
		in.RegisteredCapitalFen = *n
	}
	if d := b.boolean("dissolved"); d != nil {
		in.Dissolved = *d
	}
	if v := b.small("version", 0, 1<<31-1); v != nil {
		in.Version = *v
	}
	return in
}

// bindMembers reads a member list: village_code, share (percent), from_year, until_year.
func bindMembers(b *binder, key string) []models.MemberInput {
	var out []models.MemberInput
	for i, raw := range b.list(key) {
		mb := newBinder(raw)
		m := models.MemberInput{}
		if s := mb.str("village_code"); s != nil {
			m.VillageCode = *s
		}
		if r, ok := raw["share"]; ok {
			if v, ok := parseShare(string(r)); ok {
				m.ShareMicro = v
			} else {
				b.v.Add(fmt.Sprintf("%s[%d].share", key, i), "持股比例须为大于 0、不超过 100 的百分数，最多 4 位小数")
			}
		} else {
			b.v.Add(fmt.Sprintf("%s[%d].share", key, i), "请填写持股比例")
		}
		if y := mb.small("from_year", 0, 9999); y != nil {
			m.FromYear = *y
		}
		m.UntilYear = mb.small("until_year", 0, 9999)
		for f, msg := range mb.v.Fields {
			b.v.Add(fmt.Sprintf("%s[%d].%s", key, i, f), msg)
		}
		out = append(out, m)
	}
	return out
}

// APICompanyList is GET /api/v1/companies?street=&model=.
func (h *Handler) APICompanyList(c echo.Context) error {
	list, err := models.ListCompanies(h.db(c), actorOf(c), models.CompanyFilter{Street: c.QueryParam("street"), Model: c.QueryParam("model")})
	if err != nil {
		return err
	}
	out := make([]map[string]any, len(list))
	for i := range list {
		out[i] = companyJSON(&list[i])
	}
	return c.JSON(http.StatusOK, map[string]any{"companies": out, "total": len(out)})
}

// APICompanyShow is GET /api/v1/companies/:id.
func (h *Handler) APICompanyShow(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	d, err := models.GetCompany(h.db(c), actorOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, companyDetailJSON(d))
}

// APICompanyCreate is POST /api/v1/companies (district; street for its own villages).
func (h *Handler) APICompanyCreate(c echo.Context) error {
	m, err := decodeObject(c.Request().Body, false)
	if err != nil {
		return err
	}
	b := newBinder(m)
	in := bindCompany(b)
	members := bindMembers(b, "members")
	if err := b.err(); err != nil {
		return err
	}
	co, err := models.CreateCompany(h.db(c), actorOf(c), in, members)
	if err != nil {
		return err
	}
	d, err := models.GetCompany(h.db(c), actorOf(c), co.ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, companyDetailJSON(d))
}

// APICompanyUpdate is PUT /api/v1/companies/:id.
func (h *Handler) APICompanyUpdate(c echo.Context) error {
	id, b, err := scopedBody(c, h.companyInScope(c), false)
	if err != nil {
		return err
	}
	in := bindCompany(b)
	if err := b.err(); err != nil {
		return err
	}
	co, err := models.UpdateCompany(h.db(c), actorOf(c), id, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, companyJSON(co))
}

// APICompanyMembers is PUT /api/v1/companies/:id/members {"version","members":[…]}.
func (h *Handler) APICompanyMembers(c echo.Context) error {
	id, b, err := scopedBody(c, h.companyInScope(c), false)
	if err != nil {
		return err
	}
	version := b.small("version", 0, 1<<31-1)
	members := bindMembers(b, "members")
	if version == nil {
		b.v.Add("version", "请给出公司当前的版本号")
	}
	if err := b.err(); err != nil {
		return err
	}
	if _, err := models.SetMembers(h.db(c), actorOf(c), id, *version, members); err != nil {
		return err
	}
	d, err := models.GetCompany(h.db(c), actorOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, companyDetailJSON(d))
}

// APICompanyYear is PUT /api/v1/companies/:id/years/:year.
func (h *Handler) APICompanyYear(c echo.Context) error {
	year, err := pathYear(c)
	if err != nil {
		return err
	}
	id, b, err := scopedBody(c, h.companyInScope(c), false)
	if err != nil {
		return err
	}
	revenue := b.whole("revenue_fen")
	profit := b.whole("profit_fen")
	reason := b.str("reason")
	var divs []models.DividendInput
	for i, raw := range b.list("dividends") {
		db := newBinder(raw)
		d := models.DividendInput{}
		if s := db.str("village_code"); s != nil {
			d.VillageCode = *s
		}
		if n := db.whole("dividend_fen"); n != nil {
			d.DividendFen = *n
		}
		for f, msg := range db.v.Fields {
			b.v.Add(fmt.Sprintf("dividends[%d].%s", i, f), msg)
		}
		divs = append(divs, d)
	}
	if revenue == nil {
		b.v.Add("revenue_fen", "请填写营业收入（分）")
	}
	if profit == nil {
		b.v.Add("profit_fen", "请填写利润（分）")
	}
	if err := b.err(); err != nil {
		return err
	}
	r := ""
	if reason != nil {
		r = *reason
	}
	if _, err := models.SetCompanyYear(h.db(c), actorOf(c), id, year, *revenue, *profit, divs, r); err != nil {
		return err
	}
	d, err := models.GetCompany(h.db(c), actorOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, companyDetailJSON(d))
}

// companyInScope checks a company id against the caller's scope.
func (h *Handler) companyInScope(c echo.Context) func(uint) error {
	return func(id uint) error {
		_, err := models.GetCompany(h.db(c), actorOf(c), id)
		return err
	}
}

// companyStatus answers POST /api/v1/companies/:id/dissolve and /restore {"on":
// "YYYY-MM-DD"}: a dated entry of the company's history.
func (h *Handler) companyStatus(c echo.Context, kind string) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	m, err := decodeObject(c.Request().Body, false)
	if err != nil {
		return err
	}
	b := newBinder(m)
	on := dateField(b, "on")
	if err := b.err(); err != nil {
		return err
	}
	e, err := models.SetCompanyStatus(h.db(c), actorOf(c), id, kind, on)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"company_id": e.CompanyID, "kind": e.Kind,
		"on": e.On.In(models.Shanghai).Format("2006-01-02"), "recorded_at": e.RecordedAt, "recorded_by": e.RecordedBy})
}

// APICompanyDissolve is POST /api/v1/companies/:id/dissolve {"on"}: 注销, as history.
func (h *Handler) APICompanyDissolve(c echo.Context) error {
	return h.companyStatus(c, models.CompanyDissolved)
}

// APICompanyRestore is POST /api/v1/companies/:id/restore {"on"}: restored, as history.
func (h *Handler) APICompanyRestore(c echo.Context) error {
	return h.companyStatus(c, models.CompanyRestored)
}
