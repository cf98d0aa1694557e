package handlers

import (
	"strings"
	"testing"

	"cunji/models"
	"cunji/seeds"
)

// TestReferencePathShown: the trend's reference path is in the API with its label
// and drawn and labelled 参考路径（非目标） on the oversight page.
func TestReferencePathShown(t *testing.T) {
	en := newEnv(t)
	six := int64(60_000_000)
	if _, err := models.SaveDraft(en.db, en.actor("v1"), seeds.FixA1, 2024, models.ReportInput{BusinessFen: &six}); err != nil {
		t.Fatal(err)
	}
	if _, err := models.Submit(en.db, en.actor("v1"), seeds.FixA1, 2024, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := models.Approve(en.db, en.actor("s1"), seeds.FixA1, 2024, nil); err != nil {
		t.Fatal(err)
	}
	d := en.token("d")
	if code, _ := en.api("POST", "/api/v1/years/2024/close", d, nil); code != 200 {
		t.Fatalf("close 2024: %d", code)
	}
	code, tr := en.api("GET", "/api/v1/trend?indicator=income_50w", d, nil)
	if code != 200 || tr["reference_label"] != models.ReferenceLabel {
		t.Fatalf("trend: %d %v", code, tr)
	}
	refs := 0
	for _, y := range tr["years"].([]any) {
		if y.(map[string]any)["reference"] != nil {
			refs++
		}
	}
	if refs != 4 { // 2024 to 2027
		t.Errorf("%d years with a reference, want 4: %v", refs, tr["years"])
	}
	body := en.page("GET", "/oversight?year=2024", d, nil, false).Body.String()
	if strings.Count(body, ">"+models.ReferenceLabel+"</text>") < 2 || !strings.Contains(body, "<th>"+models.ReferenceLabel+"</th>") {
		t.Error("the oversight page does not label the reference path")
	}
}
