package models_test

import (
	"encoding/json"
	"os"
	"testing"

	"cunji/models"
	"cunji/seeds"

	"gorm.io/gorm"
)

func TestMain(m *testing.M) { os.Exit(models.RunOnAllBackends(m)) }

// setup opens a fresh SQLite file with the fixture villages and accounts.
func setup(t *testing.T) (*gorm.DB, map[string]*models.Actor) {
	t.Helper()
	db := models.OpenTest(t)
	users, err := seeds.Fixture(db)
	if err != nil {
		t.Fatal(err)
	}
	actors := map[string]*models.Actor{}
	for name, u := range users {
		actors[name] = models.ActorFor(u, "127.0.0.1")
	}
	return db, actors
}

// snapshot is every report version and the audit log's length, to prove that a
// refused action changed nothing.
func snapshot(t *testing.T, db *gorm.DB) string {
	t.Helper()
	var rows []models.ReportVersion
	if err := db.Order("id").Find(&rows).Error; err != nil {
		t.Fatal(err)
	}
	var audits int64
	db.Model(&models.AuditEntry{}).Count(&audits)
	b, _ := json.Marshal(struct {
		Rows   []models.ReportVersion
		Audits int64
	}{rows, audits})
	return string(b)
}

func i64(v int64) *int64 { return &v }
func intp(v int) *int    { return &v }

// figures is a report input with the three operating parts and a subsidy. The
// star and hemei arguments are what the village was named (by the district, in the
// title register): a report no longer carries them.
func figures(business, contract, investment, subsidy int64, star int, hemei bool) models.ReportInput {
	_, _ = star, hemei
	return models.ReportInput{BusinessFen: i64(business), ContractFen: i64(contract), InvestmentFen: i64(investment),
		SubsidyFen: i64(subsidy), OtherFen: i64(0), AssetsFen: i64(10_000_000_000)}
}

// approved walks one version of code/year through draft → submitted → approved.
func approved(t *testing.T, db *gorm.DB, cadre, officer *models.Actor, code string, year int, in models.ReportInput) *models.ReportVersion {
	t.Helper()
	// A change past the flags' thresholds is submitted with a note (说明).
	if in.Note == nil {
		note := "已核实"
		in.Note = &note
	}
	r := drafted(t, db, cadre, code, year, in)
	if _, err := models.Submit(db, cadre, code, year, &r.Version); err != nil {
		t.Fatalf("submit %s/%d: %v", code, year, err)
	}
	a, err := models.Approve(db, officer, code, year, nil)
	if err != nil {
		t.Fatalf("approve %s/%d: %v", code, year, err)
	}
	return a
}

// drafted saves a new draft (or edits the open one) of code/year.
func drafted(t *testing.T, db *gorm.DB, cadre *models.Actor, code string, year int, in models.ReportInput) *models.ReportVersion {
	t.Helper()
	rep, err := models.GetReport(db, cadre, code, year)
	if err != nil {
		t.Fatal(err)
	}
	in.Version = 0
	if rep.Open != nil {
		in.Version = rep.Open.Version
	}
	r, err := models.SaveDraft(db, cadre, code, year, in)
	if err != nil {
		t.Fatalf("save %s/%d: %v", code, year, err)
	}
	return r
}

// closeYears closes years as the district (their figures become results: coloured,
// trended).
func closeYears(t *testing.T, db *gorm.DB, d *models.Actor, years ...int) {
	t.Helper()
	for _, y := range years {
		if _, err := models.CloseYear(db, d, y); err != nil {
			t.Fatalf("close %d: %v", y, err)
		}
	}
}
