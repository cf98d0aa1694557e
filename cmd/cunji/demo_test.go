package main

import (
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"cunji/models"
)

// TestServeNeverSeedsDemo: `cunji serve` on a new database (a typo, say) seeds the
// district structure and the plan's targets, no demo data and no account, and its
// log gives the exact command that creates the first account.
func TestServeNeverSeedsDemo(t *testing.T) {
	bin := buildBinary(t)
	db := filepath.Join(t.TempDir(), "some-typo.db")
	s := startServer(t, bin, "--db", db)
	if code, _ := login(t, s.addr, "district", "cunji-demo"); code != 401 {
		t.Fatalf("serve created the demo's district account: %d\n%s", code, s.log)
	}
	want := "cunji user add --db " + db + " --username admin --role district --scope 331002"
	if !strings.Contains(s.log.String(), want) {
		t.Fatalf("the log does not say %q:\n%s", want, s.log)
	}
	res, err := http.Get("http://" + s.addr + "/login")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if strings.Contains(string(page), "演示数据") {
		t.Fatal("the demo banner shows on a production server")
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	s.cmd.Wait()
	gdb, err := models.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	var users, villages, districts, targets int64
	gdb.Model(&models.User{}).Count(&users)
	gdb.Model(&models.Village{}).Count(&villages)
	gdb.Model(&models.District{}).Count(&districts)
	gdb.Model(&models.Target{}).Count(&targets)
	if users != 0 || villages != 0 || districts != 1 || targets == 0 {
		t.Fatalf("after serve on an empty database: %d users, %d villages, %d districts, %d targets", users, villages, districts, targets)
	}
}

// TestServeRefusesDemoAccounts: serve will not start on the demo's database unless
// --allow-demo says so, and then warns.
func TestServeRefusesDemoAccounts(t *testing.T) {
	bin := buildBinary(t)
	db := filepath.Join(t.TempDir(), "demo.db")
	d := startDemo(t, bin, "--db", db)
	res, err := http.Get("http://" + d.addr + "/login")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(page), "演示数据") {
		t.Fatal("no demo banner on the demo's pages")
	}
	d.cmd.Process.Signal(syscall.SIGTERM)
	d.cmd.Wait()

	out, err := runCLI(t, bin, "", "serve", "--addr", freeAddr(t), "--db", db)
	if err == nil || !strings.Contains(out, "--allow-demo") || !strings.Contains(out, "cunji demo") {
		t.Fatalf("serve on a database with demo accounts: %v\n%s", err, out)
	}
	s := startServer(t, bin, "--db", db, "--allow-demo")
	if !strings.Contains(s.log.String(), "WARNING") || !strings.Contains(s.log.String(), "demo accounts") {
		t.Fatalf("no warning with --allow-demo:\n%s", s.log)
	}
	if code, _ := login(t, s.addr, "district", "cunji-demo"); code != 200 {
		t.Fatalf("district login with --allow-demo: %d", code)
	}
}

// TestDemoFlags: serve's old --demo flag is an error pointing at `cunji demo`; the
// demo has its own file and listens on the loopback, whatever $CUNJI_DATABASE_URL.
func TestDemoFlags(t *testing.T) {
	for _, args := range [][]string{{"--demo"}, {"--demo=false"}, {"--demo=true", "--db", "x.db"}} {
		if _, err := serveConfig(args); err == nil || !strings.Contains(err.Error(), "cunji demo") {
			t.Errorf("serve %v: %v", args, err)
		}
	}
	t.Setenv("CUNJI_DATABASE_URL", "postgres://prod@db.example/cunji")
	c, err := demoConfig(nil)
	if err != nil || c.addr != "127.0.0.1:8080" || c.dbPath != "cunji-demo.db" || !c.demo {
		t.Fatalf("demo defaults: %+v %v", c, err)
	}
	c, err = serveConfig(nil)
	if err != nil || c.addr != ":8080" || c.demo || c.allowDemo {
		t.Fatalf("serve defaults: %+v %v", c, err)
	}
}

// TestTrustProxyFlag: --trust-proxy takes a list of addresses and ranges, not a
// switch.
func TestTrustProxyFlag(t *testing.T) {
	if c, err := serveConfig([]string{"--trust-proxy", "10.0.0.1,10.0.0.0/8,fd00::/8"}); err != nil || len(c.proxies) != 3 {
		t.Fatalf("%v %v", c.proxies, err)
	}
	if _, err := serveConfig([]string{"--trust-proxy=true"}); err == nil || !strings.Contains(err.Error(), "CIDR") {
		t.Fatalf("--trust-proxy=true: %v", err)
	}
}

// TestSubcommandHelp: `cunji demo --help` and `cunji serve --help` print the flags and
// exit 0 (a script asks the first to tell whether the build has the demo command).
func TestSubcommandHelp(t *testing.T) {
	bin := buildBinary(t)
	for _, sub := range []string{"demo", "serve"} {
		out, err := runCLI(t, bin, "", sub, "--help")
		if err != nil || !strings.Contains(out, "-addr") {
			t.Errorf("%s --help: %v\n%s", sub, err, out)
		}
	}
}
