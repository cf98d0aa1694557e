package models

import (
	"cmp"
	"database/sql"
	"fmt"
	"strings"

	"gorm.io/gorm"
)

// A region's 强村公司 (migration 0019): the distinct companies with a row in the
// cells of a province (a 2-digit prefix), a city (4 digits) or the whole
// deployment (""), by village type and in all (type allTypes), kept by triggers on
// rollup_company_cells in the transaction that changes a company row. A company
// counts once in a region however many of its districts it holds villages in, so
// the count is kept with, per region and company, the number of its rows there
// (rollup_region_companies): the region's count moves when that number leaves or
// reaches zero. A region's roll-up of now then reads a few rows instead of
// counting the company rows of every district beneath it.

// regionLevels are the lengths of the region prefixes whose companies are kept. A
// scope of another length (never made by the pages, which give district staff a
// district) has its companies counted from the company rows.
var regionLevels = []int{0, 2, 4}

// keptRegion reports whether a region's companies are kept.
func keptRegion(code string) bool {
	for _, l := range regionLevels {
		if len(code) == l {
			return true
		}
	}
	return false
}

// RollupRegionCompany is one company's number of company rows (cells) in a region,
// of one village type or of all, in a year; a row at zero is deleted.
type RollupRegionCompany struct {
	Year      int    `gorm:"primaryKey;autoIncrement:false;not null"`
	Region    string `gorm:"primaryKey;not null"`
	Type      string `gorm:"primaryKey;not null"`
	CompanyID uint   `gorm:"primaryKey;autoIncrement:false;not null"`
	Cells     int64  `gorm:"not null;default:0"`
}

// RollupRegionTotal is a region's distinct companies of one village type, or of
// all (Type allTypes), in a year.
type RollupRegionTotal struct {
	Year      int    `gorm:"primaryKey;autoIncrement:false;not null"`
	Region    string `gorm:"primaryKey;not null"`
	Type      string `gorm:"primaryKey;not null"`
	Companies int64  `gorm:"not null;default:0"`
}

// regionKey names a row of RollupRegionCompany (company 0: of RollupRegionTotal).
type regionKey struct {
	year        int
	region, typ string
	company     uint
}

func (k regionKey) before(o regionKey) bool {
	return cmp.Or(cmp.Compare(k.year, o.year), cmp.Compare(k.region, o.region), cmp.Compare(k.typ, o.typ),
		cmp.Compare(k.company, o.company)) < 0
}

// regionRecount counts, from the company rows as they are now, each region's rows
// per company (keyed with the company) and its distinct companies (keyed with
// company 0).
func regionRecount(tx *gorm.DB) (companies, totals map[regionKey]int64, err error) {
	rows, err := tx.Raw("SELECT year, district_code, type, company_id FROM rollup_company_cells").Rows()
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	companies, totals = map[regionKey]int64{}, map[regionKey]int64{}
	for rows.Next() {
		var year int
		var district, typ string
		var company uint
		if err := rows.Scan(&year, &district, &typ, &company); err != nil {
			return nil, nil, err
		}
		for _, l := range regionLevels {
			if l > len(district) {
				continue
			}
			for _, t := range []string{typ, allTypes} {
				k := regionKey{year, district[:l], t, company}
				if companies[k]++; companies[k] == 1 {
					totals[regionKey{year, district[:l], t, 0}]++
				}
			}
		}
	}
	return companies, totals, rows.Err()
}

// regionTables are the two tables of a region's companies, with the column their
// figure is in and whether the key holds the company.
var regionTables = []struct {
	name, figure string
	company      bool
}{
	{"rollup_region_companies", "cells", true},
	{"rollup_region_totals", "companies", false},
}

// regionDrift counts the rows of the two tables that differ from a recount from the
// company rows (a row at zero and no row are the same).
func regionDrift(tx *gorm.DB) (int64, error) {
	companies, totals, err := regionRecount(tx)
	if err != nil {
		return 0, err
	}
	var n int64
	for _, t := range regionTables {
		want := totals
		company := "0"
		if t.company {
			want, company = companies, "company_id"
		}
		have := map[regionKey]int64{}
		err := scanRows(tx.Raw("SELECT year, region, type, " + company + ", " + t.figure + " FROM " + t.name).Rows())(func(r *sql.Rows) error {
			var k regionKey
			var v int64
			if err := r.Scan(&k.year, &k.region, &k.typ, &k.company, &v); err != nil {
				return err
			}
			have[k] = v
			return nil
		})
		if err != nil {
			return 0, err
		}
		for k, v := range have {
			if v != want[k] {
				n++
			}
		}
		for k, v := range want {
			if _, ok := have[k]; !ok && v != 0 {
				n++
			}
		}
	}
	return n, nil
}

// rebuildRegions writes the two tables again from the company rows (inside
// RebuildTotals' transaction).
func rebuildRegions(tx *gorm.DB) error {
	companies, totals, err := regionRecount(tx)
	if err != nil {
		return err
	}
	for _, t := range regionTables {
		want, cols := totals, "year, region, type, companies"
		if t.company {
			want, cols = companies, "year, region, type, company_id, cells"
		}
		if err := tx.Exec("DELETE FROM " + t.name).Error; err != nil {
			return err
		}
		keys := inOrder(want, regionKey.before)
		// Many rows to a statement: the nation holds tens of thousands.
		const batch = 500
		for len(keys) > 0 {
			part := keys[:min(batch, len(keys))]
			keys = keys[len(part):]
			var vals []string
			var args []any
			for _, k := range part {
				if t.company {
					vals, args = append(vals, "(?, ?, ?, ?, ?)"), append(args, k.year, k.region, k.typ, k.company, want[k])
				} else {
					vals, args = append(vals, "(?, ?, ?, ?)"), append(args, k.year, k.region, k.typ, want[k])
				}
			}
			if err := tx.Exec(fmt.Sprintf("INSERT INTO %s (%s) VALUES %s", t.name, cols, strings.Join(vals, ", ")), args...).Error; err != nil {
				return err
			}
		}
	}
	return nil
}
