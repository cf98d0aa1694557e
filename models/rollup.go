package models

import (
	"database/sql"
	"math"
	"math/big"
	"strconv"
	"time"

	"gorm.io/gorm"
)

// Ratio is an exact fraction that the API writes as a number with six decimals,
// or null when it is undefined (no target, no villages).
type Ratio struct{ R *big.Rat }

// MarshalJSON writes the ratio with six decimals.
func (r Ratio) MarshalJSON() ([]byte, error) {
	if r.R == nil {
		return []byte("null"), nil
	}
	return []byte(r.R.FloatString(6)), nil
}

// Percent formats the ratio as a percentage with one decimal, or "—".
func (r Ratio) Percent() string {
	if r.R == nil {
		return "—"
	}
	p := new(big.Rat).Mul(r.R, big.NewRat(100, 1))
	return p.FloatString(1) + "%"
}

// Valid reports whether the ratio is defined.
func (r Ratio) Valid() bool { return r.R != nil }

func frac(num, den int64) Ratio {
	if den == 0 {
		return Ratio{}
	}
	return Ratio{ratio(num, den)}
}

// ratio is num/den (den ≠ 0) as big.NewRat makes it, in lowest terms with a
// positive denominator, reduced here in int64: big.NewRat's reduction (a GCD of
// big integers) cost a tenth of a nation's roll-up, one for each of its tens of
// thousands of shares.
func ratio(num, den int64) *big.Rat {
	if den < 0 && den != math.MinInt64 && num != math.MinInt64 {
		num, den = -num, -den
	}
	if den <= 0 || num == math.MinInt64 {
		return big.NewRat(num, den)
	}
	a, b := num, den
	if a < 0 {
		a = -a
	}
	for b != 0 {
		a, b = b, a%b
	}
	if a > 1 {
		num, den = num/a, den/a
	}
	r := new(big.Rat).SetInt64(num)
	if den != 1 {
		// SetInt64 made the denominator 1; Denom is then a reference to it.
		r.Denom().SetInt64(den)
	}
	return r
}

// IncomeFigures are the 经营性收入 ≥ 50万 figures (docs/domain.md, "Roll-ups").
type IncomeFigures struct {
	Count  int64 `json:"count"`
	Share  Ratio `json:"share"`
	Target Ratio `json:"target"`
	// Needed is nil when no target is assigned for the year (未下达目标).
	Needed *int64 `json:"needed"`
	// ReportedShare is count / reported (0 when nothing is reported): the
	// provisional share while the year is in progress.
	ReportedShare Ratio `json:"reported_share"`
}

// StarFigures are the 星级美丽乡村 figures, from the title register: villages
// holding the title at the end of the year (by the level held) and the namings of
// the year (by level).
type StarFigures struct {
	Rated      int64       `json:"rated"`
	Share      Ratio       `json:"share"`
	Target     Ratio       `json:"target"`
	ByLevel    LevelCounts `json:"by_level"`
	New        int64       `json:"new"`
	NewByLevel LevelCounts `json:"new_by_level"`
}

// HemeiFigures are the 和美乡村 figures: villages holding it at the end of the
// year, and those named in the year.
type HemeiFigures struct {
	Count  int64 `json:"count"`
	Share  Ratio `json:"share"`
	Target Ratio `json:"target"`
	New    int64 `json:"new"`
}

// Figures are the roll-up figures of one scope or group (docs/domain.md, "Roll-ups").
type Figures struct {
	Villages int64 `json:"villages"`
	Reported int64 `json:"reported"`
	// Completeness is reported / villages: how far the year's reporting has got.
	Completeness             Ratio         `json:"completeness"`
	Income50w                IncomeFigures `json:"income_50w"`
	Star                     StarFigures   `json:"star"`
	Hemei                    HemeiFigures  `json:"hemei"`
	CollectiveIncomeTotalFen int64         `json:"collective_income_total_fen"`
	OperatingIncomeTotalFen  int64         `json:"operating_income_total_fen"`
	AssetsTotalFen           int64         `json:"assets_total_fen"`
	// 强村公司: active companies with a member village here in the year, and those
	// villages; 共富工坊: approved workshops operating (运营) and their employment.
	Companies      int64 `json:"companies"`
	MemberVillages int64 `json:"member_villages"`
	// WorkshopsBuilt counts the workshops founded by the end of the year, whatever
	// their state now (cumulative).
	WorkshopsBuilt            int64 `json:"workshops_built"`
	Workshops                 int64 `json:"workshops"`
	WorkshopEmployed          int64 `json:"workshop_employed"`
	WorkshopLowIncomeEmployed int64 `json:"workshop_low_income_employed"`
	// WorkshopsByStar counts the operating workshops by their star level (星级评定,
	// "0" for none) at the end of the year.
	WorkshopsByStar StarCounts `json:"workshops_by_star"`
}

// LevelCounts count villages by star level 1 to 3, the level its index ([0] is
// unused): an array, not a map, since a nation's roll-up fills two for each of
// its tens of thousands of streets. Its JSON is an object keyed "1" to "3".
type LevelCounts [4]int64

// MarshalJSON writes every level, 1 to 3, as the object {"1": n, "2": n, "3": n}.
func (c LevelCounts) MarshalJSON() ([]byte, error) { return levelsJSON(c[1:], 1), nil }

// levelsJSON writes counts by level as a JSON object keyed by the level, the first
// count's level being first (levels are single digits).
func levelsJSON(counts []int64, first int) []byte {
	b := []byte{'{'}
	for i, n := range counts {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '"', byte('0'+first+i), '"', ':')
		b = strconv.AppendInt(b, n, 10)
	}
	return append(b, '}')
}

// StreetFigures is one row of the by-street breakdown.
type StreetFigures struct {
	Code string `json:"street_code"`
	Name string `json:"street_name"`
	Figures
}

// TypeFigures is one row of the by-type breakdown.
type TypeFigures struct {
	Type string `json:"type"`
	Figures
}

// Rollup is the roll-up of a scope for a year as of an instant.
type Rollup struct {
	ScopeCode string    `json:"scope_code"`
	ScopeName string    `json:"scope_name"`
	Year      int       `json:"year"`
	AsOf      time.Time `json:"as_of"`
	// InProgress is set while the year's reporting is still open at AsOf: its
	// figures are provisional (进行中), drawn without colours.
	InProgress bool `json:"in_progress"`
	Figures
	CollectiveIncomeTargetFen *int64          `json:"collective_income_target_fen"`
	AssetsTargetFen           *int64          `json:"assets_target_fen"`
	CompaniesTarget           *int64          `json:"companies_target"`
	WorkshopsTarget           *int64          `json:"workshops_target"`
	WorkshopEmployedTarget    *int64          `json:"workshop_employed_target"`
	ByStreet                  []StreetFigures `json:"by_street"`
	ByType                    []TypeFigures   `json:"by_type"`
	// Pending is work in progress at AsOf (not approved, so not counted above).
	Pending PendingFigures `json:"pending"`
}

// PendingFigures count the villages with a version open (not yet reviewed) at the
// roll-up's instant, by its state then.
type PendingFigures struct {
	Submitted int64 `json:"submitted"`
	Draft     int64 `json:"draft"`
}

// pending counts the versions of the scope's villages active in year that were open
// at the source's instant: created by then and not reviewed by then, submitted if
// they had been submitted by then. So a past answer never changes.
func pending(db *gorm.DB, a *Actor, street string, year int, src source) (PendingFigures, error) {
	var p PendingFigures
	at := src.asOf
	q := src.villages(db).
		Select(`COALESCE(SUM(CASE WHEN r.submitted_at IS NOT NULL AND r.submitted_at <= ? THEN 1 ELSE 0 END), 0) AS submitted,
			COALESCE(SUM(CASE WHEN r.submitted_at IS NULL OR r.submitted_at > ? THEN 1 ELSE 0 END), 0) AS draft`, at, at).
		Joins("JOIN report_versions r ON r.village_code = villages.code").
		Where("r.year = ? AND r.created_at <= ? AND (r.reviewed_at IS NULL OR r.reviewed_at > ?)", year, at, at).
		Scopes(a.Scope().Villages)
	q = activeIn(q, year)
	if street != "" {
		q = q.Where("villages.street_code = ?", street)
	}
	err := q.Scan(&p).Error
	return p, err
}

func (f *Figures) add(r aggRow) {
	f.Villages += r.Villages
	f.Reported += r.Reported
	f.Income50w.Count += r.Meets
	// Titles come from the register (addTitles), not from the reports.
	f.CollectiveIncomeTotalFen += r.TotalFen
	f.OperatingIncomeTotalFen += r.OperFen
	f.AssetsTotalFen += r.AssetsFen
	// The register figures are 0 but in the cells of the roll-up of now.
	r.RegisterCounts.addTo(f)
}

func (f *Figures) finish() { f.finishWith(shares{}) }

// finishWith is finish with the fractions already made for other groups of the
// same roll-up.
func (f *Figures) finishWith(s shares) {
	f.Income50w.Share = s.frac(f.Income50w.Count, f.Villages)
	f.Completeness = s.frac(f.Reported, f.Villages)
	f.Income50w.ReportedShare = s.frac(f.Income50w.Count, f.Reported)
	if f.Reported == 0 {
		f.Income50w.ReportedShare = Ratio{new(big.Rat)}
	}
	f.Star.Share = s.frac(f.Star.Rated, f.Villages)
	f.Hemei.Share = s.frac(f.Hemei.Count, f.Villages)
}

// shares are the fractions made for one roll-up, by their terms. The tens of
// thousands of streets of a nation have five shares each but only a few hundred
// distinct terms (27 of 30, 0 of 12 …), and every fraction was a few allocations
// for the garbage collector; equal fractions share one value, which is safe since
// a ratio is never changed in place.
type shares map[[2]int64]Ratio

// frac is frac(num, den), the value made before for the same terms if any.
func (s shares) frac(num, den int64) Ratio {
	k := [2]int64{num, den}
	if r, ok := s[k]; ok {
		return r
	}
	r := frac(num, den)
	s[k] = r
	return r
}

// source says where a roll-up reads: the maintained current tables when nothing
// changed after the instant (the roll-up of now), else the history as of it.
type source struct {
	now  bool
	asOf time.Time
}

// villages is the villages table in force at the source's instant, as "villages".
func (s source) villages(db *gorm.DB) *gorm.DB {
	if s.now {
		return db.Table("villages")
	}
	return villagesAsOf(db, s.asOf)
}

// aggregate counts, per (street, type), the villages of the scope active in year and
// the figures of their latest approved version as of an instant from the history
// (the roll-up of now reads the cells instead: nowGroups). Two query shapes, one
// result: a per-village index lookup of the latest approved version
// (history, a district or smaller); one pass over the year's versions grouped by
// village (history, a region). The latest approved version is the highest seq
// approved by asOf (versions are approved in the order they were created, since at
// most one is open at a time).
func aggregate(db *gorm.DB, a *Actor, street string, year int, src source) ([]aggRow, error) {
	q := src.villages(db)
	switch {
	case !a.IsRegion() || street != "":
		q = q.Joins(`LEFT JOIN report_versions r ON r.id = (SELECT r2.id FROM report_versions r2
			WHERE r2.village_code = villages.code AND r2.year = ? AND r2.status = ? AND r2.reviewed_at <= ?
			ORDER BY r2.seq DESC LIMIT 1)`, year, StatusApproved, src.asOf)
	default:
		latest := db.Model(&ReportVersion{}).Select("village_code, MAX(seq) AS seq").
			Where("year = ? AND status = ? AND reviewed_at <= ?", year, StatusApproved, src.asOf).
			Group("village_code")
		q = q.Joins("LEFT JOIN (?) la ON la.village_code = villages.code", latest).
			Joins("LEFT JOIN report_versions r ON r.village_code = la.village_code AND r.year = ? AND r.seq = la.seq", year)
	}
	q = q.Select("villages.street_code, villages.type, " + figureSums("r")).Scopes(a.Scope().Villages)
	q = activeIn(q, year)
	if street != "" {
		q = q.Where("villages.street_code = ?", street)
	}
	var rows []aggRow
	err := q.Group("villages.street_code, villages.type").Scan(&rows).Error
	return rows, err
}

// ComputeRollup computes the roll-up of the actor's scope (narrowed to one street
// when street is set) for year as of asOf. Only approved data counts.
func ComputeRollup(db *gorm.DB, a *Actor, street string, year int, asOf time.Time) (*Rollup, error) {
	var rc *RollupCache
	return rc.Rollup(db, a, street, year, asOf, false)
}

// RecountRollup is the roll-up as of asOf counted from the history, never from the
// maintained cells: the recount that checks them (the tests after every kind of
// write, `cunji bench`).
func RecountRollup(db *gorm.DB, a *Actor, street string, year int, asOf time.Time) (*Rollup, error) {
	if a.Role != RoleDistrict && a.Role != RoleStreet {
		return nil, ErrForbidden
	}
	in, err := readRollupInputs(db, a.DistrictCode, year)
	if err != nil {
		return nil, err
	}
	ctx := in.at(asOf)
	if err := checkYearIn(year, ctx.lastYear); err != nil {
		return nil, err
	}
	ctx.changed = true
	return countRollup(db, a, street, year, asOf, ctx)
}

// countRollup counts the roll-up, once its context is known. Counted from the
// history (a past instant, or a change since it) on PostgreSQL, its statements are
// planned for their values (customPlans).
func countRollup(db *gorm.DB, a *Actor, street string, year int, asOf time.Time, ctx *rollupContext) (*Rollup, error) {
	if ctx.changed {
		var ru *Rollup
		err := customPlans(db, func(tx *gorm.DB) error {
			var err error
			ru, err = countRollupIn(tx, a, street, year, asOf, ctx)
			return err
		})
		return ru, err
	}
	return countRollupIn(db, a, street, year, asOf, ctx)
}

// customPlans runs fn on PostgreSQL in a read-only transaction whose statements
// are planned for their values every time (plan_cache_mode force_custom_plan), and
// elsewhere (SQLite, or inside a transaction already) on db itself. PostgreSQL's
// default plans a prepared statement for its values five times and then may keep a
// generic plan, which cannot know whether an instant is recent: for the open
// versions of a province as of an instant (pending) the generic plan estimated
// 2,829 villages in force where there are 25,504 and looked each up, 55–100 ms
// against 0.04–0.6 ms for a recent instant and 13–27 ms against 55–105 for a past
// one, and five past instants in a row made it the one kept (measured 2026-12-02,
// docs/performance.md).
func customPlans(db *gorm.DB, fn func(tx *gorm.DB) error) error {
	if inTransaction(db) || db.Dialector.Name() != "postgres" {
		return fn(db)
	}
	return db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec("SET LOCAL plan_cache_mode = force_custom_plan").Error; err != nil {
			return err
		}
		return fn(tx)
	}, &sql.TxOptions{ReadOnly: true})
}

// countRollupIn is countRollup on db as it is.
func countRollupIn(db *gorm.DB, a *Actor, street string, year int, asOf time.Time, ctx *rollupContext) (*Rollup, error) {
	// The streets of the scope and the targets in force at asOf of the district and
	// of every street of the scope, even when the roll-up is narrowed to one.
	streets, ts, err := streetsWithTargets(db, a, year, asOf)
	if err != nil {
		return nil, err
	}
	ru := &Rollup{Year: year, AsOf: asOf.UTC(), InProgress: ctx.inProgress}
	if street != "" {
		var kept []Street
		for _, s := range streets {
			if s.Code == street {
				kept = append(kept, s)
			}
		}
		if len(kept) == 0 {
			return nil, ErrNotFound
		}
		streets = kept
	}
	if len(streets) == 1 && (street != "" || a.Role == RoleStreet) {
		ru.ScopeCode, ru.ScopeName = streets[0].Code, streets[0].Name
	} else if a.IsRegion() {
		ru.ScopeCode, ru.ScopeName = a.DistrictCode, "区域 "+a.DistrictCode
		if a.DistrictCode == "" {
			ru.ScopeName = "全部"
		}
	} else {
		if ctx.districtName == "" {
			return nil, ErrNotFound
		}
		ru.ScopeCode, ru.ScopeName = a.DistrictCode, ctx.districtName
	}
	src := source{now: !ctx.changed, asOf: asOf}
	cur, err := buildGroups(db, a, street, streets, year, src, true)
	if err != nil {
		return nil, err
	}
	ru.Figures = cur.total
	ts.applyShares(&ru.Figures, []string{ru.ScopeCode, a.DistrictCode}, year, cur.fracs)
	if ru.ScopeCode == a.DistrictCode {
		ru.CollectiveIncomeTargetFen = ts.amount(IndCollectiveIncome, a.DistrictCode, year)
		ru.AssetsTargetFen = ts.amount(IndAssets, a.DistrictCode, year)
		ru.CompaniesTarget = ts.amount(IndCompanies, a.DistrictCode, year)
		ru.WorkshopsTarget = ts.amount(IndWorkshops, a.DistrictCode, year)
		ru.WorkshopEmployedTarget = ts.amount(IndWorkshopEmployed, a.DistrictCode, year)
	} else {
		ru.CollectiveIncomeTargetFen = ts.amount(IndCollectiveIncome, ru.ScopeCode, year)
		ru.AssetsTargetFen = ts.amount(IndAssets, ru.ScopeCode, year)
		ru.CompaniesTarget = ts.amount(IndCompanies, ru.ScopeCode, year)
		ru.WorkshopsTarget = ts.amount(IndWorkshops, ru.ScopeCode, year)
		ru.WorkshopEmployedTarget = ts.amount(IndWorkshopEmployed, ru.ScopeCode, year)
	}
	// The groups' street rows are the answer's, in place (a nation's are 22,516
	// rows of a few hundred bytes, which a copy allocated and cleared again).
	if len(streets) > 0 {
		// (no street stays nil: the JSON's by_street is then null, as always)
		ru.ByStreet = cur.streets
	}
	for i, s := range streets {
		row := &ru.ByStreet[i]
		row.Code, row.Name = s.Code, s.Name
		ts.applyShares(&row.Figures, []string{s.Code, a.DistrictCode}, year, cur.fracs)
	}
	ru.Pending = cur.pending
	if !src.now {
		if ru.Pending, err = pending(db, a, street, year, src); err != nil {
			return nil, err
		}
	}
	for i, t := range VillageTypes {
		row := TypeFigures{Type: t, Figures: cur.types[i]}
		ts.applyShares(&row.Figures, []string{ru.ScopeCode, a.DistrictCode}, year, cur.fracs)
		ru.ByType = append(ru.ByType, row)
	}
	return ru, nil
}

// groups are the figures of a scope, of each of its streets and of each type.
type groups struct {
	total Figures
	// streets are the figures of each street, in the order of the streets asked
	// (their codes and names are the caller's to set).
	streets []StreetFigures
	types   []Figures
	// pending is the open versions of the cells read (the roll-up of now only).
	pending PendingFigures
	// fracs are the fractions made for the groups, for their targets' too.
	fracs shares
}

func buildGroups(db *gorm.DB, a *Actor, street string, streets []Street, year int, src source, registries bool) (*groups, error) {
	g := &groups{streets: make([]StreetFigures, len(streets)), types: make([]Figures, len(VillageTypes))}
	si := make(map[string]int, len(streets))
	for i, s := range streets {
		si[s.Code] = i
	}
	ti := map[string]int{}
	for i, t := range VillageTypes {
		ti[t] = i
	}
	if src.now {
		// The cells carry every figure, the register's too; a district's or a
		// region's totals are kept summed.
		var err error
		if totalsFrom(a, street) {
			err = totalsGroups(db, a, year, g, si, ti)
		} else {
			err = nowGroups(db, a, street, year, g, si, ti)
		}
		if err != nil {
			return nil, err
		}
	} else {
		rows, err := aggregate(db, a, street, year, src)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			g.total.add(r)
			if i, ok := si[r.StreetCode]; ok {
				g.streets[i].add(r)
			}
			if i, ok := ti[r.Type]; ok {
				g.types[i].add(r)
			}
		}
		if err := addTitles(db, a, street, year, src, g, si, ti); err != nil {
			return nil, err
		}
		if registries {
			if err := addRegistries(db, a, street, year, src, g, si, ti); err != nil {
				return nil, err
			}
		}
	}
	fr := shares{}
	g.fracs = fr
	g.total.finishWith(fr)
	for i := range g.streets {
		g.streets[i].finishWith(fr)
	}
	for i := range g.types {
		g.types[i].finishWith(fr)
	}
	return g, nil
}
