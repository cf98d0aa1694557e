package models

import (
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
)

// ReportingWindow is the period of a year in which a district's villages submit.
type ReportingWindow struct {
	ID           uint      `gorm:"primaryKey"`
	DistrictCode string    `gorm:"size:6;not null;uniqueIndex:idx_window,priority:1"`
	Year         int       `gorm:"not null;uniqueIndex:idx_window,priority:2"`
	Opens        time.Time `gorm:"not null"`
	Closes       time.Time `gorm:"not null"`
	UpdatedAt    time.Time
}

// SubmitException lets one village submit a year's report after the window closed,
// until a date, granted by the district with a reason.
type SubmitException struct {
	ID          uint      `gorm:"primaryKey"`
	VillageCode string    `gorm:"size:12;not null;index"`
	Year        int       `gorm:"not null"`
	Until       time.Time `gorm:"not null"`
	Reason      string    `gorm:"size:500;not null"`
	GrantedBy   string    `gorm:"size:100;not null"`
	CreatedAt   time.Time
}

// Window returns the reporting window of a district's year, or nil.
func Window(db *gorm.DB, district string, year int) (*ReportingWindow, error) {
	var w ReportingWindow
	err := db.Where("district_code = ? AND year = ?", district, year).Take(&w).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &w, nil
}

// SetWindow sets the reporting window of a year. District staff only; audited.
func SetWindow(db *gorm.DB, a *Actor, year int, opens, closes time.Time) (*ReportingWindow, error) {
	if a.Role != RoleDistrict {
		return nil, ErrForbidden
	}
	if err := CheckYear(db, year); err != nil {
		return nil, err
	}
	if !closes.After(opens) {
		return nil, Invalid("closes", "截止时间须晚于开始时间")
	}
	var out ReportingWindow
	err := db.Transaction(func(tx *gorm.DB) error {
		before, err := Window(tx, a.DistrictCode, year)
		if err != nil {
			return err
		}
		out = ReportingWindow{DistrictCode: a.DistrictCode, Year: year, Opens: opens.UTC(), Closes: closes.UTC()}
		if before != nil {
			out.ID = before.ID
		}
		if err := tx.Save(&out).Error; err != nil {
			return err
		}
		var b any
		if before != nil {
			b = before
		}
		return Audit(tx, a, "window.set", "window", a.DistrictCode+"/"+itoa(year), AuditScope{District: a.DistrictCode}, b, out)
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// GrantException lets a village submit until a date after the window closed.
// District staff only; audited.
func GrantException(db *gorm.DB, a *Actor, code string, year int, until time.Time, reason string) (*SubmitException, error) {
	v, err := a.FindVillage(db, code)
	if err != nil {
		return nil, err
	}
	if a.Role != RoleDistrict {
		return nil, ErrForbidden
	}
	if err := CheckYear(db, year); err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > 500 || BadText(reason) {
		return nil, Invalid("reason", "请填写延期理由（最多 500 字）")
	}
	e := SubmitException{VillageCode: code, Year: year, Until: until.UTC(), Reason: reason, GrantedBy: a.Name}
	err = db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&e).Error; err != nil {
			return err
		}
		return Audit(tx, a, "window.exception", "village", code, VillageScope(v), nil, e)
	})
	if err != nil {
		return nil, err
	}
	return &e, nil
}

// mayExceptUntil is the latest exception date for a village-year, or zero.
func mayExceptUntil(db *gorm.DB, code string, year int) (time.Time, error) {
	var e SubmitException
	err := db.Where("village_code = ? AND year = ?", code, year).Order("until DESC").Take(&e).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return time.Time{}, nil
	}
	return e.Until, err
}

// Reporting states of a village-year (see ReportOpenness).
const (
	ReportingOpen   = "open"
	ReportingClosed = "closed"
	ReportingFuture = "future"
)

// Openness says whether a village-year is open for reporting, and why not.
type Openness struct {
	State   string
	Message string
}

// Open reports whether the year is open.
func (o Openness) Open() bool { return o.State == ReportingOpen }

// ReportOpenness applies the district's reporting window of the year at the
// instant at: before it opens the year is not open yet; after it closes it is
// closed unless the village holds an exception that has not expired. A year
// without a window is open.
func ReportOpenness(db *gorm.DB, v *Village, year int, at time.Time) (Openness, error) {
	w, err := Window(db, v.DistrictCode, year)
	if err != nil || w == nil {
		return Openness{State: ReportingOpen}, err
	}
	var until time.Time
	if at.After(w.Closes) {
		if until, err = mayExceptUntil(db, v.Code, year); err != nil {
			return Openness{}, err
		}
	}
	return opennessOf(w, until, year, at), nil
}

// opennessOf is ReportOpenness from the window (nil: none) and the village's latest
// exception of the year (zero: none) in hand.
func opennessOf(w *ReportingWindow, until time.Time, year int, at time.Time) Openness {
	if w == nil {
		return Openness{State: ReportingOpen}
	}
	if at.Before(w.Opens) {
		return Openness{ReportingFuture, itoa(year) + " 年度填报尚未开始（" + w.Opens.In(Shanghai).Format("2006-01-02 15:04") + " 开始）"}
	}
	if !at.After(w.Closes) {
		return Openness{State: ReportingOpen}
	}
	if !until.IsZero() && !at.After(until) {
		return Openness{State: ReportingOpen}
	}
	msg := itoa(year) + " 年度填报已于 " + w.Closes.In(Shanghai).Format("2006-01-02 15:04") + " 截止，如需补报请联系区里开通延期"
	if !until.IsZero() {
		msg = "延期补报已于 " + until.In(Shanghai).Format("2006-01-02 15:04") + " 到期"
	}
	return Openness{ReportingClosed, msg}
}

// checkWindow refuses a submission outside the year's window, unless the village
// holds an exception that has not expired.
func checkWindow(db *gorm.DB, v *Village, year int, at time.Time) error {
	o, err := ReportOpenness(db, v, year, at)
	if err != nil || o.Open() {
		return err
	}
	return Conflict(o.Message)
}
