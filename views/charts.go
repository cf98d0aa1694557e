package views

import (
	"fmt"
	"html"
	"html/template"
	"strings"

	"cunji/models"
)

// Charts are drawn on the server as inline SVG: nothing to load, readable on a phone
// (they scale with the page) and in print. Colours are presentation attributes, not
// inline styles, so the Content-Security-Policy needs no exception. Geometry uses
// floating point; the figures shown as text come formatted from exact values.

// Colours of the charts.
const (
	colBrand  = "#1a6b4f"
	colTarget = "#b42318"
	colMuted  = "#98a2b3"
	// colReference draws the reference path: neither a figure nor a target.
	colReference = "#4e5ba6"
	colGreen     = "#1a7f37"
	colYellow    = "#d29a00"
	colRed       = "#b42318"
)

// ColourFill maps a ranking colour to a fill.
func ColourFill(c string) string {
	switch c {
	case "green":
		return colGreen
	case "yellow":
		return colYellow
	case "red":
		return colRed
	}
	return colBrand
}

// Bar is one bar of a bar chart: its label, its length as a fraction of the
// scale, the text written beside it and its fill.
type Bar struct {
	Label string
	Value float64
	Text  string
	Fill  string
}

func esc(s string) string { return html.EscapeString(s) }

// Each chart is drawn twice: wide for a screen and for print, narrow for a phone,
// where a 640-unit drawing would shrink its labels to about 6 px. The narrow one is
// 320 units wide, so at 375 px (about 320 px of card) its labels keep their 12–13 px.
// CSS shows one of them (.chart-wide, .chart-narrow).
const narrowW = 320.0

func both(wide, narrow string) template.HTML {
	return template.HTML(`<div class="chart-wide">` + wide + `</div><div class="chart-narrow">` + narrow + `</div>`)
}

// HBarChart draws horizontal bars on a 0–100% scale with a vertical target line.
func HBarChart(title string, bars []Bar, line float64, lineLabel string) template.HTML {
	return both(hbars(title, bars, line, lineLabel, 640, 110), hbars(title, bars, line, lineLabel, narrowW, 78))
}

func hbars(title string, bars []Bar, line float64, lineLabel string, w, labelW float64) string {
	const rowH, top = 26.0, 28.0
	plotW := w - labelW - 62
	h := top + rowH*float64(len(bars)) + 10
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %.0f %.0f" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg">`, w, h, esc(title))
	fmt.Fprintf(&b, `<title>%s</title>`, esc(title))
	for i, br := range bars {
		y := top + rowH*float64(i)
		v := clamp01(br.Value)
		fill := br.Fill
		if fill == "" {
			fill = colBrand
		}
		fmt.Fprintf(&b, `<text x="%.0f" y="%.1f" text-anchor="end" font-size="13" fill="#1d2733">%s</text>`, labelW-8, y+15, esc(br.Label))
		fmt.Fprintf(&b, `<rect x="%.0f" y="%.1f" width="%.1f" height="16" fill="#e4e8ee"/>`, labelW, y+3, plotW)
		fmt.Fprintf(&b, `<rect x="%.0f" y="%.1f" width="%.1f" height="16" fill="%s"/>`, labelW, y+3, plotW*v, fill)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="12" fill="#1d2733">%s</text>`, labelW+plotW+6, y+15, esc(br.Text))
	}
	if line > 0 {
		x := labelW + plotW*clamp01(line)
		fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%.0f" y2="%.0f" stroke="%s" stroke-width="2" stroke-dasharray="4 3"/>`, x, x, top-6, h-6, colTarget)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.0f" text-anchor="middle" font-size="12" fill="%s">%s</text>`, x, top-10, colTarget, esc(lineLabel))
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// ColumnChart draws vertical columns of counts with their labels below.
// On a phone the columns lie down: a dozen columns in 320 units leave no room
// for their labels.
func ColumnChart(title string, bars []Bar) template.HTML {
	if len(bars) == 0 {
		return ""
	}
	max := 0.0
	for _, br := range bars {
		if br.Value > max {
			max = br.Value
		}
	}
	if max == 0 {
		max = 1
	}
	lying := make([]Bar, len(bars))
	for i, br := range bars {
		lying[i] = br
		lying[i].Value = br.Value / max
	}
	return both(columns(title, bars, max), hbars(title, lying, 0, "", narrowW, 78))
}

func columns(title string, bars []Bar, max float64) string {
	const w, h, left, bottom, top = 640.0, 240.0, 10.0, 40.0, 20.0
	n := float64(len(bars))
	slot := (w - 2*left) / n
	plotH := h - bottom - top
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %.0f %.0f" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg">`, w, h, esc(title))
	fmt.Fprintf(&b, `<title>%s</title>`, esc(title))
	for i, br := range bars {
		x := left + slot*float64(i)
		bh := plotH * br.Value / max
		fill := br.Fill
		if fill == "" {
			fill = colBrand
		}
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"/>`, x+slot*0.15, top+plotH-bh, slot*0.7, bh, fill)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle" font-size="12" fill="#1d2733">%s</text>`, x+slot/2, top+plotH-bh-4, esc(br.Text))
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle" font-size="12" fill="#475467">%s</text>`, x+slot/2, h-bottom+16, esc(br.Label))
	}
	fmt.Fprintf(&b, `<line x1="%.0f" x2="%.0f" y1="%.1f" y2="%.1f" stroke="%s"/>`, left, w-left, top+plotH, top+plotH, colMuted)
	b.WriteString(`</svg>`)
	return b.String()
}

// Series is one line of a line chart; a nil value is a gap.
type Series struct {
	Name   string
	Values []*float64
	Colour string
	Dashed bool
	// Dotted draws a line of dots (a reference, not a figure), without points.
	Dotted bool
}

// LineChart draws series over labelled x positions (years) on a 0–max scale, with
// a legend; yText formats the axis.
func LineChart(title string, xs []string, series []Series, max float64, yText func(float64) string) template.HTML {
	if max <= 0 {
		max = 1
	}
	return both(lines(title, xs, series, max, yText, 640, 260, 150, 0), lines(title, xs, series, max, yText, narrowW, 200, 0, 20))
}

// lines draws a line chart w wide with a plot h high; the legend's entries stand
// legendDX apart on one line, or legendDY apart one under the other.
func lines(title string, xs []string, series []Series, max float64, yText func(float64) string, w, plotHigh, legendDX, legendDY float64) string {
	const left, right, top = 70.0, 20.0, 20.0
	bottom := 56.0 + legendDY*float64(max0(len(series)-1))
	h := plotHigh + bottom - 56
	plotW, plotH := w-left-right, h-top-bottom
	xAt := func(i int) float64 {
		if len(xs) < 2 {
			return left + plotW/2
		}
		return left + plotW*float64(i)/float64(len(xs)-1)
	}
	yAt := func(v float64) float64 { return top + plotH*(1-v/max) }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %.0f %.0f" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg">`, w, h, esc(title))
	fmt.Fprintf(&b, `<title>%s</title>`, esc(title))
	for k := 0; k <= 4; k++ {
		v := max * float64(k) / 4
		y := yAt(v)
		fmt.Fprintf(&b, `<line x1="%.0f" x2="%.0f" y1="%.1f" y2="%.1f" stroke="#e4e8ee"/>`, left, w-right, y, y)
		fmt.Fprintf(&b, `<text x="%.0f" y="%.1f" text-anchor="end" font-size="12" fill="#475467">%s</text>`, left-6, y+4, esc(yText(v)))
	}
	for i, x := range xs {
		fmt.Fprintf(&b, `<text x="%.1f" y="%.0f" text-anchor="middle" font-size="12" fill="#475467">%s</text>`, xAt(i), top+plotH+18, esc(x))
	}
	for si, s := range series {
		var pts []string
		flush := func() {
			if len(pts) > 1 {
				dash := s.dash()
				fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="2.5"%s/>`, strings.Join(pts, " "), s.Colour, dash)
			}
			pts = nil
		}
		for i, v := range s.Values {
			if v == nil {
				flush()
				continue
			}
			x, y := xAt(i), yAt(*v)
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x, y))
			if !s.Dotted {
				fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3.5" fill="%s"/>`, x, y, s.Colour)
			}
		}
		flush()
		lx := left + float64(si)*legendDX
		ly := h - 12 - legendDY*float64(len(series)-1-si)
		if legendDY > 0 {
			lx = 10
		}
		fmt.Fprintf(&b, `<line x1="%.0f" x2="%.0f" y1="%.0f" y2="%.0f" stroke="%s" stroke-width="2.5"%s/>`, lx, lx+24, ly, ly, s.Colour, s.dash())
		fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" font-size="12" fill="#1d2733">%s</text>`, lx+30, ly+4, esc(s.Name))
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// dash is the stroke pattern of the series' line.
func (s *Series) dash() string {
	switch {
	case s.Dotted:
		return ` stroke-dasharray="2 5" stroke-linecap="round"`
	case s.Dashed:
		return ` stroke-dasharray="6 4"`
	}
	return ""
}

func max0(n int) int {
	if n < 0 {
		return 0
	}
	return n
}

func clamp01(v float64) float64 {
	switch {
	case v < 0:
		return 0
	case v > 1:
		return 1
	}
	return v
}

// Chart colours for the trend series.
var (
	ColActual    = colBrand
	ColTarget    = colTarget
	ColProjected = colMuted
	ColReference = colReference
)

// DocChart draws a document's chart (the 通报's) as the pages draw theirs.
func DocChart(c models.DocChart) template.HTML {
	bars := make([]Bar, len(c.Bars))
	for i, b := range c.Bars {
		bars[i] = Bar{Label: b.Label, Value: b.Value, Text: b.Text, Fill: b.Colour}
	}
	if c.Kind == models.ChartHBar {
		line := -1.0
		if c.Line != nil {
			line = *c.Line
		}
		return HBarChart(c.Title, bars, line, c.LineLabel)
	}
	return ColumnChart(c.Title, bars)
}
