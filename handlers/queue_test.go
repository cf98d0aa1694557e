package handlers

import (
	"net/url"
	"strconv"
	"strings"
	"testing"

	"cunji/models"
	"cunji/seeds"
)

// A bulk approval of more items than the cap is refused whole, before any is tried.
func TestQueueApproveCap(t *testing.T) {
	en := newEnv(t)
	if _, err := models.SaveDraft(en.db, en.actor("v1"), seeds.FixA1, 2025, models.ReportInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := models.Submit(en.db, en.actor("v1"), seeds.FixA1, 2025, nil); err != nil {
		t.Fatal(err)
	}
	form := url.Values{}
	form.Add("item", seeds.FixA1+"/2025/2")
	for i := 1; i < models.MaxBulkApprove; i++ {
		form.Add("item", seeds.FixA1+"/2025/"+strconv.Itoa(100+i))
	}
	over := url.Values{"item": append(append([]string{}, form["item"]...), seeds.FixA1+"/2024/1")}
	before := en.state()
	rec := en.page("POST", "/queue/approve", en.token("s1"), over, true)
	if rec.Code != 422 || !strings.Contains(rec.Body.String(), "一次最多通过 200 份") {
		t.Fatalf("%d items: %d", len(over["item"]), rec.Code)
	}
	if en.state() != before {
		t.Fatal("an item of an over-long request was approved")
	}
	// At the cap the items are tried: the first is approved, the others are stale.
	// (Without confirm=1 the items are only listed; see TestQueueConfirmAndNext.)
	form.Set("confirm", "1")
	if rec := en.page("POST", "/queue/approve", en.token("s1"), form, true); rec.Code != 409 {
		t.Fatalf("%d items: %d", len(form["item"]), rec.Code)
	}
	if en.state() == before {
		t.Fatal("nothing was approved at the cap")
	}
}

// queued saves and submits a report as the cadre and returns its version.
func (en *env) queued(who, code string, year int) *models.ReportVersion {
	en.t.Helper()
	if _, err := models.SaveDraft(en.db, en.actor(who), code, year, models.ReportInput{}); err != nil {
		en.t.Fatal(err)
	}
	v, err := models.Submit(en.db, en.actor(who), code, year, nil)
	if err != nil {
		en.t.Fatal(err)
	}
	return v
}

func bulkItem(v *models.ReportVersion) string {
	return v.VillageCode + "/" + strconv.Itoa(v.Year) + "/" + strconv.Itoa(v.Version)
}

// A bulk approval first lists what it will approve, only from the officer's own
// street, and approves nothing; the confirmation approves exactly the listed items.
// A decision on one report leads to the next one of the queue, then back to the
// queue when none is left; the count of what is left is shown.
func TestQueueConfirmAndNext(t *testing.T) {
	en := newEnv(t)
	a1 := en.queued("v1", seeds.FixA1, 2025)
	a2 := en.queued("v2", seeds.FixA2, 2025)
	a1b := en.queued("v1", seeds.FixA1, 2026)
	b1 := en.queued("v4", seeds.FixB1, 2025)
	s1 := en.token("s1")

	before := en.state()
	rec := en.page("POST", "/queue/approve", s1, url.Values{"item": {bulkItem(a1), bulkItem(a2), bulkItem(b1)}}, true)
	body := rec.Body.String()
	if rec.Code != 200 || en.state() != before {
		t.Fatalf("first POST: %d, state changed: %v", rec.Code, en.state() != before)
	}
	for _, want := range []string{"甲村", "乙村", "2025", "确认通过 2 份", `name="confirm" value="1"`, `name="csrf"`, "另有 1 份"} {
		if !strings.Contains(body, want) {
			t.Fatalf("confirmation page lacks %q", want)
		}
	}
	if strings.Contains(body, "丁村") || strings.Contains(body, bulkItem(b1)) {
		t.Fatal("the confirmation lists another street's report")
	}

	// Confirm only 甲村 2025: exactly it is approved.
	rec = en.page("POST", "/queue/approve", s1, url.Values{"item": {bulkItem(a1)}, "confirm": {"1"}}, true)
	if rec.Code != 303 {
		t.Fatalf("confirm: %d", rec.Code)
	}
	status := func(v *models.ReportVersion) string {
		var r models.ReportVersion
		en.db.Take(&r, v.ID)
		return r.Status
	}
	if status(a1) != models.StatusApproved || status(a2) != models.StatusSubmitted ||
		status(a1b) != models.StatusSubmitted || status(b1) != models.StatusSubmitted {
		t.Fatalf("after confirm: %s %s %s %s", status(a1), status(a2), status(a1b), status(b1))
	}

	if rec := en.page("GET", "/queue", s1, nil, false); !strings.Contains(rec.Body.String(), "待审核 2 份") {
		t.Fatal("the queue does not count 2 left")
	}
	r2 := reportURL(seeds.FixA2, 2025)
	if rec := en.page("GET", r2, s1, nil, false); !strings.Contains(rec.Body.String(), "待审核 2 份") {
		t.Fatal("the review page does not count 2 left")
	}
	// Rejecting 乙村 2025 leads to 甲村 2026, the next of 海门's queue (not 丁村).
	rec = en.page("POST", r2+"/reject", s1, url.Values{"reason": {"请补充凭据"}, "version": {strconv.Itoa(a2.Version)}}, true)
	if loc := rec.Header().Get("Location"); rec.Code != 303 || loc != reportURL(seeds.FixA1, 2026) {
		t.Fatalf("after reject: %d → %s", rec.Code, loc)
	}
	if rec := en.page("GET", reportURL(seeds.FixA1, 2026), s1, nil, false); !strings.Contains(rec.Body.String(), "待审核 1 份") {
		t.Fatal("the review page does not count 1 left")
	}
	// Approving the last one goes back to the queue: all done.
	rec = en.page("POST", reportURL(seeds.FixA1, 2026)+"/approve", s1, url.Values{"version": {strconv.Itoa(a1b.Version)}}, true)
	if loc := rec.Header().Get("Location"); rec.Code != 303 || loc != "/queue" || !strings.Contains(rec.Header().Get("Set-Cookie"), "flash") {
		t.Fatalf("after the last approval: %d → %s", rec.Code, loc)
	}
	if status(a1b) != models.StatusApproved || status(b1) != models.StatusSubmitted {
		t.Fatal("the last approval did not approve 甲村 2026 alone")
	}
	if rec := en.page("GET", "/queue", s1, nil, false); !strings.Contains(rec.Body.String(), "待审核 0 份") {
		t.Fatal("the queue does not count 0 left")
	}
}
