// Package seeds fills an empty database: the district structure of 椒江区 and the
// plan's targets always, and invented demo villages, reports and accounts on request.
package seeds

import (
	"fmt"

	"cunji/models"

	"gorm.io/gorm"
)

// DistrictCode is 椒江区's 6-digit code, the default seed.
const DistrictCode = "331002"

// Streets are 椒江区's streets and town (统计用区划代码, 2022 edition).
var Streets = []models.Street{
	{Code: "331002001", Name: "海门街道"},
	{Code: "331002002", Name: "白云街道"},
	{Code: "331002003", Name: "葭沚街道"},
	{Code: "331002004", Name: "洪家街道"},
	{Code: "331002005", Name: "三甲街道"},
	{Code: "331002006", Name: "下陈街道"},
	{Code: "331002007", Name: "前所街道"},
	{Code: "331002008", Name: "章安街道"},
	{Code: "331002009", Name: "海虹街道"},
	{Code: "331002101", Name: "大陈镇"},
}

// Targets are the plan's targets (docs/domain.md, "Targets") for the district.
func Targets() []models.Target {
	const yi = 100_000_000 * 100 // 1 亿元 in 分
	t := []models.Target{
		{Indicator: models.IndIncome50w, Year: 2027, Value: 8500, Note: "经营性收入 50 万元以上村占比达 85% 以上"},
		{Indicator: models.IndCollectiveIncome, Year: 2027, Value: 13 * yi, Note: "村级集体经济总收入超 13 亿元"},
		{Indicator: models.IndAssets, Year: 2027, Value: 150 * yi, Note: "村集体资产超 150 亿元"},
		{Indicator: models.IndHemei, Year: 2027, Value: 10000, Note: "和美乡村建成率 100%"},
		{Indicator: models.IndStar, Year: 2027, Value: 10000, Note: "星级美丽乡村全覆盖；2023 年新增 32 个（一星 26 个、三星 6 个）"},
		{Indicator: models.IndWorkshops, Year: 2024, Value: 100, Note: "累计建成共富工坊 100 家以上"},
		{Indicator: models.IndWorkshopEmployed, Year: 2024, Value: 2300, Note: "带动就业 2300 人以上"},
		{Indicator: models.IndStarNew, Year: 2023, Value: 32, Note: "2023 年新增星级美丽乡村 32 个"},
		{Indicator: models.IndStarNew1, Year: 2023, Value: 26, Note: "其中一星级 26 个"},
		{Indicator: models.IndStarNew3, Year: 2023, Value: 6, Note: "其中三星级 6 个"},
	}
	for y := models.FirstYear; y <= models.PlanFinalYear; y++ {
		t = append(t, models.Target{Indicator: models.IndCompanies, Year: y, Value: 5, Note: "强村公司稳定在 5 家以上"})
	}
	for i := range t {
		t[i].ScopeCode = DistrictCode
		t[i].RecordedAt = models.SeedEpoch
	}
	return t
}

// IsEmpty reports whether the database has no district yet.
func IsEmpty(db *gorm.DB) (bool, error) {
	var n int64
	err := db.Model(&models.District{}).Count(&n).Error
	return n == 0, err
}

// Structure seeds 椒江区, its streets and the plan's targets, in one transaction.
func Structure(db *gorm.DB) error {
	return db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&models.District{Code: DistrictCode, Name: "椒江区"}).Error; err != nil {
			return fmt.Errorf("seed district: %w", err)
		}
		streets := make([]models.Street, len(Streets))
		copy(streets, Streets)
		for i := range streets {
			streets[i].DistrictCode = DistrictCode
		}
		if err := tx.Omit("District").Create(&streets).Error; err != nil {
			return fmt.Errorf("seed streets: %w", err)
		}
		targets := Targets()
		if err := tx.Create(&targets).Error; err != nil {
			return fmt.Errorf("seed targets: %w", err)
		}
		return models.Audit(tx, nil, "seed.structure", "district", DistrictCode,
			models.AuditScope{District: DistrictCode}, nil, map[string]any{"streets": len(streets), "targets": len(targets)})
	})
}

// createVillages inserts villages with their first master-data revision, in force
// from SeedEpoch.
func createVillages(tx *gorm.DB, villages []models.Village) error {
	if err := tx.Omit("Street").CreateInBatches(villages, 200).Error; err != nil {
		return err
	}
	revs := make([]models.VillageRevision, len(villages))
	for i := range villages {
		revs[i] = models.RevisionOf(&villages[i], models.SeedEpoch)
	}
	return tx.CreateInBatches(revs, 200).Error
}
