package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// faultWriter saves its village's draft again and again through one instance. It
// remembers the last save acknowledged (200) and counts the answers; after a lost
// answer (the database committed, the answer never came) it reads the version back.
type faultWriter struct {
	village     string
	tok         string
	server      *server
	acked       int // the last version answered 200
	amount      int64
	next        int // the version to send
	oks         int
	unavailable int // 503 with Retry-After and the API's "unavailable" code
	bad         []string
}

func (w *faultWriter) run(stop <-chan struct{}, lastOK *atomic.Int64, wg *sync.WaitGroup) {
	defer wg.Done()
	client := &http.Client{Timeout: 10 * time.Second}
	url := "http://" + w.server.addr + "/api/v1/villages/" + w.village + "/reports/2027"
	for i := int64(1); ; i++ {
		select {
		case <-stop:
			return
		default:
		}
		body, _ := json.Marshal(map[string]any{"business_fen": 10_000 + i, "version": w.next})
		req, _ := http.NewRequest("PUT", url, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+w.tok)
		req.Header.Set("Content-Type", "application/json")
		res, err := client.Do(req)
		if err != nil {
			w.bad = append(w.bad, "transport: "+err.Error())
			time.Sleep(50 * time.Millisecond)
			continue
		}
		raw, _ := io.ReadAll(res.Body)
		res.Body.Close()
		var v struct {
			Version     int
			BusinessFen int64 `json:"business_fen"`
			Error       struct{ Code string }
		}
		json.Unmarshal(raw, &v)
		switch {
		case res.StatusCode == 200:
			w.acked, w.amount, w.next = v.Version, v.BusinessFen, v.Version
			w.oks++
			lastOK.Store(time.Now().UnixNano())
		case res.StatusCode == 503 && res.Header.Get("Retry-After") != "" && v.Error.Code == "unavailable":
			w.unavailable++
			time.Sleep(100 * time.Millisecond)
		case res.StatusCode == 409:
			// A save committed whose answer was lost: carry on from the stored version.
			if open := w.read(client); open != nil {
				w.next = open.Version
			}
		default:
			w.bad = append(w.bad, fmt.Sprintf("%d %s", res.StatusCode, raw))
		}
	}
}

func (w *faultWriter) read(client *http.Client) *openVersion {
	open, err := openDraft(client, w.server.addr, w.tok, w.village)
	if err != nil {
		return nil
	}
	return open
}

// freeVillages are n villages with no open 2027 report in a demo database.
func freeVillages(t *testing.T, dsn string, n int) []string {
	t.Helper()
	db, err := gorm.Open(postgres.Open(dsn), &gorm.Config{Logger: logger.Default.LogMode(logger.Silent)})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if s, err := db.DB(); err == nil {
			s.Close()
		}
	}()
	var codes []string
	if err := db.Raw(`SELECT code FROM villages WHERE active_until IS NULL AND code NOT IN
		(SELECT village_code FROM report_versions WHERE year = 2027) ORDER BY code LIMIT ?`, n).Scan(&codes).Error; err != nil {
		t.Fatal(err)
	}
	if len(codes) < n {
		t.Fatalf("only %d free villages", len(codes))
	}
	return codes
}

// TestTwoInstancesSurvivePostgresRestart: two instances serve 32 writers on a
// private PostgreSQL, which is stopped at once (as a crash) and started again.
// Every acknowledged save is there afterwards; during the outage the API answers
// 503 with Retry-After and pages a Chinese 503 page, never a 500 or SQL; both
// instances serve again within 5 s of the database's return, by themselves.
func TestTwoInstancesSurvivePostgresRestart(t *testing.T) {
	pg := startPrivatePG(t)
	bin := buildBinary(t)
	files := t.TempDir()
	servers := make([]*server, 2)
	var wg sync.WaitGroup
	for i := range servers {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			servers[i] = startDemo(t, bin, "--db", pg.URL(), "--files", files, "--request-timeout", "3s")
		}(i)
	}
	wg.Wait()
	villages := freeVillages(t, pg.URL(), 32)
	writers := make([]*faultWriter, len(villages))
	for i, v := range villages {
		s := servers[i%2]
		code, tok := login(t, s.addr, "village-"+v, "cunji-demo")
		if code != 200 {
			t.Fatalf("login %s: %d\n%s", v, code, s.log)
		}
		writers[i] = &faultWriter{village: v, tok: tok, server: s}
	}
	_, districtTok := login(t, servers[0].addr, "district", "cunji-demo")

	lastOK := []*atomic.Int64{{}, {}}
	stop := make(chan struct{})
	wg = sync.WaitGroup{}
	for i, w := range writers {
		wg.Add(1)
		go w.run(stop, lastOK[i%2], &wg)
	}
	time.Sleep(1500 * time.Millisecond)

	pg.stop()
	down := time.Now()
	// During the outage: a page answers a Chinese 503 page with Retry-After.
	for i, s := range servers {
		req, _ := http.NewRequest("GET", "http://"+s.addr+"/villages", nil)
		req.AddCookie(&http.Cookie{Name: "cunji_token", Value: districtTok})
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(res.Body)
		res.Body.Close()
		html := string(page)
		if res.StatusCode != 503 || res.Header.Get("Retry-After") == "" || !strings.Contains(html, "数据库暂时无法访问") ||
			!strings.Contains(html, res.Header.Get("X-Request-ID")) {
			t.Errorf("instance %d, page during the outage: %d, Retry-After %q\n%s", i, res.StatusCode, res.Header.Get("Retry-After"), html)
		}
		for _, leak := range []string{"SQL", "dial", "pgconn", "connect:", "127.0.0.1:" + pg.port} {
			if strings.Contains(html, leak) {
				t.Errorf("the outage page shows %q", leak)
			}
		}
		if res, err := http.Get("http://" + s.addr + "/readyz"); err != nil || res.StatusCode != 503 {
			t.Errorf("instance %d ready during the outage: %v %v", i, res, err)
		}
	}
	time.Sleep(time.Until(down.Add(2 * time.Second)))

	pg.start()
	back := time.Now()
	took, ok := waitFor(10*time.Second, func() bool {
		return lastOK[0].Load() > back.UnixNano() && lastOK[1].Load() > back.UnixNano()
	})
	if !ok {
		t.Errorf("the instances did not serve saves again within 10 s of the database's return")
	}
	for i, s := range servers {
		if res, err := http.Get("http://" + s.addr + "/readyz"); err != nil || res.StatusCode != 200 {
			t.Errorf("instance %d not ready after the database's return: %v %v", i, res, err)
		}
	}
	time.Sleep(time.Second)
	close(stop)
	wg.Wait()

	// Every acknowledged save is in the database.
	acked, unavailable, oks := 0, 0, 0
	client := &http.Client{Timeout: 10 * time.Second}
	for _, w := range writers {
		for _, b := range w.bad {
			t.Errorf("%s: %s", w.village, b)
			break
		}
		unavailable += w.unavailable
		oks += w.oks
		if w.acked == 0 {
			continue
		}
		acked++
		open := w.read(client)
		switch {
		case open == nil || open.Version < w.acked:
			t.Errorf("%s: version %d was acknowledged, the database has %+v", w.village, w.acked, open)
		case open.Version == w.acked && open.BusinessFen != w.amount:
			t.Errorf("%s: version %d acknowledged with %d, stored with %d", w.village, w.acked, w.amount, open.BusinessFen)
		}
	}
	if unavailable == 0 {
		t.Errorf("no writer saw a 503 during the outage")
	}
	t.Logf("%d writers, %d saves acknowledged (all found afterwards, %d villages checked), %d answers 503 during the outage; both instances saved again %v after PostgreSQL's return",
		len(writers), oks, acked, unavailable, took.Round(time.Millisecond))
	if took > 5*time.Second {
		t.Errorf("recovery took %v, more than 5 s", took)
	}
	if t.Failed() {
		t.Logf("instance 0:\n%s", tail(servers[0].log.String(), 3000))
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
