package seeds

import (
	"fmt"

	"cunji/models"

	"gorm.io/gorm"
)

// PlanIndicator is one village-level (or village-rolled-up) indicator of the plan
// (椒政办发〔2023〕29号) and the targets the plan states for the district.
type PlanIndicator struct {
	Code, Name, Kind, Unit, EnteredBy, Rollup string
	// Wording is the plan's words.
	Wording string
	// Targets are year → value in the indicator's target unit (a count of villages,
	// a sum, or basis points for a share).
	Targets map[int]int64
}

// everyYear is a target repeated for each year of the plan (the plan's "每年").
func everyYear(v int64) map[int]int64 {
	out := map[int]int64{}
	for y := models.FirstYear; y <= models.PlanFinalYear; y++ {
		out[y] = v
	}
	return out
}

// PlanIndicators are the plan's village-level indicators beyond the card's five. A
// target the plan gives per year (每年) is set for each year 2023–2027, a total by a
// year for that year, one without a year for the plan's last year (2027); those the
// plan names without a figure have none (未下达目标).
func PlanIndicators() []PlanIndicator {
	final := func(v int64) map[int]int64 { return map[int]int64{models.PlanFinalYear: v} }
	const (
		yes, count, title           = models.KindYesNo, models.KindCount, models.KindTitle
		byVillage, byDistrict       = models.EnteredByVillage, models.EnteredByDistrict
		countYes, sum, share        = models.RollupCountYes, models.RollupSum, models.RollupShare
		full                  int64 = 10000
	)
	return []PlanIndicator{
		{"ecommerce_village", "电商专业村", yes, "个", byVillage, countYes, "培育电商专业村 23 个", final(23)},
		{"electrified_village", "新时代乡村电气化村", yes, "个", byVillage, countYes, "建成新时代乡村电气化村 18 个", final(18)},
		{"beautiful_courtyard", "美丽庭院", count, "户", byVillage, sum, "每年创建美丽庭院 2500 户", everyYear(2500)},
		{"boutique_village", "省级特色精品村", title, "个", byDistrict, countYes, "每年创建省级特色精品村 3 个", everyYear(3)},
		{"future_village", "示范村/未来乡村", title, "个", byDistrict, countYes, "每年创建省级示范村（未来乡村）2 个", everyYear(2)},
		{"waste_sorting_model", "省级农村生活垃圾分类示范村", title, "个", byDistrict, countYes, "每年创建省级高标准农村生活垃圾分类示范村 4 个", everyYear(4)},
		{"waste_sorting_full", "农村生活垃圾分类全覆盖", yes, "", byVillage, share, "农村生活垃圾分类处理行政村全覆盖", final(full)},
		{"star_toilet", "省级星级公厕", count, "座", byVillage, sum, "创建省级星级农村公厕 25 座", final(25)},
		{"golden_3a_village", "金3A级景区村庄", title, "个", byDistrict, countYes, "创建金3A级景区村庄 1 个", final(1)},
		{"historic_village", "历史文化村落", yes, "个", byVillage, countYes, "保护利用历史文化（传统）村落", nil},
		{"rural_museum", "乡村博物馆", yes, "个", byVillage, countYes, "建设乡村博物馆", nil},
		{"enclave_project", "飞地抱团项目", count, "个", byVillage, sum, "谋划实施飞地抱团项目 1 个", final(1)},
		{"public_jobs", "乡村公益性岗位", count, "个", byVillage, sum, "开发乡村公益性岗位 167 个", final(167)},
		{"idle_homestead", "盘活闲置宅基地和闲置农房", count, "宗", byVillage, sum, "每年盘活闲置宅基地和闲置农房 900 宗", everyYear(900)},
		{"village_maker", "一村一农创客", yes, "", byVillage, share, "一村一农创客全覆盖", final(full)},
		{"rural_makers", "农创客", count, "人", byVillage, sum, "到 2025 年培育农创客 500 名", map[int]int64{2025: 500}},
		{"farmer_training", "培训农民", count, "人次", byVillage, sum, "开展农民培训", nil},
		{"digital_life_hall", "数智生活馆", yes, "个", byVillage, countYes, "建设数智生活馆", nil},
		{"common_wealth_station", "共富驿站", yes, "个", byVillage, countYes, "建设共富驿站", nil},
	}
}

// SeedPlanIndicators adds the plan's indicators to the district's catalogue, marked
// as the plan's, without values, with their targets for the district, in force from
// SeedEpoch. It is idempotent and never overrides the district: an indicator the
// district already has (by code) is left as it is, with its targets (none is added
// beside it), and no target already recorded for a new one is replaced. It reports
// how many indicators it added.
func SeedPlanIndicators(db *gorm.DB) (int, error) {
	added := 0
	err := db.Transaction(func(tx *gorm.DB) error {
		var have []string
		if err := tx.Model(&models.Indicator{}).Where("district_code = ?", DistrictCode).Pluck("code", &have).Error; err != nil {
			return err
		}
		known := map[string]bool{}
		for _, c := range have {
			known[c] = true
		}
		until := models.PlanFinalYear
		for _, p := range PlanIndicators() {
			if !known[p.Code] {
				d := models.Indicator{DistrictCode: DistrictCode, Code: p.Code, Name: p.Name, Kind: p.Kind, Unit: p.Unit,
					EnteredBy: p.EnteredBy, FromYear: models.FirstYear, UntilYear: &until, Rollup: p.Rollup, Plan: true,
					Wording: p.Wording + "（椒政办发〔2023〕29号）", Version: 1}
				if err := d.Validate(); err != nil {
					return fmt.Errorf("plan indicator %s: %w", p.Code, err)
				}
				if err := tx.Create(&d).Error; err != nil {
					return err
				}
				r := models.IndicatorRevision{IndicatorID: d.ID, Name: d.Name, Kind: d.Kind, Unit: d.Unit, EnteredBy: d.EnteredBy,
					FromYear: d.FromYear, UntilYear: d.UntilYear, Rollup: d.Rollup, Plan: true, Wording: d.Wording, Version: 1,
					ValidFrom: models.SeedEpoch, RecordedBy: "实施方案"}
				if err := tx.Create(&r).Error; err != nil {
					return err
				}
				added++
			} else {
				// The district's own definition of the code: its targets are its own.
				continue
			}
			for year, v := range p.Targets {
				var n int64
				if err := tx.Model(&models.Target{}).Where("scope_code = ? AND indicator = ? AND year = ?", DistrictCode, p.Code, year).
					Count(&n).Error; err != nil {
					return err
				}
				if n > 0 {
					continue
				}
				t := models.Target{ScopeCode: DistrictCode, Indicator: p.Code, Year: year, Value: v, Note: p.Wording, RecordedAt: models.SeedEpoch}
				if err := tx.Create(&t).Error; err != nil {
					return err
				}
			}
		}
		if added == 0 {
			return nil
		}
		return models.Audit(tx, nil, "seed.indicators", "district", DistrictCode, models.AuditScope{District: DistrictCode}, nil,
			map[string]any{"indicators": added})
	})
	return added, err
}

// AddPlanIndicators gives a database in service that holds the district (椒江区)
// the plan's indicators it lacks, as SeedPlanIndicators does for a new one: a
// database made before the catalogue was seeded, upgraded to this version, gets
// them at its next start (under the start-up lock), marked as the plan's and
// without values; indicators and targets the district has are left as they are,
// and once they are there a start adds nothing. A database without the district
// (another district's, synthetic data) gets none.
func AddPlanIndicators(db *gorm.DB) (int, error) {
	var n int64
	if err := db.Model(&models.District{}).Where("code = ?", DistrictCode).Count(&n).Error; err != nil || n == 0 {
		return 0, err
	}
	return SeedPlanIndicators(db)
}
