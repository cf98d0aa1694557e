package models_test

import (
	"strings"
	"testing"

	"cunji/models"
	"cunji/seeds"
)

// fieldMessage is the message Validate gives a field, as the form shows it.
func fieldMessage(t *testing.T, err error, field string) string {
	t.Helper()
	v, ok := err.(*models.ValidationError)
	if !ok || v.Fields[field] == "" {
		t.Fatalf("no message for %s in %v", field, err)
	}
	return v.Fields[field]
}

// TestImportValidatesOnce: an import row that breaks a rule of the input's own
// Validate (a negative income, a star of 4, a village name with a control
// character) is refused with the message the form gives, beside the same field.
func TestImportValidatesOnce(t *testing.T) {
	db, ac := setup(t)
	negative := fieldMessage(t, (&models.ReportVersion{ContractFen: -100}).Validate(), "contract_fen")
	star := fieldMessage(t, (&models.ReportVersion{StarRating: 4}).Validate(), "star_rating")
	res, err := models.ImportReports(db, ac["d"], readRows(t, csvOf(reportHeader, seeds.FixA1+",2024,4,否,1,-1,0,0,0,1")), models.ReportImportMode{}, true)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, p := range res.Problems {
		got[p.Column] = p.Message
	}
	if got["发包及上交收入"] != negative || got["星级"] != star || len(res.Problems) != 2 {
		t.Fatalf("import problems %+v, want %q and %q", res.Problems, negative, star)
	}
	// The form's path gives the same words.
	minus := int64(-100)
	_, err = models.SaveDraft(db, ac["v1"], seeds.FixA1, 2025, models.ReportInput{ContractFen: &minus})
	if fieldMessage(t, err, "contract_fen") != negative {
		t.Fatalf("form: %v", err)
	}
	// A village name with a control character: the village's Validate.
	name := "新\x07河村"
	_, err = models.CreateVillage(db, ac["d"], models.VillageInput{Code: "331002001209", Name: &name, Type: strPtr("整治提升")})
	formMsg := fieldMessage(t, err, "name")
	vres, err := models.ImportVillages(db, ac["d"], readRows(t, csvOf(villageHeader, "331002001209,新\x07河村,331002001,整治提升,2000,")), true)
	if err != nil || len(vres.Problems) != 1 || vres.Problems[0].Message != formMsg || vres.Problems[0].Column != "村名称" {
		t.Fatalf("village import: %+v %v, want %q", vres, err, formMsg)
	}
	if !strings.Contains(formMsg, "控制字符") {
		t.Fatalf("the message does not say why: %q", formMsg)
	}
}

func strPtr(s string) *string { return &s }
