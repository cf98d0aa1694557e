package models

import (
	"fmt"
	"strings"
)

// The yearly report's roll-up figures, each defined once (docs/domain.md,
// "Roll-ups"). From this one table follow:
//   - the history query of a past instant (aggregate, over the latest approved
//     version of each village as of then);
//   - the maintained roll-up cells (cellDeltas.contribute, in the approving
//     transaction) and their rebuild (RebuildCells, one INSERT … SELECT);
//   - the recount that checks them (MeasureDrift, `cunji check`);
//   - Meets50w, the 50万 line on a single report.
//
// Each figure is a sum over the villages active in the year of a value of the
// village's current report: Go's of (nil when the village has not reported) and
// SQL's expr over a row "r" holding the report's columns (NULL when it has not),
// which current_reports and report_versions both have.
type reportFigure struct {
	// col names the figure: the roll-up cell's column and the aggregate's alias.
	col string
	// expr is the value for one village in SQL, over the alias r.
	expr string
	// of is the same value in Go.
	of func(cur *CurrentReport) int64
	// field is where the figure sits in an aggRow.
	field func(r *aggRow) *int64
}

// Meets50w reports whether 经营性收入 reaches the 50万元 line ("以上" includes it).
func Meets50w(operatingFen int64) bool { return operatingFen >= MeetsLine }

func one(ok bool) int64 {
	if ok {
		return 1
	}
	return 0
}

var reportFigures = []reportFigure{
	{"villages", "1",
		func(*CurrentReport) int64 { return 1 },
		func(r *aggRow) *int64 { return &r.Villages }},
	{"reported", "CASE WHEN r.year IS NULL THEN 0 ELSE 1 END",
		func(c *CurrentReport) int64 { return one(c != nil) },
		func(r *aggRow) *int64 { return &r.Reported }},
	{"meets", fmt.Sprintf("CASE WHEN r.operating_fen >= %d THEN 1 ELSE 0 END", MeetsLine),
		func(c *CurrentReport) int64 { return one(c != nil && Meets50w(c.OperatingFen)) },
		func(r *aggRow) *int64 { return &r.Meets }},
	{"total_fen", "COALESCE(r.total_fen, 0)",
		func(c *CurrentReport) int64 { return orZero(c, func(c *CurrentReport) int64 { return c.TotalFen }) },
		func(r *aggRow) *int64 { return &r.TotalFen }},
	{"oper_fen", "COALESCE(r.operating_fen, 0)",
		func(c *CurrentReport) int64 { return orZero(c, func(c *CurrentReport) int64 { return c.OperatingFen }) },
		func(r *aggRow) *int64 { return &r.OperFen }},
	{"assets_fen", "COALESCE(r.assets_fen, 0)",
		func(c *CurrentReport) int64 { return orZero(c, func(c *CurrentReport) int64 { return c.AssetsFen }) },
		func(r *aggRow) *int64 { return &r.AssetsFen }},
}

func orZero(c *CurrentReport, f func(*CurrentReport) int64) int64 {
	if c == nil {
		return 0
	}
	return f(c)
}

// aggRow is one (street, type) group of the report figures.
type aggRow struct {
	StreetCode string
	Type       string
	Villages   int64
	Reported   int64
	Meets      int64
	TotalFen   int64
	OperFen    int64
	AssetsFen  int64
	RegisterCounts
}

// figureColumns are the figures' names, in the table's order.
func figureColumns() []string {
	cols := make([]string, len(reportFigures))
	for i, f := range reportFigures {
		cols[i] = f.col
	}
	return cols
}

// figureSums is the SELECT list summing every figure over the rows of alias
// (which holds a report's columns, or NULLs for a village that has not reported).
func figureSums(alias string) string {
	sums := make([]string, len(reportFigures))
	for i, f := range reportFigures {
		sums[i] = "COALESCE(SUM(" + strings.ReplaceAll(f.expr, "r.", alias+".") + "), 0) AS " + f.col
	}
	return strings.Join(sums, ", ")
}

// values lists the row's figures in the table's order.
func (r *aggRow) values() []any {
	vs := make([]any, len(reportFigures))
	for i, f := range reportFigures {
		vs[i] = *f.field(r)
	}
	return vs
}

// isZero reports whether every figure of the row is 0.
func (r *aggRow) isZero() bool {
	for _, f := range reportFigures {
		if *f.field(r) != 0 {
			return false
		}
	}
	return true
}

// addFigures adds sign × a village's contribution (its current report cur, nil
// when it has not reported) to the row.
func (r *aggRow) addFigures(cur *CurrentReport, sign int64) {
	for _, f := range reportFigures {
		*f.field(r) += sign * f.of(cur)
	}
}

// sameFigures reports whether two rows hold the same figures.
func (r *aggRow) sameFigures(o *aggRow) bool {
	for _, f := range reportFigures {
		if *f.field(r) != *f.field(o) {
			return false
		}
	}
	return true
}
