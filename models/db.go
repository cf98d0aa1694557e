package models

import (
	"fmt"
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

// Open opens the database named by dsn and runs the migrations. A postgres:// URL
// opens PostgreSQL; anything else is a SQLite file, opened with foreign keys on, WAL,
// a busy timeout, synchronous=FULL (every acknowledged write survives a crash) and
// write transactions that take the lock at BEGIN (no deadlocking lock upgrades).
func Open(dsn string) (*gorm.DB, error) {
	cfg := &gorm.Config{
		Logger:  logger.Default.LogMode(logger.Silent),
		NowFunc: func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) },
	}
	var dial gorm.Dialector
	if IsPostgres(dsn) {
		dial = postgres.Open(withCustomPlans(dsn))
	} else {
		dial = sqlite.Open("file:" + dsn + "?_foreign_keys=1&_journal_mode=WAL&_busy_timeout=10000&_synchronous=FULL&_txlock=immediate")
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
		sqlDB.SetMaxOpenConns(8)
	}
	if err := WithLock(db, Migrate); err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	return db, nil
}

// withCustomPlans asks PostgreSQL to plan every statement for its parameters: a
// generic plan for "reviewed_at > $1" cannot know whether $1 is now (no rows) or
// years ago (all rows), and picks a scan that made the roll-up ten times slower.
// It also sets the page cost of solid-state storage.
func withCustomPlans(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn
	}
	q := u.Query()
	if q.Get("plan_cache_mode") == "" {
		q.Set("plan_cache_mode", "force_custom_plan")
	}
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
const lockKey = 727135

// WithLock runs fn in one transaction holding the deployment-wide start-up lock
// (on PostgreSQL a transaction-scoped advisory lock; SQLite's write transactions
// already exclude each other), so that several instances starting at once migrate
// and seed one after the other.
func WithLock(db *gorm.DB, fn func(*gorm.DB) error) error {
	return db.Transaction(func(tx *gorm.DB) error {
		if db.Dialector.Name() == "postgres" {
			if err := tx.Exec("SELECT pg_advisory_xact_lock(?)", lockKey).Error; err != nil {
				return err
			}
		}
		return fn(tx)
	})
}

// schemaVersion records which migrations have run.
type schemaVersion struct {
	Version   int `gorm:"primaryKey;autoIncrement:false"`
	AppliedAt time.Time
}

func (schemaVersion) TableName() string { return "schema_version" }

// migrations run in order, each once, each in its own transaction.
var migrations = []func(tx *gorm.DB) error{
	// 1: the core tables.
	func(tx *gorm.DB) error {
		if err := tx.AutoMigrate(&District{}, &Street{}, &Village{}, &User{},
			&ReportVersion{}, &Target{}, &AuditEntry{}, &Setting{}, &VillageRevision{},
			&ReportingWindow{}, &SubmitException{}, &Company{}, &CompanyMember{}, &CompanyYear{}, &CompanyDividend{},
			&Workshop{}, &WorkshopVersion{}, &EvidenceFile{}, &LoginThrottle{}, &CurrentReport{}); err != nil {
			return err
		}
		return execAll(tx,
			`CREATE UNIQUE INDEX IF NOT EXISTS idx_rv_seq ON report_versions (village_code, year, seq)`,
			`CREATE INDEX IF NOT EXISTS idx_rv_year_status ON report_versions (year, status)`,
			`CREATE INDEX IF NOT EXISTS idx_rv_reviewed_at ON report_versions (reviewed_at)`,
			`CREATE INDEX IF NOT EXISTS idx_cr_year_reviewed ON current_reports (year, reviewed_at)`,
			`CREATE INDEX IF NOT EXISTS idx_wv_reviewed_at ON workshop_versions (reviewed_at)`,
			`CREATE INDEX IF NOT EXISTS idx_cm_added_at ON company_members (added_at)`,
			`CREATE INDEX IF NOT EXISTS idx_cm_removed_at ON company_members (removed_at)`,
			`CREATE INDEX IF NOT EXISTS idx_companies_created_at ON companies (created_at)`,
			`CREATE INDEX IF NOT EXISTS idx_companies_dissolved_at ON companies (dissolved_at)`,
			`CREATE INDEX IF NOT EXISTS idx_targets_scope ON targets (scope_code, recorded_at)`,
			// At most one open version per village-year (DESIGN §3). Partial unique
			// indexes exist in SQLite and PostgreSQL alike.
			`CREATE UNIQUE INDEX IF NOT EXISTS idx_rv_one_open ON report_versions (village_code, year) WHERE status IN ('draft', 'submitted')`,
			`CREATE UNIQUE INDEX IF NOT EXISTS idx_wv_seq ON workshop_versions (workshop_id, seq)`,
			`CREATE INDEX IF NOT EXISTS idx_wv_status ON workshop_versions (status)`,
			`CREATE UNIQUE INDEX IF NOT EXISTS idx_wv_one_open ON workshop_versions (workshop_id) WHERE status IN ('draft', 'submitted')`)
	},
	// 2: the roll-up cells, built from what is there.
	func(tx *gorm.DB) error {
		if err := tx.AutoMigrate(&RollupCell{}); err != nil {
			return err
		}
		return RebuildCells(tx)
	},
}

// execAll runs statements in order, stopping at the first error.
func execAll(tx *gorm.DB, stmts ...string) error {
	for _, s := range stmts {
		if err := tx.Exec(s).Error; err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
	}
	return nil
}

// Migrate brings the schema up to date.
func Migrate(db *gorm.DB) error {
	if err := db.AutoMigrate(&schemaVersion{}); err != nil {
		return err
	}
	var done []int
	if err := db.Model(&schemaVersion{}).Pluck("version", &done).Error; err != nil {
		return err
	}
	have := map[int]bool{}
	for _, v := range done {
		have[v] = true
	}
	for i, m := range migrations {
		v := i + 1
		if have[v] {
			continue
		}
		err := db.Transaction(func(tx *gorm.DB) error {
			if err := m(tx); err != nil {
				return err
			}
			return tx.Create(&schemaVersion{Version: v, AppliedAt: time.Now().UTC()}).Error
		})
		if err != nil {
			return fmt.Errorf("migration %d: %w", v, err)
		}
	}
	return nil
}
