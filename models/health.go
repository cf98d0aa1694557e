package models

import (
	"context"
	"fmt"

	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// SchemaVersions are the newest migration recorded in the database and the newest
// this program knows.
func SchemaVersions(ctx context.Context, db *gorm.DB) (have, want int, err error) {
	have, err = SchemaVersion(db.WithContext(ctx))
	return have, LatestSchemaVersion(), err
}

// Ready checks that the database answers within ctx and that its schema is the one
// this program expects (the readiness check of a load balancer).
func Ready(ctx context.Context, db *gorm.DB) error {
	have, want, err := SchemaVersions(ctx, db)
	if err != nil {
		return err
	}
	if have != want {
		return fmt.Errorf("schema version %d, this program expects %d", have, want)
	}
	return nil
}

// VerifyCopy checks a backup copy of a SQLite database: it opens read-only, passes
// PRAGMA integrity_check, and holds the schema version this program expects.
func VerifyCopy(path string) error {
	db, err := gorm.Open(sqlite.Open("file:"+path+"?mode=ro"), &gorm.Config{Logger: logger.Default.LogMode(logger.Silent)})
	if err != nil {
		return err
	}
	if s, err := db.DB(); err == nil {
		defer s.Close()
	}
	var check string
	if err := db.Raw("PRAGMA integrity_check").Row().Scan(&check); err != nil {
		return err
	}
	if check != "ok" {
		return fmt.Errorf("integrity check: %s", check)
	}
	have, want, err := SchemaVersions(context.Background(), db)
	if err != nil {
		return err
	}
	if have != want {
		return fmt.Errorf("schema version %d, expected %d", have, want)
	}
	return nil
}
