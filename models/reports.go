package models

import (
	"database/sql"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
)

// MaxNoteChars is the longest note a version may carry.
const MaxNoteChars = 2000

// MaxReasonChars is the longest rejection reason.
const MaxReasonChars = 500

// ReportInput is an edit of the open draft. A nil field keeps the draft's value
// (or, for a new draft, the value of the latest version). Version is the
// optimistic-locking number the editor saw: 0 for a new draft.
type ReportInput struct {
	StarRating    *int
	HemeiBuilt    *bool
	BusinessFen   *int64
	ContractFen   *int64
	InvestmentFen *int64
	SubsidyFen    *int64
	OtherFen      *int64
	AssetsFen     *int64
	Note          *string
	Version       int
}

// Validate checks the given fields by the version's rules, before anything is
// loaded, so that a form shows every problem at once; the model checks again when
// it applies the input.
func (in *ReportInput) Validate() error {
	var r ReportVersion
	in.copyTo(&r)
	return r.Validate()
}

// apply copies the given fields of in onto r and validates the result.
func (in *ReportInput) apply(r *ReportVersion) error {
	in.copyTo(r)
	r.Derive()
	return r.Validate()
}

// copyTo copies the given fields of in onto r.
func (in *ReportInput) copyTo(r *ReportVersion) {
	if in.StarRating != nil {
		r.StarRating = *in.StarRating
	}
	if in.HemeiBuilt != nil {
		r.HemeiBuilt = *in.HemeiBuilt
	}
	set := func(dst *int64, src *int64) {
		if src != nil {
			*dst = *src
		}
	}
	set(&r.BusinessFen, in.BusinessFen)
	set(&r.ContractFen, in.ContractFen)
	set(&r.InvestmentFen, in.InvestmentFen)
	set(&r.SubsidyFen, in.SubsidyFen)
	set(&r.OtherFen, in.OtherFen)
	set(&r.AssetsFen, in.AssetsFen)
	if in.Note != nil {
		r.Note = *in.Note
	}
}

// Validate checks the entered fields against docs/domain.md ("The yearly report"):
// the one check of a version, whether it comes from the form, the API or an import.
func (r *ReportVersion) Validate() error {
	v := &ValidationError{}
	if r.StarRating < 0 || r.StarRating > 3 {
		v.Add("star_rating", "星级只能是 0（无）、1、2 或 3")
	}
	amounts := []struct {
		field string
		val   int64
		neg   bool
	}{
		{"business_fen", r.BusinessFen, false}, {"contract_fen", r.ContractFen, false},
		{"investment_fen", r.InvestmentFen, true}, {"subsidy_fen", r.SubsidyFen, false},
		{"other_fen", r.OtherFen, false}, {"assets_fen", r.AssetsFen, false},
	}
	for _, a := range amounts {
		switch {
		case a.val > MaxAmountFen || a.val < -MaxAmountFen:
			v.Add(a.field, "金额过大（超过 10^14 分），不可信")
		case a.val < 0 && !a.neg:
			v.Add(a.field, "金额不能为负数")
		}
	}
	if n := utf8.RuneCountInString(r.Note); n > MaxNoteChars {
		v.Add("note", "说明最多 2000 字")
	}
	if BadText(r.Note) {
		v.Add("note", "说明含有无效字符（控制字符）")
	}
	return v.Err()
}

// Report is a village-year's report: its latest approved version, its open version
// (draft or submitted) and every version, newest first; LastYear is the latest
// approved version of the year before (nil when none), and Rejected the rejected
// version the open one corrects (nil unless the version before the open one was
// rejected).
type Report struct {
	Village  *Village
	Year     int
	Approved *ReportVersion
	Open     *ReportVersion
	History  []ReportVersion
	// Titles are the titles the village holds at the end of the year, from the
	// district's register: read-only for the cadre.
	Titles   Held
	LastYear *ReportVersion
	Rejected *ReportVersion
	// Openness is the year's reporting state now (its window, the village's
	// exception), read with the village.
	Openness Openness
	// OpennessUntil is the first instant at which Openness changes by time alone
	// (the window opening or closing, the exception running out); zero when it
	// never does. What is shown from Openness holds until then, or until the data
	// change.
	OpennessUntil time.Time
}

// GetReport loads a village-year's report within the actor's scope: its context
// (the village, the last open year, the window, the titles held: one statement)
// and the year's versions with last year's approved ones (one statement).
func GetReport(db *gorm.DB, a *Actor, code string, year int) (*Report, error) {
	return GetReportAt(db, a, code, year, time.Now())
}

// GetReportAt is GetReport with the reporting window judged at instant when (the
// titles held are those recorded by now, whatever when is).
func GetReportAt(db *gorm.DB, a *Actor, code string, year int, when time.Time) (*Report, error) {
	at := now()
	c, err := loadReportContext(db, a, code, year, &at)
	if err != nil {
		return nil, err
	}
	if year < FirstYear || year > c.LastYear {
		return nil, ErrNotFound
	}
	rep := &Report{Village: c.Village, Year: year, Openness: c.openness(year, when), OpennessUntil: c.opennessUntil(when),
		Titles: c.Titles}
	// The year's versions and last year's approved ones, in one query.
	rows, err := readReportVersions(db, code, year, StatusApproved)
	if err != nil {
		return nil, err
	}
	for i := range rows {
		if rows[i].Year == year {
			rep.History = append(rep.History, rows[i])
		} else if rep.LastYear == nil {
			rep.LastYear = &rows[i]
		}
	}
	rep.Approved, rep.Open = current(rep.History)
	if rep.Open != nil && len(rep.History) > 1 && rep.History[0].ID == rep.Open.ID && rep.History[1].Status == StatusRejected {
		rep.Rejected = &rep.History[1]
	}
	return rep, nil
}

// reportVersionsSQL reads a village-year's versions and last year's approved ones,
// newest first, every column of ReportVersion in the order scanReportVersion takes
// them.
const reportVersionsSQL = `SELECT id, village_code, year, seq, status, version, created_by_id, submitted_at, submitted_by,
	reviewed_at, reviewer_id, reviewer, reject_reason, star_rating, hemei_built, business_fen, contract_fen,
	investment_fen, subsidy_fen, other_fen, assets_fen, operating_fen, total_fen, note, created_at, updated_at
	FROM report_versions WHERE village_code = ? AND (year = ? OR (year = ? AND status = ?))
	ORDER BY year DESC, seq DESC`

// readReportVersions is the versions of reportVersionsSQL, scanned column by column
// (no reflection: a village-year corrected many times has many versions, and every
// report request reads them all).
func readReportVersions(db *gorm.DB, code string, year int, approved string) ([]ReportVersion, error) {
	var out []ReportVersion
	err := scanRows(prepared(db).Raw(reportVersionsSQL, code, year, year-1, approved).Rows())(func(r *sql.Rows) error {
		out = append(out, ReportVersion{})
		v := &out[len(out)-1]
		return r.Scan(&v.ID, &v.VillageCode, &v.Year, &v.Seq, &v.Status, &v.Version, &v.CreatedByID, &v.SubmittedAt,
			&v.SubmittedBy, &v.ReviewedAt, &v.ReviewerID, &v.Reviewer, &v.RejectReason, &v.StarRating, &v.HemeiBuilt,
			&v.BusinessFen, &v.ContractFen, &v.InvestmentFen, &v.SubsidyFen, &v.OtherFen, &v.AssetsFen, &v.OperatingFen,
			&v.TotalFen, &v.Note, &v.CreatedAt, &v.UpdatedAt)
	})
	return out, err
}

// reportTarget loads the village in scope and checks the role and the year (one
// statement, see reportTargetIn): 404 before 403 before 422, so that nothing outside
// the scope leaks.
func reportTarget(db *gorm.DB, a *Actor, code string, year int, role string) (*Village, error) {
	c, err := reportTargetIn(db, a, code, year, role, nil)
	if err != nil {
		return nil, err
	}
	return c.Village, nil
}

// reports is the series of a village-year's report versions.
var reports = &series[ReportVersion, *ReportVersion]{
	kind: "report", keys: []string{"village_code", "year"},
	edits: []string{"star_rating", "hemei_built", "business_fen", "contract_fen", "investment_fen", "subsidy_fen",
		"other_fen", "assets_fen", "operating_fen", "total_fen", "note"},
	busy:        "报表已提交，正在等待街道审核，不能修改",
	startAction: "report.create",
	audit:       func(r *ReportVersion) any { return versionAudit(r) },
	approved:    func(tx *gorm.DB, vs []ReportVersion) error { return upsertCurrent(tx, vs...) },
}

func (r *ReportVersion) rowID() uint { return r.ID }

func (r *ReportVersion) setRowID(id uint) { r.ID = id }

// asNewRow makes a copy of a version a new row: the derived fields are derived again
// when the input is applied.
func (r *ReportVersion) asNewRow() {
	r.ID, r.CreatedAt, r.UpdatedAt, r.Village = 0, time.Time{}, time.Time{}, Village{}
}

// reportSeries names the village-year's report series.
func reportSeries(v *Village, year int) seriesKey {
	return seriesKey{values: []any{v.Code, year}, object: reportKey(v.Code, year), scope: VillageScope(v)}
}

// SaveDraft edits the village-year's open draft, creating it (pre-filled from the
// latest version: the approved figures, or a rejected version being corrected) when
// there is none. Only the village's cadre may.
func SaveDraft(db *gorm.DB, a *Actor, code string, year int, in ReportInput) (*ReportVersion, error) {
	at := now()
	c, err := reportTargetIn(db, a, code, year, RoleVillage, &at)
	if err != nil {
		return nil, err
	}
	if err := heldTitlesOnly(c.Titles, &in); err != nil {
		return nil, err
	}
	first := func() ReportVersion { return ReportVersion{VillageCode: code, Year: year} }
	return reports.save(db, a, reportSeries(c.Village, year), in.Version, first, in.apply)
}

// Submit sends the open draft for review. Only the village's cadre may. A non-nil
// version must match the draft's. A flagged draft needs a note (see SubmitNote).
func Submit(db *gorm.DB, a *Actor, code string, year int, version *int) (*ReportVersion, error) {
	return SubmitNote(db, a, code, year, version, nil)
}

// SubmitNote sends the open draft for review with the cadre's note (说明; nil keeps
// the draft's). A draft with flags is refused without a note: 422 on note, naming
// the flags. The submission's audit entry keeps the note and the flags.
func SubmitNote(db *gorm.DB, a *Actor, code string, year int, version *int, note *string) (*ReportVersion, error) {
	c, err := reportTargetIn(db, a, code, year, RoleVillage, nil)
	if err != nil {
		return nil, err
	}
	if o := c.openness(year, time.Now()); !o.Open() {
		return nil, Conflict(o.Message)
	}
	check, err := noteForFlags(db, c.Village, year, note)
	if err != nil {
		return nil, err
	}
	return reports.submit(db, a, reportSeries(c.Village, year), version, check)
}

// SaveAndSubmit saves the draft and submits it (the form's 保存并提交), checking the
// village, the year and the window once, in one transaction that writes the version
// once. The draft stays saved when the submission is refused: saved is nil only
// when the save itself failed (a flagged draft without a note: saved, and 422 on
// note; a closed window: saved, and 409).
func SaveAndSubmit(db *gorm.DB, a *Actor, code string, year int, in ReportInput) (saved *ReportVersion, err error) {
	at := now()
	c, err := reportTargetIn(db, a, code, year, RoleVillage, &at)
	if err != nil {
		return nil, err
	}
	if err := heldTitlesOnly(c.Titles, &in); err != nil {
		return nil, err
	}
	k := reportSeries(c.Village, year)
	first := func() ReportVersion { return ReportVersion{VillageCode: code, Year: year} }
	if o := c.openness(year, time.Now()); !o.Open() {
		if saved, err = reports.save(db, a, k, in.Version, first, in.apply); err != nil {
			return nil, err
		}
		return saved, Conflict(o.Message)
	}
	check, err := noteForFlags(db, c.Village, year, nil)
	if err != nil {
		return nil, err
	}
	saved, sub, err := reports.saveSubmit(db, a, k, in.Version, first, in.apply, check)
	if err != nil {
		return saved, err
	}
	return sub, nil
}

// noteForFlags is the submission's check: it sets the note given (trimmed), computes
// the draft's flags and refuses a flagged draft without a note. The flags' inputs
// (last year's approved figures, the peers', the dividends, the thresholds) are
// read here, before the submission's transaction, so that the write lock is not
// held while they are read; the flags themselves are computed inside it, on the
// draft exactly as it is submitted.
func noteForFlags(db *gorm.DB, v *Village, year int, note *string) (func(*gorm.DB, *ReportVersion) ([]string, error), error) {
	inputs, err := readFlagInputs(db, []FlagSubject{{Version: &ReportVersion{VillageCode: v.Code, Year: year}, Village: v}}, now())
	if err != nil {
		return nil, err
	}
	return func(_ *gorm.DB, r *ReportVersion) ([]string, error) {
		var cols []string
		if note != nil {
			n := strings.TrimSpace(*note)
			if utf8.RuneCountInString(n) > MaxNoteChars {
				return nil, Invalid("note", "说明最多 2000 字")
			}
			if BadText(n) {
				return nil, Invalid("note", "说明含有无效字符（控制字符）")
			}
			if n != r.Note {
				r.Note, cols = n, []string{"note"}
			}
		}
		res := inputs.compute([]FlagSubject{{Version: r, Village: v}})
		// The cadre's words: the audit entry, which the cadre may read, keeps them too.
		r.Flags = ForRole(res.Flags[0], RoleVillage)
		if len(r.Flags) > 0 && strings.TrimSpace(r.Note) == "" {
			return nil, Invalid("note", "本次填报有需要说明的情况，请在“说明”中写明原因后再提交："+FlagsText(r.Flags))
		}
		return cols, nil
	}, nil
}

// Withdraw takes the submitted version back to a draft while the street has not
// reviewed it yet (撤回). Only the village's cadre may; a draft, an approved or a
// rejected version is a conflict. A non-nil version must match the submitted one's.
func Withdraw(db *gorm.DB, a *Actor, code string, year int, version *int) (*ReportVersion, error) {
	v, err := reportTarget(db, a, code, year, RoleVillage)
	if err != nil {
		return nil, err
	}
	return reports.withdraw(db, a, reportSeries(v, year), version)
}

// Approve approves the submitted version. Only an officer of the village's street may.
func Approve(db *gorm.DB, a *Actor, code string, year int, version *int) (*ReportVersion, error) {
	v, err := reportTarget(db, a, code, year, RoleStreet)
	if err != nil {
		return nil, err
	}
	return reports.approve(db, a, reportSeries(v, year), version)
}

// Reject rejects the submitted version with a non-empty reason. Only an officer of
// the village's street may.
func Reject(db *gorm.DB, a *Actor, code string, year int, version *int, reason string) (*ReportVersion, error) {
	v, err := reportTarget(db, a, code, year, RoleStreet)
	if err != nil {
		return nil, err
	}
	return reports.reject(db, a, reportSeries(v, year), version, reason)
}

func reportKey(code string, year int) string {
	return code + "/" + itoa(year)
}

// versionAudit is what the audit log keeps of a version.
func versionAudit(r *ReportVersion) map[string]any {
	m := map[string]any{
		"id": r.ID, "seq": r.Seq, "status": r.Status, "version": r.Version,
		"star_rating": r.StarRating, "hemei_built": r.HemeiBuilt,
		"business_fen": r.BusinessFen, "contract_fen": r.ContractFen, "investment_fen": r.InvestmentFen,
		"subsidy_fen": r.SubsidyFen, "other_fen": r.OtherFen, "assets_fen": r.AssetsFen,
		"operating_fen": r.OperatingFen, "total_fen": r.TotalFen, "note": r.Note, "reject_reason": r.RejectReason,
	}
	if len(r.Flags) > 0 {
		m["flags"] = r.Flags
	}
	return m
}

func isUniqueViolation(err error) bool {
	s := strings.ToLower(err.Error())
	return strings.Contains(s, "unique") || strings.Contains(s, "duplicate key")
}

// heldTitlesOnly refuses a report edit that sends titles other than those the
// village holds (titles are named by the district), and sets the held ones.
func heldTitlesOnly(held Held, in *ReportInput) error {
	verr := &ValidationError{}
	if in.StarRating != nil && *in.StarRating != held.Star {
		verr.Add("star_rating", "星级美丽乡村由区里验收后命名（区农业农村局录入命名文件），村里不能填报；本村该年度现有星级："+starName(held.Star))
	}
	if in.HemeiBuilt != nil && *in.HemeiBuilt != held.Hemei {
		verr.Add("hemei_built", "和美乡村由区里验收后命名（区农业农村局录入命名文件），村里不能填报")
	}
	if err := verr.Err(); err != nil {
		return err
	}
	in.StarRating, in.HemeiBuilt = &held.Star, &held.Hemei
	return nil
}

func starName(n int) string {
	if n == 0 {
		return "无"
	}
	return itoa(n) + " 星"
}
