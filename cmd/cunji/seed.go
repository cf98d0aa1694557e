package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"cunji/seeds"
)

// seedCmd runs `cunji seed --synthetic N --seed S --db TARGET` on an empty database.
func seedCmd(args []string) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	dbPath := fs.String("db", defaultDB(), "SQLite database file or postgres:// URL (must be empty)")
	n := fs.Int("synthetic", 0, "number of synthetic villages")
	seed := fs.Uint64("seed", 1, "random seed: the same seed gives the same data")
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
	st, err := seeds.Synthetic(db, *n, *seed, func(done, total int) {
		fmt.Fprintf(os.Stderr, "\r%d / %d villages (%s)", done, total, time.Since(start).Round(time.Second))
	})
	fmt.Fprintln(os.Stderr)
	if err != nil {
		return err
	}
	fmt.Printf("%d districts, %d streets, %d villages, %d report versions, %d companies, %d workshops in %s\n",
		st.Districts, st.Streets, st.Villages, st.Versions, st.Companies, st.Workshops, time.Since(start).Round(time.Millisecond))
	fmt.Printf("accounts: district-<code> for every district; street-/village- accounts of the first district; password %s\n", seeds.SyntheticPassword)
	return nil
}
