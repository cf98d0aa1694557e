package handlers

import (
	"fmt"
	"html/template"
	"math/big"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"cunji/models"
	"cunji/views"

	"github.com/labstack/echo/v4"
)

// trendView is one indicator's chart and table on the oversight page.
type trendView struct {
	Label     string
	Chart     template.HTML
	Rows      []trendRow
	HasNeeded bool
	// HasReference: the reference path is drawn (a target assigned for the plan's
	// final year, and a closed year before it).
	HasReference bool
}

type trendRow struct {
	Year                             int
	Actual, Target, Projected, Added string
	Reference                        string
}

func ratFloat(r *big.Rat) *float64 {
	if r == nil {
		return nil
	}
	f, _ := r.Float64()
	return &f
}

// showValue formats an indicator value for a page.
func showValue(ind string, r *big.Rat) string {
	if r == nil {
		return "—"
	}
	if models.IsShareIndicator(ind) {
		return models.Ratio{R: r}.Percent()
	}
	return models.FormatMoney(models.Value(ind, r).(int64))
}

func buildTrendView(tr *models.Trend, label string) trendView {
	tv := trendView{Label: label}
	var xs []string
	act := views.Series{Name: "实际", Colour: views.ColActual}
	tgt := views.Series{Name: "下达目标", Colour: views.ColTarget, Dashed: true}
	prj := views.Series{Name: "按当前速度预测", Colour: views.ColProjected, Dashed: true}
	ref := views.Series{Name: models.ReferenceLabel, Colour: views.ColReference, Dotted: true}
	scale := 1.0
	if !models.IsShareIndicator(tr.Indicator) {
		scale = 1e10 // 分 → 亿元 on the axis
	}
	max := 0.0
	prevNeeded := int64(0)
	for _, p := range tr.Points {
		xs = append(xs, strconv.Itoa(p.Year))
		div := func(f *float64) *float64 {
			if f == nil {
				return nil
			}
			v := *f / scale
			if v > max {
				max = v
			}
			return &v
		}
		a, t, pr, rf := div(ratFloat(p.Actual)), div(ratFloat(p.Target)), div(ratFloat(p.Projected)), div(ratFloat(p.Reference))
		// The projection line starts at the last actual point.
		if pr == nil && a != nil {
			pr = a
		}
		act.Values, tgt.Values, prj.Values = append(act.Values, a), append(tgt.Values, t), append(prj.Values, pr)
		ref.Values = append(ref.Values, rf)
		row := trendRow{Year: p.Year, Actual: showValue(tr.Indicator, p.Actual), Target: showValue(tr.Indicator, p.Target),
			Projected: showValue(tr.Indicator, p.Projected), Reference: showValue(tr.Indicator, p.Reference)}
		if p.Reference != nil {
			tv.HasReference = true
		}
		if p.InProgress && p.Provisional != nil {
			row.Actual = "进行中（临时 " + showValue(tr.Indicator, p.Provisional) + "）"
		}
		if p.Needed != nil {
			tv.HasNeeded = true
			row.Added = fmt.Sprintf("%d（本年新增 %d）", *p.Needed, *p.Needed-prevNeeded)
			prevNeeded = *p.Needed
		}
		tv.Rows = append(tv.Rows, row)
	}
	// Only the stretch after the last actual is a projection.
	lastActual := -1
	for i, v := range act.Values {
		if v != nil {
			lastActual = i
		}
	}
	for i := range prj.Values {
		if i < lastActual {
			prj.Values[i] = nil
		}
	}
	yText := func(v float64) string { return fmt.Sprintf("%.0f%%", v*100) }
	if models.IsShareIndicator(tr.Indicator) {
		max = 1
	} else {
		yText = func(v float64) string { return fmt.Sprintf("%.1f亿", v) }
		max *= 1.1
	}
	series := []views.Series{act, tgt, prj}
	if tv.HasReference {
		series = append(series, ref)
	}
	tv.Chart = views.LineChart(label+"：实际与下达目标", xs, series, max, yText)
	return tv
}

// oversightPage is the data of the district's 工作专班 page and of the 通报.
type oversightPage struct {
	Year    int
	Years   yearsView
	Street  string
	Streets []models.Street
	AsOf    time.Time
	// Query is the page's year, street and as_of, encoded, for its links (a
	// template.URL: html/template would escape its = and & after a literal "?").
	Query        template.URL
	Rollup       *models.Rollup
	Ranking      *models.Ranking
	ShareChart   template.HTML
	StarChart    template.HTML
	IncomeChart  template.HTML
	Trends       []trendView
	Sprint       []models.VillageFigures
	Slipping     []models.VillageFigures
	Completeness []models.CompletenessRow
	Total        *models.CompletenessRow
	Window       *models.ReportingWindow
	Printed      time.Time
	District     bool
}

// indicatorLabels are the names of the trend indicators on pages.
var indicatorLabels = map[string]string{
	models.IndIncome50w: "经营性收入 50 万元以上村占比", models.IndStar: "星级美丽乡村覆盖率", models.IndHemei: "和美乡村建成率",
	models.IndCollectiveIncome: "村级集体经济总收入", models.IndAssets: "村集体资产总额",
}

func (h *Handler) oversightData(c echo.Context) (*oversightPage, error) {
	year, street, asOf, err := h.rollupParams(c)
	if err != nil {
		return nil, err
	}
	a := actorOf(c)
	p := &oversightPage{Year: year, Street: street, AsOf: asOf, Printed: time.Now(),
		District: a.Role == models.RoleDistrict}
	if p.Years, err = h.yearsView(c, year, asOf); err != nil {
		return nil, err
	}
	q := url.Values{"year": {strconv.Itoa(year)}, "as_of": {asOf.Format(time.RFC3339Nano)}}
	if street != "" {
		q.Set("street", street)
	}
	p.Query = template.URL(q.Encode())
	if p.Rollup, err = h.rollup(c, a, street, year, asOf); err != nil {
		return nil, err
	}
	if p.Streets, err = models.ListStreets(h.db(c), a); err != nil {
		return nil, err
	}
	if p.District && street == "" {
		if p.Ranking, err = models.ComputeRanking(h.db(c), a, year, models.IndIncome50w, asOf); err != nil {
			return nil, err
		}
		var bars []views.Bar
		for _, r := range p.Ranking.Streets {
			f, _ := r.Share.R.Float64()
			bars = append(bars, views.Bar{Label: r.StreetName, Value: f, Text: r.Share.Percent(), Fill: views.ColourFill(r.Color)})
		}
		p.ShareChart = views.HBarChart("各街道经营性收入 50 万元以上村占比", bars, 0.85, "85%")
	}
	lv := p.Rollup.Star.ByLevel
	p.StarChart = views.ColumnChart("星级美丽乡村", []views.Bar{
		{Label: "未评星", Value: float64(p.Rollup.Villages - p.Rollup.Star.Rated), Text: strconv.FormatInt(p.Rollup.Villages-p.Rollup.Star.Rated, 10), Fill: "#98a2b3"},
		{Label: "一星", Value: float64(lv[1]), Text: strconv.FormatInt(lv[1], 10)},
		{Label: "二星", Value: float64(lv[2]), Text: strconv.FormatInt(lv[2], 10)},
		{Label: "三星", Value: float64(lv[3]), Text: strconv.FormatInt(lv[3], 10)},
	})
	bands, err := models.IncomeDistribution(h.db(c), a, street, year, asOf)
	if err != nil {
		return nil, err
	}
	var ib []views.Bar
	for i, b := range bands {
		fill := ""
		if i < 6 {
			fill = "#d29a00" // below 50万
		}
		ib = append(ib, views.Bar{Label: strings.TrimSuffix(b.Label, "万"), Value: float64(b.Villages), Text: strconv.FormatInt(b.Villages, 10), Fill: fill})
	}
	p.IncomeChart = views.ColumnChart("经营性收入分布（每 10 万元一档）", ib)
	for _, ind := range models.TrendIndicators {
		tr, err := models.ComputeTrend(h.db(c), a, street, ind, asOf)
		if err != nil {
			return nil, err
		}
		p.Trends = append(p.Trends, buildTrendView(tr, indicatorLabels[ind]))
	}
	if p.Sprint, err = models.SprintList(h.db(c), a, year, asOf); err != nil {
		return nil, err
	}
	if p.Slipping, err = models.SlippingList(h.db(c), a, year, asOf); err != nil {
		return nil, err
	}
	if p.Completeness, p.Total, err = models.Completeness(h.db(c), a, year); err != nil {
		return nil, err
	}
	if p.Window, err = models.Window(h.db(c), a.DistrictCode, year); err != nil {
		return nil, err
	}
	return p, nil
}

// OversightShow is GET /oversight: charts, the road to 2027, the ranking, the lists
// and the reporting progress.
func (h *Handler) OversightShow(c echo.Context) error {
	p, err := h.oversightData(c)
	if err != nil {
		return err
	}
	return h.render(c, http.StatusOK, "oversight", p.Rollup.ScopeName+"进展晾晒", p, nil)
}
