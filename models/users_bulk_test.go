package models_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"cunji/models"
	"cunji/seeds"
)

// accountSheet is a bulk account sheet of n cadres of one village.
func accountSheet(n int, prefix string) [][]string {
	rows := [][]string{models.UserImportHeader}
	for i := 0; i < n; i++ {
		rows = append(rows, []string{fmt.Sprintf("%s-%04d", prefix, i), fmt.Sprintf("干部%d", i), "村干部", seeds.FixA1, ""})
	}
	return rows
}

// TestBulkAccountsLeaveSavesAlone: while an account sheet as large as the cap is
// imported, a cadre saves a draft again and again, and no save fails (the hashing
// happens before the transaction, which stays short). The longest wait is logged.
func TestBulkAccountsLeaveSavesAlone(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	db, ac := setup(t)
	rows := accountSheet(models.UserSheetRows-1, "bulk")
	type outcome struct {
		created int
		probs   []models.ImportProblem
		err     error
	}
	done := make(chan outcome, 1)
	start := time.Now()
	go func() {
		created, probs, err := models.BulkCreateUsers(db, ac["d"], rows)
		done <- outcome{len(created), probs, err}
	}()
	var saves int
	var longest time.Duration
	for {
		select {
		case res := <-done:
			took := time.Since(start)
			t.Logf("%d accounts on %s in %v; %d saves meanwhile, the longest took %v", res.created, models.TestBackend(), took.Round(time.Millisecond), saves, longest.Round(time.Millisecond))
			if res.err != nil || len(res.probs) != 0 || res.created != models.UserSheetRows-1 {
				t.Fatalf("import: %d created, %v, %v", res.created, res.probs, res.err)
			}
			if saves == 0 {
				t.Fatal("no save happened during the import")
			}
			return
		default:
		}
		rep, err := models.GetReport(db, ac["v1"], seeds.FixA1, 2024)
		if err != nil {
			t.Fatal(err)
		}
		in := figures(int64(saves)*100, 0, 0, 0, 1, false)
		if rep.Open != nil {
			in.Version = rep.Open.Version
		}
		began := time.Now()
		if _, err := models.SaveDraft(db, ac["v1"], seeds.FixA1, 2024, in); err != nil {
			t.Fatalf("a cadre's save during the import (after %d saves): %v", saves, err)
		}
		longest = max(longest, time.Since(began))
		saves++
		time.Sleep(20 * time.Millisecond)
	}
}

// TestBulkAccountProblems: every problem of an account sheet is reported by its
// row (a taken username, an unknown village, a repeated row) and nothing is
// created; a sheet over the cap is refused naming the cap.
func TestBulkAccountProblems(t *testing.T) {
	db, ac := setup(t)
	rows := accountSheet(4, "p")
	rows[2][0] = "v2"           // taken
	rows[3][3] = "331002001999" // no such village
	rows[4][0] = rows[1][0]     // repeats row 2
	var before int64
	db.Model(&models.User{}).Count(&before)
	created, probs, err := models.BulkCreateUsers(db, ac["d"], rows)
	if err != nil || created != nil {
		t.Fatalf("created %v, %v", created, err)
	}
	got := map[string]bool{}
	for _, p := range probs {
		got[fmt.Sprintf("%d/%s", p.Row, p.Column)] = true
	}
	for _, want := range []string{"3/用户名", "4/范围代码", "5/用户名"} {
		if !got[want] {
			t.Errorf("missing %s in %+v", want, probs)
		}
	}
	var after int64
	db.Model(&models.User{}).Count(&after)
	if after != before {
		t.Fatal("a sheet with problems created accounts")
	}
	_, probs, err = models.BulkCreateUsers(db, ac["d"], accountSheet(models.UserSheetRows, "cap"))
	if err != nil || len(probs) != 1 || !strings.Contains(probs[0].Message, fmt.Sprint(models.UserSheetRows)) {
		t.Fatalf("over the cap: %+v %v", probs, err)
	}
}
