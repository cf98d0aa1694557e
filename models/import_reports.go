package models

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"
)

// codeNames are the names a sheet gives the village code column.
var codeNames = []string{"村代码", "行政村代码", "统计用区划代码", "区划代码", "代码", "村级代码", "村编码", "编码"}

// villageNameNames are the names a sheet gives the village name column.
var villageNameNames = []string{"村名称", "村名", "行政村", "村庄名称", "行政村名称", "村", "村(社区)", "村社区", "单位名称", "名称"}

// ReportColumns are the fields of the yearly figures sheet and the names a
// district's sheet gives them; the village's name and street are read past.
var ReportColumns = []SheetColumn{
	{Key: "code", Label: "村代码", Names: codeNames, Required: true},
	{Key: "year", Label: "年度", Names: []string{"年度", "年份", "统计年度", "年"}, Required: true},
	{Key: "star_rating", Label: "星级", Names: []string{"星级", "星级村", "星级评定"}},
	{Key: "hemei_built", Label: "和美乡村", Names: []string{"和美乡村", "是否建成和美乡村", "和美乡村建成"}},
	{Key: "business_fen", Label: "经营收入", Names: []string{"经营收入"}, Required: true, Amount: true},
	{Key: "contract_fen", Label: "发包及上交收入", Names: []string{"发包及上交收入", "发包收入及上交收入", "发包及上交", "发包上交收入"}, Required: true, Amount: true},
	{Key: "investment_fen", Label: "投资收益", Names: []string{"投资收益", "投资收入"}, Required: true, Amount: true},
	{Key: "subsidy_fen", Label: "补助收入", Names: []string{"补助收入", "补助"}, Required: true, Amount: true},
	{Key: "other_fen", Label: "其他收入", Names: []string{"其他收入", "其它收入"}, Required: true, Amount: true},
	{Key: "assets_fen", Label: "集体资产", Names: []string{"集体资产", "资产总额", "村集体资产总额", "集体资产总额", "村集体资产", "资产"}, Required: true, Amount: true},
	{Key: "name", Label: "村名", Names: villageNameNames},
	{Key: "street", Label: "街道", Names: []string{"街道", "乡镇", "街道/乡镇", "乡镇/街道", "镇街", "所属街道", "街道代码", "街道名称", "乡镇名称"}},
}

// ReportImportHeader is the header row of the yearly figures template (amounts in
// 元; the 万元 template names the unit in every amount's header).
var ReportImportHeader = SheetLabels(ReportColumns[:10], "")

// ReportSheetRows is the most rows a yearly figures sheet may have, header included.
const ReportSheetRows = 30_000

// ReportImport is the outcome of a yearly figures import.
type ReportImport struct {
	Rows      int               `json:"rows"`
	Problems  []ImportProblem   `json:"problems"`
	New       int               `json:"new"`       // village-years with their first version
	Changed   int               `json:"changed"`   // village-years whose approved figures change
	Unchanged int               `json:"unchanged"` // rows equal to the approved figures
	Approve   bool              `json:"approve"`
	Committed bool              `json:"committed"`
	Units     map[string]string `json:"units,omitempty"`   // the unit each amount column was read in
	Ignored   []string          `json:"ignored,omitempty"` // columns read past
	Year      int               `json:"year,omitempty"`    // the year of the title, for a sheet without a year column
	Mapping   *SheetMapping     `json:"mapping,omitempty"` // how the columns were read, for the mapping step
}

// ReportImportMode says what an import does with its rows: approve them at once
// with a stated reason, or send them to the streets' queues.
type ReportImportMode struct {
	Approve bool
	Reason  string
	// Unit is the unit of amounts whose header names none (when empty: the one
	// remembered with the sheet's mapping, else 元).
	Unit string
	// Mapping is the field of each column chosen on the mapping step (nil: the
	// district's remembered mapping, else the columns' usual names).
	Mapping *ColumnMapping
}

// parseYesNo reads 是/否 (or 1/0, Y/N, true/false).
func parseYesNo(s string) (bool, bool) {
	switch strings.ToLower(s) {
	case "是", "1", "y", "yes", "true", "已建成":
		return true, true
	case "否", "0", "n", "no", "false", "", "未建成":
		return false, true
	}
	return false, false
}

// ImportReports checks a yearly figures sheet and, unless dryRun, writes one version
// per changed village-year: approved by the district in the same step (with the
// reason in the audit log), or submitted to the street. All or nothing; rows equal
// to the approved figures are skipped, so importing the same sheet again changes
// nothing. A village-year with an open version is a problem to resolve first.
func ImportReports(db *gorm.DB, a *Actor, rows [][]string, mode ReportImportMode, dryRun bool) (*ReportImport, error) {
	if a.Role != RoleDistrict {
		return nil, ErrForbidden
	}
	res := &ReportImport{Problems: []ImportProblem{}, Approve: mode.Approve}
	mode.Reason = strings.TrimSpace(mode.Reason)
	if mode.Approve && (mode.Reason == "" || utf8.RuneCountInString(mode.Reason) > MaxReasonChars || BadText(mode.Reason)) {
		return nil, Invalid("approve_reason", "直接审核通过须说明理由（最多 500 字），例如“2023 年农经统计年报”")
	}
	cols := ReportColumns
	lay, probs, err := readLayout(db, a, ImportKindReports, rows, cols, mode.Mapping, mode.Unit)
	if err != nil {
		return nil, err
	}
	if lay != nil {
		// A sheet without a year column may name the year in its title.
		if !lay.has("year") {
			if res.Year = titleYear(lay.titles); res.Year != 0 {
				lay.drop("年度")
			}
		}
		res.Mapping = lay.mapping(rows, cols)
	}
	if len(probs) > 0 {
		res.Problems = probs
		return res, nil
	}
	if len(lay.missing) > 0 {
		res.Problems = lay.missingProblem(cols)
		return res, nil
	}
	res.Units, res.Ignored = map[string]string{}, lay.ignored
	for k, u := range lay.unit {
		res.Units[labelOf(cols, k)] = u
	}
	var villages []Village
	if err := a.Scope().Villages(db.Model(&Village{})).Find(&villages).Error; err != nil {
		return nil, err
	}
	vmap := map[string]*Village{}
	for i := range villages {
		vmap[villages[i].Code] = &villages[i]
	}
	last, err := LastYear(db)
	if err != nil {
		return nil, err
	}
	// The latest version, and the latest approved one, of every village-year.
	lastOf, err := latestVersions(db, a.Scope(), "")
	if err != nil {
		return nil, err
	}
	approvedOf, err := latestVersions(db, a.Scope(), StatusApproved)
	if err != nil {
		return nil, err
	}
	seen := map[string]int{}
	var out []ReportVersion
	res.Rows = eachDataRow(rows, lay.start, &res.Problems, func(n int, r []string, bad func(col, msg string)) {
		code := lay.get(r, "code")
		v := vmap[code]
		if v == nil {
			bad("村代码", "本区没有这个村代码")
		}
		year, err := res.Year, error(nil)
		if lay.has("year") {
			year, err = strconv.Atoi(lay.get(r, "year"))
		}
		if err != nil || year < FirstYear || year > last {
			bad("年度", fmt.Sprintf("须为 %d 至 %d", FirstYear, last))
		} else if v != nil && !v.ActiveIn(year) {
			bad("年度", "该村在此年度不在册")
		}
		key := reportKey(code, year)
		if p := seen[key]; p != 0 {
			bad("村代码", fmt.Sprintf("与第 %d 行是同一村同一年度", p))
		}
		seen[key] = n
		// The sheet's cells become a version; the version's own rules judge it, as
		// they judge the form and the API.
		rv := ReportVersion{VillageCode: code, Year: year, Note: importNote(mode)}
		verr := &ValidationError{}
		if s := lay.get(r, "star_rating"); s != "" {
			if star, err := strconv.Atoi(s); err != nil {
				verr.Add("star_rating", "星级须为整数")
			} else {
				rv.StarRating = star
			}
		}
		hemei, ok := parseYesNo(lay.get(r, "hemei_built"))
		if !ok {
			verr.Add("hemei_built", "须为“是”或“否”")
		}
		rv.HemeiBuilt = hemei
		for _, am := range []struct {
			key string
			dst *int64
		}{
			{"business_fen", &rv.BusinessFen}, {"contract_fen", &rv.ContractFen}, {"investment_fen", &rv.InvestmentFen},
			{"subsidy_fen", &rv.SubsidyFen}, {"other_fen", &rv.OtherFen}, {"assets_fen", &rv.AssetsFen},
		} {
			fen, err := lay.amount(r, am.key)
			if err != nil {
				verr.Add(am.key, err.Error())
			}
			*am.dst = fen
		}
		rv.Derive()
		verr.Merge(rv.Validate())
		fieldProblems(cols, verr, bad)
		if v != nil && year >= FirstYear {
			if l := lastOf[key]; l != nil && l.IsOpen() {
				bad("村代码", "该村该年度有未完成的填报（"+map[string]string{StatusDraft: "草稿", StatusSubmitted: "待审核"}[l.Status]+"），请先处理")
			}
		}
		out = append(out, rv)
	})
	if res.Rows == 0 && len(res.Problems) == 0 {
		res.Problems = append(res.Problems, ImportProblem{lay.start + 1, "", "表头之后没有数据行"})
	}
	if len(res.Problems) > 0 {
		return res, nil
	}
	var write []ReportVersion
	var latest []*Workflow
	for _, rv := range out {
		key := reportKey(rv.VillageCode, rv.Year)
		ap := approvedOf[key]
		switch {
		case ap != nil && sameFigures(ap, &rv):
			res.Unchanged++
			continue
		case ap != nil:
			res.Changed++
		default:
			res.New++
		}
		var prev *Workflow
		if l := lastOf[key]; l != nil {
			prev = &l.Workflow
		}
		write, latest = append(write, rv), append(latest, prev)
	}
	if dryRun {
		return res, nil
	}
	if len(write) == 0 {
		return res, lay.remember(db, a, ImportKindReports)
	}
	err = db.Transaction(func(tx *gorm.DB) error {
		if err := lay.remember(tx, a, ImportKindReports); err != nil {
			return err
		}
		if err := reports.record(tx, a, now(), mode.Approve, write, latest); err != nil {
			if isUniqueViolation(err) {
				return Conflict("导入期间有村提交了新的版本，请重新检查后再导入")
			}
			return err
		}
		action := "import.reports.submit"
		if mode.Approve {
			action = "import.reports.approve"
		}
		// One entry per village-year too, so that each street and village sees it.
		entries := make([]AuditEntry, len(write))
		for i := range write {
			v := vmap[write[i].VillageCode]
			entries[i] = auditEntry(a, action, "report", reportKey(v.Code, write[i].Year), VillageScope(v), nil,
				map[string]any{"version": versionAudit(&write[i]), "reason": mode.Reason})
		}
		if err := tx.CreateInBatches(entries, 500).Error; err != nil {
			return err
		}
		return Audit(tx, a, action, "district", a.DistrictCode, AuditScope{District: a.DistrictCode}, nil,
			map[string]any{"rows": res.Rows, "new": res.New, "changed": res.Changed, "unchanged": res.Unchanged, "reason": mode.Reason})
	})
	if err != nil {
		return nil, err
	}
	res.Committed = true
	return res, nil
}

// importNote is the note of every version an import writes.
func importNote(mode ReportImportMode) string {
	if mode.Approve {
		return "批量导入：" + mode.Reason
	}
	return "批量导入"
}

// labelOf is the label of a field of cols.
func labelOf(cols []SheetColumn, key string) string {
	for _, c := range cols {
		if c.Key == key {
			return c.Label
		}
	}
	return key
}

// sameFigures reports whether two versions carry the same entered figures.
func sameFigures(a, b *ReportVersion) bool {
	return a.StarRating == b.StarRating && a.HemeiBuilt == b.HemeiBuilt && a.BusinessFen == b.BusinessFen &&
		a.ContractFen == b.ContractFen && a.InvestmentFen == b.InvestmentFen && a.SubsidyFen == b.SubsidyFen &&
		a.OtherFen == b.OtherFen && a.AssetsFen == b.AssetsFen
}

// latestVersions gives the latest version (of a status, when given) of every
// village-year of the scope, in one query, keyed by village-year.
func latestVersions(db *gorm.DB, sc Scope, status string) (map[string]*ReportVersion, error) {
	ids := db.Model(&ReportVersion{}).Select("MAX(report_versions.id)").
		Joins("JOIN villages ON villages.code = report_versions.village_code").
		Scopes(sc.Villages)
	if status != "" {
		ids = ids.Where("report_versions.status = ?", status)
	}
	var rs []ReportVersion
	if err := db.Where("id IN (?)", ids.Group("report_versions.village_code, report_versions.year")).Find(&rs).Error; err != nil {
		return nil, err
	}
	out := make(map[string]*ReportVersion, len(rs))
	for i := range rs {
		out[reportKey(rs[i].VillageCode, rs[i].Year)] = &rs[i]
	}
	return out, nil
}
