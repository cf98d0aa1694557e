package models_test

import (
	"strings"
	"testing"

	"cunji/models"
)

// TestPasswordStrength: a real estimate refuses the passwords people guess first,
// wherever a password is set, with a Chinese message; every one-time password
// drawn passes.
func TestPasswordStrength(t *testing.T) {
	db, _ := setup(t)
	user := "village-331002001201"
	weak := []string{"aaaaaaaaaa", "qwerty1234", "abcdefghij", "1234567890", "qwertyuiop", "password123", "iloveyou12",
		user + "1", user + "x", "cunji-demo1", "Taizhou2026", "woaini1314", "zhangsan1985", "1qaz2wsx3edc"}
	for _, pw := range weak {
		err := models.CheckPassword(user, pw)
		if err == nil || !strings.Contains(err.Error(), "密码") {
			t.Errorf("%q accepted (%v)", pw, err)
		}
	}
	for _, pw := range []string{"Xq7-lantern-orbit", "a-good-new-password", "rain on 3 quiet hills"} {
		if err := models.CheckPassword(user, pw); err != nil {
			t.Errorf("%q refused: %v", pw, err)
		}
	}
	// Every way of setting a password applies the rule.
	if err := models.SetPassword(db, nil, "v1", "qwerty1234"); err == nil {
		t.Error("SetPassword took qwerty1234")
	}
	if _, err := models.CreateUser(db, nil, models.UserInput{Username: "new-admin", Name: "管理员", Role: models.RoleDistrict,
		Scope: "331002", Password: "abcdefghij"}); err == nil {
		t.Error("CreateUser took abcdefghij")
	}
	for i := 0; i < 2000; i++ {
		if pw := models.OneTimePassword(); models.CheckPassword(user, pw) != nil {
			t.Fatalf("one-time password %q fails the rule", pw)
		}
	}
}
