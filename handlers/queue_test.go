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
	if rec := en.page("POST", "/queue/approve", en.token("s1"), form, true); rec.Code != 409 {
		t.Fatalf("%d items: %d", len(form["item"]), rec.Code)
	}
	if en.state() == before {
		t.Fatal("nothing was approved at the cap")
	}
}
