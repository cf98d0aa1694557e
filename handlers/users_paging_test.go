package handlers

import (
	"fmt"
	"testing"
)

// TestAPIUserListPaging: limit and offset page the accounts in a stable order with
// the total of every match; without limit every match is returned, as before; the
// filters and the scope apply to both; a negative limit is 422.
func TestAPIUserListPaging(t *testing.T) {
	en := newEnv(t)
	names := func(body map[string]any) []string {
		var out []string
		for _, u := range body["users"].([]any) {
			out = append(out, u.(map[string]any)["username"].(string))
		}
		return out
	}
	code, all := en.api("GET", "/api/v1/users", en.token("d"), nil)
	if code != 200 || int(all["total"].(float64)) != len(all["users"].([]any)) {
		t.Fatalf("all: %d %v", code, all)
	}
	every := names(all)
	_, page := en.api("GET", "/api/v1/users?limit=2&offset=1", en.token("d"), nil)
	if got := names(page); fmt.Sprint(got) != fmt.Sprint(every[1:3]) || page["total"].(float64) != all["total"].(float64) {
		t.Errorf("page %v of %v (total %v)", got, every, page["total"])
	}
	_, past := en.api("GET", fmt.Sprintf("/api/v1/users?limit=5&offset=%d", len(every)), en.token("d"), nil)
	if len(past["users"].([]any)) != 0 || past["total"].(float64) != float64(len(every)) {
		t.Errorf("past the end: %v", past)
	}
	_, cadres := en.api("GET", "/api/v1/users?role=village&street=331002001&limit=1", en.token("d"), nil)
	if cadres["total"].(float64) != 3 || len(cadres["users"].([]any)) != 1 {
		t.Errorf("海门's cadres: %v", cadres)
	}
	_, s1 := en.api("GET", "/api/v1/users?q=v", en.token("s1"), nil)
	if got := names(s1); fmt.Sprint(got) != "[v1 v2 v3]" {
		t.Errorf("s1 sees %v", got)
	}
	if code, body := en.api("GET", "/api/v1/users?limit=-1", en.token("d"), nil); code != 422 {
		t.Errorf("negative limit: %d", code)
	} else {
		errorShape(t, body)
	}
}
