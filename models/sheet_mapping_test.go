package models_test

import (
	"bytes"
	"strings"
	"testing"

	"cunji/models"
	"cunji/seeds"

	"github.com/xuri/excelize/v2"
)

// OwnNamesSheet is a district clerk's workbook whose column names no import knows:
// a title row naming the year, a row of who fills it in, a two-row header with
// merged cells, amounts in 万元 named above the columns, its own order, a 合计 row.
// 村级经营性收入, 发包上交 and 期末资产合计 need the mapping step.
func OwnNamesSheet(t *testing.T, business float64) []byte {
	t.Helper()
	f := excelize.NewFile()
	set := func(cell string, v any) {
		if err := f.SetCellValue("Sheet1", cell, v); err != nil {
			t.Fatal(err)
		}
	}
	merge := func(a, b string) {
		if err := f.MergeCell("Sheet1", a, b); err != nil {
			t.Fatal(err)
		}
	}
	set("A1", "2024年 椒江区村级集体经济收入统计表")
	merge("A1", "J1")
	set("A2", "填报单位：区农业农村局")
	for col, v := range map[string]string{"A3": "序号", "B3": "行政村代码", "C3": "村名", "D3": "收入明细（万元）",
		"I3": "期末资产合计（万元）", "J3": "备注"} {
		set(col, v)
	}
	for _, c := range []string{"A", "B", "C", "I", "J"} {
		merge(c+"3", c+"4")
	}
	merge("D3", "H3")
	for col, v := range map[string]string{"D4": "村级经营性收入", "E4": "补助收入", "F4": "投资收益", "G4": "发包上交", "H4": "其他收入"} {
		set(col, v)
	}
	rows := [][]any{
		{1, seeds.FixA1, "甲村", business, 10, 5, 15, 0, 2000, ""},
		{2, seeds.FixA2, "乙村", 10, 0, 0, 0, 0, 100, ""},
		{3, seeds.FixB1, "丁村", 60, 0, 0, 0, 0.01, 0, ""},
		{"合计", "", "", business + 70, 10, 5, 15, 0.01, 2100, ""},
	}
	for i, r := range rows {
		for j, v := range r {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+5)
			set(cell, v)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// chooseFields maps the columns of a mapping step whose header is named to fields.
func chooseFields(t *testing.T, m *models.SheetMapping, byHeader map[string]string) *models.ColumnMapping {
	t.Helper()
	out := &models.ColumnMapping{HeaderRow: m.HeaderRow}
	for _, c := range m.Columns {
		f := c.Field
		if k, ok := byHeader[c.Header]; ok {
			f = k
		}
		out.SetColumn(c.Index, f)
	}
	return out
}

// TestImportMappingStep: a sheet whose required columns go by other names asks for
// the mapping step (each column, its guess and a sample) instead of header errors;
// the mapping chosen reads it; committed, it is kept for the district and applied
// to the next sheet with the same header, with a note; another district has none.
func TestImportMappingStep(t *testing.T) {
	db, ac := setup(t)
	mode := models.ReportImportMode{Approve: true, Reason: "2024 年农经统计年报"}
	rows := readRows(t, OwnNamesSheet(t, 30))
	res, err := models.ImportReports(db, ac["d"], rows, mode, true)
	if err != nil || len(res.Problems) != 1 || res.Mapping == nil || !res.Mapping.Needed || res.Mapping.HeaderRow != 4 {
		t.Fatalf("unknown names: %+v %v", res, err)
	}
	if got := strings.Join(res.Mapping.Missing, "、"); got != "经营收入、发包及上交收入、集体资产" {
		t.Fatalf("missing = %s", got)
	}
	guess := map[string]string{}
	for _, c := range res.Mapping.Columns {
		guess[c.Column] = c.Field
	}
	if guess["B"] != "code" || guess["E"] != "subsidy_fen" || guess["D"] != "" || guess["C"] != "name" || len(res.Mapping.Columns) != 10 {
		t.Fatalf("columns = %+v", res.Mapping.Columns)
	}
	if res.Mapping.Columns[3].Sample != "30" || res.Mapping.Columns[3].Header != "村级经营性收入" {
		t.Fatalf("column D = %+v", res.Mapping.Columns[3])
	}
	choice := chooseFields(t, res.Mapping, map[string]string{"村级经营性收入": "business_fen", "发包上交": "contract_fen", "期末资产合计(万元)": "assets_fen"})

	// A field chosen twice, or a field no import has, is one problem.
	twice := chooseFields(t, res.Mapping, map[string]string{"村级经营性收入": "business_fen", "发包上交": "business_fen"})
	mode.Mapping = twice
	if res, _ := models.ImportReports(db, ac["d"], rows, mode, true); len(res.Problems) != 1 || !strings.Contains(res.Problems[0].Message, "都选了“经营收入”") {
		t.Fatalf("a field twice: %+v", res.Problems)
	}
	mode.Mapping = &models.ColumnMapping{HeaderRow: 4, Fields: []string{"", "code", "nonsense"}}
	if res, _ := models.ImportReports(db, ac["d"], rows, mode, true); len(res.Problems) != 1 || res.Problems[0].Column != "C" {
		t.Fatalf("an unknown field: %+v", res.Problems)
	}

	mode.Mapping = choice
	res, err = models.ImportReports(db, ac["d"], rows, mode, false)
	if err != nil || len(res.Problems) != 0 || res.New != 3 || res.Year != 2024 || !res.Committed || !res.Mapping.Explicit {
		t.Fatalf("with the mapping: %+v %v", res, err)
	}
	if res.Units["经营收入"] != models.UnitWan || res.Units["集体资产"] != models.UnitWan {
		t.Fatalf("units = %v", res.Units)
	}
	rep, err := models.GetReport(db, ac["d"], seeds.FixA1, 2024)
	if err != nil || rep.Approved == nil || rep.Approved.BusinessFen != 30_000_000 || rep.Approved.ContractFen != 15_000_000 || rep.Approved.AssetsFen != 2_000_000_000 {
		t.Fatalf("甲村 2024: %+v %v", rep, err)
	}
	var kept []models.ImportMapping
	db.Find(&kept)
	if len(kept) != 1 || kept[0].DistrictCode != ac["d"].DistrictCode || kept[0].Kind != "reports" {
		t.Fatalf("kept = %+v", kept)
	}
	var n int64
	db.Model(&models.AuditEntry{}).Where("action = ?", "import.mapping").Count(&n)
	if n != 1 {
		t.Fatalf("audit entries of the mapping: %d", n)
	}

	// The next sheet with the same header is read with it, and says so.
	mode.Mapping = nil
	next := readRows(t, OwnNamesSheet(t, 31))
	res, err = models.ImportReports(db, ac["d"], next, mode, true)
	if err != nil || len(res.Problems) != 0 || res.Changed != 1 || res.Unchanged != 2 || res.Mapping.Remembered == nil ||
		res.Mapping.Remembered.SavedBy != ac["d"].Name || res.Mapping.Explicit {
		t.Fatalf("the next sheet: %+v %v", res, err)
	}
	// Another district has no mapping for it.
	other := &models.Actor{Role: models.RoleDistrict, DistrictCode: "331003", Name: "路桥区"}
	if res, _ := models.ImportReports(db, other, next, mode, true); res.Mapping == nil || !res.Mapping.Needed {
		t.Fatalf("another district: %+v", res)
	}
	// Choosing again replaces the kept mapping.
	mode.Mapping = choice
	if _, err := models.ImportReports(db, ac["d"], next, mode, false); err != nil {
		t.Fatal(err)
	}
	if db.Model(&models.ImportMapping{}).Count(&n); n != 1 {
		t.Fatalf("kept mappings after choosing again: %d", n)
	}
}

// TestImportMappingUnit: the unit chosen on the mapping step for amounts whose
// header names none is kept with the mapping and used next time, unless another is
// chosen; a unit in the header wins over both.
func TestImportMappingUnit(t *testing.T) {
	db, ac := setup(t)
	header := "村级代码号,年度,经营收入,发包及上交收入,投资收益,补助收入,其他收入,集体资产"
	sheet := func(code string) [][]string { return readRows(t, csvOf(header, code+",2024,30.5,0,0,0,0,100")) }
	res, _ := models.ImportReports(db, ac["d"], sheet(seeds.FixA1), models.ReportImportMode{}, true)
	if res.Mapping == nil || !res.Mapping.Needed || strings.Join(res.Mapping.Missing, "") != "村代码" {
		t.Fatalf("unknown code column: %+v", res)
	}
	choice := chooseFields(t, res.Mapping, map[string]string{"村级代码号": "code"})
	res, err := models.ImportReports(db, ac["d"], sheet(seeds.FixA1), models.ReportImportMode{Unit: models.UnitWan, Mapping: choice}, false)
	if err != nil || len(res.Problems) != 0 || res.Units["经营收入"] != models.UnitWan {
		t.Fatalf("chosen 万元: %+v %v", res, err)
	}
	res, err = models.ImportReports(db, ac["d"], sheet(seeds.FixA2), models.ReportImportMode{}, true)
	if err != nil || len(res.Problems) != 0 || res.Units["经营收入"] != models.UnitWan || res.Mapping.Remembered == nil {
		t.Fatalf("remembered 万元: %+v %v", res, err)
	}
	res, _ = models.ImportReports(db, ac["d"], sheet(seeds.FixA2), models.ReportImportMode{Unit: models.UnitYuan}, true)
	if res.Units["经营收入"] != models.UnitYuan {
		t.Fatalf("元 chosen over the remembered unit: %+v", res.Units)
	}
}

// TestImportVillagesMapping: the village import takes the same step; the mapping is
// kept per kind of import.
func TestImportVillagesMapping(t *testing.T) {
	db, ac := setup(t)
	sheet := csvOf("2025年村庄名录", "序号,名称,所在镇,村落编码,分类,设立年份",
		"1,新河村,海门街道,331002001209,整治提升,2000", "合计,1 个村,,,,")
	res, err := models.ImportVillages(db, ac["d"], readRows(t, sheet), true)
	if err != nil || len(res.Problems) != 1 || res.Mapping == nil || !res.Mapping.Needed || res.Mapping.HeaderRow != 2 {
		t.Fatalf("unknown names: %+v %v", res, err)
	}
	choice := chooseFields(t, res.Mapping, map[string]string{"所在镇": "street_code", "村落编码": "code", "分类": "type", "设立年份": "active_from"})
	res, err = models.ImportVillagesMapped(db, ac["d"], readRows(t, sheet), choice, false)
	if err != nil || len(res.Problems) != 0 || len(res.NewCodes) != 1 || !res.Committed {
		t.Fatalf("with the mapping: %+v %v", res, err)
	}
	res, err = models.ImportVillages(db, ac["d"], readRows(t, sheet), true)
	if err != nil || len(res.Problems) != 0 || res.Unchanged != 1 || res.Mapping.Remembered == nil {
		t.Fatalf("the next sheet: %+v %v", res, err)
	}
	// The figures import does not take the village sheet's mapping.
	if rres, _ := models.ImportReports(db, ac["d"], readRows(t, sheet), models.ReportImportMode{}, true); rres.Mapping != nil && rres.Mapping.Remembered != nil {
		t.Fatalf("a village mapping read a figures sheet: %+v", rres.Mapping)
	}
}
