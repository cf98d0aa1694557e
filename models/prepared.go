package models

import (
	"database/sql"

	"gorm.io/gorm"
)

// prepared is db with its statements prepared once and kept (GORM's statement
// store, shared by every session of the same database), for the few reads that
// every report request runs with the same text: compiling them again each time was
// about a tenth of a report request's CPU on SQLite. Only statements whose text does
// not vary with their arguments (no IN list of varying length) may use it, so that
// the store stays as small as the set of such statements. Inside a transaction the
// statement is prepared on the transaction's connection as before.
func prepared(db *gorm.DB) *gorm.DB {
	return db.Session(&gorm.Session{PrepareStmt: true})
}

// scanRows reads every row of a query (the result of Rows()) with the function it
// returns a caller for, which takes each row's columns into plain variables (no
// reflection per row); the rows are closed.
func scanRows(rows *sql.Rows, err error) func(scan func(*sql.Rows) error) error {
	return func(scan func(*sql.Rows) error) error {
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			if err := scan(rows); err != nil {
				return err
			}
		}
		return rows.Err()
	}
}
