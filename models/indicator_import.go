package models

import (
	"fmt"
	"strconv"
	"strings"

	"gorm.io/gorm"
)

// IndicatorValueColumns are the columns of a sheet of an indicator's values for one
// year: the village's code, the value (是/否 or 已命名/未命名, a count, or an amount,
// in 万元 unless the header says 元) and a note (a 文号, say); names and streets are
// read past.
var IndicatorValueColumns = []SheetColumn{
	{Key: "code", Label: "村代码", Names: codeNames, Required: true},
	{Key: "value", Label: "值", Names: []string{"值", "数值", "指标值", "是否", "是否命名", "是否达标", "数量", "金额"}, Required: true, Amount: true},
	{Key: "note", Label: "说明", Names: []string{"说明", "备注", "文号", "命名文号", "依据"}},
	{Key: "name", Label: "村名", Names: villageNameNames},
}

// IndicatorImport is the outcome of an import of an indicator's values.
type IndicatorImport struct {
	Rows      int             `json:"rows"`
	Problems  []ImportProblem `json:"problems"`
	New       int             `json:"new"`       // villages with their first value
	Changed   int             `json:"changed"`   // villages whose value or note changes
	Unchanged int             `json:"unchanged"` // rows equal to the value in force
	Committed bool            `json:"committed"`
}

// ImportIndicatorValues reads a sheet of one indicator's values for a year, entered
// by its enterer (the district, or a street for its own villages; never a
// village-entered indicator, whose values the cadres submit), and unless dryRun
// writes one version approved on entry per changed village, each audited. All or
// nothing; a row equal to the value in force is skipped, so the same sheet again
// changes nothing.
func ImportIndicatorValues(db *gorm.DB, a *Actor, code string, year int, rows [][]string, dryRun bool) (*IndicatorImport, error) {
	d, err := FindIndicator(db, a, code)
	if err != nil {
		return nil, err
	}
	if d.EnteredBy == EnteredByVillage || a.Role != d.EnteredBy {
		return nil, ErrForbidden
	}
	if err := CheckYear(db, year); err != nil {
		return nil, err
	}
	if !d.AppliesIn(year) {
		return nil, Invalid("year", "该指标在此年度不适用")
	}
	res := &IndicatorImport{Problems: []ImportProblem{}}
	lay, probs := findHeader(rows, IndicatorValueColumns, UnitWan)
	if len(probs) > 0 {
		res.Problems = probs
		return res, nil
	}
	var villages []Village
	if err := a.Scope().Villages(db.Model(&Village{})).Where("villages.district_code = ?", d.DistrictCode).Find(&villages).Error; err != nil {
		return nil, err
	}
	vmap := map[string]*Village{}
	for i := range villages {
		vmap[villages[i].Code] = &villages[i]
	}
	var all []IndicatorValue
	if err := db.Where("indicator_id = ? AND year = ?", d.ID, year).Order("village_code, seq").Find(&all).Error; err != nil {
		return nil, err
	}
	latest := map[string]*IndicatorValue{} // each village's latest version
	for i := range all {
		latest[all[i].VillageCode] = &all[i]
	}
	seen := map[string]int{}
	var out []IndicatorValue
	var prev []*Workflow
	res.Rows = eachDataRow(rows, lay.start, &res.Problems, func(n int, r []string, bad func(col, msg string)) {
		vc := lay.get(r, "code")
		v := vmap[vc]
		switch {
		case v == nil:
			bad("村代码", "本范围内没有这个村代码")
			return
		case !v.ActiveIn(year):
			bad("村代码", "该村在此年度不在册")
			return
		case seen[vc] != 0:
			bad("村代码", fmt.Sprintf("与第 %d 行是同一村", seen[vc]))
			return
		}
		seen[vc] = n
		x := IndicatorValue{IndicatorID: d.ID, VillageCode: vc, Year: year, Note: strings.TrimSpace(lay.get(r, "note"))}
		cellText := strings.TrimSpace(lay.get(r, "value"))
		switch d.Kind {
		case KindYesNo, KindTitle:
			yes, ok := parseYesNo(cellText)
			if cellText == "已命名" {
				yes, ok = true, true
			} else if cellText == "未命名" {
				yes, ok = false, true
			}
			if !ok {
				bad("值", "须为“是”或“否”")
				return
			}
			x.Value = b2i64(yes)
		case KindAmount:
			fen, err := lay.amount(r, "value")
			if err != nil {
				bad("值", err.Error())
				return
			}
			x.Value = fen
		default:
			c, err := strconv.ParseInt(cellText, 10, 64)
			if err != nil {
				bad("值", "须为整数")
				return
			}
			x.Value = c
		}
		if err := checkValue(d, &x); err != nil {
			if verr, ok := err.(*ValidationError); ok {
				for _, m := range verr.Fields {
					bad("值", m)
				}
			}
			return
		}
		l := latest[vc]
		switch {
		case l != nil && l.IsOpen():
			bad("村代码", "该村有未完成的填报，请先处理")
			return
		case l != nil && l.Status == StatusApproved && l.Value == x.Value && l.Note == x.Note:
			res.Unchanged++
			return
		case l == nil:
			res.New++
			prev = append(prev, nil)
		default:
			res.Changed++
			w := l.Workflow
			prev = append(prev, &w)
		}
		out = append(out, x)
	})
	if res.Rows == 0 && len(res.Problems) == 0 {
		res.Problems = append(res.Problems, ImportProblem{lay.start + 1, "", "表头之后没有数据行"})
	}
	if len(res.Problems) > 0 || dryRun || len(out) == 0 {
		return res, nil
	}
	err = db.Transaction(func(tx *gorm.DB) error {
		if err := indicatorValues.record(tx, a, now(), true, out, prev); err != nil {
			if isUniqueViolation(err) {
				return errStale
			}
			return err
		}
		for i := range out {
			v := vmap[out[i].VillageCode]
			k := valueSeries(d, v, year)
			var before any
			if prev[i] != nil {
				before = indicatorValues.audit(latest[out[i].VillageCode])
			}
			if err := Audit(tx, a, "indicator_value.import", "indicator_value", k.object, k.scope, before, indicatorValues.audit(&out[i])); err != nil {
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

func b2i64(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
