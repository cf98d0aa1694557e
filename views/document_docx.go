package views

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"io"
	"strings"
	"time"

	"cunji/models"
)

// A Word document (.docx, Office Open XML) written by hand with archive/zip: the
// parts are few and fixed (content types, relationships, the document, its styles
// and a footer with the page number), and no maintained Go library for writing
// .docx is among this project's vetted dependencies. Offices edit the 通报 before
// 印发, so everything is ordinary editable text and tables; a chart becomes a
// titled table of its figures. Fonts are named, not embedded: Word uses the
// office's own 仿宋/黑体/宋体.

const docxNS = `xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"`

var docxStatic = map[string]string{
	"[Content_Types].xml": `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/><Override PartName="/word/footer1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/></Types>`,
	"_rels/.rels": `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`,
	"word/_rels/document.xml.rels": `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" Target="footer1.xml"/></Relationships>`,
	"word/styles.xml": `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles ` + docxNS + `><w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="仿宋_GB2312"/><w:sz w:val="32"/><w:szCs w:val="32"/><w:lang w:val="en-US" w:eastAsia="zh-CN"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:line="560" w:lineRule="exact"/><w:jc w:val="both"/></w:pPr></w:pPrDefault></w:docDefaults><w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style><w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:pPr><w:jc w:val="center"/><w:spacing w:before="240" w:after="240" w:line="700" w:lineRule="exact"/></w:pPr><w:rPr><w:rFonts w:eastAsia="方正小标宋简体"/><w:sz w:val="44"/><w:szCs w:val="44"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:pPr><w:ind w:firstLine="640"/><w:outlineLvl w:val="0"/></w:pPr><w:rPr><w:rFonts w:eastAsia="黑体"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="Caption"><w:name w:val="caption"/><w:pPr><w:jc w:val="center"/><w:spacing w:before="120" w:line="400" w:lineRule="exact"/></w:pPr><w:rPr><w:rFonts w:eastAsia="黑体"/><w:sz w:val="24"/></w:rPr></w:style><w:style w:type="table" w:styleId="TableGrid"><w:name w:val="Table Grid"/><w:tblPr><w:tblBorders><w:top w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:left w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:bottom w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:right w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:insideH w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:insideV w:val="single" w:sz="4" w:space="0" w:color="000000"/></w:tblBorders></w:tblPr></w:style></w:styles>`,
	"word/footer1.xml": `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:ftr ` + docxNS + `><w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:rPr><w:rFonts w:ascii="宋体" w:hAnsi="宋体" w:eastAsia="宋体"/><w:sz w:val="28"/></w:rPr><w:t xml:space="preserve">— </w:t></w:r><w:r><w:rPr><w:sz w:val="28"/></w:rPr><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:rPr><w:sz w:val="28"/></w:rPr><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r><w:r><w:rPr><w:sz w:val="28"/></w:rPr><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:rPr><w:sz w:val="28"/></w:rPr><w:t>1</w:t></w:r><w:r><w:rPr><w:sz w:val="28"/></w:rPr><w:fldChar w:fldCharType="end"/></w:r><w:r><w:rPr><w:rFonts w:ascii="宋体" w:hAnsi="宋体" w:eastAsia="宋体"/><w:sz w:val="28"/></w:rPr><w:t xml:space="preserve"> —</w:t></w:r></w:p></w:ftr>`,
}

// docxOrder is the order of the parts in the archive ([Content_Types].xml first).
var docxOrder = []string{"[Content_Types].xml", "_rels/.rels", "word/_rels/document.xml.rels", "word/styles.xml", "word/footer1.xml"}

func xmlText(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// docxPara writes one paragraph: style ("" for Normal), extra paragraph properties,
// run properties and its text.
func docxPara(b *strings.Builder, style, pPr, rPr, text string) {
	b.WriteString("<w:p><w:pPr>")
	if style != "" {
		b.WriteString(`<w:pStyle w:val="` + style + `"/>`)
	}
	b.WriteString(pPr + "</w:pPr><w:r>")
	if rPr != "" {
		b.WriteString("<w:rPr>" + rPr + "</w:rPr>")
	}
	b.WriteString(`<w:t xml:space="preserve">` + xmlText(text) + "</w:t></w:r></w:p>")
}

func docxTable(b *strings.Builder, caption string, header []string, rows [][]string, numeric []bool) {
	docxPara(b, "Caption", "", "", caption)
	b.WriteString(`<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="5000" w:type="pct"/><w:jc w:val="center"/></w:tblPr><w:tblGrid>`)
	for range header {
		b.WriteString(`<w:gridCol/>`)
	}
	b.WriteString("</w:tblGrid>")
	cell := func(text string, head, right bool) {
		jc := "left"
		if head {
			jc = "center"
		} else if right {
			jc = "right"
		}
		rPr := `<w:sz w:val="24"/><w:szCs w:val="24"/>`
		if head {
			rPr = `<w:rFonts w:eastAsia="黑体"/>` + rPr
		}
		b.WriteString("<w:tc><w:tcPr/>")
		docxPara(b, "", `<w:spacing w:line="360" w:lineRule="exact"/><w:jc w:val="`+jc+`"/>`, rPr, text)
		b.WriteString("</w:tc>")
	}
	b.WriteString(`<w:tr><w:trPr><w:tblHeader/></w:trPr>`)
	for _, h := range header {
		cell(h, true, false)
	}
	b.WriteString("</w:tr>")
	if len(rows) == 0 {
		rows = [][]string{append([]string{"无"}, make([]string, len(header)-1)...)}
	}
	for _, r := range rows {
		b.WriteString("<w:tr>")
		for i := range header {
			text := ""
			if i < len(r) {
				text = r[i]
			}
			cell(text, false, i < len(numeric) && numeric[i])
		}
		b.WriteString("</w:tr>")
	}
	b.WriteString("</w:tbl>")
}

// WriteDocumentDOCX writes a document as an editable Word file with the same text
// as its PDF: 发文机关 (red), 文号, title, numbered sections, tables (charts as
// tables of their figures), 落款, and the page number "— N —" in the footer. stamp
// dates the archive's entries, so that the same document gives the same bytes.
func WriteDocumentDOCX(w io.Writer, d *models.Document, stamp time.Time) error {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n<w:document " + docxNS + "><w:body>")
	if d.Issuer != "" {
		docxPara(&b, "", `<w:jc w:val="center"/><w:spacing w:line="900" w:lineRule="exact"/>`,
			`<w:rFonts w:eastAsia="方正小标宋简体"/><w:color w:val="C81010"/><w:sz w:val="72"/>`, d.Issuer)
		docxPara(&b, "", `<w:jc w:val="center"/><w:pBdr><w:bottom w:val="single" w:sz="18" w:space="8" w:color="C81010"/></w:pBdr>`, "", d.DocumentNo)
	}
	docxPara(&b, "Title", "", "", d.Title)
	body := func(s string) { docxPara(&b, "", `<w:ind w:firstLine="640"/>`, "", s) }
	for _, p := range d.Lead {
		body(p)
	}
	for _, s := range d.Sections {
		docxPara(&b, "Heading1", "", "", s.Heading)
		for _, p := range s.Paragraphs {
			body(p)
		}
		for _, c := range s.Charts {
			var rows [][]string
			for _, bar := range c.Bars {
				rows = append(rows, []string{bar.Label, bar.Text})
			}
			docxTable(&b, c.Title, []string{"项目", "数值"}, rows, []bool{false, true})
		}
		for _, t := range s.Tables {
			docxTable(&b, t.Caption, t.Header, t.Rows, t.Numeric)
		}
	}
	if d.Issuer != "" {
		docxPara(&b, "", `<w:spacing w:before="560"/><w:jc w:val="right"/><w:ind w:right="640"/>`, "", d.Issuer)
		docxPara(&b, "", `<w:jc w:val="right"/><w:ind w:right="640"/>`, "", d.DateText)
	}
	for _, n := range d.Notes {
		docxPara(&b, "", `<w:spacing w:before="240" w:line="300" w:lineRule="exact"/>`, `<w:sz w:val="18"/><w:color w:val="555555"/>`, n)
	}
	// A4, 公文 margins (37 mm top, 35 mm bottom, 28 mm left, 26 mm right), the footer.
	b.WriteString(`<w:sectPr><w:footerReference w:type="default" r:id="rId2"/><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="2098" w:right="1474" w:bottom="1984" w:left="1588" w:header="851" w:footer="992" w:gutter="0"/></w:sectPr></w:body></w:document>`)

	zw := zip.NewWriter(w)
	put := func(name, content string) error {
		f, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: stamp})
		if err != nil {
			return err
		}
		_, err = io.WriteString(f, content)
		return err
	}
	for _, name := range docxOrder {
		if err := put(name, docxStatic[name]); err != nil {
			return err
		}
	}
	if err := put("word/document.xml", b.String()); err != nil {
		return err
	}
	return zw.Close()
}
