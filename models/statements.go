package models

import (
	"fmt"
	"strings"
	"sync"

	"gorm.io/gorm"
)

// StatementCount is what a piece of work ran: every SQL statement GORM sent
// (reads and writes; BEGIN and COMMIT are not counted). The statements test and
// `cunji bench` print it per request.
type StatementCount struct {
	Reads, Writes int
	SQL           []string
}

// Total is the number of statements.
func (s StatementCount) Total() int { return s.Reads + s.Writes }

func (s StatementCount) String() string {
	return fmt.Sprintf("%2d statements (%d reads, %d writes)", s.Total(), s.Reads, s.Writes)
}

// CountStatements counts the SQL statements run on db while f runs, through
// callbacks after each of GORM's processors (query, row, raw, create, update,
// delete). Nothing else may use db meanwhile: every statement is counted.
func CountStatements(db *gorm.DB, f func()) (StatementCount, error) {
	var n StatementCount
	var mu sync.Mutex
	cb := db.Callback()
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
		name := "cunji:statements-" + r.name
		kind, write := r.name, r.write
		if err := r.reg(name, r.after, func(tx *gorm.DB) {
			if tx.DryRun {
				return // a subquery built into another statement, not run on its own
			}
			sql := tx.Statement.SQL.String()
			mu.Lock()
			defer mu.Unlock()
			n.SQL = append(n.SQL, sql)
			// A raw statement is a write unless it reads.
			if write && !(kind == "raw" && isRead(sql)) {
				n.Writes++
			} else {
				n.Reads++
			}
		}); err != nil {
			return n, err
		}
		defer r.rm(name)
	}
	f()
	return n, nil
}

func isRead(sql string) bool {
	s := strings.ToUpper(strings.TrimSpace(sql))
	return strings.HasPrefix(s, "SELECT") || strings.HasPrefix(s, "WITH")
}
