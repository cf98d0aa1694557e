package main

import (
	"errors"
	"flag"
	"fmt"
	"time"

	"cunji/models"
)

// checkCmd runs `cunji check [--db …] [--repair]`: it recounts the maintained
// figures (the current report of every village-year, the roll-up cells with their
// register figures, the company rows and the catalogue indicators' cells) from the
// history and the registers, in one snapshot, and says how many rows differ. A
// district can run it on its live database at any time; it writes nothing unless
// --repair is given, which rebuilds them from the history and checks again.
func checkCmd(args []string) error {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	dbPath := fs.String("db", defaultDB(), "SQLite database file or postgres:// URL")
	repair := fs.Bool("repair", false, "rebuild the maintained figures from the history when they differ")
	if err := fs.Parse(args); err != nil {
		return err
	}
	db, err := openDB(*dbPath)
	if err != nil {
		return err
	}
	defer closeDB(db)
	measure := func() (models.Drift, error) {
		start := time.Now()
		d, err := models.MeasureDrift(db)
		if err != nil {
			return d, err
		}
		fmt.Printf("recounted from the history in %s: %d current reports, %d roll-up cells, %d cells' register figures, %d company rows, %d indicator cells and %d rows of street and district totals differ from the maintained ones\n",
			time.Since(start).Round(time.Millisecond), d.CurrentReports, d.RollupCells, d.RegisterCells, d.CompanyCells, d.IndicatorCells, d.Totals)
		return d, nil
	}
	d, err := measure()
	if err != nil {
		return err
	}
	if d == (models.Drift{}) {
		fmt.Println("ok: the maintained figures equal the recount")
		return nil
	}
	if !*repair {
		return errors.New("the maintained figures differ from the recount: run `cunji check --repair` to rebuild them, and tell the developers")
	}
	if err := models.RebuildCurrent(db); err != nil {
		return err
	}
	if err := models.RebuildCells(db); err != nil {
		return err
	}
	if err := models.RebuildIndicatorCells(db); err != nil {
		return err
	}
	// Last: the totals are the sums of the cells rebuilt above.
	if err := models.RebuildTotals(db); err != nil {
		return err
	}
	if d, err = measure(); err != nil {
		return err
	}
	if d != (models.Drift{}) {
		return errors.New("the rebuilt figures still differ from the recount")
	}
	fmt.Println("repaired: the maintained figures were rebuilt from the history and equal the recount")
	return nil
}
