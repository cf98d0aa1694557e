package handlers

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"cunji/models"

	"github.com/labstack/echo/v4"
)

// A company's shareholders other than villages (国资, 平台公司, 企业, 合作社): the
// whole list replaced at once, on the page as lines of text, on the API as JSON.

func shareholderJSON(s *models.CompanyShareholder) map[string]any {
	return map[string]any{"name": s.Name, "kind": s.Kind, "share": shareNumber(s.ShareMicro), "share_micro": s.ShareMicro,
		"from_year": s.FromYear, "until_year": s.UntilYear}
}

// bindShareholders reads a list of other shareholders: name, kind, share (percent),
// from_year, until_year.
func bindShareholders(b *binder, key string) []models.ShareholderInput {
	var out []models.ShareholderInput
	for i, raw := range b.list(key) {
		sb := newBinder(raw)
		s := models.ShareholderInput{}
		if v := sb.str("name"); v != nil {
			s.Name = *v
		}
		if v := sb.str("kind"); v != nil {
			s.Kind = *v
		}
		if r, ok := raw["share"]; ok {
			if v, ok := parseShare(string(r)); ok {
				s.ShareMicro = v
			} else {
				b.v.Add(fmt.Sprintf("%s[%d].share", key, i), "持股比例须为大于 0、不超过 100 的百分数，最多 4 位小数")
			}
		} else {
			b.v.Add(fmt.Sprintf("%s[%d].share", key, i), "请填写持股比例")
		}
		if y := sb.small("from_year", 0, 9999); y != nil {
			s.FromYear = *y
		}
		s.UntilYear = sb.small("until_year", 0, 9999)
		for f, msg := range sb.v.Fields {
			b.v.Add(fmt.Sprintf("%s[%d].%s", key, i, f), msg)
		}
		out = append(out, s)
	}
	return out
}

// APICompanyShareholders is PUT /api/v1/companies/:id/shareholders
// {"version","shareholders":[{"name","kind","share","from_year","until_year"}]}.
func (h *Handler) APICompanyShareholders(c echo.Context) error {
	id, b, err := scopedBody(c, h.companyInScope(c), false)
	if err != nil {
		return err
	}
	version := b.small("version", 0, 1<<31-1)
	list := bindShareholders(b, "shareholders")
	if version == nil {
		b.v.Add("version", "请给出公司当前的版本号")
	}
	if err := b.err(); err != nil {
		return err
	}
	if _, err := models.SetShareholders(h.db(c), actorOf(c), id, *version, list); err != nil {
		return err
	}
	d, err := models.GetCompany(h.db(c), actorOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, companyDetailJSON(d))
}

// parseShareholderLines reads "名称 类别 持股比例% 起始年 [终止年]" lines.
func parseShareholderLines(text string) ([]models.ShareholderInput, error) {
	var out []models.ShareholderInput
	for i, line := range strings.Split(text, "\n") {
		f := splitLine(strings.TrimSpace(line))
		if len(f) == 0 {
			continue
		}
		bad := func(msg string) error {
			return models.Invalid("shareholders", fmt.Sprintf("第 %d 行：%s", i+1, msg))
		}
		if len(f) < 4 || len(f) > 5 {
			return nil, bad("须为“名称 类别 持股比例 起始年度 [终止年度]”")
		}
		share, ok := parseShare(f[2])
		if !ok {
			return nil, bad("持股比例须为大于 0、不超过 100 的百分数，最多 4 位小数")
		}
		from, err := strconv.Atoi(f[3])
		if err != nil {
			return nil, bad("起始年度须为整数")
		}
		s := models.ShareholderInput{Name: f[0], Kind: f[1], ShareMicro: share, FromYear: from}
		if len(f) == 5 {
			u, err := strconv.Atoi(f[4])
			if err != nil {
				return nil, bad("终止年度须为整数")
			}
			s.UntilYear = &u
		}
		out = append(out, s)
	}
	return out, nil
}

func shareholderLines(ss []models.CompanyShareholder) string {
	var b strings.Builder
	for _, s := range ss {
		fmt.Fprintf(&b, "%s %s %s %d", s.Name, s.Kind, strings.TrimSuffix(models.FormatShare(s.ShareMicro), "%"), s.FromYear)
		if s.UntilYear != nil {
			fmt.Fprintf(&b, " %d", *s.UntilYear)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// shareholderErrors folds the per-shareholder field errors into the page's field.
func shareholderErrors(err error) error {
	ve, ok := err.(*models.ValidationError)
	if !ok {
		return err
	}
	out := &models.ValidationError{}
	var lines []string
	for k, m := range ve.Fields {
		if strings.HasPrefix(k, "shareholders[") {
			n, _ := strconv.Atoi(strings.TrimPrefix(k[:strings.Index(k, "]")], "shareholders["))
			lines = append(lines, fmt.Sprintf("第 %d 行：%s", n+1, m))
			continue
		}
		out.Add(k, m)
	}
	if len(lines) > 0 {
		out.Add("shareholders", strings.Join(lines, "；"))
	}
	return out
}

// CompanyShareholdersSave is POST /companies/:id/shareholders: the whole list of
// other shareholders.
func (h *Handler) CompanyShareholdersSave(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	text := c.FormValue("shareholders")
	version, _ := strconv.Atoi(c.FormValue("version"))
	rerender := func(status int, errs map[string]string) error {
		return h.renderCompany(c, status, id, func(p *companyPage) { p.Form.Shareholders = text }, errs)
	}
	list, err := parseShareholderLines(text)
	if err == nil {
		_, err = models.SetShareholders(h.db(c), actorOf(c), id, version, list)
	}
	if err != nil {
		return h.pageError(c, shareholderErrors(err), rerender)
	}
	return redirectFlash(c, fmt.Sprintf("/companies/%d", id), "其他股东已保存")
}
