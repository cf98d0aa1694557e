package seeds

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"cunji/models"

	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"
)

// DemoPassword is the password of every demo account.
const DemoPassword = "cunji-demo"

// villagesPerStreet spreads about 200 invented villages over the streets: few in the
// urban 海门街道, more in the rural streets, a handful of island villages in 大陈镇.
var villagesPerStreet = map[string]int{
	"331002001": 8, "331002002": 12, "331002003": 14, "331002004": 30, "331002005": 24,
	"331002006": 28, "331002007": 26, "331002008": 30, "331002009": 16, "331002101": 12,
}

var namePrefix = []string{"东", "西", "南", "北", "上", "下", "前", "后", "新", "大", "小", "黄", "白", "石", "岩",
	"沙", "洪", "高", "塘", "桥", "湖", "江", "海", "杨", "王", "陈", "林", "徐", "金", "洋", "山", "桐", "梅", "竹"}
var nameSuffix = []string{"岙", "浦", "头", "洋", "塘", "桥", "岭", "山", "湾", "里", "家", "港", "埭", "礁", "屿", "墩"}

// Demo adds invented villages (marked as demo data), four years of reports and the
// demo accounts. now fixes the timeline, so that the same now gives the same data.
func Demo(db *gorm.DB, now time.Time) error {
	rng := rand.New(rand.NewPCG(20231001, 20271231))
	hash, err := bcrypt.GenerateFromPassword([]byte(DemoPassword), bcrypt.DefaultCost)
	if err != nil {
		return err
	}
	return db.Transaction(func(tx *gorm.DB) error {
		district := models.User{Username: "district", Name: "椒江区农业农村局（演示）", Role: models.RoleDistrict,
			DistrictCode: DistrictCode, PasswordHash: string(hash), TokenVersion: 1, Demo: true}
		if err := tx.Create(&district).Error; err != nil {
			return err
		}
		var villages []models.Village
		streetUser := map[string]*models.User{}
		for _, s := range Streets {
			u := &models.User{Username: "street-" + s.Code, Name: s.Name + "审核员（演示）", Role: models.RoleStreet,
				DistrictCode: DistrictCode, StreetCode: s.Code, PasswordHash: string(hash), TokenVersion: 1, Demo: true}
			if err := tx.Create(u).Error; err != nil {
				return err
			}
			streetUser[s.Code] = u
			used := map[string]bool{}
			for i := 0; i < villagesPerStreet[s.Code]; i++ {
				name := ""
				for name == "" || used[name] {
					name = namePrefix[rng.IntN(len(namePrefix))] + nameSuffix[rng.IntN(len(nameSuffix))] + "村"
				}
				used[name] = true
				villages = append(villages, models.Village{
					Code: fmt.Sprintf("%s%03d", s.Code, 201+i), Name: name, StreetCode: s.Code, DistrictCode: DistrictCode,
					Type: demoType(rng, s.Code), ActiveFrom: 2000, Demo: true,
				})
			}
		}
		// One village merged away after 2024 (撤并), to show a deactivated village.
		until := 2024
		villages[len(villages)/2].ActiveUntil = &until
		villages[len(villages)/2].Type = "搬迁撤并"
		if err := createVillages(tx, villages); err != nil {
			return err
		}
		users := make([]models.User, len(villages))
		for i, v := range villages {
			users[i] = models.User{Username: "village-" + v.Code, Name: v.Name + "村干部（演示）", Role: models.RoleVillage,
				DistrictCode: DistrictCode, StreetCode: v.StreetCode, VillageCode: v.Code,
				PasswordHash: string(hash), TokenVersion: 1, Demo: true}
		}
		if err := tx.CreateInBatches(users, 100).Error; err != nil {
			return err
		}
		titles, revocations, held := demoTitles(rng, villages)
		if err := tx.CreateInBatches(titles, 200).Error; err != nil {
			return err
		}
		for i, r := range revocations {
			r.RevokesID = &titles[i].ID
			if err := tx.Create(&r).Error; err != nil {
				return err
			}
		}
		var versions []models.ReportVersion
		for i, v := range villages {
			versions = append(versions, demoReports(rng, &v, &users[i], streetUser[v.StreetCode], now, held[v.Code])...)
		}
		if err := tx.Omit("Village").CreateInBatches(versions, 200).Error; err != nil {
			return err
		}
		if err := demoRegistries(tx, rng, villages, users, streetUser, now); err != nil {
			return err
		}
		if err := demoIndicators(tx, villages, users, streetUser, now); err != nil {
			return err
		}
		if err := tx.Create(demoWindows(now)).Error; err != nil {
			return err
		}
		if err := tx.Create(demoTargets()).Error; err != nil {
			return err
		}
		if err := models.RebuildCurrent(tx); err != nil {
			return err
		}
		if err := models.RebuildCells(tx); err != nil {
			return err
		}
		if err := models.RebuildIndicatorCells(tx); err != nil {
			return err
		}
		return models.Audit(tx, nil, "seed.demo", "district", DistrictCode, models.AuditScope{District: DistrictCode}, nil,
			map[string]any{"villages": len(villages), "versions": len(versions), "note": "演示数据：村名与数字均为虚构"})
	})
}

func demoType(rng *rand.Rand, street string) string {
	switch {
	case street == "331002101":
		return []string{"特色保护", "整治提升", "搬迁撤并"}[rng.IntN(3)]
	case street <= "331002003":
		return []string{"城郊融合", "城郊融合", "集聚建设", "整治提升"}[rng.IntN(4)]
	}
	return []string{"集聚建设", "整治提升", "整治提升", "特色保护", "城郊融合"}[rng.IntN(5)]
}

// demoReports invents one village's versions: approved 2023–2025 (with the odd
// correction), and for 2026 a draft, a submission, a rejection or nothing yet.
func demoReports(rng *rand.Rand, v *models.Village, cadre, officer *models.User, now time.Time, held map[int]models.Held) []models.ReportVersion {
	// 经营性收入 2023 is log-normal around 50万 (about 60% above), larger near town.
	mult := 1.0
	if v.Type == "城郊融合" {
		mult = 2.2
	}
	oper := 500_000 * mult * math.Exp(0.05+1.0*rng.NormFloat64()) // 元
	assets := (20_000_000 + rng.Float64()*60_000_000) * mult      // 元
	var out []models.ReportVersion
	seq := 0
	lastYear := 2026
	if v.ActiveUntil != nil {
		lastYear = *v.ActiveUntil
	}
	for year := 2023; year <= lastYear; year++ {
		if year > 2023 {
			oper *= 1.04 + 0.12*rng.Float64()
			assets *= 1.03 + 0.06*rng.Float64()
		}
		// The report shows the titles held at the end of the year (the register's).
		r := demoVersion(rng, v.Code, year, oper, assets, held[year].Star, held[year].Hemei)
		r.CreatedByID = cadre.ID
		// Year Y is reported early in Y+1; 2026 is being reported now.
		filed := time.Date(year+1, time.Month(1+rng.IntN(3)), 1+rng.IntN(28), 9+rng.IntN(8), rng.IntN(60), 0, 0, time.UTC)
		if year == 2026 {
			filed = now.Add(-time.Duration(1+rng.IntN(20*24)) * time.Hour)
		}
		status := models.StatusApproved
		if year == 2026 {
			switch p := rng.Float64(); {
			case p < 0.3:
				status = models.StatusDraft
			case p < 0.55:
				status = models.StatusSubmitted
			case p < 0.65:
				status = models.StatusRejected
			default:
				continue
			}
		}
		seq++
		r.Seq, r.Version = seq, seq*3
		stamp(&r.Workflow, status, filed, cadre, officer)
		r.CreatedAt, r.UpdatedAt = filed.Add(-48*time.Hour), filed
		out = append(out, r)
		// About one village-year in twelve gets an approved correction weeks later.
		if status == models.StatusApproved && rng.Float64() < 0.08 {
			c := r
			c.BusinessFen += int64(rng.IntN(80_000)) * 100
			c.Note = "更正：补录漏报的经营收入"
			c.Derive()
			seq++
			c.Seq, c.Version = seq, seq*3
			fixed := filed.Add(time.Duration(14+rng.IntN(30)) * 24 * time.Hour)
			stamp(&c.Workflow, models.StatusApproved, fixed, cadre, officer)
			c.CreatedAt, c.UpdatedAt = fixed.Add(-48*time.Hour), fixed
			out = append(out, c)
		}
	}
	return out
}

func demoVersion(rng *rand.Rand, code string, year int, oper, assets float64, star int, hemei bool) models.ReportVersion {
	fen := func(yuan float64) int64 { return int64(math.Round(yuan)) * 100 }
	contract := oper * (0.3 + 0.2*rng.Float64())
	invest := oper * (0.1*rng.Float64() - 0.02)
	r := models.ReportVersion{
		VillageCode: code, Year: year, StarRating: star, HemeiBuilt: hemei,
		ContractFen: fen(contract), InvestmentFen: fen(invest), BusinessFen: fen(oper - contract - invest),
		SubsidyFen: fen(100_000 + 300_000*rng.Float64()), OtherFen: fen(80_000 * rng.Float64()),
		AssetsFen: fen(assets),
	}
	if r.BusinessFen < 0 {
		r.BusinessFen = 0
	}
	r.Derive()
	return r
}

// stamp sets the workflow fields of a demo version filed at t.
func stamp(r *models.Workflow, status string, t time.Time, cadre, officer *models.User) {
	r.Status = status
	if status == models.StatusDraft {
		return
	}
	sub := t.Add(-24 * time.Hour)
	r.SubmittedAt, r.SubmittedBy = &sub, cadre.Name
	if status == models.StatusSubmitted {
		return
	}
	rev := t
	r.ReviewedAt, r.ReviewerID, r.Reviewer = &rev, &officer.ID, officer.Name
	if status == models.StatusRejected {
		r.RejectReason = "经营收入与农经报表不一致，请核实后重新提交"
	}
}

// demoWindows are the reporting windows of the demo: year Y is reported from 1
// January to 30 April of Y+1, so 2023–2025 are closed; 2026's window is open now
// (the year in progress).
func demoWindows(now time.Time) []models.ReportingWindow {
	var ws []models.ReportingWindow
	for y := 2023; y <= 2025; y++ {
		ws = append(ws, models.ReportingWindow{DistrictCode: DistrictCode, Year: y,
			Opens:  time.Date(y+1, 1, 1, 0, 0, 0, 0, models.Shanghai).UTC(),
			Closes: time.Date(y+1, 4, 30, 17, 0, 0, 0, models.Shanghai).UTC()})
	}
	return append(ws, models.ReportingWindow{DistrictCode: DistrictCode, Year: 2026,
		Opens: now.Add(-30 * 24 * time.Hour).UTC(), Closes: now.Add(60 * 24 * time.Hour).UTC()})
}

// demoTargets are the yearly targets the demo district assigned (分解下达) at the
// start of each year on the way to the plan's 2027 lines, with a lower line for the
// island town 大陈镇 and a higher one for urban 海门街道.
func demoTargets() []models.Target {
	var ts []models.Target
	add := func(scope, ind string, year int, v int64, note string) {
		ts = append(ts, models.Target{ScopeCode: scope, Indicator: ind, Year: year, Value: v, Note: note,
			RecordedAt: time.Date(year, 2, 20, 10, 0, 0, 0, models.Shanghai).UTC()})
	}
	for year, bp := range map[int]int64{2024: 5800, 2025: 6300, 2026: 7000} {
		add(DistrictCode, models.IndIncome50w, year, bp, "区下达年度目标（演示）")
		add("331002101", models.IndIncome50w, year, bp-1500, "海岛镇，目标适当下调（演示）")
		add("331002001", models.IndIncome50w, year, bp+2000, "城区街道，目标适当上调（演示）")
	}
	for year, bp := range map[int]int64{2024: 3000, 2025: 4500, 2026: 6000} {
		add(DistrictCode, models.IndStar, year, bp, "区下达年度目标（演示）")
	}
	return ts
}
