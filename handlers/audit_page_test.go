package handlers

import (
	"bytes"
	"encoding/csv"
	"net/url"
	"strings"
	"testing"
	"time"

	"cunji/models"
	"cunji/seeds"
)

// TestAuditReadable: the audit page names actions and fields in Chinese, shows
// money in 万元 with only the changed fields, filters by village, person, action and
// date, and exports the same columns as CSV with formulas neutralised.
func TestAuditReadable(t *testing.T) {
	en := newEnv(t)
	tok := en.token("v1")
	path := "/api/v1/villages/" + seeds.FixA1 + "/reports/2025"
	if code, b := en.api("PUT", path, tok, map[string]any{"business_fen": 13287499300, "note": "=1+2", "version": 0}); code != 200 {
		t.Fatalf("save: %d %v", code, b)
	}
	if code, _ := en.api("POST", path+"/submit", tok, map[string]any{"version": 1}); code != 200 {
		t.Fatalf("submit: %d", code)
	}
	if code, _ := en.api("POST", path+"/approve", en.token("s1"), map[string]any{"version": 2}); code != 200 {
		t.Fatalf("approve: %d", code)
	}
	d := en.token("d")
	get := func(p string) string {
		t.Helper()
		rec := en.page("GET", p, d, nil, false)
		if rec.Code != 200 {
			t.Fatalf("%s: %d %s", p, rec.Code, rec.Body.String())
		}
		return rec.Body.String()
	}
	today := time.Now().In(models.Shanghai).Format(time.DateOnly)
	cases := []struct {
		name, path string
		has, not   []string
	}{
		{"readable", "/audit", []string{"审核通过", "新建填报", "经营收入", "1.33 亿元", "待审核", "已通过", "甲村"},
			[]string{">report.approve<", "business_fen", "13287499300"}},
		{"only changed fields", "/audit?action=report.approve", []string{"<th scope=\"row\">状态</th><td>待审核</td><td>已通过</td>"},
			[]string{"<th scope=\"row\">经营收入</th>"}},
		{"village", "/audit?village=" + seeds.FixB1, []string{"共 0 条"}, nil},
		{"person", "/audit?actor=s1", []string{"共 1 条", "<b>审核通过</b>"}, []string{"<b>新建填报</b>"}},
		{"person by name", "/audit?actor=" + url.QueryEscape("s1（测试）"), []string{"共 1 条", "<b>审核通过</b>", "format=xlsx"}, []string{"<b>新建填报</b>"}},
		{"action", "/audit?action=report.create", []string{"共 1 条", "新建填报"}, []string{"审核通过</b>"}},
		{"today", "/audit?village=" + seeds.FixA1 + "&from=" + today + "&to=" + today, []string{"共 3 条"}, nil},
		{"before", "/audit?to=2020-01-01", []string{"共 0 条"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			body := get(c.path)
			for _, s := range c.has {
				if !strings.Contains(body, s) {
					t.Errorf("missing %q", s)
				}
			}
			for _, s := range c.not {
				if strings.Contains(body, s) {
					t.Errorf("unexpected %q", s)
				}
			}
		})
	}
	if rec := en.page("GET", "/audit?from=yesterday", d, nil, false); rec.Code != 422 {
		t.Errorf("bad date: %d", rec.Code)
	}

	rec := en.page("GET", "/audit/export?village="+seeds.FixA1+"&format=csv", d, nil, false)
	if rec.Code != 200 || !strings.Contains(rec.Header().Get("Content-Disposition"), "attachment") {
		t.Fatalf("export: %d", rec.Code)
	}
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(rec.Body.Bytes(), []byte("\xEF\xBB\xBF")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(rows[0], ","); got != "时间,操作人,角色,来源地址,操作,对象,村,字段,变更前,变更后" {
		t.Errorf("header %s", got)
	}
	var money, formula bool
	for _, r := range rows[1:] {
		if r[4] == "新建填报" && r[7] == "经营收入" && r[9] == "1.33 亿元" {
			money = true
		}
		if r[7] == "说明" && r[9] != "=1+2" && strings.Contains(r[9], "=1+2") {
			formula = true
		}
	}
	if !money || !formula {
		t.Errorf("export rows (money %v, formula neutralised %v): %v", money, formula, rows)
	}
	if rec := en.page("GET", "/audit/export?format=csv", en.token("v1"), nil, false); rec.Code != 403 {
		t.Errorf("cadre export: %d", rec.Code)
	}
}
