package models

import (
	"errors"
	"time"

	"gorm.io/gorm"
)

// SeedEpoch is the instant from which seeded master data and targets are in force:
// well before any report, so that every past instant sees them.
var SeedEpoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// RevisionOf is the master-data revision of v in force from at.
func RevisionOf(v *Village, at time.Time) VillageRevision {
	return VillageRevision{Code: v.Code, Name: v.Name, StreetCode: v.StreetCode, DistrictCode: v.DistrictCode,
		Type: v.Type, ActiveFrom: v.ActiveFrom, ActiveUntil: v.ActiveUntil, ValidFrom: at}
}

// recordRevision closes the village's revision in force and opens a new one, in
// the caller's transaction, and moves the village's contributions in the roll-up
// cells and the indicator cells from the old master data (the revision closed)
// to the new.
func recordRevision(tx *gorm.DB, v *Village, at time.Time) error {
	var prev VillageRevision
	var old *Village
	err := tx.Where("code = ? AND valid_to IS NULL", v.Code).Take(&prev).Error
	switch {
	case err == nil:
		old = &Village{Code: prev.Code, StreetCode: prev.StreetCode, DistrictCode: prev.DistrictCode, Type: prev.Type,
			ActiveFrom: prev.ActiveFrom, ActiveUntil: prev.ActiveUntil}
	case !errors.Is(err, gorm.ErrRecordNotFound):
		return err
	}
	if err := cellsForMasterChange(tx, old, v); err != nil {
		return err
	}
	if err := indicatorCellsForMasterChange(tx, old, v); err != nil {
		return err
	}
	if err := tx.Model(&VillageRevision{}).Where("code = ? AND valid_to IS NULL", v.Code).
		Update("valid_to", at).Error; err != nil {
		return err
	}
	r := RevisionOf(v, at)
	return tx.Create(&r).Error
}

// villagesAsOf is the villages' master data in force at t, as a table aliased
// "villages", so that the scoping and filters written for villages apply to it.
func villagesAsOf(db *gorm.DB, t time.Time) *gorm.DB {
	rev := db.Model(&VillageRevision{}).
		Select("code, name, street_code, district_code, type, active_from, active_until").
		Where("valid_from <= ? AND (valid_to IS NULL OR valid_to > ?)", t, t)
	return db.Table("(?) AS villages", rev)
}
