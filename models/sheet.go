package models

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
)

// MaxSheetBytes is the largest spreadsheet accepted (a province's villages are
// about 2 MB as CSV); it stays below the server's limit of a request body (12 MB),
// so that a file too large is told so in words.
const MaxSheetBytes = 10 << 20

// Errors of ReadSheet, in Chinese for the page and the API.
var (
	ErrSheetTooLarge = fmt.Errorf("文件超过 %d MB", MaxSheetBytes>>20)
	ErrSheetEmpty    = errors.New("文件是空的，或第一个工作表没有数据")
	ErrSheetKind     = errors.New("无法识别的文件：请上传 Excel（.xlsx）或 CSV 文件（按内容识别，与扩展名无关）")
)

// ReadSheet reads the first sheet of an .xlsx workbook or a CSV file, recognised by
// content: a zip archive is a workbook; anything else must be CSV text in UTF-8
// (with or without a byte-order mark) or in GB18030, as Excel saves it in China.
// Rows are streamed and kept within maxRows and the limits of sheet_bounds.go;
// every cell is normalised (see NormalizeCell); rows keep their sheet numbering.
// Every import reads its sheet here.
func ReadSheet(data []byte, maxRows int) ([][]string, error) {
	if len(data) > MaxSheetBytes {
		return nil, ErrSheetTooLarge
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, ErrSheetEmpty
	}
	t := &sheetTable{maxRows: maxRows}
	var err error
	if bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		err = eachXLSXRow(data, t.add)
	} else {
		err = eachCSVRow(data, t.add)
	}
	if err != nil {
		return nil, err
	}
	if len(t.rows) == 0 {
		return nil, ErrSheetEmpty
	}
	return t.rows, nil
}

// CheckSheetName refuses, in one sentence, a file whose name says Excel but whose
// content is not a workbook (a text file renamed .xlsx, an old .xls).
func CheckSheetName(name string, data []byte) error {
	ext := strings.ToLower(filepath.Ext(name))
	switch {
	case bytes.HasPrefix(data, []byte("\xD0\xCF\x11\xE0")):
		return errors.New("无法识别的文件：这是旧版 Excel（.xls）文件，请在 Excel 中另存为 .xlsx 后再上传。")
	case (ext == ".xlsx" || ext == ".xlsm" || ext == ".xls") && !bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return errors.New("无法识别的文件：文件名是 " + ext + "，但内容不是 Excel 工作簿（可能是改了扩展名的其他文件），请在 Excel 中另存为 .xlsx 后再上传。")
	}
	return nil
}

// NormalizeCell trims spaces (including full-width and non-breaking ones) and maps
// full-width digits, letters and punctuation to ASCII.
func NormalizeCell(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '！' && r <= '～': // full-width ASCII block
			b.WriteRune(r - 0xFEE0)
		case r == '\u3000' || r == '\u00A0':
			b.WriteRune(' ')
		default:
			b.WriteRune(r)
		}
	}
	return strings.TrimSpace(b.String())
}

// blankRow reports whether every cell is empty.
func blankRow(r []string) bool {
	for _, c := range r {
		if c != "" {
			return false
		}
	}
	return true
}

// ImportProblem is one problem of an import: the sheet row (1 = header), the column
// and a message in Chinese.
type ImportProblem struct {
	Row     int    `json:"row"`
	Column  string `json:"column"`
	Message string `json:"message"`
}

// cell is a row's i-th cell or "".
func cell(r []string, i int) string {
	if i < len(r) {
		return r[i]
	}
	return ""
}

// eachDataRow calls fn for every row from start on but blank ones and total lines, with its sheet row
// number and a way to record a problem of it; it returns how many rows it saw.
func eachDataRow(rows [][]string, start int, problems *[]ImportProblem, fn func(n int, r []string, bad func(col, msg string))) int {
	count := 0
	for i := start; i < len(rows); i++ {
		if blankRow(rows[i]) || totalRow(rows[i]) {
			continue
		}
		count++
		n := i + 1
		fn(n, rows[i], func(col, msg string) { *problems = append(*problems, ImportProblem{n, col, msg}) })
	}
	return count
}
