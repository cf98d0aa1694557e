package handlers

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"cunji/models"
	"cunji/views"

	"github.com/labstack/echo/v4"
)

// moneyField is one amount input of the report form.
type moneyField struct {
	Key   string // the API field, also the error key
	Name  string // the form field
	Role  string // for the live preview script
	Label string
	Value string
	Error string
	Cmp   lastCell
}

// lastCell is one figure of the form beside last year's approved figure.
type lastCell struct {
	Has               bool
	For               string // the figure, for the live script
	Last, Delta, Rate string
	LastFen           int64
}

// reportForm is the report form as typed (or pre-filled).
type reportForm struct {
	Star    string
	Hemei   bool
	Money   []moneyField
	Note    string
	Version int
	// LastYear is the year compared with; Operating and Total are the derived
	// figures beside last year's.
	LastYear         int
	Operating, Total lastCell
}

// compareWithLastYear puts last year's approved figure, the difference and its
// rate beside every amount of the form, as typed (an amount that does not parse
// shows no difference).
func (f *reportForm) compareWithLastYear(year int, last *models.ReportVersion) {
	f.LastYear = year - 1
	if last == nil {
		return
	}
	var cur models.ReportVersion
	dsts := []*int64{&cur.BusinessFen, &cur.ContractFen, &cur.InvestmentFen, &cur.SubsidyFen, &cur.OtherFen, &cur.AssetsFen}
	ok := make([]bool, len(f.Money))
	for i := range f.Money {
		fen, err := models.ParseWan(f.Money[i].Value)
		if err == models.ErrWanEmpty {
			fen, err = 0, nil
		}
		*dsts[i], ok[i] = fen, err == nil
	}
	cur.Derive()
	byKey := map[string]models.Change{}
	for _, c := range models.Compare(&cur, last) {
		byKey[c.Key] = c
	}
	cell := func(key string, valid bool) lastCell {
		c := byKey[key]
		out := lastCell{Has: true, For: strings.TrimSuffix(key, "_fen"), Last: views.WanGrouped(c.Base), LastFen: c.Base, Delta: "—", Rate: "—"}
		if valid {
			out.Delta, out.Rate = views.WanDelta(c.Delta), views.RateDelta(c.Rate)
		}
		return out
	}
	for i := range f.Money {
		f.Money[i].Cmp = cell(f.Money[i].Key, ok[i])
	}
	f.Operating = cell("operating_fen", ok[0] && ok[1] && ok[2])
	f.Total = cell("total_fen", ok[0] && ok[1] && ok[2] && ok[3] && ok[4])
}

var moneyDefs = []moneyField{
	{Key: "business_fen", Name: "business_wan", Role: "business", Label: "经营收入"},
	{Key: "contract_fen", Name: "contract_wan", Role: "contract", Label: "发包及上交收入"},
	{Key: "investment_fen", Name: "investment_wan", Role: "investment", Label: "投资收益（可为负）"},
	{Key: "subsidy_fen", Name: "subsidy_wan", Role: "subsidy", Label: "补助收入"},
	{Key: "other_fen", Name: "other_wan", Role: "other", Label: "其他收入"},
	{Key: "assets_fen", Name: "assets_wan", Role: "assets", Label: "村集体资产总额（年末）"},
}

func formFromVersion(r *models.ReportVersion, version int) reportForm {
	f := reportForm{Star: strconv.Itoa(r.StarRating), Hemei: r.HemeiBuilt, Note: r.Note, Version: version}
	vals := []int64{r.BusinessFen, r.ContractFen, r.InvestmentFen, r.SubsidyFen, r.OtherFen, r.AssetsFen}
	for i, d := range moneyDefs {
		d.Value = models.FormatWanExact(vals[i])
		f.Money = append(f.Money, d)
	}
	return f
}

// bindReportForm reads the page form: amounts in 万元, parsed exactly to 分. It
// returns the form as typed (to re-render) and the input or the field errors.
func bindReportForm(c echo.Context) (reportForm, models.ReportInput, map[string]string) {
	errs := map[string]string{}
	var in models.ReportInput
	f := reportForm{Star: c.FormValue("star_rating"), Hemei: c.FormValue("hemei_built") != "", Note: c.FormValue("note")}
	v, err := strconv.Atoi(c.FormValue("version"))
	if err != nil || v < 0 {
		errs["form"] = "表单版本号无效，请刷新页面后重试"
	}
	f.Version, in.Version = v, v
	// Titles are the district's register's, not the cadre's to enter.
	in.Note = &f.Note
	dsts := []**int64{&in.BusinessFen, &in.ContractFen, &in.InvestmentFen, &in.SubsidyFen, &in.OtherFen, &in.AssetsFen}
	for i, d := range moneyDefs {
		d.Value = c.FormValue(d.Name)
		fen, err := models.ParseWan(d.Value)
		if err == models.ErrWanEmpty {
			fen, err = 0, nil
		}
		if err != nil {
			d.Error = err.Error()
			errs[d.Key] = d.Error
		} else {
			*dsts[i] = &fen
		}
		f.Money = append(f.Money, d)
	}
	// The version's own rules, so that every problem of the form shows at once.
	var verr models.ValidationError
	verr.Merge(in.Validate())
	for k, m := range verr.Fields {
		if _, ok := errs[k]; !ok {
			errs[k] = m
		}
	}
	for i := range f.Money {
		if f.Money[i].Error == "" {
			f.Money[i].Error = verr.Fields[f.Money[i].Key]
		}
	}
	return f, in, errs
}

// preview is the derived figures shown under the form.
type preview struct {
	Operating, Total string
	Meets            bool
}

// diffRow is one line of the comparison of an open version with the approved one,
// with last year's approved figure (and, for amounts, the difference and its rate)
// and the rejected version it corrects.
type diffRow struct {
	Label, Old, New string
	Changed         bool
	LastYear        string
	Delta, Rate     string
	Rejected        string
}

func diffRows(old, cur, lastYear, rejected *models.ReportVersion) []diffRow {
	if cur == nil {
		return nil
	}
	get := func(r *models.ReportVersion) []string {
		if r == nil {
			return []string{"—", "—", "—", "—", "—", "—", "—", "—", "—", "—"}
		}
		out := []string{starText(r.StarRating), yesNo(r.HemeiBuilt)}
		for _, a := range models.Amounts {
			out = append(out, views.WanGrouped(a.Of(r)))
		}
		return out
	}
	labels := []string{"星级", "和美乡村"}
	for _, a := range models.Amounts {
		labels = append(labels, a.Label+"（万元）")
	}
	o, n, l, rj := get(old), get(cur), get(lastYear), get(rejected)
	changes := models.Compare(cur, lastYear)
	rows := make([]diffRow, len(labels))
	for i, lb := range labels {
		rows[i] = diffRow{Label: lb, Old: o[i], New: n[i], Changed: old != nil && o[i] != n[i], LastYear: l[i], Rejected: rj[i],
			Delta: "—", Rate: "—"}
		if i >= 2 && lastYear != nil {
			c := changes[i-2]
			rows[i].Delta, rows[i].Rate = views.WanDelta(c.Delta), views.RateDelta(c.Rate)
		}
	}
	const operating = 7 // 经营性收入
	if base := old; base != nil || lastYear != nil {
		if base == nil {
			base = lastYear
		}
		if base.Meets50w() != cur.Meets50w() {
			rows[operating].Label += " ⚠ 跨越 50 万线"
		}
	}
	return rows
}

func starText(n int) string {
	if n == 0 {
		return "无"
	}
	return fmt.Sprintf("%d 星", n)
}

func yesNo(b bool) string {
	if b {
		return "是"
	}
	return "否"
}

// reportPage is the data of the report page.
type reportPage struct {
	Report       *models.Report
	Last         *models.ReportVersion
	Editable     bool
	Submittable  bool
	Reviewable   bool
	Withdrawable bool
	// Flags are the open version's flags (the cadre's draft too: a flagged draft is
	// submitted only with a note).
	Flags []models.Flag
	// Queue is the street officer's queue filter and order, kept from the queue to
	// the decision and the next report.
	Queue models.QueueFilter
	// Thresholds are the flags' thresholds in force, for the form's live hint that
	// a note will be needed (nil when the page has no form).
	Thresholds *models.FlagThresholds
	// Openness is the year's reporting state for the cadre (closed, not open yet).
	Openness models.Openness
	// FromLastYear: the form is pre-filled with last year's approved figures.
	FromLastYear bool
	// Figures are the approved version beside last year's, when nothing is open.
	Figures     []models.Change
	Form        reportForm
	Preview     preview
	Diff        []diffRow
	Reason      string
	StarOptions []struct{ Value, Label string }
	Files       map[uint][]models.EvidenceFile
	Usage       *models.EvidenceUsage // the quotas beside the upload form
	// QueueLeft is how many reports wait in the street officer's queue.
	QueueLeft int64
	// Steps is the status stepper: 草稿 → 已提交 → 已通过/已退回.
	Steps []step
}

func (h *Handler) reportPageData(c echo.Context, rep *models.Report) (*reportPage, error) {
	u := userOf(c)
	p := &reportPage{Report: rep}
	if len(rep.History) > 0 {
		p.Last = &rep.History[0]
	}
	p.Steps = stepsOf(rep, p.Last)
	var err error
	if u.Role == models.RoleVillage {
		// A closed year (or one not open yet) shows its figures, not a form.
		p.Openness = rep.Openness
	}
	p.Editable = u.Role == models.RoleVillage && rep.Village.ActiveIn(rep.Year) && p.Openness.Open() &&
		(rep.Open == nil || rep.Open.Status == models.StatusDraft)
	p.Submittable = u.Role == models.RoleVillage && rep.Open != nil && rep.Open.Status == models.StatusDraft
	p.Withdrawable = u.Role == models.RoleVillage && rep.Open != nil && rep.Open.Status == models.StatusSubmitted
	p.Reviewable = u.Role == models.RoleStreet && rep.Open != nil && rep.Open.Status == models.StatusSubmitted
	if u.Role == models.RoleStreet {
		p.Queue = queueFilterOf(c)
		if _, p.QueueLeft, err = models.QueueNext(h.db(c), actorOf(c), p.Queue); err != nil {
			return nil, err
		}
	}
	base := rep.Open
	if base == nil {
		base = p.Last
	}
	version := 0
	if rep.Open != nil {
		version = rep.Open.Version
	}
	// A year never reported starts from last year's approved figures (without its
	// note), marked as such on the form until saved.
	if base == nil && rep.LastYear != nil {
		prev := *rep.LastYear
		prev.Note = ""
		base, p.FromLastYear = &prev, true
	}
	if base == nil {
		base = &models.ReportVersion{}
	}
	p.Form = formFromVersion(base, version)
	p.Form.compareWithLastYear(rep.Year, rep.LastYear)
	p.Preview = preview{models.FormatWan(base.OperatingFen), models.FormatWan(base.TotalFen), base.Meets50w()}
	if rep.Open != nil {
		p.Diff = diffRows(rep.Approved, rep.Open, rep.LastYear, rep.Rejected)
		// The flags of the open version, in one statement; an officer's opening of a
		// flagged submission is recorded (a flagged report is approved in bulk only
		// once opened).
		res, err := models.ComputeFlags(h.db(c), []models.FlagSubject{{Version: rep.Open, Village: rep.Village,
			LastYear: rep.LastYear, Known: true}}, time.Now())
		if err != nil {
			return nil, err
		}
		p.Flags = models.ForRole(res.Flags[0], u.Role)
		if p.Editable {
			p.Thresholds = &res.Thresholds
		}
		if p.Reviewable && len(p.Flags) > 0 {
			if err := models.RecordOpening(h.db(c), actorOf(c), rep.Open.ID); err != nil {
				return nil, err
			}
		}
	} else {
		p.Figures = models.Compare(rep.Approved, rep.LastYear)
		if p.Editable && rep.LastYear != nil {
			t, err := models.FlagThresholdsAt(h.db(c), rep.Village.DistrictCode, time.Now())
			if err != nil {
				return nil, err
			}
			p.Thresholds = &t
		}
	}
	ids := make([]uint, len(rep.History))
	for i := range rep.History {
		ids[i] = rep.History[i].ID
	}
	if p.Files, err = models.ListEvidence(h.db(c), models.EvidenceReport, ids); err != nil {
		return nil, err
	}
	if p.Submittable {
		if p.Usage, err = models.EvidenceUsageOf(h.db(c), h.EvidenceLimits, models.EvidenceReport, rep.Open.ID, rep.Village.Code); err != nil {
			return nil, err
		}
	}
	for i, l := range []string{"无", "一星", "二星", "三星"} {
		p.StarOptions = append(p.StarOptions, struct{ Value, Label string }{strconv.Itoa(i), l})
	}
	return p, nil
}

func reportURL(code string, year int) string {
	return "/villages/" + code + "/reports/" + strconv.Itoa(year)
}

// ReportShow is GET /villages/:code/reports/:year. The page of a village's cadre
// or of district staff is kept once rendered (keptReports), and served again with
// no statement beyond the account's while its data revision and its instant hold,
// to an account whose scope holds the village.
func (h *Handler) ReportShow(c echo.Context) error {
	year, err := pathYear(c)
	if err != nil {
		return err
	}
	a, u, rev, at := actorOf(c), userOf(c), keptRevision(c), h.now()
	csrf, _ := c.Get(ctxCSRF).(string)
	keep := keepsReport(a.Role) && spliceable(csrf) && u != nil
	var key reportKey
	if keep {
		key = reportKeyOf(u, c.Param("code"), year)
		if k := h.reports.get(rev, key, a.Scope(), at); k != nil {
			return h.renderReport(c, k, csrf)
		}
	}
	rep, err := models.GetReportAt(h.db(c), a, c.Param("code"), year, at)
	if err != nil {
		return err
	}
	p, err := h.reportPageData(c, rep)
	if err != nil {
		return err
	}
	title := fmt.Sprintf("%s %d 年度填报", rep.Village.Name, year)
	if !keep || h.reports == nil {
		return h.render(c, http.StatusOK, "report", title, p, nil)
	}
	k, err := h.reports.keep(h, c, rep, p, title)
	if err != nil {
		return err
	}
	h.reports.put(rev, key, k)
	return h.renderReport(c, k, csrf)
}

// rerenderReport shows the report page again with field errors (422) or a
// conflict (409), keeping what the user typed.
func (h *Handler) rerenderReport(c echo.Context, status int, code string, year int, form *reportForm, reason string, errs map[string]string) error {
	rep, err := models.GetReport(h.db(c), actorOf(c), code, year)
	if err != nil {
		return err
	}
	p, err := h.reportPageData(c, rep)
	if err != nil {
		return err
	}
	if form != nil {
		p.Form = *form
		p.Form.compareWithLastYear(year, rep.LastYear)
	}
	// Model errors are keyed by the API field; show them beside the form's inputs.
	for i := range p.Form.Money {
		if msg, ok := errs[p.Form.Money[i].Key]; ok && p.Form.Money[i].Error == "" {
			p.Form.Money[i].Error = msg
		}
	}
	p.Reason = reason
	return h.render(c, status, "report", rep.Village.Name+" "+strconv.Itoa(year)+" 年度填报", p, errs)
}

// ReportSave is POST /villages/:code/reports/:year (the cadre's form): save the
// draft, and submit it too when the cadre pressed 保存并提交.
func (h *Handler) ReportSave(c echo.Context) error {
	year, err := pathYear(c)
	if err != nil {
		return err
	}
	code, a := c.Param("code"), actorOf(c)
	// The scope is checked inside the save itself; a form with errors re-renders the
	// report, which is 404 outside the scope: nothing is validated for a village the
	// cadre may not see.
	form, in, errs := bindReportForm(c)
	if len(errs) > 0 {
		return h.rerenderReport(c, http.StatusUnprocessableEntity, code, year, &form, "", errs)
	}
	if c.FormValue("action") == "submit" {
		// Saved and submitted with one check of the village, the year and the window;
		// a refused submission (a flagged draft without a note) keeps the draft saved.
		saved, err := models.SaveAndSubmit(h.db(c), a, code, year, in)
		if err != nil {
			typed := &form
			if saved != nil {
				typed = nil
			}
			return h.pageError(c, err, func(status int, errs map[string]string) error {
				if saved != nil {
					errs["form"] = "草稿已保存，但未能提交：" + errs["form"]
					if msg, ok := errs["note"]; ok {
						errs["form"] = "草稿已保存，但未能提交：" + msg
					}
				}
				return h.rerenderReport(c, status, code, year, typed, "", errs)
			})
		}
		return redirectFlash(c, reportURL(code, year), "+已保存并提交，等待街道审核")
	}
	if _, err := models.SaveDraft(h.db(c), a, code, year, in); err != nil {
		return h.pageError(c, err, func(status int, errs map[string]string) error {
			return h.rerenderReport(c, status, code, year, &form, "", errs)
		})
	}
	return redirectFlash(c, reportURL(code, year), "+草稿已保存")
}

// pageError re-renders the form for validation errors (422) and conflicts (409);
// anything else goes to the error handler.
func (h *Handler) pageError(c echo.Context, err error, rerender func(int, map[string]string) error) error {
	status, body := classify(err)
	switch status {
	case http.StatusUnprocessableEntity:
		errs := body.Fields
		if errs == nil {
			errs = map[string]string{}
		}
		if _, ok := errs["form"]; !ok {
			errs["form"] = "请修正标出的项目"
		}
		if msg, ok := errs["year"]; ok {
			errs["form"] = msg
		}
		return rerender(status, errs)
	case http.StatusConflict, http.StatusTooManyRequests:
		return rerender(status, map[string]string{"form": body.Message})
	}
	return err
}

// formVersion reads the optional version field of a page form.
func formVersion(c echo.Context) (*int, error) {
	s := c.FormValue("version")
	if s == "" {
		return nil, nil
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		return nil, badRequest("表单版本号无效，请刷新页面后重试")
	}
	return &v, nil
}

// ReportSubmit is POST /villages/:code/reports/:year/submit (page).
func (h *Handler) ReportSubmit(c echo.Context) error {
	return h.pageTransition(c, "已提交，等待街道审核", func(a *models.Actor, code string, year int, v *int) error {
		var note *string
		if n, ok := c.Request().PostForm["note"]; ok && len(n) > 0 {
			note = &n[0]
		}
		_, err := models.SubmitNote(h.db(c), a, code, year, v, note)
		return err
	})
}

// ReportWithdraw is POST /villages/:code/reports/:year/withdraw (page): 撤回 a
// submission the street has not reviewed yet.
func (h *Handler) ReportWithdraw(c echo.Context) error {
	return h.pageTransition(c, "已撤回，报表回到草稿，可修改后重新提交", func(a *models.Actor, code string, year int, v *int) error {
		_, err := models.Withdraw(h.DB, a, code, year, v)
		return err
	})
}

// ReportApprove is POST /villages/:code/reports/:year/approve (page).
func (h *Handler) ReportApprove(c echo.Context) error {
	return h.reviewTransition(c, "已审核通过", func(a *models.Actor, code string, year int, v *int) error {
		_, err := models.Approve(h.db(c), a, code, year, v)
		h.Metrics.approvedOne("report", err)
		return err
	})
}

// ReportReject is POST /villages/:code/reports/:year/reject (page).
func (h *Handler) ReportReject(c echo.Context) error {
	return h.reviewTransition(c, "已退回", func(a *models.Actor, code string, year int, v *int) error {
		_, err := models.Reject(h.db(c), a, code, year, v, c.FormValue("reason"))
		return err
	})
}

// reviewTransition is a street officer's decision on one report: it answers with the
// next report (下一个) of the queue as the officer filtered and ordered it (oldest
// submitted first by default), keeping the filter, or the queue when none is left.
func (h *Handler) reviewTransition(c echo.Context, done string, act func(*models.Actor, string, int, *int) error) error {
	return h.transition(c, done, act, func(code string, year int) error {
		f := queueFilterOf(c)
		next, left, err := models.QueueNext(h.db(c), actorOf(c), f)
		if err != nil {
			return err
		}
		if next == nil {
			return redirectFlash(c, "/queue"+f.Query(), done+"；"+queueScopeText(f)+"全部处理完毕")
		}
		return redirectFlash(c, reportURL(next.VillageCode, next.Year)+f.Query(),
			fmt.Sprintf("%s；下一份：%s %d 年（%s待审核 %d 份）", done, next.Village.Name, next.Year, queueScopeText(f), left))
	})
}

// queueFilterOf reads the queue's filter and order from the query or the form.
func queueFilterOf(c echo.Context) models.QueueFilter {
	return models.QueueFilter{Flag: c.FormValue("flag"), Street: c.FormValue("street"), Type: c.FormValue("type"),
		Sort: c.FormValue("sort")}.Clean()
}

// queueScopeText says that the count is of a filtered queue ("筛选后" or "").
func queueScopeText(f models.QueueFilter) string {
	if f.Flag == "" && f.Street == "" && f.Type == "" {
		return ""
	}
	return "筛选后"
}

func (h *Handler) pageTransition(c echo.Context, done string, act func(*models.Actor, string, int, *int) error) error {
	return h.transition(c, done, act, func(code string, year int) error {
		return redirectFlash(c, reportURL(code, year), done)
	})
}

func (h *Handler) transition(c echo.Context, done string, act func(*models.Actor, string, int, *int) error, after func(string, int) error) error {
	year, err := pathYear(c)
	if err != nil {
		return err
	}
	code := c.Param("code")
	v, err := formVersion(c)
	if err != nil {
		return err
	}
	if err := act(actorOf(c), code, year, v); err != nil {
		return h.pageError(c, err, func(status int, errs map[string]string) error {
			return h.rerenderReport(c, status, code, year, nil, c.FormValue("reason"), errs)
		})
	}
	return after(code, year)
}
