package models

import (
	"time"

	"gorm.io/gorm"
)

// DistrictSetting is one value of a district's setting (e.g. the ranking's yellow
// band), recorded at an instant. Rows are never changed: the value in force at an
// instant is the latest recorded by then, so a past answer keeps its setting.
type DistrictSetting struct {
	ID           uint      `gorm:"primaryKey"`
	DistrictCode string    `gorm:"size:6;not null"`
	Key          string    `gorm:"size:60;not null"`
	Value        int64     `gorm:"not null"`
	RecordedAt   time.Time `gorm:"not null"`
	RecordedBy   string    `gorm:"size:100;not null;default:''"`
}

// settingYellowBand names the ranking's yellow band, in basis points.
const settingYellowBand = "ranking_yellow_band"

// defaultYellowBand is the yellow band before the district sets one: five points.
const defaultYellowBand = 500

// districtSetting is the value of a district's setting in force at instant at, or def.
func districtSetting(db *gorm.DB, district, key string, at time.Time, def int64) int64 {
	var s DistrictSetting
	err := db.Where("district_code = ? AND key = ? AND recorded_at <= ?", district, key, at).
		Order("recorded_at DESC, id DESC").Take(&s).Error
	if err != nil {
		return def
	}
	return s.Value
}

// YellowBand is how far below its target a street may be at instant at and still be
// yellow rather than red, in basis points (default 500, five percentage points).
func YellowBand(db *gorm.DB, district string, at time.Time) int64 {
	return districtSetting(db, district, settingYellowBand, at, defaultYellowBand)
}

// SetYellowBand changes the district's yellow band. District staff only; audited.
func SetYellowBand(db *gorm.DB, a *Actor, bp int64) error {
	if a.Role != RoleDistrict {
		return ErrForbidden
	}
	if bp < 0 || bp > 10000 {
		return Invalid("yellow_band", "黄色区间须在 0 至 100 个百分点之间")
	}
	return db.Transaction(func(tx *gorm.DB) error {
		before := YellowBand(tx, a.DistrictCode, now())
		s := DistrictSetting{DistrictCode: a.DistrictCode, Key: settingYellowBand, Value: bp, RecordedAt: now(), RecordedBy: a.Name}
		if err := tx.Create(&s).Error; err != nil {
			return err
		}
		return Audit(tx, a, "setting.yellow_band", "setting", settingYellowBand, AuditScope{District: a.DistrictCode}, before, bp)
	})
}

// The lines of the reports upward, in 分 of 经营性收入: a 薄弱村 is below the weak
// line, a 强村 at or above the strong line.
const (
	settingWeakLine   = "weak_line_fen"
	settingStrongLine = "strong_line_fen"
	// defaultWeakLine is 30万元, defaultStrongLine 100万元, until the district sets its own.
	defaultWeakLine   int64 = 30_000_000
	defaultStrongLine int64 = 100_000_000
)

// WeakLine is the 薄弱村 line in force at instant at, in 分.
func WeakLine(db *gorm.DB, district string, at time.Time) int64 {
	return districtSetting(db, district, settingWeakLine, at, defaultWeakLine)
}

// StrongLine is the 强村 line in force at instant at, in 分.
func StrongLine(db *gorm.DB, district string, at time.Time) int64 {
	return districtSetting(db, district, settingStrongLine, at, defaultStrongLine)
}

// SetUpwardLines records the district's 薄弱村 and 强村 lines (in 分; the weak line
// below the strong one). District staff only; each changed line is a new setting
// row and an audit entry, so that a report as of a past instant keeps its line.
func SetUpwardLines(db *gorm.DB, a *Actor, weak, strong int64) error {
	if a.Role != RoleDistrict {
		return ErrForbidden
	}
	fields := map[string]string{}
	if weak <= 0 || weak > MaxAmountFen {
		fields["weak_line_fen"] = "薄弱村线须大于 0"
	}
	if strong <= 0 || strong > MaxAmountFen {
		fields["strong_line_fen"] = "强村线须大于 0"
	}
	if len(fields) == 0 && weak >= strong {
		fields["strong_line_fen"] = "强村线须高于薄弱村线"
	}
	if len(fields) > 0 {
		return &ValidationError{Fields: fields}
	}
	return db.Transaction(func(tx *gorm.DB) error {
		at := now()
		for _, s := range []struct {
			key, action string
			value, def  int64
		}{{settingWeakLine, "setting.weak_line", weak, defaultWeakLine}, {settingStrongLine, "setting.strong_line", strong, defaultStrongLine}} {
			before := districtSetting(tx, a.DistrictCode, s.key, at, s.def)
			if before == s.value {
				continue
			}
			row := DistrictSetting{DistrictCode: a.DistrictCode, Key: s.key, Value: s.value, RecordedAt: at, RecordedBy: a.Name}
			if err := tx.Create(&row).Error; err != nil {
				return err
			}
			if err := Audit(tx, a, s.action, "setting", s.key, AuditScope{District: a.DistrictCode}, before, s.value); err != nil {
				return err
			}
		}
		return nil
	})
}
