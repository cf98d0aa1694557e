package handlers

import (
	"net/url"
	"strings"
	"testing"

	"cunji/seeds"
)

// TestImportTitlesAndTargets: the naming list and the 分解下达 sheet through the
// API and the import page: the district only (a street officer and a cadre get 403
// and change nothing), 422 with every problem in Chinese, a checked file committed
// by its token, and both templates downloadable.
func TestImportTitlesAndTargets(t *testing.T) {
	en := newEnv(t)
	titles := []byte("村代码,村名,称号,星级,年度,命名日期,文号\n" + seeds.FixA1 + ",甲村,星级美丽乡村,2,2025,2025-12-01,椒政办发〔2025〕9号\n")
	targets := []byte("范围,年度,指标,目标值,计量单位\n海门街道,2026,income_50w,70,%\n")
	for _, c := range []struct {
		path string
		data []byte
		want string
	}{
		{"/api/v1/import/titles", titles, `"new":[{"row":2,"village_code":"` + seeds.FixA1 + `"`},
		{"/api/v1/import/targets", targets, `"set":[{"row":2,"scope_code":"331002001"`},
	} {
		for _, who := range []string{"s1", "v1"} {
			before := en.state()
			if rec := en.upload(c.path+"?dry_run=false", en.token(who), "x.csv", c.data, false); rec.Code != 403 {
				t.Fatalf("%s as %s: %d", c.path, who, rec.Code)
			}
			if en.state() != before {
				t.Fatalf("%s as %s changed the state", c.path, who)
			}
		}
		rec := en.upload(c.path+"?dry_run=true", en.token("d"), "x.csv", c.data, false)
		if rec.Code != 200 || !strings.Contains(rec.Body.String(), c.want) {
			t.Fatalf("%s dry run: %d %s", c.path, rec.Code, rec.Body.String())
		}
		broken := []byte(strings.Replace(string(c.data), ",2025,2025-12-01", ",2099,2025-12-01", 1))
		broken = []byte(strings.Replace(string(broken), ",70,", ",170,", 1))
		rec = en.upload(c.path+"?dry_run=false", en.token("d"), "x.csv", broken, false)
		if rec.Code != 422 || !strings.Contains(rec.Body.String(), `"problems":[{"row":2`) || !strings.Contains(rec.Body.String(), "未写入任何数据") {
			t.Fatalf("%s with a bad row: %d %s", c.path, rec.Code, rec.Body.String())
		}
		for _, f := range []string{"xlsx", "csv"} {
			kind := strings.TrimPrefix(c.path, "/api/v1/import/")
			if rec := en.page("GET", "/import/template/"+kind+"?format="+f, en.token("d"), nil, false); rec.Code != 200 || rec.Body.Len() == 0 {
				t.Fatalf("%s template %s: %d", kind, f, rec.Code)
			}
		}
	}
	// The page: check, then commit the same file by its token.
	for _, c := range []struct {
		kind        string
		data        []byte
		shown, list string
	}{
		{"titles", titles, "登记 <b>1</b> 次命名", "/titles"},
		{"targets", targets, "下达 <b>1</b> 项目标", "/targets"},
	} {
		if rec := en.upload("/import/"+c.kind, en.token("s1"), "x.csv", c.data, true); rec.Code != 403 {
			t.Fatalf("page %s as s1: %d", c.kind, rec.Code)
		}
		rec := en.upload("/import/"+c.kind, en.token("d"), "x.csv", c.data, true)
		m := stagedToken.FindStringSubmatch(rec.Body.String())
		if rec.Code != 200 || m == nil || !strings.Contains(rec.Body.String(), c.shown) {
			t.Fatalf("page %s check: %d %s", c.kind, rec.Code, rec.Body.String())
		}
		before := en.state()
		rec = en.page("POST", "/import/"+c.kind, en.token("d"), url.Values{"token": {m[1]}}, true)
		if rec.Code != 200 || !strings.Contains(rec.Body.String(), "已导入") || en.state() == before {
			t.Fatalf("page %s commit: %d", c.kind, rec.Code)
		}
	}
	page := en.page("GET", "/import", en.token("d"), nil, false)
	for _, want := range []string{`action="/import/titles"`, `action="/import/targets"`, "/import/template/titles", "/import/template/targets"} {
		if !strings.Contains(page.Body.String(), want) {
			t.Errorf("import page lacks %s", want)
		}
	}
}
