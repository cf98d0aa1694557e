package models

import (
	"errors"
	"time"

	"gorm.io/gorm"
)

// YearClosing records that the district closed a year without a reporting window:
// from ClosedAt on, the year's figures are results, no longer provisional. Rows are
// never changed, so a past answer keeps the state it had.
type YearClosing struct {
	ID           uint      `gorm:"primaryKey"`
	DistrictCode string    `gorm:"size:6;not null"`
	Year         int       `gorm:"not null"`
	ClosedAt     time.Time `gorm:"not null"`
	ClosedBy     string    `gorm:"size:100;not null;default:''"`
}

// YearInProgress reports whether a district's year was still in progress at instant
// at (DESIGN §5): until its reporting window closes, or, with no window, until the
// district closes the year. A closing by the district ends it early in either case.
func YearInProgress(db *gorm.DB, district string, year int, at time.Time) (bool, error) {
	var closing YearClosing
	err := db.Where("district_code = ? AND year = ? AND closed_at <= ?", district, year, at).Take(&closing).Error
	if err == nil {
		return false, nil
	}
	if !errors.Is(err, gorm.ErrRecordNotFound) {
		return false, err
	}
	w, err := Window(db, district, year)
	if err != nil {
		return false, err
	}
	if w == nil {
		return inProgressAt(false, nil, at), nil
	}
	return inProgressAt(false, &w.Closes, at), nil
}

// inProgressAt is the rule: a year closed by the district by then is a result;
// otherwise it is in progress with no window, or until its window closes.
func inProgressAt(closed bool, closes *time.Time, at time.Time) bool {
	return !closed && (closes == nil || at.Before(*closes))
}

// closedYears lists which of the reporting years were closed at instant at.
func closedYears(db *gorm.DB, district string, at time.Time) (map[int]bool, error) {
	out := map[int]bool{}
	var closings []YearClosing
	if err := db.Where("district_code = ? AND closed_at <= ?", district, at).Find(&closings).Error; err != nil {
		return nil, err
	}
	for _, c := range closings {
		out[c.Year] = true
	}
	var ws []ReportingWindow
	if err := db.Where("district_code = ? AND closes <= ?", district, at).Find(&ws).Error; err != nil {
		return nil, err
	}
	for _, w := range ws {
		out[w.Year] = true
	}
	return out, nil
}

// InProgressYears lists the reporting years still in progress at instant at.
func InProgressYears(db *gorm.DB, district string, at time.Time) (map[int]bool, error) {
	closed, err := closedYears(db, district, at)
	if err != nil {
		return nil, err
	}
	years, err := Years(db)
	if err != nil {
		return nil, err
	}
	out := map[int]bool{}
	for _, y := range years {
		out[y] = !closed[y]
	}
	return out, nil
}

// LatestClosedYear is the latest reporting year closed at instant at, or 0 when no
// year is closed yet.
func LatestClosedYear(db *gorm.DB, district string, at time.Time) (int, error) {
	closed, err := closedYears(db, district, at)
	if err != nil {
		return 0, err
	}
	years, err := Years(db)
	if err != nil {
		return 0, err
	}
	latest := 0
	for _, y := range years {
		if closed[y] {
			latest = y
		}
	}
	return latest, nil
}

// CloseYear closes a year with no reporting window, or ends its window early: its
// figures become results. District staff only; audited. Closing a closed year is a
// conflict.
func CloseYear(db *gorm.DB, a *Actor, year int) (*YearClosing, error) {
	if a.Role != RoleDistrict {
		return nil, ErrForbidden
	}
	if err := CheckYear(db, year); err != nil {
		return nil, err
	}
	c := YearClosing{DistrictCode: a.DistrictCode, Year: year, ClosedAt: now(), ClosedBy: a.Name}
	err := db.Transaction(func(tx *gorm.DB) error {
		open, err := YearInProgress(tx, a.DistrictCode, year, c.ClosedAt)
		if err != nil {
			return err
		}
		if !open {
			return Conflict("该年度已结束")
		}
		if err := tx.Create(&c).Error; err != nil {
			return err
		}
		return Audit(tx, a, "year.close", "year", a.DistrictCode+"/"+itoa(year), AuditScope{District: a.DistrictCode}, nil, c)
	})
	if err != nil {
		return nil, err
	}
	return &c, nil
}
