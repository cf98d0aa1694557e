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
		if err := cellsForLastYear(tx, before, y); err != nil {
			return err
		}
		return Audit(tx, a, "setting.last_year", "setting", settingLastYear, AuditScope{District: a.DistrictCode}, before, y)
	})
}

// cellsForLastYear brings the roll-up cells in line with a last open year moved from
// before to y, touching only the years that change: the years opened get their cells
// recounted, and the cells of the years no longer open go (the roll-up and
// MeasureDrift count no year after the last, and RebuildCells leaves none). The cells
// of the years open before and after are already right and stay as they are.
func cellsForLastYear(tx *gorm.DB, before, y int) error {
	if err := tx.Where("year > ?", y).Delete(&RollupCell{}).Error; err != nil {
		return err
	}
	if err := tx.Where("year > ?", y).Delete(&RollupCompanyCell{}).Error; err != nil {
		return err
	}
	var opened []int
	for n := before + 1; n <= y; n++ {
		opened = append(opened, n)
	}
	if len(opened) == 0 {
		return nil
	}
	return rebuildCells(tx, opened)
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
