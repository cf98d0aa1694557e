package handlers

import (
	"net/http"
	"strconv"

	"cunji/models"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"
)

func workshopVersionJSON(v *models.WorkshopVersion, files []models.EvidenceFile) map[string]any {
	if v == nil {
		return nil
	}
	return map[string]any{"seq": v.Seq, "status": v.Status, "version": v.Version, "name": v.Name, "type": v.Type,
		"partner": v.Partner, "owner": v.Owner, "state": v.State, "employed": v.Employed,
		"low_income_employed": v.LowIncomeEmployed, "avg_income_increase_fen": v.AvgIncomeIncreaseFen, "note": v.Note,
		"submitted_at": rfc3339(v.SubmittedAt), "reviewed_at": rfc3339(v.ReviewedAt), "reviewer": nonEmpty(v.Reviewer),
		"reject_reason": nonEmpty(v.RejectReason), "files": filesJSON(files),
		"founded_on": nonEmpty(dayText(v.FoundedOn)), "closed_on": nonEmpty(dayText(v.ClosedOn))}
}

func (h *Handler) workshopJSON(c echo.Context, d *models.WorkshopDetail) (map[string]any, error) {
	ids := make([]uint, len(d.History))
	for i := range d.History {
		ids[i] = d.History[i].ID
	}
	files, err := models.ListEvidence(h.db(c), models.EvidenceWorkshop, ids)
	if err != nil {
		return nil, err
	}
	one := func(v *models.WorkshopVersion) map[string]any {
		if v == nil {
			return nil
		}
		return workshopVersionJSON(v, files[v.ID])
	}
	hist := make([]map[string]any, len(d.History))
	for i := range d.History {
		hist[i] = one(&d.History[i])
	}
	return map[string]any{"id": d.Workshop.ID, "village_code": d.Workshop.VillageCode, "street_code": d.Workshop.StreetCode,
		"site": d.Workshop.Site, "site_name": d.Workshop.SiteName, "star_level": d.Workshop.StarLevel,
		"star_evaluated_on": d.Workshop.StarEvaluatedOn, "approved": one(d.Approved), "open": one(d.Open), "history": hist}, nil
}

// starsJSON is a workshop's star evaluations, oldest first.
func starsJSON(ss []models.WorkshopStar) []map[string]any {
	out := make([]map[string]any, len(ss))
	for i, s := range ss {
		out[i] = map[string]any{"level": s.Level, "evaluated_on": s.EvaluatedOn, "recorded_at": s.RecordedAt, "recorded_by": s.RecordedBy}
	}
	return out
}

// APIStreetWorkshopCreate is POST /api/v1/workshops (a street's officer): a workshop
// in a 社区, 园区 or enterprise registered under the street, with "site" and
// "site_name" beside the workshop's fields; it counts as entered.
func (h *Handler) APIStreetWorkshopCreate(c echo.Context) error {
	m, err := decodeObject(c.Request().Body, false)
	if err != nil {
		return err
	}
	b := newBinder(m)
	in := bindWorkshop(b)
	site, name := "", ""
	if s := b.str("site"); s != nil {
		site = *s
	}
	if s := b.str("site_name"); s != nil {
		name = *s
	}
	if err := b.err(); err != nil {
		return err
	}
	d, err := models.CreateStreetWorkshop(h.db(c), actorOf(c), site, name, in)
	if err != nil {
		return err
	}
	j, err := h.workshopJSON(c, d)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, j)
}

// bindWorkshop reads a workshop edit from a JSON body.
func bindWorkshop(b *binder) models.WorkshopInput {
	in := models.WorkshopInput{Name: b.str("name"), Type: b.str("type"), Partner: b.str("partner"), Owner: b.str("owner"),
		State: b.str("state"), Note: b.str("note"),
		Employed: b.count("employed"), LowIncomeEmployed: b.count("low_income_employed"),
		AvgIncomeIncreaseFen: b.whole("avg_income_increase_fen"),
		FoundedOn:            optDate(b, "founded_on"), ClosedOn: optDate(b, "closed_on")}
	if v := b.small("version", 0, 1<<31-1); v != nil {
		in.Version = *v
	}
	return in
}

// APIVillageWorkshops is GET /api/v1/villages/:code/workshops.
func (h *Handler) APIVillageWorkshops(c echo.Context) error {
	list, err := models.ListVillageWorkshops(h.db(c), actorOf(c), c.Param("code"))
	if err != nil {
		return err
	}
	out := make([]map[string]any, 0, len(list))
	for i := range list {
		j, err := h.workshopJSON(c, &list[i])
		if err != nil {
			return err
		}
		out = append(out, j)
	}
	return c.JSON(http.StatusOK, map[string]any{"village_code": c.Param("code"), "workshops": out})
}

// APIWorkshopCreate is POST /api/v1/villages/:code/workshops (the village's cadre).
func (h *Handler) APIWorkshopCreate(c echo.Context) error {
	a := actorOf(c)
	m, err := decodeObject(c.Request().Body, false)
	if err != nil {
		return h.outOfScope(c, c.Param("code"), err)
	}
	b := newBinder(m)
	in := bindWorkshop(b)
	if err := b.err(); err != nil {
		return h.outOfScope(c, c.Param("code"), err)
	}
	d, err := models.CreateWorkshop(h.db(c), a, c.Param("code"), in)
	if err != nil {
		return err
	}
	j, err := h.workshopJSON(c, d)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, j)
}

// APIWorkshopShow is GET /api/v1/workshops/:id.
func (h *Handler) APIWorkshopShow(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	d, err := models.GetWorkshop(h.db(c), actorOf(c), id)
	if err != nil {
		return err
	}
	j, err := h.workshopJSON(c, d)
	if err != nil {
		return err
	}
	stars, err := models.WorkshopStars(h.db(c), id)
	if err != nil {
		return err
	}
	j["stars"] = starsJSON(stars)
	return c.JSON(http.StatusOK, j)
}

// APIWorkshopSave is PUT /api/v1/workshops/:id: the village's cadre edits the draft
// of a village's workshop; the street's officer changes a workshop of the street,
// which counts as entered.
func (h *Handler) APIWorkshopSave(c echo.Context) error {
	id, b, err := scopedBody(c, h.workshopInScope(c), false)
	if err != nil {
		return err
	}
	in := bindWorkshop(b)
	if err := b.err(); err != nil {
		return err
	}
	v, err := models.SaveWorkshopDraft(h.db(c), actorOf(c), id, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, workshopVersionJSON(v, nil))
}

// workshopChange is one transition of a workshop's open version: submit, approve or
// reject, given the version the caller saw and an optional reason.
type workshopChange func(db *gorm.DB, a *models.Actor, id uint, version *int, reason string) (*models.WorkshopVersion, error)

func submitWorkshop(db *gorm.DB, a *models.Actor, id uint, version *int, _ string) (*models.WorkshopVersion, error) {
	return models.SubmitWorkshop(db, a, id, version)
}

func approveWorkshop(db *gorm.DB, a *models.Actor, id uint, version *int, _ string) (*models.WorkshopVersion, error) {
	return models.ApproveWorkshop(db, a, id, version)
}

// countApprovals counts the workshop approvals that change makes.
func (h *Handler) countApprovals(change workshopChange) workshopChange {
	return func(db *gorm.DB, a *models.Actor, id uint, version *int, reason string) (*models.WorkshopVersion, error) {
		v, err := change(db, a, id, version, reason)
		h.Metrics.approvedOne("workshop", err)
		return v, err
	}
}

// apiWorkshopChange answers one transition of the API: {"version","reason"} in, the
// changed version out.
func (h *Handler) apiWorkshopChange(c echo.Context, change workshopChange) error {
	id, b, err := scopedBody(c, h.workshopInScope(c), true)
	if err != nil {
		return err
	}
	version := b.small("version", 0, 1<<31-1)
	reason := b.str("reason")
	if err := b.err(); err != nil {
		return err
	}
	r := ""
	if reason != nil {
		r = *reason
	}
	v, err := change(h.db(c), actorOf(c), id, version, r)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, workshopVersionJSON(v, nil))
}

// APIWorkshopSubmit is POST /api/v1/workshops/:id/submit {"version"} (village).
func (h *Handler) APIWorkshopSubmit(c echo.Context) error {
	return h.apiWorkshopChange(c, submitWorkshop)
}

// APIWorkshopApprove is POST /api/v1/workshops/:id/approve {"version"} (street).
func (h *Handler) APIWorkshopApprove(c echo.Context) error {
	return h.apiWorkshopChange(c, h.countApprovals(approveWorkshop))
}

// APIWorkshopReject is POST /api/v1/workshops/:id/reject {"version","reason"} (street).
func (h *Handler) APIWorkshopReject(c echo.Context) error {
	return h.apiWorkshopChange(c, models.RejectWorkshop)
}

// APIWorkshopStar is PUT /api/v1/workshops/:id/star {"star_level","evaluated_on"} (district).
func (h *Handler) APIWorkshopStar(c echo.Context) error {
	id, b, err := scopedBody(c, h.workshopInScope(c), false)
	if err != nil {
		return err
	}
	level := b.small("star_level", -1000, 1000)
	on := b.str("evaluated_on")
	if level == nil {
		b.v.Add("star_level", "请填写星级 0–5")
	}
	if on == nil {
		b.v.Add("evaluated_on", "请填写评定日期")
	}
	if err := b.err(); err != nil {
		return err
	}
	w, err := models.SetWorkshopStar(h.db(c), actorOf(c), id, *level, *on)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"id": w.ID, "star_level": w.StarLevel, "star_evaluated_on": w.StarEvaluatedOn})
}

func workshopFilter(c echo.Context) (models.WorkshopFilter, error) {
	f := models.WorkshopFilter{Street: c.QueryParam("street"), Type: c.QueryParam("type"), State: c.QueryParam("state")}
	if s := c.QueryParam("star"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			return f, models.Invalid("star", "星级须为整数")
		}
		f.Star = &n
	}
	return f, nil
}

// APIWorkshopList is GET /api/v1/workshops?street=&type=&state=&star=.
func (h *Handler) APIWorkshopList(c echo.Context) error {
	f, err := workshopFilter(c)
	if err != nil {
		return err
	}
	rows, err := models.ListWorkshops(h.db(c), actorOf(c), f)
	if err != nil {
		return err
	}
	out := make([]map[string]any, len(rows))
	for i, r := range rows {
		out[i] = map[string]any{"id": r.WorkshopID, "village_code": r.VillageCode, "village_name": r.VillageName,
			"street_name": r.StreetName, "name": r.Name, "type": r.Type, "state": r.State, "employed": r.Employed,
			"low_income_employed": r.LowIncomeEmployed, "star_level": r.StarLevel, "pending": nonEmpty(r.Pending)}
	}
	return c.JSON(http.StatusOK, map[string]any{"workshops": out, "total": len(out)})
}

// workshopInScope checks a workshop id against the caller's scope.
func (h *Handler) workshopInScope(c echo.Context) func(uint) error {
	return func(id uint) error {
		_, err := models.GetWorkshop(h.db(c), actorOf(c), id)
		return err
	}
}
