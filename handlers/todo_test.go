package handlers

import (
	"html"
	"strings"
	"testing"
	"time"

	"cunji/models"
	"cunji/seeds"

	"gorm.io/gorm"
)

// TestTodoScoped: each role's home page starts with what waits for them, within
// their scope, each item a link to where it is done; every list is one query.
func TestTodoScoped(t *testing.T) {
	en := newEnv(t)
	now := time.Now()
	if _, err := models.SetWindow(en.db, en.actor("d"), 2026, now.Add(-24*time.Hour), now.Add(30*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	v := en.submitted("v1", seeds.FixA1, 2026, 1_000_000)
	if _, err := models.Reject(en.db, en.actor("s1"), seeds.FixA1, 2026, &v, "请补充经营收入的凭据"); err != nil {
		t.Fatal(err)
	}
	en.submitted("v2", seeds.FixA2, 2026, 2_000_000)
	// A catalogue indicator the cadres enter: 乙村 has submitted its value, 甲村 not.
	code, name, kind, by, rollup, from := "courtyards", "美丽庭院户数", models.KindCount, models.EnteredByVillage, models.RollupSum, 2023
	if _, err := models.DefineIndicator(en.db, en.actor("d"), models.IndicatorInput{Code: &code, Name: &name, Kind: &kind,
		Unit: &[]string{"户"}[0], EnteredBy: &by, Rollup: &rollup, FromYear: &from}); err != nil {
		t.Fatal(err)
	}
	twelve := int64(12)
	iv, err := models.SaveIndicatorValue(en.db, en.actor("v2"), code, seeds.FixA2, 2026, models.ValueInput{Value: &twelve})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := models.SubmitIndicatorValue(en.db, en.actor("v2"), code, seeds.FixA2, 2026, &iv.Version); err != nil {
		t.Fatal(err)
	}
	value := func(village string) string { return `href="/indicators/courtyards/values/` + village + `/2026"` }
	home := func(who string) string {
		t.Helper()
		rec := en.page("GET", "/", en.token(who), nil, false)
		if rec.Code != 200 {
			t.Fatalf("home of %s: %d", who, rec.Code)
		}
		b := html.UnescapeString(rec.Body.String())
		return b[strings.Index(b, "<main>"):]
	}
	report := func(code string) string { return `href="/villages/` + code + `/reports/2026"` }
	for _, c := range []struct {
		who       string
		want, not []string
	}{
		{"v1", []string{"修改并重新提交 2026 年度填报", "请补充经营收入的凭据", report(seeds.FixA1), "填报：美丽庭院户数（2026 年）", value(seeds.FixA1)},
			[]string{report(seeds.FixA2), report(seeds.FixB1), value(seeds.FixA2)}},
		{"v2", []string{"暂无待办"}, []string{report(seeds.FixA1), report(seeds.FixA2), "美丽庭院户数"}},
		{"v4", []string{"填报 2026 年度", report(seeds.FixB1)}, []string{report(seeds.FixA1)}},
		// 甲村 was rejected, so it has not reported; 乙村 has; 丙村 ended in 2024; 丁村 is not the street's.
		{"s1", []string{"审核 1 份待审核的填报", `href="/queue"`, "尚未填报的村（1）", "甲村 2026 年度", report(seeds.FixA1)},
			[]string{report(seeds.FixA2), report(seeds.FixA3), report(seeds.FixB1)}},
		{"s2", []string{"审核 0 份", "丁村 2026 年度", report(seeds.FixB1)}, []string{report(seeds.FixA1), report(seeds.FixA2)}},
		{"d", []string{"海门街道：1 份待审核", `href="/villages?street=331002001"`, "下达 2027 年目标", `href="/targets"`},
			[]string{"白云街道：", report(seeds.FixA1)}},
	} {
		body := home(c.who)
		for _, w := range c.want {
			if !strings.Contains(body, w) {
				t.Errorf("home of %s lacks %q", c.who, w)
			}
		}
		for _, n := range c.not {
			if strings.Contains(body, n) {
				t.Errorf("home of %s shows %q", c.who, n)
			}
		}
	}
	// One query a list: the cadre has two lists (its years, its indicators), the
	// street three (its queue's reports, its queue's indicator values; the villages
	// not reported, open and overdue, 催报), the district four (its 催报 count too).
	for who, want := range map[string]int{"v1": 2, "s1": 3, "d": 4} {
		a := en.actor(who)
		n := 0
		count := func(*gorm.DB) { n++ }
		en.db.Callback().Query().After("gorm:query").Register("test:todo-q", count)
		en.db.Callback().Row().After("gorm:row").Register("test:todo-r", count)
		if _, err := models.TodoOf(en.db, a, now); err != nil {
			t.Fatal(err)
		}
		en.db.Callback().Query().Remove("test:todo-q")
		en.db.Callback().Row().Remove("test:todo-r")
		if n != want {
			t.Errorf("the to-do lists of %s ran %d queries, want %d", who, n, want)
		}
	}
}
