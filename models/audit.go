package models

import (
	"encoding/json"
	"errors"
	"time"

	"gorm.io/gorm"
)

// errAppendOnly guards the audit log against updates and deletes through GORM.
var errAppendOnly = errors.New("审计日志只能追加，不能修改或删除")

// BeforeUpdate refuses any change to an audit entry.
func (*AuditEntry) BeforeUpdate(*gorm.DB) error { return errAppendOnly }

// BeforeDelete refuses deleting an audit entry.
func (*AuditEntry) BeforeDelete(*gorm.DB) error { return errAppendOnly }

// AuditScope names the district, street and village an audited change belongs to,
// so that each reader sees exactly the entries within their scope.
type AuditScope struct{ District, Street, Village string }

// VillageScope is the audit scope of a village.
func VillageScope(v *Village) AuditScope {
	return AuditScope{District: v.DistrictCode, Street: v.StreetCode, Village: v.Code}
}

// Audit appends one entry in the caller's transaction: who, when, from where, what,
// before and after (as JSON; nil gives an empty string).
func Audit(tx *gorm.DB, a *Actor, action, objType, key string, sc AuditScope, before, after any) error {
	e := auditEntry(a, action, objType, key, sc, before, after)
	return tx.Create(&e).Error
}

// auditEntry builds an entry without writing it (for batches).
func auditEntry(a *Actor, action, objType, key string, sc AuditScope, before, after any) AuditEntry {
	e := AuditEntry{
		At: time.Now().UTC().Truncate(time.Microsecond), Action: action, ObjectType: objType, ObjectKey: key,
		DistrictCode: sc.District, StreetCode: sc.Street, VillageCode: sc.Village,
		Before: toJSON(before), After: toJSON(after),
	}
	if a != nil {
		e.ActorID, e.ActorName, e.ActorRole, e.IP = a.UserID, a.Username, a.Role, a.IP
	} else {
		e.ActorName, e.ActorRole = "system", "system"
	}
	return e
}

func toJSON(v any) string {
	if v == nil {
		return ""
	}
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}

// AuditFilter narrows the audit log listing: a village, a person (username or name), an
// action, and a time range [From, To) (zero: open).
type AuditFilter struct {
	VillageCode string
	Actor       string
	Action      string
	From, To    time.Time
	Limit       int
	Offset      int
}

// AuditExportRows is the most entries one export of the audit log holds.
const AuditExportRows = 20_000

// AuditRow is an audit entry with the name of its village.
type AuditRow struct {
	AuditEntry
	VillageName string
}

// ListAudit returns the newest audit entries within the actor's scope that match f,
// and their total: the filter is in SQL, one count query and one page query. A
// negative limit asks for up to AuditExportRows entries.
func ListAudit(db *gorm.DB, a *Actor, f AuditFilter) ([]AuditRow, int64, error) {
	q := a.Scope().Audit(db.Model(&AuditEntry{}))
	if f.VillageCode != "" {
		q = q.Where("audit_entries.village_code = ?", f.VillageCode)
	}
	if f.Actor != "" {
		// A person by username, or by name (a clerk knows 张三, not village-331002001201).
		q = q.Where("audit_entries.actor_name = ? OR audit_entries.actor_name IN (?)", f.Actor,
			db.Model(&User{}).Select("username").Where("name = ?", f.Actor))
	}
	if f.Action != "" {
		q = q.Where("audit_entries.action = ?", f.Action)
	}
	if !f.From.IsZero() {
		q = q.Where("audit_entries.at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		q = q.Where("audit_entries.at < ?", f.To.UTC())
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	switch {
	case f.Limit < 0:
		f.Limit = AuditExportRows
	case f.Limit == 0 || f.Limit > 500:
		f.Limit = 100
	}
	var out []AuditRow
	err := q.Select("audit_entries.*, villages.name AS village_name").
		Joins("LEFT JOIN villages ON villages.code = audit_entries.village_code").
		Order("audit_entries.id DESC").Limit(f.Limit).Offset(f.Offset).Scan(&out).Error
	return out, total, err
}
