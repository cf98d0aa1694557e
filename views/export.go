package views

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"cunji/models"

	"github.com/xuri/excelize/v2"
)

// Table is a table to download: a title, a header row and rows of cells. A cell is
// text (string), a count (int, int64), money (Yuan) or a share (models.Ratio).
type Table struct {
	Name   string // the file name, without extension
	Title  string
	Header []string
	Rows   [][]any
	// Scope, ScopeCode, Year and AsOf say what the figures are (set for every
	// table of figures): the file states them inside — the XLSX on a 说明 sheet, the
	// CSV in a first comment row — and in its name.
	Scope      string
	ScopeCode  string
	Year       int
	AsOf       time.Time
	InProgress bool
	// Notes are further label–value lines of what the figures are (a line the
	// district set, say), stated after the scope, year and as_of.
	Notes [][2]string
}

// FileName is the download's name without extension: the table's name and, for a
// table of figures, its scope code and as_of instant.
func (t *Table) FileName() string {
	if t.Scope == "" {
		return t.Name
	}
	return t.Name + "-" + t.ScopeCode + "-asof-" + t.AsOf.UTC().Format("20060102T150405Z")
}

// About lists what the figures are, as label and value, or nil for a table that
// is not one of figures.
func (t *Table) About() [][2]string {
	if t.Scope == "" {
		return nil
	}
	state := "已结束"
	if t.InProgress {
		state = "进行中（临时数，不作三色预警）"
	}
	return append([][2]string{
		{"标题", t.Title},
		{"范围", t.Scope + "（" + t.ScopeCode + "）"},
		{"年度", strconv.Itoa(t.Year) + " 年度，" + state},
		{"截至（as_of）", t.AsOf.UTC().Format(time.RFC3339Nano) + "（北京时间 " + t.AsOf.In(models.Shanghai).Format("2006-01-02 15:04:05") + "）"},
		{"口径", "仅统计街道审核通过的数据，每村取该年度截至上述时间最新通过的版本；以同一 as_of 再次导出，数字不变"},
	}, t.Notes...)
}

// sheetName is a worksheet name from the title: without the 截至 part (the instant
// is on the 说明 sheet), without the characters Excel forbids, at most 31 characters.
func sheetName(title string) string {
	if i := strings.Index(title, "（截至"); i > 0 {
		title = title[:i]
	}
	name := []rune(strings.NewReplacer(":", " ", "\\", " ", "/", " ", "?", " ", "*", " ", "[", "(", "]", ")").Replace(title))
	if len(name) > 31 {
		name = name[:31]
	}
	return string(name)
}

// Yuan is an amount in 分 written as 元 with two decimals (exact), as the
// statistics tables give them.
type Yuan int64

// String is the amount in 元, exact to the 分.
func (y Yuan) String() string {
	f := int64(y)
	sign := ""
	if f < 0 {
		sign, f = "-", -f
	}
	return fmt.Sprintf("%s%d.%02d", sign, f/100, f%100)
}

// Neutralize defuses text that a spreadsheet would run as a formula: a cell that
// begins with =, +, -, @, a tab or a carriage return gets a leading apostrophe.
func Neutralize(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// cellText is a cell as CSV text.
func cellText(v any) string {
	switch c := v.(type) {
	case string:
		return Neutralize(c)
	case int:
		return strconv.Itoa(c)
	case int64:
		return strconv.FormatInt(c, 10)
	case Yuan:
		return c.String()
	case models.Ratio:
		if c.R == nil {
			return ""
		}
		return c.R.FloatString(6)
	case nil:
		return ""
	}
	return Neutralize(fmt.Sprint(v))
}

// WriteCSV writes the table as UTF-8 CSV with a byte-order mark, so that Excel
// opens it with the right encoding.
func WriteCSV(w io.Writer, t *Table) error {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if about := t.About(); about != nil {
		parts := make([]string, len(about))
		for i, a := range about {
			parts[i] = a[0] + "：" + a[1]
		}
		// One comment row, written as it is (never quoted), so that a reader told
		// that "#" begins a comment skips it.
		line := strings.NewReplacer("\r", " ", "\n", " ").Replace("# " + strings.Join(parts, "；"))
		if _, err := io.WriteString(w, line+"\n"); err != nil {
			return err
		}
	}
	header := make([]string, len(t.Header))
	for i, h := range t.Header {
		header[i] = Neutralize(h)
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, row := range t.Rows {
		rec := make([]string, len(row))
		for i, c := range row {
			rec[i] = cellText(c)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteXLSX writes the table as an Excel workbook: numbers as numbers, text as text
// (neutralized), the header bold and frozen.
func WriteXLSX(w io.Writer, t *Table) error {
	f := excelize.NewFile()
	defer f.Close()
	sheet := "Sheet1"
	if t.Title != "" {
		name := sheetName(t.Title)
		if err := f.SetSheetName(sheet, name); err != nil {
			return err
		}
		sheet = name
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	for i, h := range t.Header {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		if err := f.SetCellStr(sheet, cell, Neutralize(h)); err != nil {
			return err
		}
		_ = f.SetCellStyle(sheet, cell, cell, bold)
	}
	for r, row := range t.Rows {
		for i, c := range row {
			cell, _ := excelize.CoordinatesToCellName(i+1, r+2)
			var err error
			switch v := c.(type) {
			case string:
				err = f.SetCellStr(sheet, cell, Neutralize(v))
			case int:
				err = f.SetCellInt(sheet, cell, int64(v))
			case int64:
				err = f.SetCellInt(sheet, cell, v)
			case Yuan, models.Ratio:
				// A decimal number, written from its exact decimal text.
				if s := cellText(v); s != "" {
					n, _ := strconv.ParseFloat(s, 64)
					err = f.SetCellFloat(sheet, cell, n, -1, 64)
				}
			case nil:
			default:
				err = f.SetCellStr(sheet, cell, Neutralize(fmt.Sprint(v)))
			}
			if err != nil {
				return err
			}
		}
	}
	_ = f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
	if about := t.About(); about != nil {
		if _, err := f.NewSheet("说明"); err != nil {
			return err
		}
		for i, a := range about {
			for j, v := range a {
				cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
				if err := f.SetCellStr("说明", cell, Neutralize(v)); err != nil {
					return err
				}
			}
		}
	}
	return f.Write(w)
}

// PageCell is a table cell as a page shows it: money in 万元 (亿元 from 1 亿), a
// share as a percentage, nothing as "—".
func PageCell(v any) string {
	switch c := v.(type) {
	case Yuan:
		return models.FormatMoney(int64(c))
	case models.Ratio:
		if c.R == nil {
			return "—"
		}
		return c.Percent()
	case nil:
		return "—"
	case string:
		if c == "" {
			return "—"
		}
		return c
	}
	return fmt.Sprint(v)
}

// PageHeader is a column title as a page shows it: money carries its own unit.
func PageHeader(h string) string { return strings.Replace(h, "（元）", "", 1) }

// IsNumber reports whether a cell is a number (right-aligned on a page).
func IsNumber(v any) bool {
	switch v.(type) {
	case int, int64, Yuan, models.Ratio:
		return true
	}
	return false
}
