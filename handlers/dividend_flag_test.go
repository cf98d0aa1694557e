package handlers

import (
	"fmt"
	"strings"
	"testing"

	"cunji/models"
	"cunji/seeds"
)

// The reviewer sees a flag, on the review page and in the queue, when the dividends a
// village received from 强村公司 in the year exceed the 投资收益 of the version under
// review; equal amounts are not flagged, and other years' dividends do not count.
func TestDividendFlagOnReviewAndQueue(t *testing.T) {
	en := newEnv(t)
	var companies []models.Company
	for i, code := range []string{"91331002MA0000011K", "91331002MA0000022K"} {
		c := models.Company{DistrictCode: seeds.DistrictCode, Name: fmt.Sprintf("强村公司%d", i), CreditCode: code,
			Model: "资产经营型", FoundedOn: "2022-01-01", Version: 1}
		if err := en.db.Create(&c).Error; err != nil {
			t.Fatal(err)
		}
		companies = append(companies, c)
	}
	const wan = int64(1_000_000)
	divs := []models.CompanyDividend{
		{CompanyID: companies[0].ID, Year: 2025, VillageCode: seeds.FixA1, DividendFen: 7 * wan},
		{CompanyID: companies[1].ID, Year: 2025, VillageCode: seeds.FixA1, DividendFen: 5 * wan},
		{CompanyID: companies[0].ID, Year: 2025, VillageCode: seeds.FixA2, DividendFen: 8 * wan},
		{CompanyID: companies[0].ID, Year: 2024, VillageCode: seeds.FixA2, DividendFen: 50 * wan},
	}
	if err := en.db.Create(&divs).Error; err != nil {
		t.Fatal(err)
	}
	invest := map[string]int64{seeds.FixA1: 8 * wan, seeds.FixA2: 8 * wan}
	for user, code := range map[string]string{"v1": seeds.FixA1, "v2": seeds.FixA2} {
		inv := invest[code]
		if _, err := models.SaveDraft(en.db, en.actor(user), code, 2025, models.ReportInput{InvestmentFen: &inv, Note: &setupNote}); err != nil {
			t.Fatal(err)
		}
		if _, err := models.Submit(en.db, en.actor(user), code, 2025, nil); err != nil {
			t.Fatal(err)
		}
	}
	// From the definition: the year's dividends summed per village, against 投资收益.
	want := map[string]string{}
	for code, inv := range invest {
		var sum int64
		for _, d := range divs {
			if d.VillageCode == code && d.Year == 2025 {
				sum += d.DividendFen
			}
		}
		if sum > inv {
			want[code] = fmt.Sprintf("强村公司分红 %.2f 万元，高于填报的投资收益 %.2f 万元", float64(sum)/1e6, float64(inv)/1e6)
		}
	}
	if want[seeds.FixA1] != "强村公司分红 12.00 万元，高于填报的投资收益 8.00 万元" || want[seeds.FixA2] != "" {
		t.Fatalf("the test's own expectation: %v", want)
	}
	s1 := en.token("s1")
	queue := en.page("GET", "/queue", s1, nil, false).Body.String()
	if !strings.Contains(queue, want[seeds.FixA1]) || strings.Count(queue, "强村公司分红") != 1 {
		t.Fatalf("queue: want exactly the flag %q", want[seeds.FixA1])
	}
	for code := range invest {
		body := en.page("GET", "/villages/"+code+"/reports/2025", s1, nil, false).Body.String()
		if w := want[code]; w != "" && !strings.Contains(body, w) {
			t.Errorf("%s review page lacks %q", code, w)
		} else if w == "" && strings.Contains(body, "强村公司分红") {
			t.Errorf("%s review page is flagged with equal amounts", code)
		}
	}
}
