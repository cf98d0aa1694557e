package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// drillCommands are the commands of one restore drill in docs/operations.md: the
// shell block after the marker <!-- restore-drill:NAME -->.
func drillCommands(t *testing.T, name string) string {
	t.Helper()
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "operations.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(doc), "<!-- restore-drill:"+name+" -->\n```sh\n")
	if !ok {
		t.Fatalf("docs/operations.md has no restore drill %q", name)
	}
	block, _, ok := strings.Cut(after, "```")
	if !ok {
		t.Fatalf("the restore drill %q is not closed", name)
	}
	return block
}

// runDrill runs the documented commands in bash, with the documented paths and
// addresses replaced by the test's own, and the cunji under test first on PATH. A
// server the drill started in the background is stopped with its process group.
func runDrill(t *testing.T, script string, env []string, replace ...string) string {
	t.Helper()
	script = strings.NewReplacer(replace...).Replace(script)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-euo", "pipefail", "-c", script)
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// Output to a file, not a pipe: the background server keeps its copy open.
	log := filepath.Join(t.TempDir(), "drill.log")
	f, err := os.Create(log)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = f, f
	err = cmd.Start()
	if err == nil {
		pgid := cmd.Process.Pid
		t.Cleanup(func() { syscall.Kill(-pgid, syscall.SIGKILL) })
		err = cmd.Wait()
		syscall.Kill(-pgid, syscall.SIGTERM)
	}
	f.Close()
	out, _ := os.ReadFile(log)
	if err != nil {
		t.Fatalf("the documented restore drill failed: %v\n--- script\n%s\n--- output\n%s", err, script, out)
	}
	return string(out)
}

// addAdmin creates a district account with the command the operator's guide
// shows, on a database the server is serving.
func addAdmin(t *testing.T, bin, db string) {
	t.Helper()
	if out, err := runCLI(t, bin, "drill-password-1\n", "user", "add", "--db", db, "--username", "drill-admin",
		"--role", "district", "--scope", "331002", "--name", "演练"); err != nil {
		t.Fatalf("user add: %v\n%s", err, out)
	}
}

// adminLogsIn reports whether the account made before the backup can log in.
func adminLogsIn(t *testing.T, addr string) bool {
	t.Helper()
	code, _ := login(t, addr, "drill-admin", "drill-password-1")
	return code == 200
}

// TestRestoreDrill follows the restore drills of docs/operations.md word for word:
// a copy of the serving database restored beside it, a second server started on it,
// ready, and holding an account made before the copy. SQLite always; PostgreSQL on a
// private server where the test can start one (CI).
func TestRestoreDrill(t *testing.T) {
	bin := buildBinary(t)
	path := "PATH=" + filepath.Dir(bin) + ":" + os.Getenv("PATH")

	t.Run("sqlite", func(t *testing.T) {
		dir := t.TempDir()
		prod, backups, drill := filepath.Join(dir, "prod"), filepath.Join(dir, "backups"), filepath.Join(dir, "drill")
		os.MkdirAll(prod, 0o700)
		os.MkdirAll(backups, 0o700)
		startServer(t, bin, "--db", filepath.Join(prod, "cunji.db"))
		addAdmin(t, bin, filepath.Join(prod, "cunji.db"))
		addr := freeAddr(t)
		out := runDrill(t, drillCommands(t, "sqlite"), []string{path},
			"/var/lib/cunji-drill", drill, "/var/lib/cunji", prod, "/var/backups/cunji", backups, "127.0.0.1:8089", addr)
		if !strings.Contains(out, "ready") {
			t.Fatalf("the drill's server is not ready:\n%s", out)
		}
		// The drill's server stopped with the script; start it again to look inside.
		d := startServer(t, bin, "--db", filepath.Join(drill, "cunji.db"))
		if !adminLogsIn(t, d.addr) {
			t.Fatal("the restored copy lacks the account made before the backup")
		}
	})

	t.Run("postgres", func(t *testing.T) {
		pg := startPrivatePG(t)
		backups := t.TempDir()
		startServer(t, bin, "--db", pg.URL(), "--files", t.TempDir())
		addAdmin(t, bin, pg.URL())
		addr := freeAddr(t)
		out := runDrill(t, drillCommands(t, "postgres"),
			[]string{"PATH=" + pg.bin + ":" + filepath.Dir(bin) + ":" + os.Getenv("PATH"),
				"PGHOST=127.0.0.1", "PGPORT=" + pg.port, "PGUSER=postgres"},
			"/var/backups/cunji", backups, "127.0.0.1:5432", "127.0.0.1:"+pg.port, "127.0.0.1:8089", addr)
		if !strings.Contains(out, "ready") {
			t.Fatalf("the drill's server is not ready:\n%s", out)
		}
		drillURL := strings.Replace(pg.URL(), "/cunji?", "/cunji_drill?", 1)
		d := startServer(t, bin, "--db", drillURL, "--files", t.TempDir())
		if !adminLogsIn(t, d.addr) {
			t.Fatal("the restored database lacks the account made before the dump")
		}
	})
}
