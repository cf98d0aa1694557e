package models_test

import (
	"errors"
	"strings"
	"sync"
	"testing"

	"cunji/models"
	"cunji/seeds"
)

func isConflict(err error) bool {
	var ce *models.ConflictError
	return errors.As(err, &ce)
}

func isInvalid(err error, field string) bool {
	var ve *models.ValidationError
	if !errors.As(err, &ve) {
		return false
	}
	_, ok := ve.Fields[field]
	return ok
}

func TestWorkflowHappyPath(t *testing.T) {
	db, ac := setup(t)
	in := figures(30_000_000, 15_000_000, 5_000_000, 1_000_000, 1, true)
	d, err := models.SaveDraft(db, ac["v1"], seeds.FixA1, 2025, in)
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != models.StatusDraft || d.Version != 1 || d.OperatingFen != 50_000_000 || d.TotalFen != 51_000_000 {
		t.Fatalf("draft = %+v", d)
	}
	// Editing the draft bumps the version; nil fields keep their value.
	d2, err := models.SaveDraft(db, ac["v1"], seeds.FixA1, 2025, models.ReportInput{Version: 1, OtherFen: i64(2)})
	if err != nil {
		t.Fatal(err)
	}
	if d2.Version != 2 || d2.OtherFen != 2 || d2.BusinessFen != 30_000_000 || d2.ID != d.ID {
		t.Fatalf("edited draft = %+v", d2)
	}
	s, err := models.Submit(db, ac["v1"], seeds.FixA1, 2025, &d2.Version)
	if err != nil || s.Status != models.StatusSubmitted || s.SubmittedAt == nil {
		t.Fatalf("submit = %+v, %v", s, err)
	}
	a, err := models.Approve(db, ac["s1"], seeds.FixA1, 2025, &s.Version)
	if err != nil || a.Status != models.StatusApproved || a.ReviewedAt == nil || a.Reviewer != ac["s1"].Name {
		t.Fatalf("approve = %+v, %v", a, err)
	}
	rep, err := models.GetReport(db, ac["d"], seeds.FixA1, 2025)
	if err != nil || rep.Approved == nil || rep.Approved.ID != d.ID || rep.Open != nil || len(rep.History) != 1 {
		t.Fatalf("report = %+v, %v", rep, err)
	}
	var n int64
	db.Model(&models.AuditEntry{}).Where("village_code = ?", seeds.FixA1).Count(&n)
	if n != 4 { // create, edit, submit, approve
		t.Fatalf("audit entries = %d, want 4", n)
	}
}

func TestWorkflowRejectAndResubmit(t *testing.T) {
	db, ac := setup(t)
	first := approved(t, db, ac["v1"], ac["s1"], seeds.FixA1, 2025, figures(60_000_000, 0, 0, 0, 1, false))
	// A correction: a new draft pre-filled from the approved version.
	c, err := models.SaveDraft(db, ac["v1"], seeds.FixA1, 2025, models.ReportInput{BusinessFen: i64(40_000_000)})
	if err != nil {
		t.Fatal(err)
	}
	if c.Seq != 2 || c.ContractFen != first.ContractFen || c.Version <= first.Version {
		t.Fatalf("correction = %+v", c)
	}
	if _, err := models.Submit(db, ac["v1"], seeds.FixA1, 2025, nil); err != nil {
		t.Fatal(err)
	}
	// While it is pending, the old approved version still counts.
	rep, _ := models.GetReport(db, ac["s1"], seeds.FixA1, 2025)
	if rep.Approved.ID != first.ID || rep.Open == nil || rep.Open.Status != models.StatusSubmitted {
		t.Fatalf("pending correction: %+v", rep)
	}
	if _, err := models.Reject(db, ac["s1"], seeds.FixA1, 2025, nil, "  "); !isInvalid(err, "reason") {
		t.Fatalf("blank reason: %v", err)
	}
	r, err := models.Reject(db, ac["s1"], seeds.FixA1, 2025, nil, "与账册不符")
	if err != nil || r.Status != models.StatusRejected || r.RejectReason != "与账册不符" {
		t.Fatalf("reject = %+v, %v", r, err)
	}
	// The rejected version is copied into a new draft, corrected and resubmitted.
	n, err := models.SaveDraft(db, ac["v1"], seeds.FixA1, 2025, models.ReportInput{ContractFen: i64(12_000_000)})
	if err != nil {
		t.Fatal(err)
	}
	if n.Seq != 3 || n.BusinessFen != 40_000_000 || n.ContractFen != 12_000_000 || n.RejectReason != "" {
		t.Fatalf("copy of rejected = %+v", n)
	}
	if _, err := models.Submit(db, ac["v1"], seeds.FixA1, 2025, &n.Version); err != nil {
		t.Fatal(err)
	}
	if _, err := models.Approve(db, ac["s1"], seeds.FixA1, 2025, nil); err != nil {
		t.Fatal(err)
	}
	rep, _ = models.GetReport(db, ac["d"], seeds.FixA1, 2025)
	if rep.Approved.Seq != 3 || rep.Approved.OperatingFen != 52_000_000 || len(rep.History) != 3 {
		t.Fatalf("after resubmission: approved %+v, history %d", rep.Approved, len(rep.History))
	}
	// The first approved version is unchanged.
	var again models.ReportVersion
	db.First(&again, first.ID)
	if again.Status != models.StatusApproved || again.BusinessFen != 60_000_000 || again.Version != first.Version {
		t.Fatalf("approved version changed: %+v", again)
	}
}

// TestWorkflowIllegal checks that every illegal step is refused with the right
// error and changes nothing.
func TestWorkflowIllegal(t *testing.T) {
	db, ac := setup(t)
	approved(t, db, ac["v2"], ac["s1"], seeds.FixA2, 2025, figures(1, 0, 0, 0, 0, false))
	d := drafted(t, db, ac["v1"], seeds.FixA1, 2025, figures(1, 2, 3, 4, 0, false))
	drafted(t, db, ac["v4"], seeds.FixB1, 2025, figures(1, 2, 3, 4, 0, false))
	if _, err := models.Submit(db, ac["v4"], seeds.FixB1, 2025, nil); err != nil {
		t.Fatal(err)
	}
	stale := d.Version - 1
	cases := []struct {
		name string
		do   func() error
		want func(error) bool
	}{
		{"stale version edit", func() error {
			_, err := models.SaveDraft(db, ac["v1"], seeds.FixA1, 2025, models.ReportInput{Version: stale, OtherFen: i64(3)})
			return err
		}, isConflict},
		{"second new draft while one is open", func() error {
			_, err := models.SaveDraft(db, ac["v1"], seeds.FixA1, 2025, models.ReportInput{Version: 0})
			return err
		}, isConflict},
		{"submit with stale version", func() error { _, err := models.Submit(db, ac["v1"], seeds.FixA1, 2025, &stale); return err }, isConflict},
		{"approve a draft", func() error { _, err := models.Approve(db, ac["s1"], seeds.FixA1, 2025, nil); return err }, isConflict},
		{"reject a draft", func() error { _, err := models.Reject(db, ac["s1"], seeds.FixA1, 2025, nil, "x"); return err }, isConflict},
		{"submit with nothing open", func() error { _, err := models.Submit(db, ac["v2"], seeds.FixA2, 2025, nil); return err }, isConflict},
		{"approve with nothing open", func() error { _, err := models.Approve(db, ac["s1"], seeds.FixA2, 2025, nil); return err }, isConflict},
		{"edit a submitted version", func() error {
			_, err := models.SaveDraft(db, ac["v4"], seeds.FixB1, 2025, models.ReportInput{Version: 2})
			return err
		}, isConflict},
		{"submit twice", func() error { _, err := models.Submit(db, ac["v4"], seeds.FixB1, 2025, nil); return err }, isConflict},
		{"cadre approves", func() error { _, err := models.Approve(db, ac["v4"], seeds.FixB1, 2025, nil); return err },
			func(e error) bool { return errors.Is(e, models.ErrForbidden) }},
		{"district approves", func() error { _, err := models.Approve(db, ac["d"], seeds.FixB1, 2025, nil); return err },
			func(e error) bool { return errors.Is(e, models.ErrForbidden) }},
		{"officer edits", func() error {
			_, err := models.SaveDraft(db, ac["s1"], seeds.FixA1, 2025, models.ReportInput{Version: d.Version})
			return err
		}, func(e error) bool { return errors.Is(e, models.ErrForbidden) }},
		{"officer submits", func() error { _, err := models.Submit(db, ac["s1"], seeds.FixA1, 2025, nil); return err },
			func(e error) bool { return errors.Is(e, models.ErrForbidden) }},
		{"officer of another street approves", func() error { _, err := models.Approve(db, ac["s1"], seeds.FixB1, 2025, nil); return err },
			func(e error) bool { return errors.Is(e, models.ErrNotFound) }},
		{"officer of another street rejects", func() error {
			_, err := models.Reject(db, ac["s1"], seeds.FixB1, 2025, nil, "x")
			return err
		}, func(e error) bool { return errors.Is(e, models.ErrNotFound) }},
		{"cadre of another village edits", func() error {
			_, err := models.SaveDraft(db, ac["v2"], seeds.FixA1, 2025, models.ReportInput{Version: d.Version})
			return err
		}, func(e error) bool { return errors.Is(e, models.ErrNotFound) }},
		{"cadre of another village reads", func() error { _, err := models.GetReport(db, ac["v2"], seeds.FixA1, 2025); return err },
			func(e error) bool { return errors.Is(e, models.ErrNotFound) }},
		{"year before the plan", func() error {
			_, err := models.SaveDraft(db, ac["v2"], seeds.FixA2, 2022, models.ReportInput{})
			return err
		}, func(e error) bool { return isInvalid(e, "year") }},
		{"year after the last open year", func() error {
			_, err := models.SaveDraft(db, ac["v2"], seeds.FixA2, 2028, models.ReportInput{})
			return err
		}, func(e error) bool { return isInvalid(e, "year") }},
		{"deactivated village after its last year", func() error {
			_, err := models.SaveDraft(db, ac["v3"], seeds.FixA3, 2025, models.ReportInput{})
			return err
		}, func(e error) bool { return isInvalid(e, "year") }},
		{"reason too long", func() error {
			_, err := models.Reject(db, ac["s2"], seeds.FixB1, 2025, nil, strings.Repeat("长", 501))
			return err
		}, func(e error) bool { return isInvalid(e, "reason") }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := snapshot(t, db)
			err := tc.do()
			if !tc.want(err) {
				t.Fatalf("got %v (%T)", err, err)
			}
			if after := snapshot(t, db); after != before {
				t.Fatal("a refused action changed the database")
			}
		})
	}
}

func TestValidationAndDerived(t *testing.T) {
	db, ac := setup(t)
	bad := []struct {
		field string
		in    models.ReportInput
	}{
		{"star_rating", models.ReportInput{StarRating: intp(4)}},
		{"star_rating", models.ReportInput{StarRating: intp(-1)}},
		{"business_fen", models.ReportInput{BusinessFen: i64(-1)}},
		{"subsidy_fen", models.ReportInput{SubsidyFen: i64(-100)}},
		{"assets_fen", models.ReportInput{AssetsFen: i64(models.MaxAmountFen + 1)}},
		{"investment_fen", models.ReportInput{InvestmentFen: i64(-models.MaxAmountFen - 1)}},
		{"note", models.ReportInput{Note: func() *string { s := strings.Repeat("字", 2001); return &s }()}},
	}
	for _, tc := range bad {
		t.Run(tc.field, func(t *testing.T) {
			before := snapshot(t, db)
			if _, err := models.SaveDraft(db, ac["v1"], seeds.FixA1, 2025, tc.in); !isInvalid(err, tc.field) {
				t.Fatalf("got %v", err)
			}
			if snapshot(t, db) != before {
				t.Fatal("an invalid save changed the database")
			}
		})
	}
	// Investment income may be negative; the derived fields follow exactly.
	cases := []struct {
		b, c, i int64
		meets   bool
	}{
		{30_000_000, 20_000_000, 0, true},                   // exactly 50万: "以上" includes the line
		{30_000_000, 19_999_999, 0, false},                  // one 分 below
		{30_000_000, 20_000_000, -1, false},                 // a loss takes it under
		{40_000_000, 10_000_000, 1, true},                   // one 分 above
		{0, 0, -5_000_000, false},                           // negative operating income
		{models.MaxAmountFen, models.MaxAmountFen, 0, true}, // no overflow at the limits
	}
	for _, tc := range cases {
		r := models.ReportVersion{BusinessFen: tc.b, ContractFen: tc.c, InvestmentFen: tc.i, SubsidyFen: 7, OtherFen: 11}
		r.Derive()
		if r.OperatingFen != tc.b+tc.c+tc.i || r.TotalFen != r.OperatingFen+18 || r.Meets50w() != tc.meets {
			t.Errorf("%+v: operating %d total %d meets %v", tc, r.OperatingFen, r.TotalFen, r.Meets50w())
		}
	}
	neg, err := models.SaveDraft(db, ac["v1"], seeds.FixA1, 2025, figures(0, 0, -3_000_000, 0, 0, false))
	if err != nil || neg.OperatingFen != -3_000_000 {
		t.Fatalf("negative investment: %+v %v", neg, err)
	}
}

// TestConcurrentFirstDrafts: two saves of a new draft at once give one draft and
// one 409, never two open versions.
func TestConcurrentFirstDrafts(t *testing.T) {
	db, ac := setup(t)
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			_, errs[i] = models.SaveDraft(db, ac["v1"], seeds.FixA1, 2025, models.ReportInput{BusinessFen: i64(int64(i))})
		}(i)
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !isConflict(err):
			t.Fatalf("unexpected error: %v", err)
		}
	}
	var open int64
	db.Model(&models.ReportVersion{}).Where("village_code = ? AND year = 2025", seeds.FixA1).Count(&open)
	if ok != 1 || open != 1 {
		t.Fatalf("%d saves succeeded, %d versions exist; want 1 and 1", ok, open)
	}
}
