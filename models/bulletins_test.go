package models_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"cunji/models"
	"cunji/seeds"
)

func TestChineseDate(t *testing.T) {
	for _, c := range []struct {
		y, m, d int
		want    string
	}{
		{2026, 12, 1, "二〇二六年十二月一日"},
		{2026, 10, 31, "二〇二六年十月三十一日"},
		{2020, 2, 20, "二〇二〇年二月二十日"},
		{2027, 1, 15, "二〇二七年一月十五日"},
	} {
		got := models.ChineseDate(time.Date(c.y, time.Month(c.m), c.d, 0, 0, 0, 0, models.Shanghai))
		if got != c.want {
			t.Errorf("%d-%d-%d: %s, want %s", c.y, c.m, c.d, got, c.want)
		}
	}
}

// TestBulletinNarrative: the sentences carry the roll-up's figures and say only
// what they support (issue 14).
//
//	2024 (closed): 4 active; 甲 60万, 乙 30万 → 1/4 = 25%.
//	2025 (closed): 3 active (丙 merged away); 甲 60万, 乙 55万, 丁 45万 → 2/3 = 66.7%,
//	up 41.7 points; district target 2025 none; 2027 target 85% → ⌈0.85×3⌉ − 2 = 1.
func TestBulletinNarrative(t *testing.T) {
	db, ac := setup(t)
	approved(t, db, ac["v1"], ac["s1"], seeds.FixA1, 2024, op(60_000_000))
	approved(t, db, ac["v2"], ac["s1"], seeds.FixA2, 2024, op(30_000_000))
	approved(t, db, ac["v1"], ac["s1"], seeds.FixA1, 2025, op(60_000_000))
	approved(t, db, ac["v2"], ac["s1"], seeds.FixA2, 2025, op(55_000_000))
	approved(t, db, ac["v4"], ac["s2"], seeds.FixB1, 2025, op(45_000_000))
	closeYears(t, db, ac["d"], 2024, 2025)
	if _, err := models.SetTarget(db, ac["d"], seeds.DistrictCode, models.IndIncome50w, 2027, 8500, ""); err != nil {
		t.Fatal(err)
	}
	doc, err := models.ComposeBulletin(db, ac["d"], "", 2025, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	text := doc.Text()
	for _, want := range []string{
		"全区 3 个行政村中，3 个村的 2025 年度数据经街道审核通过；经营性收入达 50 万元以上的村 2 个，占 66.7%，较上年提高 41.7 个百分点（上年 25.0%）。",
		"本年未下达目标。", "距 2027 年 85.0% 目标还差 1 个村。",
		"一、总体情况", "二、各街道（镇）情况", "三、分村庄类型情况", "四、冲刺名单与预警名单",
		"经营性收入 40 万至 50 万元的村 1 个，列入冲刺名单",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %q in:\n%s", want, text)
		}
	}
	if strings.Contains(text, "临时数") {
		t.Errorf("a closed year called provisional")
	}
	// A year in progress is provisional; a year target assigned gives the villages needed.
	if _, err := models.SetTarget(db, ac["d"], seeds.DistrictCode, models.IndIncome50w, 2026, 10000, ""); err != nil {
		t.Fatal(err)
	}
	approved(t, db, ac["v1"], ac["s1"], seeds.FixA1, 2026, op(60_000_000))
	doc, err = models.ComposeBulletin(db, ac["d"], "", 2026, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	text = doc.Text()
	for _, want := range []string{"临时数", "本年目标 100.0%，还需 2 个村达到 50 万元。", "年度进行中，不作三色预警。", "暂不与上年比较"} {
		if !strings.Contains(text, want) {
			t.Errorf("2026: missing %q in:\n%s", want, text)
		}
	}
	// Its provisional share is not set against last year's result.
	if strings.Contains(text, "较上年") {
		t.Errorf("2026 (in progress) compared with 2025:\n%s", text)
	}
	// A street's 通报 speaks of the street only.
	doc, err = models.ComposeBulletin(db, ac["s1"], "", 2025, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if text = doc.Text(); strings.Contains(text, "全区") || strings.Contains(text, "各街道（镇）情况") {
		t.Errorf("street bulletin speaks of the district:\n%s", text)
	}
}

// TestBulletinKept: an issued 通报 is kept as issued (later approvals change nothing
// in it), equals the document composed again at its as_of, takes a 文号 once, and
// is read by the district and by the streets it concerns only.
func TestBulletinKept(t *testing.T) {
	db, ac := setup(t)
	approved(t, db, ac["v1"], ac["s1"], seeds.FixA1, 2025, op(60_000_000))
	closeYears(t, db, ac["d"], 2025)
	in := models.BulletinInput{Year: 2025, Issuer: "椒江区农业农村局", DocumentNo: "椒农〔2026〕12号", IssuedOn: "2026-12-01"}
	b, err := models.IssueBulletin(db, ac["d"], in)
	if err != nil {
		t.Fatal(err)
	}
	kept, err := b.Document()
	if err != nil {
		t.Fatal(err)
	}
	if kept.DateText != "二〇二六年十二月一日" || kept.Issuer != in.Issuer || kept.DocumentNo != in.DocumentNo {
		t.Fatalf("stamp: %+v", kept)
	}
	approved(t, db, ac["v4"], ac["s2"], seeds.FixB1, 2025, op(70_000_000))
	again, err := models.GetBulletin(db, ac["d"], b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if again.Content != b.Content {
		t.Fatalf("kept content changed")
	}
	recomposed, err := models.ComposeBulletin(db, ac["d"], "", 2025, b.AsOf)
	if err != nil {
		t.Fatal(err)
	}
	recomposed.Issuer, recomposed.DocumentNo, recomposed.DateText = kept.Issuer, kept.DocumentNo, kept.DateText
	raw, _ := json.Marshal(recomposed)
	if string(raw) != b.Content {
		t.Fatalf("as_of answer differs:\n%s\n%s", raw, b.Content)
	}
	now, _ := models.ComposeBulletin(db, ac["d"], "", 2025, time.Now())
	if now.Text() == kept.Text() {
		t.Fatalf("the later approval should change a bulletin of now")
	}
	var ve *models.ValidationError
	if _, err := models.IssueBulletin(db, ac["d"], in); !errors.As(err, &ve) || ve.Fields["document_no"] == "" {
		t.Fatalf("same 文号 twice: %v", err)
	}
	if _, err := models.IssueBulletin(db, ac["d"], models.BulletinInput{Year: 2025}); !errors.As(err, &ve) || len(ve.Fields) != 3 {
		t.Fatalf("empty form: %v", err)
	}
	if _, err := models.IssueBulletin(db, ac["s1"], in); !errors.Is(err, models.ErrForbidden) {
		t.Fatalf("a street issued: %v", err)
	}
	in2 := in
	in2.Street, in2.DocumentNo = "331002002", "椒农〔2026〕13号"
	b2, err := models.IssueBulletin(db, ac["d"], in2)
	if err != nil {
		t.Fatal(err)
	}
	list := func(a *models.Actor) []uint {
		bs, err := models.ListBulletins(db, a)
		if err != nil {
			t.Fatal(err)
		}
		var ids []uint
		for _, x := range bs {
			ids = append(ids, x.ID)
		}
		return ids
	}
	if got := list(ac["d"]); len(got) != 2 || got[0] != b2.ID {
		t.Fatalf("district list %v", got)
	}
	if got := list(ac["s1"]); len(got) != 1 || got[0] != b.ID {
		t.Fatalf("street 1 list %v", got)
	}
	if got := list(ac["s2"]); len(got) != 2 {
		t.Fatalf("street 2 list %v", got)
	}
	if _, err := models.GetBulletin(db, ac["s1"], b2.ID); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("street 1 read street 2's: %v", err)
	}
	if got := list(ac["v1"]); len(got) != 0 {
		t.Fatalf("cadre list %v", got)
	}
	// Kept means kept: GORM refuses to update or delete one.
	if err := db.Model(again).Update("issuer", "x").Error; err == nil {
		t.Fatal("a kept bulletin was updated")
	}
	if err := db.Delete(again).Error; err == nil {
		t.Fatal("a kept bulletin was deleted")
	}
}
