package models

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// catalogueSection is the 通报's section on the catalogue's indicators (the plan's
// and the district's own) that have a target for the year: each one's figure by its
// rule against the target, as of the bulletin's instant. ok is false when none has a
// target (the section is left out). table is the number of its table.
func catalogueSection(db *gorm.DB, a *Actor, street string, year int, asOf time.Time, table int) (s DocSection, ok bool, err error) {
	s = DocSection{Heading: "“千万工程”实施方案其他指标"}
	list, err := ListIndicators(db, a, 0)
	if err != nil || len(list) == 0 {
		return s, false, err
	}
	var rows []*IndicatorRollup
	for i := range list {
		d, err := IndicatorAsOf(db, &list[i], asOf)
		if errors.Is(err, ErrNotFound) {
			continue // defined after the bulletin's instant
		}
		if err != nil {
			return s, false, err
		}
		if !d.AppliesIn(year) || !hasTarget(db, d, year, asOf) {
			continue
		}
		ru, err := ComputeIndicatorRollup(db, a, d.Code, year, street, asOf)
		if err != nil {
			return s, false, err
		}
		if ru.Total.Target != nil {
			rows = append(rows, ru)
		}
	}
	if len(rows) == 0 {
		return s, false, nil
	}
	met, behind := 0, 0
	tb := DocTable{Caption: fmt.Sprintf("表 %d　实施方案其他指标完成情况", table), Header: []string{"指标", "实际", "本年目标", "完成情况"},
		Numeric: []bool{false, true, true, false}}
	for _, ru := range rows {
		d, f := &ru.Indicator, ru.Total
		state := "未达到"
		if act := d.Actual(f); act.Valid() && act.R.Cmp(targetRat(d, *f.Target).R) >= 0 {
			state = "已达到"
			met++
		} else {
			behind++
		}
		if ru.InProgress {
			state += "（临时数）"
		} else if c := colourNames[f.Color]; c != "" && f.Color != ColorGreen {
			state += "（" + c + "色预警）"
		}
		name := d.Name
		if d.Plan {
			name += "（方案）"
		}
		if state == "未达到" || strings.HasPrefix(state, "未达到（") {
			state += "，" + d.GapText(f)
		}
		tb.Rows = append(tb.Rows, []string{name, d.ActualText(f), d.TargetText(f.Target), state})
	}
	p := fmt.Sprintf("区定指标中，%d 项下达了 %d 年度目标：已达到 %d 项，未达到 %d 项。", len(rows), year, met, behind)
	if rows[0].InProgress {
		p += "年度进行中，均为临时数，不作三色预警。"
	}
	p += "仅统计审核通过的数据。"
	s.Paragraphs = []string{p}
	s.Tables = []DocTable{tb}
	return s, true, nil
}

// hasTarget reports whether any target of the indicator for the year was recorded
// by asOf (a cheap test before the roll-up).
func hasTarget(db *gorm.DB, d *Indicator, year int, asOf time.Time) bool {
	var n int64
	db.Model(&Target{}).Where("indicator = ? AND year = ? AND recorded_at <= ? AND scope_code LIKE ?",
		d.Code, year, asOf, d.DistrictCode+"%").Count(&n)
	return n > 0
}

// targetRat is a target in the unit Actual compares it with.
func targetRat(d *Indicator, t int64) Ratio {
	if d.TargetUnit() == "bp" {
		return frac(t, 10000)
	}
	return frac(t, 1)
}
