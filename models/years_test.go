package models_test

import (
	"testing"

	"cunji/models"
)

// TestLastYearErrors: the last reporting year is the plan's final year until the
// district opens later ones; a stored value that is not a year is an error, not a
// silent fallback, and so is a failed read.
func TestLastYearErrors(t *testing.T) {
	db := models.OpenTest(t)
	if y, err := models.LastYear(db); err != nil || y != models.PlanFinalYear {
		t.Fatalf("no setting: %d %v", y, err)
	}
	if err := db.Save(&models.Setting{Key: "last_open_year", Value: "2029"}).Error; err != nil {
		t.Fatal(err)
	}
	if ys, err := models.Years(db); err != nil || ys[len(ys)-1] != 2029 {
		t.Fatalf("opened to 2029: %v %v", ys, err)
	}
	if err := db.Save(&models.Setting{Key: "last_open_year", Value: "二〇二九"}).Error; err != nil {
		t.Fatal(err)
	}
	if y, err := models.LastYear(db); err == nil {
		t.Fatalf("a stored value that is not a year gave %d", y)
	}
	if _, err := models.Years(db); err == nil {
		t.Fatal("Years hid the error")
	}
	if err := models.CheckYear(db, 2025); err == nil {
		t.Fatal("CheckYear hid the error")
	}
	if err := db.Migrator().DropTable(&models.Setting{}); err != nil {
		t.Fatal(err)
	}
	if _, err := models.LastYear(db); err == nil {
		t.Fatal("a failed read gave a year")
	}
}
