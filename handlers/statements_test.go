package handlers

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"cunji/models"
	"cunji/seeds"

	"gorm.io/gorm"
)

// statementCount is what one request ran: every SQL statement GORM sent (reads and
// writes; BEGIN/COMMIT are not counted).
type statementCount struct {
	reads, writes int
	sql           []string
}

func (s statementCount) total() int { return s.reads + s.writes }

func (s statementCount) String() string {
	return fmt.Sprintf("%2d statements (%d reads, %d writes)", s.total(), s.reads, s.writes)
}

// statements counts the SQL statements run while f runs, through callbacks after
// each of GORM's processors (query, row, raw, create, update, delete).
func (en *env) statements(f func()) statementCount {
	en.t.Helper()
	var n statementCount
	cb := en.db.Callback()
	regs := []struct {
		name  string
		after string
		reg   func(string, string, func(*gorm.DB)) error
		rm    func(string) error
		write bool
	}{
		{"query", "gorm:query", func(n, a string, f func(*gorm.DB)) error { return cb.Query().After(a).Register(n, f) }, cb.Query().Remove, false},
		{"row", "gorm:row", func(n, a string, f func(*gorm.DB)) error { return cb.Row().After(a).Register(n, f) }, cb.Row().Remove, false},
		{"raw", "gorm:raw", func(n, a string, f func(*gorm.DB)) error { return cb.Raw().After(a).Register(n, f) }, cb.Raw().Remove, true},
		{"create", "gorm:create", func(n, a string, f func(*gorm.DB)) error { return cb.Create().After(a).Register(n, f) }, cb.Create().Remove, true},
		{"update", "gorm:update", func(n, a string, f func(*gorm.DB)) error { return cb.Update().After(a).Register(n, f) }, cb.Update().Remove, true},
		{"delete", "gorm:delete", func(n, a string, f func(*gorm.DB)) error { return cb.Delete().After(a).Register(n, f) }, cb.Delete().Remove, true},
	}
	for _, r := range regs {
		name := "test:statements-" + r.name
		write := r.write
		if err := r.reg(name, r.after, func(tx *gorm.DB) {
			if tx.DryRun {
				return // a subquery built into another statement, not run on its own
			}
			n.sql = append(n.sql, tx.Statement.SQL.String())
			// A raw statement is a write unless it reads.
			if write && r.name == "raw" && isRead(tx.Statement.SQL.String()) {
				n.reads++
				return
			}
			if write {
				n.writes++
			} else {
				n.reads++
			}
		}); err != nil {
			en.t.Fatal(err)
		}
		defer r.rm(name)
	}
	f()
	return n
}

func isRead(sql string) bool {
	s := strings.ToUpper(strings.TrimSpace(sql))
	return strings.HasPrefix(s, "SELECT") || strings.HasPrefix(s, "WITH")
}

// statementCeilings are the most statements each measured request may run; they
// only ever go down (issue 11: "each fell"). Measured on main at ad17070 (SQLite,
// the same on PostgreSQL), before the one Scope → after it (the scope checked inside
// the query that needs the village; no handler pre-loads it; the queue in one
// statement):
//
//	page save+submit 18 → 14, report page 10 → 9 (cadre) and 12 → 9 (officer),
//	approve 12 → 11 (page) and 13 → 10 (API), roll-up now 13, roll-up as_of 13.
//
// Then save+submit 14 → 13 with the reviewer's flags (issue 13): the form's save and
// submit check the village, the year and the window once (SaveAndSubmit), and the
// flags' inputs (last year, the peers' median, the dividends, the thresholds) are
// one statement, in the submission's transaction; on the report page they replace
// the dividends' statement. A street officer's first opening of a flagged report
// writes one row (report_openings): that page is 10, an unflagged one stays 9.
//
// CUNJI_TEST_SQL=1 prints each statement.
var statementCeilings = map[string]int{
	"page save+submit (village cadre, form)": 13,
	"report page (village cadre)":            9,
	"report page (street officer)":           9,
	"approve (street, page)":                 11,
	"approve (street, API)":                  10,
	"roll-up now (district, API)":            13,
	"roll-up as_of (district, API)":          13,
	// A flagged report's review page records the officer's first opening (one write).
	"report page (street officer, flagged)": 10,
}

// TestStatementsPerRequest prints the SQL statements of the requests that matter
// most (go test ./handlers -run TestStatementsPerRequest -v), on the real SQLite
// file of the test, and on PostgreSQL when CUNJI_TEST_POSTGRES_URL is set; each stays
// within its ceiling.
func TestStatementsPerRequest(t *testing.T) {
	en := newEnv(t)
	en.approvedYear("v1", seeds.FixA1, 2024, models.ReportInput{BusinessFen: fen(70_000_000), ContractFen: fen(8_450_000)})
	en.approvedYear("v2", seeds.FixA2, 2025, models.ReportInput{BusinessFen: fen(40_000_000)})
	page := "/villages/" + seeds.FixA1 + "/reports/2025"
	v1, s1, d := en.token("v1"), en.token("s1"), en.token("d")
	got := map[string]statementCount{}
	var order []string
	measure := func(name string, f func()) {
		got[name] = en.statements(f)
		order = append(order, name)
	}

	form := url.Values{"version": {"0"}, "star_rating": {"0"}, "business_wan": {"60"}, "contract_wan": {"8.45"}, "action": {"submit"}}
	measure("page save+submit (village cadre, form)", func() {
		if rec := en.page("POST", page, v1, form, true); rec.Code != http.StatusSeeOther {
			t.Fatalf("save+submit: %d %s", rec.Code, rec.Body.String())
		}
	})
	measure("report page (village cadre)", func() {
		if rec := en.page("GET", page, v1, nil, false); rec.Code != http.StatusOK {
			t.Fatalf("report page: %d", rec.Code)
		}
	})
	measure("report page (street officer)", func() {
		if rec := en.page("GET", page, s1, nil, false); rec.Code != http.StatusOK {
			t.Fatalf("report page: %d", rec.Code)
		}
	})
	rep, err := models.GetReport(en.db, en.actor("s1"), seeds.FixA1, 2025)
	if err != nil || rep.Open == nil {
		t.Fatalf("nothing submitted: %v", err)
	}
	measure("approve (street, page)", func() {
		rec := en.page("POST", page+"/approve", s1, url.Values{"version": {strconv.Itoa(rep.Open.Version)}}, true)
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("approve: %d %s", rec.Code, rec.Body.String())
		}
	})
	ver := en.submitted("v2", seeds.FixA2, 2025, 50_000_000)
	measure("approve (street, API)", func() {
		if code, body := en.api("POST", "/api/v1/villages/"+seeds.FixA2+"/reports/2025/approve", s1, map[string]any{"version": ver}); code != http.StatusOK {
			t.Fatalf("approve: %d %v", code, body)
		}
	})
	measure("roll-up now (district, API)", func() {
		if code, body := en.api("GET", "/api/v1/rollup?year=2025", d, nil); code != http.StatusOK {
			t.Fatalf("roll-up: %d %v", code, body)
		}
	})
	asOf := url.QueryEscape(time.Now().Add(-time.Second).UTC().Format(time.RFC3339))
	measure("roll-up as_of (district, API)", func() {
		if code, body := en.api("GET", "/api/v1/rollup?year=2025&as_of="+asOf, d, nil); code != http.StatusOK {
			t.Fatalf("roll-up as_of: %d %v", code, body)
		}
	})

	// 甲村 2026 at 10 万 against 2025's 68.45 万: flagged (below 50 万, 经营收入 -50 万).
	en.submitted("v1", seeds.FixA1, 2026, 10_000_000)
	measure("report page (street officer, flagged)", func() {
		rec := en.page("GET", "/villages/"+seeds.FixA1+"/reports/2026", s1, nil, false)
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "跌破 50 万元线") {
			t.Fatalf("flagged report page: %d", rec.Code)
		}
	})

	t.Logf("SQL statements per request on %s:", models.TestBackend())
	for _, name := range order {
		t.Logf("  %-40s %s (ceiling %d)", name, got[name], statementCeilings[name])
		if os.Getenv("CUNJI_TEST_SQL") != "" {
			for _, q := range got[name].sql {
				t.Logf("      %s", q)
			}
		}
	}
	for _, name := range order {
		if got[name].total() > statementCeilings[name] {
			t.Errorf("%s ran %s, more than its ceiling %d", name, got[name], statementCeilings[name])
		}
	}
}
