package models

// Migrations: how the schema grows, one frozen step at a time.
//
// Each migration is a pair of SQL files, one per dialect, embedded in the binary:
//
//	models/migrations/sqlite/NNNN_<concern>.sql
//	models/migrations/postgres/NNNN_<concern>.sql
//
// NNNN is the schema version the file brings the database to (0001, 0002, …, no
// gaps); both folders hold the same numbers. The files are frozen: once merged they
// are never edited, because databases out there already ran them. A migration is SQL
// only — it never calls today's GORM structs or today's Go functions, so a database
// upgraded years from now gets exactly what a database upgraded today got.
//
// To add a migration (a new table, column or index, or a data fix):
//  1. Change the GORM struct (models.go or the resource's file) as you need.
//  2. Add new models to schemaModels in migrations_test.go and run
//     go test ./models -run TestModelsMatchMigrations -v
//     on SQLite and on PostgreSQL (CUNJI_TEST_POSTGRES_URL set). It fails and
//     prints the statements GORM would run (CREATE TABLE, CREATE INDEX, ALTER
//     TABLE … ADD …) for each dialect: they are the start of your migration.
//  3. Add the next number in BOTH folders, named after the concern, e.g.
//     0003_titles.sql, with those statements (spelt as GORM spells them, so that
//     the schema equals the structs exactly), any hand-written index, and any data
//     step as plain SQL.
//  4. go test ./models -run 'Migrat|Upgrade|Newer|Backup' on both databases:
//     TestModelsMatchMigrations now passes; TestUpgradeFromEveryVersion upgrades a
//     database of every earlier version to yours. When your version holds data of
//     its own, add an upgradeFixtures entry (insert with frozen SQL, check after).
//
// A data step that SQL cannot say (a fold over rows, say) may be a frozen Go
// function instead, registered in frozenSteps under its version; it runs after that
// version's SQL files (a version may have files, a function, or both). It may use
// only the transaction it is given and plain values: no model struct, no function
// of this package beyond the standard library and gorm's Raw/Exec — copy any helper
// it needs into its own file (migration_NNNN_<concern>.go) so that it stays as it is.
//
// File syntax: "--" comment lines are skipped; a statement ends with ";" at the end
// of a line (so never end a line with ";" inside a statement). Every migration runs
// in one transaction with its row in schema_version, under the start-up lock.
//
// Why not pressly/goose: goose keeps its own goose_db_version table and its own
// locking, while databases in service already record their versions in
// schema_version and several instances serialise start-up with one advisory lock
// (WithLock); this runner of embedded numbered files keeps both as they are.

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
)

//go:embed migrations
var migrationFiles embed.FS

// migration is one numbered step with its SQL statements for each dialect.
type migration struct {
	Version int
	Name    string
	SQL     map[string][]string // dialect name ("sqlite", "postgres") → statements
	Go      func(tx *gorm.DB) error
}

// frozenStep is a migration's frozen Go step (see the top of this file).
type frozenStep struct {
	Name string
	Up   func(tx *gorm.DB) error
}

// frozenSteps are the frozen Go steps by version. Append only.
var frozenSteps = map[int]frozenStep{
	5: {Name: "titles", Up: migration0005Titles},
}

// migrationDialects are the dialect folders; GORM's dialector names match them.
var migrationDialects = []string{"sqlite", "postgres"}

// allMigrations is the parsed, checked list, in order.
var allMigrations = mustLoadMigrations(migrationFiles, frozenSteps)

// createSchemaVersion creates the version table as the first release did.
var createSchemaVersion = map[string]string{
	"sqlite":   "CREATE TABLE IF NOT EXISTS `schema_version` (`version` integer,`applied_at` datetime,PRIMARY KEY (`version`))",
	"postgres": `CREATE TABLE IF NOT EXISTS "schema_version" ("version" bigint,"applied_at" timestamptz,PRIMARY KEY ("version"))`,
}

// LatestSchemaVersion is the schema version this binary migrates to.
func LatestSchemaVersion() int { return len(allMigrations) }

// ErrSchemaTooNew is returned when the database was migrated by a newer cunji.
var ErrSchemaTooNew = errors.New("database schema is newer than this program")

func mustLoadMigrations(fsys fs.FS, steps map[int]frozenStep) []migration {
	ms, err := loadMigrations(fsys, steps)
	if err != nil {
		panic(err)
	}
	return ms
}

// loadMigrations reads migrations/<dialect>/NNNN_name.sql, joins the frozen Go
// steps, and checks that the numbers run 1, 2, … without gaps and that a version
// with SQL has it for every dialect.
func loadMigrations(fsys fs.FS, steps map[int]frozenStep) ([]migration, error) {
	byVersion := map[int]*migration{}
	for _, d := range migrationDialects {
		dir := path.Join("migrations", d)
		entries, err := fs.ReadDir(fsys, dir)
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			num, name, ok := strings.Cut(strings.TrimSuffix(e.Name(), ".sql"), "_")
			v, err := strconv.Atoi(num)
			if !ok || err != nil || v < 1 || !strings.HasSuffix(e.Name(), ".sql") {
				return nil, fmt.Errorf("migration file %s/%s: want NNNN_name.sql", dir, e.Name())
			}
			body, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
			if err != nil {
				return nil, err
			}
			m := byVersion[v]
			if m == nil {
				m = &migration{Version: v, Name: name, SQL: map[string][]string{}}
				byVersion[v] = m
			}
			if m.Name != name {
				return nil, fmt.Errorf("migration %04d is %q in one dialect and %q in another", v, m.Name, name)
			}
			if _, dup := m.SQL[d]; dup {
				return nil, fmt.Errorf("migration %04d appears twice in %s", v, dir)
			}
			m.SQL[d] = splitStatements(string(body))
		}
	}
	for v, st := range steps {
		m := byVersion[v]
		if m == nil {
			m = &migration{Version: v, Name: st.Name, SQL: map[string][]string{}}
			byVersion[v] = m
		}
		if m.Name != st.Name || st.Up == nil {
			return nil, fmt.Errorf("frozen step %04d_%s: its SQL files are named %q (or it has no function)", v, st.Name, m.Name)
		}
		m.Go = st.Up
	}
	out := make([]migration, 0, len(byVersion))
	for _, m := range byVersion {
		out = append(out, *m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	for i, m := range out {
		if m.Version != i+1 {
			return nil, fmt.Errorf("migration %04d is missing", i+1)
		}
		if len(m.SQL) == 0 && m.Go != nil {
			continue
		}
		for _, d := range migrationDialects {
			if len(m.SQL[d]) == 0 {
				return nil, fmt.Errorf("migration %04d_%s has no statements for %s", m.Version, m.Name, d)
			}
		}
	}
	return out, nil
}

// splitStatements cuts a migration file into statements: "--" comment lines are
// dropped and a statement ends with ";" at the end of a line.
func splitStatements(body string) []string {
	var out []string
	var cur []string
	for _, line := range strings.Split(body, "\n") {
		t := strings.TrimSpace(line)
		if t == "" || strings.HasPrefix(t, "--") {
			continue
		}
		if strings.HasSuffix(t, ";") {
			cur = append(cur, strings.TrimSuffix(strings.TrimRight(line, " \t\r"), ";"))
			out = append(out, strings.Join(cur, "\n"))
			cur = nil
			continue
		}
		cur = append(cur, strings.TrimRight(line, " \t\r"))
	}
	if len(cur) > 0 {
		out = append(out, strings.Join(cur, "\n"))
	}
	return out
}

// hasTable reports whether the current schema holds the table.
func hasTable(db *gorm.DB, name string) (bool, error) {
	var n int64
	var err error
	if db.Dialector.Name() == "postgres" {
		err = db.Raw("SELECT count(*) FROM information_schema.tables WHERE table_schema = CURRENT_SCHEMA() AND table_name = ?", name).Scan(&n).Error
	} else {
		err = db.Raw("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?", name).Scan(&n).Error
	}
	return n > 0, err
}

// SchemaVersion is the database's schema version: the highest migration it has run
// (0 for an empty database).
func SchemaVersion(db *gorm.DB) (int, error) {
	ok, err := hasTable(db, "schema_version")
	if err != nil || !ok {
		return 0, err
	}
	var v *int
	if err := db.Raw("SELECT MAX(version) FROM schema_version").Scan(&v).Error; err != nil {
		return 0, err
	}
	if v == nil {
		return 0, nil
	}
	return *v, nil
}

// checkNotNewer refuses a database migrated by a newer program, changing nothing.
func checkNotNewer(have int) error {
	if have > LatestSchemaVersion() {
		return fmt.Errorf("%w: the database is at schema version %d, this cunji knows versions up to %d; run the newer cunji that upgraded it (or restore the backup taken before that upgrade)",
			ErrSchemaTooNew, have, LatestSchemaVersion())
	}
	return nil
}

// Migrate brings the schema up to date; it refuses a database newer than the
// program. Call it under WithLock.
func Migrate(db *gorm.DB) error {
	return MigrateTo(db, LatestSchemaVersion())
}

// MigrateTo runs the migrations up to and including version target, each once, each
// in its own (nested) transaction with its row in schema_version.
func MigrateTo(db *gorm.DB, target int) error {
	have, err := SchemaVersion(db)
	if err != nil {
		return err
	}
	if err := checkNotNewer(have); err != nil {
		return err
	}
	dialect := db.Dialector.Name()
	stmt, ok := createSchemaVersion[dialect]
	if !ok {
		return fmt.Errorf("migrations: unknown dialect %q", dialect)
	}
	if err := db.Exec(stmt).Error; err != nil {
		return err
	}
	var done []int
	if err := db.Raw("SELECT version FROM schema_version").Scan(&done).Error; err != nil {
		return err
	}
	applied := map[int]bool{}
	for _, v := range done {
		applied[v] = true
	}
	for _, m := range allMigrations {
		if m.Version > target || applied[m.Version] {
			continue
		}
		err := db.Transaction(func(tx *gorm.DB) error {
			for _, s := range m.SQL[dialect] {
				if err := tx.Exec(s).Error; err != nil {
					return fmt.Errorf("%s: %w", firstLine(s), err)
				}
			}
			if m.Go != nil {
				if err := m.Go(tx); err != nil {
					return err
				}
			}
			return tx.Exec("INSERT INTO schema_version (version, applied_at) VALUES (?, ?)", m.Version, time.Now().UTC()).Error
		})
		if err != nil {
			return fmt.Errorf("migration %04d_%s: %w", m.Version, m.Name, err)
		}
	}
	return nil
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

// prepareUpgrade runs before the migrations, outside the start-up transaction (SQLite
// cannot VACUUM INTO inside one): it refuses a database newer than the program and,
// when an existing database is about to be migrated, backs up a SQLite file beside
// itself (path.pre-vN-<time>.bak) or tells a PostgreSQL operator to pg_dump first.
// It returns the backup's path ("" when none was taken).
func prepareUpgrade(db *gorm.DB, sqlitePath string) (string, error) {
	have, err := SchemaVersion(db)
	if err != nil {
		return "", err
	}
	if err := checkNotNewer(have); err != nil {
		return "", err
	}
	latest := LatestSchemaVersion()
	if have == latest {
		return "", nil
	}
	empty, err := isEmptyDatabase(db)
	if err != nil || empty {
		return "", err
	}
	if db.Dialector.Name() == "postgres" {
		slog.Warn("migrating the PostgreSQL schema; take a pg_dump of the database first if you have not (cunji makes no copy of PostgreSQL)",
			"from_version", have, "to_version", latest)
		return "", nil
	}
	bak := fmt.Sprintf("%s.pre-v%d-%s.bak", sqlitePath, latest, time.Now().UTC().Format("20060102T150405Z"))
	if err := BackupSQLite(db, bak); err != nil {
		return "", fmt.Errorf("backup before migrating schema %d to %d: %w", have, latest, err)
	}
	slog.Info("backed up the database before migrating its schema", "from_version", have, "to_version", latest, "backup", bak)
	return bak, nil
}

// isEmptyDatabase reports whether the database holds no table at all.
func isEmptyDatabase(db *gorm.DB) (bool, error) {
	var n int64
	var err error
	if db.Dialector.Name() == "postgres" {
		err = db.Raw("SELECT count(*) FROM information_schema.tables WHERE table_schema = CURRENT_SCHEMA()").Scan(&n).Error
	} else {
		err = db.Raw("SELECT count(*) FROM sqlite_master WHERE type = 'table'").Scan(&n).Error
	}
	return n == 0, err
}

// BackupSQLite writes a consistent copy of a SQLite database to the new file out
// (mode 0600 from the start) with VACUUM INTO, which reads one snapshot while other
// connections keep writing. out must not exist.
func BackupSQLite(db *gorm.DB, out string) error {
	f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	f.Close()
	if err := db.Exec("VACUUM INTO ?", out).Error; err != nil {
		os.Remove(out)
		return err
	}
	return os.Chmod(out, 0o600)
}
