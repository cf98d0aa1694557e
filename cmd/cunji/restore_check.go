package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"cunji/models"

	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// schemaObject is a row of sqlite_master.
type schemaObject struct {
	Type, Name, TblName string
	SQL                 *string
}

// column is a row of PRAGMA table_info.
type column struct {
	Name, Type string
	NotNull    bool
	Default    *string
	PK         int
}

// checkRestoreSource refuses a copy that is not a cunji database this program knows:
// not SQLite, damaged, without schema_version, of an unknown schema version, or
// not holding exactly the objects of a new database migrated to its version (a
// trigger, a view, a table, a column or an index more or less, or an index defined
// otherwise). It opens the copy read-only and immutable:
// nothing in it is migrated or written, and no -wal or -shm appears beside it.
func checkRestoreSource(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	head := make([]byte, 16)
	_, err = io.ReadFull(f, head)
	f.Close()
	if err != nil || !bytes.Equal(head, []byte("SQLite format 3\x00")) {
		return fmt.Errorf("%s is not a SQLite database, let alone a cunji backup", path)
	}
	src, err := openReadOnly(path)
	if err != nil {
		return err
	}
	defer closeDB(src)
	var check string
	if err := src.Raw("PRAGMA integrity_check").Row().Scan(&check); err != nil || check != "ok" {
		return fmt.Errorf("%s is damaged: %s %v", path, check, err)
	}
	have, err := schemaObjects(src)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if o, ok := have["table schema_version"]; !ok || o.Type != "table" {
		return fmt.Errorf("%s is not a cunji database: it has no schema_version table", path)
	}
	var versions []int
	if err := src.Raw("SELECT version FROM schema_version ORDER BY version").Scan(&versions).Error; err != nil {
		return fmt.Errorf("%s is not a cunji database: %w", path, err)
	}
	latest := models.LatestSchemaVersion()
	if len(versions) == 0 {
		return fmt.Errorf("%s is not a cunji database: its schema_version table is empty", path)
	}
	for i, v := range versions {
		if v != i+1 || v > latest {
			return fmt.Errorf("%s has schema version %v, unknown to this cunji (it knows 1 to %d)", path, versions, latest)
		}
	}
	// The reference: a new database migrated to the copy's version.
	refDir, err := os.MkdirTemp("", "cunji-restore-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(refDir)
	ref, err := gorm.Open(sqlite.Open(filepath.Join(refDir, "reference.db")), &gorm.Config{Logger: logger.Default.LogMode(logger.Silent)})
	if err != nil {
		return err
	}
	defer closeDB(ref)
	if err := models.MigrateTo(ref, len(versions)); err != nil {
		return err
	}
	want, err := schemaObjects(ref)
	if err != nil {
		return err
	}
	for key, o := range have {
		w, known := want[key]
		switch {
		case !known && o.Type == "table" && (o.Name == "sqlite_sequence" || strings.HasPrefix(o.Name, "sqlite_stat")):
		case !known:
			return fmt.Errorf("%s holds a %s %q that the cunji schema does not have; it is refused", path, o.Type, o.Name)
		case o.Type == "table":
			if err := sameColumns(src, ref, o.Name); err != nil {
				return fmt.Errorf("%s: %w; it is refused", path, err)
			}
		case normSQL(o.SQL) != normSQL(w.SQL):
			return fmt.Errorf("%s defines %s %q otherwise than the cunji schema; it is refused", path, o.Type, o.Name)
		}
	}
	for key, w := range want {
		if _, ok := have[key]; !ok {
			return fmt.Errorf("%s lacks the %s %q of schema version %d; it is refused", path, w.Type, w.Name, len(versions))
		}
	}
	return nil
}

// openReadOnly opens a SQLite file read-only and immutable, without migrations.
func openReadOnly(path string) (*gorm.DB, error) {
	esc := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	db, err := gorm.Open(sqlite.Open("file:"+esc+"?mode=ro&immutable=1"), &gorm.Config{Logger: logger.Default.LogMode(logger.Silent)})
	if err != nil {
		return nil, fmt.Errorf("open %s read-only: %w", path, err)
	}
	return db, nil
}

func closeDB(db *gorm.DB) {
	if s, err := db.DB(); err == nil {
		s.Close()
	}
}

// schemaObjects lists sqlite_master by "type name".
func schemaObjects(db *gorm.DB) (map[string]schemaObject, error) {
	var rows []schemaObject
	if err := db.Raw("SELECT type, name, tbl_name, sql FROM sqlite_master").Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := map[string]schemaObject{}
	for _, r := range rows {
		out[r.Type+" "+r.Name] = r
	}
	return out, nil
}

// sameColumns checks that table has the reference's columns, no more, no fewer.
func sameColumns(src, ref *gorm.DB, table string) error {
	cols := func(db *gorm.DB) (map[string]column, error) {
		var cs []column
		err := db.Raw("SELECT name, type, \"notnull\" AS not_null, dflt_value AS \"default\", pk FROM pragma_table_info(?)", table).Scan(&cs).Error
		m := map[string]column{}
		for _, c := range cs {
			m[c.Name] = c
		}
		return m, err
	}
	have, err := cols(src)
	if err != nil {
		return err
	}
	want, err := cols(ref)
	if err != nil {
		return err
	}
	for name, c := range have {
		w, ok := want[name]
		if !ok {
			return fmt.Errorf("table %s has a column %q that the cunji schema does not have", table, name)
		}
		if !strings.EqualFold(c.Type, w.Type) || c.NotNull != w.NotNull || c.PK != w.PK || normSQL(c.Default) != normSQL(w.Default) {
			return fmt.Errorf("table %s defines its column %q otherwise than the cunji schema", table, name)
		}
	}
	for name := range want {
		if _, ok := have[name]; !ok {
			return fmt.Errorf("table %s lacks the column %q of the cunji schema", table, name)
		}
	}
	return nil
}

// normSQL compares definitions without regard to spacing.
func normSQL(s *string) string {
	if s == nil {
		return ""
	}
	return strings.Join(strings.Fields(*s), " ")
}
