package main

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"cunji/models"
)

// scrapeMetrics reads one series from a server's metrics listener (-1 if absent).
func scrapeMetrics(t *testing.T, s *server, series string) float64 {
	t.Helper()
	res, err := http.Get("http://" + s.metrics + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			f, _ := strconv.ParseFloat(v, 64)
			return f
		}
	}
	return -1
}

// TestScheduledBackups: with a short interval and --backup-keep 2, the server keeps
// the two newest verified copies while it serves writes; a backup that cannot be
// written is logged and counted, the copies already there stay, and the schedule
// goes on once the folder is back. The metrics are on their own listener only.
func TestScheduledBackups(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	backups := filepath.Join(dir, "backups")
	db := filepath.Join(dir, "cunji.db")
	s := startDemo(t, bin, "--db", db, "--backup-dir", backups, "--backup-every", "200ms", "--backup-keep", "2")
	res, err := http.Get("http://" + s.addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(res.Body); strings.Contains(string(b), "# HELP") {
		t.Fatal("the public listener serves the metrics")
	}
	res.Body.Close()
	_, stop, wg := startWriters(t, s.addr, durabilityVillages[:2])
	ok := func() float64 { return scrapeMetrics(t, s, `cunji_backups_total{result="ok"}`) }
	if _, done := waitFor(20*time.Second, func() bool { return ok() >= 4 }); !done {
		t.Fatalf("%v verified backups after 20 s\n%s", ok(), s.log)
	}
	close(stop)
	wg.Wait()
	// Only the newest two are kept, each a verified copy.
	names, err := scheduledBackups(backups)
	if err != nil {
		t.Fatal(err)
	}
	if len(names) != 2 {
		t.Fatalf("kept %v, want 2 copies", names)
	}
	for _, n := range names {
		if err := models.VerifyCopy(filepath.Join(backups, n)); err != nil {
			t.Fatalf("%s: %v", n, err)
		}
	}
	if last := scrapeMetrics(t, s, "cunji_backup_last_success_timestamp_seconds"); last < float64(time.Now().Add(-time.Minute).Unix()) {
		t.Fatalf("last success at %v", last)
	}

	// The folder becomes unusable: failures are counted and logged, nothing is removed.
	kept := filepath.Join(dir, "kept")
	if err := os.Rename(backups, kept); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(backups, []byte("not a folder"), 0o600); err != nil {
		t.Fatal(err)
	}
	failed := func() float64 { return scrapeMetrics(t, s, `cunji_backups_total{result="failed"}`) }
	if _, done := waitFor(10*time.Second, func() bool { return failed() >= 1 }); !done {
		t.Fatalf("no failed backup counted\n%s", s.log)
	}
	if !strings.Contains(s.log.String(), "scheduled backup failed") {
		t.Fatalf("the failure is not logged:\n%s", s.log)
	}
	os.Remove(backups)
	if err := os.Rename(kept, backups); err != nil {
		t.Fatal(err)
	}
	before := ok()
	if _, done := waitFor(10*time.Second, func() bool { return ok() > before }); !done {
		t.Fatalf("backups did not resume\n%s", s.log)
	}
}
