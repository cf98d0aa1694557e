package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cunji/models"

	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
)

// craft copies the backup good to a new file and runs stmts on it.
func craft(t *testing.T, good, name string, stmts ...string) string {
	t.Helper()
	b, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(filepath.Dir(good), name)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := gorm.Open(sqlite.Open(p), &gorm.Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range stmts {
		if err := db.Exec(s).Error; err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	closeDB(db)
	return p
}

// TestRestoreRefusesStrangers: restore opens the copy read-only (nothing in it
// changes, no -wal or -shm appears) and refuses a text file, a SQLite file that is
// not cunji's, an unknown schema version, and a cunji database that holds a trigger,
// a view, a table, a column or an index the schema does not have; the database it
// would replace stays as it was.
func TestRestoreRefusesStrangers(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	live := filepath.Join(dir, "live.db")
	if out, err := runCLI(t, bin, "admin-password-1\n", "user", "add", "--db", live, "--username", "admin", "--role", "district", "--scope", "331002", "--name", "管理员"); err != nil {
		t.Fatalf("user add: %v\n%s", err, out)
	}
	srcDir := filepath.Join(dir, "copies")
	os.Mkdir(srcDir, 0o700)
	good := filepath.Join(srcDir, "good.db")
	if out, err := runCLI(t, bin, "", "backup", "--db", live, "--out", good); err != nil {
		t.Fatalf("backup: %v\n%s", err, out)
	}
	text := filepath.Join(srcDir, "notes.txt")
	os.WriteFile(text, []byte("not a database at all, just some text that is long enough\n"), 0o600)
	other := filepath.Join(srcDir, "other.db")
	if db, err := gorm.Open(sqlite.Open(other), &gorm.Config{}); err != nil {
		t.Fatal(err)
	} else {
		db.Exec("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
		closeDB(db)
	}
	cases := []struct{ file, want string }{
		{text, "not a SQLite database"},
		{other, "no schema_version"},
		{craft(t, good, "future.db", "INSERT INTO schema_version (version, applied_at) VALUES (99, '2030-01-01')"), "schema version"},
		{craft(t, good, "trigger.db", "CREATE TRIGGER erase AFTER INSERT ON audit_entries BEGIN DELETE FROM audit_entries; END"), `trigger "erase"`},
		{craft(t, good, "promote.db", "CREATE TRIGGER promote AFTER UPDATE ON users BEGIN UPDATE users SET role = 'district' WHERE id = NEW.id; END"), `trigger "promote"`},
		{craft(t, good, "view.db", "CREATE VIEW everyone AS SELECT username, password_hash FROM users"), `view "everyone"`},
		{craft(t, good, "table.db", "CREATE TABLE extra (x TEXT)"), `table "extra"`},
		{craft(t, good, "column.db", "ALTER TABLE users ADD COLUMN note TEXT"), `column "note"`},
		{craft(t, good, "index.db", "DROP INDEX idx_rv_one_open", "CREATE UNIQUE INDEX idx_rv_one_open ON report_versions (village_code, year, seq)"), `index "idx_rv_one_open"`},
		{craft(t, good, "missing.db", "DROP INDEX idx_rv_one_open"), `lacks the index "idx_rv_one_open"`},
	}
	before, _ := os.ReadFile(live)
	for _, c := range cases {
		out, err := runCLI(t, bin, "", "restore", "--from", c.file, "--db", live)
		if err == nil || !strings.Contains(out, c.want) {
			t.Errorf("restore from %s: %v, want a refusal naming %s:\n%s", filepath.Base(c.file), err, c.want, out)
		}
	}
	if after, _ := os.ReadFile(live); !bytes.Equal(before, after) {
		t.Error("a refused restore changed the database")
	}
	src, _ := os.ReadFile(good)
	if out, err := runCLI(t, bin, "", "restore", "--from", good, "--db", live); err != nil {
		t.Fatalf("restore of a good copy: %v\n%s", err, out)
	}
	if again, _ := os.ReadFile(good); !bytes.Equal(src, again) {
		t.Error("restore changed the copy it checked")
	}
	for _, side := range []string{"-wal", "-shm", "-journal"} {
		if _, err := os.Stat(good + side); err == nil {
			t.Errorf("restore left %s beside the copy", filepath.Base(good+side))
		}
	}
	if restored, _ := os.ReadFile(live); !bytes.Equal(restored, src) {
		t.Error("the restored database is not the copy")
	}
	// A copy of an older schema version is compared with that version's schema.
	v1 := filepath.Join(srcDir, "v1.db")
	db, err := gorm.Open(sqlite.Open(v1), &gorm.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if err := models.MigrateTo(db, 1); err != nil {
		t.Fatal(err)
	}
	closeDB(db)
	if out, err := runCLI(t, bin, "", "restore", "--from", v1, "--db", live); err != nil {
		t.Fatalf("restore of a version-1 copy: %v\n%s", err, out)
	}
	if models.LatestSchemaVersion() > 1 {
		late := craft(t, v1, "v1-late.db", "CREATE TABLE rollup_cells (x TEXT)")
		if out, err := runCLI(t, bin, "", "restore", "--from", late, "--db", live); err == nil || !strings.Contains(out, `table "rollup_cells"`) {
			t.Errorf("a version-1 copy with a later version's table: %v\n%s", err, out)
		}
	}
}
