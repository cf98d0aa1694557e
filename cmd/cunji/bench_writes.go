package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"cunji/models"

	"gorm.io/gorm"
)

// benchWrites runs concurrent writers, each walking its own village's report through
// save, submit and approve over HTTP, and checks that every acknowledged approval is
// in the database and that no "database is locked" (or any other refusal) reached a
// user. With --instances 2 (the default on PostgreSQL) two servers share the
// database, each with its own connections, and every writer sends its requests to
// both in turn, so that both take writes on the same series.
func benchWrites(args []string) error {
	fs := flag.NewFlagSet("bench writes", flag.ContinueOnError)
	dbPath := fs.String("db", defaultDB(), "database (demo or synthetic; a copy: the bench writes into it)")
	writers := fs.Int("writers", 32, "concurrent writers")
	secs := fs.Int("seconds", 10, "seconds")
	instances := fs.Int("instances", 0, "servers sharing the database (default 1 on SQLite, 2 on PostgreSQL)")
	password := fs.String("password", "", "the accounts' password (default: the demo's or the synthetic data's)")
	year := fs.Int("year", 2025, "year")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the load (client and server) to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *instances <= 0 {
		*instances = 1
		if models.IsPostgres(*dbPath) {
			*instances = 2
		}
	}
	var dbs []*gorm.DB
	var bases []string
	for i := 0; i < *instances; i++ {
		db, base, stop, err := benchServer(*dbPath)
		if err != nil {
			return err
		}
		defer stop()
		dbs, bases = append(dbs, db), append(bases, base)
	}
	db := dbs[0]
	// The writers' villages, and one more whose cycle is counted statement by
	// statement before the load.
	var villages []models.Village
	if err := db.Where("code IN (?)", db.Model(&models.User{}).Select("village_code").Where("role = ?", models.RoleVillage)).
		Order("code").Limit(*writers + 1).Find(&villages).Error; err != nil {
		return err
	}
	if len(villages) < *writers+1 {
		return fmt.Errorf("only %d villages have accounts (%d needed)", len(villages), *writers+1)
	}
	if *password == "" {
		*password = seededPassword(db)
	}
	client := &http.Client{Transport: benchTransport, Timeout: 60 * time.Second}
	call := func(base, method, path, tok string, body any) (int, map[string]any, string) {
		var rd io.Reader
		if body != nil {
			b, _ := json.Marshal(body)
			rd = bytes.NewReader(b)
		}
		r, _ := http.NewRequest(method, base+path, rd)
		r.Header.Set("Authorization", "Bearer "+tok)
		r.Header.Set("Content-Type", "application/json")
		res, err := client.Do(r)
		if err != nil {
			return 0, nil, err.Error()
		}
		defer res.Body.Close()
		raw, _ := io.ReadAll(res.Body)
		var out map[string]any
		json.Unmarshal(raw, &out)
		return res.StatusCode, out, string(raw)
	}
	// The logins (bcrypt) come before the clock starts.
	type writer struct {
		v          models.Village
		vTok, sTok string
	}
	ws := make([]writer, len(villages))
	for i, v := range villages {
		var err error
		if ws[i].vTok, err = apiLogin(bases[0], "village-"+v.Code, *password); err != nil {
			return err
		}
		if ws[i].sTok, err = apiLogin(bases[0], "street-"+v.StreetCode, *password); err != nil {
			return err
		}
		ws[i].v = v
	}
	// steps are one cycle: the report read (for the open version's number), its save,
	// submission and approval. Request k of writer w goes to instance (w+k) mod N.
	type step struct {
		name, method, path, tok string
		body                    any
	}
	cycle := func(w writer, n int64, version int) []step {
		path := fmt.Sprintf("/api/v1/villages/%s/reports/%d", w.v.Code, *year)
		return []step{
			{"save (PUT)", "PUT", path, w.vTok, map[string]any{"business_fen": 50_000_000 + n, "version": version, "note": "压测"}},
			{"submit", "POST", path + "/submit", w.vTok, nil},
			{"approve", "POST", path + "/approve", w.sTok, nil},
		}
	}
	readVersion := func(base string, w writer) (int, int, string) {
		code, rep, raw := call(base, "GET", fmt.Sprintf("/api/v1/villages/%s/reports/%d", w.v.Code, *year), w.vTok, nil)
		version := 0
		if code == 200 && rep["open"] != nil {
			version = int(rep["open"].(map[string]any)["version"].(float64))
		}
		return version, code, raw
	}

	// One cycle alone first, on the spare village, its statements counted per request.
	spare := ws[len(ws)-1]
	ws = ws[:len(ws)-1]
	count := func(f func() (int, string)) (models.StatementCount, error) {
		var code int
		var raw string
		n, err := countAll(dbs, func() { code, raw = f() })
		if err == nil && code != http.StatusOK {
			err = fmt.Errorf("status %d: %s", code, raw)
		}
		return n, err
	}
	fmt.Printf("writes, %d concurrent writers, %d server instance(s), %s\n", *writers, *instances, backendName(*dbPath))
	var version int
	n, err := count(func() (int, string) {
		var code int
		var raw string
		version, code, raw = readVersion(bases[0], spare)
		return code, raw
	})
	if err != nil {
		return fmt.Errorf("report read: %w", err)
	}
	fmt.Printf("  statements per request: report read (API GET) %d", n.Total())
	for _, s := range cycle(spare, 0, version) {
		n, err := count(func() (int, string) {
			code, _, raw := call(bases[0], s.method, s.path, s.tok, s.body)
			return code, raw
		})
		if err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
		fmt.Printf(", %s %d", s.name, n.Total())
	}
	fmt.Println()
	// The cadre's pages: the report page, then its form saved and submitted at once
	// (保存并提交), then approved over the API.
	page, form, err := pageSaveSubmit(client, bases[0], spare.vTok, spare.v.Code, *year, dbs)
	if err != nil {
		return err
	}
	if code, _, raw := call(bases[0], "POST", fmt.Sprintf("/api/v1/villages/%s/reports/%d/approve", spare.v.Code, *year), spare.sTok, nil); code != http.StatusOK {
		return fmt.Errorf("approve after the page: %d %s", code, raw)
	}
	fmt.Printf("  statements per request: report page (cadre) %d, page save+submit (form) %d\n", page.Total(), form.Total())

	stopProfile, err := startCPUProfile(*cpuProfile)
	if err != nil {
		return err
	}
	defer stopProfile()
	cpuBefore := processCPU()
	start := time.Now().UTC()
	deadline := start.Add(time.Duration(*secs) * time.Second)
	var cycles, failures, locked int64
	var mu sync.Mutex
	firstFailure := ""
	var wg sync.WaitGroup
	for i, w := range ws {
		wg.Add(1)
		go func(i int, w writer) {
			defer wg.Done()
			k := i
			next := func() string { k++; return bases[k%len(bases)] }
			refused := func(code int, raw string) {
				if strings.Contains(raw, "locked") {
					atomic.AddInt64(&locked, 1)
				}
				atomic.AddInt64(&failures, 1)
				mu.Lock()
				if firstFailure == "" {
					firstFailure = fmt.Sprintf("%d %s", code, raw)
				}
				mu.Unlock()
			}
			for n := int64(1); time.Now().Before(deadline); n++ {
				version, code, raw := readVersion(next(), w)
				if code != http.StatusOK {
					refused(code, raw)
					continue
				}
				ok := true
				for _, s := range cycle(w, n, version) {
					code, _, raw := call(next(), s.method, s.path, s.tok, s.body)
					if code != http.StatusOK {
						ok = false
						refused(code, raw)
						break
					}
				}
				if ok {
					atomic.AddInt64(&cycles, 1)
				}
			}
		}(i, w)
	}
	wg.Wait()
	elapsed := time.Since(start)
	cpu := processCPU() - cpuBefore
	var stored int64
	db.Model(&models.ReportVersion{}).Where("status = ? AND reviewed_at > ? AND village_code <> ?", models.StatusApproved, start, spare.v.Code).Count(&stored)
	fmt.Printf("  %s: %d save+submit+approve cycles (%.0f cycles/s, %.0f writes/s), %d refused, %d \"database is locked\" answers\n",
		elapsed.Round(time.Millisecond), cycles, float64(cycles)/elapsed.Seconds(),
		3*float64(cycles)/elapsed.Seconds(), failures, locked)
	if cycles > 0 {
		// On a shared machine the throughput depends on the other work; the CPU this
		// process spent per cycle (client and server, SQLite included; not a
		// PostgreSQL server's) depends much less on it.
		fmt.Printf("  CPU time of this process: %s per cycle (%s in all)\n",
			(cpu / time.Duration(cycles)).Round(time.Microsecond), cpu.Round(time.Millisecond))
	}
	if firstFailure != "" {
		fmt.Printf("  first refusal: %.300s\n", firstFailure)
	}
	if stored != cycles {
		return fmt.Errorf("lost writes: %d approvals acknowledged, %d in the database", cycles, stored)
	}
	fmt.Printf("  every acknowledged approval is in the database (%d)\n", stored)
	if failures > 0 {
		return fmt.Errorf("%d requests were refused", failures)
	}
	return nil
}

// pageSaveSubmit opens a village's report page as its cadre and sends its form
// with 保存并提交, counting the statements of each request.
func pageSaveSubmit(client *http.Client, base, tok, code string, year int, dbs []*gorm.DB) (page, form models.StatementCount, err error) {
	path := fmt.Sprintf("%s/villages/%s/reports/%d", base, code, year)
	var body string
	var cookies []*http.Cookie
	page, err = countAll(dbs, func() {
		r, _ := http.NewRequest("GET", path, nil)
		r.AddCookie(&http.Cookie{Name: "cunji_token", Value: tok})
		res, rerr := client.Do(r)
		if rerr != nil {
			err = rerr
			return
		}
		defer res.Body.Close()
		raw, _ := io.ReadAll(res.Body)
		body, cookies = string(raw), res.Cookies()
		if res.StatusCode != http.StatusOK {
			err = fmt.Errorf("report page: %d", res.StatusCode)
		}
	})
	if err != nil {
		return
	}
	field := func(name string) string {
		m := regexp.MustCompile(`name="` + name + `"[^>]*value="([^"]*)"`).FindStringSubmatch(body)
		if m == nil {
			return ""
		}
		return html.UnescapeString(m[1])
	}
	vals := url.Values{"csrf": {field("csrf")}, "version": {field("version")}, "star_rating": {"0"},
		"business_wan": {"61.2345"}, "contract_wan": {"8.45"}, "note": {"压测（页面）"}, "action": {"submit"}}
	if vals.Get("csrf") == "" || vals.Get("version") == "" {
		return page, form, fmt.Errorf("report page: no form to save (is %s %d open for reporting?)", code, year)
	}
	form, err = countAll(dbs, func() {
		r, _ := http.NewRequest("POST", path, strings.NewReader(vals.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.AddCookie(&http.Cookie{Name: "cunji_token", Value: tok})
		for _, c := range cookies {
			r.AddCookie(c)
		}
		// The answer is a redirect to the report page, not followed.
		noFollow := *client
		noFollow.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		res, rerr := noFollow.Do(r)
		if rerr != nil {
			err = rerr
			return
		}
		defer res.Body.Close()
		if res.StatusCode != http.StatusSeeOther {
			raw, _ := io.ReadAll(res.Body)
			err = fmt.Errorf("page save+submit: %d %.300s", res.StatusCode, raw)
		}
	})
	return
}

// processCPU is the user and system CPU time this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// countAll counts the statements run on every one of dbs while f runs.
func countAll(dbs []*gorm.DB, f func()) (models.StatementCount, error) {
	if len(dbs) == 0 {
		f()
		return models.StatementCount{}, nil
	}
	var inner models.StatementCount
	var innerErr error
	outer, err := models.CountStatements(dbs[0], func() { inner, innerErr = countAll(dbs[1:], f) })
	if err == nil {
		err = innerErr
	}
	outer.Reads += inner.Reads
	outer.Writes += inner.Writes
	outer.SQL = append(outer.SQL, inner.SQL...)
	return outer, err
}
