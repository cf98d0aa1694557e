package main

import (
	"fmt"
	"os"
	"os/exec"
	osuser "os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// privatePG is a PostgreSQL server of a test's own, on a free port, so that a fault
// test can stop and start it beside the machine's shared server.
type privatePG struct {
	t    *testing.T
	bin  string // the folder of initdb, pg_ctl
	dir  string
	port string
}

// needRoot skips a fault test where it cannot make its resources (not root: a
// developer's machine); CI runs as root and refuses such a skip.
func needRoot(t *testing.T, what string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skipf("%s needs root (CI runs it as root); skipped", what)
	}
}

// startPrivatePG initialises a cluster in a new folder and starts it as the
// postgres user (PostgreSQL refuses to run as root).
func startPrivatePG(t *testing.T) *privatePG {
	t.Helper()
	needRoot(t, "a private PostgreSQL")
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(bins) == 0 {
		t.Skip("no PostgreSQL server binaries under /usr/lib/postgresql; skipped")
	}
	sort.Slice(bins, func(i, j int) bool { return pgMajor(bins[i]) < pgMajor(bins[j]) })
	pg := &privatePG{t: t, bin: filepath.Dir(bins[len(bins)-1])}
	if _, err := osuser.Lookup("postgres"); err != nil {
		t.Skip("no postgres user; skipped")
	}
	dir, err := os.MkdirTemp("", "cunji-pg-")
	if err != nil {
		t.Fatal(err)
	}
	pg.dir = dir
	t.Cleanup(func() {
		_ = pg.run("pg_ctl", "-D", pg.data(), "-m", "immediate", "stop")
		os.RemoveAll(dir)
	})
	pg.as("chown", "postgres:postgres", dir) // as root
	pg.port = strings.Split(freeAddr(t), ":")[1]
	if err := pg.run("initdb", "-D", pg.data(), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale", "C"); err != nil {
		t.Fatal(err)
	}
	pg.start()
	if err := exec.Command(pg.bin+"/psql", "-h", "127.0.0.1", "-p", pg.port, "-U", "postgres", "-d", "postgres",
		"-Atc", "CREATE DATABASE cunji").Run(); err != nil {
		t.Fatalf("create database: %v", err)
	}
	return pg
}

func pgMajor(initdb string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(initdb))))
	return n
}

func (pg *privatePG) data() string { return filepath.Join(pg.dir, "data") }

// URL is the test database's address.
func (pg *privatePG) URL() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%s/cunji?sslmode=disable", pg.port)
}

// as runs a command as root (for chown).
func (pg *privatePG) as(name string, args ...string) {
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		pg.t.Fatalf("%s: %v\n%s", name, err, out)
	}
}

// run runs one of PostgreSQL's programs as the postgres user.
func (pg *privatePG) run(name string, args ...string) error {
	cmd := exec.Command("runuser", append([]string{"-u", "postgres", "--", filepath.Join(pg.bin, name)}, args...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %v\n%s", name, err, out)
	}
	return nil
}

// start starts the server and waits until it accepts connections.
func (pg *privatePG) start() {
	pg.t.Helper()
	opts := fmt.Sprintf("-p %s -k %s -c listen_addresses=127.0.0.1 -c max_connections=80 -c fsync=on", pg.port, pg.dir)
	if err := pg.run("pg_ctl", "-D", pg.data(), "-l", filepath.Join(pg.dir, "log"), "-o", opts, "-w", "-t", "60", "start"); err != nil {
		log, _ := os.ReadFile(filepath.Join(pg.dir, "log"))
		pg.t.Fatalf("%v\n%s", err, log)
	}
}

// stop stops the server at once, as a crash would (the WAL recovers at start).
func (pg *privatePG) stop() {
	pg.t.Helper()
	if err := pg.run("pg_ctl", "-D", pg.data(), "-m", "immediate", "-w", "stop"); err != nil {
		pg.t.Fatal(err)
	}
}

// waitFor polls cond every 20 ms until it holds or limit passes; it returns how long
// that took and whether it held.
func waitFor(limit time.Duration, cond func() bool) (time.Duration, bool) {
	start := time.Now()
	for time.Since(start) < limit {
		if cond() {
			return time.Since(start), true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return time.Since(start), false
}
