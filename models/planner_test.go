package models_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"cunji/models"
	"cunji/seeds"
)

// A roll-up counted from the history on PostgreSQL plans each statement for its
// instant (a generic plan cannot know whether the instant is recent: the open
// versions of a province as of an instant took 55–100 ms with one against 0.04–13 ms
// planned for it); the pool keeps planning as PostgreSQL does.
func TestPastRollupPlannedForItsValues(t *testing.T) {
	if models.TestBackend() != "postgres" {
		t.Skip("PostgreSQL only")
	}
	db, ac := setup(t)
	// A report approved after the instant: the roll-up as of it is counted from the
	// history.
	at := time.Now().UTC()
	time.Sleep(2 * time.Millisecond)
	approved(t, db, ac["v1"], ac["s1"], seeds.FixA1, 2025, op(60_000_000))
	// The mode each statement that reads report_versions (the open versions, the
	// reports) is planned with, asked on its own connection just before it runs.
	var modes []string
	record := func(tx *gorm.DB) {
		s := tx.Statement
		// (The roll-up's context, which finds whether anything changed since the
		// instant, reads only the latest review.)
		if !strings.Contains(s.SQL.String()+fmt.Sprint(s.Joins)+s.Table, "report_versions") ||
			strings.Contains(s.SQL.String(), "AS revision") {
			return
		}
		var mode string
		if err := s.ConnPool.QueryRowContext(context.Background(), "SELECT current_setting('plan_cache_mode')").Scan(&mode); err != nil {
			t.Error(err)
		}
		modes = append(modes, mode)
	}
	for name, err := range map[string]error{
		"row":   db.Callback().Row().Before("gorm:row").Register("test:plan_mode_row", record),
		"raw":   db.Callback().Raw().Before("gorm:raw").Register("test:plan_mode_raw", record),
		"query": db.Callback().Query().Before("gorm:query").Register("test:plan_mode_query", record),
	} {
		if err != nil {
			t.Fatal(name, err)
		}
	}
	if _, err := models.ComputeRollup(db, ac["d"], "", 2025, at); err != nil {
		t.Fatal(err)
	}
	if len(modes) == 0 {
		t.Fatal("no statement of the past roll-up read report_versions")
	}
	for _, m := range modes {
		if m != "force_custom_plan" {
			t.Fatalf("a statement of the past roll-up planned with %q: %v", m, modes)
		}
	}
	var mode string
	if err := db.Raw("SELECT current_setting('plan_cache_mode')").Scan(&mode).Error; err != nil || mode != "auto" {
		t.Fatalf("after the past roll-up, the pool plans with %q (%v)", mode, err)
	}
}
