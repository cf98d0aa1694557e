package models

import (
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
)

// ShareholderKinds are the kinds of a company's shareholders other than villages.
var ShareholderKinds = []string{"国资", "平台公司", "企业", "合作社"}

// CompanyShareholder is a shareholder other than a village (国资, 平台公司, 企业,
// 合作社) with its share for a span of years. Like memberships, replacing the list
// closes the old rows (RemovedAt) rather than deleting them.
type CompanyShareholder struct {
	ID         uint   `gorm:"primaryKey"`
	CompanyID  uint   `gorm:"not null;index"`
	Name       string `gorm:"size:100;not null"`
	Kind       string `gorm:"size:10;not null"`
	ShareMicro int64  `gorm:"not null"`
	FromYear   int    `gorm:"not null"`
	UntilYear  *int
	AddedAt    time.Time `gorm:"not null"`
	RemovedAt  *time.Time
}

// ActiveIn reports whether the holding covers year y.
func (s *CompanyShareholder) ActiveIn(y int) bool {
	return s.FromYear <= y && (s.UntilYear == nil || *s.UntilYear >= y)
}

// ShareholderInput is one shareholder of a company's list of other shareholders.
type ShareholderInput struct {
	Name       string
	Kind       string
	ShareMicro int64
	FromYear   int
	UntilYear  *int
}

// foundedYear is the year of a company's founding date (YYYY-MM-DD), or 0.
func foundedYear(founded string) int {
	if t, err := time.Parse("2006-01-02", founded); err == nil {
		return t.Year()
	}
	return 0
}

// checkShareholders validates a list of other shareholders: a name and a kind,
// a share, sane years never before the founding year, no name twice over
// overlapping years.
func checkShareholders(founded string, in []ShareholderInput) ([]CompanyShareholder, error) {
	fy := foundedYear(founded)
	v := &ValidationError{}
	rows := make([]CompanyShareholder, 0, len(in))
	for i, s := range in {
		key := fmt.Sprintf("shareholders[%d]", i)
		s.Name = strings.TrimSpace(s.Name)
		if s.Name == "" || utf8.RuneCountInString(s.Name) > 100 || BadText(s.Name) {
			v.Add(key+".name", "请填写股东名称（最多 100 字）")
		}
		if !oneOf(s.Kind, ShareholderKinds) {
			v.Add(key+".kind", "股东类别须为："+strings.Join(ShareholderKinds, "、"))
		}
		if s.ShareMicro <= 0 || s.ShareMicro > ShareWhole {
			v.Add(key+".share", "持股比例须大于 0 且不超过 100%")
		}
		if s.FromYear < 1949 || s.FromYear > 2100 || (s.UntilYear != nil && *s.UntilYear < s.FromYear) {
			v.Add(key+".years", "起止年度不合理")
		} else if s.FromYear < fy {
			v.Add(key+".years", fmt.Sprintf("入股年度不能早于公司成立年度（%d 年）", fy))
		}
		rows = append(rows, CompanyShareholder{Name: s.Name, Kind: s.Kind, ShareMicro: s.ShareMicro, FromYear: s.FromYear, UntilYear: s.UntilYear})
	}
	for i := range rows {
		for j := i + 1; j < len(rows); j++ {
			if rows[i].Name == rows[j].Name && spans(rows[i].FromYear, rows[i].UntilYear, rows[j].FromYear, rows[j].UntilYear) {
				v.Add(fmt.Sprintf("shareholders[%d].name", j), "同一股东在重叠的年度内重复出现")
			}
		}
	}
	return rows, v.Err()
}

// spans reports whether two spans of years overlap (nil: open-ended).
func spans(fromA int, untilA *int, fromB int, untilB *int) bool {
	endA, endB := 9999, 9999
	if untilA != nil {
		endA = *untilA
	}
	if untilB != nil {
		endB = *untilB
	}
	return fromA <= endB && fromB <= endA
}

// checkShareTotal checks that in every year the shares of the member villages and
// of the other shareholders sum to at most 100%, naming the first year that does
// not, under field.
func checkShareTotal(field string, members []CompanyMember, others []CompanyShareholder) error {
	years := map[int]bool{}
	for _, m := range members {
		years[m.FromYear] = true
	}
	for _, s := range others {
		years[s.FromYear] = true
	}
	sorted := make([]int, 0, len(years))
	for y := range years {
		sorted = append(sorted, y)
	}
	sort.Ints(sorted)
	// The sum is highest in some holder's first year.
	for _, y := range sorted {
		var vil, oth int64
		for i := range members {
			if members[i].ActiveIn(y) {
				vil += members[i].ShareMicro
			}
		}
		for i := range others {
			if others[i].ActiveIn(y) {
				oth += others[i].ShareMicro
			}
		}
		if vil+oth > ShareWhole {
			msg := fmt.Sprintf("%d 年各村持股比例合计 %s，超过 100%%", y, FormatShare(vil))
			if oth > 0 {
				msg = fmt.Sprintf("%d 年全部股东持股比例合计 %s（股东村 %s，其他股东 %s），超过 100%%",
					y, FormatShare(vil+oth), FormatShare(vil), FormatShare(oth))
			}
			return Invalid(field, msg)
		}
	}
	return nil
}

// currentShareholders are a company's other shareholders in the list now.
func currentShareholders(db *gorm.DB, id uint) ([]CompanyShareholder, error) {
	out := []CompanyShareholder{}
	err := db.Where("company_id = ? AND removed_at IS NULL", id).Order("from_year, name, id").Find(&out).Error
	return out, err
}

// SetShareholders replaces a company's whole list of other shareholders (PUT
// semantics), guarded by the company's version, which it moves on. With the member
// villages' shares, all shares sum to at most 100% in every year.
func SetShareholders(db *gorm.DB, a *Actor, id uint, version int, in []ShareholderInput) ([]CompanyShareholder, error) {
	d, err := editableCompany(db, a, id)
	if err != nil {
		return nil, err
	}
	rows, err := checkShareholders(d.Company.FoundedOn, in)
	if err != nil {
		return nil, err
	}
	members := make([]CompanyMember, len(d.Members))
	for i := range d.Members {
		members[i] = d.Members[i].CompanyMember
	}
	if err := checkShareTotal("shareholders", members, rows); err != nil {
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
		at := now()
		if err := tx.Model(&CompanyShareholder{}).Where("company_id = ? AND removed_at IS NULL", id).
			Update("removed_at", at).Error; err != nil {
			return err
		}
		for i := range rows {
			rows[i].CompanyID, rows[i].AddedAt = id, at
		}
		if len(rows) > 0 {
			if err := tx.Create(&rows).Error; err != nil {
				return err
			}
		}
		return Audit(tx, a, "company.shareholders", "company", itoa(int(id)), companyScope(a), d.Shareholders, rows)
	})
	if err != nil {
		return nil, err
	}
	return rows, nil
}
