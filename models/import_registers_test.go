package models_test

import (
	"math/big"
	"strings"
	"testing"
	"time"

	"cunji/models"
	"cunji/seeds"
)

// sheet splits CSV-like lines (no quoting) into rows, as ReadSheet would give them.
func sheet(lines ...string) [][]string {
	out := make([][]string, len(lines))
	for i, l := range lines {
		out[i] = strings.Split(l, ",")
	}
	return out
}

// problemText joins an import's problems, for matching in messages.
func problemText(ps []models.ImportProblem) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString(p.Column + "：" + p.Message + "\n")
	}
	return b.String()
}

// TestImportTitles: the district's naming list, found below its title rows, by
// code or by name, the level in its own column or in the title, all or nothing
// with row-level Chinese errors, the register counting it as namings by hand, and
// a second import entering nothing.
func TestImportTitles(t *testing.T) {
	db, ac := setup(t)
	good := sheet(
		"2024年度星级美丽乡村和和美乡村命名名单,,,,,",
		"序号,行政村,称号,星级,命名日期,命名文号",
		"1,甲村,三星级美丽乡村,,2024年12月20日,椒政办发〔2024〕18号",
		"2,乙村,星级美丽乡村,一星,2024/12/20,椒政办发〔2024〕18号",
		"3,丁村,和美乡村,,45646,椒政办发〔2024〕18号",
	)
	before := snapshot(t, db)
	res, err := models.ImportTitles(db, ac["d"], good, true)
	if err != nil || len(res.Problems) > 0 || len(res.New) != 3 || res.Year != 2024 || res.Committed {
		t.Fatalf("dry run: %+v %v", res, err)
	}
	if res.New[0].VillageCode != seeds.FixA1 || res.New[0].Level != 3 || res.New[1].Level != 1 ||
		res.New[2].Title != models.TitleHemei || res.New[2].NamedOn != "2024-12-20" {
		t.Fatalf("rows read: %+v", res.New)
	}
	if snapshot(t, db) != before {
		t.Fatal("a dry run wrote")
	}
	for _, who := range []string{"s1", "v1"} {
		if _, err := models.ImportTitles(db, ac[who], good, false); err != models.ErrForbidden {
			t.Fatalf("%s: %v, want forbidden", who, err)
		}
	}
	if res, err = models.ImportTitles(db, ac["d"], good, false); err != nil || !res.Committed {
		t.Fatalf("commit: %+v %v", res, err)
	}
	ru, err := models.ComputeRollup(db, ac["d"], "", 2024, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if ru.Star.Rated != 2 || ru.Star.NewByLevel[3] != 1 || ru.Star.NewByLevel[1] != 1 || ru.Hemei.New != 1 {
		t.Fatalf("roll-up after the list: %+v %+v", ru.Star, ru.Hemei)
	}
	es, _ := models.ListTitles(db, ac["d"], models.TitleFilter{})
	if len(es) != 3 || es[0].DocumentNo != "椒政办发〔2024〕18号" || es[0].RecordedBy == "" {
		t.Fatalf("register: %+v", es)
	}
	again, err := models.ImportTitles(db, ac["d"], good, false)
	if err != nil || len(again.New) != 0 || again.Unchanged != 3 {
		t.Fatalf("the same list again: %+v %v", again, err)
	}
	if es2, _ := models.ListTitles(db, ac["d"], models.TitleFilter{}); len(es2) != 3 {
		t.Fatalf("the same list entered twice: %d entries", len(es2))
	}

	// One bad row refuses the whole list; each problem names its row and column.
	bad := sheet(
		"村代码,村名,称号,星级,年度,命名日期,文号",
		seeds.FixA2+",乙村,和美乡村,,2025,2025-11-30,椒政办发〔2025〕7号",
		seeds.FixA1+",乙村,星级美丽乡村,2,2025,2025-11-30,椒政办发〔2025〕7号",
		"999999999999,,和美乡村,,2025,2025-11-30,椒政办发〔2025〕7号",
		",戊村,和美乡村,,2025,2025-11-30,椒政办发〔2025〕7号",
		seeds.FixB1+",,星级美丽乡村,5,2025,2025-11-30,椒政办发〔2025〕7号",
		seeds.FixB1+",,文明村,,2025,2025-11-30,椒政办发〔2025〕7号",
		seeds.FixA3+",,和美乡村,,2025,2025-11-30,椒政办发〔2025〕7号",
		seeds.FixB1+",,和美乡村,,2025,2025-13-01,",
		seeds.FixA2+",,和美乡村,,2025,2025-11-30,椒政办发〔2025〕7号",
	)
	before = snapshot(t, db)
	res, err = models.ImportTitles(db, ac["d"], bad, false)
	if err != nil || res.Committed || len(res.New) != 0 {
		t.Fatalf("bad list: %+v %v", res, err)
	}
	text := problemText(res.Problems)
	for _, want := range []string{"村名“乙村”与村代码", "本区没有这个村代码", "本区没有叫“戊村”的村", "星级须为 1、2 或 3",
		"请写明称号", "该村在这一年度不在册", "命名日期须为日期", "请填写命名文号", "与第 2 行是同一村同一命名"} {
		if !strings.Contains(text, want) {
			t.Errorf("problems lack %q:\n%s", want, text)
		}
	}
	if res.Problems[0].Row != 3 {
		t.Errorf("first problem on row %d, want 3", res.Problems[0].Row)
	}
	if snapshot(t, db) != before {
		t.Fatal("a refused list wrote")
	}
	// A sheet that names no village column, or no year anywhere, says so.
	res, _ = models.ImportTitles(db, ac["d"], sheet("称号,星级,命名日期,文号", "和美乡村,,2025-01-01,x"), true)
	if !strings.Contains(problemText(res.Problems), "村代码或村名") || !strings.Contains(problemText(res.Problems), "年度") {
		t.Errorf("header without village or year: %s", problemText(res.Problems))
	}
}

// TestImportTargets: the 分解下达 sheet: scopes by name or code, indicators of the
// plan and of the catalogue by name or code, values with their units; all or
// nothing; kept in the history (an as_of before the import answers as before); the
// same sheet again sets nothing.
func TestImportTargets(t *testing.T) {
	db, ac := setup(t)
	good := sheet(
		"2026年度村级集体经济目标分解下达表,,,,",
		"下达范围,指标,目标值,计量单位,备注",
		"全区,经营性收入 50 万元以上村占比,80,%,",
		"海门街道,income_50w,75.5%,,按基数分解",
		"331002002,强村公司数,2,家,",
		"全区,村级集体经济总收入,12,亿元,",
		"全区,村集体资产总额,1500000,万元,",
	)
	at := time.Now().UTC()
	time.Sleep(2 * time.Millisecond)
	res, err := models.ImportTargets(db, ac["d"], good, false)
	if err != nil || len(res.Problems) > 0 || !res.Committed || res.Year != 2026 || len(res.Set) != 5 {
		t.Fatalf("commit: %+v %v", res, err)
	}
	want := map[string]int64{
		"331002|income_50w": 8000, "331002001|income_50w": 7550, "331002002|companies": 2,
		"331002|collective_income_total": 120_000_000_000, "331002|assets_total": 1_500_000_000_000,
	}
	ts, err := models.ListTargets(db, ac["d"], models.TargetFilter{Year: 2026})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int64{}
	for _, tg := range ts {
		got[tg.ScopeCode+"|"+tg.Indicator] = tg.Value
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %d, want %d", k, got[k], v)
		}
	}
	// The street is measured against its own target now, and was not before.
	ru, err := models.ComputeRollup(db, ac["d"], "331002001", 2026, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	old, _ := models.ComputeRollup(db, ac["d"], "331002001", 2026, at)
	if ru.Income50w.Target.R == nil || ru.Income50w.Target.R.Cmp(big.NewRat(7550, 10000)) != 0 {
		t.Errorf("street target now %v", ru.Income50w.Target.R)
	}
	if old.Income50w.Target.R != nil && old.Income50w.Target.R.Cmp(big.NewRat(7550, 10000)) == 0 {
		t.Errorf("as of before the import the street had the imported target")
	}
	again, err := models.ImportTargets(db, ac["d"], good, false)
	if err != nil || len(again.Set) != 0 || again.Unchanged != 5 {
		t.Fatalf("the same sheet again: %+v %v", again, err)
	}
	for _, who := range []string{"s1", "v1"} {
		if _, err := models.ImportTargets(db, ac[who], good, true); err != models.ErrForbidden {
			t.Fatalf("%s: %v, want forbidden", who, err)
		}
	}
	bad := sheet(
		"范围,年度,指标,目标值,单位",
		"全区,2026,income_50w,85,%",
		"火星街道,2026,income_50w,85,%",
		"全区,2026,不存在的指标,1,",
		"全区,2026,hemei,120,%",
		"全区,2026,companies,5,万元",
		"全区,2026,collective_income_total,12,%",
		"全区,二〇二六,companies,5,",
		"全区,2026,income_50w,86,%",
	)
	before := snapshot(t, db)
	res, err = models.ImportTargets(db, ac["d"], bad, false)
	if err != nil || res.Committed {
		t.Fatalf("bad sheet: %+v %v", res, err)
	}
	text := problemText(res.Problems)
	for _, w := range []string{"须为“全区”或本区的街道", "未知指标", "占比目标不能超过 100%", "单位“万元”不适用", "单位“%”不适用",
		"年度须为年份", "与第 2 行是同一范围、同一年度、同一指标"} {
		if !strings.Contains(text, w) {
			t.Errorf("problems lack %q:\n%s", w, text)
		}
	}
	if snapshot(t, db) != before {
		t.Fatal("a refused sheet wrote")
	}
	if ts2, _ := models.ListTargets(db, ac["d"], models.TargetFilter{Year: 2026, Indicator: "income_50w", Scope: "331002"}); len(ts2) != 1 || ts2[0].Value != 8000 {
		t.Fatalf("the district's target after a refused sheet: %+v", ts2)
	}
}
