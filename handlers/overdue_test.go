package handlers

import (
	"strings"
	"testing"
	"time"

	"cunji/models"
	"cunji/seeds"
)

// The 催报 list: the villages of the caller's scope without a submission of a year
// whose window has opened, with the deadline (a later exception's when granted) and
// the days past it, as a page, an XLSX and a CSV; linked from 待办. A street sees its
// own villages, the district every street's (or one), a cadre none.
func TestOverdueList(t *testing.T) {
	en := newEnv(t)
	en.queued("v1", seeds.FixA1, 2025) // submitted: not listed
	if _, err := models.SaveDraft(en.db, en.actor("v2"), seeds.FixA2, 2025, models.ReportInput{}); err != nil {
		t.Fatal(err)
	}
	d := en.actor("d")
	// The window closed three days before the start of today (北京时间), so that the
	// days late are 3 at any hour of the day: the days are calendar days, and 73 hours
	// before 00:30 is four of them.
	now := time.Now()
	y, m, day := now.In(models.Shanghai).Date()
	closes := time.Date(y, m, day, 0, 0, 0, 0, models.Shanghai).AddDate(0, 0, -3).Add(time.Minute)
	if _, err := models.SetWindow(en.db, d, 2025, now.AddDate(0, -2, 0), closes); err != nil {
		t.Fatal(err)
	}
	// 乙村 (a draft) and 丁村 (nothing) are 3 days late; 丙村 is gone since 2024.
	s1 := en.page("GET", "/overdue", en.token("s1"), nil, false).Body.String()
	if !strings.Contains(s1, "乙村") || !strings.Contains(s1, "草稿未提交") || !strings.Contains(s1, "逾期 3 天") ||
		strings.Contains(s1, "丁村") || strings.Contains(s1, ">甲村<") || strings.Contains(s1, "丙村") {
		t.Fatal("street 1's list")
	}
	s2 := en.page("GET", "/overdue", en.token("s2"), nil, false).Body.String()
	if !strings.Contains(s2, "丁村") || !strings.Contains(s2, "未填报") || strings.Contains(s2, "乙村") {
		t.Fatal("street 2's list")
	}
	dist := en.page("GET", "/overdue", en.token("d"), nil, false).Body.String()
	if !strings.Contains(dist, "乙村") || !strings.Contains(dist, "丁村") || !strings.Contains(dist, "已逾期 2 个") {
		t.Fatal("the district's list")
	}
	one := en.page("GET", "/overdue?street=331002002", en.token("d"), nil, false).Body.String()
	if !strings.Contains(one, "丁村") || strings.Contains(one, "乙村") {
		t.Fatal("the district's list of one street")
	}
	// A street asking for another street gets its own list, nothing more.
	if b := en.page("GET", "/overdue?street=331002002", en.token("s1"), nil, false).Body.String(); strings.Contains(b, "丁村") {
		t.Fatal("s1 sees street 2")
	}
	// An exception moves 乙村's deadline to tomorrow: not yet due.
	if _, err := models.GrantException(en.db, d, seeds.FixA2, 2025, now.Add(36*time.Hour), "换届"); err != nil {
		t.Fatal(err)
	}
	s1 = en.page("GET", "/overdue?year=2025", en.token("s1"), nil, false).Body.String()
	if !strings.Contains(s1, "含延期") || strings.Contains(s1, "逾期 3 天") || !strings.Contains(s1, "剩 ") {
		t.Fatal("the exception's deadline")
	}
	rec := en.page("GET", "/overdue?format=csv", en.token("d"), nil, false)
	csv := rec.Body.String()
	if rec.Code != 200 || !strings.Contains(csv, "逾期天数") || !strings.Contains(csv, seeds.FixB1) || !strings.Contains(csv, "未填报") {
		t.Fatalf("CSV: %d %s", rec.Code, csv)
	}
	rec = en.page("GET", "/overdue?format=xlsx", en.token("s1"), nil, false)
	if rec.Code != 200 || !strings.Contains(rec.Header().Get("Content-Type"), "spreadsheetml") {
		t.Fatalf("XLSX: %d", rec.Code)
	}
	if rec := en.page("GET", "/overdue?format=pdf", en.token("s1"), nil, false); rec.Code != 422 {
		t.Fatalf("format=pdf: %d", rec.Code)
	}
	// 待办 links to it, with the count.
	if b := en.page("GET", "/", en.token("d"), nil, false).Body.String(); !strings.Contains(b, `href="/overdue"`) || !strings.Contains(b, "已逾期 1 个村次") {
		t.Fatal("the district's 待办 lacks the 催报 link")
	}
	if b := en.page("GET", "/", en.token("s2"), nil, false).Body.String(); !strings.Contains(b, `href="/overdue"`) || !strings.Contains(b, "已逾期 1 个村次") {
		t.Fatal("the street's 待办 lacks the 催报 link")
	}
	if rec := en.page("GET", "/overdue", en.token("v1"), nil, false); rec.Code != 403 {
		t.Fatalf("a cadre: %d", rec.Code)
	}
}
