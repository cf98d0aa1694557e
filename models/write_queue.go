package models

import (
	"sync"

	"gorm.io/gorm"
)

// sqliteWriters holds, per SQLite database (its *sql.DB), a one-slot queue that
// the version workflow's write transactions (series: save, submit, approve …) take
// before BEGIN. SQLite lets one writer in at a time anyway; without the queue the
// others each hold a pooled connection while SQLite's busy handler puts them to
// sleep for 1, 2, 5, 10 … ms, so that the lock sits idle while they sleep, and the
// readers wait for a connection. Queued here, the next writer starts the moment the
// last one commits, and holds a connection only while it writes. Other processes
// and transactions outside the queue are still kept out by SQLite's own lock and
// busy handler.
var sqliteWriters sync.Map

// writeTx runs fn in a transaction of db, queued behind the other queued write
// transactions of the same SQLite database (not on PostgreSQL, whose writers lock
// rows, not the database). A db already inside a transaction runs fn as a nested
// one, without queueing: its transaction holds the write lock, or will.
func writeTx(db *gorm.DB, fn func(tx *gorm.DB) error) error {
	if db.Dialector.Name() != "sqlite" {
		return db.Transaction(fn)
	}
	if _, inTx := db.Statement.ConnPool.(gorm.TxCommitter); inTx {
		return db.Transaction(fn)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return db.Transaction(fn)
	}
	q, _ := sqliteWriters.LoadOrStore(sqlDB, make(chan struct{}, 1))
	slot := q.(chan struct{})
	ctx := db.Statement.Context
	if ctx == nil {
		slot <- struct{}{}
	} else {
		select {
		case slot <- struct{}{}:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	defer func() { <-slot }()
	return db.Transaction(fn)
}
