package models

import (
	"errors"
	"fmt"
	"sort"
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

// companiesInScope restricts a companies query to the actor's scope: the district's
// own companies; for a street or a village, those it holds a share in now.
func (a *Actor) companiesInScope(db *gorm.DB, q *gorm.DB) *gorm.DB {
	if a.Role == RoleDistrict {
		return q.Where("companies.district_code = ?", a.DistrictCode)
	}
	members := db.Table("company_members").Select("company_members.company_id").
		Joins("JOIN villages ON villages.code = company_members.village_code").
		Where("company_members.removed_at IS NULL").Scopes(a.Villages)
	return q.Where("companies.id IN (?)", members)
}

// CompanyFilter narrows the company list.
type CompanyFilter struct {
	Street string
	Model  string
}

// ListCompanies lists the companies in the actor's scope.
func ListCompanies(db *gorm.DB, a *Actor, f CompanyFilter) ([]Company, error) {
	q := a.companiesInScope(db, db.Model(&Company{}))
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
	Company   Company
	Members   []MemberView
	Years     []CompanyYear
	Dividends []CompanyDividend
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
	err := a.companiesInScope(db, db.Model(&Company{})).Where("companies.id = ?", id).Take(&c).Error
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
		v.Add("registered_capital_fen", "注册资本须为 0 至 10^14 分")
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
	rows, err := checkMembers(db, a, members)
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
	if _, err := editableCompany(db, a, id); err != nil {
		return nil, err
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	var out Company
	err := db.Transaction(func(tx *gorm.DB) error {
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
		switch {
		case in.Dissolved && before.DissolvedAt == nil:
			t := now()
			out.DissolvedAt = &t
		case !in.Dissolved:
			out.DissolvedAt = nil
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

// MemberInput is one member of a company's member list.
type MemberInput struct {
	VillageCode string
	ShareMicro  int64
	FromYear    int
	UntilYear   *int
}

// checkMembers validates a whole member list: villages the actor may name, sane
// years and shares, no village twice over overlapping years, and in every year the
// shares summing to at most 100%.
func checkMembers(db *gorm.DB, a *Actor, in []MemberInput) ([]CompanyMember, error) {
	v := &ValidationError{}
	var rows []CompanyMember
	for i, m := range in {
		key := fmt.Sprintf("members[%d]", i)
		vil, err := a.FindVillage(db, strings.TrimSpace(m.VillageCode))
		switch {
		case errors.Is(err, ErrNotFound):
			v.Add(key+".village_code", "村代码不存在或不在您的范围内")
			continue
		case err != nil:
			return nil, err
		}
		if m.ShareMicro <= 0 || m.ShareMicro > ShareWhole {
			v.Add(key+".share", "持股比例须大于 0 且不超过 100%")
		}
		if m.FromYear < 1949 || m.FromYear > 2100 || (m.UntilYear != nil && *m.UntilYear < m.FromYear) {
			v.Add(key+".years", "起止年度不合理")
		}
		rows = append(rows, CompanyMember{VillageCode: vil.Code, ShareMicro: m.ShareMicro, FromYear: m.FromYear, UntilYear: m.UntilYear})
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	for i := range rows {
		for j := i + 1; j < len(rows); j++ {
			if rows[i].VillageCode == rows[j].VillageCode && spansOverlap(&rows[i], &rows[j]) {
				v.Add(fmt.Sprintf("members[%d].village_code", j), "同一个村在重叠的年度内重复出现")
			}
		}
	}
	// The sum of shares is highest in some member's first year.
	years := map[int]bool{}
	for _, r := range rows {
		years[r.FromYear] = true
	}
	sorted := make([]int, 0, len(years))
	for y := range years {
		sorted = append(sorted, y)
	}
	sort.Ints(sorted)
	for _, y := range sorted {
		var sum int64
		for i := range rows {
			if rows[i].ActiveIn(y) {
				sum += rows[i].ShareMicro
			}
		}
		if sum > ShareWhole {
			v.Add("members", fmt.Sprintf("%d 年各村持股比例合计 %s，超过 100%%", y, FormatShare(sum)))
			break
		}
	}
	return rows, v.Err()
}

func spansOverlap(a, b *CompanyMember) bool {
	endA, endB := 9999, 9999
	if a.UntilYear != nil {
		endA = *a.UntilYear
	}
	if b.UntilYear != nil {
		endB = *b.UntilYear
	}
	return a.FromYear <= endB && b.FromYear <= endA
}

// FormatShare writes a share (millionths) as a percentage with up to 4 decimals.
func FormatShare(micro int64) string {
	s := fmt.Sprintf("%d.%04d", micro/10_000, micro%10_000)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s + "%"
}

// replaceMembers closes the current member rows and writes the new list.
func replaceMembers(tx *gorm.DB, companyID uint, rows []CompanyMember) error {
	at := now()
	if err := tx.Model(&CompanyMember{}).Where("company_id = ? AND removed_at IS NULL", companyID).
		Update("removed_at", at).Error; err != nil {
		return err
	}
	for i := range rows {
		rows[i].ID, rows[i].CompanyID, rows[i].AddedAt, rows[i].RemovedAt = 0, companyID, at, nil
	}
	if len(rows) == 0 {
		return nil
	}
	return tx.Create(&rows).Error
}

// SetMembers replaces a company's whole member list (PUT semantics), guarded by the
// company's version, which it moves on.
func SetMembers(db *gorm.DB, a *Actor, id uint, version int, members []MemberInput) ([]CompanyMember, error) {
	d, err := editableCompany(db, a, id)
	if err != nil {
		return nil, err
	}
	rows, err := checkMembers(db, a, members)
	if err != nil {
		return nil, err
	}
	err = db.Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&Company{}).Where("id = ? AND version = ?", id, version).
			Updates(map[string]any{"version": version + 1, "updated_at": now()})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return errStale
		}
		if err := replaceMembers(tx, id, rows); err != nil {
			return err
		}
		return Audit(tx, a, "company.members", "company", itoa(int(id)), companyScope(a), d.Members, rows)
	})
	if err != nil {
		return nil, err
	}
	return rows, nil
}

// DividendInput is one member's dividend of a year.
type DividendInput struct {
	VillageCode string
	DividendFen int64
}

// SetCompanyYear records a company's revenue, profit and dividends for a year. The
// dividends must not exceed the profit unless a reason is given; each goes to a
// village that is a member in that year.
func SetCompanyYear(db *gorm.DB, a *Actor, id uint, year int, revenue, profit int64, divs []DividendInput, reason string) (*CompanyYear, error) {
	d, err := editableCompany(db, a, id)
	if err != nil {
		return nil, err
	}
	v := &ValidationError{}
	if year < FirstYear || year > LastYear(db) {
		v.Add("year", fmt.Sprintf("年度须在 %d 至 %d 之间", FirstYear, LastYear(db)))
	}
	if revenue < 0 || revenue > MaxAmountFen {
		v.Add("revenue_fen", "营业收入须为 0 至 10^14 分")
	}
	if profit > MaxAmountFen || profit < -MaxAmountFen {
		v.Add("profit_fen", "利润超出合理范围")
	}
	member := map[string]bool{}
	for _, m := range d.Members {
		if m.ActiveIn(year) {
			member[m.VillageCode] = true
		}
	}
	var sum int64
	seen := map[string]bool{}
	for i, dv := range divs {
		key := fmt.Sprintf("dividends[%d]", i)
		switch {
		case !member[dv.VillageCode]:
			v.Add(key+".village_code", "该村不是本年度的股东村")
		case seen[dv.VillageCode]:
			v.Add(key+".village_code", "同一个村重复出现")
		case dv.DividendFen < 0 || dv.DividendFen > MaxAmountFen:
			v.Add(key+".dividend_fen", "分红须为 0 至 10^14 分")
		}
		seen[dv.VillageCode] = true
		sum += dv.DividendFen
	}
	reason = strings.TrimSpace(reason)
	if sum > profit && reason == "" {
		v.Add("reason", fmt.Sprintf("分红合计 %s 万元超过利润 %s 万元，请说明理由", FormatWan(sum), FormatWan(profit)))
	}
	if utf8.RuneCountInString(reason) > 500 || BadText(reason) {
		v.Add("reason", "理由最多 500 字")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	cy := CompanyYear{CompanyID: id, Year: year, RevenueFen: revenue, ProfitFen: profit, Reason: reason}
	err = db.Transaction(func(tx *gorm.DB) error {
		var before CompanyYear
		if err := tx.Where("company_id = ? AND year = ?", id, year).Take(&before).Error; err == nil {
			cy.ID = before.ID
		} else if !errors.Is(err, gorm.ErrRecordNotFound) {
			return err
		}
		if err := tx.Save(&cy).Error; err != nil {
			return err
		}
		if err := tx.Where("company_id = ? AND year = ?", id, year).Delete(&CompanyDividend{}).Error; err != nil {
			return err
		}
		rows := make([]CompanyDividend, len(divs))
		for i, dv := range divs {
			rows[i] = CompanyDividend{CompanyID: id, Year: year, VillageCode: dv.VillageCode, DividendFen: dv.DividendFen}
		}
		if len(rows) > 0 {
			if err := tx.Create(&rows).Error; err != nil {
				return err
			}
		}
		return Audit(tx, a, "company.year", "company", itoa(int(id))+"/"+itoa(year), companyScope(a), before, map[string]any{"year": cy, "dividends": rows})
	})
	if err != nil {
		return nil, err
	}
	return &cy, nil
}

// VillageCompanies lists the companies a village holds a share in now, with its share.
func VillageCompanies(db *gorm.DB, code string) ([]struct {
	Company
	ShareMicro int64
	FromYear   int
	UntilYear  *int
}, error) {
	var out []struct {
		Company
		ShareMicro int64
		FromYear   int
		UntilYear  *int
	}
	err := db.Table("companies").Select("companies.*, company_members.share_micro, company_members.from_year, company_members.until_year").
		Joins("JOIN company_members ON company_members.company_id = companies.id").
		Where("company_members.village_code = ? AND company_members.removed_at IS NULL", code).
		Order("companies.name").Scan(&out).Error
	return out, err
}
