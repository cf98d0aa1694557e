package handlers

import (
	"net/url"
	"strings"
	"testing"

	"cunji/models"
	"cunji/seeds"
)

// TestCompanyShareholdersPages: the other shareholders through the API and the
// company page: a list over 100% with the member villages answers 422 in Chinese
// on both and changes nothing; a good list is shown on the page and in the JSON.
func TestCompanyShareholdersPages(t *testing.T) {
	en := newEnv(t)
	if _, err := models.CreateCompany(en.db, en.actor("d"), models.CompanyInput{Name: "海门强村公司", CreditCode: "91110108551385082Q",
		Model: "资产经营型", FoundedOn: "2023-01-01"}, []models.MemberInput{{VillageCode: seeds.FixA1, ShareMicro: 700_000, FromYear: 2023}}); err != nil {
		t.Fatal(err)
	}
	s1 := en.token("s1")
	before := en.state()
	code, body := en.api("PUT", "/api/v1/companies/1/shareholders", s1, map[string]any{"version": 1,
		"shareholders": []any{map[string]any{"name": "区国资公司", "kind": "国资", "share": "40", "from_year": 2024}}})
	if code != 422 || !strings.Contains(errorShape(t, body)["fields"].(map[string]any)["shareholders"].(string), "2024 年全部股东持股比例合计 110%") {
		t.Fatalf("API over 100%%: %d %v", code, body)
	}
	rec := en.page("POST", "/companies/1/shareholders", s1, url.Values{"version": {"1"}, "shareholders": {"区国资公司 国资 40 2024"}}, true)
	if rec.Code != 422 || !strings.Contains(rec.Body.String(), "超过 100%") || !strings.Contains(rec.Body.String(), "区国资公司 国资 40 2024") {
		t.Fatalf("page over 100%%: %d", rec.Code)
	}
	rec = en.page("POST", "/companies/1/shareholders", s1, url.Values{"version": {"1"}, "shareholders": {"区国资公司 国企 30 2024"}}, true)
	if rec.Code != 422 || !strings.Contains(rec.Body.String(), "第 1 行：股东类别须为") {
		t.Fatalf("page, a bad kind: %d", rec.Code)
	}
	if en.state() != before {
		t.Fatal("a refused list changed the state")
	}
	if rec := en.page("POST", "/companies/1/shareholders", s1, url.Values{"version": {"1"}, "shareholders": {"区国资公司 国资 30 2024"}}, true); rec.Code != 303 {
		t.Fatalf("page, a good list: %d", rec.Code)
	}
	page := en.page("GET", "/companies/1", s1, nil, false).Body.String()
	if !strings.Contains(page, "<td>区国资公司</td><td>国资</td>") {
		t.Error("the page does not list the other shareholder")
	}
	code, body = en.api("GET", "/api/v1/companies/1", en.token("d"), nil)
	sh, _ := body["shareholders"].([]any)
	if code != 200 || len(sh) != 1 || sh[0].(map[string]any)["kind"] != "国资" {
		t.Fatalf("API shareholders: %v", body["shareholders"])
	}
}
