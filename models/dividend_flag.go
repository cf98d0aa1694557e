package models

import "gorm.io/gorm"

// DividendsReceived sums, in one query, the 强村公司 dividends each of the given
// report versions' villages received in the version's year, keyed by reportKey.
func DividendsReceived(db *gorm.DB, versions []ReportVersion) (map[string]int64, error) {
	out := map[string]int64{}
	if len(versions) == 0 {
		return out, nil
	}
	codes, years := []string{}, []int{}
	seenC, seenY := map[string]bool{}, map[int]bool{}
	for _, v := range versions {
		if !seenC[v.VillageCode] {
			seenC[v.VillageCode] = true
			codes = append(codes, v.VillageCode)
		}
		if !seenY[v.Year] {
			seenY[v.Year] = true
			years = append(years, v.Year)
		}
	}
	var rows []struct {
		VillageCode string
		Year        int
		Total       int64
	}
	err := db.Model(&CompanyDividend{}).Select("village_code, year, SUM(dividend_fen) AS total").
		Where("village_code IN ? AND year IN ?", codes, years).
		Group("village_code, year").Scan(&rows).Error
	for _, r := range rows {
		out[reportKey(r.VillageCode, r.Year)] = r.Total
	}
	return out, err
}

// DividendFlag is the reviewer's flag when the dividends a village received from
// 强村公司 in a year exceed the 投资收益 it reports for that year (the 投资收益 is too
// low to contain them); "" otherwise, including when they are equal.
func DividendFlag(dividendFen, investmentFen int64) string {
	if dividendFen <= investmentFen {
		return ""
	}
	return "强村公司分红 " + FormatMoney(dividendFen) + "，高于填报的投资收益 " + FormatMoney(investmentFen)
}

// DividendFlagOf is DividendFlag for one report version, with its own query.
func DividendFlagOf(db *gorm.DB, v *ReportVersion) (string, error) {
	if v == nil {
		return "", nil
	}
	m, err := DividendsReceived(db, []ReportVersion{*v})
	if err != nil {
		return "", err
	}
	return DividendFlag(m[reportKey(v.VillageCode, v.Year)], v.InvestmentFen), nil
}
