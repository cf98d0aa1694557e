package views

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"cunji/models"
)

func sampleDocument(rows int) *models.Document {
	line := 0.85
	d := &models.Document{Issuer: "椒江区农业农村局", DocumentNo: "椒农〔2026〕12号", DateText: "二〇二六年十二月一日",
		Title: "关于椒江区2025年度“千村示范、万村整治”工程进展情况的通报",
		Lead:  []string{"现将椒江区2025年度“千村示范、万村整治”工程主要指标进展情况通报如下。"},
		Notes: []string{"数据口径：仅统计街道审核通过的数据。"}}
	t := models.DocTable{Caption: "表 4　冲刺名单", Header: []string{"村", "街道/镇", "经营性收入（万元）", "上年（万元）"}, Numeric: []bool{false, false, true, true}}
	for i := 0; i < rows; i++ {
		t.Rows = append(t.Rows, []string{"甲村", "海门街道", "45.00", "60.00"})
	}
	d.Sections = []models.DocSection{
		{Heading: "一、总体情况", Paragraphs: []string{"全区 198 个行政村中，经营性收入达 50 万元以上的村 150 个，占 75.8%，较上年提高 3.5 个百分点。"},
			Charts: []models.DocChart{{Title: "图 1　经营性收入分布", Kind: models.ChartColumn, Bars: []models.DocBar{{Label: "0–10万", Value: 3, Text: "3"}, {Label: "100万以上", Value: 20, Text: "20"}}},
				{Title: "图 3　各街道占比", Kind: models.ChartHBar, Line: &line, LineLabel: "目标 85.0%", Bars: []models.DocBar{{Label: "海门街道", Value: 0.7, Text: "70.0%"}}}}},
		{Heading: "二、冲刺名单与预警名单", Paragraphs: []string{"经营性收入 40 万至 50 万元的村 60 个，列入冲刺名单。"}, Tables: []models.DocTable{t}},
	}
	return d
}

var pageRe = regexp.MustCompile(`/Type /Page\b[^s]`)

// TestDocumentPDF: the PDF has pages numbered "— N —", its text (pdftotext) holds
// the 发文机关, 文号, the sentences, the tables and the 落款, and the same
// document gives the same bytes.
func TestDocumentPDF(t *testing.T) {
	d := sampleDocument(60)
	stamp := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	var a, b bytes.Buffer
	if err := WriteDocumentPDF(&a, d, stamp); err != nil {
		t.Fatal(err)
	}
	if err := WriteDocumentPDF(&b, d, stamp); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("the same document gave different PDF bytes")
	}
	pages := len(pageRe.FindAll(a.Bytes(), -1))
	if pages < 2 {
		t.Fatalf("%d pages, want at least 2 with 60 rows", pages)
	}
	text := PDFText(t, a.Bytes())
	flat := strings.Join(strings.Fields(text), "")
	for _, want := range []string{d.Issuer, d.DocumentNo, "全区198个行政村中，经营性收入达50万元以上的村150个，占75.8%",
		"二、冲刺名单与预警名单", "表4", "图1", "经营性收入分布", "目标85.0%", "二〇二六年十二月一日", "—1—", "—2—"} {
		if !strings.Contains(flat, want) {
			t.Errorf("PDF text lacks %q:\n%s", want, text)
		}
	}
	t.Logf("%d pages, %d bytes", pages, a.Len())
	if dir := os.Getenv("CUNJI_ARTIFACTS"); dir != "" {
		_ = os.WriteFile(filepath.Join(dir, "document-sample.pdf"), a.Bytes(), 0o644)
	}
}

// PDFText extracts a PDF's text with poppler's pdftotext (CI installs it).
func PDFText(t *testing.T, pdf []byte) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("pdftotext (poppler-utils) is missing in CI")
		}
		t.Skip("pdftotext (poppler-utils) is not installed")
	}
	f := filepath.Join(t.TempDir(), "d.pdf")
	if err := os.WriteFile(f, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", f, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

// DOCXText opens a .docx, checks that every part is well-formed XML and that the
// parts Word needs are there, and returns the document's text, one paragraph a line.
func DOCXText(t *testing.T, docx []byte) string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(docx), int64(len(docx)))
	if err != nil {
		t.Fatalf("not a zip: %v", err)
	}
	seen := map[string]bool{}
	var text strings.Builder
	for _, f := range zr.File {
		seen[f.Name] = true
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(rc)
		rc.Close()
		dec := xml.NewDecoder(bytes.NewReader(raw))
		inText := false
		for {
			tok, err := dec.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s: not well-formed XML: %v", f.Name, err)
			}
			if f.Name != "word/document.xml" {
				continue
			}
			switch el := tok.(type) {
			case xml.StartElement:
				inText = el.Name.Local == "t"
			case xml.EndElement:
				inText = false
				if el.Name.Local == "p" {
					text.WriteByte('\n')
				}
			case xml.CharData:
				if inText {
					text.Write(el)
				}
			}
		}
	}
	for _, part := range []string{"[Content_Types].xml", "_rels/.rels", "word/document.xml", "word/styles.xml", "word/footer1.xml", "word/_rels/document.xml.rels"} {
		if !seen[part] {
			t.Errorf("docx lacks %s", part)
		}
	}
	return text.String()
}

// TestDocumentDOCX: the Word file is a valid package of well-formed XML holding
// the same sentences, tables and 落款 as the PDF.
func TestDocumentDOCX(t *testing.T) {
	d := sampleDocument(3)
	var buf bytes.Buffer
	if err := WriteDocumentDOCX(&buf, d, time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	text := DOCXText(t, buf.Bytes())
	for _, want := range append(strings.Split(strings.TrimSpace(d.Text()), "\n"), "海门街道") {
		if !strings.Contains(text, strings.Split(want, " ")[0]) {
			t.Errorf("docx lacks %q", want)
		}
	}
	if !strings.Contains(text, d.Sections[0].Paragraphs[0]) {
		t.Errorf("docx lacks the sentence whole")
	}
}
