package models_test

import (
	"errors"
	"testing"

	"cunji/models"
	"cunji/seeds"
)

// TestWithdraw: a submitted version goes back to a draft (same row, version bumped,
// submission cleared, audited) and can be edited and submitted again; nothing else
// can be withdrawn, and no one but the village's cadre may.
func TestWithdraw(t *testing.T) {
	db, ac := setup(t)
	d := drafted(t, db, ac["v1"], seeds.FixA1, 2025, figures(30_000_000, 15_000_000, 5_000_000, 0, 1, false))
	s, err := models.Submit(db, ac["v1"], seeds.FixA1, 2025, &d.Version)
	if err != nil {
		t.Fatal(err)
	}
	// Refusals first, each changing nothing.
	stale := s.Version - 1
	refused := []struct {
		name    string
		who     string
		code    string
		version *int
		check   func(error) bool
	}{
		{"other village's cadre", "v2", seeds.FixA1, nil, func(e error) bool { return errors.Is(e, models.ErrNotFound) }},
		{"other street's cadre", "v4", seeds.FixA1, nil, func(e error) bool { return errors.Is(e, models.ErrNotFound) }},
		{"street officer", "s1", seeds.FixA1, nil, func(e error) bool { return errors.Is(e, models.ErrForbidden) }},
		{"district", "d", seeds.FixA1, nil, func(e error) bool { return errors.Is(e, models.ErrForbidden) }},
		{"stale version", "v1", seeds.FixA1, &stale, isConflict},
		{"nothing submitted", "v2", seeds.FixA2, nil, isConflict},
	}
	for _, c := range refused {
		t.Run(c.name, func(t *testing.T) {
			before := snapshot(t, db)
			if _, err := models.Withdraw(db, ac[c.who], c.code, 2025, c.version); !c.check(err) {
				t.Fatalf("withdraw: %v", err)
			}
			if snapshot(t, db) != before {
				t.Fatal("a refused withdrawal changed something")
			}
		})
	}
	w, err := models.Withdraw(db, ac["v1"], seeds.FixA1, 2025, &s.Version)
	if err != nil {
		t.Fatal(err)
	}
	if w.ID != s.ID || w.Status != models.StatusDraft || w.Version != s.Version+1 || w.SubmittedAt != nil || w.SubmittedBy != "" {
		t.Fatalf("withdrawn = %+v", w)
	}
	var n int64
	db.Model(&models.AuditEntry{}).Where("action = ? AND object_key = ?", "report.withdraw", seeds.FixA1+"/2025").Count(&n)
	if n != 1 {
		t.Fatalf("withdraw audit entries = %d, want 1", n)
	}
	// A draft cannot be withdrawn again; it can be edited and submitted.
	if _, err := models.Withdraw(db, ac["v1"], seeds.FixA1, 2025, nil); !isConflict(err) {
		t.Fatalf("withdraw a draft: %v", err)
	}
	e, err := models.SaveDraft(db, ac["v1"], seeds.FixA1, 2025, models.ReportInput{Version: w.Version, BusinessFen: i64(40_000_000)})
	if err != nil || e.ID != s.ID {
		t.Fatalf("edit after withdrawal = %+v, %v", e, err)
	}
	if _, err := models.Submit(db, ac["v1"], seeds.FixA1, 2025, &e.Version); err != nil {
		t.Fatal(err)
	}
	// Once reviewed (approved or rejected) it is too late.
	if _, err := models.Reject(db, ac["s1"], seeds.FixA1, 2025, nil, "请补凭据"); err != nil {
		t.Fatal(err)
	}
	if _, err := models.Withdraw(db, ac["v1"], seeds.FixA1, 2025, nil); !isConflict(err) {
		t.Fatalf("withdraw a rejected version: %v", err)
	}
	approved(t, db, ac["v1"], ac["s1"], seeds.FixA1, 2025, figures(30_000_000, 15_000_000, 5_000_000, 0, 1, false))
	if _, err := models.Withdraw(db, ac["v1"], seeds.FixA1, 2025, nil); !isConflict(err) {
		t.Fatalf("withdraw an approved version: %v", err)
	}
}
