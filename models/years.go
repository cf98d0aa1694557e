package models

import (
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
// district has opened later ones.
func LastYear(db *gorm.DB) int {
	var s Setting
	if err := db.Where("key = ?", settingLastYear).Take(&s).Error; err == nil {
		if y, err := strconv.Atoi(s.Value); err == nil && y >= PlanFinalYear {
			return y
		}
	}
	return PlanFinalYear
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
		before := LastYear(tx)
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
func Years(db *gorm.DB) []int {
	last := LastYear(db)
	out := make([]int, 0, last-FirstYear+1)
	for y := FirstYear; y <= last; y++ {
		out = append(out, y)
	}
	return out
}

// CheckYear validates a reporting year.
func CheckYear(db *gorm.DB, y int) error {
	if y < FirstYear || y > LastYear(db) {
		return Invalid("year", fmt.Sprintf("年度须在 %d 至 %d 之间", FirstYear, LastYear(db)))
	}
	return nil
}

func itoa(n int) string { return strconv.Itoa(n) }
