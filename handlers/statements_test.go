package handlers

import (
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"cunji/models"
	"cunji/seeds"
)

// statements counts the SQL statements run while f runs (models.CountStatements).
func (en *env) statements(f func()) models.StatementCount {
	en.t.Helper()
	n, err := models.CountStatements(en.db, f)
	if err != nil {
		en.t.Fatal(err)
	}
	return n
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
// Then the roll-up's context in one statement (the last open year, the year's
// closing and window, the district's name and the history's latest changes:
// models/rollup_context.go): roll-up now 13 → 9, roll-up as_of 13 → 9.
// Then save+submit 14 → 13 with the reviewer's flags (issue 13): the form's save and
// submit check the village, the year and the window once (SaveAndSubmit), and the
// flags' inputs (last year, the peers' median, the dividends, the thresholds) are
// one statement, in the submission's transaction; on the report page they replace
// the dividends' statement. A street officer's first opening of a flagged report
// writes one row (report_openings): that page is 10, an unflagged one stays 9.
// Then every figure of now from the maintained cells (issue 16): the cells of the
// year with every figure and their company rows in one statement, instead of the
// cells, the title register, the companies, the workshops and the open versions
// counted live: roll-up now 9 → 5. The open versions are kept by triggers on
// report_versions (migration 0015), so the writes above run no more statements.
//
// Then (issue 16) the report's context in one statement (the village in scope with
// its street, the last open year, the year's window and the village's exception:
// models/report_context.go), the open and the latest version in one, and the form's
// save and submit written once in one transaction, with the flags' inputs read
// before it: save+submit 13 → 7, report page 9 → 7 (cadre) and 9 → 8 (officer),
// approve 11 → 10 (page) and 10 → 9 (API), the flagged review page 10 → 9. Then the
// titles held joined to the context: save+submit 7 → 6, report page 7 → 6 (cadre)
// and 8 → 7 (officer), the flagged review page 9 → 8.
//
// Also issue 16: the account and the data revision in one statement
// (models.SessionUser), and what a roll-up and its page read around the counting
// kept at that revision (models.RollupCache: the roll-up's context inputs, the
// years with their closings and windows, the streets, the demo accounts): roll-up
// now, kept 2 → 1, as_of settled, kept 2 → 1; the roll-up page (its roll-up kept by
// the API's requests) 8 → 5, and kept 8 → 1.
//
// Then (issue 16) the streets of the scope with their targets in force in one
// statement (models.streetsWithTargets) instead of the streets and the targets:
// roll-up now 5 → 4, roll-up as_of 8 → 7 (its ceiling was 9).
//
// Then (issue 16) the report page of a cadre (or of district staff) kept per
// account at the data revision and until the window changes by time
// (handlers/report_kept.go): asked again, report page 6 → 1.
//
// CUNJI_TEST_SQL=1 prints each statement.
var statementCeilings = map[string]int{
	"page save+submit (village cadre, form)": 6,
	"report page (village cadre)":            6,
	"report page, kept (village cadre)":      1,
	"report page (street officer)":           6,
	"approve (street, page)":                 10,
	"approve (street, API)":                  9,
	"roll-up now (district, API)":            4,
	"roll-up as_of (district, API)":          7,
	"roll-up now, kept (district, API)":      1,
	"roll-up as_of settled, kept (API)":      1,
	// A flagged report's review page records the officer's first opening (one write).
	"report page (street officer, flagged)": 8,
	"roll-up page (district)":               5,
	"roll-up page, kept (district)":         1,
}

// postgresExtra are the statements a request runs on PostgreSQL only: a roll-up
// counted from the history sets its planning for its instant first (SET LOCAL
// plan_cache_mode, models.customPlans; issue 16, a generic plan of the open versions
// as of an instant read every village in force).
var postgresExtra = map[string]int{
	"roll-up as_of (district, API)": 1,
}

// ceiling is the ceiling of a request on the backend of the test.
func ceiling(name string) int {
	if models.TestBackend() == "postgres" {
		return statementCeilings[name] + postgresExtra[name]
	}
	return statementCeilings[name]
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
	got := map[string]models.StatementCount{}
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
	measure("report page, kept (village cadre)", func() {
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
	// Asked again with nothing changed, the roll-up of now is the one kept at the
	// same data revision; a settled past instant's is kept for good. Either costs
	// the account's check, which reads the data revision with it.
	measure("roll-up now, kept (district, API)", func() {
		if code, body := en.api("GET", "/api/v1/rollup?year=2025", d, nil); code != http.StatusOK {
			t.Fatalf("roll-up: %d %v", code, body)
		}
	})
	measure("roll-up page (district)", func() {
		if rec := en.page("GET", "/rollup?year=2025", d, nil, false); rec.Code != http.StatusOK {
			t.Fatalf("roll-up page: %d", rec.Code)
		}
	})
	measure("roll-up page, kept (district)", func() {
		if rec := en.page("GET", "/rollup?year=2025", d, nil, false); rec.Code != http.StatusOK {
			t.Fatalf("roll-up page: %d", rec.Code)
		}
	})
	settled := url.QueryEscape(time.Now().Add(-models.RollupSettle - time.Minute).UTC().Format(time.RFC3339))
	if code, body := en.api("GET", "/api/v1/rollup?year=2025&as_of="+settled, d, nil); code != http.StatusOK {
		t.Fatalf("roll-up as_of: %d %v", code, body)
	}
	measure("roll-up as_of settled, kept (API)", func() {
		if code, body := en.api("GET", "/api/v1/rollup?year=2025&as_of="+settled, d, nil); code != http.StatusOK {
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
		t.Logf("  %-40s %s (ceiling %d)", name, got[name], ceiling(name))
		if os.Getenv("CUNJI_TEST_SQL") != "" {
			for _, q := range got[name].SQL {
				t.Logf("      %s", q)
			}
		}
	}
	for _, name := range order {
		if got[name].Total() > ceiling(name) {
			t.Errorf("%s ran %s, more than its ceiling %d", name, got[name], ceiling(name))
		}
	}
}
