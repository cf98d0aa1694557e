package handlers

import (
	"net/http/httptest"
	"strings"
	"testing"

	"cunji/seeds"
)

// TestImportDistrictSheets: a text file renamed .xlsx is one sentence; the 万元
// template downloads and names its unit; a sheet without units is read in the unit
// chosen; the import page offers both templates and the choice.
func TestImportDistrictSheets(t *testing.T) {
	en := newEnv(t)
	post := func(path, name string, data []byte) *httptest.ResponseRecorder {
		body, ctype := multipartFile(t, name, data)
		req := httptest.NewRequest("POST", path, body)
		req.Header.Set("Content-Type", ctype)
		req.Header.Set("Authorization", "Bearer "+en.token("d"))
		rec := httptest.NewRecorder()
		en.e.ServeHTTP(rec, req)
		return rec
	}
	text := []byte("会议纪要\n一、情况\n二、问题\n")
	rec := post("/api/v1/import/reports?dry_run=true", "年报.xlsx", text)
	if rec.Code != 422 || !strings.Contains(rec.Body.String(), "不是 Excel 工作簿") || strings.Contains(rec.Body.String(), "problems") {
		t.Fatalf("a text file named .xlsx: %d %s", rec.Code, rec.Body.String())
	}
	rec = post("/api/v1/import/reports?dry_run=true", "年报.csv", text)
	if rec.Code != 422 || !strings.Contains(rec.Body.String(), "有 1 处问题") || !strings.Contains(rec.Body.String(), "不像是一张导入表") {
		t.Fatalf("a text file named .csv: %d %s", rec.Code, rec.Body.String())
	}
	req := httptest.NewRequest("GET", "/api/v1/import/template/reports-wan?format=csv", nil)
	req.Header.Set("Authorization", "Bearer "+en.token("d"))
	tpl := httptest.NewRecorder()
	en.e.ServeHTTP(tpl, req)
	if tpl.Code != 200 || !strings.Contains(tpl.Body.String(), "经营收入（万元）") {
		t.Fatalf("万元 template: %d %s", tpl.Code, tpl.Body.String())
	}
	sheet := []byte("村代码,年度,经营收入,发包及上交收入,投资收益,补助收入,其他收入,集体资产\n" + seeds.FixA1 + ",2024,30.00005,0,0,0,0,1\n")
	if rec := post("/api/v1/import/reports?dry_run=true", "x.csv", sheet); rec.Code != 422 {
		t.Fatalf("30.00005 元: %d %s", rec.Code, rec.Body.String())
	}
	if rec := post("/api/v1/import/reports?dry_run=true&unit=wan", "x.csv", sheet); rec.Code != 200 || !strings.Contains(rec.Body.String(), `"经营收入":"万元"`) {
		t.Fatalf("unit=wan: %d %s", rec.Code, rec.Body.String())
	}
	if rec := post("/api/v1/import/reports?dry_run=true&unit=jin", "x.csv", sheet); rec.Code != 422 {
		t.Fatalf("unit=jin: %d", rec.Code)
	}
	page := en.page("GET", "/import", en.token("d"), nil, false)
	if page.Code != 200 || !strings.Contains(page.Body.String(), "/import/template/reports-wan") || !strings.Contains(page.Body.String(), `name="unit"`) {
		t.Fatalf("import page: %d", page.Code)
	}
}
