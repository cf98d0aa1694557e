package models

import (
	"math/big"
	"sort"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
)

// Indicators of the plan's targets (docs/domain.md, "Targets"). Shares are stored in basis points
// (8500 = 85%), money in 分, counts as counts.
const (
	IndIncome50w        = "income_50w"
	IndStar             = "star_coverage"
	IndHemei            = "hemei"
	IndCollectiveIncome = "collective_income_total"
	IndAssets           = "assets_total"
	IndCompanies        = "companies"
	IndWorkshops        = "workshops"
	IndWorkshopEmployed = "workshop_employed"
)

// IndicatorInfo describes an indicator for pages and validation.
type IndicatorInfo struct {
	Code  string
	Label string
	Unit  string // "bp", "fen" or "count"
}

// Indicators lists every indicator a target may be set for, in display order.
var Indicators = []IndicatorInfo{
	{IndIncome50w, "经营性收入 50 万元以上村占比", "bp"},
	{IndCollectiveIncome, "村级集体经济总收入", "fen"},
	{IndAssets, "村集体资产总额", "fen"},
	{IndHemei, "和美乡村建成率", "bp"},
	{IndStar, "星级美丽乡村覆盖率", "bp"},
	{IndCompanies, "强村公司数", "count"},
	{IndWorkshops, "共富工坊数（累计）", "count"},
	{IndWorkshopEmployed, "共富工坊带动就业人数", "count"},
}

// targetSet maps scope code → indicator → year → value.
type targetSet map[string]map[string]map[int]int64

// currentTargets are the targets of a district and its streets in force at t: for
// each (scope, indicator, year), the latest row recorded by then.
func currentTargets(db *gorm.DB, district string, t time.Time, streets ...Street) ([]Target, error) {
	var all []Target
	// Targets are set for the district or for its streets, whose codes begin with it:
	// a district's by the scope index (its code and its streets' codes), a region's
	// by prefix.
	q := db.Where("recorded_at <= ?", t)
	if len(district) == 6 {
		codes := []string{district}
		if streets == nil {
			if err := db.Model(&Street{}).Where("district_code = ?", district).Find(&streets).Error; err != nil {
				return nil, err
			}
		}
		for _, s := range streets {
			codes = append(codes, s.Code)
		}
		q = q.Where("scope_code IN ?", codes)
	} else {
		q = q.Where("scope_code LIKE ?", district+"%")
	}
	if err := q.Order("scope_code, indicator, year, recorded_at, id").Find(&all).Error; err != nil {
		return nil, err
	}
	var out []Target
	for i, t := range all {
		if i+1 < len(all) && all[i+1].ScopeCode == t.ScopeCode && all[i+1].Indicator == t.Indicator && all[i+1].Year == t.Year {
			continue // superseded by a later row
		}
		out = append(out, t)
	}
	return out, nil
}

func loadTargets(db *gorm.DB, district string, at time.Time, streets []Street) (targetSet, error) {
	all, err := currentTargets(db, district, at, streets...)
	if err != nil {
		return nil, err
	}
	ts := targetSet{}
	for _, t := range all {
		if ts[t.ScopeCode] == nil {
			ts[t.ScopeCode] = map[string]map[int]int64{}
		}
		if ts[t.ScopeCode][t.Indicator] == nil {
			ts[t.ScopeCode][t.Indicator] = map[int]int64{}
		}
		ts[t.ScopeCode][t.Indicator][t.Year] = t.Value
	}
	return ts, nil
}

// value is the target of the first scope that has any for the indicator: the
// explicit one for the year, else a straight path from the first year's actual to
// the final (latest) explicit target. nil when no scope has a target.
func (ts targetSet) value(scopes []string, ind string, year int, firstActual *big.Rat, unit int64) *big.Rat {
	for _, sc := range scopes {
		m := ts[sc][ind]
		if len(m) == 0 {
			continue
		}
		if v, ok := m[year]; ok {
			return big.NewRat(v, unit)
		}
		years := make([]int, 0, len(m))
		for y := range m {
			years = append(years, y)
		}
		sort.Ints(years)
		finalYear := years[len(years)-1]
		final := big.NewRat(m[finalYear], unit)
		if year >= finalYear || firstActual == nil || finalYear <= FirstYear {
			return final
		}
		if year <= FirstYear {
			return new(big.Rat).Set(firstActual)
		}
		// first + (final − first) × (year − FirstYear) / (finalYear − FirstYear)
		step := new(big.Rat).Sub(final, firstActual)
		step.Mul(step, big.NewRat(int64(year-FirstYear), int64(finalYear-FirstYear)))
		return step.Add(step, firstActual)
	}
	return nil
}

// onPath reports whether any target of the year follows a path from the first
// year's actual (no explicit target for the year, and the year before the final).
func (ts targetSet) onPath(year int) bool {
	for _, byInd := range ts {
		for ind, m := range byInd {
			if ind == indYellowBand {
				continue
			}
			if _, ok := m[year]; ok {
				continue
			}
			for y := range m {
				if y > year {
					return true
				}
			}
		}
	}
	return false
}

// registriesOnPath reports whether a company or workshop target of the scope is on
// a path in the year (then the first year's registry figures are needed).
func (ts targetSet) registriesOnPath(scope string, year int) bool {
	for _, ind := range []string{IndCompanies, IndWorkshops, IndWorkshopEmployed} {
		m := ts[scope][ind]
		if _, ok := m[year]; ok {
			continue
		}
		for y := range m {
			if y > year {
				return true
			}
		}
	}
	return false
}

// applyShares sets the share targets of f and the villages still needed.
func (ts targetSet) applyShares(f, first *Figures, scopes []string, year int) {
	f.Income50w.Target = Ratio{ts.value(scopes, IndIncome50w, year, first.Income50w.Share.R, 10000)}
	f.Star.Target = Ratio{ts.value(scopes, IndStar, year, first.Star.Share.R, 10000)}
	f.Hemei.Target = Ratio{ts.value(scopes, IndHemei, year, first.Hemei.Share.R, 10000)}
	f.Income50w.Needed = Needed(f.Income50w.Target, f.Villages, f.Income50w.Count)
}

// amount is the target of a money or count indicator for one scope, rounded to the
// nearest unit.
func (ts targetSet) amount(ind, scope string, year int, firstActual int64) *int64 {
	v := ts.value([]string{scope}, ind, year, big.NewRat(firstActual, 1), 1)
	if v == nil {
		return nil
	}
	half := new(big.Rat).Add(v, big.NewRat(1, 2))
	n := new(big.Int).Quo(half.Num(), half.Denom())
	out := n.Int64()
	return &out
}

// Needed is max(0, ⌈target × N⌉ − count): the villages still to lift over the line.
func Needed(target Ratio, n, count int64) int64 {
	if target.R == nil {
		return 0
	}
	prod := new(big.Rat).Mul(target.R, big.NewRat(n, 1))
	q, r := new(big.Int).QuoRem(prod.Num(), prod.Denom(), new(big.Int))
	if r.Sign() > 0 {
		q.Add(q, big.NewInt(1))
	}
	need := q.Int64() - count
	if need < 0 {
		return 0
	}
	return need
}

// ListTargets lists the targets in force of the actor's district and its streets.
func ListTargets(db *gorm.DB, a *Actor) ([]Target, error) {
	return currentTargets(db, a.DistrictCode, now())
}

// SetTarget creates or changes one target. District staff only; audited.
func SetTarget(db *gorm.DB, a *Actor, scope, ind string, year int, value int64, note string) (*Target, error) {
	if a.Role != RoleDistrict {
		return nil, ErrForbidden
	}
	verr := &ValidationError{}
	var info *IndicatorInfo
	for i := range Indicators {
		if Indicators[i].Code == ind {
			info = &Indicators[i]
		}
	}
	if info == nil {
		verr.Add("indicator", "未知指标")
	}
	if scope != a.DistrictCode {
		var n int64
		db.Model(&Street{}).Where("code = ? AND district_code = ?", scope, a.DistrictCode).Count(&n)
		if n == 0 {
			verr.Add("scope_code", "范围须为本区或本区的街道")
		}
	}
	if year < FirstYear || year > 2100 {
		verr.Add("year", "年度不合理")
	}
	switch {
	case value < 0:
		verr.Add("value", "目标值不能为负数")
	case info != nil && info.Unit == "bp" && value > 10000:
		verr.Add("value", "占比目标不能超过 100%")
	case value > MaxAmountFen:
		verr.Add("value", "目标值过大")
	}
	if BadText(note) || utf8.RuneCountInString(note) > 200 {
		verr.Add("note", "说明最多 200 字，且不能含控制字符")
	}
	if err := verr.Err(); err != nil {
		return nil, err
	}
	t := Target{ScopeCode: scope, Indicator: ind, Year: year, Value: value, Note: note, RecordedAt: now()}
	err := db.Transaction(func(tx *gorm.DB) error {
		var prev Target
		var before any
		err := tx.Where("scope_code = ? AND indicator = ? AND year = ?", scope, ind, year).
			Order("recorded_at DESC, id DESC").Take(&prev).Error
		if err == nil {
			before = prev
		} else if err != gorm.ErrRecordNotFound {
			return err
		}
		if err := tx.Create(&t).Error; err != nil {
			return err
		}
		return Audit(tx, a, "target.set", "target", scope+"/"+ind+"/"+itoa(year), AuditScope{District: a.DistrictCode}, before, t)
	})
	if err != nil {
		return nil, err
	}
	return &t, nil
}
