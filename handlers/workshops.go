package handlers

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"cunji/models"

	"github.com/labstack/echo/v4"
)

// workshopForm is the workshop form as typed.
type workshopForm struct {
	Name, Type, Partner, Owner, State, Note string
	Employed, LowIncome, AvgIncrease        string
	FoundedOn, ClosedOn                     string
	Version                                 int
}

// dayText is a date for a form, or "".
func dayText(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.In(models.Shanghai).Format("2006-01-02")
}

func workshopFormOf(v *models.WorkshopVersion) workshopForm {
	if v == nil {
		return workshopForm{Type: models.WorkshopTypes[0], State: models.WorkshopStates[0], Employed: "0", LowIncome: "0", AvgIncrease: "0"}
	}
	return workshopForm{Name: v.Name, Type: v.Type, Partner: v.Partner, Owner: v.Owner, State: v.State, Note: v.Note,
		Employed: strconv.Itoa(v.Employed), LowIncome: strconv.Itoa(v.LowIncomeEmployed),
		AvgIncrease: models.FormatWanExact(v.AvgIncomeIncreaseFen * 100), Version: v.Version,
		FoundedOn: dayText(v.FoundedOn), ClosedOn: dayText(v.ClosedOn)}
}

// bindWorkshopForm reads the page form; the income increase is in 元 per month.
func bindWorkshopForm(c echo.Context) (workshopForm, models.WorkshopInput, map[string]string) {
	f := workshopForm{Name: c.FormValue("name"), Type: c.FormValue("type"), Partner: c.FormValue("partner"),
		Owner: c.FormValue("owner"), State: c.FormValue("state"), Note: c.FormValue("note"),
		Employed: c.FormValue("employed"), LowIncome: c.FormValue("low_income_employed"), AvgIncrease: c.FormValue("avg_income_increase"),
		FoundedOn: strings.TrimSpace(c.FormValue("founded_on")), ClosedOn: strings.TrimSpace(c.FormValue("closed_on"))}
	errs := map[string]string{}
	in := models.WorkshopInput{Name: &f.Name, Type: &f.Type, Partner: &f.Partner, Owner: &f.Owner, State: &f.State, Note: &f.Note}
	f.Version, _ = strconv.Atoi(c.FormValue("version"))
	in.Version = f.Version
	num := func(s, key string) *int {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			errs[key] = "须为整数"
			return nil
		}
		return &n
	}
	in.Employed, in.LowIncomeEmployed = num(f.Employed, "employed"), num(f.LowIncome, "low_income_employed")
	day := func(s, key string) *time.Time {
		if s == "" {
			return nil
		}
		t, err := time.ParseInLocation("2006-01-02", s, models.Shanghai)
		if err != nil {
			errs[key] = "须为日期，如 2024-05-01"
			return nil
		}
		return &t
	}
	in.FoundedOn, in.ClosedOn = day(f.FoundedOn, "founded_on"), day(f.ClosedOn, "closed_on")
	// 元 with up to two decimals, parsed exactly; the bounds are the model's.
	if fen, err := models.ParseYuan(f.AvgIncrease); err != nil {
		errs["avg_income_increase_fen"] = "须为金额（元），最多两位小数"
	} else {
		in.AvgIncomeIncreaseFen = &fen
	}
	return f, in, errs
}

type workshopPage struct {
	Detail      *models.WorkshopDetail
	Files       map[uint][]models.EvidenceFile
	Usage       *models.EvidenceUsage // the quotas beside the upload form
	Form        workshopForm
	Editable    bool
	Submittable bool
	Reviewable  bool
	Types       []string
	States      []string
	Reason      string
	New         bool
	VillageCode string
	// Of a street's workshop (in a 社区, 园区 or enterprise): the new form's site
	// choices and values, and whether the officer's change counts as entered.
	OfStreet       bool
	Sites          []string
	Site, SiteName string
	// Stars is the district's star evaluations, oldest first.
	Stars []models.WorkshopStar
}

func (h *Handler) workshopPageData(c echo.Context, d *models.WorkshopDetail) (*workshopPage, error) {
	u := userOf(c)
	p := &workshopPage{Detail: d, Types: models.WorkshopTypes, States: models.WorkshopStates, VillageCode: d.Workshop.Host()}
	ids := make([]uint, len(d.History))
	for i := range d.History {
		ids[i] = d.History[i].ID
	}
	var err error
	if p.Files, err = models.ListEvidence(h.db(c), models.EvidenceWorkshop, ids); err != nil {
		return nil, err
	}
	p.OfStreet = d.Workshop.OfStreet()
	p.Editable = u.Role == models.RoleVillage && (d.Open == nil || d.Open.Status == models.StatusDraft)
	if p.OfStreet {
		p.Editable = u.Role == models.RoleStreet
	}
	if p.Stars, err = models.WorkshopStars(h.db(c), d.Workshop.ID); err != nil {
		return nil, err
	}
	p.Submittable = u.Role == models.RoleVillage && d.Open != nil && d.Open.Status == models.StatusDraft
	if p.Submittable {
		if p.Usage, err = models.EvidenceUsageOf(h.db(c), h.EvidenceLimits, models.EvidenceWorkshop, d.Open.ID, d.Workshop.Host()); err != nil {
			return nil, err
		}
	}
	p.Reviewable = u.Role == models.RoleStreet && d.Open != nil && d.Open.Status == models.StatusSubmitted
	base := d.Open
	if base == nil && len(d.History) > 0 {
		base = &d.History[0]
	}
	p.Form = workshopFormOf(base)
	p.Form.Version = 0
	if d.Open != nil {
		p.Form.Version = d.Open.Version
	}
	if p.OfStreet && len(d.History) > 0 {
		p.Form.Version = d.History[0].Version // a street's change follows the latest version
	}
	return p, nil
}

func (h *Handler) renderWorkshop(c echo.Context, status int, id uint, form *workshopForm, reason string, errs map[string]string) error {
	d, err := models.GetWorkshop(h.db(c), actorOf(c), id)
	if err != nil {
		return err
	}
	p, err := h.workshopPageData(c, d)
	if err != nil {
		return err
	}
	if form != nil {
		p.Form = *form
	}
	p.Reason = reason
	title := d.Name()
	if title == "" {
		title = "共富工坊"
	}
	return h.render(c, status, "workshop", title, p, errs)
}

// WorkshopShow is GET /workshops/:id.
func (h *Handler) WorkshopShow(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	return h.renderWorkshop(c, http.StatusOK, id, nil, "", nil)
}

// WorkshopNewForm is GET /villages/:code/workshops/new (the village's cadre).
func (h *Handler) WorkshopNewForm(c echo.Context) error {
	if err := h.villageInScope(c, c.Param("code")); err != nil {
		return err
	}
	p := &workshopPage{New: true, Editable: true, Form: workshopFormOf(nil), Types: models.WorkshopTypes,
		States: models.WorkshopStates, VillageCode: c.Param("code")}
	return h.render(c, http.StatusOK, "workshop", "登记共富工坊", p, nil)
}

// WorkshopCreate is POST /villages/:code/workshops/new.
func (h *Handler) WorkshopCreate(c echo.Context) error {
	code := c.Param("code")
	form, in, errs := bindWorkshopForm(c)
	rerender := func(status int, errs map[string]string) error {
		p := &workshopPage{New: true, Editable: true, Form: form, Types: models.WorkshopTypes, States: models.WorkshopStates, VillageCode: code}
		return h.render(c, status, "workshop", "登记共富工坊", p, errs)
	}
	if len(errs) > 0 {
		if err := h.villageInScope(c, code); err != nil {
			return err // nothing is validated for a village outside the scope
		}
		errs["form"] = "请修正标出的项目"
		return rerender(http.StatusUnprocessableEntity, errs)
	}
	d, err := models.CreateWorkshop(h.db(c), actorOf(c), code, in)
	if err != nil {
		return h.pageError(c, err, rerender)
	}
	return redirectFlash(c, "/workshops/"+strconv.FormatUint(uint64(d.Workshop.ID), 10), "已登记草稿，请上传凭据后提交审核")
}

// StreetWorkshopNewForm is GET /workshops/new (a street's officer): a workshop in a
// 社区, 园区 or enterprise, registered under the street.
func (h *Handler) StreetWorkshopNewForm(c echo.Context) error {
	p := &workshopPage{New: true, OfStreet: true, Editable: true, Form: workshopFormOf(nil), Types: models.WorkshopTypes,
		States: models.WorkshopStates, Sites: models.WorkshopSites[1:], Site: models.WorkshopSites[1]}
	return h.render(c, http.StatusOK, "workshop", "登记街道的共富工坊", p, nil)
}

// StreetWorkshopCreate is POST /workshops/new (a street's officer).
func (h *Handler) StreetWorkshopCreate(c echo.Context) error {
	form, in, errs := bindWorkshopForm(c)
	site, siteName := c.FormValue("site"), c.FormValue("site_name")
	rerender := func(status int, errs map[string]string) error {
		p := &workshopPage{New: true, OfStreet: true, Editable: true, Form: form, Types: models.WorkshopTypes,
			States: models.WorkshopStates, Sites: models.WorkshopSites[1:], Site: site, SiteName: siteName}
		return h.render(c, status, "workshop", "登记街道的共富工坊", p, errs)
	}
	if len(errs) > 0 {
		errs["form"] = "请修正标出的项目"
		return rerender(http.StatusUnprocessableEntity, errs)
	}
	d, err := models.CreateStreetWorkshop(h.db(c), actorOf(c), site, siteName, in)
	if err != nil {
		return h.pageError(c, err, rerender)
	}
	return redirectFlash(c, "/workshops/"+strconv.FormatUint(uint64(d.Workshop.ID), 10), "已登记，直接计入本街道和全区的汇总")
}

// WorkshopSave is POST /workshops/:id (the cadre's form; the officer's for a
// workshop of the street).
func (h *Handler) WorkshopSave(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if _, err := models.GetWorkshop(h.db(c), actorOf(c), id); err != nil {
		return err
	}
	form, in, errs := bindWorkshopForm(c)
	rerender := func(status int, errs map[string]string) error {
		return h.renderWorkshop(c, status, id, &form, "", errs)
	}
	if len(errs) > 0 {
		errs["form"] = "请修正标出的项目"
		return rerender(http.StatusUnprocessableEntity, errs)
	}
	v, err := models.SaveWorkshopDraft(h.db(c), actorOf(c), id, in)
	if err != nil {
		return h.pageError(c, err, rerender)
	}
	back := "/workshops/" + c.Param("id")
	if v.Status == models.StatusApproved {
		return redirectFlash(c, back, "已保存，直接生效")
	}
	if c.FormValue("action") == "submit" {
		if _, err := models.SubmitWorkshop(h.db(c), actorOf(c), id, &v.Version); err != nil {
			return h.pageError(c, err, rerender)
		}
		return redirectFlash(c, back, "已保存并提交，等待街道审核")
	}
	return redirectFlash(c, back, "草稿已保存")
}

// workshopChangePage applies one transition from the workshop page and redirects
// back with done as the flash message.
func (h *Handler) workshopChangePage(c echo.Context, change workshopChange, done string) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	v, err := formVersion(c)
	if err != nil {
		return err
	}
	if _, err = change(h.db(c), actorOf(c), id, v, c.FormValue("reason")); err != nil {
		return h.pageError(c, err, func(status int, errs map[string]string) error {
			return h.renderWorkshop(c, status, id, nil, c.FormValue("reason"), errs)
		})
	}
	return redirectFlash(c, "/workshops/"+c.Param("id"), done)
}

// WorkshopSubmit is POST /workshops/:id/submit (village).
func (h *Handler) WorkshopSubmit(c echo.Context) error {
	return h.workshopChangePage(c, submitWorkshop, "已提交，等待街道审核")
}

// WorkshopApprove is POST /workshops/:id/approve (street).
func (h *Handler) WorkshopApprove(c echo.Context) error {
	return h.workshopChangePage(c, h.countApprovals(approveWorkshop), "已审核通过")
}

// WorkshopReject is POST /workshops/:id/reject (street).
func (h *Handler) WorkshopReject(c echo.Context) error {
	return h.workshopChangePage(c, models.RejectWorkshop, "已退回")
}

// WorkshopStar is POST /workshops/:id/star (district).
func (h *Handler) WorkshopStar(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	level, lerr := strconv.Atoi(c.FormValue("star_level"))
	if lerr != nil {
		level = -1
	}
	if _, err := models.SetWorkshopStar(h.db(c), actorOf(c), id, level, strings.TrimSpace(c.FormValue("evaluated_on"))); err != nil {
		return h.pageError(c, err, func(status int, errs map[string]string) error {
			return h.renderWorkshop(c, status, id, nil, "", errs)
		})
	}
	return redirectFlash(c, "/workshops/"+c.Param("id"), "星级评定已保存")
}

type workshopsPage struct {
	Rows    []models.WorkshopRow
	Filter  models.WorkshopFilter
	Star    string
	Streets []models.Street
	Types   []string
	States  []string
}

// WorkshopList is GET /workshops (street, district) with filters.
func (h *Handler) WorkshopList(c echo.Context) error {
	f, err := workshopFilter(c)
	if err != nil {
		return err
	}
	rows, err := models.ListWorkshops(h.db(c), actorOf(c), f)
	if err != nil {
		return err
	}
	p := workshopsPage{Rows: rows, Filter: f, Star: c.QueryParam("star"), Types: models.WorkshopTypes, States: models.WorkshopStates}
	if p.Streets, err = models.ListStreets(h.db(c), actorOf(c)); err != nil {
		return err
	}
	return h.render(c, http.StatusOK, "workshops", "共富工坊", p, nil)
}
