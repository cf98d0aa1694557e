package models

import (
	"errors"
	"fmt"
	"strconv"

	"gorm.io/gorm"
)

// FirstYear is the plan's first year; reports exist from it on.
const FirstYear = 2023

// PlanFinalYear is the plan's last year, the year of its final targets.
const PlanFinalYear = 2027

// settingLastYear names the setting that holds the last year open for reporting.
const settingLastYear = "last_open_year"

// LastYear is the last year open for reporting: the plan's final year unless the
// district has opened later ones. A failed read, or a stored value that is not a
// year, is an error, never a silent fallback to the plan's final year.
func LastYear(db *gorm.DB) (int, error) {
	var s Setting
	err := db.Where("key = ?", settingLastYear).Take(&s).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return PlanFinalYear, nil
	}
	if err != nil {
		return 0, err
	}
	return lastYearOf(&s.Value)
}

// lastYearOf reads the setting's stored value (nil: not set).
func lastYearOf(v *string) (int, error) {
	if v == nil {
		return PlanFinalYear, nil
	}
	y, err := strconv.Atoi(*v)
	if err != nil {
		return 0, fmt.Errorf("setting %s: %q is not a year", settingLastYear, *v)
	}
	return max(y, PlanFinalYear), nil
}

// checkYearIn checks y against the last open year.
func checkYearIn(y, last int) error {
	if y < FirstYear || y > last {
		return Invalid("year", fmt.Sprintf("年度须在 %d 至 %d 之间", FirstYear, last))
	}
	return nil
}

// SetLastYear opens reporting up to year y (never below the plan's final year).
func SetLastYear(db *gorm.DB, a *Actor, y int) error {
	if a.Role != RoleDistrict {
		return ErrForbidden
	}
	if y < PlanFinalYear || y > 2100 {
		return Invalid("year", fmt.Sprintf("年度须在 %d 至 2100 之间", PlanFinalYear))
	}
	return db.Transaction(func(tx *gorm.DB) error {
		before, err := LastYear(tx)
		if err != nil {
			return err
		}
		if err := tx.Save(&Setting{Key: settingLastYear, Value: strconv.Itoa(y)}).Error; err != nil {
			return err
		}
		// New years need their roll-up cells.
		if err := RebuildCells(tx); err != nil {
			return err
		}
		return Audit(tx, a, "setting.last_year", "setting", settingLastYear, AuditScope{District: a.DistrictCode}, before, y)
	})
}

// Years lists the reporting years, first to last.
func Years(db *gorm.DB) ([]int, error) {
	last, err := LastYear(db)
	if err != nil {
		return nil, err
	}
	out := make([]int, 0, last-FirstYear+1)
	for y := FirstYear; y <= last; y++ {
		out = append(out, y)
	}
	return out, nil
}

// CheckYear validates a reporting year.
func CheckYear(db *gorm.DB, y int) error {
	last, err := LastYear(db)
	if err != nil {
		return err
	}
	return checkYearIn(y, last)
}

func itoa(n int) string { return strconv.Itoa(n) }
