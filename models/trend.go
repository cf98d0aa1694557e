package models

import (
	"math/big"
	"sort"
	"time"

	"gorm.io/gorm"
)

// TrendIndicators are the indicators with a yearly trend; the first three are shares
// of villages, the last two sums in 分.
var TrendIndicators = []string{IndIncome50w, IndStar, IndHemei, IndCollectiveIncome, IndAssets}

// IsShareIndicator reports whether an indicator is a share of villages.
func IsShareIndicator(ind string) bool {
	return ind == IndIncome50w || ind == IndStar || ind == IndHemei
}

// TrendPoint is one year of an indicator: the actual (nil before any approved
// figure), the target assigned for that year (nil when none: nothing is
// interpolated) and, after the last actual year, the projection at the current pace. For 经营性收入 ≥ 50万, Needed is how many more villages than today
// must be over the line by that year.
type TrendPoint struct {
	Year      int      `json:"year"`
	Actual    *big.Rat `json:"-"`
	Target    *big.Rat `json:"-"`
	Projected *big.Rat `json:"-"`
	Needed    *int64   `json:"needed,omitempty"`
	// InProgress marks a year still in progress: its figure is Provisional, never
	// an actual, and the projection does not start from it.
	InProgress  bool     `json:"in_progress"`
	Provisional *big.Rat `json:"-"`
	// Reference is the reference path (参考路径, not a target): a straight line from
	// the latest closed year's actual to the target assigned for the plan's final
	// year, nil outside that stretch or with no such target. Nothing reads it but
	// the chart: colours and Needed come from assigned targets only (DESIGN §1, §6).
	Reference *big.Rat `json:"-"`
}

// ReferenceLabel names the reference path wherever it is shown.
const ReferenceLabel = "参考路径（非目标）"

// Trend is an indicator's road to the plan's end for one scope.
type Trend struct {
	Indicator string       `json:"indicator"`
	ScopeCode string       `json:"scope_code"`
	ScopeName string       `json:"scope_name"`
	AsOf      time.Time    `json:"as_of"`
	Points    []TrendPoint `json:"-"`
}

// pick takes an indicator's value out of a roll-up: a share, or a sum in 分.
func pick(ind string, f *Figures, ru *Rollup) (actual, target *big.Rat) {
	switch ind {
	case IndIncome50w:
		return f.Income50w.Share.R, f.Income50w.Target.R
	case IndStar:
		return f.Star.Share.R, f.Star.Target.R
	case IndHemei:
		return f.Hemei.Share.R, f.Hemei.Target.R
	case IndCollectiveIncome:
		actual = big.NewRat(f.CollectiveIncomeTotalFen, 1)
		if ru.CollectiveIncomeTargetFen != nil {
			target = big.NewRat(*ru.CollectiveIncomeTargetFen, 1)
		}
	case IndAssets:
		actual = big.NewRat(f.AssetsTotalFen, 1)
		if ru.AssetsTargetFen != nil {
			target = big.NewRat(*ru.AssetsTargetFen, 1)
		}
	}
	return actual, target
}

// ComputeTrend gives every reporting year of an indicator for the actor's scope
// (narrowed to a street when set) as of asOf. Actuals and the projection come from
// the years closed by asOf only.
func ComputeTrend(db *gorm.DB, a *Actor, street, ind string, asOf time.Time) (*Trend, error) {
	known := false
	for _, t := range TrendIndicators {
		known = known || t == ind
	}
	if !known {
		return nil, Invalid("indicator", "指标须为 income_50w、star_coverage、hemei、collective_income_total 或 assets_total")
	}
	tr := &Trend{Indicator: ind, AsOf: asOf.UTC()}
	var last *TrendPoint
	var first *big.Rat
	firstYear, lastYear := 0, 0
	var lastCount, lastN int64
	years, err := Years(db)
	if err != nil {
		return nil, err
	}
	for _, y := range years {
		ru, err := ComputeRollup(db, a, street, y, asOf)
		if err != nil {
			return nil, err
		}
		tr.ScopeCode, tr.ScopeName = ru.ScopeCode, ru.ScopeName
		p := TrendPoint{Year: y, InProgress: ru.InProgress}
		actual, target := pick(ind, &ru.Figures, ru)
		p.Target = target
		if ru.InProgress {
			// A year in progress is not a result: shown apart, never projected from.
			if ru.Reported > 0 {
				p.Provisional = actual
			}
		} else if ru.Reported > 0 {
			p.Actual = actual
			if first == nil {
				first, firstYear = actual, y
			}
			lastYear, lastCount, lastN = y, ru.Income50w.Count, ru.Villages
		}
		tr.Points = append(tr.Points, p)
	}
	for i := range tr.Points {
		if tr.Points[i].Year == lastYear {
			last = &tr.Points[i]
		}
	}
	if last == nil {
		return tr, nil
	}
	// The pace is the average change per year from the first actual to the last.
	pace := new(big.Rat)
	if lastYear > firstYear {
		pace.Sub(last.Actual, first)
		pace.Quo(pace, big.NewRat(int64(lastYear-firstYear), 1))
	}
	for i := range tr.Points {
		p := &tr.Points[i]
		if p.Year <= lastYear {
			continue
		}
		proj := new(big.Rat).Mul(pace, big.NewRat(int64(p.Year-lastYear), 1))
		proj.Add(proj, last.Actual)
		if IsShareIndicator(ind) {
			proj = clampShare(proj)
		}
		p.Projected = proj
		if ind == IndIncome50w && p.Target != nil {
			n := Needed(Ratio{p.Target}, lastN, lastCount)
			p.Needed = &n
		}
	}
	tr.addReference(lastYear, last.Actual)
	return tr, nil
}

// addReference draws the reference path from the actual of year from to the target
// assigned for the plan's final year, when there is one and from is before it.
func (tr *Trend) addReference(from int, actual *big.Rat) {
	var goal *big.Rat
	for _, p := range tr.Points {
		if p.Year == PlanFinalYear {
			goal = p.Target
		}
	}
	if goal == nil || from >= PlanFinalYear {
		return
	}
	span := big.NewRat(int64(PlanFinalYear-from), 1)
	for i := range tr.Points {
		p := &tr.Points[i]
		if p.Year < from || p.Year > PlanFinalYear {
			continue
		}
		r := new(big.Rat).Sub(goal, actual)
		r.Mul(r, big.NewRat(int64(p.Year-from), 1))
		r.Quo(r, span)
		p.Reference = r.Add(r, actual)
	}
}

func clampShare(r *big.Rat) *big.Rat {
	switch {
	case r.Sign() < 0:
		return new(big.Rat)
	case r.Cmp(big.NewRat(1, 1)) > 0:
		return big.NewRat(1, 1)
	}
	return r
}

// Value formats an indicator value for the API: a share with six decimals, a sum
// in whole 分 (rounded), or null.
func Value(ind string, r *big.Rat) any {
	if r == nil {
		return nil
	}
	if IsShareIndicator(ind) {
		return Ratio{r}
	}
	half := new(big.Rat).Add(r, big.NewRat(1, 2))
	if r.Sign() < 0 {
		half.Sub(r, big.NewRat(1, 2))
	}
	return new(big.Int).Quo(half.Num(), half.Denom()).Int64()
}

// Ranking colours (三色预警).
const (
	ColorGreen  = "green"
	ColorYellow = "yellow"
	ColorRed    = "red"
)

// RankRow is one street of the 晾晒 ranking.
type RankRow struct {
	Rank       int    `json:"rank"`
	StreetCode string `json:"street_code"`
	StreetName string `json:"street_name"`
	Villages   int64  `json:"villages"`
	Count      int64  `json:"count"`
	Share      Ratio  `json:"share"`
	Target     Ratio  `json:"target"`
	// Color is empty with no target assigned, and for a year in progress.
	Color string `json:"color"`
	// Reported, Completeness and ReportedShare show a year in progress: how far
	// reporting has got and the share among the villages reported.
	Reported      int64 `json:"reported"`
	Completeness  Ratio `json:"completeness"`
	ReportedShare Ratio `json:"reported_share"`
}

// Ranking is the 晾晒 ranking of a district's streets on a share indicator.
type Ranking struct {
	Year       int       `json:"year"`
	Indicator  string    `json:"indicator"`
	AsOf       time.Time `json:"as_of"`
	YellowBand Ratio     `json:"yellow_band"`
	InProgress bool      `json:"in_progress"`
	Streets    []RankRow `json:"streets"`
}

// Colour classifies a share against its target: green at or above, yellow below by
// at most the band, red further below.
func Colour(share, target Ratio, bandBP int64) string {
	if share.R == nil || target.R == nil {
		return ""
	}
	if share.R.Cmp(target.R) >= 0 {
		return ColorGreen
	}
	gap := new(big.Rat).Sub(target.R, share.R)
	if gap.Cmp(big.NewRat(bandBP, 10000)) <= 0 {
		return ColorYellow
	}
	return ColorRed
}

// ComputeRanking ranks the district's streets by their share on a share indicator,
// highest first (equal shares share a rank), each coloured against its path.
func ComputeRanking(db *gorm.DB, a *Actor, year int, ind string, asOf time.Time) (*Ranking, error) {
	if a.Role != RoleDistrict {
		return nil, ErrForbidden
	}
	if !IsShareIndicator(ind) {
		return nil, Invalid("indicator", "排名指标须为 income_50w、star_coverage 或 hemei")
	}
	ru, err := ComputeRollup(db, a, "", year, asOf)
	if err != nil {
		return nil, err
	}
	band := YellowBand(db, a.DistrictCode, asOf)
	rk := &Ranking{Year: year, Indicator: ind, AsOf: asOf.UTC(), YellowBand: frac(band, 10000), Streets: []RankRow{},
		InProgress: ru.InProgress}
	for _, s := range ru.ByStreet {
		if s.Villages == 0 {
			continue
		}
		f := s.Figures
		row := RankRow{StreetCode: s.Code, StreetName: s.Name, Villages: f.Villages, Reported: f.Reported,
			Completeness: f.Completeness}
		switch ind {
		case IndIncome50w:
			row.Count, row.Share, row.Target = f.Income50w.Count, f.Income50w.Share, f.Income50w.Target
		case IndStar:
			row.Count, row.Share, row.Target = f.Star.Rated, f.Star.Share, f.Star.Target
		case IndHemei:
			row.Count, row.Share, row.Target = f.Hemei.Count, f.Hemei.Share, f.Hemei.Target
		}
		row.ReportedShare = frac(row.Count, f.Reported)
		if f.Reported == 0 {
			row.ReportedShare = Ratio{new(big.Rat)}
		}
		if !ru.InProgress {
			row.Color = Colour(row.Share, row.Target, band)
		}
		rk.Streets = append(rk.Streets, row)
	}
	sort.SliceStable(rk.Streets, func(i, j int) bool {
		return rk.Streets[i].Share.R.Cmp(rk.Streets[j].Share.R) > 0
	})
	for i := range rk.Streets {
		if i > 0 && rk.Streets[i].Share.R.Cmp(rk.Streets[i-1].Share.R) == 0 {
			rk.Streets[i].Rank = rk.Streets[i-1].Rank
		} else {
			rk.Streets[i].Rank = i + 1
		}
	}
	return rk, nil
}
