package models

import (
	"crypto/rand"
	"encoding/hex"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// settingJWTSecret names the generated JWT secret of a shared (PostgreSQL) database.
const settingJWTSecret = "jwt_secret"

// SharedSecret returns the deployment's JWT secret kept in the settings, generating
// it on first use. Two instances starting at once agree: the first insert wins and
// both read it back.
func SharedSecret(db *gorm.DB) ([]byte, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	if err := db.Clauses(clause.OnConflict{DoNothing: true}).
		Create(&Setting{Key: settingJWTSecret, Value: hex.EncodeToString(b)}).Error; err != nil {
		return nil, err
	}
	var s Setting
	if err := db.Where("key = ?", settingJWTSecret).Take(&s).Error; err != nil {
		return nil, err
	}
	return []byte(s.Value), nil
}
