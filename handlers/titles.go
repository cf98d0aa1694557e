package handlers

import (
	"net/http"
	"strconv"
	"strings"

	"cunji/models"

	"github.com/labstack/echo/v4"
)

// titlesPage is the district's title register: the entries and the forms to name
// and to revoke.
type titlesPage struct {
	Entries []models.TitleEntry
	Revoked map[uint]bool
	Years   []int
}

func (h *Handler) titlesRender(c echo.Context, status int, errs map[string]string) error {
	es, err := models.ListTitles(h.db(c), actorOf(c), models.TitleFilter{Village: c.QueryParam("village")})
	if err != nil {
		return err
	}
	years, err := models.Years(h.db(c))
	if err != nil {
		return err
	}
	p := titlesPage{Entries: es, Revoked: map[uint]bool{}, Years: years}
	for _, e := range es {
		if e.RevokesID != nil {
			p.Revoked[*e.RevokesID] = true
		}
	}
	return h.render(c, status, "titles", "称号登记簿", p, errs)
}

// TitlesShow is GET /titles (district): the register of namings and revocations.
func (h *Handler) TitlesShow(c echo.Context) error { return h.titlesRender(c, http.StatusOK, nil) }

func (h *Handler) titleFail(c echo.Context, err error) error {
	return h.pageError(c, err, func(status int, errs map[string]string) error { return h.titlesRender(c, status, errs) })
}

// TitleName is POST /titles (district): one naming from the form.
func (h *Handler) TitleName(c echo.Context) error {
	verr := &models.ValidationError{}
	level, _ := strconv.Atoi(c.FormValue("level"))
	year, err := strconv.Atoi(c.FormValue("year"))
	if err != nil {
		verr.Add("year", "年度须为整数")
	}
	on, ok := parseLocal(c.FormValue("named_on"))
	if !ok {
		verr.Add("named_on", "请填写命名日期")
	}
	if err := verr.Err(); err != nil {
		return h.titleFail(c, err)
	}
	in := models.TitleInput{VillageCode: strings.TrimSpace(c.FormValue("village_code")), Title: c.FormValue("title"),
		Level: level, Year: year, NamedOn: on, DocumentNo: c.FormValue("document_no")}
	if in.Title == models.TitleHemei {
		in.Level = 0
	}
	if _, err := models.NameTitle(h.db(c), actorOf(c), in); err != nil {
		if err == models.ErrNotFound {
			err = models.Invalid("village_code", "村代码不存在")
		}
		return h.titleFail(c, err)
	}
	return redirectFlash(c, "/titles", "命名已登记")
}

// TitleRevoke is POST /titles/:id/revoke (district): a revocation from the form.
func (h *Handler) TitleRevoke(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	on, ok := parseLocal(c.FormValue("revoked_on"))
	if !ok {
		return h.titleFail(c, models.Invalid("revoked_on", "请填写撤销日期"))
	}
	if _, err := models.RevokeTitle(h.db(c), actorOf(c), id, on, c.FormValue("reason")); err != nil {
		return h.titleFail(c, err)
	}
	return redirectFlash(c, "/titles", "已撤销该命名")
}
