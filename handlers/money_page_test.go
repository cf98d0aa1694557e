package handlers

import (
	"strings"
	"testing"

	"cunji/seeds"
)

// TestMoneyInYi: sums of 1 亿 and more read in 亿元 with two decimals on the
// roll-up, the 通报 and the targets page; forms stay in 万元.
func TestMoneyInYi(t *testing.T) {
	en := newEnv(t)
	tok := en.token("v1")
	path := "/api/v1/villages/" + seeds.FixA1 + "/reports/2025"
	if code, b := en.api("PUT", path, tok, map[string]any{"business_fen": 1_000_000, "assets_fen": 14_462_113_200_00, "version": 0}); code != 200 {
		t.Fatalf("save: %d %v", code, b)
	}
	if code, _ := en.api("POST", path+"/submit", tok, map[string]any{"version": 1}); code != 200 {
		t.Fatal("submit")
	}
	if code, _ := en.api("POST", path+"/approve", en.token("s1"), map[string]any{"version": 2}); code != 200 {
		t.Fatal("approve")
	}
	d := en.token("d")
	for _, p := range []string{"/rollup?year=2025", "/bulletin?year=2025"} {
		body := en.page("GET", p, d, nil, false).Body.String()
		if !strings.Contains(body, "144.62 亿元") || strings.Contains(body, "1,446,211.32") {
			t.Errorf("%s: assets not in 亿元", p)
		}
	}
	body := en.page("GET", "/targets", d, nil, false).Body.String()
	if !strings.Contains(body, "150.00 亿元") || strings.Contains(body, "1500000.00 万元") {
		t.Errorf("targets page: a large target in 万元")
	}
	form := en.page("GET", "/villages/"+seeds.FixA1+"/reports/2025", tok, nil, false).Body.String()
	if !strings.Contains(form, "（万元）") && !strings.Contains(form, "万元") {
		t.Errorf("report form lost its 万元")
	}
}
