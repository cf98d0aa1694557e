package models_test

import (
	"strings"
	"testing"

	"cunji/models"
	"cunji/seeds"
)

// TestUserSheetLikeAClerk: the account sheet is read by the same header finder as
// the other imports: a title row above the header, the columns by other usual names
// in another order, an extra column ignored; a sheet without the header gets one
// sentence, a missing column one message naming it.
func TestUserSheetLikeAClerk(t *testing.T) {
	db, ac := setup(t)
	rows := [][]string{
		{"海门街道村干部账号申请表", "", "", "", "", ""},
		{"序号", "姓名", "联系电话", "账号", "角色", "所属范围"},
		{"1", "王一", "13800000001", "wang-yi", "村干部", seeds.FixA1},
		{"2", "李二", "", "li-er", "村", seeds.FixA2},
		{"合计", "", "", "", "", ""},
	}
	created, probs, err := models.BulkCreateUsers(db, ac["d"], rows)
	if err != nil || len(probs) != 0 || len(created) != 2 {
		t.Fatalf("created %v, problems %v, %v", created, probs, err)
	}
	if created[0].Username != "wang-yi" || created[0].Name != "王一" || created[0].Phone != "13800000001" || created[0].Scope != seeds.FixA1 || created[1].Role != models.RoleVillage {
		t.Errorf("read %+v", created)
	}
	_, probs, _ = models.BulkCreateUsers(db, ac["d"], [][]string{{"随便写的", "一行字"}, {"a", "b"}})
	if len(probs) != 1 || !strings.Contains(probs[0].Message, "找不到表头") {
		t.Errorf("not a sheet: %v", probs)
	}
	_, probs, _ = models.BulkCreateUsers(db, ac["d"], [][]string{{"账号", "姓名", "手机"}, {"zhang-san", "张三", ""}})
	if len(probs) != 1 || !strings.Contains(probs[0].Message, "缺少：角色、范围代码") {
		t.Errorf("missing columns: %v", probs)
	}
}
