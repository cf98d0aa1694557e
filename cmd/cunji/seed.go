package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"cunji/seeds"
)

// seedCmd runs `cunji seed --synthetic N --seed S [--indicators K] --db TARGET` on an
// empty database.
func seedCmd(args []string) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	dbPath := fs.String("db", defaultDB(), "SQLite database file or postgres:// URL (must be empty)")
	n := fs.Int("synthetic", 0, "number of synthetic villages")
	seed := fs.Uint64("seed", 1, "random seed: the same seed gives the same data")
	indicators := fs.Int("indicators", 0, "indicators in each district's catalogue, with values of one year (e.g. 20 for `cunji bench rollup`)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *n <= 0 {
		return errors.New("seed: give --synthetic N (villages)")
	}
	db, err := openDB(*dbPath)
	if err != nil {
		return err
	}
	empty, err := seeds.IsEmpty(db)
	if err != nil {
		return err
	}
	if !empty {
		return errors.New("seed: the database is not empty")
	}
	start := time.Now()
	st, err := seeds.SyntheticWith(db, *n, *seed, seeds.SyntheticOptions{Indicators: *indicators}, func(done, total int) {
		fmt.Fprintf(os.Stderr, "\r%d / %d villages (%s)", done, total, time.Since(start).Round(time.Second))
	})
	fmt.Fprintln(os.Stderr)
	if err != nil {
		return err
	}
	fmt.Printf("%d districts, %d streets, %d villages, %d report versions, %d companies, %d workshops in %s\n",
		st.Districts, st.Streets, st.Villages, st.Versions, st.Companies, st.Workshops, time.Since(start).Round(time.Millisecond))
	if st.Indicators > 0 {
		fmt.Printf("%d indicators (%d per district), %d indicator value versions of %d\n", st.Indicators, *indicators, st.IndicatorValues, seeds.SyntheticIndicatorYear)
	}
	fmt.Printf("accounts: district-<code> for every district; street-/village- accounts of the first district; password %s\n", seeds.SyntheticPassword)
	return nil
}
