package models_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"cunji/models"
	"cunji/seeds"

	"gorm.io/gorm"
)

// seriesCase drives one kind of versioned series (a report, a workshop, an
// indicator value) through its public functions, so that one set of tests checks
// the rule they share: draft → submitted → approved | rejected, one open version,
// optimistic version numbers, the latest approved counts, one audit entry a step.
type seriesCase struct {
	name string
	// kind is the audit object type.
	kind string
	// start opens the series with a first draft of value n and returns its version.
	start func(t *testing.T, db *gorm.DB, ac map[string]*models.Actor) int
	// save edits (or starts) the open draft naming version, setting the value to n.
	save    func(version, n int) (int, error)
	submit  func(version *int) (int, error)
	approve func(version *int) (int, error)
	reject  func(version *int, reason string) (int, error)
	// counts is the value of the latest approved version (-1 when none) and the
	// open version's status ("" when none).
	counts func(t *testing.T) (int, string)
	// versions counts the rows of the series.
	versions func() int64
}

func seriesCases() []*seriesCase {
	const year = 2025
	report := &seriesCase{name: "report", kind: "report"}
	report.start = func(t *testing.T, db *gorm.DB, ac map[string]*models.Actor) int {
		report.save = func(version, n int) (int, error) {
			in := figures(int64(n), 0, 0, 0, 0, false)
			in.Version = version
			r, err := models.SaveDraft(db, ac["v1"], seeds.FixA1, year, in)
			return ver(r, err)
		}
		report.submit = func(v *int) (int, error) { return ver(models.Submit(db, ac["v1"], seeds.FixA1, year, v)) }
		report.approve = func(v *int) (int, error) { return ver(models.Approve(db, ac["s1"], seeds.FixA1, year, v)) }
		report.reject = func(v *int, reason string) (int, error) {
			return ver(models.Reject(db, ac["s1"], seeds.FixA1, year, v, reason))
		}
		report.counts = func(t *testing.T) (int, string) {
			rep, err := models.GetReport(db, ac["d"], seeds.FixA1, year)
			if err != nil {
				t.Fatal(err)
			}
			a, o := -1, ""
			if rep.Approved != nil {
				a = int(rep.Approved.BusinessFen)
			}
			if rep.Open != nil {
				o = rep.Open.Status
			}
			return a, o
		}
		report.versions = func() int64 {
			var n int64
			db.Model(&models.ReportVersion{}).Where("village_code = ? AND year = ?", seeds.FixA1, year).Count(&n)
			return n
		}
		v, err := report.save(0, 100)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	shop := &seriesCase{name: "workshop", kind: "workshop"}
	shop.start = func(t *testing.T, db *gorm.DB, ac map[string]*models.Actor) int {
		d, err := models.CreateWorkshop(db, ac["v1"], seeds.FixA1, workshop("甲村竹编工坊", "运营", 100, 0))
		if err != nil {
			t.Fatal(err)
		}
		id := d.Workshop.ID
		shop.save = func(version, n int) (int, error) {
			return ver(models.SaveWorkshopDraft(db, ac["v1"], id, models.WorkshopInput{Version: version, Employed: &n}))
		}
		shop.submit = func(v *int) (int, error) { return ver(models.SubmitWorkshop(db, ac["v1"], id, v)) }
		shop.approve = func(v *int) (int, error) { return ver(models.ApproveWorkshop(db, ac["s1"], id, v)) }
		shop.reject = func(v *int, reason string) (int, error) {
			return ver(models.RejectWorkshop(db, ac["s1"], id, v, reason))
		}
		shop.counts = func(t *testing.T) (int, string) {
			d, err := models.GetWorkshop(db, ac["d"], id)
			if err != nil {
				t.Fatal(err)
			}
			a, o := -1, ""
			if d.Approved != nil {
				a = d.Approved.Employed
			}
			if d.Open != nil {
				o = d.Open.Status
			}
			return a, o
		}
		shop.versions = func() int64 {
			var n int64
			db.Model(&models.WorkshopVersion{}).Where("workshop_id = ?", id).Count(&n)
			return n
		}
		return d.Open.Version
	}
	ind := &seriesCase{name: "indicator", kind: "indicator_value"}
	ind.start = func(t *testing.T, db *gorm.DB, ac map[string]*models.Actor) int {
		defineIndicator(t, db, ac["d"], "ecommerce_shops", models.KindCount, models.EnteredByVillage, models.RollupSum)
		put := func(code string) func(version, n int) (int, error) {
			return func(version, n int) (int, error) {
				val := int64(n)
				return ver(models.SaveIndicatorValue(db, ac["v1"], code, seeds.FixA1, year, models.ValueInput{Value: &val, Version: version}))
			}
		}
		ind.save = put("ecommerce_shops")
		ind.submit = func(v *int) (int, error) {
			return ver(models.SubmitIndicatorValue(db, ac["v1"], "ecommerce_shops", seeds.FixA1, year, v))
		}
		ind.approve = func(v *int) (int, error) {
			return ver(models.ApproveIndicatorValue(db, ac["s1"], "ecommerce_shops", seeds.FixA1, year, v))
		}
		ind.reject = func(v *int, reason string) (int, error) {
			return ver(models.RejectIndicatorValue(db, ac["s1"], "ecommerce_shops", seeds.FixA1, year, v, reason))
		}
		ind.counts = func(t *testing.T) (int, string) {
			s, err := models.GetIndicatorValue(db, ac["d"], "ecommerce_shops", seeds.FixA1, year)
			if err != nil {
				t.Fatal(err)
			}
			a, o := -1, ""
			if s.Approved != nil {
				a = int(s.Approved.Value)
			}
			if s.Open != nil {
				o = s.Open.Status
			}
			return a, o
		}
		ind.versions = func() int64 {
			var n int64
			db.Model(&models.IndicatorValue{}).Where("village_code = ? AND year = ?", seeds.FixA1, year).Count(&n)
			return n
		}
		v, err := ind.save(0, 100)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	return []*seriesCase{report, shop, ind}
}

// ver is the version number of what a series function returned.
func ver(v any, err error) (int, error) {
	if err != nil {
		return 0, err
	}
	switch x := v.(type) {
	case *models.ReportVersion:
		return x.Version, nil
	case *models.WorkshopVersion:
		return x.Version, nil
	case *models.IndicatorValue:
		return x.Version, nil
	}
	return 0, errors.New("unknown version type")
}

// auditCount counts the audit entries of kind with action.
func auditCount(db *gorm.DB, kind, action string) int64 {
	var n int64
	db.Model(&models.AuditEntry{}).Where("object_type = ? AND action = ?", kind, action).Count(&n)
	return n
}

// concurrently runs f n times at once and counts the successes; every failure must
// be a conflict.
func concurrently(t *testing.T, n int, f func(i int) error) int {
	t.Helper()
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range errs {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			errs[i] = f(i)
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
	return ok
}

// TestSeriesConcurrentStaleSaves: eight editors who all saw the same version save at
// once: exactly one save lands, the others answer 409, the version number grows by
// one and one audit entry is written.
func TestSeriesConcurrentStaleSaves(t *testing.T) {
	for _, sc := range seriesCases() {
		t.Run(sc.name, func(t *testing.T) {
			db, ac := setup(t)
			v := sc.start(t, db, ac)
			edits := auditCount(db, sc.kind, sc.kind+".edit")
			ok := concurrently(t, 8, func(i int) error { _, err := sc.save(v, 200+i); return err })
			if ok != 1 {
				t.Fatalf("%d saves of version %d landed, want 1", ok, v)
			}
			if n := auditCount(db, sc.kind, sc.kind+".edit"); n != edits+1 {
				t.Fatalf("%d edit entries, want %d", n, edits+1)
			}
			// The stale number is refused afterwards too; the fresh one is taken.
			if _, err := sc.save(v, 300); !isConflict(err) {
				t.Fatalf("stale save: %v", err)
			}
			if got, err := sc.save(v+1, 300); err != nil || got != v+2 {
				t.Fatalf("fresh save: version %d %v, want %d", got, err, v+2)
			}
			if n := sc.versions(); n != 1 {
				t.Fatalf("%d versions, want the one draft", n)
			}
		})
	}
}

// TestSeriesTransitions: double submit, approving or rejecting what is not
// submitted, a stale number on a move, concurrent approvals: each refused with a
// conflict that changes nothing; the latest approved version counts through a
// rejected correction and until a correction is approved.
func TestSeriesTransitions(t *testing.T) {
	for _, sc := range seriesCases() {
		t.Run(sc.name, func(t *testing.T) {
			db, ac := setup(t)
			v := sc.start(t, db, ac)
			if _, err := sc.approve(nil); !isConflict(err) {
				t.Fatalf("approve a draft: %v", err)
			}
			if _, err := sc.reject(nil, "不对"); !isConflict(err) {
				t.Fatalf("reject a draft: %v", err)
			}
			stale := v - 1
			if _, err := sc.submit(&stale); !isConflict(err) {
				t.Fatalf("submit a stale version: %v", err)
			}
			before := snapshot(t, db)
			if ok := concurrently(t, 4, func(int) error { _, err := sc.submit(&v); return err }); ok != 1 {
				t.Fatalf("%d concurrent submits landed, want 1", ok)
			}
			if _, err := sc.submit(nil); !isConflict(err) {
				t.Fatalf("double submit: %v", err)
			}
			if snapshot(t, db) == before {
				t.Fatal("the submit changed nothing")
			}
			if _, err := sc.save(v+1, 5); !isConflict(err) {
				t.Fatalf("edit a submitted version: %v", err)
			}
			if _, err := sc.reject(nil, "  "); !isInvalid(err, "reason") {
				t.Fatalf("reject without a reason: %v", err)
			}
			if a, o := sc.counts(t); a != -1 || o != models.StatusSubmitted {
				t.Fatalf("submitted: approved %d open %q", a, o)
			}
			approved := concurrently(t, 4, func(int) error { _, err := sc.approve(nil); return err })
			if approved != 1 || auditCount(db, sc.kind, sc.kind+".approve") != 1 {
				t.Fatalf("%d concurrent approvals landed, want 1 and one audit entry", approved)
			}
			if _, err := sc.approve(nil); !isConflict(err) {
				t.Fatalf("approve twice: %v", err)
			}
			if a, o := sc.counts(t); a != 100 || o != "" {
				t.Fatalf("approved: approved %d open %q", a, o)
			}
			// A correction: a new draft from the approved version, with the next
			// number; rejected with a reason, the approved version still counts.
			c, err := sc.save(0, 150)
			if err != nil || c != v+3 {
				t.Fatalf("correction: version %d %v, want %d", c, err, v+3)
			}
			if a, o := sc.counts(t); a != 100 || o != models.StatusDraft {
				t.Fatalf("correction drafted: approved %d open %q", a, o)
			}
			if _, err := sc.save(0, 150); !isConflict(err) {
				t.Fatalf("a second draft: %v", err)
			}
			c, err = sc.submit(&c)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := sc.reject(&c, "依据不足"); err != nil {
				t.Fatal(err)
			}
			if a, o := sc.counts(t); a != 100 || o != "" {
				t.Fatalf("correction rejected: approved %d open %q", a, o)
			}
			// Corrected again, starting from the rejected version, and approved.
			c2, err := sc.save(0, 160)
			if err != nil || c2 != c+2 {
				t.Fatalf("second correction: version %d %v, want %d", c2, err, c+2)
			}
			if _, err := sc.submit(&c2); err != nil {
				t.Fatal(err)
			}
			if _, err := sc.approve(&c2); !isConflict(err) {
				t.Fatalf("approve naming the draft's number: %v", err)
			}
			if _, err := sc.approve(nil); err != nil {
				t.Fatal(err)
			}
			if a, o := sc.counts(t); a != 160 || o != "" {
				t.Fatalf("correction approved: approved %d open %q", a, o)
			}
			if n := sc.versions(); n != 3 {
				t.Fatalf("%d versions, want 3 (approved, rejected, approved)", n)
			}
			for _, action := range []string{".submit", ".approve", ".reject"} {
				want := map[string]int64{".submit": 3, ".approve": 2, ".reject": 1}[action]
				if n := auditCount(db, sc.kind, sc.kind+action); n != want {
					t.Errorf("%s: %d audit entries, want %d", action, n, want)
				}
			}
		})
	}
}

// TestWorkshopDraftKeepsDates: an edit of an open workshop draft keeps the dates it
// was given (the draft update used to leave them out).
func TestWorkshopDraftKeepsDates(t *testing.T) {
	db, ac := setup(t)
	d, err := models.CreateWorkshop(db, ac["v1"], seeds.FixA1, workshop("甲村竹编工坊", "运营", 10, 0))
	if err != nil {
		t.Fatal(err)
	}
	founded := time.Date(2024, 3, 1, 0, 0, 0, 0, models.Shanghai)
	if _, err := models.SaveWorkshopDraft(db, ac["v1"], d.Workshop.ID,
		models.WorkshopInput{Version: d.Open.Version, FoundedOn: &founded}); err != nil {
		t.Fatal(err)
	}
	d, err = models.GetWorkshop(db, ac["v1"], d.Workshop.ID)
	if err != nil || d.Open.FoundedOn == nil || !d.Open.FoundedOn.Equal(founded) {
		t.Fatalf("founded on after the edit: %+v %v", d.Open, err)
	}
}
