package seeds

import (
	"fmt"
	"math/rand/v2"
	"time"

	"cunji/models"

	"gorm.io/gorm"
)

// demoCreditCode invents a 统一社会信用代码 with a valid check character.
func demoCreditCode(rng *rand.Rand) string {
	const chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	b := []byte("91331002")
	for len(b) < 17 {
		b = append(b, chars[rng.IntN(len(chars))])
	}
	c, _ := models.CreditCheckChar(string(b))
	return string(append(b, c))
}

var workshopNames = []string{"竹编", "草编", "服装加工", "电子组装", "手工串珠", "农产品直播", "渔网编织", "文旅民宿", "水果分拣", "箱包缝制", "绣花", "塑料件修边"}

// demoRegistries adds invented 强村公司 (some spanning streets) and about 60 共富工坊
// with their approvals.
func demoRegistries(tx *gorm.DB, rng *rand.Rand, villages []models.Village, cadres []models.User, officers map[string]*models.User, now time.Time) error {
	byStreet := map[string][]int{}
	for i, v := range villages {
		byStreet[v.StreetCode] = append(byStreet[v.StreetCode], i)
	}
	founded := time.Date(2022, 6, 1, 0, 0, 0, 0, time.UTC)
	// Six companies: four within one street, two 飞地抱团 across streets.
	plans := []struct {
		name    string
		model   string
		streets []string
		n       int
	}{
		{"洪家强村发展有限公司", "资产经营型", []string{"331002004"}, 6},
		{"下陈共富物业服务有限公司", "社会服务型", []string{"331002006"}, 5},
		{"章安农产品订单农业有限公司", "订单生产型", []string{"331002008"}, 4},
		{"前所村建工程有限公司", "工程承揽型", []string{"331002007"}, 5},
		{"椒江飞地抱团投资有限公司", "资产经营型", []string{"331002005", "331002009", "331002101"}, 9},
		{"三甲海虹联合强村有限公司", "社会服务型", []string{"331002005", "331002009"}, 6},
	}
	// The least 投资收益 each village reported for a year: a dividend fits inside it.
	var invRows []struct {
		VillageCode string
		Year        int
		Least       int64
	}
	if err := tx.Model(&models.ReportVersion{}).Select("village_code, year, MIN(investment_fen) AS least").
		Group("village_code, year").Scan(&invRows).Error; err != nil {
		return err
	}
	leastInvest, paid := map[string]int64{}, map[string]int64{}
	for _, r := range invRows {
		leastInvest[fmt.Sprintf("%s/%d", r.VillageCode, r.Year)] = r.Least
	}
	for pi, p := range plans {
		c := models.Company{DistrictCode: DistrictCode, Name: "椒江区" + p.name + "（演示）", CreditCode: demoCreditCode(rng),
			Model: p.model, FoundedOn: founded.Format("2006-01-02"), RegisteredCapitalFen: int64(500+rng.IntN(4500)) * 1_000_000,
			Version: 1, CreatedAt: models.SeedEpoch, UpdatedAt: models.SeedEpoch}
		founded = founded.AddDate(0, 2, 0)
		if err := tx.Create(&c).Error; err != nil {
			return err
		}
		var members []models.CompanyMember
		share := models.ShareWhole / int64(p.n)
		for k := 0; k < p.n; k++ {
			list := byStreet[p.streets[k%len(p.streets)]]
			v := villages[list[(k/len(p.streets))%len(list)]]
			members = append(members, models.CompanyMember{CompanyID: c.ID, VillageCode: v.Code, ShareMicro: share,
				FromYear: 2023, AddedAt: models.SeedEpoch})
		}
		if err := tx.Create(&members).Error; err != nil {
			return err
		}
		for y := 2023; y <= 2025; y++ {
			revenue := int64(200+rng.IntN(800)) * 1_000_000
			profit := revenue * int64(10+rng.IntN(20)) / 100
			if err := tx.Create(&models.CompanyYear{CompanyID: c.ID, Year: y, RevenueFen: revenue, ProfitFen: profit}).Error; err != nil {
				return err
			}
			per := profit * 6 / 10 / int64(len(members))
			for k, m := range members {
				// A village's dividend is booked in its 投资收益, so it fits inside what
				// it reported (at most 90% of it; none when that is not positive) —
				// except two deliberate cases for the reviewer's flag: 12 万元 more
				// than reported.
				// A village in two companies shares that room between them.
				div, key := per, fmt.Sprintf("%s/%d", m.VillageCode, y)
				inv, reported := leastInvest[key]
				switch {
				case k == 0 && ((pi == 0 && y == 2025) || (pi == 4 && y == 2024)):
					div = max(inv, 0) + 12_000_000
				case !reported:
				case div > inv*9/10-paid[key]:
					div = inv*9/10 - paid[key]
				}
				if div <= 0 {
					continue
				}
				paid[key] += div
				if err := tx.Create(&models.CompanyDividend{CompanyID: c.ID, Year: y, VillageCode: m.VillageCode, DividendFen: div}).Error; err != nil {
					return err
				}
			}
		}
	}
	// About 60 workshops, registered and approved over 2023–2026; a few changes wait
	// for review now.
	for k := 0; k < 60; k++ {
		i := rng.IntN(len(villages))
		v := villages[i]
		if v.ActiveUntil != nil {
			continue
		}
		code := v.Code
		w := models.Workshop{VillageCode: &code, Site: models.WorkshopSites[0], CreatedAt: now}
		if rng.IntN(3) == 0 {
			w.StarLevel, w.StarEvaluatedOn, w.StarSetBy = 1+rng.IntN(5), "2025-12-15", "椒江区农业农村局（演示）"
		}
		if err := tx.Omit("Village", "Street").Create(&w).Error; err != nil {
			return err
		}
		if w.StarEvaluatedOn != "" {
			star := models.WorkshopStar{WorkshopID: w.ID, Level: w.StarLevel, EvaluatedOn: w.StarEvaluatedOn,
				RecordedAt: time.Date(2025, 12, 16, 9, 0, 0, 0, time.UTC), RecordedBy: w.StarSetBy}
			if err := tx.Create(&star).Error; err != nil {
				return err
			}
		}
		approvedAt := time.Date(2023+rng.IntN(3), time.Month(1+rng.IntN(12)), 1+rng.IntN(28), 10, 0, 0, 0, time.UTC)
		employed := 10 + rng.IntN(70)
		state := "运营"
		if rng.IntN(10) == 0 {
			state = []string{"筹建", "停运"}[rng.IntN(2)]
		}
		ver := models.WorkshopVersion{WorkshopID: w.ID, VillageCode: v.Code,
			Name: fmt.Sprintf("%s%s共富工坊", v.Name, workshopNames[rng.IntN(len(workshopNames))]),
			Type: models.WorkshopTypes[rng.IntN(len(models.WorkshopTypes))], Partner: "台州某某实业有限公司（演示）",
			Owner: "某某", State: state, Employed: employed, LowIncomeEmployed: employed * rng.IntN(30) / 100,
			AvgIncomeIncreaseFen: int64(800+rng.IntN(1500)) * 100}
		// Built before it was registered (some long before: a workshop of 2022
		// entered in 2024 counts from 2022); a stopped one closed before approval.
		if state != "筹建" {
			founded := time.Date(approvedAt.Year(), approvedAt.Month(), approvedAt.Day(), 0, 0, 0, 0, models.Shanghai).
				AddDate(0, 0, -rng.IntN(500)).UTC()
			ver.FoundedOn = &founded
			if state == "停运" {
				closed := founded.AddDate(0, 0, (int(approvedAt.Sub(founded).Hours())/24)/2).UTC()
				ver.ClosedOn = &closed
			}
		}
		ver.Workflow = models.Workflow{Seq: 1, Version: 3, CreatedByID: cadres[i].ID}
		stamp(&ver.Workflow, models.StatusApproved, approvedAt, &cadres[i], officers[v.StreetCode])
		ver.CreatedAt, ver.UpdatedAt = approvedAt, approvedAt
		if err := tx.Create(&ver).Error; err != nil {
			return err
		}
		if k%12 == 0 {
			change := ver
			change.ID, change.Employed = 0, employed+5+rng.IntN(20)
			change.Workflow = models.Workflow{Seq: 2, Version: 4, CreatedByID: cadres[i].ID}
			stamp(&change.Workflow, models.StatusSubmitted, now.Add(-time.Duration(1+rng.IntN(200))*time.Hour), &cadres[i], officers[v.StreetCode])
			if err := tx.Create(&change).Error; err != nil {
				return err
			}
		}
	}
	return nil
}
