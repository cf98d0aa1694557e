package models

import (
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// IsPostgres reports whether a --db value names a PostgreSQL database.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open opens the database named by dsn and runs the migrations (migrations.go): it
// refuses a database migrated by a newer cunji, backs up an existing SQLite database
// before migrating it, then migrates under the start-up lock.
func Open(dsn string) (*gorm.DB, error) {
	db, err := openUnmigrated(dsn)
	if err != nil {
		return nil, err
	}
	sqlitePath := ""
	if !IsPostgres(dsn) {
		sqlitePath = dsn
	}
	if _, err := prepareUpgrade(db, sqlitePath); err != nil {
		closeDB(db)
		return nil, err
	}
	if err := WithLock(db, migrateAndRecount); err != nil {
		closeDB(db)
		return nil, fmt.Errorf("migrate: %w", err)
	}
	// Statistics help the planner; they are not worth refusing to start for (a
	// writer holding the database past the busy timeout, say).
	if err := Analyze(db, false); err != nil {
		slog.Warn("could not refresh the query planner's statistics; starting without", "err", err)
	}
	return db, nil
}

// Analyze gives the query planner statistics of the tables' shape. SQLite keeps
// none until asked, and without them its planner guesses: it read the triggers'
// company counts through an index that scans a whole year (fixed for good by
// migration 0020, but a guess is a guess). With full false it runs SQLite's own
// PRAGMA optimize (0x10002: every table never analyzed or grown 25-fold since,
// each read in part, so it costs milliseconds; SQLite advises it at every opening);
// with full true, after a bulk load, a full ANALYZE. PostgreSQL keeps its
// statistics itself (autovacuum); there only full true runs ANALYZE.
func Analyze(db *gorm.DB, full bool) error {
	switch {
	case full:
		return db.Exec("ANALYZE").Error
	case db.Dialector.Name() == "sqlite":
		return db.Exec("PRAGMA optimize=0x10002").Error
	}
	return nil
}

func closeDB(db *gorm.DB) {
	if s, err := db.DB(); err == nil {
		s.Close()
	}
}

// openUnmigrated opens the database named by dsn. A postgres:// URL opens
// PostgreSQL; anything else is a SQLite file, opened with foreign keys on, WAL,
// a busy timeout, synchronous=FULL (every acknowledged write survives a crash),
// write transactions that take the lock at BEGIN (no deadlocking lock upgrades) and
// the last 128 statements of each connection kept prepared (the driver's statement
// cache: the write transactions' statements, which GORM's PrepareStmt does not
// keep, were compiled anew each time, a quarter of the CPU of the group commit's
// leader, whose work nothing else can do meanwhile).
func openUnmigrated(dsn string) (*gorm.DB, error) {
	cfg := &gorm.Config{
		Logger:  logger.Default.LogMode(logger.Silent),
		NowFunc: func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) },
	}
	var dial gorm.Dialector
	if IsPostgres(dsn) {
		dial = postgres.Open(withPlannerSettings(dsn))
	} else {
		dial = sqlite.Open("file:" + dsn + "?_foreign_keys=1&_journal_mode=WAL&_busy_timeout=10000&_synchronous=FULL&_txlock=immediate&_stmt_cache_size=128")
	}
	db, err := gorm.Open(dial, cfg)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	if IsPostgres(dsn) {
		// Two cores serve more than enough with 16; several instances (and the test
		// suites running side by side) stay well under PostgreSQL's 100 connections.
		sqlDB.SetMaxOpenConns(16)
		sqlDB.SetMaxIdleConns(8)
	} else {
		// As many kept idle as may be open: database/sql keeps two by default, and
		// under load it closed the others after each use and opened new ones, each
		// opening running its PRAGMAs, reading the schema again and losing its
		// prepared statements (a tenth of the CPU of 32 concurrent writers).
		sqlDB.SetMaxOpenConns(8)
		sqlDB.SetMaxIdleConns(8)
	}
	return db, nil
}

// withPlannerSettings sets the page cost of solid-state storage for PostgreSQL's
// planner. It leaves plan_cache_mode to PostgreSQL (auto: a prepared statement is
// planned for its parameters five times, then kept as a generic plan when that plan
// is estimated no dearer), unless the URL sets it. Until 2026-12-02 it forced a
// plan for every execution (force_custom_plan), after a generic plan for
// "reviewed_at > $1" had made an older roll-up ten times slower; the figures of now
// read maintained rows since, and planning every statement anew had become the
// largest cost of the version workflow: 32 writers, two instances, 42–70
// save+submit+approve cycles a second forced against 73–85 left to PostgreSQL. Of
// the statements with an instant, reviewed one by one with generic plans, only the
// roll-up counted from the history lost, and it plans for its values (customPlans,
// docs/performance.md).
func withPlannerSettings(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn
	}
	q := u.Query()
	// Solid-state storage: an index lookup costs little more than a sequential read,
	// so a district's few villages are joined by index rather than by scanning.
	if q.Get("random_page_cost") == "" {
		q.Set("random_page_cost", "1.1")
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// lockKey is the PostgreSQL advisory lock that serialises start-up work (migrations,
// first seeding) between instances of one deployment.
const lockKey int32 = 727135

// advisoryXactLock takes, on PostgreSQL, the transaction-scoped advisory lock key for
// this deployment: the key paired with the schema the tables live in, so that the
// instances of one deployment exclude each other while deployments in other schemas of
// the same database (and the test suites, one schema each) do not wait on each other.
// On SQLite it does nothing: its write transactions already exclude each other.
func advisoryXactLock(tx *gorm.DB, key int32) error {
	if tx.Dialector.Name() != "postgres" {
		return nil
	}
	return tx.Exec("SELECT pg_advisory_xact_lock(?, hashtext(current_schema()))", key).Error
}

// WithLock runs fn in one transaction holding the deployment-wide start-up lock
// (on PostgreSQL a transaction-scoped advisory lock; SQLite's write transactions
// already exclude each other), so that several instances starting at once migrate
// and seed one after the other.
func WithLock(db *gorm.DB, fn func(*gorm.DB) error) error {
	return db.Transaction(func(tx *gorm.DB) error {
		if err := advisoryXactLock(tx, lockKey); err != nil {
			return err
		}
		return fn(tx)
	})
}
