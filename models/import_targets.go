package models

import (
	"fmt"
	"strconv"
	"strings"

	"gorm.io/gorm"
)

// TargetColumns are the fields of the district's 分解下达 sheet: the scope (全区,
// the district, or a street, by name or code), the year, the indicator (by code or
// by name: the plan's indicators and the district's catalogue), the value and its
// unit (else the unit the header names, else the indicator's own) and a note.
var TargetColumns = []SheetColumn{
	{Key: "scope", Label: "范围", Names: []string{"范围", "下达范围", "街道", "乡镇", "街道/乡镇", "乡镇/街道", "镇街", "地区", "区域", "街道名称", "街道代码"}, Required: true},
	{Key: "year", Label: "年度", Names: []string{"年度", "年份", "目标年度", "年"}},
	{Key: "indicator", Label: "指标", Names: []string{"指标", "指标名称", "指标代码", "目标指标", "考核指标", "项目"}, Required: true},
	{Key: "value", Label: "目标值", Names: []string{"目标值", "目标", "目标数", "任务数", "下达目标", "指标值", "任务"}, Required: true, Amount: true},
	{Key: "unit", Label: "单位", Names: []string{"计量单位", "单位", "值单位"}},
	{Key: "note", Label: "说明", Names: []string{"说明", "备注"}},
}

// TargetImportHeader is the header row of the 分解下达 template.
var TargetImportHeader = []string{"范围", "年度", "指标", "目标值", "计量单位", "说明"}

// TargetSheetRows is the most rows a target sheet may have, header included.
const TargetSheetRows = 5_000

// TargetImportRow is one target a sheet assigns (or would assign), with the value in
// force before it (nil when none).
type TargetImportRow struct {
	Row       int    `json:"row"`
	ScopeCode string `json:"scope_code"`
	ScopeName string `json:"scope_name"`
	Year      int    `json:"year"`
	Indicator string `json:"indicator"`
	Label     string `json:"label"`
	Unit      string `json:"unit"` // bp, fen or count: the unit of Value
	Value     int64  `json:"value"`
	Before    *int64 `json:"before"`
	Note      string `json:"note,omitempty"`
}

// TargetImport is the outcome of a target sheet import: every problem, or the
// targets it sets (dry run) or set (commit); rows equal to the target in force are
// counted as unchanged and skipped.
type TargetImport struct {
	registerImport
	Set []TargetImportRow `json:"set"`
}

// ImportTargets checks a 分解下达 sheet and, unless dryRun, assigns its targets:
// all or nothing, in one transaction, each target kept in the history and audited
// as one set by hand, by the same rules. Importing the same sheet again changes
// nothing. District staff only.
func ImportTargets(db *gorm.DB, a *Actor, rows [][]string, dryRun bool) (*TargetImport, error) {
	if a.Role != RoleDistrict {
		return nil, ErrForbidden
	}
	res := &TargetImport{registerImport: registerImport{Problems: []ImportProblem{}}, Set: []TargetImportRow{}}
	lay, probs := findHeader(rows, TargetColumns, "")
	if len(probs) == 0 && !lay.has("year") {
		if res.Year = titleYear(lay.titles); res.Year == 0 {
			probs = []ImportProblem{{Row: lay.header + 1, Column: "年度",
				Message: "表头（第 " + itoa(lay.header+1) + " 行）缺少：年度（或在标题中写明，如“2026年度目标分解下达表”）"}}
		}
	}
	if len(probs) > 0 {
		res.Problems = probs
		return res, nil
	}
	res.Ignored = lay.ignored
	// Scopes: the district (全区, its name or code) and its streets (name or code).
	var d District
	if err := db.Where("code = ?", a.DistrictCode).Take(&d).Error; err != nil {
		return nil, err
	}
	streets, err := ListStreets(db, a)
	if err != nil {
		return nil, err
	}
	scopes := map[string]string{"全区": d.Code, "本区": d.Code, d.Code: d.Code, d.Name: d.Code}
	names := map[string]string{d.Code: "全区"}
	for _, s := range streets {
		scopes[s.Code], scopes[s.Name], names[s.Code] = s.Code, s.Code, s.Name
	}
	// Indicators: the plan's and the catalogue's, by code or by name.
	inds := map[string]*IndicatorInfo{}
	for i := range Indicators {
		inds[Indicators[i].Code], inds[indicatorKey(Indicators[i].Label)] = &Indicators[i], &Indicators[i]
	}
	var cat []Indicator
	if err := db.Where("district_code = ?", a.DistrictCode).Order("code").Find(&cat).Error; err != nil {
		return nil, err
	}
	for _, c := range cat {
		info := c.info()
		if _, plan := inds[c.Code]; !plan {
			inds[c.Code] = info
		}
		if _, plan := inds[indicatorKey(c.Name)]; !plan {
			inds[indicatorKey(c.Name)] = info
		}
	}
	current, err := currentTargets(db, a.DistrictCode, now(), streets...)
	if err != nil {
		return nil, err
	}
	inForce := map[string]int64{}
	for _, t := range current {
		inForce[targetKey(t.ScopeCode, t.Indicator, t.Year)] = t.Value
	}
	// The unit the value's header, the header above it or the title names.
	headerUnit := lay.unit["value"]
	seen := map[string]int{}
	var out []Target
	res.Rows = eachDataRow(rows, lay.start, &res.Problems, func(n int, r []string, bad func(col, msg string)) {
		verr := &ValidationError{}
		scope, ok := scopes[strings.Join(strings.Fields(lay.get(r, "scope")), "")]
		if !ok {
			verr.Add("scope", "须为“全区”或本区的街道（名称或代码）")
		}
		year := res.Year
		if lay.has("year") {
			y, err := strconv.Atoi(strings.TrimSuffix(lay.get(r, "year"), "年"))
			if err != nil {
				verr.Add("year", "年度须为年份，如 2026")
			}
			year = y
		}
		info := inds[lay.get(r, "indicator")]
		if info == nil {
			info = inds[indicatorKey(lay.get(r, "indicator"))]
		}
		var value int64
		if info == nil {
			verr.Add("indicator", "未知指标：请用目标页上的指标名称或代码")
		} else {
			unit := lay.get(r, "unit")
			if unit == "" {
				unit = headerUnit
			}
			v, err := ParseTargetValue(info, lay.get(r, "value"), unit)
			verr.Merge(err)
			value = v
		}
		note := lay.get(r, "note")
		if verr.Err() == nil {
			checkTarget(verr, info, year, value, note)
		}
		fieldProblems(TargetColumns, verr, bad)
		if verr.Err() != nil {
			return
		}
		key := targetKey(scope, info.Code, year)
		if p := seen[key]; p != 0 {
			bad("指标", fmt.Sprintf("与第 %d 行是同一范围、同一年度、同一指标", p))
			return
		}
		seen[key] = n
		before, had := inForce[key]
		if had && before == value {
			res.Unchanged++
			return
		}
		row := TargetImportRow{Row: n, ScopeCode: scope, ScopeName: names[scope], Year: year, Indicator: info.Code,
			Label: info.Label, Unit: info.Unit, Value: value, Note: note}
		if had {
			row.Before = &before
		}
		res.Set = append(res.Set, row)
		out = append(out, Target{ScopeCode: scope, Indicator: info.Code, Year: year, Value: value, Note: note})
	})
	if res.refused(lay.start) {
		res.Set = []TargetImportRow{}
		return res, nil
	}
	if dryRun || len(out) == 0 {
		return res, nil
	}
	err = db.Transaction(func(tx *gorm.DB) error {
		at := now()
		for i := range out {
			t := &out[i]
			t.RecordedAt = at
			if err := tx.Create(t).Error; err != nil {
				return err
			}
			var before any
			if b := res.Set[i].Before; b != nil {
				before = map[string]any{"value": *b}
			}
			if err := Audit(tx, a, "target.set", "target", t.ScopeCode+"/"+t.Indicator+"/"+itoa(t.Year),
				AuditScope{District: a.DistrictCode}, before, *t); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	res.Committed = true
	return res, nil
}

func targetKey(scope, ind string, year int) string { return scope + "|" + ind + "|" + itoa(year) }

// indicatorKey is an indicator's name for matching: no spaces, full-width folded.
func indicatorKey(s string) string { return strings.Join(strings.Fields(NormalizeCell(s)), "") }

// FormatTarget shows a target value stored in unit (bp, fen or count).
func FormatTarget(unit string, v int64) string {
	switch unit {
	case "bp":
		return strconv.FormatInt(v/100, 10) + "." + strconv.FormatInt(v%100/10, 10) + "%"
	case "fen":
		return FormatMoney(v)
	}
	return strconv.FormatInt(v, 10)
}

// Shown is the row's value in its unit, for pages.
func (r TargetImportRow) Shown() string { return FormatTarget(r.Unit, r.Value) }

// ShownBefore is the value in force before the row, or "未下达".
func (r TargetImportRow) ShownBefore() string {
	if r.Before == nil {
		return "未下达"
	}
	return FormatTarget(r.Unit, *r.Before)
}
