package models

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"

	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Test database selection: every test package's TestMain calls RunOnAllBackends,
// which runs the package's tests on SQLite and then, when CUNJI_TEST_POSTGRES_URL is
// set, once more on PostgreSQL (marked by CUNJI_TEST_BACKEND=postgres).
const (
	envTestPostgres = "CUNJI_TEST_POSTGRES_URL"
	envTestBackend  = "CUNJI_TEST_BACKEND"
)

// TB is the part of testing.TB the helpers use. Taking it instead of testing.TB keeps
// package testing out of the production binary (these helpers are used by the tests
// of other packages, so they cannot live in a _test.go file).
type TB interface {
	Helper()
	TempDir() string
	Cleanup(func())
	Fatal(args ...any)
	Fatalf(format string, args ...any)
}

// TestMain is the part of *testing.M that RunOnAllBackends uses.
type TestMain interface{ Run() int }

// RunOnAllBackends runs m on SQLite, then on PostgreSQL when it is configured.
func RunOnAllBackends(m TestMain) int {
	os.Setenv(envTestBackend, "sqlite")
	code := m.Run()
	if os.Getenv(envTestPostgres) == "" {
		fmt.Println("PostgreSQL tests skipped: CUNJI_TEST_POSTGRES_URL is not set")
		return code
	}
	fmt.Println("== the same tests on PostgreSQL")
	os.Setenv(envTestBackend, "postgres")
	if c := m.Run(); c != 0 {
		code = c
	}
	return code
}

// TestBackend names the database the current test run uses.
func TestBackend() string {
	if os.Getenv(envTestBackend) == "postgres" {
		return "postgres"
	}
	return "sqlite"
}

// TestDSN gives a fresh, empty database for one test: a SQLite file under the
// test's temporary folder, or a new PostgreSQL schema dropped when the test ends.
func TestDSN(tb TB) string {
	tb.Helper()
	if TestBackend() != "postgres" {
		return filepath.Join(tb.TempDir(), "test.db")
	}
	base := os.Getenv(envTestPostgres)
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	admin, err := gorm.Open(postgres.Open(base), &gorm.Config{Logger: logger.Default.LogMode(logger.Silent)})
	if err != nil {
		tb.Fatalf("PostgreSQL at %s: %v", base, err)
	}
	if err := admin.Exec("CREATE SCHEMA " + schema).Error; err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		if s, err := admin.DB(); err == nil {
			s.Close()
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// OpenTest opens (and migrates) a fresh database for one test, closed at cleanup.
func OpenTest(tb TB) *gorm.DB {
	tb.Helper()
	db, err := Open(TestDSN(tb))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if s, err := db.DB(); err == nil {
			s.Close()
		}
	})
	return db
}
