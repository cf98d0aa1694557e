package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"cunji/models"
)

// smallDisk mounts a tmpfs of the given size for a test, or skips where mounting is
// not permitted (CI runs as root and refuses that skip).
func smallDisk(t *testing.T, size string) string {
	t.Helper()
	needRoot(t, "a small file system (tmpfs)")
	dir, err := os.MkdirTemp("", "cunji-disk-")
	if err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size+",mode=0700", "tmpfs", dir).CombinedOutput(); err != nil {
		os.Remove(dir)
		t.Skipf("mounting a tmpfs is not permitted here (%v: %s); skipped", err, out)
	}
	t.Cleanup(func() {
		exec.Command("umount", "-l", dir).Run()
		os.Remove(dir)
	})
	return dir
}

// fill writes a file until the file system is full.
func fill(t *testing.T, path string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 4096)
	for {
		if _, err := f.Write(chunk); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatal(err)
			}
			return
		}
	}
}

// save PUTs one draft of a village's 2027 report and returns the status, the
// answer, the version and the amount stored.
func save(t *testing.T, addr, tok, village string, version int, amount int64, note string) (int, http.Header, string, int) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"business_fen": amount, "version": version, "note": note})
	req, _ := http.NewRequest("PUT", "http://"+addr+"/api/v1/villages/"+village+"/reports/2027", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var v struct{ Version int }
	json.Unmarshal(raw, &v)
	return res.StatusCode, res.Header, string(raw), v.Version
}

// TestDiskFullSQLite: the SQLite database's disk fills up while the server runs. A
// save then answers a clear Chinese error (507, Retry-After), nothing of it is
// written, PRAGMA integrity_check says ok, and once space returns the same save
// goes through without a restart.
func TestDiskFullSQLite(t *testing.T) {
	disk := smallDisk(t, "4m")
	bin := buildBinary(t)
	db := filepath.Join(disk, "cunji.db")
	s := startDemo(t, bin, "--db", db, "--files", t.TempDir())
	village := durabilityVillages[0]
	code, tok := login(t, s.addr, "village-"+village, "cunji-demo")
	if code != 200 {
		t.Fatalf("login: %d", code)
	}
	status, _, body, version := save(t, s.addr, tok, village, 0, 1_000, "")
	if status != 200 {
		t.Fatalf("first save: %d %s", status, body)
	}

	fill(t, filepath.Join(disk, "filler"))
	note := strings.Repeat("满", 2000)
	var header http.Header
	acked, amount := version, int64(1_000)
	for i := int64(1); i <= 300; i++ {
		status, header, body, version = save(t, s.addr, tok, village, acked, 1_000+i, note)
		if status != 200 {
			break
		}
		acked, amount = version, 1_000+i
	}
	if status == 200 {
		t.Fatal("300 saves went through on a full disk")
	}
	var answer apiErrorAnswer
	json.Unmarshal([]byte(body), &answer)
	if status != http.StatusInsufficientStorage || header.Get("Retry-After") == "" ||
		answer.Error.Code != "disk_full" || !strings.Contains(answer.Error.Message, "磁盘空间已满") {
		t.Fatalf("a save on a full disk: %d, Retry-After %q, %s", status, header.Get("Retry-After"), body)
	}
	t.Logf("on the full disk: %d %s", status, body)

	// Nothing half-written: the stored draft is the last acknowledged one, and the
	// database passes its integrity check.
	if err := models.VerifyCopy(db); err != nil {
		t.Fatalf("after the refused save: %v", err)
	}
	open, err := openDraft(http.DefaultClient, s.addr, tok, village)
	if err != nil {
		t.Fatal(err)
	}
	rep := struct{ Open *openVersion }{open}
	if rep.Open == nil || rep.Open.Version != acked || rep.Open.BusinessFen != amount {
		t.Fatalf("stored after the refused save: %+v, acknowledged version %d with %d", rep.Open, acked, amount)
	}

	// Space returns: the same save goes through, without a restart.
	os.Remove(filepath.Join(disk, "filler"))
	if _, ok := waitFor(10*time.Second, func() bool {
		status, _, body, _ = save(t, s.addr, tok, village, acked, 999_999, note)
		return status == 200
	}); !ok {
		t.Fatalf("after space returned: %d %s", status, body)
	}
	if err := models.VerifyCopy(db); err != nil {
		t.Fatalf("after space returned: %v", err)
	}
}

// apiErrorAnswer is the API's error body.
type apiErrorAnswer struct {
	Error struct{ Code, Message string }
}
