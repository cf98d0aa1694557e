package main

import (
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"cunji/models"

	"gorm.io/gorm"
)

// benchIndicatorRollups times the roll-ups of a district's catalogue indicators
// (all of them, once each, per measurement): the roll-up of now from the maintained
// cells, first answer and kept, and the roll-up as of a past instant from the
// history, each against the hand-written SQL aggregate of the same figures
// (BaselineIndicatorRollup), after checking that the roll-up of now equals its
// recount from the history and that both roll-ups equal the hand-written figures.
// The district is scope when it names one, else the first in scope with indicators.
func benchIndicatorRollups(db *gorm.DB, scope string, year, runs int, asOf time.Time) error {
	district := scope
	if len(scope) != 6 {
		var first *string
		if err := db.Raw("SELECT MIN(district_code) FROM indicators WHERE district_code LIKE ?", scope+"%").Scan(&first).Error; err != nil {
			return err
		}
		if first == nil {
			fmt.Println("catalogue indicators: none in this database (seed with `cunji seed --synthetic N --indicators 20`)")
			return nil
		}
		district = *first
	}
	a := &models.Actor{Role: models.RoleDistrict, DistrictCode: district, Name: "bench"}
	list, err := models.ListIndicators(db, a, year)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		fmt.Printf("catalogue indicators: none of %s applies in %d\n", district, year)
		return nil
	}
	var villages int64
	if err := db.Model(&models.Village{}).Where("district_code = ?", district).Count(&villages).Error; err != nil {
		return err
	}
	k := len(list)
	fmt.Printf("catalogue indicators of %s (%d villages, %d indicators), year %d: times per indicator, the mean over all %d\n",
		district, villages, k, year, k)
	now := time.Now().UTC()
	// Agreement first: the roll-up of now (cells) with its recount (history) and the
	// hand-written figures; the roll-up as of the past instant with the hand-written.
	for _, d := range list {
		ru, err := models.ComputeIndicatorRollup(db, a, d.Code, year, "", now)
		if err != nil {
			return fmt.Errorf("%s now: %w", d.Code, err)
		}
		rec, err := models.RecountIndicatorRollup(db, a, d.Code, year, "", now)
		if err != nil {
			return err
		}
		if x, y := jsonOf(ru), jsonOf(rec); x != y {
			return fmt.Errorf("%s: the roll-up of now differs from its recount from the history:\n%s\n%s", d.Code, x, y)
		}
		for _, at := range []time.Time{now, asOf} {
			if at.Equal(asOf) {
				if ru, err = models.ComputeIndicatorRollup(db, a, d.Code, year, "", at); err != nil {
					return fmt.Errorf("%s as of %s: %w", d.Code, at.Format(time.DateOnly), err)
				}
			}
			base, err := models.BaselineIndicatorRollup(db, d.ID, district, year, at)
			if err != nil {
				return err
			}
			if got := ru.Totals(); got != *base {
				return fmt.Errorf("%s at %s: roll-up %+v differs from the hand-written aggregate %+v", d.Code, at, got, *base)
			}
		}
	}
	all := func(f func(d *models.Indicator) error) func() error {
		return func() error {
			for i := range list {
				if err := f(&list[i]); err != nil {
					return err
				}
			}
			return nil
		}
	}
	per := func(d time.Duration) time.Duration { return (d / time.Duration(k)).Round(time.Microsecond) }
	statements := func(f func() error) (int, error) {
		var ferr error
		n, err := models.CountStatements(db, func() { ferr = f() })
		if err != nil || ferr != nil {
			return 0, fmt.Errorf("%v %v", err, ferr)
		}
		return n.Total(), nil
	}
	for _, c := range []struct {
		name string
		at   time.Time
		now  bool
	}{{"now", now, true}, {"as_of " + asOf.Format(time.DateOnly), asOf, false}} {
		first := list[0].Code
		one := func() error { _, err := models.ComputeIndicatorRollup(db, a, first, year, "", c.at); return err }
		n, err := statements(one)
		if err != nil {
			return err
		}
		// The roll-up and the hand-written SQL of each indicator one after the other,
		// so that both meet the same load on a shared machine: the ratio is the
		// median of the runs' ratios.
		ru, base, ratio, err := timePair(runs, list,
			func(d *models.Indicator) error {
				_, err := models.ComputeIndicatorRollup(db, a, d.Code, year, "", c.at)
				return err
			},
			func(d *models.Indicator) error {
				_, err := models.BaselineIndicatorRollup(db, d.ID, district, year, c.at)
				return err
			})
		if err != nil {
			return err
		}
		// Kept: the same answers asked again through the cache the server uses.
		rc := models.NewRollupCache(4 * k)
		ask := all(func(d *models.Indicator) error {
			_, err := rc.IndicatorRollup(db, a, d.Code, year, "", c.at, c.now)
			return err
		})
		if err := ask(); err != nil {
			return err
		}
		keptN, err := statements(func() error { _, err := rc.IndicatorRollup(db, a, first, year, "", c.at, c.now); return err })
		if err != nil {
			return err
		}
		kept, err := timeIt(runs, ask)
		if err != nil {
			return err
		}
		line := fmt.Sprintf("  %-17s roll-up %9s (%d statements) | kept %9s (%d statements) | hand-written SQL, same figures %9s → %.2f×, kept %.4f×",
			c.name, per(ru), n, per(kept), keptN, per(base), ratio, float64(kept)/float64(base))
		if c.now {
			rec, err := timeIt(runs, all(func(d *models.Indicator) error {
				_, err := models.RecountIndicatorRollup(db, a, d.Code, year, "", c.at)
				return err
			}))
			if err != nil {
				return err
			}
			line += fmt.Sprintf(" | recount from the history %9s", per(rec))
		} else {
			line += " (goal ≤ 2×)"
		}
		fmt.Println(line)
	}
	return nil
}

// timePair runs f and g on each indicator in turn, runs times, and returns the
// median of the runs' totals of each and the median of the runs' ratios f / g.
func timePair(runs int, list []models.Indicator, f, g func(d *models.Indicator) error) (time.Duration, time.Duration, float64, error) {
	fs, gs, rs := make([]time.Duration, runs), make([]time.Duration, runs), make([]float64, runs)
	for r := range runs {
		for i := range list {
			start := time.Now()
			if err := f(&list[i]); err != nil {
				return 0, 0, 0, err
			}
			mid := time.Now()
			if err := g(&list[i]); err != nil {
				return 0, 0, 0, err
			}
			fs[r] += mid.Sub(start)
			gs[r] += time.Since(mid)
		}
		rs[r] = float64(fs[r]) / float64(gs[r])
	}
	sort.Slice(fs, func(i, j int) bool { return fs[i] < fs[j] })
	sort.Slice(gs, func(i, j int) bool { return gs[i] < gs[j] })
	sort.Float64s(rs)
	return fs[runs/2], gs[runs/2], rs[runs/2], nil
}

func jsonOf(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return err.Error()
	}
	return string(b)
}
