package handlers

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"cunji/models"
	"cunji/seeds"
	"cunji/views"
)

// TestLoad is a bounded load test on loopback: 64 clients for a few seconds mixing
// page views, roll-ups, saves, submissions and approvals over the demo district.
// Afterwards: no 5xx, every acknowledged approval stored once, never two open
// versions, and the roll-up equal to a recount.
func TestLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	db := models.OpenTest(t)
	if err := seeds.Structure(db); err != nil {
		t.Fatal(err)
	}
	if err := seeds.Demo(db, time.Now().UTC()); err != nil {
		t.Fatal(err)
	}
	v, _ := views.Load()
	h := &Handler{DB: db, Secret: []byte("load-secret-0123456789-0123456789-0123"), Views: v, FilesDir: t.TempDir(), Log: slog.New(slog.DiscardHandler)}
	srv := httptest.NewServer(h.Echo())
	defer srv.Close()
	token := func(username string) string {
		var u models.User
		if err := db.Where("username = ?", username).Take(&u).Error; err != nil {
			t.Fatal(err)
		}
		tok, _, err := h.IssueToken(&u)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	var villages []models.Village
	db.Where("active_until IS NULL").Order("code").Limit(64).Find(&villages)
	district := token("district")
	const clients = 64
	duration := 3 * time.Second
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}, Timeout: 30 * time.Second}
	var server5xx, requests int64
	approved := make([]int64, clients)
	do := func(method, path, tok string, cookie bool, body any) (int, map[string]any) {
		var rd io.Reader
		if body != nil {
			b, _ := json.Marshal(body)
			rd = bytes.NewReader(b)
		}
		req, _ := http.NewRequest(method, srv.URL+path, rd)
		if cookie {
			req.AddCookie(&http.Cookie{Name: tokenCookie, Value: tok})
		} else {
			req.Header.Set("Authorization", "Bearer "+tok)
			req.Header.Set("Content-Type", "application/json")
		}
		res, err := client.Do(req)
		atomic.AddInt64(&requests, 1)
		if err != nil {
			atomic.AddInt64(&server5xx, 1)
			return 0, nil
		}
		defer res.Body.Close()
		raw, _ := io.ReadAll(res.Body)
		if res.StatusCode >= 500 {
			atomic.AddInt64(&server5xx, 1)
			t.Logf("%s %s: %d %s", method, path, res.StatusCode, raw)
		}
		var out map[string]any
		json.Unmarshal(raw, &out)
		return res.StatusCode, out
	}
	deadline := time.Now().Add(duration)
	var wg sync.WaitGroup
	for i := 0; i < clients; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			v := villages[i%len(villages)]
			cadre, officer := token("village-"+v.Code), token("street-"+v.StreetCode)
			report := fmt.Sprintf("/api/v1/villages/%s/reports/2027", v.Code)
			// At least one whole cycle per client, however slow the machine: the test
			// must not depend on how much a loaded machine does in the window.
			for n := 0; n < 5 || time.Now().Before(deadline); n++ {
				switch n % 5 {
				case 0:
					do("GET", "/villages/"+v.Code+"/reports/2027", cadre, true, nil)
				case 1:
					do("GET", "/rollup?year=2027", district, true, nil)
				case 2:
					do("GET", "/api/v1/rollup?year=2027&street="+v.StreetCode, officer, false, nil)
				case 3:
					_, rep := do("GET", report, cadre, false, nil)
					version := 0
					if open, ok := rep["open"].(map[string]any); ok {
						version = int(open["version"].(float64))
					}
					if code, _ := do("PUT", report, cadre, false, map[string]any{"business_fen": 40_000_000 + n, "version": version}); code == 200 {
						do("POST", report+"/submit", cadre, false, nil)
					}
				case 4:
					if code, _ := do("POST", report+"/approve", officer, false, nil); code == 200 {
						approved[i]++
					}
				}
			}
		}(i)
	}
	wg.Wait()
	if server5xx > 0 {
		t.Fatalf("%d answers of 5xx or broken connections in %d requests", server5xx, requests)
	}
	var acked int64
	for _, n := range approved {
		acked += n
	}
	var stored int64
	db.Model(&models.ReportVersion{}).Where("year = 2027 AND status = ?", models.StatusApproved).Count(&stored)
	if stored != acked || acked == 0 {
		t.Fatalf("%d approvals acknowledged, %d stored", acked, stored)
	}
	var dupOpen, dupSeq int64
	db.Raw(`SELECT COUNT(*) FROM (SELECT village_code FROM report_versions WHERE status IN ('draft','submitted')
		GROUP BY village_code, year HAVING COUNT(*) > 1) d`).Row().Scan(&dupOpen)
	db.Raw(`SELECT COUNT(*) FROM (SELECT village_code FROM report_versions GROUP BY village_code, year, seq HAVING COUNT(*) > 1) d`).Row().Scan(&dupSeq)
	if dupOpen != 0 || dupSeq != 0 {
		t.Fatalf("%d village-years with two open versions, %d duplicated sequence numbers", dupOpen, dupSeq)
	}
	a := &models.Actor{Role: models.RoleDistrict, DistrictCode: seeds.DistrictCode}
	ru, err := models.ComputeRollup(db, a, "", 2027, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	base, err := models.BaselineRollup(db, seeds.DistrictCode, 2027, time.Now(), false)
	if err != nil {
		t.Fatal(err)
	}
	if ru.Totals() != *base {
		t.Fatalf("after the load the roll-up %+v differs from the recount %+v", ru.Totals(), *base)
	}
	t.Logf("%s: %d requests in %v by %d clients, %d approvals, roll-up equals the recount", models.TestBackend(), requests, duration, clients, acked)
}
