package models

import (
	"errors"
	"fmt"
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

// YearStanding is what decides a district's reporting years and their standing at
// any instant: the last open year, and each year's earliest closing by the district
// and its window's earliest close. It changes only with the data revision (so a
// RollupCache keeps it); the standing at an instant follows YearInProgress's rule.
type YearStanding struct {
	last   int
	closed map[int]time.Time
	closes map[int]time.Time
}

// readYearStanding reads a district's YearStanding: the last open year, then its
// closings and windows in one statement.
func readYearStanding(db *gorm.DB, district string) (*YearStanding, error) {
	last, err := LastYear(db)
	if err != nil {
		return nil, err
	}
	ys := &YearStanding{last: last, closed: map[int]time.Time{}, closes: map[int]time.Time{}}
	rows, err := db.Raw(`SELECT 'closing' AS kind, year, MIN(closed_at) AS at FROM year_closings WHERE district_code = ? GROUP BY year
		UNION ALL SELECT 'window' AS kind, year, MIN(closes) AS at FROM reporting_windows WHERE district_code = ? GROUP BY year`,
		district, district).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var kind string
		var year int
		var raw any
		if err := rows.Scan(&kind, &year, &raw); err != nil {
			return nil, err
		}
		at, err := dbTime(raw)
		if err != nil || at == nil {
			return nil, fmt.Errorf("year %d's %s: %v", year, kind, err)
		}
		if kind == "closing" {
			ys.closed[year] = *at
		} else {
			ys.closes[year] = *at
		}
	}
	return ys, rows.Err()
}

// Years are the reporting years, as Years gives them.
func (ys *YearStanding) Years() []int {
	out := make([]int, 0, ys.last-FirstYear+1)
	for y := FirstYear; y <= ys.last; y++ {
		out = append(out, y)
	}
	return out
}

// closedAt reports whether year y was closed at instant at: closed by the district
// by then, or its window closed by then (the contrary of inProgressAt).
func (ys *YearStanding) closedAt(y int, at time.Time) bool {
	c, closed := ys.closed[y]
	w, window := ys.closes[y]
	return (closed && !c.After(at)) || (window && !at.Before(w))
}

// InProgress lists the reporting years still in progress at instant at.
func (ys *YearStanding) InProgress(at time.Time) map[int]bool {
	out := map[int]bool{}
	for _, y := range ys.Years() {
		out[y] = !ys.closedAt(y, at)
	}
	return out
}

// LatestClosed is the latest reporting year closed at instant at, or 0 when no
// year is closed yet.
func (ys *YearStanding) LatestClosed(at time.Time) int {
	latest := 0
	for _, y := range ys.Years() {
		if ys.closedAt(y, at) {
			latest = y
		}
	}
	return latest
}

// InProgressYears lists the reporting years still in progress at instant at.
func InProgressYears(db *gorm.DB, district string, at time.Time) (map[int]bool, error) {
	ys, err := readYearStanding(db, district)
	if err != nil {
		return nil, err
	}
	return ys.InProgress(at), nil
}

// LatestClosedYear is the latest reporting year closed at instant at, or 0 when no
// year is closed yet.
func LatestClosedYear(db *gorm.DB, district string, at time.Time) (int, error) {
	ys, err := readYearStanding(db, district)
	if err != nil {
		return 0, err
	}
	return ys.LatestClosed(at), nil
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
