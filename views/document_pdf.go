package views

import (
	_ "embed"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"cunji/models"

	"github.com/go-pdf/fpdf"
)

// cjkFont is WenQuanYi Micro Hei cut to ASCII and GB2312 (views/fonts/LICENSE):
// 1.2 MB instead of the 5 MB collection. fpdf embeds in each PDF only the glyphs
// that PDF uses. A character outside GB2312 (a rare one in a village's name) has no
// glyph here; the .docx keeps it, since Word uses the office's own fonts.
//
//go:embed fonts/wqy-microhei-gb2312.ttf
var cjkFont []byte

const (
	pdfFont   = "wqy"
	pdfMargin = 20.0 // mm
	pdfBodyPt = 12.0
)

// WriteDocumentPDF writes a document as an A4 PDF: the 发文机关 in red over the
// 文号 and a red rule, the title, the numbered sections with their charts and
// tables, the 落款, and "— N —" at the foot of every page. stamp is the PDF's
// creation date, so that the same document gives the same bytes every time.
func WriteDocumentPDF(w io.Writer, d *models.Document, stamp time.Time) error {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCreationDate(stamp)
	pdf.SetModificationDate(stamp)
	pdf.SetTitle(d.Title, true)
	pdf.SetProducer("cunji", false)
	pdf.AddUTF8FontFromBytes(pdfFont, "", cjkFont)
	pdf.SetMargins(pdfMargin+5, pdfMargin, pdfMargin)
	pdf.SetAutoPageBreak(true, pdfMargin+5)
	pdf.SetFooterFunc(func() {
		pdf.SetY(-pdfMargin)
		pdf.SetFont(pdfFont, "", 11)
		pdf.SetTextColor(0, 0, 0)
		pdf.CellFormat(0, 8, "— "+strconv.Itoa(pdf.PageNo())+" —", "", 0, "C", false, 0, "")
	})
	pdf.AddPage()
	pageW, _ := pdf.GetPageSize()
	left, _, right, _ := pdf.GetMargins()
	width := pageW - left - right

	if d.Issuer != "" {
		pdf.SetFont(pdfFont, "", 26)
		pdf.SetTextColor(200, 16, 16)
		pdfLines(pdf, width, 13, d.Issuer, "C")
		pdf.Ln(3)
		pdf.SetTextColor(0, 0, 0)
		pdf.SetFont(pdfFont, "", pdfBodyPt)
		pdf.CellFormat(width, 7, d.DocumentNo, "", 1, "C", false, 0, "")
		y := pdf.GetY() + 2
		pdf.SetDrawColor(200, 16, 16)
		pdf.SetLineWidth(0.8)
		pdf.Line(left, y, left+width, y)
		pdf.SetDrawColor(0, 0, 0)
		pdf.SetLineWidth(0.2)
		pdf.SetY(y + 6)
	}
	pdf.SetFont(pdfFont, "", 18)
	pdfLines(pdf, width, 10, d.Title, "C")
	pdf.Ln(4)
	para := func(s string) {
		pdf.SetFont(pdfFont, "", pdfBodyPt)
		// Two full-width spaces open a paragraph, as in a 公文.
		pdfLines(pdf, width, 7.5, "\u3000\u3000"+s, "L")
		pdf.Ln(1)
	}
	for _, p := range d.Lead {
		para(p)
	}
	for _, s := range d.Sections {
		pdf.SetFont(pdfFont, "", 14)
		pdf.Ln(2)
		pdfLines(pdf, width, 8, "\u3000\u3000"+s.Heading, "L")
		for _, p := range s.Paragraphs {
			para(p)
		}
		for _, c := range s.Charts {
			pdfChart(pdf, left, width, c)
		}
		for _, t := range s.Tables {
			pdfTable(pdf, left, width, t)
		}
	}
	if d.Issuer != "" {
		pdf.SetFont(pdfFont, "", pdfBodyPt)
		pdf.Ln(12)
		pdf.CellFormat(width-8, 7.5, d.Issuer, "", 1, "R", false, 0, "")
		pdf.CellFormat(width-8, 7.5, d.DateText, "", 1, "R", false, 0, "")
	}
	pdf.Ln(6)
	pdf.SetFont(pdfFont, "", 9)
	pdf.SetTextColor(90, 90, 90)
	for _, n := range d.Notes {
		pdfLines(pdf, width, 5, n, "L")
	}
	if err := pdf.Error(); err != nil {
		return err
	}
	return pdf.Output(w)
}

// noLineStart are the marks a Chinese line must not begin with (避头点号).
const noLineStart = "，。、；：？！）》”’…%"

// pdfLines writes text in lines of at most width, broken between any two
// characters (Chinese has no spaces to break at) but never before a closing mark,
// which stays with the character before it. fpdf's MultiCell drops the character at
// a break when a UTF-8 line has no space, so the lines are cut here.
func pdfLines(pdf *fpdf.Fpdf, width, lineH float64, text, align string) {
	runes := []rune(text)
	for len(runes) > 0 {
		n := 1
		for n < len(runes) && pdf.GetStringWidth(string(runes[:n+1])) <= width {
			n++
		}
		for n < len(runes) && n > 1 && strings.ContainsRune(noLineStart, runes[n]) {
			n--
		}
		pdf.CellFormat(width, lineH, string(runes[:n]), "", 1, align, false, 0, "")
		runes = runes[n:]
	}
}

// pdfColour parses "#rrggbb" (the brand green when empty).
func pdfColour(s string) (int, int, int) {
	if len(s) != 7 || s[0] != '#' {
		s = colBrand
	}
	v, err := strconv.ParseUint(s[1:], 16, 32)
	if err != nil {
		return 26, 107, 79
	}
	return int(v >> 16 & 0xff), int(v >> 8 & 0xff), int(v & 0xff)
}

// pdfChart draws a titled bar chart, keeping it on one page.
func pdfChart(pdf *fpdf.Fpdf, left, width float64, c models.DocChart) {
	const rowH, colH = 7.0, 45.0
	height := 12 + colH + 12
	if c.Kind == models.ChartHBar {
		height = 12 + rowH*float64(len(c.Bars)) + 8
	}
	_, pageH := pdf.GetPageSize()
	if pdf.GetY()+height > pageH-pdfMargin-5 {
		pdf.AddPage()
	}
	pdf.Ln(3)
	pdf.SetFont(pdfFont, "", 11)
	pdf.SetTextColor(0, 0, 0)
	pdf.CellFormat(width, 7, c.Title, "", 1, "C", false, 0, "")
	top := pdf.GetY() + 2
	pdf.SetFont(pdfFont, "", 9)
	switch c.Kind {
	case models.ChartHBar:
		labelW := 28.0
		plotW := width - labelW - 18
		for i, b := range c.Bars {
			y := top + rowH*float64(i)
			pdf.Text(left, y+4.8, b.Label)
			r, g, bl := pdfColour(b.Colour)
			pdf.SetFillColor(r, g, bl)
			v := math.Max(0, math.Min(1, b.Value))
			pdf.Rect(left+labelW, y+1, math.Max(plotW*v, 0.3), rowH-2, "F")
			pdf.Text(left+labelW+plotW*v+1.5, y+4.8, b.Text)
		}
		if c.Line != nil {
			x := left + labelW + plotW*math.Max(0, math.Min(1, *c.Line))
			pdf.SetDrawColor(180, 35, 24)
			pdf.SetDashPattern([]float64{1.2, 1}, 0)
			pdf.Line(x, top-1, x, top+rowH*float64(len(c.Bars)))
			pdf.SetDashPattern(nil, 0)
			pdf.SetDrawColor(0, 0, 0)
			pdf.SetTextColor(180, 35, 24)
			pdf.Text(x-pdf.GetStringWidth(c.LineLabel)/2, top+rowH*float64(len(c.Bars))+4, c.LineLabel)
			pdf.SetTextColor(0, 0, 0)
		}
		pdf.SetY(top + rowH*float64(len(c.Bars)) + 7)
	default:
		max := 1.0
		for _, b := range c.Bars {
			max = math.Max(max, b.Value)
		}
		n := float64(len(c.Bars))
		slot := width / n
		barW := slot * 0.6
		base := top + colH
		pdf.Line(left, base, left+width, base)
		for i, b := range c.Bars {
			x := left + slot*float64(i)
			h := colH * b.Value / max
			r, g, bl := pdfColour(b.Colour)
			pdf.SetFillColor(r, g, bl)
			pdf.Rect(x+(slot-barW)/2, base-h, barW, math.Max(h, 0.01), "F")
			pdf.Text(x+(slot-pdf.GetStringWidth(b.Text))/2, base-h-1.2, b.Text)
			label := b.Label
			size := 9.0
			for size > 5 && pdf.GetStringWidth(label) > slot-0.5 {
				size -= 0.5
				pdf.SetFontSize(size)
			}
			pdf.Text(x+(slot-pdf.GetStringWidth(label))/2, base+4.5, label)
			pdf.SetFontSize(9)
		}
		pdf.SetY(base + 8)
	}
}

// pdfTable draws a titled table whose columns fit the text, repeating the head on
// each new page.
func pdfTable(pdf *fpdf.Fpdf, left, width float64, t models.DocTable) {
	const rowH = 7.0
	size := 10.0
	pdf.SetFont(pdfFont, "", size)
	widths := make([]float64, len(t.Header))
	measure := func() float64 {
		sum := 0.0
		for i, h := range t.Header {
			widths[i] = pdf.GetStringWidth(h) + 4
			for _, r := range t.Rows {
				if i < len(r) {
					widths[i] = math.Max(widths[i], pdf.GetStringWidth(r[i])+4)
				}
			}
			sum += widths[i]
		}
		return sum
	}
	sum := measure()
	for sum > width && size > 7 {
		size -= 0.5
		pdf.SetFontSize(size)
		sum = measure()
	}
	// Spread what is left over the columns.
	extra := math.Max(0, width-sum) / float64(len(widths))
	for i := range widths {
		widths[i] += extra
	}
	_, pageH := pdf.GetPageSize()
	if pdf.GetY()+7+2*rowH > pageH-pdfMargin-5 {
		pdf.AddPage()
	}
	pdf.Ln(3)
	pdf.SetFont(pdfFont, "", 11)
	pdf.CellFormat(width, 7, t.Caption, "", 1, "C", false, 0, "")
	pdf.SetFont(pdfFont, "", size)
	head := func() {
		pdf.SetFillColor(235, 240, 238)
		pdf.SetX(left)
		for i, h := range t.Header {
			pdf.CellFormat(widths[i], rowH, h, "1", 0, "C", true, 0, "")
		}
		pdf.Ln(rowH)
	}
	head()
	if len(t.Rows) == 0 {
		pdf.SetX(left)
		pdf.CellFormat(width, rowH, "无", "1", 1, "C", false, 0, "")
	}
	for _, r := range t.Rows {
		if pdf.GetY()+rowH > pageH-pdfMargin-5 {
			pdf.AddPage()
			pdf.SetFont(pdfFont, "", size)
			head()
		}
		pdf.SetX(left)
		for i := range t.Header {
			cell, align := "", "L"
			if i < len(r) {
				cell = r[i]
			}
			if i < len(t.Numeric) && t.Numeric[i] {
				align = "R"
			}
			pdf.CellFormat(widths[i], rowH, cell, "1", 0, align, false, 0, "")
		}
		pdf.Ln(rowH)
	}
	pdf.Ln(2)
}
