package models

import (
	"time"

	"gorm.io/gorm"
)

// Kinds of company status entries.
const (
	CompanyDissolved = "dissolved"
	CompanyRestored  = "restored"
)

// CompanyStatus is one dated entry of a company's history: dissolved (注销) or
// restored. Entries are never changed or deleted; a company counts at an instant
// unless its latest entry recorded by then is a dissolution, so a past answer keeps
// the companies it had.
type CompanyStatus struct {
	ID         uint      `gorm:"primaryKey"`
	CompanyID  uint      `gorm:"not null"`
	Kind       string    `gorm:"size:10;not null"`
	On         time.Time `gorm:"column:on_date;not null"`
	RecordedAt time.Time `gorm:"not null"`
	RecordedBy string    `gorm:"size:100;not null;default:''"`
}

// companyActiveAt is the SQL condition that company c was not dissolved at the
// instant bound twice: no dissolution recorded by then without a restoration
// recorded after it (and by then).
const companyActiveAt = `NOT EXISTS (SELECT 1 FROM company_statuses e WHERE e.company_id = c.id AND e.kind = 'dissolved'
	AND e.recorded_at <= ? AND NOT EXISTS (SELECT 1 FROM company_statuses r WHERE r.company_id = c.id
	AND r.kind = 'restored' AND r.recorded_at <= ? AND (r.recorded_at > e.recorded_at OR (r.recorded_at = e.recorded_at AND r.id > e.id))))`

// SetCompanyStatus dissolves or restores a company on a date: a history entry, and
// the company's current state (dissolved_at) follows it. The district, or a street
// officer whose street holds every member; audited. Dissolving a dissolved company
// or restoring an active one is a conflict.
func SetCompanyStatus(db *gorm.DB, a *Actor, id uint, kind string, on time.Time) (*CompanyStatus, error) {
	if _, err := editableCompany(db, a, id); err != nil {
		return nil, err
	}
	if on.IsZero() || on.After(now().Add(24*time.Hour)) {
		return nil, Invalid("on", "请填写日期（不晚于今天）")
	}
	e := CompanyStatus{CompanyID: id, Kind: kind, On: on.UTC(), RecordedAt: now(), RecordedBy: a.Name}
	err := db.Transaction(func(tx *gorm.DB) error {
		var c Company
		if err := tx.Where("id = ?", id).Take(&c).Error; err != nil {
			return err
		}
		switch {
		case kind == CompanyDissolved && c.DissolvedAt != nil:
			return Conflict("该公司已注销")
		case kind == CompanyRestored && c.DissolvedAt == nil:
			return Conflict("该公司未注销，无需恢复")
		}
		if err := tx.Create(&e).Error; err != nil {
			return err
		}
		var dissolved *time.Time
		if kind == CompanyDissolved {
			dissolved = &e.RecordedAt
		}
		if err := tx.Model(&Company{}).Where("id = ?", id).
			Updates(map[string]any{"dissolved_at": dissolved, "version": gorm.Expr("version + 1"), "updated_at": e.RecordedAt}).Error; err != nil {
			return err
		}
		if err := registersForCompany(tx, id); err != nil {
			return err
		}
		return Audit(tx, a, "company."+kind, "company", itoa(int(id)), companyScope(a), nil, e)
	})
	if err != nil {
		return nil, err
	}
	return &e, nil
}
