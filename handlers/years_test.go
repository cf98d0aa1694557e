package handlers

import (
	"net/http"
	"strings"
	"testing"
)

// TestDefaultsToLatestClosedYear: district pages, the 通报 and exports open on the
// latest closed year; the year in progress is one click away and marked 进行中.
func TestDefaultsToLatestClosedYear(t *testing.T) {
	en := newEnv(t)
	d, s1 := en.token("d"), en.token("s1")
	if code, _ := en.api("POST", "/api/v1/years/2024/close", s1, nil); code != http.StatusForbidden {
		t.Errorf("a street closes a year: %d", code)
	}
	if code, body := en.api("POST", "/api/v1/years/2024/close", d, nil); code != http.StatusOK || body["year"] != float64(2024) {
		t.Fatalf("close 2024: %d %v", code, body)
	}
	if code, _ := en.api("POST", "/api/v1/years/2024/close", d, nil); code != http.StatusConflict {
		t.Errorf("closing twice: %d", code)
	}
	_, ru := en.api("GET", "/api/v1/rollup", d, nil)
	if ru["year"] != float64(2024) || ru["in_progress"] != false {
		t.Errorf("default roll-up year %v in_progress %v", ru["year"], ru["in_progress"])
	}
	_, ru = en.api("GET", "/api/v1/rollup?year=2025", d, nil)
	if ru["in_progress"] != true || ru["completeness"] == nil || ru["income_50w"].(map[string]any)["reported_share"] == nil {
		t.Errorf("2025: %v", ru)
	}
	for _, path := range []string{"/rollup", "/oversight", "/bulletin"} {
		body := en.page("GET", path, d, nil, false).Body.String()
		if !strings.Contains(body, `<option value="2024" selected>2024</option>`) && path != "/bulletin" {
			t.Errorf("%s does not open on 2024", path)
		}
		if path == "/bulletin" && !strings.Contains(body, "2024 年度") {
			t.Errorf("the 通报 does not open on 2024")
		}
		if path != "/bulletin" && !strings.Contains(body, `2025（进行中）`) {
			t.Errorf("%s does not mark 2025 进行中", path)
		}
	}
	body := en.page("GET", "/oversight?year=2025", d, nil, false).Body.String()
	if !strings.Contains(body, "2025 年度进行中") || strings.Contains(body, `class="dot red"`) {
		t.Error("the year in progress is not marked, or is coloured")
	}
	rows := en.download("/api/v1/ranking?x=1", d, "csv")
	if len(rows) < 2 {
		t.Fatalf("ranking export %v", rows)
	}
	if r := en.page("POST", "/windows/close", d, map[string][]string{"year": {"2025"}}, true); r.Code != http.StatusSeeOther {
		t.Errorf("close from the page: %d", r.Code)
	}
	_, ru = en.api("GET", "/api/v1/rollup", d, nil)
	if ru["year"] != float64(2025) {
		t.Errorf("after closing 2025 the default is %v", ru["year"])
	}
}
