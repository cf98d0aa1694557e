package models

import (
	"context"
	"database/sql"
	"errors"
	"sync"

	"gorm.io/gorm"
)

// sqliteWriters holds, per SQLite database (its *sql.DB), the writeGroup that the
// version workflow's write transactions (series: save, submit, approve …) go
// through. SQLite lets one writer in at a time anyway; without the group the others
// each hold a pooled connection while SQLite's busy handler puts them to sleep for
// 1, 2, 5, 10 … ms, so that the lock sits idle while they sleep, and the readers
// wait for a connection. Other processes and transactions outside the group are
// still kept out by SQLite's own lock and busy handler.
var sqliteWriters sync.Map

// pgWriters holds, per PostgreSQL database of this instance (its *sql.DB), the
// slots its write transactions take (a channel of pgWriteSlots).
var pgWriters sync.Map

// pgWriteSlots is how many write transactions an instance runs on PostgreSQL at
// once: one committing while the next runs its statements. Every write of the
// version workflow moves a few hot rows, locked until its commit: its street ×
// type cell, its district's totals, the data revision (0011, 0015, 0017), so the
// writers of one district commit one after the other whatever their number. With
// one transaction per request (32 at once with 32 writers) the others waited on
// those rows, each commit woke all of them, and the machine's time went to lock
// waits and wake-ups: measured 2026-12-02 with 32 writers and two instances,
// 33–37 save+submit+approve cycles a second with no bound, 55 with one slot,
// 60–64 with two, 60 with three, 46 with four (docs/performance.md); once
// PostgreSQL no longer planned every statement anew, 65–94 with two and 68–89 with
// three. A writer waits for a slot in the instance, in order, until its request ends.
const pgWriteSlots = 2

// writeSlot runs fn in a transaction of its own once one of the instance's
// pgWriteSlots for sqlDB is free; a writer whose request ends while it waits gets
// its context's error, and fn never runs.
func writeSlot(db *gorm.DB, sqlDB *sql.DB, fn func(tx *gorm.DB) error) error {
	s, ok := pgWriters.Load(sqlDB)
	if !ok {
		s, _ = pgWriters.LoadOrStore(sqlDB, make(chan struct{}, pgWriteSlots))
	}
	slots := s.(chan struct{})
	ctx := requestContext(db)
	select {
	case slots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-slots }()
	return db.Transaction(fn)
}

// inTransaction reports whether db runs inside a transaction (its statements go
// to one connection, which holds the transaction's locks, or slot).
func inTransaction(db *gorm.DB) bool {
	_, ok := db.Statement.ConnPool.(gorm.TxCommitter)
	return ok
}

// requestContext is the context db's statements run with (the request's), or
// Background when it has none.
func requestContext(db *gorm.DB) context.Context {
	if ctx := db.Statement.Context; ctx != nil {
		return ctx
	}
	return context.Background()
}

// maxGroup bounds the write transactions committed together: a writer waits for at
// most one group ahead of it, and a group's work (its statements, then one fsync)
// stays short enough that none of its writers waits long.
const maxGroup = 32

// writeTx runs fn in a transaction of db. On SQLite, fn is committed together with
// the other write transactions waiting meanwhile (group commit): one transaction,
// each fn in its own savepoint, one commit, so one fsync of the WAL for the group
// instead of one each, with synchronous=FULL kept (a writer is answered only once
// its writes are on disk). On PostgreSQL, whose writers lock rows, not the
// database, it is a transaction of its own, run once one of the instance's
// pgWriteSlots is free (writeSlot). A db already inside a transaction runs fn as a
// nested one: its transaction holds the write lock (or its slot), or will.
//
// What fn's caller sees does not change: fn's error (or panic) is its own, and
// none of fn's writes remain; nil is returned only once fn's writes are committed;
// when the group's commit fails, every fn of the group gets the error. fn must not
// act outside the database before writeTx returns (it does not: the callers keep
// fn's results in variables and use them once writeTx returned nil).
func writeTx(db *gorm.DB, fn func(tx *gorm.DB) error) error {
	if inTransaction(db) {
		return db.Transaction(fn)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return db.Transaction(fn)
	}
	if db.Dialector.Name() != "sqlite" {
		return writeSlot(db, sqlDB, fn)
	}
	g, _ := sqliteWriters.LoadOrStore(sqlDB, &writeGroup{})
	return g.(*writeGroup).do(db, fn)
}

// writeGroup queues the write transactions of one SQLite database. A leader
// goroutine runs while any wait: it takes the ones waiting (at most maxGroup),
// commits them as one transaction, answers each, and takes the ones that arrived
// meanwhile, so that a group forms by itself while the one before it writes and
// waits for its fsync, without any writer being held back on purpose.
type writeGroup struct {
	mu      sync.Mutex
	waiting []*groupWrite
	leading bool
}

// groupWrite is one writer's fn waiting in a writeGroup, and its outcome.
type groupWrite struct {
	db   *gorm.DB
	ctx  context.Context
	fn   func(tx *gorm.DB) error
	done chan struct{}
	err  error
	// panicked: fn panicked with panicValue, which its caller panics with again.
	panicked   bool
	panicValue any
}

// do queues fn and waits for its outcome. A writer whose context ends while it
// still waits leaves the queue (its fn never runs); once its group has taken it,
// it waits for the outcome, which its fn's caller must know.
func (g *writeGroup) do(db *gorm.DB, fn func(tx *gorm.DB) error) error {
	ctx := requestContext(db)
	w := &groupWrite{db: db, ctx: ctx, fn: fn, done: make(chan struct{})}
	g.mu.Lock()
	g.waiting = append(g.waiting, w)
	if !g.leading {
		g.leading = true
		go g.lead()
	}
	g.mu.Unlock()
	select {
	case <-w.done:
	case <-ctx.Done():
		if g.leave(w) {
			return ctx.Err()
		}
		<-w.done
	}
	if w.panicked {
		panic(w.panicValue)
	}
	return w.err
}

// leave takes w out of the queue if no group has taken it yet.
func (g *writeGroup) leave(w *groupWrite) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	for i, x := range g.waiting {
		if x == w {
			g.waiting = append(g.waiting[:i], g.waiting[i+1:]...)
			return true
		}
	}
	return false
}

// lead commits groups while writers wait. When a fn ends the goroutine
// (runtime.Goexit), another leader takes over.
func (g *writeGroup) lead() {
	idle := false
	defer func() {
		if !idle {
			go g.lead()
		}
	}()
	for {
		g.mu.Lock()
		n := min(len(g.waiting), maxGroup)
		if n == 0 {
			g.leading, idle = false, true
			g.mu.Unlock()
			return
		}
		group := append([]*groupWrite(nil), g.waiting[:n]...)
		g.waiting = append(g.waiting[:0], g.waiting[n:]...)
		g.mu.Unlock()
		commitGroup(group)
	}
}

// commitGroup runs the group's fns in one transaction and answers every writer
// once the group's outcome is known. Alone, a fn runs as db.Transaction would run
// it. In a group each runs in its own savepoint: a fn that fails (or panics) is
// rolled back to it, so that nothing of its writes remains while the others' do;
// the others get the commit's error if it fails. No writer is answered before the
// commit, not even one that failed: its error may rest on what the fns before it
// wrote (a version already submitted), which is not there if the commit fails.
// When SQLite has rolled the whole transaction back (it does on some errors: disk
// full, I/O), the savepoint is gone, and every writer whose fn did not fail gets
// the error.
func commitGroup(group []*groupWrite) {
	// The transaction is the group's, not one writer's: a writer's request that
	// ends must not roll the others back (database/sql rolls a transaction back
	// when the context it began with ends, and SQLite's interrupt may roll back
	// the whole transaction). Each fn runs with its writer's context's values.
	tx := group[0].db.Session(&gorm.Session{NewDB: true, Context: context.Background()}).Begin()
	if tx.Error != nil {
		answer(group, tx.Error)
		return
	}
	finished := false
	defer func() {
		if !finished {
			// A fn ended the leader's goroutine (runtime.Goexit, as t.FailNow
			// does): the write lock must not stay taken, nor the writers wait.
			tx.Rollback()
			answer(group, errGroupAbandoned)
		}
	}()
	err := runGroup(tx, group)
	finished = true
	answer(group, err)
}

// errGroupAbandoned answers the writers of a group whose leader ended in a fn.
var errGroupAbandoned = errors.New("group commit: a write transaction ended its goroutine; the group was rolled back")

// runGroup runs the group's fns in tx and commits it, or rolls it back when it is
// broken; the error is the group's (the commit's, or the broken transaction's).
func runGroup(tx *gorm.DB, group []*groupWrite) error {
	if len(group) == 1 {
		if runFn(tx, group[0]) {
			tx.Rollback()
			return nil
		}
		return tx.Commit().Error
	}
	conn := rawConn(tx)
	for _, w := range group {
		if err := runSaved(tx, conn, w); err != nil {
			tx.Rollback()
			return err
		}
	}
	return tx.Commit().Error
}

// writeSavepoint is the savepoint each fn of a group runs in. One name serves them
// all: a fn's savepoint is released before the next fn's is taken, and the
// statements' text stays the same, so that the driver's statement cache keeps
// them (a name per fn would fill it). GORM's nested transactions inside fn take
// savepoints of their own names ("sp" and a random number), which the release or
// the rollback of this one ends with it.
const writeSavepoint = "cunji_write"

// runSaved runs w's fn inside writeSavepoint, rolled back to it when fn fails; err
// is a savepoint statement's failure (the transaction is broken: SQLite may have
// rolled it back).
func runSaved(tx *gorm.DB, conn gorm.ConnPool, w *groupWrite) error {
	if err := savepoint(conn, "SAVEPOINT "+writeSavepoint); err != nil {
		return err
	}
	if runFn(tx, w) {
		if err := savepoint(conn, "ROLLBACK TO "+writeSavepoint); err != nil {
			return err
		}
	}
	return savepoint(conn, "RELEASE "+writeSavepoint)
}

// runFn runs w's fn in the group's transaction tx, on w's own session (as
// db.Transaction would give it: its settings, its context's values but not its
// end), keeping an error or a panic as w's outcome; it reports whether fn failed.
func runFn(tx *gorm.DB, w *groupWrite) (failed bool) {
	defer func() {
		if r := recover(); r != nil {
			w.panicked, w.panicValue, failed = true, r, true
		}
	}()
	own := w.db.Session(&gorm.Session{Context: context.WithoutCancel(w.ctx)})
	own.Statement.ConnPool = tx.Statement.ConnPool
	w.err = w.fn(own)
	return w.err != nil
}

// answer gives every writer of ws err (nil: committed) and wakes it. A writer whose
// fn failed keeps its own outcome: none of its writes is there either way.
func answer(ws []*groupWrite, err error) {
	for _, w := range ws {
		if w.err == nil && !w.panicked {
			w.err = err
		}
		close(w.done)
	}
}

// rawConn is the transaction's connection itself: savepoints are not prepared
// statements (GORM's own SavePoint does the same), nor statements that the
// statement counts (CountStatements) should see.
func rawConn(tx *gorm.DB) gorm.ConnPool {
	if p, ok := tx.Statement.ConnPool.(*gorm.PreparedStmtTX); ok {
		return p.Tx
	}
	return tx.Statement.ConnPool
}

// savepoint runs one savepoint statement on the group's transaction.
func savepoint(conn gorm.ConnPool, stmt string) error {
	if conn == nil {
		return errors.New("group commit: no transaction")
	}
	_, err := conn.ExecContext(context.Background(), stmt)
	return err
}
