package handlers

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"cunji/models"

	"github.com/labstack/echo/v4"
)

// villageRow is one line of the village list page.
type villageRow struct {
	Village  models.Village
	Approved *models.ReportVersion
	Open     *models.ReportVersion
}

type villagesPage struct {
	Rows    []villageRow
	Total   int64
	Filter  models.VillageFilter
	Streets []models.Street
	Types   []string
	Years   []int
	Year    int
}

func villageFilter(c echo.Context) (models.VillageFilter, error) {
	f := models.VillageFilter{Street: c.QueryParam("street"), Type: c.QueryParam("type"), Q: c.QueryParam("q")}
	var err error
	if f.Limit, err = queryInt(c, "limit", 0); err != nil {
		return f, err
	}
	if f.Offset, err = queryInt(c, "offset", 0); err != nil {
		return f, err
	}
	if f.Limit < 0 || f.Offset < 0 {
		return f, models.Invalid("limit", "limit 与 offset 不能为负数")
	}
	return f, nil
}

// VillageList is GET /villages: the villages of the caller's scope with the year's
// approved figures and open versions.
func (h *Handler) VillageList(c echo.Context) error {
	a := actorOf(c)
	f, err := villageFilter(c)
	if err != nil {
		return err
	}
	year, err := h.queryYear(c)
	if err != nil {
		return err
	}
	// A year outside the reporting years shows the default one.
	if err := models.CheckYear(h.db(c), year); err != nil {
		var invalid *models.ValidationError
		if !errors.As(err, &invalid) {
			return err
		}
		if year, err = h.defaultYear(c); err != nil {
			return err
		}
	}
	vs, total, err := models.ListVillages(h.db(c), a, f)
	if err != nil {
		return err
	}
	approved, open, err := models.YearStatus(h.db(c), a, year)
	if err != nil {
		return err
	}
	years, err := models.Years(h.db(c))
	if err != nil {
		return err
	}
	p := villagesPage{Total: total, Filter: f, Types: models.VillageTypes, Years: years, Year: year}
	for _, v := range vs {
		p.Rows = append(p.Rows, villageRow{Village: v, Approved: approved[v.Code], Open: open[v.Code]})
	}
	if p.Streets, err = models.ListStreets(h.db(c), a); err != nil {
		return err
	}
	return h.render(c, http.StatusOK, "villages", "村列表", p, nil)
}

type villagePage struct {
	Village   *models.Village
	Years     []models.YearFigures
	Workshops []models.WorkshopDetail
	Companies any
}

// VillageShow is GET /villages/:code: the village and its years.
func (h *Handler) VillageShow(c echo.Context) error {
	v, err := actorOf(c).FindVillage(h.db(c), c.Param("code"))
	if err != nil {
		return err
	}
	p := villagePage{Village: v}
	if p.Years, err = models.VillageYears(h.db(c), v.Code); err != nil {
		return err
	}
	if p.Workshops, err = models.ListVillageWorkshops(h.db(c), actorOf(c), v.Code); err != nil {
		return err
	}
	if p.Companies, err = models.VillageCompanies(h.db(c), v.Code); err != nil {
		return err
	}
	return h.render(c, http.StatusOK, "village", v.Name, p, nil)
}

// villageFormPage is the data of the master-data form.
type villageFormPage struct {
	New                                                   bool
	Code, Name, StreetCode, Type, ActiveFrom, ActiveUntil string
	Streets                                               []models.Street
	Types                                                 []string
}

// VillageNewForm is GET /villages/new (district).
func (h *Handler) VillageNewForm(c echo.Context) error {
	return h.villageForm(c, http.StatusOK, villageFormPage{New: true, ActiveFrom: strconv.Itoa(models.FirstYear)}, nil)
}

// VillageEditForm is GET /villages/:code/edit (district).
func (h *Handler) VillageEditForm(c echo.Context) error {
	v, err := actorOf(c).FindVillage(h.db(c), c.Param("code"))
	if err != nil {
		return err
	}
	p := villageFormPage{Code: v.Code, Name: v.Name, StreetCode: v.StreetCode, Type: v.Type, ActiveFrom: strconv.Itoa(v.ActiveFrom)}
	if v.ActiveUntil != nil {
		p.ActiveUntil = strconv.Itoa(*v.ActiveUntil)
	}
	return h.villageForm(c, http.StatusOK, p, nil)
}

func (h *Handler) villageForm(c echo.Context, status int, p villageFormPage, errs map[string]string) error {
	var err error
	if p.Streets, err = models.ListStreets(h.db(c), actorOf(c)); err != nil {
		return err
	}
	p.Types = models.VillageTypes
	title := "修改村基本信息"
	if p.New {
		title = "新增村"
	}
	return h.render(c, status, "village_form", title, p, errs)
}

// villageInputFromForm reads the master-data form.
func villageInputFromForm(c echo.Context, p *villageFormPage) (models.VillageInput, map[string]string) {
	errs := map[string]string{}
	p.Name, p.StreetCode, p.Type = c.FormValue("name"), c.FormValue("street_code"), c.FormValue("type")
	p.ActiveFrom, p.ActiveUntil = strings.TrimSpace(c.FormValue("active_from")), strings.TrimSpace(c.FormValue("active_until"))
	in := models.VillageInput{Code: p.Code, Name: &p.Name, StreetCode: &p.StreetCode, Type: &p.Type}
	if n, err := strconv.Atoi(p.ActiveFrom); err == nil {
		in.ActiveFrom = &n
	} else {
		errs["active_from"] = "起始年度须为整数"
	}
	if p.ActiveUntil == "" {
		in.ClearUntil = true
	} else if n, err := strconv.Atoi(p.ActiveUntil); err == nil {
		in.ActiveUntil = &n
	} else {
		errs["active_until"] = "终止年度须为整数或留空"
	}
	return in, errs
}

// VillageCreate is POST /villages/new (district).
func (h *Handler) VillageCreate(c echo.Context) error {
	p := villageFormPage{New: true, Code: strings.TrimSpace(c.FormValue("code"))}
	in, errs := villageInputFromForm(c, &p)
	if len(errs) > 0 {
		return h.villageForm(c, http.StatusUnprocessableEntity, p, errs)
	}
	v, err := models.CreateVillage(h.db(c), actorOf(c), in)
	if err != nil {
		return h.pageError(c, err, func(status int, errs map[string]string) error { return h.villageForm(c, status, p, errs) })
	}
	return redirectFlash(c, "/villages/"+v.Code, "已新增 "+v.Name)
}

// VillageUpdate is POST /villages/:code/edit (district).
func (h *Handler) VillageUpdate(c echo.Context) error {
	p := villageFormPage{Code: c.Param("code")}
	in, errs := villageInputFromForm(c, &p)
	if len(errs) > 0 {
		return h.villageForm(c, http.StatusUnprocessableEntity, p, errs)
	}
	v, err := models.UpdateVillage(h.db(c), actorOf(c), in)
	if err != nil {
		return h.pageError(c, err, func(status int, errs map[string]string) error { return h.villageForm(c, status, p, errs) })
	}
	return redirectFlash(c, "/villages/"+v.Code, "已保存")
}
