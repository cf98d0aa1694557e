package models

import (
	"errors"
	"fmt"
	"math/big"
	"sort"
	"time"

	"gorm.io/gorm"
)

// The roll-up of one catalogue indicator (docs/domain.md, "The indicator catalogue"):
// the villages of a scope active in the year, each with its value approved by an
// instant, counted by the indicator's rule as defined at that instant, for the
// whole scope, by street and by village type, each beside the target assigned to
// it. A colour is given only against an assigned target, and never for a year in
// progress.

// IndicatorFigures are an indicator's figures over a group of villages.
type IndicatorFigures struct {
	// Code and Name name the group: a street, a village type, or the whole scope.
	Code string `json:"code"`
	Name string `json:"name"`
	// Villages active in the year; Reported with an approved value; Yes with a value
	// above zero (是, 已命名, a count or an amount above zero); Sum of the values (a
	// count, or 分 for an amount); Share is Yes / Villages.
	Villages int64 `json:"villages"`
	Reported int64 `json:"reported"`
	Yes      int64 `json:"yes"`
	Sum      int64 `json:"sum"`
	Share    Ratio `json:"share"`
	// Target is the target assigned to the group for the year in the indicator's
	// target unit (basis points for a share, 分 for an amount's sum, else a count);
	// nil: 未下达目标.
	Target *int64 `json:"target"`
	// Color is green, yellow or red against the target; empty with no target, and
	// for a year in progress.
	Color string `json:"color"`
	// Rank is a street's place among the scope's streets by the figure of the rule,
	// highest first, equal figures sharing a place (0: no villages, or not a street).
	Rank int `json:"rank"`
}

// IndicatorRollup is an indicator's roll-up of a scope for a year as of an instant.
type IndicatorRollup struct {
	// Indicator is the definition in force at AsOf.
	Indicator  Indicator          `json:"-"`
	Year       int                `json:"year"`
	AsOf       time.Time          `json:"as_of"`
	ScopeCode  string             `json:"scope_code"`
	ScopeName  string             `json:"scope_name"`
	InProgress bool               `json:"in_progress"`
	Total      IndicatorFigures   `json:"total"`
	ByStreet   []IndicatorFigures `json:"by_street"`
	ByType     []IndicatorFigures `json:"by_type"`
}

// IndicatorAsOf is the definition of an indicator in force at t (its revision),
// ErrNotFound when it was not yet defined then.
func IndicatorAsOf(db *gorm.DB, d *Indicator, t time.Time) (*Indicator, error) {
	var r IndicatorRevision
	err := db.Where("indicator_id = ? AND valid_from <= ? AND (valid_to IS NULL OR valid_to > ?)", d.ID, t, t).
		Order("valid_from DESC, id DESC").Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	out := *d
	out.Name, out.Kind, out.Unit, out.EnteredBy, out.FromYear, out.UntilYear = r.Name, r.Kind, r.Unit, r.EnteredBy, r.FromYear, r.UntilYear
	out.Rollup, out.Plan, out.Wording, out.Version = r.Rollup, r.Plan, r.Wording, r.Version
	return &out, nil
}

// TargetUnit is the unit of the indicator's targets: "bp" for a share, "fen" for the
// sum of an amount, else "count".
func (d *Indicator) TargetUnit() string {
	switch {
	case d.Rollup == RollupShare:
		return "bp"
	case d.Rollup == RollupSum && d.Kind == KindAmount:
		return "fen"
	}
	return "count"
}

// Actual is the group's figure by the indicator's rule, in the target's unit
// (a share as a ratio, else a whole number).
func (d *Indicator) Actual(f IndicatorFigures) Ratio {
	switch d.Rollup {
	case RollupShare:
		return f.Share
	case RollupSum:
		return Ratio{big.NewRat(f.Sum, 1)}
	}
	return Ratio{big.NewRat(f.Yes, 1)}
}

// ActualText is the group's figure by the rule, in words with its unit.
func (d *Indicator) ActualText(f IndicatorFigures) string {
	switch d.Rollup {
	case RollupShare:
		return fmt.Sprintf("%s（%d / %d 村）", f.Share.Percent(), f.Yes, f.Villages)
	case RollupSum:
		if d.Kind == KindAmount {
			return FormatMoney(f.Sum)
		}
		return fmt.Sprintf("%d %s", f.Sum, d.Unit)
	}
	return fmt.Sprintf("%d 个村", f.Yes)
}

// TargetText is a target in words, 未下达目标 when nil.
func (d *Indicator) TargetText(t *int64) string {
	if t == nil {
		return "未下达目标"
	}
	switch d.TargetUnit() {
	case "bp":
		return frac(*t, 10000).Percent()
	case "fen":
		return FormatMoney(*t)
	}
	if d.Rollup == RollupCountYes {
		return fmt.Sprintf("%d 个村", *t)
	}
	return fmt.Sprintf("%d %s", *t, d.Unit)
}

// Gap is what the group still lacks to reach its target, in the rule's terms: villages
// for a count of villages or a share (⌈target × villages⌉ − yes), else the sum's
// units (分 for an amount); 0 when reached, nil with no target.
func (d *Indicator) Gap(f IndicatorFigures) *int64 {
	if f.Target == nil {
		return nil
	}
	var g int64
	switch d.Rollup {
	case RollupShare:
		g = Needed(frac(*f.Target, 10000), f.Villages, f.Yes)
	case RollupSum:
		g = max(0, *f.Target-f.Sum)
	default:
		g = max(0, *f.Target-f.Yes)
	}
	return &g
}

// GapText is Gap in words: 已达到目标, 还需 N 个村, 还差 N 单位 or 还差 X 万元; "" with no target.
func (d *Indicator) GapText(f IndicatorFigures) string {
	g := d.Gap(f)
	switch {
	case g == nil:
		return ""
	case *g == 0:
		return "已达到目标"
	case d.Rollup != RollupSum:
		return fmt.Sprintf("还需 %d 个村", *g)
	case d.Kind == KindAmount:
		return "还差 " + FormatMoney(*g)
	}
	return fmt.Sprintf("还差 %d %s", *g, d.Unit)
}

// colour is the group's colour against its target (bandBP: the yellow band, a share
// in basis points below the target, or for a count or a sum that fraction of it).
func (d *Indicator) colour(f IndicatorFigures, bandBP int64) string {
	if f.Target == nil {
		return ""
	}
	if d.Rollup == RollupShare {
		return Colour(f.Share, frac(*f.Target, 10000), bandBP)
	}
	actual := d.Actual(f).R
	if *f.Target == 0 {
		return ColorGreen
	}
	return Colour(Ratio{new(big.Rat).Quo(actual, big.NewRat(*f.Target, 1))}, Ratio{big.NewRat(1, 1)}, bandBP)
}

// indicatorAgg is one group of villages (street × type) of the roll-up query.
type indicatorAgg struct {
	StreetCode string
	Type       string
	Villages   int64
	Reported   int64
	Yes        int64
	Sum        int64 `gorm:"column:sum_value"`
}

func (f *IndicatorFigures) add(r indicatorAgg) {
	f.Villages += r.Villages
	f.Reported += r.Reported
	f.Yes += r.Yes
	f.Sum += r.Sum
}

func (f *IndicatorFigures) finish() { f.Share = frac(f.Yes, f.Villages) }

// ComputeIndicatorRollup rolls up the indicator code over the actor's scope (narrowed
// to one street when street is set) for year as of asOf: the values approved by asOf
// of the villages active in the year (their master data as of asOf), counted by the
// definition in force at asOf. Street and district staff only. When nothing it
// counts changed after asOf (the roll-up of now), it sums the maintained indicator
// cells; else it recounts from the history.
func ComputeIndicatorRollup(db *gorm.DB, a *Actor, code string, year int, street string, asOf time.Time) (*IndicatorRollup, error) {
	return computeIndicatorRollup(db, a, code, year, street, asOf, nil, false)
}

func computeIndicatorRollup(db *gorm.DB, a *Actor, code string, year int, street string, asOf time.Time, rc *RollupCache, now bool) (*IndicatorRollup, error) {
	if a.Role != RoleDistrict && a.Role != RoleStreet {
		return nil, ErrForbidden
	}
	// Its few statements are the same text for every indicator and instant: prepared
	// once per connection and kept (GORM's statement cache), they skip SQLite's
	// parsing and planning, a quarter of a district's first answer.
	db = db.Session(&gorm.Session{PrepareStmt: true})
	// A district's or a street's indicators are their district's; a region's are
	// those of the district that holds the code first.
	district := a.DistrictCode
	var cur *Indicator
	if a.IsRegion() {
		var err error
		if cur, err = FindIndicator(db, a, code); err != nil {
			return nil, err
		}
		district = cur.DistrictCode
	}
	// The context comes first: the revision it reads is then no newer than the
	// data counted below, so an answer is never kept under a revision it predates.
	ctx, err := readIndicatorContext(db, district, code, year, asOf)
	if err != nil {
		return nil, err
	}
	if !ctx.found {
		return nil, ErrNotFound
	}
	if err := checkYearIn(year, ctx.lastYear); err != nil {
		return nil, err
	}
	key := rc.key(&ctx.rollupContext, a, street, year, asOf, now)
	key.indicator = code
	if ru := rc.getIndicator(key, asOf); ru != nil {
		return ru, nil
	}
	ru, err := countIndicatorRollup(db, a, year, street, asOf, ctx)
	if err != nil {
		return nil, err
	}
	rc.putIndicator(key, ru)
	return ru, nil
}

// RecountIndicatorRollup is ComputeIndicatorRollup counted from the history whatever
// the instant, never from the maintained cells: the recount that the roll-up of now
// must equal (the tests, `cunji bench rollup`).
func RecountIndicatorRollup(db *gorm.DB, a *Actor, code string, year int, street string, asOf time.Time) (*IndicatorRollup, error) {
	if a.Role != RoleDistrict && a.Role != RoleStreet {
		return nil, ErrForbidden
	}
	cur, err := FindIndicator(db, a, code)
	if err != nil {
		return nil, err
	}
	ctx, err := readIndicatorContext(db, cur.DistrictCode, code, year, asOf)
	if err != nil {
		return nil, err
	}
	if err := checkYearIn(year, ctx.lastYear); err != nil {
		return nil, err
	}
	ctx.changed = true
	return countIndicatorRollup(db, a, year, street, asOf, ctx)
}

// countIndicatorRollup counts the roll-up of the context's indicator, once the
// context is known.
func countIndicatorRollup(db *gorm.DB, a *Actor, year int, street string, asOf time.Time, ctx *indicatorContext) (*IndicatorRollup, error) {
	d := ctx.indicator
	if d == nil {
		return nil, Invalid("as_of", "该指标在此时点尚未定义")
	}
	if !d.AppliesIn(year) {
		return nil, Invalid("year", "该指标在此年度不适用")
	}
	streets, err := streetTargets(db, a, d.Code, year, asOf)
	if err != nil {
		return nil, err
	}
	district := d.DistrictCode
	var own []streetTarget
	for _, s := range streets {
		if s.DistrictCode == district && (street == "" || s.Code == street) {
			own = append(own, s)
		}
	}
	if street != "" && len(own) == 0 {
		return nil, ErrNotFound
	}
	ru := &IndicatorRollup{Indicator: *d, Year: year, AsOf: asOf.UTC(), InProgress: ctx.inProgress}
	if len(own) == 1 && (street != "" || a.Role == RoleStreet) {
		ru.ScopeCode, ru.ScopeName = own[0].Code, own[0].Name
	} else {
		if ctx.districtName == "" {
			return nil, ErrNotFound
		}
		ru.ScopeCode, ru.ScopeName = district, ctx.districtName
	}
	rows, err := indicatorAggregate(db, a, d, year, street, asOf, !ctx.changed)
	if err != nil {
		return nil, err
	}
	// The targets in force at asOf: the district's and each street's own.
	targets := map[string]*int64{district: ctx.districtTarget}
	for _, s := range own {
		targets[s.Code] = s.Target
	}
	band := ctx.band
	target := func(scopes ...string) *int64 {
		if d.Rollup == RollupShare {
			for _, sc := range scopes {
				if v := targets[sc]; v != nil {
					return v
				}
			}
			return nil
		}
		// A count or a sum of the district is not a street's: only a scope's own.
		return targets[scopes[0]]
	}
	paint := func(f *IndicatorFigures) {
		f.finish()
		if !ru.InProgress {
			f.Color = d.colour(*f, band)
		}
	}
	ru.Total = IndicatorFigures{Code: ru.ScopeCode, Name: ru.ScopeName}
	byStreet := map[string]*IndicatorFigures{}
	for _, s := range own {
		ru.ByStreet = append(ru.ByStreet, IndicatorFigures{Code: s.Code, Name: s.Name})
	}
	for i := range ru.ByStreet {
		byStreet[ru.ByStreet[i].Code] = &ru.ByStreet[i]
	}
	byType := map[string]*IndicatorFigures{}
	for _, t := range VillageTypes {
		ru.ByType = append(ru.ByType, IndicatorFigures{Code: t, Name: t})
	}
	for i := range ru.ByType {
		byType[ru.ByType[i].Code] = &ru.ByType[i]
	}
	for _, r := range rows {
		ru.Total.add(r)
		if f := byStreet[r.StreetCode]; f != nil {
			f.add(r)
		}
		if f := byType[r.Type]; f != nil {
			f.add(r)
		}
	}
	ru.Total.Target = target(ru.ScopeCode, district)
	paint(&ru.Total)
	for i := range ru.ByStreet {
		ru.ByStreet[i].Target = target(ru.ByStreet[i].Code, district)
		paint(&ru.ByStreet[i])
	}
	rankStreets(d, ru.ByStreet)
	for i := range ru.ByType {
		if d.Rollup == RollupShare {
			ru.ByType[i].Target = target(ru.ScopeCode, district)
		}
		paint(&ru.ByType[i])
	}
	return ru, nil
}

// streetTarget is a street of the scope with its target of an indicator for a year
// in force at an instant (nil: none).
type streetTarget struct {
	Code, Name, DistrictCode string
	Target                   *int64
}

// streetTargets lists the streets of the actor's scope, by code, each with its
// target of the indicator code for year in force at t: the latest recorded by then
// (as currentTargets decides), in one statement.
func streetTargets(db *gorm.DB, a *Actor, code string, year int, t time.Time) ([]streetTarget, error) {
	var out []streetTarget
	err := a.Scope().Streets(db.Table("streets")).
		Select(`streets.code, streets.name, streets.district_code,
			(SELECT tg.value FROM targets tg WHERE tg.scope_code = streets.code AND tg.indicator = ? AND tg.year = ? AND tg.recorded_at <= ?
				ORDER BY tg.recorded_at DESC, tg.id DESC LIMIT 1) AS target`, code, year, t).
		Order("streets.code").Scan(&out).Error
	return out, err
}

// indicatorAggregate counts, per (street, type), the villages of the scope active in
// year and their values of indicator d approved by asOf. Of now (nothing counted
// changed after asOf), it reads the maintained cells: the report's cells for the
// villages, the indicator's for their values. Else it recounts from the history:
// each village's master data and latest value approved as of asOf.
func indicatorAggregate(db *gorm.DB, a *Actor, d *Indicator, year int, street string, asOf time.Time, now bool) ([]indicatorAgg, error) {
	var rows []indicatorAgg
	if now {
		q := a.Scope().Cells(db.Table("rollup_cells")).
			Select(`rollup_cells.street_code, rollup_cells.type, rollup_cells.villages, COALESCE(ic.reported, 0) AS reported,
				COALESCE(ic.yes, 0) AS yes, COALESCE(ic.sum_value, 0) AS sum_value`).
			Joins(`LEFT JOIN indicator_cells ic ON ic.indicator_id = ? AND ic.street_code = rollup_cells.street_code
				AND ic.type = rollup_cells.type AND ic.year = rollup_cells.year`, d.ID).
			Where("rollup_cells.year = ? AND rollup_cells.district_code = ?", year, d.DistrictCode)
		if street != "" {
			q = q.Where("rollup_cells.street_code = ?", street)
		}
		err := q.Scan(&rows).Error
		return rows, err
	}
	err := indicatorAggregateQ(db, a, d, year, street, asOf).Scan(&rows).Error
	return rows, err
}

// indicatorAggregateQ is the history's query of indicatorAggregate: the village
// revisions in force at asOf (named "villages", so that the scope's filters apply),
// each with its latest value approved by asOf, by one lookup in the series' index
// (a district's few hundred villages). The COALESCE around valid_from keeps SQLite
// from scanning the whole revision history by that column's index.
func indicatorAggregateQ(db *gorm.DB, a *Actor, d *Indicator, year int, street string, asOf time.Time) *gorm.DB {
	q := db.Table("village_revisions AS villages").
		Select(`villages.street_code, villages.type, COUNT(*) AS villages, COUNT(iv.value) AS reported,
			SUM(CASE WHEN iv.value > 0 THEN 1 ELSE 0 END) AS yes, COALESCE(SUM(iv.value), 0) AS sum_value`).
		Joins(`LEFT JOIN indicator_values iv ON iv.id = (SELECT i2.id FROM indicator_values i2
			WHERE i2.indicator_id = ? AND i2.village_code = villages.code AND i2.year = ? AND i2.status = ? AND i2.reviewed_at <= ?
			ORDER BY i2.seq DESC LIMIT 1)`, d.ID, year, StatusApproved, asOf).
		Where("villages.district_code = ? AND COALESCE(villages.valid_from, villages.valid_from) <= ? AND (villages.valid_to IS NULL OR villages.valid_to > ?)",
			d.DistrictCode, asOf, asOf)
	if a.Role != RoleDistrict {
		// A district's (or its region's) scope is the indicator's district already.
		q = q.Scopes(a.Scope().Villages)
	}
	if street != "" {
		q = q.Where("villages.street_code = ?", street)
	}
	return activeIn(q, year).Group("villages.street_code, villages.type")
}

// rankStreets places the streets with villages by the figure of the rule, highest
// first; equal figures share a place.
func rankStreets(d *Indicator, rows []IndicatorFigures) {
	var order []int
	for i := range rows {
		if rows[i].Villages > 0 {
			order = append(order, i)
		}
	}
	sort.SliceStable(order, func(x, y int) bool {
		return d.Actual(rows[order[x]]).R.Cmp(d.Actual(rows[order[y]]).R) > 0
	})
	for k, i := range order {
		rows[i].Rank = k + 1
		if k > 0 && d.Actual(rows[i]).R.Cmp(d.Actual(rows[order[k-1]]).R) == 0 {
			rows[i].Rank = rows[order[k-1]].Rank
		}
	}
}

// Ranked is the streets with a place, in the order of their places.
func (ru *IndicatorRollup) Ranked() []IndicatorFigures {
	var out []IndicatorFigures
	for _, f := range ru.ByStreet {
		if f.Rank > 0 {
			out = append(out, f)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Rank < out[j].Rank })
	return out
}

// TargetIndicators lists every indicator a target may be set for: the registry's
// own, then the district's catalogue (plan's first), each with its target unit.
func TargetIndicators(db *gorm.DB, a *Actor) ([]IndicatorInfo, error) {
	out := append([]IndicatorInfo{}, Indicators...)
	list, err := ListIndicators(db, a, 0)
	if err != nil {
		return nil, err
	}
	for _, d := range list {
		out = append(out, IndicatorInfo{Code: d.Code, Label: d.Name + "（指标目录）", Unit: d.TargetUnit()})
	}
	return out, nil
}

// IndicatorTrend is the indicator's roll-up of the scope for each year it applies to,
// from the plan's first year to the last open one, as of asOf: the road to the
// plan's targets, each year beside its own target.
func IndicatorTrend(db *gorm.DB, a *Actor, code, street string, asOf time.Time) ([]*IndicatorRollup, error) {
	return indicatorTrend(db, a, code, street, asOf, nil, false)
}

func indicatorTrend(db *gorm.DB, a *Actor, code, street string, asOf time.Time, rc *RollupCache, now bool) ([]*IndicatorRollup, error) {
	cur, err := FindIndicator(db, a, code)
	if err != nil {
		return nil, err
	}
	d, err := IndicatorAsOf(db, cur, asOf)
	if errors.Is(err, ErrNotFound) {
		return nil, Invalid("as_of", "该指标在此时点尚未定义")
	}
	if err != nil {
		return nil, err
	}
	last, err := LastYear(db)
	if err != nil {
		return nil, err
	}
	var out []*IndicatorRollup
	for y := max(FirstYear, d.FromYear); y <= last; y++ {
		if !d.AppliesIn(y) {
			continue
		}
		ru, err := computeIndicatorRollup(db, a, code, y, street, asOf, rc, now)
		if err != nil {
			return nil, err
		}
		out = append(out, ru)
	}
	return out, nil
}

// IndicatorSlipping lists the villages of the scope whose approved value as of asOf
// was yes (above zero) last year and is no (zero) this year: the indicator's 预警名单.
// A village without an approved value this year is not listed (it has not reported).
func IndicatorSlipping(db *gorm.DB, a *Actor, code string, year int, street string, asOf time.Time) ([]VillageValue, error) {
	if CheckYear(db, year-1) != nil {
		return nil, nil
	}
	_, cur, _, err := ListIndicatorValues(db, a, code, year, street, asOf)
	if err != nil {
		return nil, err
	}
	_, prev, _, err := ListIndicatorValues(db, a, code, year-1, street, asOf)
	if err != nil {
		return nil, err
	}
	was := map[string]bool{}
	for _, v := range prev {
		if v.Value != nil && *v.Value > 0 {
			was[v.VillageCode] = true
		}
	}
	var out []VillageValue
	for _, v := range cur {
		if was[v.VillageCode] && v.Value != nil && *v.Value == 0 {
			out = append(out, v)
		}
	}
	return out, nil
}
