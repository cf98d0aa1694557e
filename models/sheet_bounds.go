package models

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"
)

// Limits of every spreadsheet the server reads, whatever it imports. A sheet
// beyond one of them is refused before anything is allocated for it: the parts of
// an .xlsx are checked (declared sizes, and every XML part streamed once) before
// excelize opens it, and rows are streamed, one at a time, into a bounded table.
const (
	// MaxSheetCols is the most cells a row may have (trailing empty ones aside).
	MaxSheetCols = 32
	// MaxCellBytes is the longest cell, in bytes of UTF-8.
	MaxCellBytes = 1024
	// MaxSheetText is the most text all the cells of a sheet may hold together.
	MaxSheetText = 16 << 20
	// MaxSheetUnzipped is the most an .xlsx may hold uncompressed, all parts together.
	MaxSheetUnzipped = 48 << 20

	maxWorksheetBytes = 16 << 20 // one worksheet, uncompressed (streamed from a temporary file)
	maxStringsBytes   = 2 << 20  // the shared strings table, uncompressed (indexed from disk)
	maxOtherBytes     = 16 << 20 // every other part together (styles, theme, pictures)
	maxOtherXML       = 4 << 20  // every other XML part together (excelize may parse them)
	maxOtherXMLPart   = 2 << 20  // one other XML part (styles.xml: ~25,000 formats)
	maxSheetParts     = 1000     // parts of an .xlsx (Excel writes a dozen or two)
	maxXMLRun         = 8 << 10  // longest run of an XML part without '<' or '>'
	inMemoryPart      = 1 << 20  // excelize keeps a larger part on disk and streams it
	maxCSVLine        = 64 << 10 // longest line of a CSV file
	quoteChars        = 50       // characters of a cell quoted in a message
)

// errCSVLine stops a CSV line longer than maxCSVLine while it is read.
var errCSVLine = errors.New("CSV line too long")

// quoteCell gives at most quoteChars characters of a cell, for a message.
func quoteCell(s string) string {
	if utf8.RuneCountInString(s) <= quoteChars {
		return "“" + s + "”"
	}
	n := 0
	for i := range s {
		if n == quoteChars {
			return "“" + s[:i] + "…”"
		}
		n++
	}
	return "“" + s + "”"
}

// megabytes formats a limit for a message.
func megabytes(n int64) string { return fmt.Sprintf("%d MB", n>>20) }

// checkXLSX checks the parts of a zip archive against the limits before excelize
// reads it: their number, their declared sizes, and, streaming each XML part once,
// that it holds what it declares and no text run longer than a cell may be.
func checkXLSX(data []byte) error {
	if n, ok := zipEntries(data); !ok {
		return ErrSheetKind
	} else if n > maxSheetParts {
		return fmt.Errorf("Excel 文件包含 %d 个部件，超过上限 %d，请另存为只含数据的工作簿", n, maxSheetParts)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil || len(zr.File) > maxSheetParts {
		return ErrSheetKind
	}
	tooLarge := func(what string, limit int64) error {
		return fmt.Errorf("Excel 文件的%s解压后超过 %s（上限），请删去多余的内容或改用 CSV", what, megabytes(limit))
	}
	var total, other, otherXML uint64
	for _, f := range zr.File {
		size := f.UncompressedSize64
		name := strings.ToLower(strings.ReplaceAll(f.Name, "\\", "/"))
		worksheet := strings.HasPrefix(name, "xl/worksheets/sheet")
		sst := name == "xl/sharedstrings.xml"
		switch {
		case worksheet && size > maxWorksheetBytes:
			return tooLarge("工作表", maxWorksheetBytes)
		case sst && size > maxStringsBytes:
			return tooLarge("共享字符串表", maxStringsBytes)
		case size > MaxSheetUnzipped:
			return tooLarge("部件"+quoteCell(f.Name), MaxSheetUnzipped)
		case worksheet || sst:
		case isXMLPart(name) && size > maxOtherXMLPart:
			return tooLarge("部件"+quoteCell(f.Name), maxOtherXMLPart)
		case isXMLPart(name):
			otherXML += size
			other += size
		default:
			other += size
		}
		total += size
		switch {
		case total > MaxSheetUnzipped:
			return tooLarge("全部内容", MaxSheetUnzipped)
		case other > maxOtherBytes:
			return tooLarge("样式、图片等部件", maxOtherBytes)
		case otherXML > maxOtherXML:
			return tooLarge("样式等部件", maxOtherXML)
		}
	}
	for _, f := range zr.File {
		if !isXMLPart(strings.ToLower(f.Name)) {
			continue // pictures and the like: excelize does not parse them
		}
		if err := scanXMLPart(f); err != nil {
			return err
		}
	}
	return nil
}

// isXMLPart reports whether a part (named in lower case) is XML, which excelize
// may parse.
func isXMLPart(name string) bool {
	return strings.HasSuffix(name, ".xml") || strings.HasSuffix(name, ".rels")
}

// scanXMLPart streams one part and refuses it when it holds more than it declares
// (archive/zip stops there) or a run of text longer than a cell may be.
func scanXMLPart(f *zip.File) error {
	rc, err := f.Open()
	if err != nil {
		return ErrSheetKind
	}
	defer rc.Close()
	buf := make([]byte, 32<<10)
	run := 0
	for {
		n, err := rc.Read(buf)
		for _, c := range buf[:n] {
			if c == '<' || c == '>' {
				run = 0
				continue
			}
			if run++; run > maxXMLRun {
				return fmt.Errorf("Excel 文件中有超过 %d 字节的单元格或属性（部件 %s），请检查文件", MaxCellBytes, quoteCell(f.Name))
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return ErrSheetKind
		}
	}
}

// zipEntries reads the number of entries from a zip archive's end record, as
// archive/zip finds it (the last one whose comment fits), before anything is
// allocated per entry. archive/zip compares that number with the entries it finds
// only modulo 65,536, so the size of the central directory is bounded too (about
// 1 KB an entry; beyond, the archive is not taken for a workbook). A ZIP64
// archive is not a spreadsheet anyone uploads either.
func zipEntries(data []byte) (int, bool) {
	const endLen = 22
	from := max(0, len(data)-endLen-0xFFFF)
	for i := len(data) - endLen; i >= from; i-- {
		if !bytes.HasPrefix(data[i:], []byte("PK\x05\x06")) {
			continue
		}
		comment := int(binary.LittleEndian.Uint16(data[i+20:]))
		if i+endLen+comment > len(data) {
			continue
		}
		n := int(binary.LittleEndian.Uint16(data[i+10:]))
		dir := binary.LittleEndian.Uint32(data[i+12:])
		return n, n != 0xFFFF && dir <= maxSheetParts<<10
	}
	return 0, false
}

// eachXLSXRow streams the rows of the first sheet of a checked workbook.
func eachXLSXRow(data []byte, fn func([]string) error) error {
	if err := checkXLSX(data); err != nil {
		return err
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		UnzipSizeLimit: MaxSheetUnzipped, UnzipXMLSizeLimit: inMemoryPart})
	if err != nil {
		return ErrSheetKind
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return ErrSheetEmpty
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		return ErrSheetKind
	}
	defer rows.Close()
	for rows.Next() {
		cells, err := rows.Columns()
		if err != nil {
			return ErrSheetKind
		}
		if err := fn(cells); err != nil {
			return err
		}
	}
	if rows.Error() != nil {
		return ErrSheetKind
	}
	return nil
}

// eachCSVRow streams the records of a CSV file in UTF-8 (with or without a
// byte-order mark) or GB18030; no line may be longer than maxCSVLine.
func eachCSVRow(data []byte, fn func([]string) error) error {
	text := bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	if bytes.IndexByte(text, 0) >= 0 {
		return ErrSheetKind // binary content named .csv
	}
	var src io.Reader = bytes.NewReader(text)
	if !utf8.Valid(text) {
		src = transform.NewReader(src, simplifiedchinese.GB18030.NewDecoder())
	}
	r := csv.NewReader(&lineLimit{r: src})
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	r.ReuseRecord = true
	for n := 1; ; n++ {
		rec, err := r.Read()
		switch {
		case err == io.EOF:
			return nil
		case errors.Is(err, errCSVLine):
			return fmt.Errorf("CSV 第 %d 行起有一行超过 %d 字节，请检查文件", n, maxCSVLine)
		case err != nil:
			return fmt.Errorf("CSV 格式错误：%w", err)
		}
		if err := fn(rec); err != nil {
			return err
		}
	}
}

// lineLimit fails a read once a line grows longer than maxCSVLine.
type lineLimit struct {
	r    io.Reader
	line int
}

func (l *lineLimit) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	for _, c := range p[:n] {
		if c == '\n' {
			l.line = 0
		} else if l.line++; l.line > maxCSVLine {
			return 0, errCSVLine
		}
	}
	return n, err
}

// sheetTable collects streamed rows within the limits: numbering kept, cells
// normalised, every cell checked before it is kept.
type sheetTable struct {
	maxRows int
	rows    [][]string
	seen    int // rows seen, blank ones past the limit included
	text    int
}

func (t *sheetTable) add(r []string) error {
	t.seen++
	n := t.seen
	for len(r) > 0 && strings.TrimSpace(r[len(r)-1]) == "" {
		r = r[:len(r)-1]
	}
	if n > t.maxRows {
		if len(r) == 0 {
			return nil
		}
		return fmt.Errorf("文件超过 %d 行（第 %d 行有数据），请分成几个文件导入", t.maxRows, n)
	}
	if len(r) > MaxSheetCols {
		return fmt.Errorf("第 %d 行超过 %d 列，请删去多余的列", n, MaxSheetCols)
	}
	row := make([]string, len(r))
	for i, c := range r {
		col, _ := excelize.ColumnNumberToName(i + 1)
		if len(c) > MaxCellBytes {
			return fmt.Errorf("第 %d 行 %s 列超过 %d 字节：%s", n, col, MaxCellBytes, quoteCell(c))
		}
		if strings.ContainsRune(c, utf8.RuneError) {
			return fmt.Errorf("第 %d 行 %s 列有无法识别的字符：%s（文件须为 UTF-8 或 GB18030 编码）", n, col, quoteCell(c))
		}
		if t.text += len(c); t.text > MaxSheetText {
			return fmt.Errorf("文件的文字超过 %s，请分成几个文件导入", megabytes(MaxSheetText))
		}
		row[i] = NormalizeCell(c)
	}
	t.rows = append(t.rows, row)
	return nil
}
