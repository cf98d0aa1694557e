package models

import (
	"time"

	"gorm.io/gorm"
)

// Reports upward (上报报表): the tables a street or the district is asked for by 市 and
// 省. Each reads approved data only, as of an instant, for a year and a scope (the
// caller's, or one street of a district), with last year beside this year where a
// list compares. See docs/domain.md, "Reports upward".

// UpwardQuery is what a report upward is asked for: a year as of an instant, for the
// caller's scope or one street of it.
type UpwardQuery struct {
	Street string
	Year   int
	AsOf   time.Time
}

// ScopeVillage is a village of the scope active in the year.
type ScopeVillage struct {
	Code       string `json:"village_code"`
	Name       string `json:"village_name"`
	StreetCode string `json:"street_code"`
	StreetName string `json:"street_name"`
	Type       string `json:"type"`
}

// upward is a report's common reading: the source, the scope's streets by code, its
// active villages and their approved figures of the year and the year before.
type upward struct {
	src      source
	streets  map[string]string
	villages []ScopeVillage
	cur      []VillageFigures
	prev     map[string]VillageFigures
}

// upwardStart checks the caller (district or street), the year and the street (one
// of the caller's, else ErrNotFound) and picks the source.
func upwardStart(db *gorm.DB, a *Actor, q UpwardQuery) (*upward, error) {
	if a.Role != RoleDistrict && a.Role != RoleStreet {
		return nil, ErrForbidden
	}
	if err := CheckYear(db, q.Year); err != nil {
		return nil, err
	}
	streets, err := ListStreets(db, a)
	if err != nil {
		return nil, err
	}
	u := &upward{streets: map[string]string{}}
	for _, s := range streets {
		u.streets[s.Code] = s.Name
	}
	if _, ok := u.streets[q.Street]; q.Street != "" && !ok {
		return nil, ErrNotFound
	}
	changed, err := historyChangedAfter(db, q.AsOf)
	if err != nil {
		return nil, err
	}
	u.src = source{now: !changed, asOf: q.AsOf}
	return u, nil
}

// readFigures adds the scope's active villages and the approved figures of the year
// and of the year before.
func (u *upward) readFigures(db *gorm.DB, a *Actor, q UpwardQuery) error {
	vq := u.src.villages(db).Select("villages.code, villages.name, villages.street_code, villages.type").Scopes(a.Scope().Villages)
	vq = activeIn(vq, q.Year)
	if q.Street != "" {
		vq = vq.Where("villages.street_code = ?", q.Street)
	}
	if err := vq.Order("villages.street_code, villages.code").Scan(&u.villages).Error; err != nil {
		return err
	}
	for i := range u.villages {
		u.villages[i].StreetName = u.streets[u.villages[i].StreetCode]
	}
	inStreet := func(vs []VillageFigures) []VillageFigures {
		if q.Street == "" {
			return vs
		}
		var out []VillageFigures
		for _, v := range vs {
			if v.StreetCode == q.Street {
				out = append(out, v)
			}
		}
		return out
	}
	cur, err := approvedFigures(db, a, q.Year, q.AsOf)
	if err != nil {
		return err
	}
	u.cur = inStreet(cur)
	u.prev = map[string]VillageFigures{}
	if q.Year > FirstYear {
		prev, err := approvedFigures(db, a, q.Year-1, q.AsOf)
		if err != nil {
			return err
		}
		for _, p := range inStreet(prev) {
			u.prev[p.Code] = p
		}
	}
	return nil
}

// withPrev is a village's figures with last year's 经营性收入 beside them (nil when
// last year has no approved figures).
func (u *upward) withPrev(v VillageFigures) (VillageFigures, *VillageFigures) {
	p, ok := u.prev[v.Code]
	if !ok {
		return v, nil
	}
	v.PrevOperatingFen = &p.OperatingFen
	return v, &p
}

// IncomeBandLines are the 经营性收入 bands the reports upward count villages in, in
// 分: below 10万 (losses included), 10–30万, 30–50万, 50–100万 and 100万 or more.
// A band includes its lower edge, so 50万 is in 50–100万 as it meets the line.
var IncomeBandLines = []int64{10_000_000, 30_000_000, 50_000_000, 100_000_000}

// incomeBandLabels name the bands of IncomeBandLines.
var incomeBandLabels = []string{"10万元以下", "10万—30万元", "30万—50万元", "50万—100万元", "100万元及以上"}

// incomeBand is the index of the band of an amount.
func incomeBand(fen int64) int {
	for i, l := range IncomeBandLines {
		if fen < l {
			return i
		}
	}
	return len(IncomeBandLines)
}

// BandCount is one band of the income report: its villages this year and last year.
type BandCount struct {
	Label        string `json:"label"`
	FromFen      *int64 `json:"from_fen"`
	ToFen        *int64 `json:"to_fen"`
	Villages     int64  `json:"villages"`
	Share        Ratio  `json:"share"`
	PrevVillages int64  `json:"prev_villages"`
}

// BandVillage is a village of the income report, with its band this year and last.
type BandVillage struct {
	VillageFigures
	Band     string `json:"band"`
	PrevBand string `json:"prev_band"`
}

// IncomeBands is the report of villages by 经营性收入 band: counts (share of the
// scope's active villages) and the list; villages without approved figures are
// counted and listed apart.
type IncomeBands struct {
	Year         int            `json:"year"`
	AsOf         time.Time      `json:"as_of"`
	Villages     int64          `json:"villages"`
	Reported     int64          `json:"reported"`
	PrevReported int64          `json:"prev_reported"`
	Bands        []BandCount    `json:"bands"`
	List         []BandVillage  `json:"list"`
	NotReported  []ScopeVillage `json:"not_reported"`
}

// UpwardIncomeBands builds the income band report.
func UpwardIncomeBands(db *gorm.DB, a *Actor, q UpwardQuery) (*IncomeBands, error) {
	u, err := upwardStart(db, a, q)
	if err != nil {
		return nil, err
	}
	if err := u.readFigures(db, a, q); err != nil {
		return nil, err
	}
	r := &IncomeBands{Year: q.Year, AsOf: q.AsOf.UTC(), Villages: int64(len(u.villages)), Reported: int64(len(u.cur)),
		List: []BandVillage{}, NotReported: []ScopeVillage{}}
	for i, label := range incomeBandLabels {
		b := BandCount{Label: label}
		if i > 0 {
			b.FromFen = &IncomeBandLines[i-1]
		}
		if i < len(IncomeBandLines) {
			b.ToFen = &IncomeBandLines[i]
		}
		r.Bands = append(r.Bands, b)
	}
	reported := map[string]bool{}
	for _, v := range u.cur {
		reported[v.Code] = true
		bv := BandVillage{Band: incomeBandLabels[incomeBand(v.OperatingFen)]}
		var p *VillageFigures
		bv.VillageFigures, p = u.withPrev(v)
		if p != nil {
			bv.PrevBand = incomeBandLabels[incomeBand(p.OperatingFen)]
		}
		r.Bands[incomeBand(v.OperatingFen)].Villages++
		r.List = append(r.List, bv)
	}
	for _, p := range u.prev {
		r.PrevReported++
		r.Bands[incomeBand(p.OperatingFen)].PrevVillages++
	}
	for i := range r.Bands {
		r.Bands[i].Share = frac(r.Bands[i].Villages, r.Villages)
	}
	for _, v := range u.villages {
		if !reported[v.Code] {
			r.NotReported = append(r.NotReported, v)
		}
	}
	return r, nil
}

// LineVillage is a village of the 薄弱村 or 强村 list with last year beside it.
type LineVillage struct {
	VillageFigures
	PrevTotalFen *int64 `json:"prev_total_fen"`
	// PrevListed says whether the village was on the same list last year (by this
	// year's line); nil when last year has no approved figures.
	PrevListed *bool `json:"prev_listed"`
}

// LineList is the 薄弱村 list (经营性收入 below the district's line) or the 强村 list
// (at or above its line) of a year.
type LineList struct {
	Year      int           `json:"year"`
	AsOf      time.Time     `json:"as_of"`
	Kind      string        `json:"kind"`
	LineFen   int64         `json:"line_fen"`
	Villages  int64         `json:"villages"`
	Reported  int64         `json:"reported"`
	Count     int64         `json:"count"`
	PrevCount int64         `json:"prev_count"`
	List      []LineVillage `json:"list"`
}

// Kinds of line lists.
const (
	ListWeak   = "weak"
	ListStrong = "strong"
)

// UpwardLineList builds the 薄弱村 (kind ListWeak) or 强村 (ListStrong) list, with
// the line in force at the instant asked.
func UpwardLineList(db *gorm.DB, a *Actor, kind string, q UpwardQuery) (*LineList, error) {
	u, err := upwardStart(db, a, q)
	if err != nil {
		return nil, err
	}
	if err := u.readFigures(db, a, q); err != nil {
		return nil, err
	}
	r := &LineList{Year: q.Year, AsOf: q.AsOf.UTC(), Kind: kind, Villages: int64(len(u.villages)), Reported: int64(len(u.cur)), List: []LineVillage{}}
	on := func(fen int64) bool { return fen >= r.LineFen }
	if kind == ListWeak {
		r.LineFen = WeakLine(db, a.DistrictCode, q.AsOf)
		on = func(fen int64) bool { return fen < r.LineFen }
	} else {
		r.LineFen = StrongLine(db, a.DistrictCode, q.AsOf)
	}
	for _, v := range u.cur {
		if !on(v.OperatingFen) {
			continue
		}
		lv := LineVillage{}
		var p *VillageFigures
		lv.VillageFigures, p = u.withPrev(v)
		if p != nil {
			listed := on(p.OperatingFen)
			lv.PrevTotalFen, lv.PrevListed = &p.TotalFen, &listed
		}
		r.List = append(r.List, lv)
	}
	r.Count = int64(len(r.List))
	for _, p := range u.prev {
		if on(p.OperatingFen) {
			r.PrevCount++
		}
	}
	return r, nil
}
