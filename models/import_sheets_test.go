package models_test

import (
	"bytes"
	"strings"
	"testing"

	"cunji/models"
	"cunji/seeds"

	"github.com/xuri/excelize/v2"
)

// clerkSheet is a workbook as a district clerk makes it: a title row and a row of
// who fills it in, a two-row header with merged cells, amounts in 万元 named above
// the columns, its own names and order of the columns, extra columns (序号, 备注),
// the year only in the title, numbers as numbers, and a total line.
func clerkSheet(t *testing.T) []byte {
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
	set("A1", "2024年 椒江区村级集体经济收入情况表")
	merge("A1", "K1")
	set("A2", "填报单位：区农业农村局")
	set("H2", "填报日期：2025年3月")
	for col, v := range map[string]string{"A3": "序号", "B3": "街道（乡镇）", "C3": "行政村", "D3": "统计用区划代码",
		"E3": "收入情况（万元）", "J3": "村集体资产总额\n（万元）", "K3": "备注"} {
		set(col, v)
	}
	for _, c := range []string{"A", "B", "C", "D", "J", "K"} {
		merge(c+"3", c+"4")
	}
	merge("E3", "I3")
	// Under 收入情况, in the sheet's own order.
	for col, v := range map[string]string{"E4": "补助收入", "F4": "经营 收入", "G4": "投资收益", "H4": "发包及上交收入", "I4": "其它收入"} {
		set(col, v)
	}
	rows := [][]any{
		{1, "海门街道", "甲村", seeds.FixA1, 10, 30.00005, 5, 15, 0, 2000.123456, "无"},
		{2, "海门街道", "乙村", seeds.FixA2, 0, 10, -0.200025, 0, 0, 100, ""},
		{3, "白云街道", "丁村", seeds.FixB1, 0, 60, 0, 0, 0.01, 0, ""},
		{"合计", "", "", "", 10, 100.00005, 4.799975, 15, 0.01, 2100.123456, ""},
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

func TestImportClerkSheet(t *testing.T) {
	db, ac := setup(t)
	rows := readRows(t, clerkSheet(t))
	mode := models.ReportImportMode{Approve: true, Reason: "2024 年农经统计年报"}
	res, err := models.ImportReports(db, ac["d"], rows, mode, false)
	if err != nil || len(res.Problems) != 0 || res.New != 3 || res.Rows != 3 || res.Year != 2024 {
		t.Fatalf("clerk sheet: %+v %v", res, err)
	}
	if res.Units["经营收入"] != models.UnitWan || res.Units["集体资产"] != models.UnitWan {
		t.Fatalf("units = %v", res.Units)
	}
	want := map[string]models.ReportVersion{
		seeds.FixA1: {SubsidyFen: 10_000_000, BusinessFen: 30_000_050, InvestmentFen: 5_000_000, ContractFen: 15_000_000, AssetsFen: 2_000_123_456},
		seeds.FixA2: {BusinessFen: 10_000_000, InvestmentFen: -200_025, AssetsFen: 100_000_000},
		seeds.FixB1: {BusinessFen: 60_000_000, OtherFen: 10_000},
	}
	for code, w := range want {
		rep, err := models.GetReport(db, ac["d"], code, 2024)
		if err != nil || rep.Approved == nil {
			t.Fatalf("%s: %+v %v", code, rep, err)
		}
		g := rep.Approved
		if g.BusinessFen != w.BusinessFen || g.ContractFen != w.ContractFen || g.InvestmentFen != w.InvestmentFen ||
			g.SubsidyFen != w.SubsidyFen || g.OtherFen != w.OtherFen || g.AssetsFen != w.AssetsFen {
			t.Errorf("%s = %+v, want %+v", code, g, w)
		}
	}
	recount(t, db, ac["d"])
}

func TestImportUnits(t *testing.T) {
	db, ac := setup(t)
	// The unit in every amount's header, columns in another order, in 元.
	yuan := csvOf("行政村代码,年份,投资收益(元),经营收入(元),发包及上交收入（元）,补助收入(元),其他收入(元),资产总额(元),村名",
		seeds.FixA1+",2024,0,300000.50,0,0,0,1000000.01,甲村")
	res, err := models.ImportReports(db, ac["d"], readRows(t, yuan), models.ReportImportMode{}, true)
	if err != nil || len(res.Problems) != 0 || res.Units["经营收入"] != models.UnitYuan {
		t.Fatalf("元 in the header: %+v %v", res, err)
	}
	// The 万元 template's header.
	wan := csvOf(strings.Join(models.SheetLabels(models.ReportColumns[:10], models.UnitWan), ","),
		seeds.FixA1+",2024,0,否,30.00005,0,0,0,0,100.000001")
	res, err = models.ImportReports(db, ac["d"], readRows(t, wan), models.ReportImportMode{}, false)
	if err != nil || len(res.Problems) != 0 || res.Units["集体资产"] != models.UnitWan {
		t.Fatalf("万元 template: %+v %v", res, err)
	}
	// No unit in the header: the unit chosen on the page.
	bare := csvOf(reportHeader, seeds.FixA2+",2024,0,否,30.00005,0,0,0,0,1")
	res, _ = models.ImportReports(db, ac["d"], readRows(t, bare), models.ReportImportMode{}, true)
	if len(res.Problems) != 1 || res.Problems[0].Message != models.ErrYuanPrecision.Error() {
		t.Fatalf("30.00005 元: %+v", res.Problems)
	}
	res, err = models.ImportReports(db, ac["d"], readRows(t, bare), models.ReportImportMode{Unit: models.UnitWan}, false)
	if err != nil || len(res.Problems) != 0 {
		t.Fatalf("unit chosen: %+v %v", res, err)
	}
	q, _ := models.ListQueue(db, ac["s1"], models.QueueFilter{})
	got := map[string]int64{}
	for _, e := range q.Items {
		got[e.Version.VillageCode] = e.Version.BusinessFen
	}
	if got[seeds.FixA1] != 30_000_050 || got[seeds.FixA2] != 30_000_050 {
		t.Fatalf("queued = %v", got)
	}
	// A word in an amount says which unit it wanted, once.
	res, _ = models.ImportReports(db, ac["d"], readRows(t, csvOf(reportHeader, seeds.FixB1+",2024,0,否,abc,0,0,0,0,1")), models.ReportImportMode{}, true)
	if len(res.Problems) != 1 || res.Problems[0].Message != "请填写数字（元，最多 2 位小数）" {
		t.Fatalf("a word in 元: %+v", res.Problems)
	}
}

func TestImportNotASheet(t *testing.T) {
	db, ac := setup(t)
	text := []byte("会议纪要\n一、关于村级集体经济的情况\n二、下一步工作\n三、其他事项\n")
	rows, err := models.ReadSheet(text, models.ReportSheetRows)
	if err == nil {
		res, _ := models.ImportReports(db, ac["d"], rows, models.ReportImportMode{}, true)
		if len(res.Problems) != 1 || !strings.Contains(res.Problems[0].Message, "不像是一张导入表") {
			t.Fatalf("a text file: %+v", res.Problems)
		}
		vres, _ := models.ImportVillages(db, ac["d"], rows, true)
		if len(vres.Problems) != 1 {
			t.Fatalf("a text file as villages: %+v", vres.Problems)
		}
	}
	if err := models.CheckSheetName("村级收入.xlsx", text); err == nil || strings.Count(err.Error(), "。") > 1 {
		t.Fatalf("a text file named .xlsx: %v", err)
	}
	if err := models.CheckSheetName("村级收入.csv", text); err != nil {
		t.Fatalf("a .csv: %v", err)
	}
	// A header lacking columns names them in one message, with what it found.
	res, _ := models.ImportReports(db, ac["d"], readRows(t, csvOf("村代码,年度,经营收入,备注", seeds.FixA1+",2024,1,")), models.ReportImportMode{}, true)
	if len(res.Problems) != 1 || !strings.Contains(res.Problems[0].Message, "缺少：发包及上交收入、投资收益、补助收入、其他收入、集体资产") ||
		!strings.Contains(res.Problems[0].Message, "“备注”") {
		t.Fatalf("missing columns: %+v", res.Problems)
	}
}

func TestImportVillagesByNames(t *testing.T) {
	db, ac := setup(t)
	sheet := csvOf("2025年村庄名录", "", "序号,村名,乡镇,行政村代码,类型,起始年份",
		"1,新河村,海门街道,331002001209,整治提升,2000")
	res, err := models.ImportVillages(db, ac["d"], readRows(t, sheet), false)
	if err != nil || len(res.Problems) != 0 || len(res.NewCodes) != 1 || len(res.Ignored) != 1 {
		t.Fatalf("a village sheet of its own: %+v %v", res, err)
	}
}
