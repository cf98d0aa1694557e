package models

import (
	"strconv"
	"strings"
	"time"
)

// A Document is an official paper (公文) as plain content: heading, numbered
// sections of sentences, tables and charts, and the 落款. The 通报 is one; reports
// upward may be others. It holds text already formatted, so that a kept document
// renders the same on a page, in a PDF and in a Word file whatever changes later.
type Document struct {
	// Issuer is the 发文机关, DocumentNo the 文号 and DateText the date in 公文
	// style (二〇二六年十二月一日); all three are empty on a preview.
	Issuer     string `json:"issuer"`
	DocumentNo string `json:"document_no"`
	DateText   string `json:"date_text"`
	Title      string `json:"title"`
	// ScopeCode and ScopeName name the district or street the document is about.
	ScopeCode string `json:"scope_code"`
	ScopeName string `json:"scope_name"`
	// Lead is the opening paragraph, before the numbered sections.
	Lead     []string      `json:"lead"`
	Sections []DocSection  `json:"sections"`
	Notes    []string      `json:"notes"`
	AsOf     time.Time     `json:"as_of"`
	Meta     []DocMetaItem `json:"meta,omitempty"`
}

// DocMetaItem is one line of small print under the title (scope, year, as of).
type DocMetaItem struct {
	Label string `json:"label"`
	Value string `json:"value"`
}

// DocSection is one numbered section: its heading (with its number, 一、…), its
// sentences, then its charts and tables.
type DocSection struct {
	Heading    string     `json:"heading"`
	Paragraphs []string   `json:"paragraphs"`
	Charts     []DocChart `json:"charts,omitempty"`
	Tables     []DocTable `json:"tables,omitempty"`
}

// DocTable is a titled table of text cells; Numeric marks the columns aligned right.
type DocTable struct {
	Caption string     `json:"caption"`
	Header  []string   `json:"header"`
	Rows    [][]string `json:"rows"`
	Numeric []bool     `json:"numeric"`
}

// Chart kinds of a document.
const (
	ChartHBar   = "hbar"   // horizontal bars on a 0–100% scale, with a target line
	ChartColumn = "column" // columns of counts
)

// DocChart is a titled bar chart: its bars as values and the text written on them.
type DocChart struct {
	Title string   `json:"title"`
	Kind  string   `json:"kind"`
	Bars  []DocBar `json:"bars"`
	// Line is the target line of an hbar chart (a share), nil for none.
	Line      *float64 `json:"line,omitempty"`
	LineLabel string   `json:"line_label,omitempty"`
}

// DocBar is one bar: Value is a share (hbar) or a count (column); Colour a fill.
type DocBar struct {
	Label  string  `json:"label"`
	Value  float64 `json:"value"`
	Text   string  `json:"text"`
	Colour string  `json:"colour,omitempty"`
}

// Text is every sentence of the document in reading order (title, lead, headings,
// paragraphs, table captions and cells, 落款), one a line: what a reader of the PDF
// or the Word file should find.
func (d *Document) Text() string {
	var b strings.Builder
	line := func(s string) {
		if s != "" {
			b.WriteString(s)
			b.WriteByte('\n')
		}
	}
	line(d.Issuer)
	line(d.DocumentNo)
	line(d.Title)
	for _, p := range d.Lead {
		line(p)
	}
	for _, s := range d.Sections {
		line(s.Heading)
		for _, p := range s.Paragraphs {
			line(p)
		}
		for _, c := range s.Charts {
			line(c.Title)
		}
		for _, t := range s.Tables {
			line(t.Caption)
			line(strings.Join(t.Header, " "))
			for _, r := range t.Rows {
				line(strings.Join(r, " "))
			}
		}
	}
	line(d.Issuer)
	line(d.DateText)
	return b.String()
}

var cnDigits = []rune("〇一二三四五六七八九")

// ChineseDate writes a date the way a 公文 does: 二〇二六年十二月一日.
func ChineseDate(t time.Time) string {
	var b strings.Builder
	for _, r := range strconv.Itoa(t.Year()) {
		b.WriteRune(cnDigits[r-'0'])
	}
	b.WriteString("年")
	b.WriteString(ChineseNumber(int(t.Month())))
	b.WriteString("月")
	b.WriteString(ChineseNumber(t.Day()))
	b.WriteString("日")
	return b.String()
}

// ChineseNumber writes 1–99 in Chinese numerals (一, 十, 十一, 二十, 三十一), as
// section numbers and dates use them.
func ChineseNumber(n int) string {
	switch {
	case n <= 0 || n > 99:
		return strconv.Itoa(n)
	case n < 10:
		return string(cnDigits[n])
	}
	s := ""
	if n/10 > 1 {
		s = string(cnDigits[n/10])
	}
	s += "十"
	if n%10 > 0 {
		s += string(cnDigits[n%10])
	}
	return s
}
