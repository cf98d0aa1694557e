package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
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

// buildBinary builds cunji once per test into its temporary folder.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "cunji")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// server is a running cunji process; metrics is its metrics address.
type server struct {
	cmd     *exec.Cmd
	addr    string
	metrics string
	log     *bytes.Buffer
}

// startServer runs `cunji serve --addr A args…`.
func startServer(t *testing.T, bin string, args ...string) *server {
	t.Helper()
	return startCmd(t, bin, "", "serve", args...)
}

// startDemo runs `cunji demo --addr A args…`: the demo data and accounts.
func startDemo(t *testing.T, bin string, args ...string) *server {
	t.Helper()
	return startCmd(t, bin, "", "demo", args...)
}

// startCmd runs `cunji [sub] --addr A args…` in the folder dir.
func startCmd(t *testing.T, bin, dir, sub string, args ...string) *server {
	t.Helper()
	s := &server{addr: freeAddr(t), metrics: freeAddr(t), log: &bytes.Buffer{}}
	argv := append([]string{"--addr", s.addr, "--metrics-addr", s.metrics}, args...)
	if sub != "" {
		argv = append([]string{sub}, argv...)
	}
	s.cmd = exec.Command(bin, argv...)
	s.cmd.Dir = dir
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	s.cmd.Env = append(os.Environ(), "CUNJI_JWT_SECRET=")
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.cmd.Process.Kill(); _ = s.cmd.Wait() })
	// A loaded machine may take long to migrate and seed (the start-up lock of
	// PostgreSQL is shared by every schema of the test database): wait for the
	// server to answer or to exit, not for a fixed time.
	for i := 0; ; i++ {
		if res, err := http.Get("http://" + s.addr + "/healthz"); err == nil {
			res.Body.Close()
			return s
		}
		if exited(s.cmd.Process.Pid) || i == 6000 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("server did not start:\n%s", s.log)
	return nil
}

// exited tells whether the child process pid has exited (a zombie not yet waited for).
func exited(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	return len(f) > 0 && (f[0] == "Z" || f[0] == "X")
}

func login(t *testing.T, addr, user, password string) (int, string) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"username": user, "password": password})
	res, err := http.Post("http://"+addr+"/api/v1/auth/login", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct{ Token string }
	_ = json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out.Token
}

func runCLI(t *testing.T, bin, stdin string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// TestProductionStart: serve seeds the structure but no demo accounts; the
// first account comes from `cunji user add`; `user passwd` ends its sessions; the
// JWT secret is kept beside the database with mode 0600; SIGTERM stops cleanly.
func TestProductionStart(t *testing.T) {
	bin := buildBinary(t)
	db := filepath.Join(t.TempDir(), "prod.db")
	if out, err := runCLI(t, bin, "short\n", "user", "add", "--db", db, "--username", "admin", "--role", "district", "--scope", "331002", "--name", "管理员"); err == nil {
		t.Fatalf("a 5-character password was accepted: %s", out)
	}
	if out, err := runCLI(t, bin, "", "user", "add", "--db", db, "--username", "admin", "--role", "district", "--scope", "331002", "--name", "管理员"); err == nil {
		t.Fatalf("an empty standard input was accepted: %s", out)
	}
	if out, err := runCLI(t, bin, "admin-password-1\n", "user", "add", "--db", db, "--username", "admin", "--role", "district", "--scope", "331002", "--name", "管理员"); err != nil {
		t.Fatalf("user add: %v\n%s", err, out)
	}
	if out, err := runCLI(t, bin, "other-password-1\n", "user", "add", "--db", db, "--username", "admin", "--role", "district", "--scope", "331002", "--name", "x"); err == nil {
		t.Fatalf("a duplicate username was accepted: %s", out)
	}
	s := startServer(t, bin, "--db", db)
	if strings.Contains(s.log.String(), "demo accounts") {
		t.Fatalf("demo warning without demo data:\n%s", s.log)
	}
	if code, _ := login(t, s.addr, "district", "cunji-demo"); code != 401 {
		t.Fatalf("demo account exists after serve: %d", code)
	}
	code, tok := login(t, s.addr, "admin", "admin-password-1")
	if code != 200 {
		t.Fatalf("login admin: %d", code)
	}
	req, _ := http.NewRequest("GET", "http://"+s.addr+"/api/v1/villages", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var list struct{ Total int }
	json.NewDecoder(res.Body).Decode(&list)
	res.Body.Close()
	if res.StatusCode != 200 || list.Total != 0 {
		t.Fatalf("villages on a production start: %d, total %d", res.StatusCode, list.Total)
	}
	if out, err := runCLI(t, bin, "admin-password-2\n", "user", "passwd", "--db", db, "--username", "admin"); err != nil {
		t.Fatalf("passwd: %v\n%s", err, out)
	}
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 401 {
		t.Fatalf("old token after password change: %d", res.StatusCode)
	}
	if code, _ := login(t, s.addr, "admin", "admin-password-2"); code != 200 {
		t.Fatalf("login with the new password: %d", code)
	}
	st, err := os.Stat(db + ".jwt-secret")
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("secret file: %v %v", st, err)
	}
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, s.log)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("no exit after SIGTERM")
	}
}

// TestDemoStart: `cunji` alone runs the demo on its own file, cunji-demo.db, seeded
// with about 200 demo villages and their accounts, and says so; the same secret
// survives a restart (`cunji demo`).
func TestDemoStart(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "cunji-demo.db")
	s := startCmd(t, bin, dir, "")
	if !strings.Contains(s.log.String(), "invented accounts") || !strings.Contains(s.log.String(), "cunji-demo") {
		t.Fatalf("no demo notice:\n%s", s.log)
	}
	if _, err := os.Stat(db); err != nil {
		t.Fatalf("the demo's own file: %v", err)
	}
	code, tok := login(t, s.addr, "district", "cunji-demo")
	if code != 200 {
		t.Fatalf("district login: %d", code)
	}
	for _, u := range []string{"street-331002101", "village-331002001201"} {
		if code, _ := login(t, s.addr, u, "cunji-demo"); code != 200 {
			t.Fatalf("%s login: %d", u, code)
		}
	}
	get := func(addr, path string) map[string]any {
		req, _ := http.NewRequest("GET", "http://"+addr+path, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var out map[string]any
		json.NewDecoder(res.Body).Decode(&out)
		if res.StatusCode != 200 {
			t.Fatalf("GET %s: %d %v", path, res.StatusCode, out)
		}
		return out
	}
	if n := get(s.addr, "/api/v1/villages")["total"].(float64); n < 180 || n > 220 {
		t.Fatalf("demo villages: %v", n)
	}
	var shares []float64
	for y := 2023; y <= 2025; y++ {
		ru := get(s.addr, fmt.Sprintf("/api/v1/rollup?year=%d", y))
		shares = append(shares, ru["income_50w"].(map[string]any)["share"].(float64))
	}
	if shares[0] < 0.5 || shares[0] > 0.7 || shares[1] <= shares[0] || shares[2] <= shares[1] {
		t.Fatalf("demo shares over 50万 2023–2025: %v (want about 60%%, rising)", shares)
	}
	ru26 := get(s.addr, "/api/v1/rollup?year=2026")
	p := ru26["pending"].(map[string]any)
	if p["submitted"].(float64) == 0 || p["draft"].(float64) == 0 {
		t.Fatalf("2026 pending: %v", p)
	}
	// Restart on the same database: the token still verifies (the secret was kept).
	s.cmd.Process.Signal(syscall.SIGTERM)
	s.cmd.Wait()
	s2 := startDemo(t, bin, "--db", db)
	get(s2.addr, "/api/v1/villages")
}

// TestImportCommand: the command line checks, commits and refuses like the pages.
// TestCheckCommand: `cunji check` finds the maintained figures equal to the recount
// on a database in service, says so when a cell is wrong (and fails), and
// --repair rebuilds them.
func TestCheckCommand(t *testing.T) {
	bin := buildBinary(t)
	db := filepath.Join(t.TempDir(), "c.db")
	if out, err := runCLI(t, bin, "", "seed", "--synthetic", "300", "--seed", "3", "--indicators", "5", "--db", db); err != nil {
		t.Fatalf("seed: %v\n%s", err, out)
	}
	if out, err := runCLI(t, bin, "", "check", "--db", db); err != nil || !strings.Contains(out, "ok: the maintained figures equal the recount") {
		t.Fatalf("check: %v\n%s", err, out)
	}
	// A wrong indicator cell is found and repaired like a roll-up cell.
	tamper(t, db, "UPDATE indicator_cells SET yes = yes + 1 WHERE indicator_id = (SELECT MIN(indicator_id) FROM indicator_cells)")
	if out, err := runCLI(t, bin, "", "check", "--db", db); err == nil || !strings.Contains(out, "indicator cells") || strings.Contains(out, " 0 indicator cells") {
		t.Fatalf("a wrong indicator cell went unnoticed: %v\n%s", err, out)
	}
	if out, err := runCLI(t, bin, "", "check", "--db", db, "--repair"); err != nil || !strings.Contains(out, "repaired") {
		t.Fatalf("repair: %v\n%s", err, out)
	}
	g, err := models.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	err = g.Exec("UPDATE rollup_cells SET meets = meets + 1 WHERE year = 2024 AND street_code = (SELECT MIN(street_code) FROM rollup_cells)").Error
	if s, _ := g.DB(); s != nil {
		s.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	if out, err := runCLI(t, bin, "", "check", "--db", db); err == nil || !strings.Contains(out, "roll-up cells,") || strings.Contains(out, " 0 roll-up cells,") {
		t.Fatalf("a wrong cell went unnoticed: %v\n%s", err, out)
	}
	// A register figure (a title held) and a company row changed behind the model's back.
	g, err = models.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	err = g.Exec("UPDATE rollup_cells SET rated = rated + 1 WHERE year = 2025 AND street_code = (SELECT MIN(street_code) FROM rollup_cells)").Error
	if err == nil {
		err = g.Exec("DELETE FROM rollup_company_cells WHERE year = 2025 AND street_code = (SELECT MIN(street_code) FROM rollup_company_cells)").Error
	}
	if s, _ := g.DB(); s != nil {
		s.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	if out, err := runCLI(t, bin, "", "check", "--db", db); err == nil || strings.Contains(out, " 0 cells' register figures") || strings.Contains(out, " 0 company rows") {
		t.Fatalf("a wrong register figure or company row went unnoticed: %v\n%s", err, out)
	}
	if out, err := runCLI(t, bin, "", "check", "--db", db, "--repair"); err != nil || !strings.Contains(out, "repaired") {
		t.Fatalf("repair: %v\n%s", err, out)
	}
	if out, err := runCLI(t, bin, "", "check", "--db", db); err != nil || !strings.Contains(out, "ok:") {
		t.Fatalf("check after repair: %v\n%s", err, out)
	}
}

// tamper changes the database behind the model's back.
func tamper(t *testing.T, db, stmt string) {
	t.Helper()
	g, err := models.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	err = g.Exec(stmt).Error
	if s, _ := g.DB(); s != nil {
		s.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
}

func TestImportCommand(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "i.db")
	good := filepath.Join(dir, "villages.csv")
	os.WriteFile(good, []byte("村代码,村名称,街道代码,村庄类型,起始年度,终止年度\n331002004201,洪村,331002004,整治提升,2000,\n331002004202,家村,331002004,集聚建设,2000,\n"), 0o600)
	out, err := runCLI(t, bin, "", "import", "villages", "--db", db, "--dry-run", good)
	if err != nil || !strings.Contains(out, "2 new") || !strings.Contains(out, "nothing was written") {
		t.Fatalf("dry run: %v\n%s", err, out)
	}
	if out, err := runCLI(t, bin, "", "import", "villages", "--db", db, good); err != nil || !strings.Contains(out, "imported") {
		t.Fatalf("commit: %v\n%s", err, out)
	}
	if out, _ := runCLI(t, bin, "", "import", "villages", "--db", db, good); !strings.Contains(out, "0 new, 0 changed, 2 unchanged") {
		t.Fatalf("re-import: %s", out)
	}
	reports := filepath.Join(dir, "reports.csv")
	os.WriteFile(reports, []byte("村代码,年度,星级,和美乡村,经营收入,发包及上交收入,投资收益,补助收入,其他收入,集体资产\n331002004201,2024,1,是,600000,0,0,0,0,0\n331002004202,2024,0,否,1.234,0,0,0,0,0\n"), 0o600)
	out, err = runCLI(t, bin, "", "import", "reports", "--db", db, "--approve-reason", "2024 年农经年报", reports)
	if err == nil || !strings.Contains(out, "row 3, 经营收入") || !strings.Contains(out, "nothing was written") {
		t.Fatalf("bad report file: %v\n%s", err, out)
	}
	os.WriteFile(reports, []byte("村代码,年度,星级,和美乡村,经营收入,发包及上交收入,投资收益,补助收入,其他收入,集体资产\n331002004201,2024,1,是,600000,0,0,0,0,0\n"), 0o600)
	if out, err := runCLI(t, bin, "", "import", "reports", "--db", db, "--approve-reason", "2024 年农经年报", reports); err != nil || !strings.Contains(out, "1 new village-years") {
		t.Fatalf("reports: %v\n%s", err, out)
	}
}
