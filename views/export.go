package views

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

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
		name := []rune(strings.NewReplacer(":", " ", "\\", " ", "/", " ", "?", " ", "*", " ", "[", "(", "]", ")").Replace(t.Title))
		if len(name) > 31 {
			name = name[:31]
		}
		if err := f.SetSheetName(sheet, string(name)); err != nil {
			return err
		}
		sheet = string(name)
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
	return f.Write(w)
}
