package main

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestPrivateFiles: under umask 022, the database, its -wal and -shm, the JWT
// secret, the lock file and a backup are created 0600 and a new folder 0700.
func TestPrivateFiles(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	bin := buildBinary(t)
	dir := filepath.Join(t.TempDir(), "data")
	db := filepath.Join(dir, "prod.db")
	if out, err := runCLI(t, bin, "admin-password-1\n", "user", "add", "--db", db, "--username", "admin", "--role", "district", "--scope", "331002", "--name", "管理员"); err != nil {
		t.Fatalf("user add: %v\n%s", err, out)
	}
	s := startServer(t, bin, "--db", db)
	if code, _ := login(t, s.addr, "admin", "admin-password-1"); code != 200 {
		t.Fatalf("login: %d", code)
	}
	copyDB := filepath.Join(dir, "copy.db")
	if out, err := runCLI(t, bin, "", "backup", "--db", db, "--out", copyDB); err != nil {
		t.Fatalf("backup: %v\n%s", err, out)
	}
	for _, p := range []string{db, db + "-wal", db + "-shm", db + ".jwt-secret", db + ".lock", copyDB} {
		st, err := os.Stat(p)
		if err != nil {
			t.Errorf("%s: %v", filepath.Base(p), err)
		} else if st.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %o, want 600", filepath.Base(p), st.Mode().Perm())
		}
	}
	if st, err := os.Stat(dir); err != nil || st.Mode().Perm() != 0o700 {
		t.Errorf("folder: %v %v, want 700", st.Mode(), err)
	}
}
