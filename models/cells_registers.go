package models

import (
	"sort"
	"time"

	"gorm.io/gorm"
)

// RegisterCounts are the roll-up figures of now that do not come from the yearly
// report, for one cell (street, village type, year): the titles held at the end of
// the year and named in it (title register), the villages with a share in an active
// 强村公司, the 共富工坊 built and operating at the year's end with their employment
// and star levels, and the versions open now. A street's own workshops (no village,
// no type) sit in the street's cell of type "".
//
// Each is recounted, for the cells a change touches, in the changing transaction,
// by the same rules as the roll-up as of an instant (addTitles, addRegistries,
// pending) read at an instant after every record: the figure of now.
type RegisterCounts struct {
	Rated            int64 `gorm:"column:rated;not null;default:0"`
	Star1            int64 `gorm:"column:star1;not null;default:0"`
	Star2            int64 `gorm:"column:star2;not null;default:0"`
	Star3            int64 `gorm:"column:star3;not null;default:0"`
	Hemei            int64 `gorm:"column:hemei;not null;default:0"`
	NewStar1         int64 `gorm:"column:new_star1;not null;default:0"`
	NewStar2         int64 `gorm:"column:new_star2;not null;default:0"`
	NewStar3         int64 `gorm:"column:new_star3;not null;default:0"`
	NewHemei         int64 `gorm:"column:new_hemei;not null;default:0"`
	Submitted        int64 `gorm:"column:submitted;not null;default:0"`
	Draft            int64 `gorm:"column:draft;not null;default:0"`
	MemberVillages   int64 `gorm:"column:member_villages;not null;default:0"`
	WorkshopsBuilt   int64 `gorm:"column:workshops_built;not null;default:0"`
	Workshops        int64 `gorm:"column:workshops;not null;default:0"`
	WorkshopEmployed int64 `gorm:"column:workshop_employed;not null;default:0"`
	WorkshopLow      int64 `gorm:"column:workshop_low;not null;default:0"`
	WStar0           int64 `gorm:"column:wstar0;not null;default:0"`
	WStar1           int64 `gorm:"column:wstar1;not null;default:0"`
	WStar2           int64 `gorm:"column:wstar2;not null;default:0"`
	WStar3           int64 `gorm:"column:wstar3;not null;default:0"`
	WStar4           int64 `gorm:"column:wstar4;not null;default:0"`
	WStar5           int64 `gorm:"column:wstar5;not null;default:0"`
}

// registerColumns are RegisterCounts' columns, in the order of values().
var registerColumns = []string{"rated", "star1", "star2", "star3", "hemei", "new_star1", "new_star2", "new_star3", "new_hemei",
	"submitted", "draft", "member_villages", "workshops_built", "workshops", "workshop_employed", "workshop_low",
	"wstar0", "wstar1", "wstar2", "wstar3", "wstar4", "wstar5"}

func (c *RegisterCounts) fields() []*int64 {
	return []*int64{&c.Rated, &c.Star1, &c.Star2, &c.Star3, &c.Hemei, &c.NewStar1, &c.NewStar2, &c.NewStar3, &c.NewHemei,
		&c.Submitted, &c.Draft, &c.MemberVillages, &c.WorkshopsBuilt, &c.Workshops, &c.WorkshopEmployed, &c.WorkshopLow,
		&c.WStar0, &c.WStar1, &c.WStar2, &c.WStar3, &c.WStar4, &c.WStar5}
}

func (c *RegisterCounts) values() []any {
	fs := c.fields()
	out := make([]any, len(fs))
	for i, f := range fs {
		out[i] = *f
	}
	return out
}

// addTitles counts a village's titles at the end of a year.
func (c *RegisterCounts) addTitles(st titleState) {
	if st.held.Star >= 1 {
		c.Rated++
	}
	switch st.held.Star {
	case 1:
		c.Star1++
	case 2:
		c.Star2++
	case 3:
		c.Star3++
	}
	if st.held.Hemei {
		c.Hemei++
	}
	c.NewStar1 += st.newStars[1]
	c.NewStar2 += st.newStars[2]
	c.NewStar3 += st.newStars[3]
	c.NewHemei += st.newHemei
}

// addWorkshop counts a workshop as it stands at the end of a year.
func (c *RegisterCounts) addWorkshop(w workshopState) {
	if w.built {
		c.WorkshopsBuilt++
	}
	if !w.operating {
		return
	}
	c.Workshops++
	c.WorkshopEmployed += w.employed
	c.WorkshopLow += w.low
	// Levels run 0 to 5 (SetWorkshopStar); the answer writes no other.
	if w.star >= 0 && w.star <= 5 {
		*[]*int64{&c.WStar0, &c.WStar1, &c.WStar2, &c.WStar3, &c.WStar4, &c.WStar5}[w.star]++
	}
}

// addTo adds the counts to a group's figures (the roll-up of now).
func (c *RegisterCounts) addTo(f *Figures) {
	f.Star.Rated += c.Rated
	f.Star.ByLevel[1] += c.Star1
	f.Star.ByLevel[2] += c.Star2
	f.Star.ByLevel[3] += c.Star3
	f.Hemei.Count += c.Hemei
	f.Star.NewByLevel[1] += c.NewStar1
	f.Star.NewByLevel[2] += c.NewStar2
	f.Star.NewByLevel[3] += c.NewStar3
	f.Star.New += c.NewStar1 + c.NewStar2 + c.NewStar3
	f.Hemei.New += c.NewHemei
	f.MemberVillages += c.MemberVillages
	f.WorkshopsBuilt += c.WorkshopsBuilt
	f.Workshops += c.Workshops
	f.WorkshopEmployed += c.WorkshopEmployed
	f.WorkshopLowIncomeEmployed += c.WorkshopLow
	for i, n := range [...]int64{c.WStar0, c.WStar1, c.WStar2, c.WStar3, c.WStar4, c.WStar5} {
		f.WorkshopsByStar[i] += n
	}
}

// RollupCompanyCell is, for one 强村公司 and one cell (street, village type, year),
// how many of the cell's villages hold a share in it now (kept only when > 0): the
// roll-up of now counts a group's companies as the distinct companies of its rows.
// Recounted with the cell's RegisterCounts.
type RollupCompanyCell struct {
	CompanyID    uint   `gorm:"primaryKey;autoIncrement:false"`
	StreetCode   string `gorm:"primaryKey;size:9"`
	Type         string `gorm:"primaryKey;size:20"`
	Year         int    `gorm:"primaryKey;autoIncrement:false"`
	DistrictCode string `gorm:"size:6;not null;index"`
	Villages     int64  `gorm:"not null"`
}

// companyCellKey names a row of RollupCompanyCell.
type companyCellKey struct {
	company uint
	cell    cellKey
}

// cellPlace is a street and a village type ("" for the street's own workshops).
type cellPlace struct{ street, typ string }

// registerRecount is the recounted register figures of some cells.
type registerRecount struct {
	cells     map[cellKey]*RegisterCounts
	companies map[companyCellKey]int64
	// covers says whether a cell's place was recounted (every place of the streets
	// asked when only is nil).
	covers func(street, typ string) bool
	// years, when not nil, are the only years recounted: the cells of other years
	// are neither compared nor written.
	years []int
}

// farFuture is an instant after every record: the register "as of now".
var farFuture = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)

// registersForVillages recounts the register figures of the cells of villages (by
// code), in the changing transaction.
func registersForVillages(tx *gorm.DB, codes ...string) error {
	var vs []Village
	for start := 0; start < len(codes); start += 500 {
		var part []Village
		if err := tx.Select("code, street_code, type").Where("code IN ?", codes[start:min(start+500, len(codes))]).Find(&part).Error; err != nil {
			return err
		}
		vs = append(vs, part...)
	}
	places := map[cellPlace]bool{}
	for _, v := range vs {
		places[cellPlace{v.StreetCode, v.Type}] = true
	}
	return registersForPlaces(tx, places)
}

// registersForPlaces recounts the register figures of the cells of places.
func registersForPlaces(tx *gorm.DB, places map[cellPlace]bool) error {
	if len(places) == 0 {
		return nil
	}
	seen := map[string]bool{}
	var streets []string
	for p := range places {
		if !seen[p.street] {
			seen[p.street] = true
			streets = append(streets, p.street)
		}
	}
	sort.Strings(streets)
	if err := lockStreets(tx, streets); err != nil {
		return err
	}
	rc, err := recountRegisters(tx, streets, places, nil)
	if err != nil {
		return err
	}
	return rc.write(tx, streets, false)
}

// cellsLockKey is the PostgreSQL advisory lock space of the streets' cells.
const cellsLockKey int32 = 727136

// lockStreets takes, on PostgreSQL, a transaction-scoped lock on each street's
// cells (in order), so that two transactions recounting the same cells run one
// after the other and the second reads what the first committed: a recount writes
// absolute figures, which two concurrent recounts from their own snapshots would
// overwrite. SQLite runs one writer at a time.
func lockStreets(tx *gorm.DB, streets []string) error {
	if tx.Dialector.Name() != "postgres" {
		return nil
	}
	for _, s := range streets {
		if err := tx.Exec("SELECT pg_advisory_xact_lock(?, hashtext(current_schema() || ':' || ?))", cellsLockKey, s).Error; err != nil {
			return err
		}
	}
	return nil
}

// registersForWorkshops recounts the register figures of the cells of workshops'
// hosts (a village's cell, or its street's own cell of type "").
func registersForWorkshops(tx *gorm.DB, ids ...uint) error {
	var shops []Workshop
	if err := tx.Select("id, village_code, street_code").Where("id IN ?", ids).Find(&shops).Error; err != nil {
		return err
	}
	places := map[cellPlace]bool{}
	var codes []string
	for _, w := range shops {
		if w.VillageCode != nil {
			codes = append(codes, *w.VillageCode)
		} else if w.StreetCode != nil {
			places[cellPlace{*w.StreetCode, ""}] = true
		}
	}
	if len(codes) > 0 {
		var vs []Village
		if err := tx.Select("code, street_code, type").Where("code IN ?", codes).Find(&vs).Error; err != nil {
			return err
		}
		for _, v := range vs {
			places[cellPlace{v.StreetCode, v.Type}] = true
		}
	}
	return registersForPlaces(tx, places)
}

// registersForCompany recounts the register figures of the cells of every village
// that holds or held a share in a company (a member removed still leaves its cell).
func registersForCompany(tx *gorm.DB, id uint) error {
	var codes []string
	if err := tx.Model(&CompanyMember{}).Distinct("village_code").Where("company_id = ?", id).Pluck("village_code", &codes).Error; err != nil {
		return err
	}
	return registersForVillages(tx, codes...)
}
