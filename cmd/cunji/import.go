package main

import (
	"errors"
	"flag"
	"fmt"
	"os"

	"cunji/models"

	"gorm.io/gorm"
)

// importCmd runs `cunji import villages|reports --db FILE [--dry-run] FILE`.
func importCmd(args []string) error {
	if len(args) == 0 || (args[0] != "villages" && args[0] != "reports") {
		return errors.New("import: villages or reports\n" + usage)
	}
	kind := args[0]
	fs := flag.NewFlagSet("import "+kind, flag.ContinueOnError)
	dbPath := fs.String("db", defaultDB(), "SQLite database file or postgres:// URL")
	dry := fs.Bool("dry-run", false, "check every row and show what would change; write nothing")
	reason := fs.String("approve-reason", "", "reports: approve every row at once, with this reason (else they go to the streets' queues)")
	district := fs.String("district", "", "the district imported into (default: the only one)")
	unit := fs.String("unit", "", "reports: the unit of amounts whose header names none (元 or 万元; default: the one kept with the district's mapping of this header, else 元)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("import: name one .xlsx or .csv file")
	}
	data, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return err
	}
	maxRows := models.VillageSheetRows
	if kind == "reports" {
		maxRows = models.ReportSheetRows
	}
	if err := models.CheckSheetName(fs.Arg(0), data); err != nil {
		return err
	}
	rows, err := models.ReadSheet(data, maxRows)
	if err != nil {
		return err
	}
	if *unit != "" && *unit != models.UnitYuan && *unit != models.UnitWan {
		return errors.New("import: --unit is 元 or 万元")
	}
	db, err := openDB(*dbPath)
	if err != nil {
		return err
	}
	if err := seedIfEmpty(db, false); err != nil {
		return err
	}
	a, err := cliActor(db, *district)
	if err != nil {
		return err
	}
	var problems []models.ImportProblem
	if kind == "villages" {
		res, err := models.ImportVillages(db, a, rows, *dry)
		if err != nil {
			return describe(err)
		}
		problems = res.Problems
		if len(problems) == 0 {
			fmt.Printf("%d rows: %d new, %d changed, %d unchanged", res.Rows, len(res.NewCodes), len(res.Changed), res.Unchanged)
			for _, c := range res.Changed {
				for _, f := range c.Changes {
					fmt.Printf("\n  %s %s: %s → %s", c.Code, f.Field, f.Before, f.After)
				}
			}
			fmt.Println()
		}
	} else {
		mode := models.ReportImportMode{Approve: *reason != "", Reason: *reason, Unit: *unit}
		res, err := models.ImportReports(db, a, rows, mode, *dry)
		if err != nil {
			return describe(err)
		}
		problems = res.Problems
		if len(problems) == 0 {
			fmt.Printf("%d rows: %d new village-years, %d corrected, %d unchanged (skipped)\n", res.Rows, res.New, res.Changed, res.Unchanged)
		}
	}
	if len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintf(os.Stderr, "row %d, %s: %s\n", p.Row, p.Column, p.Message)
		}
		return fmt.Errorf("%d problems; nothing was written", len(problems))
	}
	if *dry {
		fmt.Println("dry run: nothing was written")
	} else {
		fmt.Println("imported")
	}
	return nil
}

// cliActor is the operator of the machine acting for a district.
func cliActor(db *gorm.DB, code string) (*models.Actor, error) {
	var ds []models.District
	q := db.Model(&models.District{})
	if code != "" {
		q = q.Where("code = ?", code)
	}
	if err := q.Find(&ds).Error; err != nil {
		return nil, err
	}
	if len(ds) != 1 {
		return nil, errors.New("name the district with --district CODE")
	}
	return &models.Actor{Username: "cli", Name: "命令行导入", Role: models.RoleDistrict, DistrictCode: ds[0].Code, IP: "local"}, nil
}
