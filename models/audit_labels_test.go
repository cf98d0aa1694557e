package models

import "testing"

// TestAuditChanges: Go field names and nested keys get their Chinese labels, 分
// become 万元, and unchanged fields are left out.
func TestAuditChanges(t *testing.T) {
	e := AuditEntry{
		Before: `{"Status":"submitted","Version":2,"StarLevel":1,"version":{"profit_fen":100}}`,
		After:  `{"Status":"approved","Version":2,"StarLevel":3,"version":{"profit_fen":1500000}}`,
	}
	want := map[string][2]string{"状态": {"待审核", "已通过"}, "星级": {"1", "3"}, "版本 · 利润": {"0.00 万元", "1.50 万元"}}
	got := e.Changes()
	if len(got) != len(want) {
		t.Fatalf("changes %v", got)
	}
	for _, c := range got {
		if w, ok := want[c.Field]; !ok || w != [2]string{c.Before, c.After} {
			t.Errorf("%s: %s → %s", c.Field, c.Before, c.After)
		}
	}
	// A submission's flags read as their words.
	e = AuditEntry{After: `{"note":"停产","flags":[{"code":"cross_50w","field":"operating_fen","message":"经营性收入跌破 50 万元线"},{"code":"dividend","field":"investment_fen","message":"强村公司分红 1.00 万元，高于填报的投资收益 0.00 万元"}]}`}
	found := false
	for _, c := range e.Changes() {
		if c.Field == "审核提示" {
			found = true
			if c.After != "经营性收入跌破 50 万元线；强村公司分红 1.00 万元，高于填报的投资收益 0.00 万元" {
				t.Errorf("flags: %q", c.After)
			}
		}
	}
	if !found {
		t.Errorf("no 审核提示 among %v", e.Changes())
	}
	for code, label := range map[string]string{"report.approve": "审核通过", "user.reset": "重置密码", "unknown.x": "unknown.x",
		"setting.flag_median_k100": "设定审核提示：中位数倍数"} {
		if got := ActionLabel(code); got != label {
			t.Errorf("ActionLabel(%s) = %s", code, got)
		}
	}
}
