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
	for code, label := range map[string]string{"report.approve": "审核通过", "user.reset": "重置密码", "unknown.x": "unknown.x"} {
		if got := ActionLabel(code); got != label {
			t.Errorf("ActionLabel(%s) = %s", code, got)
		}
	}
}
