package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"cunji/handlers"
	"cunji/models"
	"cunji/seeds"
	"cunji/views"

	"gorm.io/gorm"
)

// benchServer serves the database in this process on a loopback port.
func benchServer(dbPath string) (*gorm.DB, string, func(), error) {
	db, err := openDB(dbPath)
	if err != nil {
		return nil, "", nil, err
	}
	v, err := views.Load()
	if err != nil {
		return nil, "", nil, err
	}
	h := &handlers.Handler{DB: db, Secret: []byte("bench-secret-0123456789-0123456789-0123"), Views: v, FilesDir: os.TempDir()}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", nil, err
	}
	srv := &http.Server{Handler: h.Echo()}
	go srv.Serve(l)
	return db, "http://" + l.Addr().String(), func() { srv.Close() }, nil
}

// countRequest makes one request and counts the statements the server ran for it.
func countRequest(db *gorm.DB, req func() (*http.Request, error)) (models.StatementCount, error) {
	var reqErr error
	n, err := models.CountStatements(db, func() {
		r, err := req()
		if err != nil {
			reqErr = err
			return
		}
		res, err := http.DefaultClient.Do(r)
		if err != nil {
			reqErr = err
			return
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			reqErr = fmt.Errorf("status %d", res.StatusCode)
		}
	})
	if err == nil {
		err = reqErr
	}
	return n, err
}

func apiLogin(base, user, password string) (string, error) {
	body, _ := json.Marshal(map[string]string{"username": user, "password": password})
	res, err := http.Post(base+"/api/v1/auth/login", "application/json", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	var out struct{ Token string }
	json.NewDecoder(res.Body).Decode(&out)
	if res.StatusCode != 200 {
		return "", fmt.Errorf("login %s: %d", user, res.StatusCode)
	}
	return out.Token, nil
}

// benchTransport is an HTTP client's transport with enough idle connections for
// every worker (bench writes).
var benchTransport = &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256}

// loadRun is what one or more loads of one request measured.
type loadRun struct {
	n   int
	d   time.Duration
	lat []time.Duration
	bad int64
}

func (r *loadRun) add(o loadRun) {
	r.n, r.d, r.bad = r.n+o.n, r.d+o.d, r.bad+o.bad
	r.lat = append(r.lat, o.lat...)
}

func (r *loadRun) rps() float64 { return float64(r.n) / r.d.Seconds() }

// percentile is the latency below which q of the requests completed.
func (r *loadRun) percentile(q float64) time.Duration {
	if len(r.lat) == 0 {
		return 0
	}
	sort.Slice(r.lat, func(i, j int) bool { return r.lat[i] < r.lat[j] })
	return r.lat[int(float64(len(r.lat)-1)*q)]
}

// load runs clients concurrently against one request for a while; a non-2xx
// answer counts as bad. Each client is one goroutine on its own connection, which
// writes the request's bytes (serialised once) and reads the answer with
// net/http's parser: the clients share the machine with the server, so they cost
// as little as they can (net/http's client spends two more goroutines and their
// hand-offs per request, about as much CPU as the trivial endpoint's server side).
func load(clients int, d time.Duration, req func() (*http.Request, error)) (loadRun, error) {
	r, err := req()
	if err != nil {
		return loadRun{}, err
	}
	var raw bytes.Buffer
	if err := r.Write(&raw); err != nil {
		return loadRun{}, err
	}
	msg := raw.Bytes()
	var mu sync.Mutex
	var lat []time.Duration
	var bad int64
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for i := 0; i < clients; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			var conn net.Conn
			var br *bufio.Reader
			for time.Now().Before(deadline) {
				if conn == nil {
					c, err := net.Dial("tcp", r.URL.Host)
					if err != nil {
						atomic.AddInt64(&bad, 1)
						time.Sleep(time.Millisecond)
						continue
					}
					conn, br = c, bufio.NewReader(c)
				}
				start := time.Now()
				res, err := roundTrip(conn, br, msg)
				if err != nil {
					atomic.AddInt64(&bad, 1)
					conn.Close()
					conn = nil
					continue
				}
				mine = append(mine, time.Since(start))
				if res.StatusCode >= 300 {
					atomic.AddInt64(&bad, 1)
				}
				if res.Close {
					conn.Close()
					conn = nil
				}
			}
			if conn != nil {
				conn.Close()
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	if len(lat) == 0 {
		return loadRun{}, errors.New("no request completed")
	}
	return loadRun{n: len(lat), d: d, lat: lat, bad: bad}, nil
}

// roundTrip writes one request and reads its answer to the end.
func roundTrip(conn net.Conn, br *bufio.Reader, msg []byte) (*http.Response, error) {
	if _, err := conn.Write(msg); err != nil {
		return nil, err
	}
	res, err := http.ReadResponse(br, nil)
	if err != nil {
		return nil, err
	}
	_, err = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res, err
}

// interleaved loads the trivial request and another in alternate one-second
// slices, so that both meet the same machine: on a shared machine whose load
// changes from one second to the next, their ratio is then measured under the
// same conditions.
func interleaved(clients, secs int, trivial, req func() (*http.Request, error)) (loadRun, loadRun, error) {
	var t, e loadRun
	for range secs {
		r, err := load(clients, time.Second, trivial)
		if err != nil {
			return t, e, err
		}
		t.add(r)
		if r, err = load(clients, time.Second, req); err != nil {
			return t, e, err
		}
		e.add(r)
	}
	return t, e, nil
}

// rssKB is this process's resident memory, from /proc.
func rssKB() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "unknown"
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmRSS:") {
			return strings.TrimSpace(strings.TrimPrefix(l, "VmRSS:"))
		}
	}
	return "unknown"
}

// seededPassword is the accounts' password of demo or synthetic data: the demo has
// an account named "district", the synthetic data "district-<code>" ones.
func seededPassword(db *gorm.DB) string {
	var n int64
	db.Model(&models.User{}).Where("username = ?", "district").Count(&n)
	if n > 0 {
		return seeds.DemoPassword
	}
	return seeds.SyntheticPassword
}

// benchHTTP measures the district roll-up and the village report page under
// concurrent loopback clients, against a trivial endpoint of the same server
// measured in alternate seconds (interleaved).
func benchHTTP(args []string) error {
	fs := flag.NewFlagSet("bench http", flag.ContinueOnError)
	dbPath := fs.String("db", defaultDB(), "database (demo or synthetic)")
	clients := fs.Int("clients", 64, "concurrent clients")
	secs := fs.Int("seconds", 10, "seconds per endpoint (and as many of the trivial one, interleaved)")
	district := fs.String("district-user", "", "district account (default: district, or district-<first> of synthetic data)")
	village := fs.String("village-user", "", "village account (default: the first village's)")
	password := fs.String("password", "", "their password (default: the demo's or the synthetic data's)")
	year := fs.Int("year", 2025, "year")
	only := fs.String("only", "", "measure only the endpoints whose name holds this (and the trivial one)")
	profile := fs.String("cpuprofile", "", "write a CPU profile of the loads (server and clients: one process) to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	db, base, stop, err := benchServer(*dbPath)
	if err != nil {
		return err
	}
	defer stop()
	var first models.Village
	if err := db.Order("code").Take(&first).Error; err != nil {
		return err
	}
	var villages int64
	db.Model(&models.Village{}).Count(&villages)
	if *password == "" {
		*password = seededPassword(db)
	}
	if *district == "" {
		*district = "district"
		if *password == seeds.SyntheticPassword {
			*district = "district-" + first.DistrictCode
		}
	}
	if *village == "" {
		*village = "village-" + first.Code
	}
	dTok, err := apiLogin(base, *district, *password)
	if err != nil {
		return err
	}
	vTok, err := apiLogin(base, *village, *password)
	if err != nil {
		return err
	}
	settled := time.Now().Add(-models.RollupSettle - time.Hour).UTC().Format(time.RFC3339)
	// A page request carries the browser's id cookie (its CSRF tokens are made
	// from it), as a browser does once it has loaded a page.
	browser := &http.Cookie{Name: "cunji_csrf", Value: strings.Repeat("b", 43)}
	fmt.Printf("HTTP, %d loopback clients, %ds each, database of %d villages (%s), RSS after start %s\n",
		*clients, *secs, villages, backendName(*dbPath), rssKB())
	endpoints := []struct {
		name string
		req  func() (*http.Request, error)
	}{
		{"trivial GET /healthz", func() (*http.Request, error) { return http.NewRequest("GET", base+"/healthz", nil) }},
		{"district roll-up (API)", func() (*http.Request, error) {
			r, err := http.NewRequest("GET", fmt.Sprintf("%s/api/v1/rollup?year=%d", base, *year), nil)
			if err == nil {
				r.Header.Set("Authorization", "Bearer "+dTok)
			}
			return r, err
		}},
		{"district roll-up page", func() (*http.Request, error) {
			r, err := http.NewRequest("GET", fmt.Sprintf("%s/rollup?year=%d", base, *year), nil)
			if err == nil {
				r.AddCookie(&http.Cookie{Name: "cunji_token", Value: dTok})
				r.AddCookie(browser)
			}
			return r, err
		}},
		{"district roll-up, past as_of", func() (*http.Request, error) {
			r, err := http.NewRequest("GET", fmt.Sprintf("%s/api/v1/rollup?year=%d&as_of=%s", base, *year, settled), nil)
			if err == nil {
				r.Header.Set("Authorization", "Bearer "+dTok)
			}
			return r, err
		}},
		{"village report page", func() (*http.Request, error) {
			r, err := http.NewRequest("GET", fmt.Sprintf("%s/villages/%s/reports/%d", base, first.Code, *year), nil)
			if err == nil {
				r.AddCookie(&http.Cookie{Name: "cunji_token", Value: vTok})
				r.AddCookie(browser)
			}
			return r, err
		}},
	}
	stopProfile, err := startCPUProfile(*profile)
	if err != nil {
		return err
	}
	defer stopProfile()
	// The trivial endpoint alone first, with fewer clients too: when 64 clients
	// get no more than a few, the machine (the server and these clients share its
	// cores) is the limit, not the clients' number.
	trivial := endpoints[0]
	fmt.Printf("  %-30s", "trivial, by clients")
	for _, n := range []int{1, 8, *clients} {
		r, err := load(n, 2*time.Second, trivial.req)
		if err != nil {
			return err
		}
		fmt.Printf("  %d: %.0f req/s", n, r.rps())
	}
	fmt.Println()
	for i, e := range endpoints {
		if i == 0 || !strings.Contains(e.name, *only) {
			continue
		}
		// One request alone first, its statements counted (the first answer of a
		// roll-up is counted; the load then reads the one kept).
		cold, err := countRequest(db, e.req)
		if err != nil {
			return fmt.Errorf("%s: %w", e.name, err)
		}
		warm, err := countRequest(db, e.req)
		if err != nil {
			return fmt.Errorf("%s: %w", e.name, err)
		}
		t, r, err := interleaved(*clients, *secs, trivial.req, e.req)
		if err != nil {
			return err
		}
		fmt.Printf("  %-30s %8.0f req/s (%.3f of trivial's %.0f meanwhile)  p50 %9s  p99 %9s  errors %d  statements %d first, %d again\n",
			e.name, r.rps(), r.rps()/t.rps(), t.rps(), r.percentile(0.5).Round(time.Microsecond), r.percentile(0.99).Round(time.Microsecond),
			r.bad+t.bad, cold.Total(), warm.Total())
	}
	fmt.Printf("  resident memory of the server process after the load: %s\n", rssKB())
	return nil
}
