package handlers

import (
	"net/http"
	"testing"

	"cunji/seeds"
)

// TestAPIWorkshopDates: a workshop's 建成日期 and 停运日期 go in and come out as dates.
func TestAPIWorkshopDates(t *testing.T) {
	en := newEnv(t)
	v1 := en.token("v1")
	body := map[string]any{"name": "甲村竹编工坊", "type": "来料加工", "state": "停运", "employed": 5, "low_income_employed": 1,
		"founded_on": "2022-06-01", "closed_on": "2025-09-30"}
	code, out := en.api("POST", "/api/v1/villages/"+seeds.FixA1+"/workshops", v1, body)
	if code != http.StatusCreated && code != http.StatusOK {
		t.Fatalf("create: %d %v", code, out)
	}
	open, _ := out["open"].(map[string]any)
	if open == nil || open["founded_on"] != "2022-06-01" || open["closed_on"] != "2025-09-30" {
		t.Fatalf("dates: %v", out)
	}
	body["closed_on"] = "2021-01-01"
	if code, out := en.api("POST", "/api/v1/villages/"+seeds.FixA1+"/workshops", v1, body); code != http.StatusUnprocessableEntity {
		t.Errorf("closed before founded: %d %v", code, out)
	}
	body["founded_on"] = "六月"
	if code, _ := en.api("POST", "/api/v1/villages/"+seeds.FixA1+"/workshops", v1, body); code != http.StatusUnprocessableEntity {
		t.Errorf("a date that is not one: %d", code)
	}
}
