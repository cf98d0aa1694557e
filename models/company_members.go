package models

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"
)

// MemberInput is one member of a company's member list.
type MemberInput struct {
	VillageCode string
	ShareMicro  int64
	FromYear    int
	UntilYear   *int
}

// checkMembers validates a whole member list: villages the actor may name, sane
// years (never before the company's founding year, founded being its YYYY-MM-DD)
// and shares, no village twice over overlapping years, and in every year the shares
// summing, with the other shareholders' (others), to at most 100%.
func checkMembers(db *gorm.DB, a *Actor, founded string, in []MemberInput, others []CompanyShareholder) ([]CompanyMember, error) {
	foundedYear := foundedYear(founded)
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
		} else if m.FromYear < foundedYear {
			v.Add(key+".years", fmt.Sprintf("入股年度不能早于公司成立年度（%d 年）", foundedYear))
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
	if err := v.Err(); err != nil {
		return rows, err
	}
	return rows, checkShareTotal("members", rows, others)
}

func spansOverlap(a, b *CompanyMember) bool {
	return spans(a.FromYear, a.UntilYear, b.FromYear, b.UntilYear)
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
	if len(rows) > 0 {
		if err := tx.Create(&rows).Error; err != nil {
			return err
		}
	}
	return registersForCompany(tx, companyID)
}

// SetMembers replaces a company's whole member list (PUT semantics), guarded by the
// company's version, which it moves on.
func SetMembers(db *gorm.DB, a *Actor, id uint, version int, members []MemberInput) ([]CompanyMember, error) {
	d, err := editableCompany(db, a, id)
	if err != nil {
		return nil, err
	}
	rows, err := checkMembers(db, a, d.Company.FoundedOn, members, d.Shareholders)
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
	if err := CheckYear(db, year); err != nil {
		var ve *ValidationError
		if !errors.As(err, &ve) {
			return nil, err
		}
		v.Add("year", ve.Fields["year"])
	}
	if revenue < 0 || revenue > MaxAmountFen {
		v.Add("revenue_fen", "营业收入须在 0 至 1 万亿元之间")
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
			v.Add(key+".dividend_fen", "分红须在 0 至 1 万亿元之间")
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
