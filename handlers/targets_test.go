package handlers

import (
	"net/http"
	"strings"
	"testing"

	"cunji/seeds"
)

// TestAPITargets: the district assigns a target through the API, the earlier value
// stays in the history, a street officer may read but not assign, and the roll-up
// of a year without a target says so.
func TestAPITargets(t *testing.T) {
	en := newEnv(t)
	d, s1 := en.token("d"), en.token("s1")
	code, body := en.api("GET", "/api/v1/rollup?year=2025", d, nil)
	if code != http.StatusOK || body["income_50w"].(map[string]any)["target"] != nil || body["income_50w"].(map[string]any)["needed"] != nil {
		t.Fatalf("2025 without a target: %d %v", code, body["income_50w"])
	}
	if r := en.page("GET", "/rollup?year=2025", d, nil, false); !strings.Contains(r.Body.String(), "未下达目标") {
		t.Error("the roll-up page does not say 未下达目标")
	}
	put := map[string]any{"scope_code": "331002001", "year": 2025, "indicator": "income_50w", "value": 0.6}
	if code, body := en.api("PUT", "/api/v1/targets", d, put); code != http.StatusOK || body["value"] != 0.6 {
		t.Fatalf("PUT: %d %v", code, body)
	}
	put["value"] = 0.65
	en.api("PUT", "/api/v1/targets", d, put)
	code, body = en.api("GET", "/api/v1/targets?year=2025&indicator=income_50w&scope=331002001", d, nil)
	if list := body["targets"].([]any); code != http.StatusOK || len(list) != 1 || list[0].(map[string]any)["value"] != 0.65 {
		t.Fatalf("GET in force: %d %v", code, body)
	}
	_, body = en.api("GET", "/api/v1/targets?year=2025&indicator=income_50w&history=1", d, nil)
	if list := body["targets"].([]any); len(list) != 2 {
		t.Fatalf("history: %v", body)
	}
	_, body = en.api("GET", "/api/v1/rollup?year=2025&street=331002001", d, nil)
	if body["income_50w"].(map[string]any)["target"] != 0.65 {
		t.Errorf("海门's roll-up target: %v", body["income_50w"])
	}
	before := en.state()
	if code, _ := en.api("PUT", "/api/v1/targets", s1, put); code != http.StatusForbidden {
		t.Errorf("a street officer assigns: %d", code)
	}
	for _, bad := range []map[string]any{
		{"scope_code": "331002001", "year": 2025, "indicator": "income_50w", "value": 1.5},
		{"scope_code": "331002001", "year": 2025, "indicator": "income_50w", "value": 0.12345},
		{"scope_code": "331003001", "year": 2025, "indicator": "income_50w", "value": 0.5},
		{"scope_code": seeds.DistrictCode, "year": 2025, "indicator": "nonsense", "value": 1},
		{"scope_code": seeds.DistrictCode, "year": 2025, "indicator": "companies", "value": 2.5},
	} {
		if code, body := en.api("PUT", "/api/v1/targets", d, bad); code != http.StatusUnprocessableEntity {
			t.Errorf("%v: %d %v", bad, code, body)
		}
	}
	if en.state() != before {
		t.Error("a refused assignment changed something")
	}
	if code, body := en.api("GET", "/api/v1/targets?indicator=income_50w", s1, nil); code != http.StatusOK || len(body["targets"].([]any)) != 2 {
		t.Errorf("street reads: %d %v", code, body)
	}
}
