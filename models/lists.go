package models

import (
	"time"

	"gorm.io/gorm"
)

// VillageFigures is a village with its latest approved version of a year as of an
// instant (the master data in force then).
type VillageFigures struct {
	Code         string `json:"village_code"`
	Name         string `json:"village_name"`
	StreetCode   string `json:"street_code"`
	StreetName   string `json:"street_name"`
	Type         string `json:"type"`
	OperatingFen int64  `json:"operating_fen"`
	TotalFen     int64  `json:"total_fen"`
	AssetsFen    int64  `json:"assets_fen"`
	StarRating   int    `json:"star_rating"`
	HemeiBuilt   bool   `json:"hemei_built"`
	// PrevOperatingFen is the previous year's approved 经营性收入 as of the same
	// instant (the 冲刺名单 and 预警名单; nil when that year has no approved figures).
	PrevOperatingFen *int64 `json:"prev_operating_fen,omitempty"`
}

// approvedFigures lists the villages of the scope active in year that have an
// approved version as of asOf, with its figures, by street and code.
func approvedFigures(db *gorm.DB, a *Actor, year int, asOf time.Time) ([]VillageFigures, error) {
	latest := reports.latestApproved(db, &asOf).Where("year = ?", year)
	q := villagesAsOf(db, asOf).
		Select(`villages.code, villages.name, villages.street_code, streets.name AS street_name, villages.type,
			r.operating_fen, r.total_fen, r.assets_fen, r.star_rating, r.hemei_built`).
		Joins("JOIN streets ON streets.code = villages.street_code").
		Joins("JOIN (?) la ON la.village_code = villages.code", latest).
		Joins("JOIN report_versions r ON r.village_code = la.village_code AND r.year = ? AND r.seq = la.seq", year).
		Scopes(a.Scope().Villages)
	var out []VillageFigures
	err := activeIn(q, year).Order("villages.street_code, villages.code").Scan(&out).Error
	return out, err
}

// SprintLine is the lower bound of the 冲刺名单: 40万元.
const SprintLine int64 = 40_000_000

// SprintList is the 冲刺名单: villages whose approved 经营性收入 of year is at least
// 40万 and below 50万 — within reach of the line.
func SprintList(db *gorm.DB, a *Actor, year int, asOf time.Time) ([]VillageFigures, error) {
	if a.Role == RoleVillage {
		return nil, ErrForbidden
	}
	all, err := approvedFigures(db, a, year, asOf)
	if err != nil {
		return nil, err
	}
	var out []VillageFigures
	for _, v := range all {
		if v.OperatingFen >= SprintLine && v.OperatingFen < MeetsLine {
			out = append(out, v)
		}
	}
	if len(out) == 0 {
		return out, nil
	}
	before, err := previousOperating(db, a, year, asOf)
	if err != nil {
		return nil, err
	}
	for i := range out {
		if p, ok := before[out[i].Code]; ok {
			out[i].PrevOperatingFen = &p
		}
	}
	return out, nil
}

// previousOperating maps each village of the scope to its approved 经营性收入 of the
// year before year, as of asOf.
func previousOperating(db *gorm.DB, a *Actor, year int, asOf time.Time) (map[string]int64, error) {
	prev, err := approvedFigures(db, a, year-1, asOf)
	if err != nil {
		return nil, err
	}
	before := make(map[string]int64, len(prev))
	for _, p := range prev {
		before[p.Code] = p.OperatingFen
	}
	return before, nil
}

// SlippingList is the 预警名单: villages over 50万 in the previous year's approved
// figures and under it in this year's.
func SlippingList(db *gorm.DB, a *Actor, year int, asOf time.Time) ([]VillageFigures, error) {
	if a.Role == RoleVillage {
		return nil, ErrForbidden
	}
	cur, err := approvedFigures(db, a, year, asOf)
	if err != nil {
		return nil, err
	}
	before, err := previousOperating(db, a, year, asOf)
	if err != nil {
		return nil, err
	}
	var out []VillageFigures
	for _, v := range cur {
		if p, ok := before[v.Code]; ok && p >= MeetsLine && v.OperatingFen < MeetsLine {
			v.PrevOperatingFen = &p
			out = append(out, v)
		}
	}
	return out, nil
}

// IncomeBand is one 10万 band of the income distribution.
type IncomeBand struct {
	Label    string `json:"label"`
	FromFen  *int64 `json:"from_fen"`
	ToFen    *int64 `json:"to_fen"`
	Villages int64  `json:"villages"`
}

// IncomeDistribution counts the villages with approved figures in each 10万 band of
// 经营性收入: below 0, 0–10万, …, 90–100万, and 100万 and more.
func IncomeDistribution(db *gorm.DB, a *Actor, street string, year int, asOf time.Time) ([]IncomeBand, error) {
	all, err := approvedFigures(db, a, year, asOf)
	if err != nil {
		return nil, err
	}
	const band = 10_000_000
	bands := make([]IncomeBand, 12)
	p := func(v int64) *int64 { return &v }
	bands[0] = IncomeBand{Label: "亏损", ToFen: p(0)}
	for i := 0; i < 10; i++ {
		bands[i+1] = IncomeBand{Label: itoa(i*10) + "–" + itoa(i*10+10) + "万", FromFen: p(int64(i) * band), ToFen: p(int64(i+1) * band)}
	}
	bands[11] = IncomeBand{Label: "100万以上", FromFen: p(10 * band)}
	for _, v := range all {
		if street != "" && v.StreetCode != street {
			continue
		}
		switch {
		case v.OperatingFen < 0:
			bands[0].Villages++
		case v.OperatingFen >= 10*band:
			bands[11].Villages++
		default:
			bands[1+v.OperatingFen/band].Villages++
		}
	}
	return bands, nil
}

// CompletenessRow is the reporting progress of one street (or the total).
type CompletenessRow struct {
	StreetCode string `json:"street_code"`
	StreetName string `json:"street_name"`
	Expected   int64  `json:"expected"`
	Approved   int64  `json:"approved"`
	Submitted  int64  `json:"submitted"`
	Draft      int64  `json:"draft"`
	Rejected   int64  `json:"rejected"`
	NotStarted int64  `json:"not_started"`
	Overdue    int64  `json:"overdue"`
}

// Completeness gives each street's reporting progress for year now: every active
// village is in exactly one of submitted (waiting for review), approved, draft,
// rejected (latest version rejected, nothing approved) or not started; overdue counts
// those of them neither approved nor submitted once the window has closed (and any
// exception expired).
func Completeness(db *gorm.DB, a *Actor, year int) ([]CompletenessRow, *CompletenessRow, error) {
	if a.Role == RoleVillage {
		return nil, nil, ErrForbidden
	}
	if err := CheckYear(db, year); err != nil {
		return nil, nil, err
	}
	streets, err := ListStreets(db, a)
	if err != nil {
		return nil, nil, err
	}
	var vs []Village
	if err := activeIn(a.Scope().Villages(db.Model(&Village{})), year).Find(&vs).Error; err != nil {
		return nil, nil, err
	}
	var versions []ReportVersion
	inScope := a.Scope().Villages(db.Model(&Village{}).Select("villages.code"))
	if err := db.Select("village_code, seq, status").Where("year = ? AND village_code IN (?)", year, inScope).
		Order("village_code, seq").Find(&versions).Error; err != nil {
		return nil, nil, err
	}
	type state struct{ approved, submitted, draft, lastRejected, any bool }
	st := map[string]*state{}
	for _, r := range versions {
		s := st[r.VillageCode]
		if s == nil {
			s = &state{}
			st[r.VillageCode] = s
		}
		s.any = true
		s.approved = s.approved || r.Status == StatusApproved
		s.submitted = s.submitted || r.Status == StatusSubmitted
		s.draft = s.draft || r.Status == StatusDraft
		s.lastRejected = r.Status == StatusRejected
	}
	var exceptions []SubmitException
	if err := db.Where("year = ? AND until >= ? AND village_code IN (?)", year, time.Now(), inScope).Find(&exceptions).Error; err != nil {
		return nil, nil, err
	}
	excepted := map[string]bool{}
	for _, e := range exceptions {
		excepted[e.VillageCode] = true
	}
	closed := false
	if w, err := Window(db, a.DistrictCode, year); err != nil {
		return nil, nil, err
	} else if w != nil && time.Now().After(w.Closes) {
		closed = true
	}
	rows := make([]CompletenessRow, len(streets))
	idx := map[string]int{}
	for i, s := range streets {
		rows[i] = CompletenessRow{StreetCode: s.Code, StreetName: s.Name}
		idx[s.Code] = i
	}
	total := &CompletenessRow{StreetName: "合计"}
	for _, v := range vs {
		i, ok := idx[v.StreetCode]
		if !ok {
			continue
		}
		s := st[v.Code]
		if s == nil {
			s = &state{}
		}
		for _, r := range []*CompletenessRow{&rows[i], total} {
			r.Expected++
			switch {
			case s.submitted:
				r.Submitted++
			case s.approved:
				r.Approved++
			case s.draft:
				r.Draft++
			case s.lastRejected:
				r.Rejected++
			default:
				r.NotStarted++
			}
			if closed && !s.approved && !s.submitted && !excepted[v.Code] {
				r.Overdue++
			}
		}
	}
	return rows, total, nil
}
