package handlers

import (
	"net/http"
	"testing"

	"cunji/seeds"
)

// indicatorEnv defines two indicators through the API: 电商专业村 (yes/no, entered by
// the cadre, approved by the street) and 省级特色精品村 (a title the district names).
func indicatorEnv(t *testing.T) *env {
	en := newEnv(t)
	for _, def := range []map[string]any{
		{"code": "ecommerce_village", "name": "电商专业村", "kind": "yesno", "unit": "个", "entered_by": "village",
			"from_year": 2023, "rollup": "count_yes", "plan": true, "wording": "培育电商专业村 23 个"},
		{"code": "boutique_village", "name": "省级特色精品村", "kind": "title", "unit": "个", "entered_by": "district",
			"from_year": 2023, "rollup": "count_yes"},
	} {
		if code, body := en.api("POST", "/api/v1/indicators", en.token("d"), def); code != http.StatusCreated {
			t.Fatalf("define %v: %d %v", def["code"], code, body)
		}
	}
	return en
}

const (
	indA1 = "/api/v1/indicators/ecommerce_village/values/" + seeds.FixA1 + "/2025"
	indB1 = "/api/v1/indicators/ecommerce_village/values/" + seeds.FixB1 + "/2025"
)

// TestAPIIndicatorsMatrix: who may define, enter, submit, approve and read; each
// refusal changes nothing and answers the error shape.
func TestAPIIndicatorsMatrix(t *testing.T) {
	en := indicatorEnv(t)
	if code, body := en.api("PUT", indA1, en.token("v1"), map[string]any{"value": 1}); code != 200 || body["status"] != "draft" {
		t.Fatalf("cadre saves: %d %v", code, body)
	}
	refusals := []struct {
		who, method, path string
		body              any
		want              int
	}{
		{"v1", "POST", "/api/v1/indicators", map[string]any{"code": "x1"}, 403},
		{"s1", "PUT", "/api/v1/indicators/ecommerce_village", map[string]any{"name": "改", "version": 1}, 403},
		{"v2", "PUT", indA1, map[string]any{"value": 1, "version": 1}, 404},
		{"v4", "GET", indA1, nil, 404},
		{"s2", "GET", indA1, nil, 404},
		{"s1", "PUT", indA1, map[string]any{"value": 0, "version": 1}, 403},
		{"d", "PUT", indA1, map[string]any{"value": 0, "version": 1}, 403},
		{"v1", "PUT", "/api/v1/indicators/boutique_village/values/" + seeds.FixA1 + "/2025", map[string]any{"value": 1}, 403},
		{"v1", "PUT", indA1, map[string]any{"value": 2, "version": 1}, 422},
		{"v1", "PUT", indA1, map[string]any{"value": 1, "version": 7}, 409},
		{"v1", "POST", indA1 + "/approve", nil, 403},
		{"s1", "POST", indA1 + "/approve", nil, 409},
		{"s1", "POST", indA1 + "/submit", nil, 403},
		{"v1", "POST", "/api/v1/indicators/nothing/values/" + seeds.FixA1 + "/2025/submit", nil, 404},
		{"v1", "GET", "/api/v1/indicators/ecommerce_village/values/" + seeds.FixA1 + "/x", nil, 404},
	}
	for _, r := range refusals {
		before := en.state()
		code, body := en.api(r.method, r.path, en.token(r.who), r.body)
		if code != r.want {
			t.Fatalf("%s %s as %s: %d, want %d (%v)", r.method, r.path, r.who, code, r.want, body)
		}
		errorShape(t, body)
		if en.state() != before {
			t.Fatalf("%s %s as %s changed something", r.method, r.path, r.who)
		}
	}
	// Submit, a refused approval by another street, the approval, a reject without a
	// reason of a new correction.
	if code, body := en.api("POST", indA1+"/submit", en.token("v1"), map[string]any{"version": 1}); code != 200 || body["status"] != "submitted" {
		t.Fatalf("submit: %d %v", code, body)
	}
	if code, _ := en.api("POST", indA1+"/approve", en.token("s2"), nil); code != 404 {
		t.Fatalf("another street approves: %d", code)
	}
	if code, body := en.api("POST", indA1+"/approve", en.token("s1"), map[string]any{"version": 2}); code != 200 || body["status"] != "approved" {
		t.Fatalf("approve: %d %v", code, body)
	}
	// The district names 丁村 (another street) a 特色精品村: approved on entry.
	bq := "/api/v1/indicators/boutique_village/values/" + seeds.FixB1 + "/2025"
	if code, body := en.api("PUT", bq, en.token("d"), map[string]any{"value": 1, "note": "浙农〔2025〕8号"}); code != 200 || body["status"] != "approved" {
		t.Fatalf("district entry: %d %v", code, body)
	}
	// Lists by scope: the district sees every village, a street its own, a cadre one.
	for who, want := range map[string]int{"d": 4, "s1": 3, "s2": 1, "v1": 1} {
		code, body := en.api("GET", "/api/v1/indicators/ecommerce_village/values?year=2025", en.token(who), nil)
		vs, _ := body["villages"].([]any)
		if code != 200 || len(vs) == 0 {
			t.Fatalf("%s list: %d %v", who, code, body)
		}
		sum := body["summary"].(map[string]any)
		if who == "s2" && sum["yes"].(float64) != 0 || who == "s1" && sum["yes"].(float64) != 1 {
			t.Fatalf("%s summary: %v", who, sum)
		}
		_ = want
	}
	if code, body := en.api("GET", "/api/v1/indicators/ecommerce_village", en.token("v1"), nil); code != 200 || len(body["history"].([]any)) != 1 {
		t.Fatalf("definition: %d %v", code, body)
	}
	if code, body := en.api("GET", "/api/v1/indicators?year=2025", en.token("s2"), nil); code != 200 || len(body["indicators"].([]any)) != 2 {
		t.Fatalf("catalogue: %d %v", code, body)
	}
	// A change of kind once values exist: 422.
	if code, body := en.api("PUT", "/api/v1/indicators/ecommerce_village", en.token("d"),
		map[string]any{"kind": "count", "rollup": "sum", "version": 1}); code != 422 {
		t.Fatalf("kind change: %d %v", code, body)
	}
	if code, body := en.api("GET", indB1, en.token("v4"), nil); code != 200 || body["open"] != nil {
		t.Fatalf("丁村's own series: %d %v", code, body)
	}
}
