package models_test

import (
	"errors"
	"reflect"
	"testing"

	"cunji/models"
	"cunji/seeds"
)

// TestSessionUser: the account SessionUser reads equals the one GORM loads
// (UserByID), field for field, for every fixture account and for one whose
// nullable columns are NULL; with the data revision of that instant; an unknown
// id is not found.
func TestSessionUser(t *testing.T) {
	db := models.OpenTest(t)
	users, err := seeds.Fixture(db)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Exec(`INSERT INTO users (username, name, role, district_code, password_hash, token_version, disabled, demo, must_change_password, phone)
		VALUES ('bare', '裸', 'street', ?, 'x', 3, ?, ?, ?, '')`, seeds.DistrictCode, true, true, true).Error; err != nil {
		t.Fatal(err)
	}
	var bare models.User
	if err := db.Where("username = ?", "bare").Take(&bare).Error; err != nil {
		t.Fatal(err)
	}
	ids := []uint{bare.ID}
	for _, u := range users {
		ids = append(ids, u.ID)
	}
	var rev int64
	if err := db.Raw("SELECT n FROM data_revision WHERE id = 1").Scan(&rev).Error; err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		want, err := models.UserByID(db, id)
		if err != nil {
			t.Fatal(err)
		}
		got, r, err := models.SessionUser(db, id)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) || r != rev {
			t.Fatalf("SessionUser(%d) = %+v at revision %d\nUserByID: %+v at revision %d", id, got, r, want, rev)
		}
	}
	if !bare.Disabled || !bare.Demo || !bare.MustChangePassword || bare.TokenVersion != 3 {
		t.Fatalf("the bare account was not stored as written: %+v", bare)
	}
	if _, _, err := models.SessionUser(db, 999999); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("unknown id: %v", err)
	}
}
