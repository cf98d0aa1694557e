package handlers

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"cunji/models"
	"cunji/seeds"
)

// TestAPICompanyDissolveRestore: dissolving and restoring through the API, dated.
func TestAPICompanyDissolveRestore(t *testing.T) {
	en := newEnv(t)
	d := en.token("d")
	code, c := en.api("POST", "/api/v1/companies", d, map[string]any{"name": "甲村强村公司", "credit_code": "91350100M000100Y43",
		"model": "资产经营型", "founded_on": "2023-03-01", "registered_capital_fen": 100000000,
		"members": []map[string]any{{"village_code": seeds.FixA1, "share": 60, "from_year": 2023}}})
	if code != http.StatusCreated && code != http.StatusOK {
		t.Fatalf("create: %d %v", code, c)
	}
	path := "/api/v1/companies/" + jsonID(c["id"])
	if code, body := en.api("POST", path+"/dissolve", d, map[string]any{"on": "2025-06-01"}); code != http.StatusOK || body["kind"] != "dissolved" {
		t.Fatalf("dissolve: %d %v", code, body)
	}
	if code, _ := en.api("POST", path+"/dissolve", d, map[string]any{"on": "2025-06-01"}); code != http.StatusConflict {
		t.Errorf("dissolve twice: %d", code)
	}
	if code, _ := en.api("POST", path+"/restore", d, map[string]any{}); code != http.StatusUnprocessableEntity {
		t.Errorf("restore without a date: %d", code)
	}
	if code, body := en.api("POST", path+"/restore", d, map[string]any{"on": "2025-08-01"}); code != http.StatusOK || body["kind"] != "restored" {
		t.Fatalf("restore: %d %v", code, body)
	}
	if code, _ := en.api("POST", path+"/restore", en.token("v1"), map[string]any{"on": "2025-08-01"}); code != http.StatusForbidden {
		t.Errorf("a cadre restores: %d", code)
	}
}

// jsonID is a JSON number id as a path segment.
func jsonID(v any) string {
	f, _ := v.(float64)
	return strconv.Itoa(int(f))
}

// TestMemberErrorsInChinese: a company page names a member's error by its line and
// field in Chinese, never by the API's key (members[2].village_code).
func TestMemberErrorsInChinese(t *testing.T) {
	err := memberErrors(&models.ValidationError{Fields: map[string]string{
		"members[2].village_code": "村代码不存在或不在您的范围内",
		"members[0].share":        "持股比例须大于 0 且不超过 100%",
		"members":                 "2023 年各村持股比例合计 110%，超过 100%",
		"name":                    "请填写公司名称",
	}})
	ve, ok := err.(*models.ValidationError)
	if !ok {
		t.Fatalf("%T", err)
	}
	want := "2023 年各村持股比例合计 110%，超过 100%；第 1 行（持股比例）：持股比例须大于 0 且不超过 100%；第 3 行（村代码）：村代码不存在或不在您的范围内"
	if got := ve.Fields["members"]; got != want {
		t.Errorf("members: %q", got)
	}
	if strings.Contains(ve.Fields["members"], "members[") || ve.Fields["name"] != "请填写公司名称" {
		t.Errorf("fields: %v", ve.Fields)
	}
}
