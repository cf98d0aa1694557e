package models

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// A district's own sheet is not the template: title rows above the header, a
// header of two rows with merged cells, its own names and order of the columns,
// extra columns, and amounts in 万元 or in 元 as its header says. This file finds
// the header and maps its columns onto the fields an import knows.

// headerScanRows is how many rows from the top may hold the header.
const headerScanRows = 10

// Units of the amounts of a sheet.
const (
	UnitYuan = "元"
	UnitWan  = "万元"
)

// SheetColumn is a field an import reads: its key, the label it is named by in
// messages and templates, the names a district's sheet may give it (compared after
// normalising, see headerName), whether it is required, and whether it is an amount.
type SheetColumn struct {
	Key      string
	Label    string
	Names    []string
	Required bool
	Amount   bool
}

// sheetLayout is the header found in a sheet: the index of its first data row, the
// column of every field found, the unit of every amount, and the columns ignored.
type sheetLayout struct {
	header  int // index of the header row (its lower row when it has two)
	start   int
	col     map[string]int
	unit    map[string]string
	ignored []string
	titles  []string // the text of each row above the header
	cells   []string // the header's cells
	fields  []string // the field of each column, "" for one read past
	found   []string // what each named column was read as, for a message
	missing []string // labels of required fields without a column
	blank   bool     // a blank header cell before the last column
	// chosenUnit is the unit of amounts the sheet names none for ("" when it names
	// every amount's).
	chosenUnit string
	// explicit: the fields were chosen on the mapping step; remembered: they are
	// the district's mapping saved for this header.
	explicit   bool
	remembered *RememberedMapping
}

// has reports whether the sheet has the field.
func (l *sheetLayout) has(key string) bool { _, ok := l.col[key]; return ok }

// get is a row's cell of the field, or "" when the sheet has no such column.
func (l *sheetLayout) get(r []string, key string) string {
	if i, ok := l.col[key]; ok {
		return cell(r, i)
	}
	return ""
}

// amount parses a row's amount of the field in the unit of its column, with the
// one parser of each unit; an empty cell is 0.
func (l *sheetLayout) amount(r []string, key string) (int64, error) {
	s := l.get(r, key)
	parse := ParseYuan
	if l.unit[key] == UnitWan {
		parse = ParseWan
	}
	fen, err := parse(s)
	if err == ErrWanEmpty {
		return 0, nil
	}
	return fen, err
}

// unitSuffix is a unit written after a column's name without brackets ("经营收入/万元").
var unitSuffix = regexp.MustCompile(`[/:]?(单位:?)?(万元|元)$`)

// brackets are the bracketed parts of a header cell (full-width ones are ASCII by now).
var brackets = regexp.MustCompile(`[(\[【<《]([^)\]】>》]*)[)\]】>》]`)

// headerName normalises a header cell for matching: no spaces or line breaks, no
// bracketed parts, no unit suffix; it also gives the unit the cell names, if any.
func headerName(s string) (name, unit string) {
	s = strings.Join(strings.Fields(NormalizeCell(s)), "")
	unit = unitIn(s)
	s = brackets.ReplaceAllString(s, "")
	s = unitSuffix.ReplaceAllString(s, "")
	s = strings.TrimRight(s, ":*")
	return s, unit
}

// unitIn gives the unit a header or title text names: 万元 anywhere, or 元 standing
// alone, in brackets, after 单位 or after a slash.
var yuanAlone = regexp.MustCompile(`(^|[(\[【/:]|单位)元($|[)\]】,;])`)

func unitIn(s string) string {
	s = strings.ReplaceAll(NormalizeCell(s), "：", ":")
	switch {
	case strings.Contains(s, "万元"):
		return UnitWan
	case yuanAlone.MatchString(strings.Join(strings.Fields(s), "")):
		return UnitYuan
	}
	return ""
}

// matchColumn gives the field a normalised header name stands for, or nil.
func matchColumn(cols []SheetColumn, name string) *SheetColumn {
	if name == "" {
		return nil
	}
	for i := range cols {
		for _, n := range cols[i].Names {
			if n == name {
				return &cols[i]
			}
		}
	}
	return nil
}

// headerCells is row h read as a header: an empty cell takes the cell above it
// (a header of two rows whose upper cells are merged downwards).
func headerCells(rows [][]string, h int) []string {
	out := append([]string(nil), rows[h]...)
	if h == 0 {
		return out
	}
	up := rows[h-1]
	filled := 0
	for _, c := range up {
		if c != "" {
			filled++
		}
	}
	if filled < 2 { // a title above, not the upper row of a header
		return out
	}
	for len(out) < len(up) {
		out = append(out, "")
	}
	for j := range out {
		if out[j] == "" {
			out[j] = cell(up, j)
		}
	}
	return out
}

// headerScore is how many distinct fields a header row names.
func headerScore(cols []SheetColumn, cells []string) int {
	seen := map[string]bool{}
	for _, c := range cells {
		name, _ := headerName(c)
		if m := matchColumn(cols, name); m != nil {
			seen[m.Key] = true
		}
	}
	return len(seen)
}

// locateHeader is the row among the first ones (taken with the row above it, for a
// two-row header) that names the most known fields, and how many it names.
func locateHeader(rows [][]string, cols []SheetColumn) (best, score int) {
	best = -1
	for h := 0; h < len(rows) && h < headerScanRows; h++ {
		if s := headerScore(cols, headerCells(rows, h)); s > score {
			best, score = h, s
		}
	}
	return best, score
}

// notASheet is the one sentence for a file whose first rows hold no header.
func notASheet(cols []SheetColumn) []ImportProblem {
	return []ImportProblem{{Row: 1, Message: fmt.Sprintf(
		"文件前 %d 行里找不到表头（如“%s”“%s”等列名），这不像是一张导入表：请上传 Excel（.xlsx）或 CSV 表格，可先下载模板对照",
		headerScanRows, cols[0].Label, cols[1].Label)}}
}

// guessFields gives the field each header cell names by its usual names, "" for a
// cell it does not know or a field already taken by a cell to its left.
func guessFields(cols []SheetColumn, cells []string) []string {
	out := make([]string, len(cells))
	taken := map[string]bool{}
	for j, c := range cells {
		name, _ := headerName(c)
		if m := matchColumn(cols, name); m != nil && !taken[m.Key] {
			out[j], taken[m.Key] = m.Key, true
		}
	}
	return out
}

// findHeader finds the header by the columns' usual names (see locateHeader): a
// sheet where no row names two known fields is not an import sheet, and says so in
// one sentence; missing required fields are one message naming what was found and
// what is expected. Amounts take the unit their column names, else the one named
// above the column or in the title rows, else defaultUnit.
func findHeader(rows [][]string, cols []SheetColumn, defaultUnit string) (*sheetLayout, []ImportProblem) {
	best, score := locateHeader(rows, cols)
	if best < 0 || score < 2 {
		return nil, notASheet(cols)
	}
	l := buildLayout(rows, cols, best, guessFields(cols, headerCells(rows, best)), defaultUnit)
	if len(l.missing) > 0 {
		return nil, l.missingProblem(cols)
	}
	return l, nil
}

// buildLayout reads the sheet with header row h (0-based) whose columns hold the
// given fields ("" for a column read past). A column not taken that names a unit
// after 单位 gives the sheet's unit; amounts take the unit their column names, else
// the one named above it or in the title rows, else defaultUnit.
func buildLayout(rows [][]string, cols []SheetColumn, h int, fields []string, defaultUnit string) *sheetLayout {
	l := &sheetLayout{header: h, start: h + 1, col: map[string]int{}, unit: map[string]string{}, fields: fields}
	for i := 0; i < h; i++ {
		l.titles = append(l.titles, strings.Join(rows[i], " "))
	}
	sheetUnit := unitIn(strings.Join(l.titles, " "))
	cells := headerCells(rows, h)
	l.cells = cells
	for j, c := range cells {
		name, unit := headerName(c)
		key := ""
		if j < len(fields) {
			key = fields[j]
		}
		m := columnOf(cols, key)
		switch {
		case m == nil && name == "":
			l.blank = l.blank || j < len(cells)-1
			continue
		case m == nil:
			if u := unitIn(c); u != "" && strings.Contains(c, "单位") {
				sheetUnit = u
				continue
			}
			l.ignored = append(l.ignored, quoteCell(c))
			l.found = append(l.found, quoteCell(c))
			continue
		}
		l.found = append(l.found, m.Label)
		l.col[m.Key] = j
		if m.Amount {
			if unit == "" {
				unit = unitAbove(rows, h, j)
			}
			l.unit[m.Key] = unit
		}
	}
	for k, u := range l.unit {
		switch {
		case u != "":
		case sheetUnit != "":
			l.unit[k] = sheetUnit
		default:
			l.unit[k], l.chosenUnit = defaultUnit, defaultUnit
		}
	}
	for _, c := range cols {
		if c.Required && !l.has(c.Key) {
			l.missing = append(l.missing, c.Label)
		}
	}
	return l
}

// drop takes a required field's label off the missing ones (the title gives it).
func (l *sheetLayout) drop(label string) {
	var keep []string
	for _, m := range l.missing {
		if m != label {
			keep = append(keep, m)
		}
	}
	l.missing = keep
}

// columnOf is the field of cols with the key, or nil.
func columnOf(cols []SheetColumn, key string) *SheetColumn {
	for i := range cols {
		if key != "" && cols[i].Key == key {
			return &cols[i]
		}
	}
	return nil
}

// missingProblem is the one message for required fields the header lacks.
func (l *sheetLayout) missingProblem(cols []SheetColumn) []ImportProblem {
	var expected []string
	for _, c := range cols {
		if c.Required {
			expected = append(expected, c.Label)
		}
	}
	msg := fmt.Sprintf("表头（第 %d 行）缺少：%s。找到的列：%s；应有：%s（列名可用常见叫法，顺序不限）",
		l.header+1, strings.Join(l.missing, "、"), strings.Join(l.found, "、"), strings.Join(expected, "、"))
	if l.explicit {
		return []ImportProblem{{Row: l.header + 1, Message: "还没有选哪一列是：" + strings.Join(l.missing, "、")}}
	}
	if l.blank {
		msg += "。表头有空白单元格，可能是合并单元格或缺列"
	}
	return []ImportProblem{{Row: l.header + 1, Column: strings.Join(l.missing, "、"), Message: msg}}
}

// unitAbove is the unit named above a header cell: in the nearest non-empty cell at
// or to the left of the column in each row above (a merged group header such as
// “收入（万元）”, or a title), nearest row first.
func unitAbove(rows [][]string, h, j int) string {
	for i := h - 1; i >= 0; i-- {
		for k := j; k >= 0; k-- {
			if c := cell(rows[i], k); c != "" {
				if u := unitIn(c); u != "" {
					return u
				}
				break
			}
		}
	}
	return ""
}

var titleYearRe = regexp.MustCompile(`((?:19|20)\d\d)\s*年`)

// titleYear is the year a sheet's title names ("2025年…表"): the one year of the
// first title row that names any, or 0 when that row names more than one.
func titleYear(titles []string) int {
	for _, t := range titles {
		ys := map[string]bool{}
		for _, m := range titleYearRe.FindAllStringSubmatch(t, -1) {
			ys[m[1]] = true
		}
		if len(ys) > 1 {
			return 0
		}
		for y := range ys {
			n, _ := strconv.Atoi(y)
			return n
		}
	}
	return 0
}

// totalRow reports whether a data row is a total line ("合计", "总计", "小计").
func totalRow(r []string) bool {
	for i := 0; i < len(r) && i < 3; i++ {
		c := strings.ReplaceAll(r[i], " ", "")
		for _, w := range []string{"合计", "总计", "小计"} {
			if strings.HasPrefix(c, w) || strings.HasPrefix(c, "全区"+w) {
				return true
			}
		}
	}
	return false
}

// SheetLabels gives the labels of the columns, for a template's header.
func SheetLabels(cols []SheetColumn, unit string) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.Label
		if c.Amount && unit != "" {
			out[i] += "（" + unit + "）"
		}
	}
	return out
}

// fieldProblems records a row's field errors as problems of the columns that carry
// them, in the order of the columns, with the messages of the input's Validate.
func fieldProblems(cols []SheetColumn, verr *ValidationError, bad func(col, msg string)) {
	done := map[string]bool{}
	for _, c := range cols {
		if m, ok := verr.Fields[c.Key]; ok {
			bad(c.Label, m)
			done[c.Key] = true
		}
	}
	for k, m := range verr.Fields {
		if !done[k] {
			bad("", m)
		}
	}
}
