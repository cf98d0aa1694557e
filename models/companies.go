package models

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
)

// CompanyModels are the four 强村公司 models.
var CompanyModels = []string{"资产经营型", "社会服务型", "订单生产型", "工程承揽型"}

// ShareWhole is 100% in the unit of shares (a millionth: 33.3333% = 333333).
const ShareWhole int64 = 1_000_000

// Company is a 强村公司 (village-strengthening company), owned by a district.
type Company struct {
	ID                   uint   `gorm:"primaryKey"`
	DistrictCode         string `gorm:"size:6;not null;index"`
	Name                 string `gorm:"size:200;not null"`
	CreditCode           string `gorm:"size:18;not null;uniqueIndex"`
	Model                string `gorm:"size:20;not null"`
	FoundedOn            string `gorm:"size:10;not null"` // YYYY-MM-DD
	RegisteredCapitalFen int64  `gorm:"not null"`
	// DissolvedAt is when the company stopped counting (注销); nil while active.
	DissolvedAt *time.Time
	Version     int `gorm:"not null"`
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// CompanyMember is a village's share in a company for a span of years. Replacing the
// member list closes the old rows (RemovedAt) rather than deleting them, so that
// figures as of a past instant stay as they were.
type CompanyMember struct {
	ID          uint   `gorm:"primaryKey"`
	CompanyID   uint   `gorm:"not null;index"`
	VillageCode string `gorm:"size:12;not null;index"`
	ShareMicro  int64  `gorm:"not null"`
	FromYear    int    `gorm:"not null"`
	UntilYear   *int
	AddedAt     time.Time `gorm:"not null"`
	RemovedAt   *time.Time
}

// CompanyYear is a company's figures for one year.
type CompanyYear struct {
	ID         uint   `gorm:"primaryKey"`
	CompanyID  uint   `gorm:"not null;uniqueIndex:idx_company_year,priority:1"`
	Year       int    `gorm:"not null;uniqueIndex:idx_company_year,priority:2"`
	RevenueFen int64  `gorm:"not null"`
	ProfitFen  int64  `gorm:"not null"`
	Reason     string `gorm:"size:500;not null;default:''"` // why dividends exceed profit
	UpdatedAt  time.Time
}

// CompanyDividend is the dividend a company paid a member village for a year.
type CompanyDividend struct {
	ID          uint   `gorm:"primaryKey"`
	CompanyID   uint   `gorm:"not null;index"`
	Year        int    `gorm:"not null"`
	VillageCode string `gorm:"size:12;not null;index"`
	DividendFen int64  `gorm:"not null"`
}

// ActiveIn reports whether the membership covers year y.
func (m *CompanyMember) ActiveIn(y int) bool {
	return m.FromYear <= y && (m.UntilYear == nil || *m.UntilYear >= y)
}

// CompanyFilter narrows the company list.
type CompanyFilter struct {
	Street string
	Model  string
}

// ListCompanies lists the companies in the actor's scope.
func ListCompanies(db *gorm.DB, a *Actor, f CompanyFilter) ([]Company, error) {
	q := a.Scope().Companies(db.Model(&Company{}))
	if f.Model != "" {
		q = q.Where("companies.model = ?", f.Model)
	}
	if f.Street != "" {
		q = q.Where("companies.id IN (?)", db.Table("company_members").Select("company_members.company_id").
			Joins("JOIN villages ON villages.code = company_members.village_code").
			Where("company_members.removed_at IS NULL AND villages.street_code = ?", f.Street))
	}
	var out []Company
	err := q.Order("companies.name, companies.id").Find(&out).Error
	return out, err
}

// CompanyDetail is a company with its current members and its yearly figures.
type CompanyDetail struct {
	Company Company
	Members []MemberView
	// Shareholders are the other shareholders (国资, 平台公司, 企业, 合作社) now.
	Shareholders []CompanyShareholder
	Years        []CompanyYear
	Dividends    []CompanyDividend
}

// MemberView is a current membership with its village.
type MemberView struct {
	CompanyMember
	VillageName string
	StreetCode  string
	StreetName  string
}

// GetCompany loads a company within the actor's scope.
func GetCompany(db *gorm.DB, a *Actor, id uint) (*CompanyDetail, error) {
	var c Company
	err := a.Scope().Companies(db.Model(&Company{})).Where("companies.id = ?", id).Take(&c).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	d := &CompanyDetail{Company: c}
	if err := db.Table("company_members").
		Select("company_members.*, villages.name AS village_name, villages.street_code, streets.name AS street_name").
		Joins("JOIN villages ON villages.code = company_members.village_code").
		Joins("JOIN streets ON streets.code = villages.street_code").
		Where("company_members.company_id = ? AND company_members.removed_at IS NULL", id).
		Order("company_members.from_year, company_members.village_code").Scan(&d.Members).Error; err != nil {
		return nil, err
	}
	if d.Shareholders, err = currentShareholders(db, id); err != nil {
		return nil, err
	}
	if err := db.Where("company_id = ?", id).Order("year").Find(&d.Years).Error; err != nil {
		return nil, err
	}
	if err := db.Where("company_id = ?", id).Order("year, village_code").Find(&d.Dividends).Error; err != nil {
		return nil, err
	}
	return d, nil
}

// CompanyInput is a create or edit of a company's own fields.
type CompanyInput struct {
	Name                 string
	CreditCode           string
	Model                string
	FoundedOn            string
	RegisteredCapitalFen int64
	Dissolved            bool
	Version              int
}

func (in *CompanyInput) validate() error {
	v := &ValidationError{}
	in.Name = strings.TrimSpace(in.Name)
	in.CreditCode = NormalizeCreditCode(in.CreditCode)
	if in.Name == "" || utf8.RuneCountInString(in.Name) > 100 || BadText(in.Name) {
		v.Add("name", "请填写公司名称（最多 100 字）")
	}
	if err := CheckCreditCode(in.CreditCode); err != nil {
		v.Add("credit_code", err.Error())
	}
	found := false
	for _, m := range CompanyModels {
		found = found || m == in.Model
	}
	if !found {
		v.Add("model", "模式须为："+strings.Join(CompanyModels, "、"))
	}
	if t, err := time.Parse("2006-01-02", in.FoundedOn); err != nil || t.Year() < 1949 || t.After(time.Now().Add(24*time.Hour)) {
		v.Add("founded_on", "成立日期须为 YYYY-MM-DD，且不晚于今天")
	}
	if in.RegisteredCapitalFen < 0 || in.RegisteredCapitalFen > MaxAmountFen {
		v.Add("registered_capital_fen", "注册资本须在 0 至 1 万亿元之间")
	}
	return v.Err()
}

// CreateCompany registers a company with its members. District staff may; a street
// officer may when every member village is in the street.
func CreateCompany(db *gorm.DB, a *Actor, in CompanyInput, members []MemberInput) (*Company, error) {
	if a.Role != RoleDistrict && a.Role != RoleStreet {
		return nil, ErrForbidden
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	rows, err := checkMembers(db, a, in.FoundedOn, members, nil)
	if err != nil {
		return nil, err
	}
	c := &Company{DistrictCode: a.DistrictCode, Name: in.Name, CreditCode: in.CreditCode, Model: in.Model,
		FoundedOn: in.FoundedOn, RegisteredCapitalFen: in.RegisteredCapitalFen, Version: 1}
	err = db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(c).Error; err != nil {
			if isUniqueViolation(err) {
				return Invalid("credit_code", "该统一社会信用代码已登记")
			}
			return err
		}
		if err := replaceMembers(tx, c.ID, rows); err != nil {
			return err
		}
		return Audit(tx, a, "company.create", "company", itoa(int(c.ID)), companyScope(a), nil, map[string]any{"company": c, "members": rows})
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// companyScope is the audit scope of a company change: the district, and the street
// when a street officer made it.
func companyScope(a *Actor) AuditScope {
	return AuditScope{District: a.DistrictCode, Street: a.StreetCode}
}

// editableCompany loads a company the actor may change: the district's any; a
// street officer's when every current member is in the street.
func editableCompany(tx *gorm.DB, a *Actor, id uint) (*CompanyDetail, error) {
	d, err := GetCompany(tx, a, id)
	if err != nil {
		return nil, err
	}
	switch a.Role {
	case RoleDistrict:
		return d, nil
	case RoleStreet:
		for _, m := range d.Members {
			if m.StreetCode != a.StreetCode {
				return nil, ErrForbidden
			}
		}
		return d, nil
	}
	return nil, ErrForbidden
}

// UpdateCompany edits a company's own fields, guarded by its version.
func UpdateCompany(db *gorm.DB, a *Actor, id uint, in CompanyInput) (*Company, error) {
	d, err := editableCompany(db, a, id)
	if err != nil {
		return nil, err
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	// No holding may start before the founding year, moved or not.
	fy, first := foundedYear(in.FoundedOn), 0
	for _, m := range d.Members {
		if first == 0 || m.FromYear < first {
			first = m.FromYear
		}
	}
	for _, s := range d.Shareholders {
		if first == 0 || s.FromYear < first {
			first = s.FromYear
		}
	}
	if first != 0 && fy > first {
		return nil, Invalid("founded_on", fmt.Sprintf("成立日期不能晚于股东最早的入股年度（%d 年）：请先修改股东的起始年度", first))
	}
	var out Company
	err = db.Transaction(func(tx *gorm.DB) error {
		var before Company
		if err := tx.Where("id = ?", id).Take(&before).Error; err != nil {
			return err
		}
		if before.Version != in.Version {
			return errStale
		}
		out = before
		out.Name, out.CreditCode, out.Model, out.FoundedOn, out.RegisteredCapitalFen = in.Name, in.CreditCode, in.Model, in.FoundedOn, in.RegisteredCapitalFen
		out.Version = before.Version + 1
		// Dissolving and restoring append to the company's history.
		var status string
		switch {
		case in.Dissolved && before.DissolvedAt == nil:
			t := now()
			out.DissolvedAt, status = &t, CompanyDissolved
		case !in.Dissolved && before.DissolvedAt != nil:
			out.DissolvedAt, status = nil, CompanyRestored
		}
		if status != "" {
			at := now()
			day := time.Date(at.In(Shanghai).Year(), at.In(Shanghai).Month(), at.In(Shanghai).Day(), 0, 0, 0, 0, Shanghai).UTC()
			e := CompanyStatus{CompanyID: id, Kind: status, On: day, RecordedAt: at, RecordedBy: a.Name}
			if out.DissolvedAt != nil {
				e.RecordedAt = *out.DissolvedAt
			}
			if err := tx.Create(&e).Error; err != nil {
				return err
			}
			if err := registersForCompany(tx, id); err != nil {
				return err
			}
		}
		res := tx.Model(&Company{}).Where("id = ? AND version = ?", id, before.Version).
			Select("name", "credit_code", "model", "founded_on", "registered_capital_fen", "dissolved_at", "version", "updated_at").Updates(&out)
		if res.Error != nil {
			if isUniqueViolation(res.Error) {
				return Invalid("credit_code", "该统一社会信用代码已登记")
			}
			return res.Error
		}
		if res.RowsAffected != 1 {
			return errStale
		}
		return Audit(tx, a, "company.update", "company", itoa(int(id)), companyScope(a), before, out)
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}
