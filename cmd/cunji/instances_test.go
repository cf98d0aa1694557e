package main

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sync"
	"testing"

	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// pgSchemaURL makes a fresh PostgreSQL schema for a test and returns its URL.
func pgSchemaURL(t *testing.T) string {
	base := os.Getenv("CUNJI_TEST_POSTGRES_URL")
	if base == "" {
		t.Skip("CUNJI_TEST_POSTGRES_URL is not set: PostgreSQL tests are skipped")
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "inst_" + hex.EncodeToString(b)
	admin, err := gorm.Open(postgres.Open(base), &gorm.Config{Logger: logger.Default.LogMode(logger.Silent)})
	if err != nil {
		t.Fatal(err)
	}
	if err := admin.Exec("CREATE SCHEMA " + schema).Error; err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		if s, err := admin.DB(); err == nil {
			s.Close()
		}
	})
	u, _ := url.Parse(base)
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

type apiClient struct {
	t    *testing.T
	addr string
	tok  string
}

func (c apiClient) call(method, path string, body any) (int, map[string]any) {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	r, _ := http.NewRequest(method, "http://"+c.addr+path, rd)
	r.Header.Set("Authorization", "Bearer "+c.tok)
	r.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(r)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out
}

// race runs n calls at once, half through each instance, and counts the answers.
func race(n int, do func(i int) int) map[int]int {
	var mu sync.Mutex
	counts := map[int]int{}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			code := do(i)
			mu.Lock()
			counts[code]++
			mu.Unlock()
		}(i)
	}
	close(start)
	wg.Wait()
	return counts
}

// TestTwoInstances: two cunji processes on one PostgreSQL database, started at the
// same moment (migrations and seeding must not collide), then racing each other on
// the same report: no lost update (the losers get 409), never two open versions,
// and an audit entry for every change that succeeded.
func TestTwoInstances(t *testing.T) {
	dsn := pgSchemaURL(t)
	bin := buildBinary(t)
	os.Setenv("CUNJI_JWT_SECRET", "")
	servers := make([]*server, 2)
	var wg sync.WaitGroup
	for i := range servers {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			servers[i] = startDemo(t, bin, "--db", dsn, "--files", t.TempDir())
		}(i)
	}
	wg.Wait()
	village, street := "331002001201", "331002001"
	login := func(s *server, user string) apiClient {
		code, tok := loginAt(t, s.addr, user)
		if code != 200 {
			t.Fatalf("login %s on %s: %d\n%s", user, s.addr, code, s.log)
		}
		return apiClient{t, s.addr, tok}
	}
	// The token of one instance works on the other: they share the secret.
	cadre := []apiClient{login(servers[0], "village-"+village), login(servers[1], "village-"+village)}
	cadre[1].tok = cadre[0].tok
	officer := []apiClient{login(servers[0], "street-"+street), login(servers[1], "street-"+street)}
	district := login(servers[1], "district")
	path := "/api/v1/villages/" + village + "/reports/2027"

	// Ten first drafts at once: one wins.
	counts := race(10, func(i int) int {
		code, _ := cadre[i%2].call("PUT", path, map[string]any{"business_fen": 60_000_000 + i, "version": 0})
		return code
	})
	if counts[200] != 1 || counts[409] != 9 {
		t.Fatalf("concurrent first drafts: %v", counts)
	}
	_, rep := cadre[0].call("GET", path, nil)
	version := rep["open"].(map[string]any)["version"].(float64)
	// Ten edits of the same version at once: one wins.
	counts = race(10, func(i int) int {
		code, _ := cadre[i%2].call("PUT", path, map[string]any{"contract_fen": i, "version": version})
		return code
	})
	if counts[200] != 1 || counts[409] != 9 {
		t.Fatalf("concurrent edits: %v", counts)
	}
	if code, _ := cadre[1].call("POST", path+"/submit", nil); code != 200 {
		t.Fatalf("submit: %d", code)
	}
	// Approvals and rejections through both instances at once: one wins.
	counts = race(10, func(i int) int {
		if i%2 == 0 {
			code, _ := officer[i%2].call("POST", path+"/approve", nil)
			return code
		}
		code, _ := officer[i%2].call("POST", path+"/reject", map[string]any{"reason": "核对"})
		return code
	})
	if counts[200] != 1 || counts[409] != 9 {
		t.Fatalf("concurrent reviews: %v", counts)
	}
	_, rep = district.call("GET", path, nil)
	hist := rep["history"].([]any)
	if len(hist) != 1 || rep["open"] != nil {
		t.Fatalf("history %d versions, open %v", len(hist), rep["open"])
	}
	// Every successful change is in the audit log, once: create, edit, submit, review.
	_, au := district.call("GET", "/api/v1/audit?village="+village+"&limit=500", nil)
	n := 0
	for _, e := range au["entries"].([]any) {
		if e.(map[string]any)["object_key"] == village+"/2027" {
			n++
		}
	}
	if n != 4 {
		t.Fatalf("%d audit entries for the report, want 4", n)
	}
	// Many villages at once through both instances: each ends approved exactly once.
	codes := []string{"331002001202", "331002001203", "331002001204", "331002001205", "331002001206", "331002001207"}
	var mu sync.Mutex
	var failures []string
	race(len(codes), func(i int) int {
		code := codes[i]
		c := login(servers[i%2], "village-"+code)
		o := login(servers[(i+1)%2], "street-"+street)
		p := "/api/v1/villages/" + code + "/reports/2027"
		for _, step := range []struct {
			cl   apiClient
			m, p string
			b    any
		}{{c, "PUT", p, map[string]any{"business_fen": 1, "version": 0}}, {c, "POST", p + "/submit", nil}, {o, "POST", p + "/approve", nil}} {
			if st, body := step.cl.call(step.m, step.p, step.b); st != 200 {
				mu.Lock()
				failures = append(failures, fmt.Sprintf("%s %s %s: %d %v", code, step.m, step.p, st, body))
				mu.Unlock()
				return st
			}
		}
		return 200
	})
	if len(failures) > 0 {
		t.Fatalf("parallel villages: %v", failures)
	}
	_, ru := district.call("GET", "/api/v1/rollup?year=2027&street="+street, nil)
	if rep := ru["reported"].(float64); rep != float64(len(codes)+1) && rep != float64(len(codes)) {
		t.Fatalf("2027 reported = %v", rep)
	}
}

func loginAt(t *testing.T, addr, user string) (int, string) {
	return login(t, addr, user, "cunji-demo")
}
