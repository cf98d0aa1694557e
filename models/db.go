package models

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Open opens the SQLite database at path with foreign keys on, WAL, a busy timeout,
// synchronous=FULL (every acknowledged write survives a crash) and write transactions
// that take the lock at BEGIN (no deadlocking lock upgrades), then runs migrations.
func Open(path string) (*gorm.DB, error) {
	if strings.HasPrefix(path, "postgres://") || strings.HasPrefix(path, "postgresql://") {
		return nil, errors.New("PostgreSQL 尚未支持：请使用 SQLite 文件路径")
	}
	dsn := "file:" + path + "?_foreign_keys=1&_journal_mode=WAL&_busy_timeout=10000&_synchronous=FULL&_txlock=immediate"
	db, err := gorm.Open(sqlite.Open(dsn), &gorm.Config{
		Logger:  logger.Default.LogMode(logger.Silent),
		NowFunc: func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) },
	})
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	sqlDB.SetMaxOpenConns(8)
	if err := Migrate(db); err != nil {
		return nil, fmt.Errorf("migrate %s: %w", path, err)
	}
	return db, nil
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
			&ReportVersion{}, &Target{}, &AuditEntry{}, &Setting{}); err != nil {
			return err
		}
		// At most one open version per village-year (DESIGN §3). Partial unique
		// indexes exist in SQLite and PostgreSQL alike.
		return tx.Exec(`CREATE UNIQUE INDEX IF NOT EXISTS idx_rv_one_open ON report_versions (village_code, year) WHERE status IN ('draft', 'submitted')`).Error
	},
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
