package handlers

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"cunji/models"
	"cunji/views"

	"github.com/labstack/echo/v4"
)

// overduePage is the 催报 list: the villages of the officer's scope that have not
// submitted a year in progress, with the deadline and the days past it.
type overduePage struct {
	Rows    []models.OverdueVillage
	Filter  models.OverdueFilter
	At      time.Time
	Streets []models.Street
	// Overdue counts the rows past their deadline.
	Overdue int
	// XLSX and CSV are the same list as files.
	XLSX, CSV template.URL
}

// OverdueShow is GET /overdue (street, district): the 催报 list, printable, or with
// format=xlsx|csv as a file. year and street (the district's) narrow it.
func (h *Handler) OverdueShow(c echo.Context) error {
	a := actorOf(c)
	var f models.OverdueFilter
	if y := c.QueryParam("year"); y != "" {
		n, err := strconv.Atoi(y)
		if err != nil || n < models.FirstYear || n > 2100 {
			return models.Invalid("year", "年度须为整数")
		}
		f.Year = n
	}
	if a.Role == models.RoleDistrict {
		f.Street = c.QueryParam("street")
	}
	at := time.Now()
	rows, err := models.ListOverdue(h.db(c), a, f, at)
	if err != nil {
		return err
	}
	if format := c.QueryParam("format"); format != "" {
		return sendTable(c, overdueTable(a, f, rows, at), format)
	}
	p := overduePage{Rows: rows, Filter: f, At: at}
	for _, r := range rows {
		if r.DaysOverdue > 0 {
			p.Overdue++
		}
	}
	link := url.Values{}
	if f.Year != 0 {
		link.Set("year", strconv.Itoa(f.Year))
	}
	if f.Street != "" {
		link.Set("street", f.Street)
	}
	link.Set("format", "xlsx")
	p.XLSX = template.URL("/overdue?" + link.Encode())
	link.Set("format", "csv")
	p.CSV = template.URL("/overdue?" + link.Encode())
	if a.Role == models.RoleDistrict {
		if p.Streets, err = models.ListStreets(h.db(c), a); err != nil {
			return err
		}
	}
	return h.render(c, http.StatusOK, "overdue", "催报名单", p, nil)
}

// overdueTable is the 催报 list as a table to download.
func overdueTable(a *models.Actor, f models.OverdueFilter, rows []models.OverdueVillage, at time.Time) *views.Table {
	scope := a.DistrictCode
	if a.Role == models.RoleStreet {
		scope = a.StreetCode
	} else if f.Street != "" {
		scope = f.Street
	}
	year := "各进行中年度"
	if f.Year != 0 {
		year = strconv.Itoa(f.Year) + " 年度"
	}
	t := &views.Table{Name: "overdue-" + scope,
		Title:  "催报名单（" + scope + "，" + year + "，截至 " + at.In(models.Shanghai).Format("2006-01-02 15:04") + "）",
		Header: []string{"街道", "村代码", "村", "类型", "年度", "状态", "截止时间", "逾期天数", "剩余天数"}}
	for _, r := range rows {
		// A village not yet due has days left, not 0 days overdue (as the page says).
		var overdue, left any = r.DaysOverdue, ""
		if r.DaysOverdue == 0 {
			overdue, left = "", r.DaysLeft
		}
		t.Rows = append(t.Rows, []any{r.StreetName, r.Code, r.Name, r.Type, r.Year, r.StatusText(),
			r.Deadline.In(models.Shanghai).Format("2006-01-02 15:04"), overdue, left})
	}
	return t
}
