package seeds

import (
	"cunji/models"

	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"
)

// FixturePassword is the password of every fixture account.
const FixturePassword = "fixture-password-1"

// Fixture village codes: three in 海门街道 (one merged away after 2024), one in 白云街道.
const (
	FixA1 = "331002001201" // 甲村, 城郊融合
	FixA2 = "331002001202" // 乙村, 整治提升
	FixA3 = "331002001203" // 丙村, 整治提升, active until 2024
	FixB1 = "331002002201" // 丁村, 特色保护
)

// Fixture seeds the district structure and a small, fully known set of villages and
// accounts for tests: district "d"; officers "s1" (海门街道) and "s2" (白云街道);
// cadres "v1", "v2", "v3" of 海门's villages and "v4" of 丁村. It returns the users
// by username. Hashes use bcrypt's minimum cost to keep tests fast.
func Fixture(db *gorm.DB) (map[string]*models.User, error) {
	if err := Structure(db); err != nil {
		return nil, err
	}
	until := 2024
	villages := []models.Village{
		{Code: FixA1, Name: "甲村", StreetCode: "331002001", Type: "城郊融合", ActiveFrom: 2000},
		{Code: FixA2, Name: "乙村", StreetCode: "331002001", Type: "整治提升", ActiveFrom: 2000},
		{Code: FixA3, Name: "丙村", StreetCode: "331002001", Type: "整治提升", ActiveFrom: 2000, ActiveUntil: &until},
		{Code: FixB1, Name: "丁村", StreetCode: "331002002", Type: "特色保护", ActiveFrom: 2000},
	}
	for i := range villages {
		villages[i].DistrictCode = DistrictCode
	}
	if err := createVillages(db, villages); err != nil {
		return nil, err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(FixturePassword), bcrypt.MinCost)
	if err != nil {
		return nil, err
	}
	mk := func(username, role, street, village string) models.User {
		return models.User{Username: username, Name: username + "（测试）", Role: role, DistrictCode: DistrictCode,
			StreetCode: street, VillageCode: village, PasswordHash: string(hash), TokenVersion: 1}
	}
	users := []models.User{
		mk("d", models.RoleDistrict, "", ""),
		mk("s1", models.RoleStreet, "331002001", ""),
		mk("s2", models.RoleStreet, "331002002", ""),
		mk("v1", models.RoleVillage, "331002001", FixA1),
		mk("v2", models.RoleVillage, "331002001", FixA2),
		mk("v3", models.RoleVillage, "331002001", FixA3),
		mk("v4", models.RoleVillage, "331002002", FixB1),
	}
	if err := db.Create(&users).Error; err != nil {
		return nil, err
	}
	if err := models.RebuildCells(db); err != nil {
		return nil, err
	}
	out := map[string]*models.User{}
	for i := range users {
		out[users[i].Username] = &users[i]
	}
	return out, nil
}
