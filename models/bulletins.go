package models

import (
	"encoding/json"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
)

// Bulletin is an issued 通报, kept as it was issued: its scope, year and as_of, the
// 发文机关, 文号 and date entered when it was issued, who issued it, and the frozen
// document. Nothing updates or deletes a kept bulletin; issuing again makes a new one.
type Bulletin struct {
	ID           uint      `gorm:"primaryKey" json:"id"`
	DistrictCode string    `gorm:"size:6;not null;uniqueIndex:idx_bulletins_number,priority:1" json:"district_code"`
	ScopeCode    string    `gorm:"size:12;not null;index:idx_bulletins_scope" json:"scope_code"`
	ScopeName    string    `gorm:"size:100;not null" json:"scope_name"`
	Year         int       `gorm:"not null" json:"year"`
	AsOf         time.Time `gorm:"not null" json:"as_of"`
	Issuer       string    `gorm:"size:100;not null" json:"issuer"`
	DocumentNo   string    `gorm:"size:60;not null;uniqueIndex:idx_bulletins_number,priority:2" json:"document_no"`
	IssuedOn     string    `gorm:"size:10;not null" json:"issued_on"`
	IssuedBy     string    `gorm:"size:100;not null" json:"issued_by"`
	IssuedAt     time.Time `gorm:"not null" json:"issued_at"`
	Content      string    `gorm:"type:text;not null" json:"-"`
}

var errBulletinKept = errors.New("已印发的通报不能修改或删除")

// BeforeUpdate refuses any change to a kept bulletin.
func (*Bulletin) BeforeUpdate(*gorm.DB) error { return errBulletinKept }

// BeforeDelete refuses deleting a kept bulletin.
func (*Bulletin) BeforeDelete(*gorm.DB) error { return errBulletinKept }

// Document is the frozen content of the bulletin.
func (b *Bulletin) Document() (*Document, error) {
	var d Document
	if err := json.Unmarshal([]byte(b.Content), &d); err != nil {
		return nil, err
	}
	return &d, nil
}

// BulletinInput is what the district enters when it issues a 通报.
type BulletinInput struct {
	Street     string
	Year       int
	AsOf       time.Time
	Issuer     string
	DocumentNo string
	IssuedOn   string // YYYY-MM-DD
}

// IssueBulletin composes the 通报 of in.Year as of in.AsOf for the district (or one
// of its streets), stamps it with the 发文机关, 文号 and date, and keeps it. District
// staff only; a 文号 is used once in a district.
func IssueBulletin(db *gorm.DB, a *Actor, in BulletinInput) (*Bulletin, error) {
	if a.Role != RoleDistrict || a.IsRegion() {
		return nil, ErrForbidden
	}
	v := &ValidationError{}
	in.Issuer, in.DocumentNo = strings.TrimSpace(in.Issuer), strings.TrimSpace(in.DocumentNo)
	if n := utf8.RuneCountInString(in.Issuer); n == 0 || n > 100 {
		v.Add("issuer", "请填写发文机关（最多 100 字）")
	}
	if n := utf8.RuneCountInString(in.DocumentNo); n == 0 || n > 60 {
		v.Add("document_no", "请填写文号（最多 60 字），如：椒农〔2026〕12号")
	}
	day, err := time.ParseInLocation("2006-01-02", in.IssuedOn, Shanghai)
	if err != nil {
		v.Add("issued_on", "请填写印发日期（年-月-日）")
	}
	now := time.Now()
	if in.AsOf.IsZero() {
		in.AsOf = now
	}
	if in.AsOf.After(now) {
		v.Add("as_of", "数据截至时间不能晚于现在")
	}
	if len(v.Fields) > 0 {
		return nil, v
	}
	in.AsOf = in.AsOf.UTC().Truncate(time.Microsecond)
	doc, err := ComposeBulletin(db, a, in.Street, in.Year, in.AsOf)
	if err != nil {
		return nil, err
	}
	doc.Issuer, doc.DocumentNo, doc.DateText = in.Issuer, in.DocumentNo, ChineseDate(day)
	content, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	b := &Bulletin{DistrictCode: a.DistrictCode, ScopeCode: doc.ScopeCode, ScopeName: doc.ScopeName, Year: in.Year, AsOf: in.AsOf,
		Issuer: in.Issuer, DocumentNo: in.DocumentNo, IssuedOn: day.Format("2006-01-02"), IssuedBy: issuerName(a),
		IssuedAt: now.UTC().Truncate(time.Microsecond), Content: string(content)}
	err = db.Transaction(func(tx *gorm.DB) error {
		var taken int64
		if err := tx.Model(&Bulletin{}).Where("district_code = ? AND document_no = ?", b.DistrictCode, b.DocumentNo).Count(&taken).Error; err != nil {
			return err
		}
		if taken > 0 {
			return Invalid("document_no", "该文号已用于另一份通报，请换一个文号")
		}
		if err := tx.Create(b).Error; err != nil {
			return err
		}
		return Audit(tx, a, "bulletin.issue", "bulletin", b.DocumentNo, AuditScope{District: a.DistrictCode},
			nil, map[string]any{"document_no": b.DocumentNo, "issuer": b.Issuer, "year": b.Year, "scope_code": b.ScopeCode, "as_of": b.AsOf})
	})
	if err != nil {
		return nil, err
	}
	return b, nil
}

// bulletinsInScope restricts a query on bulletins to what the actor may read: the
// district's staff every bulletin of the district; a street officer those issued
// for the whole district (sent to every street) and those for their own street.
func (a *Actor) bulletinsInScope(q *gorm.DB) *gorm.DB {
	switch a.Role {
	case RoleDistrict:
		return regionWhere(q, "bulletins.district_code", a.DistrictCode)
	case RoleStreet:
		return q.Where("bulletins.district_code = ? AND bulletins.scope_code IN ?", a.DistrictCode, []string{a.DistrictCode, a.StreetCode})
	}
	return q.Where("1 = 0")
}

// ListBulletins lists the kept bulletins the actor may read, newest first, without
// their content.
func ListBulletins(db *gorm.DB, a *Actor) ([]Bulletin, error) {
	var out []Bulletin
	err := a.bulletinsInScope(db.Model(&Bulletin{})).
		Select("id, district_code, scope_code, scope_name, year, as_of, issuer, document_no, issued_on, issued_by, issued_at").
		Order("issued_at DESC, id DESC").Find(&out).Error
	return out, err
}

// GetBulletin loads one kept bulletin within the actor's scope, or ErrNotFound.
func GetBulletin(db *gorm.DB, a *Actor, id uint) (*Bulletin, error) {
	var b Bulletin
	err := a.bulletinsInScope(db.Model(&Bulletin{})).Where("bulletins.id = ?", id).Take(&b).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	return &b, err
}

// issuerName is who issued a 通报 as the list shows it: the account's name, or its
// username when it has none.
func issuerName(a *Actor) string {
	if strings.TrimSpace(a.Name) != "" {
		return a.Name
	}
	return a.Username
}
