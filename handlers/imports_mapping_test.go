package handlers

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"cunji/seeds"

	"github.com/xuri/excelize/v2"
)

// clerkWorkbook is a district clerk's sheet whose required columns go by names no
// import knows: a title naming the year, a two-row header with merged cells,
// amounts in 万元 named above them, its own column order, a 合计 row.
func clerkWorkbook(t *testing.T, business int) []byte {
	t.Helper()
	f := excelize.NewFile()
	rows := [][]any{
		{"2024年 椒江区村级集体经济收入统计表"},
		{"序号", "行政村代码", "村名", "收入明细（万元）", "", "", "", "", "期末资产合计（万元）"},
		{"", "", "", "村级经营性收入", "补助收入", "投资收益", "发包上交", "其他收入"},
		{1, seeds.FixA1, "甲村", business, 10, 5, 15, 0, 2000},
		{2, seeds.FixB1, "丁村", 60, 0, 0, 0, 0, 0},
		{"合计", "", "", business + 60, 10, 5, 15, 0, 2000},
	}
	for i, r := range rows {
		for j, v := range r {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
			if v != "" {
				f.SetCellValue("Sheet1", cell, v)
			}
		}
	}
	for _, m := range [][2]string{{"A1", "I1"}, {"A2", "A3"}, {"B2", "B3"}, {"C2", "C3"}, {"D2", "H2"}, {"I2", "I3"}} {
		if err := f.MergeCell("Sheet1", m[0], m[1]); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// clerkChoice is the mapping a clerk picks for clerkWorkbook, column by column.
var clerkChoice = map[string]string{"map_1": "code", "map_2": "name", "map_3": "business_fen", "map_4": "subsidy_fen",
	"map_5": "investment_fen", "map_6": "contract_fen", "map_7": "other_fen", "map_8": "assets_fen"}

// TestImportMappingPage: the clerk's sheet asks, on the page, for the field of each
// column (select boxes in Chinese, one per column, the guesses selected) instead of
// header errors; the choice checks the kept file; 确认导入 writes it and keeps the
// choice; the next upload of that sheet is read with it and says so. A text file
// renamed .xlsx is one sentence.
func TestImportMappingPage(t *testing.T) {
	en := newEnv(t)
	d := en.token("d")
	rec := en.upload("/import/reports", d, "年报.xlsx", []byte("会议纪要\n一、情况\n"), true)
	if rec.Code != 422 || !strings.Contains(rec.Body.String(), "不是 Excel 工作簿") || strings.Contains(rec.Body.String(), "mapform") {
		t.Fatalf("a text file named .xlsx: %d", rec.Code)
	}
	rec = en.upload("/import/reports", d, "2024年报.xlsx", clerkWorkbook(t, 30), true)
	body := rec.Body.String()
	if rec.Code != 422 || !strings.Contains(body, "请选择各列对应的项目") || !strings.Contains(body, "缺少：经营收入、发包及上交收入、集体资产") ||
		strings.Count(body, `<select id="map-`) != 10 || !strings.Contains(body, `<option value="code" selected>村代码（必填）</option>`) ||
		!strings.Contains(body, "D 列：“村级经营性收入” <small class=\"muted\">例：30</small>") || !strings.Contains(body, `name="header_row" value="3"`) {
		t.Fatalf("mapping step: %d\n%s", rec.Code, body)
	}
	m := stagedToken.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no kept file for the mapping step")
	}
	form := url.Values{"token": {m[1]}, "step": {"map"}, "header_row": {"3"}, "mode": {"approve"}, "reason": {"2024 年年报"}}
	for k, v := range clerkChoice {
		form.Set(k, v)
	}
	// A field chosen for two columns is one problem, and the step is offered again.
	form.Set("map_6", "business_fen")
	if rec = en.page("POST", "/import/reports", d, form, true); rec.Code != 422 || !strings.Contains(rec.Body.String(), "都选了“经营收入”") ||
		!strings.Contains(rec.Body.String(), `name="step" value="map"`) {
		t.Fatalf("a field twice: %d\n%s", rec.Code, rec.Body.String())
	}
	form.Set("map_6", "contract_fen")
	before := en.state()
	rec = en.page("POST", "/import/reports", d, form, true)
	body = rec.Body.String()
	if rec.Code != 200 || !strings.Contains(body, "检查通过") || !strings.Contains(body, "按你选择的各列对应读取") ||
		!strings.Contains(body, `name="map_3" value="business_fen"`) || !strings.Contains(body, "经营收入 <b>万元</b>") || en.state() != before {
		t.Fatalf("checked with the mapping: %d\n%s", rec.Code, body)
	}
	confirm := url.Values{"token": {m[1]}, "header_row": {"3"}, "mode": {"approve"}, "reason": {"2024 年年报"}}
	for k, v := range clerkChoice {
		confirm.Set(k, v)
	}
	if rec = en.page("POST", "/import/reports", d, confirm, true); rec.Code != 200 || !strings.Contains(rec.Body.String(), "已导入") {
		t.Fatalf("commit: %d\n%s", rec.Code, rec.Body.String())
	}
	rec = en.upload("/import/reports", d, "2024年报.xlsx", clerkWorkbook(t, 31), true)
	body = rec.Body.String()
	if rec.Code != 200 || !strings.Contains(body, "已按上次保存的列对应读取本表") || !strings.Contains(body, "修正 <b>1</b> 个") ||
		!strings.Contains(body, "调整各列对应") {
		t.Fatalf("the next upload: %d\n%s", rec.Code, body)
	}
}

// TestImportMappingAPI: the API answers the mapping step in the result (columns,
// guesses, samples, fields, what is missing), takes a mapping by column letters,
// keeps it on commit and applies it next time; the village import too.
func TestImportMappingAPI(t *testing.T) {
	en := newEnv(t)
	d := en.token("d")
	post := func(path string, data []byte) (int, map[string]any) {
		name := "x.xlsx"
		if !bytes.HasPrefix(data, []byte("PK")) {
			name = "x.csv"
		}
		rec := en.upload(path, d, name, data, false)
		var out map[string]any
		json.Unmarshal(rec.Body.Bytes(), &out)
		return rec.Code, out
	}
	code, out := post("/api/v1/import/reports?dry_run=true", clerkWorkbook(t, 30))
	res, _ := out["result"].(map[string]any)
	mp, _ := res["mapping"].(map[string]any)
	if code != 422 || mp == nil || mp["needed"] != true || mp["header_row"] != 3.0 || len(mp["fields"].([]any)) != 12 {
		t.Fatalf("mapping step: %d %v", code, out)
	}
	cols := mp["columns"].([]any)
	if d := cols[3].(map[string]any); d["column"] != "D" || d["header"] != "村级经营性收入" || d["field"] != "" || d["sample"] != "30" {
		t.Fatalf("column D: %v", d)
	}
	choice := map[string]any{"header_row": 3, "columns": map[string]string{"B": "code", "D": "business_fen", "E": "subsidy_fen",
		"F": "investment_fen", "G": "contract_fen", "H": "other_fen", "I": "assets_fen"}}
	js, _ := json.Marshal(choice)
	q := "&mapping=" + url.QueryEscape(string(js))
	if code, out = post("/api/v1/import/reports?dry_run=false&mode=approve&reason=年报"+q, clerkWorkbook(t, 30)); code != 200 || out["new"] != 2.0 {
		t.Fatalf("with the mapping: %d %v", code, out)
	}
	code, out = post("/api/v1/import/reports?dry_run=true", clerkWorkbook(t, 30))
	if mp, _ := out["mapping"].(map[string]any); code != 200 || out["unchanged"] != 2.0 || mp["remembered"] == nil {
		t.Fatalf("remembered: %d %v", code, out)
	}
	if code, out = post("/api/v1/import/reports?dry_run=true&mapping=%7B", clerkWorkbook(t, 30)); code != 422 {
		t.Fatalf("a broken mapping: %d %v", code, out)
	}
	if code, out = post("/api/v1/import/reports?dry_run=true&mapping="+url.QueryEscape(`{"header_row":3,"columns":{"Ä1":"code"}}`), clerkWorkbook(t, 30)); code != 422 {
		t.Fatalf("a bad column: %d %v", code, out)
	}
	// The village import: 村落编码 and 设立年份 are not usual names.
	villages := []byte("序号,村名,乡镇,村落编码,类型,设立年份\n1,新河村,海门街道,331002001209,整治提升,2000\n")
	if code, out = post("/api/v1/import/villages?dry_run=true", villages); code != 422 || out["result"] == nil || out["result"].(map[string]any)["mapping"].(map[string]any)["needed"] != true {
		t.Fatalf("villages mapping step: %d %v", code, out)
	}
	vm := url.QueryEscape(`{"header_row":1,"columns":{"B":"name","C":"street_code","D":"code","E":"type","F":"active_from"}}`)
	if code, out = post("/api/v1/import/villages?dry_run=false&mapping="+vm, villages); code != 200 || out["committed"] != true {
		t.Fatalf("villages with the mapping: %d %v", code, out)
	}
	if code, out = post("/api/v1/import/villages?dry_run=true", villages); code != 200 || out["mapping"].(map[string]any)["remembered"] == nil {
		t.Fatalf("villages remembered: %d %v", code, out)
	}
	// A street may not import, mapping or not.
	if rec := en.upload("/api/v1/import/villages?dry_run=true&mapping="+vm, en.token("s1"), "x.csv", villages, false); rec.Code != 403 {
		t.Fatalf("street: %d", rec.Code)
	}
}
