package models

import (
	"bytes"
	"cmp"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"gorm.io/gorm"
)

// The maintained totals (migration 0017): one row per street and year
// (rollup_street_totals) and one per district, village type and year
// (rollup_district_totals, type "*" for all of the district's cells, those of a
// street's own 共富工坊, of type "", among them), kept by
// triggers on the cells in the transaction that changes a cell. A district's or a
// region's roll-up of now reads them, so that its answer costs the streets it
// lists, not the cells beneath them.

// The kinds of rows totalsGroups reads.
const (
	totalsStreet = iota + 1
	totalsDistrict
	totalsTypeCompanies
	totalsCompanies
)

// totalsColumns are the columns joined in a totals row's packed column, in its
// order: the report figures, the register counts, then the distinct companies.
var totalsColumns = append(append(figureColumns(), registerColumns...), "companies")

// totalsFrom reports whether a roll-up of now reads the maintained totals: a
// district's or a region's, not narrowed to one street (a street's few cells are
// summed as they are, nowGroups).
func totalsFrom(a *Actor, street string) bool {
	return a.Role == RoleDistrict && street == ""
}

// totalsGroups fills the groups of a district's or a region's roll-up of now from
// the maintained totals of year, in one statement: each street's row, and each
// district's rows by type and in all. A region's distinct companies by type and in
// all are read from their own totals (region_totals.go), since one company may
// hold villages in several of its districts; a region of a length not kept counts
// them from the company rows.
func totalsGroups(db *gorm.DB, a *Actor, year int, g *groups, si, ti map[string]int) error {
	s := a.Scope()
	// The streets' rows come joined in one value ("code:packed;…"), and the
	// districts' ("type:packed;…"): a row of its own each cost the nation's
	// roll-up a third of its time in the driver.
	// On SQLite as a BLOB, which the driver hands over as bytes, copied once; a
	// TEXT value of a nation's megabytes was copied into a string and then again into
	// the bytes scanned.
	agg := "CAST(group_concat(%s || ':' || packed, ';') AS BLOB)"
	if db.Dialector.Name() == "postgres" {
		agg = "string_agg(%s || ':' || packed, ';')"
	}
	joined := func(kind int, table, key string) *gorm.DB {
		return regionWhere(db.Table(table), "district_code", s.District).Where("year = ?", year).
			Select(itoa(kind) + ", '', COALESCE(" + fmt.Sprintf(agg, key) + ", '')")
	}
	parts := []any{joined(totalsStreet, "rollup_street_totals", "street_code"), joined(totalsDistrict, "rollup_district_totals", "type")}
	region := s.IsRegion()
	if region && keptRegion(s.District) {
		// Kept per region and type (migration 0019): a few rows.
		parts = append(parts, db.Table("rollup_region_totals").Where("year = ? AND region = ?", year, s.District).
			Select("CASE WHEN type = ? THEN "+itoa(totalsCompanies)+" ELSE "+itoa(totalsTypeCompanies)+" END, type, CAST(companies AS TEXT)", allTypes))
	} else if region {
		companies := func() *gorm.DB {
			return s.CompanyCells(db.Table("rollup_company_cells")).Where("year = ?", year)
		}
		parts = append(parts,
			companies().Select(itoa(totalsTypeCompanies)+", type, CAST(COUNT(DISTINCT company_id) AS TEXT)").Group("type"),
			companies().Select(itoa(totalsCompanies)+", '', CAST(COUNT(DISTINCT company_id) AS TEXT)"))
	}
	rows, err := db.Raw(strings.TrimSuffix(strings.Repeat("? UNION ALL ", len(parts)), " UNION ALL "), parts...).Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	var kind int
	var code string
	var packed sql.RawBytes
	var r aggRow
	fields := append(r.pointers(), new(int64))
	companies := fields[len(fields)-1].(*int64)
	// district adds a district's row of one type, or of all (allTypes).
	district := func(typ []byte) {
		if string(typ) == allTypes {
			g.pending.Submitted += r.Submitted
			g.pending.Draft += r.Draft
			g.total.add(r)
			if !region {
				g.total.Companies = *companies
			}
		} else if i, ok := ti[string(typ)]; ok {
			g.types[i].add(r)
			if !region {
				g.types[i].Companies = *companies
			}
		}
	}
	for rows.Next() {
		if err := rows.Scan(&kind, &code, &packed); err != nil {
			return err
		}
		switch kind {
		case totalsStreet, totalsDistrict:
			err := eachTotal(packed, func(key []byte, packed []byte) error {
				if err := unpack(packed, fields); err != nil {
					return err
				}
				if kind == totalsDistrict {
					district(key)
				} else if i, ok := si[string(key)]; ok {
					g.streets[i].add(r)
					g.streets[i].Companies = *companies
				}
				return nil
			})
			if err != nil {
				return err
			}
		case totalsTypeCompanies, totalsCompanies:
			var n int64
			if err := unpack(packed, []any{&n}); err != nil {
				return err
			}
			if kind == totalsCompanies {
				g.total.Companies = n
			} else if i, ok := ti[code]; ok {
				g.types[i].Companies = n
			}
		}
	}
	return rows.Err()
}

// eachTotal calls each with the key (a street's code, a type) and the packed row
// of every row in joined ("key:packed;key:packed…", empty for none).
func eachTotal(joined []byte, each func(code, packed []byte) error) error {
	for len(joined) > 0 {
		item := joined
		if i := bytes.IndexByte(joined, ';'); i >= 0 {
			item, joined = joined[:i], joined[i+1:]
		} else {
			joined = nil
		}
		code, packed, ok := bytes.Cut(item, []byte{':'})
		if !ok {
			return errPacked
		}
		if err := each(code, packed); err != nil {
			return err
		}
	}
	return nil
}

// allTypes is the type of a district's row of every cell in rollup_district_totals.
const allTypes = "*"

var errPacked = errors.New("rollup totals: a packed row does not hold its figures")

// unpack reads a packed row (decimal integers joined by ',') into fields, every
// one of which is an *int64, without the conversions a scan of each column takes.
func unpack(b []byte, fields []any) error {
	i := 0
	for k, f := range fields {
		if i >= len(b) {
			return errPacked
		}
		neg := b[i] == '-'
		if neg {
			i++
		}
		start := i
		var n int64
		for ; i < len(b) && b[i] != ','; i++ {
			c := b[i]
			if c < '0' || c > '9' {
				return errPacked
			}
			n = n*10 + int64(c-'0')
		}
		if i == start {
			return errPacked
		}
		if neg {
			n = -n
		}
		*(f.(*int64)) = n
		if k == len(fields)-1 {
			break
		}
		i++ // the ','
	}
	if i != len(b) {
		return errPacked
	}
	return nil
}

// TotalsFigures are a totals row's figures: the sums of its cells' and the
// distinct companies with a row in them.
type TotalsFigures struct {
	Villages       int64 `gorm:"not null;default:0"`
	Reported       int64 `gorm:"not null;default:0"`
	Meets          int64 `gorm:"not null;default:0"`
	TotalFen       int64 `gorm:"not null;default:0"`
	OperFen        int64 `gorm:"not null;default:0"`
	AssetsFen      int64 `gorm:"not null;default:0"`
	RegisterCounts `gorm:"embedded"`
	Companies      int64 `gorm:"not null;default:0"`
	// Packed is every figure above, joined by ',' in totalsColumns' order: a
	// column the database generates (migration 0017), read, never written.
	Packed string `gorm:"->;-:migration"`
}

// RollupStreetTotal is a street's totals of one year.
type RollupStreetTotal struct {
	Year          int    `gorm:"primaryKey;autoIncrement:false;not null"`
	DistrictCode  string `gorm:"primaryKey;not null"`
	StreetCode    string `gorm:"primaryKey;not null"`
	TotalsFigures `gorm:"embedded"`
}

// RollupDistrictTotal is a district's totals of one village type and year, or of
// all its cells (Type allTypes).
type RollupDistrictTotal struct {
	Year          int    `gorm:"primaryKey;autoIncrement:false;not null"`
	DistrictCode  string `gorm:"primaryKey;not null"`
	Type          string `gorm:"primaryKey;not null"`
	TotalsFigures `gorm:"embedded"`
}

// totalsTables are the two tables of totals, with the last column of their key
// (after year and district_code).
var totalsTables = []struct{ name, key string }{
	{"rollup_street_totals", "street_code"},
	{"rollup_district_totals", "type"},
}

// totalsLevels group the cells into the rows of a table of totals: by street; by
// type; and all of a district's cells in one row of type allTypes.
var totalsLevels = []struct{ table, keyed string }{
	{"rollup_street_totals", "street_code"},
	{"rollup_district_totals", "type"},
	{"rollup_district_totals", "'" + allTypes + "'"},
}

// totalsKey names a totals row: its year, district and street or type.
type totalsKey struct {
	year          int
	district, key string
}

func (k totalsKey) before(o totalsKey) bool {
	return cmp.Or(cmp.Compare(k.year, o.year), cmp.Compare(k.district, o.district), cmp.Compare(k.key, o.key)) < 0
}

// totalsRecount reads the totals as the cells sum them now: table → key → figures
// in totalsColumns' order.
func totalsRecount(tx *gorm.DB) (map[string]map[totalsKey][]int64, error) {
	figs := totalsColumns[:len(totalsColumns)-1]
	sums := make([]string, len(figs))
	for i, c := range figs {
		sums[i] = "CAST(SUM(" + c + ") AS BIGINT)"
	}
	out := map[string]map[totalsKey][]int64{}
	for _, l := range totalsLevels {
		if out[l.table] == nil {
			out[l.table] = map[totalsKey][]int64{}
		}
		group := "year, district_code, " + l.keyed
		if strings.HasPrefix(l.keyed, "'") {
			group = "year, district_code"
		}
		read := func(q string, companies bool) error {
			rows, err := tx.Raw(q).Rows()
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var year int
				var district, key string
				vals := make([]int64, len(totalsColumns))
				dest := []any{&year, &district, &key}
				if companies {
					dest = append(dest, &vals[len(vals)-1])
				} else {
					for i := range figs {
						dest = append(dest, &vals[i])
					}
				}
				if err := rows.Scan(dest...); err != nil {
					return err
				}
				k := totalsKey{year, district, key}
				if have := out[l.table][k]; have != nil {
					if companies {
						have[len(have)-1] = vals[len(vals)-1]
					}
					continue
				}
				out[l.table][k] = vals
			}
			return rows.Err()
		}
		if err := read("SELECT year, district_code, "+l.keyed+", "+strings.Join(sums, ", ")+" FROM rollup_cells GROUP BY "+group, false); err != nil {
			return nil, err
		}
		if err := read("SELECT year, district_code, "+l.keyed+", COUNT(DISTINCT company_id) FROM rollup_company_cells GROUP BY "+group, true); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// totalsDrift counts the totals rows that differ from the sums of the cells (a
// row of zeros and no row are the same).
func totalsDrift(tx *gorm.DB) (int64, error) {
	want, err := totalsRecount(tx)
	if err != nil {
		return 0, err
	}
	var n int64
	for _, t := range totalsTables {
		table := t.name
		rows, err := tx.Raw("SELECT year, district_code, " + t.key + ", packed FROM " + table).Rows()
		if err != nil {
			return 0, err
		}
		seen := map[totalsKey]bool{}
		for rows.Next() {
			var year int
			var district, k string
			var packed sql.RawBytes
			if err := rows.Scan(&year, &district, &k, &packed); err != nil {
				rows.Close()
				return 0, err
			}
			have := make([]int64, len(totalsColumns))
			fields := make([]any, len(have))
			for i := range have {
				fields[i] = &have[i]
			}
			if err := unpack(packed, fields); err != nil {
				rows.Close()
				return 0, err
			}
			id := totalsKey{year, district, k}
			seen[id] = true
			if !sameInts(have, want[table][id]) {
				n++
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return 0, err
		}
		for id, w := range want[table] {
			if !seen[id] && !sameInts(nil, w) {
				n++
			}
		}
	}
	return n, nil
}

// sameInts compares two rows of figures, a missing row being all zeros.
func sameInts(a, b []int64) bool {
	for i := range max(len(a), len(b)) {
		var x, y int64
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		if x != y {
			return false
		}
	}
	return true
}

// RebuildTotals writes the totals again from the cells (and the regions'
// companies from the company rows), in one transaction that
// moves the data revision (the repair of `cunji check`; the triggers keep them
// otherwise).
func RebuildTotals(db *gorm.DB) error {
	return db.Transaction(func(tx *gorm.DB) error {
		// The revision first: on PostgreSQL every writer takes its row before the
		// totals' rows (at its commit), and so must this one, or the two could wait
		// on each other.
		if err := tx.Exec("UPDATE data_revision SET n = n + 1 WHERE id = 1").Error; err != nil {
			return err
		}
		want, err := totalsRecount(tx)
		if err != nil {
			return err
		}
		for _, t := range totalsTables {
			table := t.name
			if err := tx.Exec("DELETE FROM " + table).Error; err != nil {
				return err
			}
			stmt := "INSERT INTO " + table + " (year, district_code, " + t.key + ", " + strings.Join(totalsColumns, ", ") +
				") VALUES (?, ?, ?" + strings.Repeat(", ?", len(totalsColumns)) + ")"
			for _, id := range inOrder(want[table], totalsKey.before) {
				args := []any{id.year, id.district, id.key}
				for _, v := range want[table][id] {
					args = append(args, v)
				}
				if err := tx.Exec(stmt, args...).Error; err != nil {
					return err
				}
			}
		}
		return rebuildRegions(tx)
	})
}
