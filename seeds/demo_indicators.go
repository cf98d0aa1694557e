package seeds

import (
	"math/rand/v2"
	"time"

	"cunji/models"

	"gorm.io/gorm"
)

// demoIndicators seeds the plan's indicators and invents values of a few of them for
// the demo villages (2024 and 2025 approved by the street, a few 2026 values waiting
// in the queue). The values are invented, as the roll-up page says. A random source
// of its own leaves the rest of the demo as it was.
func demoIndicators(tx *gorm.DB, villages []models.Village, users []models.User, streetUser map[string]*models.User, now time.Time) error {
	if _, err := SeedPlanIndicators(tx); err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(29, 2023))
	ids := map[string]uint{}
	var defs []models.Indicator
	if err := tx.Where("district_code = ?", DistrictCode).Find(&defs).Error; err != nil {
		return err
	}
	for _, d := range defs {
		ids[d.Code] = d.ID
	}
	// Each indicator's invented value of a village for a year.
	invent := map[string]func(year int) int64{
		"ecommerce_village":   func(int) int64 { return b2i(rng.IntN(100) < 12) },
		"beautiful_courtyard": func(int) int64 { return int64(rng.IntN(31)) },
		"public_jobs":         func(int) int64 { return int64(rng.IntN(3)) },
		"idle_homestead":      func(int) int64 { return int64(rng.IntN(11)) },
		"waste_sorting_full":  func(y int) int64 { return b2i(rng.IntN(100) < 88+5*(y-2024)) },
	}
	codes := []string{"ecommerce_village", "beautiful_courtyard", "public_jobs", "idle_homestead", "waste_sorting_full"}
	var rows []models.IndicatorValue
	for _, year := range []int{2024, 2025} {
		at := time.Date(year+1, 3, 15, 10, 0, 0, 0, models.Shanghai).UTC()
		if at.After(now) {
			continue
		}
		for i, v := range villages {
			if !v.ActiveIn(year) {
				continue
			}
			for _, code := range codes {
				r := models.IndicatorValue{IndicatorID: ids[code], VillageCode: v.Code, Year: year, Value: invent[code](year),
					Note: "演示数据（虚构）"}
				r.Seq, r.Version, r.CreatedByID = 1, 3, users[i].ID
				stamp(&r.Workflow, models.StatusApproved, at, &users[i], streetUser[v.StreetCode])
				rows = append(rows, r)
			}
		}
	}
	// A few of 海门街道's villages submitted 2026's 电商专业村: the street's queue.
	for i, v := range villages {
		if v.StreetCode != "331002001" || i%3 != 0 || !v.ActiveIn(2026) {
			continue
		}
		r := models.IndicatorValue{IndicatorID: ids["ecommerce_village"], VillageCode: v.Code, Year: 2026, Value: 1, Note: "演示数据（虚构）"}
		r.Seq, r.Version, r.CreatedByID = 1, 2, users[i].ID
		stamp(&r.Workflow, models.StatusSubmitted, now.Add(-2*time.Hour), &users[i], streetUser[v.StreetCode])
		rows = append(rows, r)
	}
	return tx.Omit("Village").CreateInBatches(rows, 500).Error
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
