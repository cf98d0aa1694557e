package models_test

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"cunji/models"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// sheetPart writes the content of one part of a workbook.
type sheetPart func(w io.Writer)

// bombXLSX builds a workbook whose parts are replaced or added by parts; the rest
// is what excelize writes for an empty workbook. A part named with a size in
// lies is stored with that declared uncompressed size instead of its true one.
func bombXLSX(t testing.TB, parts map[string]sheetPart, lies map[string]uint64) []byte {
	t.Helper()
	f := excelize.NewFile()
	var base bytes.Buffer
	if err := f.Write(&base); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(base.Bytes()), int64(base.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	write := func(name string, content sheetPart) {
		if size, ok := lies[name]; ok {
			var raw bytes.Buffer
			fw, _ := flate.NewWriter(&raw, flate.BestCompression)
			content(fw)
			fw.Close()
			w, err := zw.CreateRaw(&zip.FileHeader{Name: name, Method: zip.Deflate, CompressedSize64: uint64(raw.Len()), UncompressedSize64: size})
			if err != nil {
				t.Fatal(err)
			}
			w.Write(raw.Bytes())
			return
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate})
		if err != nil {
			t.Fatal(err)
		}
		content(w)
	}
	for _, e := range zr.File {
		if parts[e.Name] != nil {
			continue
		}
		rc, _ := e.Open()
		data, _ := io.ReadAll(rc)
		write(e.Name, func(w io.Writer) { w.Write(data) })
	}
	for name, content := range parts {
		write(name, content)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// worksheet wraps rows of sheet XML.
func worksheet(rows func(w io.Writer)) sheetPart {
	return func(w io.Writer) {
		io.WriteString(w, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
		rows(w)
		io.WriteString(w, `</sheetData></worksheet>`)
	}
}

// inlineRow is a row of inline-string cells.
func inlineRow(n int, cells ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<row r="%d">`, n)
	for i, c := range cells {
		name, _ := excelize.CoordinatesToCellName(i+1, n)
		fmt.Fprintf(&b, `<c r="%s" t="inlineStr"><is><t>%s</t></is></c>`, name, c)
	}
	b.WriteString(`</row>`)
	return b.String()
}

// repeat writes n bytes of c.
func repeat(w io.Writer, c byte, n int) {
	chunk := bytes.Repeat([]byte{c}, 1<<16)
	for n > 0 {
		k := min(n, len(chunk))
		w.Write(chunk[:k])
		n -= k
	}
}

// heapUse runs fn and reports the highest heap in use above the level before it
// (sampled every half millisecond), the bytes it allocated and its duration.
func heapUse(fn func()) (peak, allocated uint64, took time.Duration) {
	runtime.GC()
	samples := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/gc/heap/allocs:bytes"}}
	metrics.Read(samples)
	base, alloc0 := samples[0].Value.Uint64(), samples[1].Value.Uint64()
	hi := base
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		tick := time.NewTicker(500 * time.Microsecond)
		defer tick.Stop()
		for {
			metrics.Read(s)
			hi = max(hi, s[0].Value.Uint64())
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	start := time.Now()
	fn()
	took = time.Since(start)
	close(done)
	<-stopped
	metrics.Read(samples)
	hi = max(hi, samples[0].Value.Uint64())
	return hi - base, samples[1].Value.Uint64() - alloc0, took
}

const villageHeaderXML = "村代码,村名称,街道代码,村庄类型,起始年度,终止年度"

// TestSheetBombs: every hostile sheet is refused with one clear message that
// quotes at most a few dozen characters of a cell, while the heap grows by less
// than 100 MB. Figures are logged (go test -v -run TestSheetBombs ./models).
func TestSheetBombs(t *testing.T) {
	if models.TestBackend() == "postgres" {
		t.Skip("no database involved")
	}
	header := strings.Split(villageHeaderXML, ",")
	bombs := []struct {
		name string
		data func() []byte
		want string // a word of the refusal ("": accepted)
	}{
		{"rows padded to column XFD", func() []byte {
			return bombXLSX(t, map[string]sheetPart{"xl/worksheets/sheet1.xml": worksheet(func(w io.Writer) {
				io.WriteString(w, inlineRow(1, header...))
				for r := 2; r <= 1000; r++ {
					fmt.Fprintf(w, `<row r="%d"><c r="A%d" t="inlineStr"><is><t>x</t></is></c><c r="XFD%d" t="inlineStr"><is><t>x</t></is></c></row>`, r, r, r)
				}
			})}, nil)
		}, "列"},
		{"a 64 MiB shared string", func() []byte {
			return bombXLSX(t, map[string]sheetPart{
				"xl/worksheets/sheet1.xml": worksheet(func(w io.Writer) { io.WriteString(w, `<row r="1"><c r="A1" t="s"><v>0</v></c></row>`) }),
				"xl/sharedStrings.xml": func(w io.Writer) {
					io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>`)
					repeat(w, 'A', 64<<20)
					io.WriteString(w, `</t></si></sst>`)
				},
			}, nil)
		}, "解压"},
		{"a 2 KiB cell among 2 MiB of shared strings", func() []byte {
			return bombXLSX(t, map[string]sheetPart{
				"xl/worksheets/sheet1.xml": worksheet(func(w io.Writer) {
					io.WriteString(w, inlineRow(1, header...))
					io.WriteString(w, `<row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2" t="s"><v>1</v></c></row>`)
				}),
				"xl/sharedStrings.xml": func(w io.Writer) {
					io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>1</t></si><si><t>`)
					repeat(w, 'E', 2<<10)
					io.WriteString(w, `</t></si>`)
					for i := 0; i < (2<<20)/22-400; i++ {
						fmt.Fprintf(w, `<si><t>%06x</t></si>`, i)
					}
					io.WriteString(w, `</sst>`)
				},
			}, nil)
		}, "字节"},
		{"100,000 cell formats", func() []byte {
			return bombXLSX(t, map[string]sheetPart{
				"xl/worksheets/sheet1.xml": worksheet(func(w io.Writer) { io.WriteString(w, `<row r="1"><c r="A1" s="5"><v>12.5</v></c></row>`) }),
				"xl/styles.xml": func(w io.Writer) {
					io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="1"><numFmt numFmtId="164" formatCode="0.00"/></numFmts><cellXfs>`)
					for range 100_000 {
						io.WriteString(w, `<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>`)
					}
					io.WriteString(w, `</cellXfs></styleSheet>`)
				},
			}, nil)
		}, "styles.xml"},
		{"2,000 parts", func() []byte {
			parts := map[string]sheetPart{}
			for i := range 2000 {
				parts[fmt.Sprintf("x/%d.bin", i)] = func(w io.Writer) {}
			}
			return bombXLSX(t, parts, nil)
		}, "部件"},
		{"200,000 rows", func() []byte {
			return bombXLSX(t, map[string]sheetPart{"xl/worksheets/sheet1.xml": worksheet(func(w io.Writer) {
				io.WriteString(w, inlineRow(1, header...))
				for r := 2; r <= 200_000; r++ {
					fmt.Fprintf(w, `<row r="%d"><c r="A%d" t="inlineStr"><is><t>%d</t></is></c></row>`, r, r, r)
				}
			})}, nil)
		}, "行"},
		{"one row at 1,048,576", func() []byte {
			return bombXLSX(t, map[string]sheetPart{"xl/worksheets/sheet1.xml": worksheet(func(w io.Writer) {
				io.WriteString(w, inlineRow(1, header...))
				io.WriteString(w, inlineRow(1_048_576, "x"))
			})}, nil)
		}, "行"},
		{"a worksheet of 64 MiB", func() []byte {
			return bombXLSX(t, map[string]sheetPart{"xl/worksheets/sheet1.xml": worksheet(func(w io.Writer) {
				io.WriteString(w, inlineRow(1, header...))
				repeat(w, ' ', 64<<20)
			})}, nil)
		}, "解压"},
		{"a worksheet declared 1 KiB that holds 64 MiB", func() []byte {
			return bombXLSX(t, map[string]sheetPart{"xl/worksheets/sheet1.xml": worksheet(func(w io.Writer) {
				io.WriteString(w, inlineRow(1, header...))
				repeat(w, ' ', 64<<20)
			})}, map[string]uint64{"xl/worksheets/sheet1.xml": 1 << 10})
		}, "无法识别"},
		{"a part declared 2^64-1 bytes", func() []byte {
			return bombXLSX(t, map[string]sheetPart{"xl/worksheets/sheet1.xml": worksheet(func(w io.Writer) {
				io.WriteString(w, inlineRow(1, header...))
			})}, map[string]uint64{"xl/worksheets/sheet1.xml": 1<<64 - 1})
		}, "解压"},
		{"a 12 MiB inline cell", func() []byte {
			return bombXLSX(t, map[string]sheetPart{"xl/worksheets/sheet1.xml": worksheet(func(w io.Writer) {
				io.WriteString(w, `<row r="1"><c r="A1" t="inlineStr"><is><t>`)
				repeat(w, 'B', 12<<20)
				io.WriteString(w, `</t></is></c></row>`)
			})}, nil)
		}, "字节"},
		{"a 9 MiB CSV cell", func() []byte {
			var b bytes.Buffer
			b.WriteString(villageHeaderXML + "\n331002003201,")
			repeat(&b, 'C', 9<<20)
			b.WriteString(",331002003,整治提升,2000,\n")
			return b.Bytes()
		}, "字节"},
		{"a CSV header of 9 MiB", func() []byte {
			var b bytes.Buffer
			repeat(&b, 'D', 9<<20)
			b.WriteString("\n1,2\n")
			return b.Bytes()
		}, "字节"},
		{"a CSV row of 30,000 cells", func() []byte {
			return []byte(villageHeaderXML + "\n" + strings.Repeat("x,", 30_000) + "\n")
		}, "列"},
		{"a CSV at the caps: 30,000 rows of 32 cells (accepted)", func() []byte {
			return []byte(strings.Repeat(strings.Repeat("1,", 31)+"1\n", models.VillageSheetRows))
		}, ""},
		{"a CSV of 200,000 rows", func() []byte {
			return []byte(villageHeaderXML + "\n" + strings.Repeat("x\n", 200_000))
		}, "行"},
	}
	for _, b := range bombs {
		t.Run(b.name, func(t *testing.T) {
			data := b.data()
			// CUNJI_WRITE_BOMBS=DIR keeps each bomb as a file, to upload to a running server.
			if dir := os.Getenv("CUNJI_WRITE_BOMBS"); dir != "" {
				ext := ".csv"
				if bytes.HasPrefix(data, []byte("PK")) {
					ext = ".xlsx"
				}
				if err := os.WriteFile(filepath.Join(dir, strings.NewReplacer(" ", "_", ",", "").Replace(b.name)+ext), data, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			var err error
			peak, allocated, took := heapUse(func() { _, err = models.ReadSheet(data, models.VillageSheetRows) })
			t.Logf("%s: file %d KB; answered in %v; heap peak +%.1f MB, allocated %.1f MB; %v",
				b.name, len(data)>>10, took.Round(time.Millisecond), float64(peak)/(1<<20), float64(allocated)/(1<<20), err)
			if b.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if peak > 100<<20 {
					t.Errorf("heap grew by %d MB", peak>>20)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), b.want) {
				t.Fatalf("not refused as expected (want %q): %.200v", b.want, err)
			}
			if msg := err.Error(); utf8.RuneCountInString(msg) > 160 || longestRun(msg) > 50 {
				t.Errorf("the message is too long or quotes a cell whole: %.300s", msg)
			}
			if peak > 100<<20 {
				t.Errorf("heap grew by %d MB", peak>>20)
			}
		})
	}
}

// longestRun is the length of the longest run of one repeated character.
func longestRun(s string) int {
	best, n := 0, 0
	var last rune
	for _, r := range s {
		if r == last {
			n++
		} else {
			last, n = r, 1
		}
		best = max(best, n)
	}
	return best
}

// TestSheetCells: a cell too long for a sheet is refused quoting its first 50
// characters; a header cell is quoted the same way; a GB18030 file with bytes that
// are not GB18030 is refused naming the row instead of creating names with
// replacement characters.
func TestSheetCells(t *testing.T) {
	long := strings.Repeat("长", 700) // 2,100 bytes
	_, err := models.ReadSheet(csvOf(villageHeaderXML, "331002003201,"+long+",331002003,整治提升,2000,"), models.VillageSheetRows)
	if err == nil || !strings.Contains(err.Error(), "第 2 行 B 列超过 1024 字节") || !strings.Contains(err.Error(), strings.Repeat("长", 50)+"…") ||
		strings.Contains(err.Error(), strings.Repeat("长", 51)) {
		t.Fatalf("a 2 KB cell: %v", err)
	}
	wide := strings.Repeat("宽", 300)
	rows, err := models.ReadSheet(csvOf("村代码,"+wide+",街道代码", "1,2,3"), models.VillageSheetRows)
	if err != nil {
		t.Fatal(err)
	}
	db, ac := setup(t)
	res, err := models.ImportVillages(db, ac["d"], rows, true)
	if err != nil || len(res.Problems) == 0 {
		t.Fatalf("a wrong header: %+v %v", res, err)
	}
	for _, p := range res.Problems {
		if strings.Contains(p.Message, strings.Repeat("宽", 51)) {
			t.Fatalf("the header cell is quoted whole: %.200s", p.Message)
		}
	}
	good, _ := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte("用户名,姓名,角色,范围代码,手机\r\nvillage-x,王五,村干部,331002001201,\r\n"))
	if _, err := models.ReadSheet(good, models.UserSheetRows); err != nil {
		t.Fatalf("a good GB18030 sheet: %v", err)
	}
	bad := bytes.Replace(good, []byte("village-x"), []byte("village-\xff\xfex"), 1)
	_, err = models.ReadSheet(bad, models.UserSheetRows)
	if err == nil || !strings.Contains(err.Error(), "第 2 行 A 列") || !strings.Contains(err.Error(), "无法识别的字符") {
		t.Fatalf("a GB18030 sheet with invalid bytes: %v", err)
	}
}
