package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"cunji/models"
)

// benchWrites runs concurrent writers, each walking its own village's report through
// save, submit and approve over HTTP, and checks that every acknowledged approval is
// in the database and that no "database is locked" reached a user.
func benchWrites(args []string) error {
	fs := flag.NewFlagSet("bench writes", flag.ContinueOnError)
	dbPath := fs.String("db", defaultDB(), "database (demo or synthetic)")
	writers := fs.Int("writers", 32, "concurrent writers")
	secs := fs.Int("seconds", 10, "seconds")
	password := fs.String("password", "", "the accounts' password (default: the demo's or the synthetic data's)")
	year := fs.Int("year", 2025, "year")
	if err := fs.Parse(args); err != nil {
		return err
	}
	db, base, stop, err := benchServer(*dbPath)
	if err != nil {
		return err
	}
	defer stop()
	var villages []models.Village
	if err := db.Where("code IN (?)", db.Model(&models.User{}).Select("village_code").Where("role = ?", models.RoleVillage)).
		Order("code").Limit(*writers).Find(&villages).Error; err != nil {
		return err
	}
	if len(villages) < *writers {
		return fmt.Errorf("only %d villages have accounts", len(villages))
	}
	if *password == "" {
		*password = seededPassword(db)
	}
	client := &http.Client{Transport: benchTransport, Timeout: 60 * time.Second}
	call := func(method, path, tok string, body any) (int, map[string]any, string) {
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
	start := time.Now().UTC()
	deadline := start.Add(time.Duration(*secs) * time.Second)
	var cycles, failures, locked int64
	var wg sync.WaitGroup
	for _, v := range villages {
		vTok, err := apiLogin(base, "village-"+v.Code, *password)
		if err != nil {
			return err
		}
		sTok, err := apiLogin(base, "street-"+v.StreetCode, *password)
		if err != nil {
			return err
		}
		wg.Add(1)
		go func(v models.Village) {
			defer wg.Done()
			path := fmt.Sprintf("/api/v1/villages/%s/reports/%d", v.Code, *year)
			for n := int64(1); time.Now().Before(deadline); n++ {
				version := 0
				if code, rep, _ := call("GET", path, vTok, nil); code == 200 && rep["open"] != nil {
					version = int(rep["open"].(map[string]any)["version"].(float64))
				}
				steps := []struct {
					method, path, tok string
					body              any
				}{
					{"PUT", path, vTok, map[string]any{"business_fen": 50_000_000 + n, "version": version, "note": "压测"}},
					{"POST", path + "/submit", vTok, nil},
					{"POST", path + "/approve", sTok, nil},
				}
				ok := true
				for _, s := range steps {
					code, _, raw := call(s.method, s.path, s.tok, s.body)
					if strings.Contains(raw, "locked") {
						atomic.AddInt64(&locked, 1)
					}
					if code != 200 {
						ok = false
						atomic.AddInt64(&failures, 1)
						break
					}
				}
				if ok {
					atomic.AddInt64(&cycles, 1)
				}
			}
		}(v)
	}
	wg.Wait()
	elapsed := time.Since(start)
	var stored int64
	db.Model(&models.ReportVersion{}).Where("status = ? AND reviewed_at > ?", models.StatusApproved, start).Count(&stored)
	fmt.Printf("writes, %d concurrent writers, %s, %s: %d save+submit+approve cycles (%.0f cycles/s, %.0f writes/s), %d refused, %d \"database is locked\" answers\n",
		*writers, elapsed.Round(time.Millisecond), backendName(*dbPath), cycles, float64(cycles)/elapsed.Seconds(),
		3*float64(cycles)/elapsed.Seconds(), failures, locked)
	if stored != cycles {
		return fmt.Errorf("lost writes: %d approvals acknowledged, %d in the database", cycles, stored)
	}
	fmt.Printf("  every acknowledged approval is in the database (%d)\n", stored)
	return nil
}
