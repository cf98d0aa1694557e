package models

import (
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
)

// The titles the district names after 验收 (DESIGN §3).
const (
	TitleStar  = "星级美丽乡村"
	TitleHemei = "和美乡村"
)

// Kinds of title register entries.
const (
	TitleNamed   = "named"
	TitleRevoked = "revoked"
)

// TitleEntry is one entry of the title register: a naming (命名) of a village, with
// its title, level (1–3 for 星级, 0 for 和美), year, date and document number (文号),
// or a later revocation of a naming, with its date and reason. Entries are never
// changed or deleted; RecordedAt is when the district entered it, so that a past
// answer keeps the register as it stood then. Migrated marks the namings carried
// over from the cadres' reports when titles became the district's.
type TitleEntry struct {
	ID          uint      `gorm:"primaryKey" json:"id"`
	VillageCode string    `gorm:"size:12;not null" json:"village_code"`
	Kind        string    `gorm:"size:10;not null" json:"kind"`
	Title       string    `gorm:"size:20;not null" json:"title"`
	Level       int       `gorm:"not null" json:"level"`
	Year        int       `gorm:"not null" json:"year"`
	On          time.Time `gorm:"column:on_date;not null" json:"-"`
	DocumentNo  string    `gorm:"size:100;not null;default:''" json:"document_no"`
	RevokesID   *uint     `json:"revokes_id,omitempty"`
	Reason      string    `gorm:"size:500;not null;default:''" json:"reason,omitempty"`
	Migrated    bool      `gorm:"not null;default:false" json:"migrated"`
	RecordedAt  time.Time `gorm:"not null" json:"recorded_at"`
	RecordedBy  string    `gorm:"size:100;not null;default:''" json:"recorded_by"`
}

// Held is the titles a village holds at the end of a year.
type Held struct {
	Star  int  `json:"star_rating"`
	Hemei bool `json:"hemei_built"`
}

// yearEnd is the first instant after year y in Asia/Shanghai.
func yearEnd(y int) time.Time { return time.Date(y+1, 1, 1, 0, 0, 0, 0, Shanghai).UTC() }

// titleState folds a village's register entries (recorded by the instant asked)
// into the titles held at the end of year y and the namings of year y. A naming
// counts from its year on until a revocation dated within the year; the 星级 held
// is the level of the latest naming still in force.
type titleState struct {
	held     Held
	newStars [4]int64
	newHemei int64
	// star and hemei are the namings in force at the year's end (nil when none):
	// the 星级 naming whose level is held and the first 和美 naming not revoked.
	star, hemei *TitleEntry
}

func foldTitles(entries []TitleEntry, y int) titleState {
	end := yearEnd(y)
	revoked := map[uint]bool{}
	for _, e := range entries {
		if e.Kind == TitleRevoked && e.RevokesID != nil && e.On.Before(end) {
			revoked[*e.RevokesID] = true
		}
	}
	var st titleState
	var star *TitleEntry
	for i := range entries {
		e := &entries[i]
		if e.Kind != TitleNamed || e.Year > y || revoked[e.ID] {
			continue
		}
		switch e.Title {
		case TitleStar:
			if star == nil || e.Year > star.Year || (e.Year == star.Year && (e.On.After(star.On) || (e.On.Equal(star.On) && e.ID > star.ID))) {
				star = e
			}
			if e.Year == y && e.Level >= 1 && e.Level <= 3 {
				st.newStars[e.Level]++
			}
		case TitleHemei:
			st.held.Hemei = true
			if st.hemei == nil || e.Year < st.hemei.Year {
				st.hemei = e
			}
			if e.Year == y {
				st.newHemei++
			}
		}
	}
	if star != nil {
		st.held.Star = star.Level
		st.star = star
	}
	return st
}

// titlesAsOf reads the register entries of villages (by code) recorded by at, up to
// year y, grouped by village.
func titlesAsOf(db *gorm.DB, codes []string, y int, at time.Time) (map[string][]TitleEntry, error) {
	out := map[string][]TitleEntry{}
	for start := 0; start < len(codes); start += 500 {
		end := min(start+500, len(codes))
		var es []TitleEntry
		if err := db.Where("village_code IN ? AND recorded_at <= ? AND (kind = ? OR year <= ?)", codes[start:end], at, TitleRevoked, y).
			Order("id").Find(&es).Error; err != nil {
			return nil, err
		}
		for _, e := range es {
			out[e.VillageCode] = append(out[e.VillageCode], e)
		}
	}
	return out, nil
}

// HeldTitles gives the titles a village holds at the end of year y as of at.
func HeldTitles(db *gorm.DB, code string, y int, at time.Time) (Held, error) {
	m, err := titlesAsOf(db, []string{code}, y, at)
	if err != nil {
		return Held{}, err
	}
	return foldTitles(m[code], y).held, nil
}

// addTitles sets the 星级 and 和美 figures of the groups from the title register:
// the villages of the scope active in year holding each title at its end (as of
// the source's instant) and the namings of the year.
func addTitles(db *gorm.DB, a *Actor, street string, year int, src source, g *groups, si, ti map[string]int) error {
	return foldScopeTitles(db, a, street, year, src, func(v scopeTitles, st titleState) {
		targets := []*Figures{&g.total}
		if k, ok := si[v.StreetCode]; ok {
			targets = append(targets, &g.streets[k].Figures)
		}
		if k, ok := ti[v.Type]; ok {
			targets = append(targets, &g.types[k])
		}
		for _, f := range targets {
			f.addTitles(st)
		}
	})
}

// scopeTitles is a village of a scope with a title register entry.
type scopeTitles struct {
	VillageCode string
	VillageName string
	StreetCode  string
	Type        string
}

// foldScopeTitles reads, in one statement, the register entries (recorded by the
// source's instant) of the scope's villages active in year, with each village's
// name, street and type, and calls each with every village's titles at the year's
// end. The roll-up counts them and the reports upward list them.
func foldScopeTitles(db *gorm.DB, a *Actor, street string, year int, src source, each func(scopeTitles, titleState)) error {
	var rows []struct {
		TitleEntry
		VillageName string
		StreetCode  string
		Type        string
	}
	q := src.villages(db).
		Select("t.*, villages.name AS village_name, villages.street_code, villages.type").
		// CROSS JOIN keeps the villages as SQLite's outer loop, each village's
		// entries found by idx_title_entries_village; with an inner join SQLite
		// preferred a range of idx_title_entries_recorded_at over the whole
		// register (a nation's as_of roll-up: 14 s instead of 1.3 s). PostgreSQL
		// plans it as the inner join it is.
		Joins("CROSS JOIN title_entries t").
		Where("t.village_code = villages.code").
		Where("t.recorded_at <= ? AND (t.kind = ? OR t.year <= ?)", src.asOf, TitleRevoked, year).
		Scopes(a.Scope().Villages)
	q = activeIn(q, year)
	if street != "" {
		q = q.Where("villages.street_code = ?", street)
	}
	if err := q.Order("villages.street_code, t.village_code, t.id").Scan(&rows).Error; err != nil {
		return err
	}
	for i := 0; i < len(rows); {
		j := i
		var es []TitleEntry
		for ; j < len(rows) && rows[j].VillageCode == rows[i].VillageCode; j++ {
			es = append(es, rows[j].TitleEntry)
		}
		r := rows[i]
		each(scopeTitles{VillageCode: r.VillageCode, VillageName: r.VillageName, StreetCode: r.StreetCode, Type: r.Type}, foldTitles(es, year))
		i = j
	}
	return nil
}

func (f *Figures) addTitles(st titleState) {
	if st.held.Star >= 1 {
		f.Star.Rated++
		if st.held.Star <= 3 {
			f.Star.ByLevel[st.held.Star]++
		}
	}
	if st.held.Hemei {
		f.Hemei.Count++
	}
	for l := 1; l <= 3; l++ {
		f.Star.NewByLevel[l] += st.newStars[l]
		f.Star.New += st.newStars[l]
	}
	f.Hemei.New += st.newHemei
}

// TitleInput is a naming entered by the district.
type TitleInput struct {
	VillageCode string
	Title       string
	Level       int
	Year        int
	NamedOn     time.Time
	DocumentNo  string
}

// NameTitle enters a naming in the register. District staff only; audited.
func NameTitle(db *gorm.DB, a *Actor, in TitleInput) (*TitleEntry, error) {
	if a.Role != RoleDistrict {
		return nil, ErrForbidden
	}
	v, err := a.FindVillage(db, in.VillageCode)
	if err != nil {
		return nil, err
	}
	last, err := LastYear(db)
	if err != nil {
		return nil, err
	}
	if err := in.check(v, last); err != nil {
		return nil, err
	}
	e := TitleEntry{VillageCode: v.Code, Kind: TitleNamed, Title: in.Title, Level: in.Level, Year: in.Year,
		On: in.NamedOn.UTC(), DocumentNo: in.DocumentNo, RecordedAt: now(), RecordedBy: a.Name}
	err = db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&e).Error; err != nil {
			return err
		}
		if err := registersForVillages(tx, e.VillageCode); err != nil {
			return err
		}
		return Audit(tx, a, "title.name", "title", itoa(int(e.ID)), VillageScope(v), nil, e)
	})
	if err != nil {
		return nil, err
	}
	return &e, nil
}

// check validates a naming of village v (the form's, the API's and each row of a
// naming list): the title and its level, a plan year up to last in which the
// village is on the register, the date and the 文号. It trims the 文号.
func (in *TitleInput) check(v *Village, last int) error {
	verr := &ValidationError{}
	switch in.Title {
	case TitleStar:
		if in.Level < 1 || in.Level > 3 {
			verr.Add("level", "星级须为 1、2 或 3")
		}
	case TitleHemei:
		if in.Level != 0 {
			verr.Add("level", "和美乡村没有星级")
		}
	default:
		verr.Add("title", "称号须为 星级美丽乡村 或 和美乡村")
	}
	if in.Year < FirstYear || in.Year > last {
		verr.Add("year", "年度不在规划年度内")
	} else if !v.ActiveIn(in.Year) {
		verr.Add("year", "该村在这一年度不在册")
	}
	if in.NamedOn.IsZero() {
		verr.Add("named_on", "请填写命名日期")
	} else if in.NamedOn.After(now().Add(24 * time.Hour)) {
		verr.Add("named_on", "命名日期不能晚于今天")
	}
	in.DocumentNo = strings.TrimSpace(in.DocumentNo)
	if in.DocumentNo == "" || utf8.RuneCountInString(in.DocumentNo) > 100 || BadText(in.DocumentNo) {
		verr.Add("document_no", "请填写命名文号（最多 100 字）")
	}
	return verr.Err()
}

// RevokeTitle enters the revocation of a naming, dated, with a reason. District
// staff only; audited. A naming is revoked at most once.
func RevokeTitle(db *gorm.DB, a *Actor, id uint, on time.Time, reason string) (*TitleEntry, error) {
	if a.Role != RoleDistrict {
		return nil, ErrForbidden
	}
	var named TitleEntry
	err := db.Where("id = ? AND kind = ?", id, TitleNamed).Take(&named).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	v, err := a.FindVillage(db, named.VillageCode)
	if err != nil {
		return nil, err
	}
	verr := &ValidationError{}
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > 500 || BadText(reason) {
		verr.Add("reason", "请填写撤销理由（最多 500 字）")
	}
	if on.IsZero() {
		verr.Add("revoked_on", "请填写撤销日期")
	} else if on.Before(named.On) {
		verr.Add("revoked_on", "撤销日期不能早于命名日期")
	}
	if err := verr.Err(); err != nil {
		return nil, err
	}
	e := TitleEntry{VillageCode: named.VillageCode, Kind: TitleRevoked, Title: named.Title, Level: named.Level,
		Year: named.Year, On: on.UTC(), RevokesID: &named.ID, Reason: reason, RecordedAt: now(), RecordedBy: a.Name}
	err = db.Transaction(func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&TitleEntry{}).Where("revokes_id = ?", id).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return Conflict("该命名已撤销")
		}
		if err := tx.Create(&e).Error; err != nil {
			return err
		}
		if err := registersForVillages(tx, e.VillageCode); err != nil {
			return err
		}
		return Audit(tx, a, "title.revoke", "title", itoa(int(named.ID)), VillageScope(v), named, e)
	})
	if err != nil {
		return nil, err
	}
	return &e, nil
}

// TitleFilter narrows the register; zero fields match everything.
type TitleFilter struct {
	Village string
	Title   string
	Year    int
}

// ListTitles lists the register entries of the actor's villages, in the order
// they were recorded.
func ListTitles(db *gorm.DB, a *Actor, f TitleFilter) ([]TitleEntry, error) {
	q := db.Model(&TitleEntry{}).Joins("JOIN villages ON villages.code = title_entries.village_code").Scopes(a.Scope().Villages)
	if f.Village != "" {
		q = q.Where("title_entries.village_code = ?", f.Village)
	}
	if f.Title != "" {
		q = q.Where("title_entries.title = ?", f.Title)
	}
	if f.Year != 0 {
		q = q.Where("title_entries.year = ?", f.Year)
	}
	out := []TitleEntry{}
	err := q.Order("title_entries.id").Find(&out).Error
	return out, err
}
