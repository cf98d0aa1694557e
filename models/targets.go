package models

import (
	"database/sql"
	"errors"
	"fmt"
	"math"
	"math/big"
	"sort"
	"strconv"
	"strings"
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
	// Titles newly named in the year (the plan's 2023 line: 32 new, 26 one-star, 6
	// three-star).
	IndStarNew  = "star_new"
	IndStarNew1 = "star_new_1"
	IndStarNew2 = "star_new_2"
	IndStarNew3 = "star_new_3"
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
	{IndStarNew, "新增星级美丽乡村", "count"},
	{IndStarNew1, "新增一星级美丽乡村", "count"},
	{IndStarNew2, "新增二星级美丽乡村", "count"},
	{IndStarNew3, "新增三星级美丽乡村", "count"},
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

// streetsWithTargets lists the streets of the actor's scope, by code, with the
// targets for year in force at t of the district and of those streets: for each
// (scope, indicator), the latest row recorded by then, as currentTargets decides.
// It is one statement where the streets and their targets took two, three for a
// district narrowed to one street (issue 16), and it sorts nothing in SQL: a
// region's thousands of streets come in the order they are stored, and the
// latest of each target is picked here.
func streetsWithTargets(db *gorm.DB, a *Actor, year int, t time.Time) ([]Street, targetSet, error) {
	s := a.Scope()
	table := func(name string) *gorm.DB { return db.Session(&gorm.Session{NewDB: true}).Table(name) }
	inScope := s.Streets(table("streets").Select("streets.code"))
	// The streets come joined in one value, each field prefixed by its length in
	// bytes (joinedStreets): one row each cost a nation's roll-up a tenth of its
	// time in the driver.
	size := "length(CAST(%s AS BLOB))"
	agg := "group_concat(%s, '')"
	if db.Dialector.Name() == "postgres" {
		size, agg = "octet_length(%s)", "string_agg(%s, '')"
	}
	var fields []string
	for _, c := range []string{"streets.code", "streets.name", "streets.district_code"} {
		fields = append(fields, fmt.Sprintf(size, c)+" || ':' || "+c)
	}
	streetRows := s.Streets(table("streets").
		Select("1, COALESCE(" + fmt.Sprintf(agg, strings.Join(fields, " || ")) + ", ''), '', '', NULL, NULL, NULL, NULL"))
	targetRows := table("targets").Select("0, scope_code, '', '', indicator, value, recorded_at, id").
		Where("year = ? AND recorded_at <= ?", year, t).
		Where("scope_code = ? OR scope_code IN (?)", a.DistrictCode, inScope)
	// The targets first: SQLite types a compound's columns by its first SELECT
	// (recorded_at a time, not the streets' NULL).
	rows, err := db.Raw("? UNION ALL ?", targetRows, streetRows).Rows()
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	// Scanned by hand: a region lists thousands of streets, and a scan by
	// reflection cost a quarter of its roll-up.
	var streets []Street
	sorted := true
	ts := targetSet{}
	type recorded struct {
		at time.Time
		id int64
	}
	latest := map[[2]string]recorded{}
	var isStreet int
	var code, name, district string
	var indicator sql.NullString
	var value, targetID sql.NullInt64
	var recordedAt sql.NullTime
	for rows.Next() {
		if err := rows.Scan(&isStreet, &code, &name, &district, &indicator, &value, &recordedAt, &targetID); err != nil {
			return nil, nil, err
		}
		if isStreet == 1 {
			var err error
			if streets, sorted, err = joinedStreets(code); err != nil {
				return nil, nil, err
			}
			continue
		}
		if !indicator.Valid || !value.Valid {
			continue
		}
		// The latest recorded wins, ties going to the later row.
		k := [2]string{code, indicator.String}
		r := recorded{recordedAt.Time, targetID.Int64}
		if l, ok := latest[k]; ok && (r.at.Before(l.at) || (r.at.Equal(l.at) && r.id < l.id)) {
			continue
		}
		latest[k] = r
		if ts[code] == nil {
			ts[code] = map[string]map[int]int64{}
		}
		if ts[code][indicator.String] == nil {
			ts[code][indicator.String] = map[int]int64{}
		}
		ts[code][indicator.String][year] = value.Int64
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	if !sorted {
		sort.Slice(streets, func(i, j int) bool { return streets[i].Code < streets[j].Code })
	}
	return streets, ts, nil
}

var errJoinedStreets = errors.New("streets: a joined value does not hold its streets")

// joinedStreets reads the streets joined in one value, each as its code, name and
// district code, each field its length in bytes, ':' and its bytes, and reports
// whether they came by code.
func joinedStreets(joined string) (streets []Street, sorted bool, err error) {
	// Read twice: to count the streets, then to keep them in a slice of that
	// length (grown by append, it cost a tenth of the reading).
	read := func(each func(code, name, district string)) error {
		rest := joined
		field := func() (string, bool) {
			i := strings.IndexByte(rest, ':')
			if i < 1 {
				return "", false
			}
			n, err := strconv.Atoi(rest[:i])
			if err != nil || n < 0 || n > len(rest)-i-1 {
				return "", false
			}
			f := rest[i+1 : i+1+n]
			rest = rest[i+1+n:]
			return f, true
		}
		for rest != "" {
			code, ok1 := field()
			name, ok2 := field()
			district, ok3 := field()
			if !ok1 || !ok2 || !ok3 {
				return errJoinedStreets
			}
			each(code, name, district)
		}
		return nil
	}
	n := 0
	if err := read(func(string, string, string) { n++ }); err != nil {
		return nil, false, err
	}
	streets = make([]Street, 0, n)
	sorted = true
	err = read(func(code, name, district string) {
		if n := len(streets); n > 0 && streets[n-1].Code >= code {
			sorted = false
		}
		streets = append(streets, Street{Code: code, Name: name, DistrictCode: district})
	})
	return streets, sorted, err
}

// value is the target assigned for the year to the first scope that has one (a
// street's own, else the district's), nil when none has: nothing is interpolated
// from actual figures (DESIGN §6). Its fraction is the one made before in fr for
// the same terms, if any.
func (ts targetSet) value(scopes []string, ind string, year int, unit int64, fr shares) *big.Rat {
	for _, sc := range scopes {
		if v, ok := ts[sc][ind][year]; ok {
			return fr.frac(v, unit).R
		}
	}
	return nil
}

// applyShares sets the share targets of f and the villages still needed (nil with
// no target); fr keeps the fractions made for the roll-up's other groups.
func (ts targetSet) applyShares(f *Figures, scopes []string, year int, fr shares) {
	f.Income50w.Target = Ratio{ts.value(scopes, IndIncome50w, year, 10000, fr)}
	f.Star.Target = Ratio{ts.value(scopes, IndStar, year, 10000, fr)}
	f.Hemei.Target = Ratio{ts.value(scopes, IndHemei, year, 10000, fr)}
	f.Income50w.Needed = nil
	if f.Income50w.Target.Valid() {
		n := Needed(f.Income50w.Target, f.Villages, f.Income50w.Count)
		f.Income50w.Needed = &n
	}
}

// amount is the target of a money or count indicator assigned to one scope for the
// year (a sum or a count of the district is not a street's), or nil.
func (ts targetSet) amount(ind, scope string, year int) *int64 {
	if v, ok := ts[scope][ind][year]; ok {
		return &v
	}
	return nil
}

// Needed is max(0, ⌈target × N⌉ − count): the villages still to lift over the line.
func Needed(target Ratio, n, count int64) int64 {
	if target.R == nil {
		return 0
	}
	// In int64 when the terms allow (every target and count of villages does):
	// the big numbers' arithmetic was a few allocations a street.
	if a, b := target.R.Num(), target.R.Denom(); a.IsInt64() && b.IsInt64() {
		p, d := a.Int64(), b.Int64()
		if p >= 0 && n >= 0 && d > 0 && (n == 0 || p <= math.MaxInt64/n) {
			q := p * n / d
			if p*n%d > 0 {
				q++
			}
			return max(0, q-count)
		}
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

// TargetFilter narrows a list of targets; zero fields match everything. History
// lists every row recorded by AsOf rather than only those in force.
type TargetFilter struct {
	Year      int
	Indicator string
	Scope     string
	AsOf      time.Time
	History   bool
}

// ListTargets lists the targets of the actor's district and its streets in force at
// f.AsOf (or their whole history): district staff see all, a street officer the
// district's and the street's own.
func ListTargets(db *gorm.DB, a *Actor, f TargetFilter) ([]Target, error) {
	if a.Role != RoleDistrict && a.Role != RoleStreet {
		return nil, ErrForbidden
	}
	if f.AsOf.IsZero() {
		f.AsOf = now()
	}
	var all []Target
	if f.History {
		codes := []string{a.DistrictCode}
		var streets []Street
		if err := db.Where("district_code = ?", a.DistrictCode).Find(&streets).Error; err != nil {
			return nil, err
		}
		for _, s := range streets {
			codes = append(codes, s.Code)
		}
		if err := db.Where("scope_code IN ? AND recorded_at <= ?", codes, f.AsOf).
			Order("scope_code, indicator, year, recorded_at, id").Find(&all).Error; err != nil {
			return nil, err
		}
	} else {
		var err error
		if all, err = currentTargets(db, a.DistrictCode, f.AsOf); err != nil {
			return nil, err
		}
	}
	out := []Target{}
	for _, t := range all {
		if a.Role == RoleStreet && t.ScopeCode != a.DistrictCode && t.ScopeCode != a.StreetCode {
			continue
		}
		if (f.Year != 0 && t.Year != f.Year) || (f.Indicator != "" && t.Indicator != f.Indicator) ||
			(f.Scope != "" && t.ScopeCode != f.Scope) {
			continue
		}
		out = append(out, t)
	}
	return out, nil
}

// IndicatorOf describes an indicator code, or nil.
func IndicatorOf(code string) *IndicatorInfo {
	for i := range Indicators {
		if Indicators[i].Code == code {
			return &Indicators[i]
		}
	}
	return nil
}

// SetTarget creates or changes one target. District staff only; audited.
func SetTarget(db *gorm.DB, a *Actor, scope, ind string, year int, value int64, note string) (*Target, error) {
	if a.Role != RoleDistrict {
		return nil, ErrForbidden
	}
	verr := &ValidationError{}
	info := IndicatorOf(ind)
	if info == nil {
		// An indicator of the district's catalogue.
		var err error
		if info, err = catalogueInfo(db, a.DistrictCode, ind); err != nil {
			return nil, err
		}
	}
	if info == nil {
		verr.Add("indicator", "未知指标")
	}
	if scope != a.DistrictCode {
		var n int64
		if err := a.Scope().Streets(db.Model(&Street{})).Where("streets.code = ?", scope).Count(&n).Error; err != nil {
			return nil, err
		}
		if n == 0 {
			verr.Add("scope_code", "范围须为本区或本区的街道")
		}
	}
	checkTarget(verr, info, year, value, note)
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

// checkTarget adds the problems of a target's year, value and note to verr: the
// rules of the form, the API and the import sheet.
func checkTarget(verr *ValidationError, info *IndicatorInfo, year int, value int64, note string) {
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
}

// ParseTargetValue reads a target value written in a unit: a share in % (up to two
// decimals), money in 万元, 元 or 亿元, a count as a whole number. An empty unit
// is the indicator's own (%, 万元, a count); a value may carry its % sign.
func ParseTargetValue(info *IndicatorInfo, s, unit string) (int64, error) {
	s = NormalizeCell(s)
	unit = strings.TrimSpace(NormalizeCell(unit))
	if strings.HasSuffix(s, "%") {
		s, unit = strings.TrimSpace(strings.TrimSuffix(s, "%")), "%"
	}
	wrong := Invalid("unit", "单位“"+unit+"”不适用于这项指标（应为"+map[string]string{"bp": "%", "fen": "万元、元或亿元", "count": "个数"}[info.Unit]+"）")
	switch info.Unit {
	case "bp":
		if unit != "" && unit != "%" {
			return 0, wrong
		}
		// A percentage with up to two decimals is a whole number of basis points:
		// x% → x×10^6 / 10^4 bp with the exact decimal parser of 万元.
		fen, err := ParseWan(s)
		if err != nil || fen%10_000 != 0 {
			return 0, Invalid("value", "占比须为百分数，最多两位小数")
		}
		return fen / 10_000, nil
	case "fen":
		decimals := map[string]int{"": 6, UnitWan: 6, UnitYuan: 2, "亿元": 10}
		d, ok := decimals[unit]
		if !ok {
			return 0, wrong
		}
		fen, err := parseDecimal(s, d)
		if err != nil {
			return 0, Invalid("value", err.Error())
		}
		return fen, nil
	}
	if unit != "" && (unit == "%" || unitIn(unit) != "" || strings.Contains(unit, "元")) {
		return 0, wrong
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, Invalid("value", "须为整数")
	}
	return n, nil
}
