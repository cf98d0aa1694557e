package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"cunji/models"

	"gorm.io/gorm"
)

// writer saves its village's draft again and again, remembering the last version
// the server acknowledged (2xx) and the amount it carried.
type writer struct {
	village string
	tok     string
	acked   int // version number
	amount  int64
	errors5 int
}

func (w *writer) run(addr string, stop <-chan struct{}, wg *sync.WaitGroup) {
	defer wg.Done()
	client := &http.Client{Timeout: 5 * time.Second}
	path := "http://" + addr + "/api/v1/villages/" + w.village + "/reports/2027"
	for i := int64(1); ; i++ {
		select {
		case <-stop:
			return
		default:
		}
		body, _ := json.Marshal(map[string]any{"business_fen": 1000 + i, "version": w.acked})
		req, _ := http.NewRequest("PUT", path, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+w.tok)
		req.Header.Set("Content-Type", "application/json")
		res, err := client.Do(req)
		if err != nil {
			time.Sleep(5 * time.Millisecond) // the server is gone or going
			continue
		}
		var v struct {
			Version     int
			BusinessFen int64 `json:"business_fen"`
		}
		json.NewDecoder(res.Body).Decode(&v)
		res.Body.Close()
		switch {
		case res.StatusCode == 200:
			w.acked, w.amount = v.Version, v.BusinessFen
		case res.StatusCode >= 500:
			w.errors5++
		}
	}
}

// startWriters logs in one cadre per village and starts them writing.
func startWriters(t *testing.T, addr string, villages []string) ([]*writer, chan struct{}, *sync.WaitGroup) {
	var ws []*writer
	for _, v := range villages {
		code, tok := login(t, addr, "village-"+v, "cunji-demo")
		if code != 200 {
			t.Fatalf("login %s: %d", v, code)
		}
		ws = append(ws, &writer{village: v, tok: tok})
	}
	stop := make(chan struct{})
	wg := &sync.WaitGroup{}
	for _, w := range ws {
		wg.Add(1)
		go w.run(addr, stop, wg)
	}
	return ws, stop, wg
}

// checkAcked finds every acknowledged write in the database after a restart.
func checkAcked(t *testing.T, addr string, ws []*writer) {
	t.Helper()
	code, tok := login(t, addr, "district", "cunji-demo")
	if code != 200 {
		t.Fatalf("district login after restart: %d", code)
	}
	for _, w := range ws {
		if w.errors5 > 0 {
			t.Errorf("%s saw %d answers of 5xx", w.village, w.errors5)
		}
		open, err := openDraft(http.DefaultClient, addr, tok, w.village)
		if err != nil {
			t.Fatal(err)
		}
		rep := struct{ Open *openVersion }{open}
		if w.acked == 0 {
			continue
		}
		switch {
		case rep.Open == nil || rep.Open.Version < w.acked:
			t.Errorf("%s: version %d was acknowledged, the database has %+v", w.village, w.acked, rep.Open)
		case rep.Open.Version == w.acked && rep.Open.BusinessFen != w.amount:
			t.Errorf("%s: version %d acknowledged with %d, stored with %d", w.village, w.acked, w.amount, rep.Open.BusinessFen)
		}
	}
}

var durabilityVillages = []string{"331002004201", "331002004202", "331002004203", "331002004204", "331002005201", "331002005202"}

// TestCrashKeepsAcknowledgedWrites kills the server with SIGKILL in the middle of a
// stream of writes, restarts it, and finds every write that was answered 2xx.
func TestCrashKeepsAcknowledgedWrites(t *testing.T) {
	bin := buildBinary(t)
	db := filepath.Join(t.TempDir(), "crash.db")
	t.Setenv("CUNJI_JWT_SECRET", "durability-secret-0123456789-0123456789")
	s := startDemo(t, bin, "--db", db)
	ws, stop, wg := startWriters(t, s.addr, durabilityVillages)
	time.Sleep(1500 * time.Millisecond)
	if err := s.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	s.cmd.Wait()
	time.Sleep(100 * time.Millisecond)
	close(stop)
	wg.Wait()
	total := 0
	for _, w := range ws {
		total += w.acked
	}
	if total < len(ws) {
		t.Fatalf("too few writes before the kill (%d): the test proves nothing", total)
	}
	s2 := startDemo(t, bin, "--db", db)
	checkAcked(t, s2.addr, ws)
	t.Logf("%d acknowledged saves across %d villages survived SIGKILL", total, len(ws))
}

// TestGracefulShutdown: on SIGTERM, requests in flight finish, new ones are refused,
// the process exits cleanly, and nothing acknowledged is lost.
func TestGracefulShutdown(t *testing.T) {
	bin := buildBinary(t)
	db := filepath.Join(t.TempDir(), "term.db")
	t.Setenv("CUNJI_JWT_SECRET", "durability-secret-0123456789-0123456789")
	s := startDemo(t, bin, "--db", db)
	ws, stop, wg := startWriters(t, s.addr, durabilityVillages)
	time.Sleep(800 * time.Millisecond)
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := s.cmd.Wait(); err != nil {
		t.Fatalf("exit after SIGTERM: %v\n%s", err, s.log)
	}
	// After the exit nothing answers.
	if _, err := http.Get("http://" + s.addr + "/healthz"); err == nil {
		t.Fatal("a request was answered after shutdown")
	}
	close(stop)
	wg.Wait()
	if !strings.Contains(s.log.String(), "shutting down") {
		t.Fatalf("no shutdown in the log:\n%s", s.log)
	}
	s2 := startDemo(t, bin, "--db", db)
	checkAcked(t, s2.addr, ws)
}

// TestBackupWhileWriting takes an online backup while writers work, then checks the
// copy is whole and consistent, that a quiet backup equals its source, and that
// restore refuses a database in use and brings the copy back.
func TestBackupWhileWriting(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "live.db")
	t.Setenv("CUNJI_JWT_SECRET", "durability-secret-0123456789-0123456789")
	s := startDemo(t, bin, "--db", db)
	_, stop, wg := startWriters(t, s.addr, durabilityVillages)
	time.Sleep(400 * time.Millisecond)
	hot := filepath.Join(dir, "hot.db")
	if out, err := runCLI(t, bin, "", "backup", "--db", db, "--out", hot); err != nil {
		t.Fatalf("backup while writing: %v\n%s", err, out)
	}
	close(stop)
	wg.Wait()
	copyDB, err := models.Open(hot)
	if err != nil {
		t.Fatal(err)
	}
	var check string
	copyDB.Raw("PRAGMA integrity_check").Row().Scan(&check)
	var fk []map[string]any
	copyDB.Raw("PRAGMA foreign_key_check").Scan(&fk)
	if check != "ok" || len(fk) != 0 {
		t.Fatalf("the hot copy: integrity %q, foreign keys %v", check, fk)
	}
	// Consistent: every version written by the app is in the copy with its audit
	// entry (the demo's bulk-seeded years have one entry for the whole seed).
	var orphans int64
	copyDB.Raw(`SELECT COUNT(*) FROM report_versions r WHERE r.year = 2027 AND NOT EXISTS
		(SELECT 1 FROM audit_entries a WHERE a.object_key = r.village_code || '/' || r.year)`).Row().Scan(&orphans)
	if orphans != 0 {
		t.Fatalf("%d versions without their audit entry in the copy", orphans)
	}
	if s, err := copyDB.DB(); err == nil {
		s.Close()
	}
	// A quiet backup equals its source, table by table.
	quiet := filepath.Join(dir, "quiet.db")
	if out, err := runCLI(t, bin, "", "backup", "--db", db, "--out", quiet); err != nil {
		t.Fatalf("backup: %v\n%s", err, out)
	}
	src, _ := models.Open(db)
	dst, _ := models.Open(quiet)
	for _, table := range []string{"villages", "report_versions", "users", "audit_entries", "targets", "workshops", "companies"} {
		a, b := tableDigest(t, src, table), tableDigest(t, dst, table)
		if a != b {
			t.Fatalf("table %s differs between the database and its backup", table)
		}
	}
	if out, err := runCLI(t, bin, "", "backup", "--db", db, "--out", quiet); err == nil {
		t.Fatalf("a backup over an existing file: %s", out)
	}
	// Restore refuses while the server holds the database…
	if out, err := runCLI(t, bin, "", "restore", "--from", quiet, "--db", db); err == nil || !strings.Contains(out, "in use") {
		t.Fatalf("restore with the server running: %v %s", err, out)
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	s.cmd.Wait()
	// …and brings the copy back once it is stopped.
	restored := filepath.Join(dir, "restored.db")
	if out, err := runCLI(t, bin, "", "restore", "--from", quiet, "--db", restored); err != nil {
		t.Fatalf("restore: %v\n%s", err, out)
	}
	r, _ := models.Open(restored)
	if tableDigest(t, r, "report_versions") != tableDigest(t, dst, "report_versions") {
		t.Fatal("the restored database differs from the backup")
	}
}

// tableDigest is every row of a table, in a stable order, as one string.
func tableDigest(t *testing.T, db *gorm.DB, table string) string {
	t.Helper()
	var rows []map[string]any
	if err := db.Raw("SELECT * FROM " + table + " ORDER BY 1").Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(rows)
	return fmt.Sprintf("%d:%x", len(rows), sha256.Sum256(b))
}
