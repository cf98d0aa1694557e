package models

import (
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
)

// A 共富工坊 that sits in a 社区, a 园区 or an enterprise rather than a village is
// registered under its street by the street's officer. Its figures count in the
// street's and the district's roll-up, never in a village's; its changes, made by
// the officer who reviews the street's data, count as they are entered.

// CreateStreetWorkshop registers a workshop under the officer's street, at a site
// (社区, 园区 or 企业) named siteName, with its first version approved as entered.
func CreateStreetWorkshop(db *gorm.DB, a *Actor, site, siteName string, in WorkshopInput) (*WorkshopDetail, error) {
	if a.Role != RoleStreet {
		return nil, ErrForbidden
	}
	var st Street
	if err := a.Scope().Streets(db.Model(&Street{})).Where("streets.code = ?", a.StreetCode).Take(&st).Error; err != nil {
		return nil, err
	}
	verr := &ValidationError{}
	if !oneOf(site, WorkshopSites[1:]) {
		verr.Add("site", "街道登记的工坊须在社区、园区或企业（村里的工坊由村登记）")
	}
	siteName = strings.TrimSpace(siteName)
	if siteName == "" || utf8.RuneCountInString(siteName) > 100 || BadText(siteName) {
		verr.Add("site_name", "请填写所在社区、园区或企业的名称（最多 100 字）")
	}
	probe := WorkshopVersion{}
	if err := in.apply(&probe); !verr.Merge(err) {
		return nil, err
	}
	if err := verr.Err(); err != nil {
		return nil, err
	}
	code := st.Code
	w := Workshop{StreetCode: &code, Site: site, SiteName: siteName, Street: st}
	err := db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Omit("Village", "Street").Create(&w).Error; err != nil {
			return err
		}
		first := func() WorkshopVersion { return WorkshopVersion{WorkshopID: w.ID} }
		_, err := workshops.enter(tx, a, workshopSeries(&w), 0, first, in.apply)
		return err
	})
	if err != nil {
		return nil, err
	}
	return GetWorkshop(db, a, w.ID)
}

// WorkshopStars is a workshop's star evaluations, oldest first.
func WorkshopStars(db *gorm.DB, id uint) ([]WorkshopStar, error) {
	out := []WorkshopStar{}
	err := db.Where("workshop_id = ?", id).Order("evaluated_on, id").Find(&out).Error
	return out, err
}

// starAtYearEnd is SQL for the star level of workshop w at the end of a year as of
// an instant (two parameters: the year's last day YYYY-MM-DD, the instant): the
// latest evaluation dated by then among those recorded by the instant, else 0.
const starAtYearEnd = `COALESCE((SELECT s.level FROM workshop_stars s WHERE s.workshop_id = w.id AND s.evaluated_on <= ?
	AND s.recorded_at <= ? ORDER BY s.evaluated_on DESC, s.id DESC LIMIT 1), 0)`

// lastDay is the last day of year y as YYYY-MM-DD.
func lastDay(y int) string { return time.Date(y, 12, 31, 0, 0, 0, 0, time.UTC).Format("2006-01-02") }

// StarCounts counts workshops by star level, 0 (not rated) to 5, the level its
// index: an array, not a map, since a nation's roll-up fills one for each of its
// tens of thousands of streets. Its JSON is an object keyed "0" to "5".
type StarCounts [6]int64

// MarshalJSON writes every level, 0 to 5, so that a level without workshops is 0.
func (c StarCounts) MarshalJSON() ([]byte, error) { return levelsJSON(c[:], 0), nil }
