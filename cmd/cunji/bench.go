package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"sort"
	"time"

	"cunji/models"

	"gorm.io/gorm"
)

// benchCmd runs `cunji bench rollup|http|writes …`: figures and ratios against a
// baseline measured in the same run.
func benchCmd(args []string) error {
	if len(args) == 0 {
		return errors.New("bench: rollup, http or writes")
	}
	switch args[0] {
	case "rollup":
		return benchRollup(args[1:])
	case "http":
		return benchHTTP(args[1:])
	case "writes":
		return benchWrites(args[1:])
	}
	return fmt.Errorf("bench: unknown %q", args[0])
}

// timeIt runs f n times and returns the median duration.
func timeIt(n int, f func() error) (time.Duration, error) {
	ds := make([]time.Duration, n)
	for i := range ds {
		start := time.Now()
		if err := f(); err != nil {
			return 0, err
		}
		ds[i] = time.Since(start)
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return ds[n/2], nil
}

// benchRollup times the roll-up of a scope (a district, a region prefix or all)
// against the hand-written SQL aggregate of the same figures, now and as of a past
// instant, and checks that they agree; then the same for the catalogue indicators
// of the scope's (first) district (benchIndicatorRollups).
func benchRollup(args []string) error {
	fs := flag.NewFlagSet("bench rollup", flag.ContinueOnError)
	dbPath := fs.String("db", defaultDB(), "database")
	scope := fs.String("scope", "", "district code, region prefix, or empty for all villages")
	year := fs.Int("year", 2025, "year")
	runs := fs.Int("runs", 9, "runs per measurement (the median is reported)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the roll-ups of now (counted, not kept) to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	db, err := openDB(*dbPath)
	if err != nil {
		return err
	}
	var villages int64
	if err := db.Model(&models.Village{}).Where("district_code LIKE ?", *scope+"%").Count(&villages).Error; err != nil {
		return err
	}
	a := &models.Actor{Role: models.RoleDistrict, DistrictCode: *scope, Name: "bench"}
	fmt.Printf("roll-up of %q (%d villages), year %d, %s\n", *scope, villages, *year, backendName(*dbPath))
	for _, c := range []struct {
		name string
		at   time.Time
	}{{"now", time.Now().UTC()}, {"as_of 2025-06-01", time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)}} {
		if err := compareRollup(db, a, *scope, *year, c.at); err != nil {
			return fmt.Errorf("%s: %w", c.name, err)
		}
		one, err := timeIt(*runs, func() error { _, err := models.BaselineRollup(db, *scope, *year, c.at, false); return err })
		if err != nil {
			return err
		}
		base, err := timeIt(*runs, func() error { _, err := models.BaselineRollup(db, *scope, *year, c.at, true); return err })
		if err != nil {
			return err
		}
		stopProfile := func() {}
		if c.name == "now" {
			if stopProfile, err = startCPUProfile(*cpuProfile); err != nil {
				return err
			}
		}
		ru, err := timeIt(*runs, func() error { _, err := models.ComputeRollup(db, a, "", *year, c.at); return err })
		stopProfile()
		if err != nil {
			return err
		}
		// Kept: the same answer asked again through the cache the server uses (the
		// roll-up of now at an unchanged data revision; a settled past instant).
		rc := models.NewRollupCache(16)
		ask := func() error { _, err := rc.Rollup(db, a, "", *year, c.at, c.name == "now"); return err }
		var askErr error
		coldN, err := models.CountStatements(db, func() { askErr = ask() })
		if err != nil || askErr != nil {
			return errors.Join(err, askErr)
		}
		warmN, err := models.CountStatements(db, func() { askErr = ask() })
		if err != nil || askErr != nil {
			return errors.Join(err, askErr)
		}
		kept, err := timeIt(*runs, ask)
		if err != nil {
			return err
		}
		fmt.Printf("  %-17s roll-up %9s (%d statements) | kept %9s (%d statements) | hand-written SQL, same figures %9s → %.2f×, kept %.4f× | the year alone %9s → %.2f×\n",
			c.name, ru.Round(time.Microsecond), coldN.Total(), kept.Round(time.Microsecond), warmN.Total(),
			base.Round(time.Microsecond), float64(ru)/float64(base), float64(kept)/float64(base),
			one.Round(time.Microsecond), float64(ru)/float64(one))
	}
	if len(*scope) != 6 {
		if err := benchDistrictNow(db, *scope, *year, *runs); err != nil {
			return err
		}
	}
	return benchIndicatorRollups(db, *scope, *year, *runs, time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC))
}

// benchDistrictNow times the first answer of now (counted, not kept) for one
// district of a wider scope, the one with the lowest code: what a district's staff
// wait for after any write.
func benchDistrictNow(db *gorm.DB, scope string, year, runs int) error {
	var district string
	if err := db.Model(&models.Village{}).Select("MIN(district_code)").Where("district_code LIKE ?", scope+"%").Scan(&district).Error; err != nil || district == "" {
		return err
	}
	var villages int64
	if err := db.Model(&models.Village{}).Where("district_code = ?", district).Count(&villages).Error; err != nil {
		return err
	}
	a := &models.Actor{Role: models.RoleDistrict, DistrictCode: district, Name: "bench"}
	at := time.Now().UTC()
	if err := compareRollup(db, a, district, year, at); err != nil {
		return fmt.Errorf("now, district %s: %w", district, err)
	}
	var askErr error
	n, err := models.CountStatements(db, func() { _, askErr = models.ComputeRollup(db, a, "", year, at) })
	if err != nil || askErr != nil {
		return errors.Join(err, askErr)
	}
	ru, err := timeIt(runs, func() error { _, err := models.ComputeRollup(db, a, "", year, at); return err })
	if err != nil {
		return err
	}
	fmt.Printf("  now, district %s (%d villages): roll-up %9s (%d statements)\n", district, villages, ru.Round(time.Microsecond), n.Total())
	return nil
}

// compareRollup checks the roll-up against the baseline.
func compareRollup(db *gorm.DB, a *models.Actor, scope string, year int, at time.Time) error {
	base, err := models.BaselineRollup(db, scope, year, at, false)
	if err != nil {
		return err
	}
	ru, err := models.ComputeRollup(db, a, "", year, at)
	if err != nil {
		return err
	}
	if got := ru.Totals(); got != *base {
		return fmt.Errorf("roll-up %+v differs from the hand-written aggregate %+v", got, *base)
	}
	return nil
}

func backendName(dsn string) string {
	if models.IsPostgres(dsn) {
		return "PostgreSQL"
	}
	return "SQLite"
}

// startCPUProfile writes a CPU profile of this process to path until the returned
// function is called; with no path it does nothing.
func startCPUProfile(path string) (func(), error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}
