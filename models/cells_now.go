package models

import (
	"strings"

	"gorm.io/gorm"
)

// The kinds of rows nowGroups reads: figures summed per street and per type, and
// distinct companies per street, per type and in all.
const (
	nowStreet = iota + 1
	nowType
	nowStreetCompanies
	nowTypeCompanies
	nowCompanies
)

// nowGroups fills the groups of the roll-up of now from the maintained cells of
// year in the actor's scope (narrowed to street when set), in one statement: every
// figure summed per street and per type, and the distinct companies of the company
// rows per street, per type and in all. The scope's total is the sum of its streets.
func nowGroups(db *gorm.DB, a *Actor, street string, year int, g *groups, si, ti map[string]int) error {
	cols := append(figureColumns(), registerColumns...)
	sums := make([]string, len(cols))
	zeros := make([]string, len(cols))
	for i, c := range cols {
		sums[i] = "CAST(COALESCE(SUM(" + c + "), 0) AS BIGINT)"
		zeros[i] = "0"
	}
	// A street's rows are grouped by district and street, the order of the index
	// the rows are found by (idx_rollup_cells_year), so that no sort is needed.
	group := func(by string) string {
		if by == "street_code" {
			return "district_code, street_code"
		}
		return by
	}
	cells := func(kind int, by string) *gorm.DB {
		q := a.Scope().Cells(db.Table("rollup_cells")).Where("year = ?", year).
			Select(itoa(kind) + ", " + by + ", 0, " + strings.Join(sums, ", ")).Group(group(by))
		if street != "" {
			q = q.Where("street_code = ?", street)
		}
		return q
	}
	companies := func(kind int, by string) *gorm.DB {
		sel := itoa(kind) + ", " + by + ", COUNT(DISTINCT company_id), " + strings.Join(zeros, ", ")
		q := a.Scope().CompanyCells(db.Table("rollup_company_cells")).Where("year = ?", year)
		if by != "''" {
			q = q.Group(group(by))
		}
		if street != "" {
			q = q.Where("street_code = ?", street)
		}
		return q.Select(sel)
	}
	rows, err := db.Raw("? UNION ALL ? UNION ALL ? UNION ALL ? UNION ALL ?",
		cells(nowStreet, "street_code"), cells(nowType, "type"),
		companies(nowStreetCompanies, "street_code"), companies(nowTypeCompanies, "type"), companies(nowCompanies, "''")).Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	var kind int
	var code string
	var n int64
	var r aggRow
	dest := append([]any{&kind, &code, &n}, r.pointers()...)
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		switch kind {
		case nowStreet:
			g.pending.Submitted += r.Submitted
			g.pending.Draft += r.Draft
			g.total.add(r)
			if i, ok := si[code]; ok {
				g.streets[i].add(r)
			}
		case nowType:
			if i, ok := ti[code]; ok {
				g.types[i].add(r)
			}
		case nowStreetCompanies:
			if i, ok := si[code]; ok {
				g.streets[i].Companies = n
			}
		case nowTypeCompanies:
			if i, ok := ti[code]; ok {
				g.types[i].Companies = n
			}
		case nowCompanies:
			g.total.Companies = n
		}
	}
	return rows.Err()
}

// pointers are the row's report figures then its register counts, in the order of
// figureColumns and registerColumns, for a Scan.
func (r *aggRow) pointers() []any {
	out := make([]any, 0, len(reportFigures)+len(registerColumns))
	for _, f := range reportFigures {
		out = append(out, f.field(r))
	}
	for _, p := range r.RegisterCounts.fields() {
		out = append(out, p)
	}
	return out
}
