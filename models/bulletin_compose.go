package models

import (
	"fmt"
	"math/big"
	"strconv"
	"time"

	"gorm.io/gorm"
)

// ComposeBulletin writes the 通报 of a scope (the actor's district, or one street)
// for a year as of an instant: numbered sections of sentences generated from the
// roll-up, its tables and charts. It says only what the figures support: no target
// gives 未下达目标, a year in progress is called provisional. The same arguments
// give the same document whenever it is composed (an as_of answer).
func ComposeBulletin(db *gorm.DB, a *Actor, street string, year int, asOf time.Time) (*Document, error) {
	ru, err := ComputeRollup(db, a, street, year, asOf)
	if err != nil {
		return nil, err
	}
	whole := "全区"
	if ru.ScopeCode != a.DistrictCode {
		whole = ru.ScopeName
	}
	d := &Document{
		Title: fmt.Sprintf("关于%s%d年度“千村示范、万村整治”工程进展情况的通报", ru.ScopeName, year),
		AsOf:  asOf.UTC(), ScopeCode: ru.ScopeCode, ScopeName: ru.ScopeName,
		Meta: []DocMetaItem{{"范围", ru.ScopeName}, {"年度", strconv.Itoa(year) + " 年" + map[bool]string{true: "（进行中，临时数）"}[ru.InProgress]},
			{"数据截至", asOf.In(Shanghai).Format("2006-01-02 15:04")}},
	}
	d.Lead = []string{fmt.Sprintf("现将%s%d年度“千村示范、万村整治”工程主要指标进展情况通报如下。", ru.ScopeName, year)}
	if ru.InProgress {
		d.Lead = append(d.Lead, fmt.Sprintf("%d 年度填报尚未截止，本通报所列均为临时数，不作三色预警：已有 %d / %d 个村的数据经审核通过（完成率 %s），已填报村中经营性收入 50 万元以上的占 %s。",
			year, ru.Reported, ru.Villages, ru.Completeness.Percent(), ru.Income50w.ReportedShare.Percent()))
	}
	var sections []DocSection
	overall, err := overallSection(db, a, street, ru, whole)
	if err != nil {
		return nil, err
	}
	sections = append(sections, overall)
	if a.Role == RoleDistrict && street == "" && len(ru.ByStreet) > 1 {
		s, err := streetSection(db, a, ru)
		if err != nil {
			return nil, err
		}
		sections = append(sections, s)
	}
	sections = append(sections, typeSection(ru))
	lists, err := listSection(db, a, street, ru)
	if err != nil {
		return nil, err
	}
	sections = append(sections, lists)
	tables := 0
	for _, s := range sections {
		tables += len(s.Tables)
	}
	if cat, ok, err := catalogueSection(db, a, street, year, asOf, tables+1); err != nil {
		return nil, err
	} else if ok {
		sections = append(sections, cat)
	}
	for i := range sections {
		sections[i].Heading = ChineseNumber(i+1) + "、" + sections[i].Heading
	}
	d.Sections = sections
	d.Notes = []string{fmt.Sprintf("数据口径：仅统计街道审核通过的数据，每村取该年度截至 %s（北京时间）最新通过的版本；复现参数 as_of=%s。",
		asOf.In(Shanghai).Format("2006-01-02 15:04:05"), asOf.UTC().Format(time.RFC3339Nano))}
	return d, nil
}

// pointsChange says how a share moved from last year, in percentage points.
func pointsChange(cur, prev Ratio) string {
	diff := new(big.Rat).Sub(cur.R, prev.R)
	diff.Mul(diff, big.NewRat(100, 1))
	switch diff.Sign() {
	case 0:
		return "与上年持平"
	case 1:
		return "较上年提高 " + diff.FloatString(1) + " 个百分点"
	}
	return "较上年下降 " + new(big.Rat).Neg(diff).FloatString(1) + " 个百分点"
}

func overallSection(db *gorm.DB, a *Actor, street string, ru *Rollup, whole string) (DocSection, error) {
	s := DocSection{Heading: "总体情况"}
	inc := ru.Income50w
	p := fmt.Sprintf("%s %d 个行政村中，%d 个村的 %d 年度数据经街道审核通过；经营性收入达 50 万元以上的村 %d 个，占 %s",
		whole, ru.Villages, ru.Reported, ru.Year, inc.Count, inc.Share.Percent())
	if ru.InProgress {
		p += "（临时数）"
	}
	// A year in progress is not a result: its share (of all villages, most not yet
	// reported) is not compared with last year's result.
	if ru.InProgress {
		p += "，年度进行中，暂不与上年比较"
	} else if CheckYear(db, ru.Year-1) == nil {
		prev, err := ComputeRollup(db, a, street, ru.Year-1, ru.AsOf)
		if err != nil {
			return s, err
		}
		if prev.Reported > 0 && prev.Income50w.Share.Valid() && inc.Share.Valid() {
			p += "，" + pointsChange(inc.Share, prev.Income50w.Share) + "（上年 " + prev.Income50w.Share.Percent() + "）"
		}
	}
	p += "。"
	if inc.Target.Valid() {
		if *inc.Needed > 0 {
			p += fmt.Sprintf("本年目标 %s，还需 %d 个村达到 50 万元。", inc.Target.Percent(), *inc.Needed)
		} else {
			p += fmt.Sprintf("已达到本年目标 %s。", inc.Target.Percent())
		}
	} else {
		p += "本年未下达目标。"
	}
	if ru.Year != PlanFinalYear {
		p += finalTargetSentence(db, a, street, ru)
	}
	s.Paragraphs = append(s.Paragraphs, p)

	st := ru.Star
	p = fmt.Sprintf("星级美丽乡村 %d 个（一星 %d 个、二星 %d 个、三星 %d 个），覆盖率 %s%s；本年新命名 %d 个。",
		st.Rated, st.ByLevel[1], st.ByLevel[2], st.ByLevel[3], st.Share.Percent(), targetClause(st.Target), st.New)
	p += fmt.Sprintf("和美乡村 %d 个，建成率 %s%s；本年新命名 %d 个。", ru.Hemei.Count, ru.Hemei.Share.Percent(), targetClause(ru.Hemei.Target), ru.Hemei.New)
	s.Paragraphs = append(s.Paragraphs, p)

	p = fmt.Sprintf("村级集体经济总收入 %s%s，其中经营性收入 %s；村集体资产总额 %s%s。",
		FormatMoney(ru.CollectiveIncomeTotalFen), moneyTargetClause(ru.CollectiveIncomeTargetFen),
		FormatMoney(ru.OperatingIncomeTotalFen), FormatMoney(ru.AssetsTotalFen), moneyTargetClause(ru.AssetsTargetFen))
	p += fmt.Sprintf("强村公司 %d 家，股东村 %d 个；共富工坊运营 %d 家（年末前累计建成 %d 家），带动就业 %d 人，其中低收入农户 %d 人。",
		ru.Companies, ru.MemberVillages, ru.Workshops, ru.WorkshopsBuilt, ru.WorkshopEmployed, ru.WorkshopLowIncomeEmployed)
	s.Paragraphs = append(s.Paragraphs, p)

	s.Tables = append(s.Tables, DocTable{Caption: "表 1　主要指标", Header: []string{"指标", "实际", "本年目标"}, Numeric: []bool{false, true, true},
		Rows: [][]string{
			{"经营性收入 50 万元以上村占比", fmt.Sprintf("%s（%d/%d）", inc.Share.Percent(), inc.Count, ru.Villages), targetText(inc.Target)},
			{"星级美丽乡村覆盖率", fmt.Sprintf("%s（%d 村）", st.Share.Percent(), st.Rated), targetText(st.Target)},
			{"和美乡村建成率", fmt.Sprintf("%s（%d 村）", ru.Hemei.Share.Percent(), ru.Hemei.Count), targetText(ru.Hemei.Target)},
			{"村级集体经济总收入", FormatMoney(ru.CollectiveIncomeTotalFen), moneyTargetText(ru.CollectiveIncomeTargetFen)},
			{"村集体资产总额", FormatMoney(ru.AssetsTotalFen), moneyTargetText(ru.AssetsTargetFen)},
			{"已填报（审核通过）", fmt.Sprintf("%d / %d", ru.Reported, ru.Villages), ""},
		}})
	bands, err := IncomeDistribution(db, a, street, ru.Year, ru.AsOf)
	if err != nil {
		return s, err
	}
	dist := DocChart{Title: "图 1　各村经营性收入分布（每 10 万元一档，单位：个村）", Kind: ChartColumn}
	for i, b := range bands {
		c := ""
		if i < 6 {
			c = "#d29a00" // below 50万
		}
		dist.Bars = append(dist.Bars, DocBar{Label: b.Label, Value: float64(b.Villages), Text: strconv.FormatInt(b.Villages, 10), Colour: c})
	}
	stars := DocChart{Title: "图 2　星级美丽乡村（单位：个村）", Kind: ChartColumn, Bars: []DocBar{
		{Label: "未评星", Value: float64(ru.Villages - st.Rated), Text: strconv.FormatInt(ru.Villages-st.Rated, 10), Colour: "#98a2b3"},
		{Label: "一星", Value: float64(st.ByLevel[1]), Text: strconv.FormatInt(st.ByLevel[1], 10)},
		{Label: "二星", Value: float64(st.ByLevel[2]), Text: strconv.FormatInt(st.ByLevel[2], 10)},
		{Label: "三星", Value: float64(st.ByLevel[3]), Text: strconv.FormatInt(st.ByLevel[3], 10)},
	}}
	s.Charts = []DocChart{dist, stars}
	return s, nil
}

// finalTargetSentence measures the year's figures against the plan's last year's
// target, or says none is assigned.
func finalTargetSentence(db *gorm.DB, a *Actor, street string, ru *Rollup) string {
	final, err := ComputeRollup(db, a, street, PlanFinalYear, ru.AsOf)
	if err != nil || !final.Income50w.Target.Valid() {
		return fmt.Sprintf("%d 年目标未下达。", PlanFinalYear)
	}
	t := final.Income50w.Target
	need := Needed(t, ru.Villages, ru.Income50w.Count)
	if need == 0 {
		return fmt.Sprintf("已达到 %d 年 %s 目标。", PlanFinalYear, t.Percent())
	}
	return fmt.Sprintf("距 %d 年 %s 目标还差 %d 个村。", PlanFinalYear, t.Percent(), need)
}

func targetClause(t Ratio) string {
	if !t.Valid() {
		return "（未下达目标）"
	}
	return "（本年目标 " + t.Percent() + "）"
}

func moneyTargetClause(t *int64) string {
	if t == nil {
		return ""
	}
	return "（本年目标 " + FormatMoney(*t) + "）"
}

func targetText(t Ratio) string {
	if !t.Valid() {
		return "未下达目标"
	}
	return t.Percent()
}

func moneyTargetText(t *int64) string {
	if t == nil {
		return "未下达目标"
	}
	return FormatMoney(*t)
}

var colourNames = map[string]string{ColorGreen: "绿", ColorYellow: "黄", ColorRed: "红"}

func streetSection(db *gorm.DB, a *Actor, ru *Rollup) (DocSection, error) {
	s := DocSection{Heading: "各街道（镇）情况"}
	rk, err := ComputeRanking(db, a, ru.Year, IndIncome50w, ru.AsOf)
	if err != nil {
		return s, err
	}
	if len(rk.Streets) == 0 {
		return s, nil
	}
	first, last := rk.Streets[0], rk.Streets[len(rk.Streets)-1]
	p := fmt.Sprintf("按经营性收入 50 万元以上村占比排名，%s 居首（%s），%s 末位（%s）。",
		first.StreetName, first.Share.Percent(), last.StreetName, last.Share.Percent())
	count := map[string]int{}
	targets := 0
	for _, r := range rk.Streets {
		count[r.Color]++
		if r.Target.Valid() {
			targets++
		}
	}
	switch {
	case rk.InProgress:
		p += "年度进行中，不作三色预警。"
	case targets == 0:
		p += "本年未下达目标，不作三色预警。"
	default:
		p += fmt.Sprintf("各街道（镇）按下达给本街道的目标衡量（未单独下达的按全区目标），达到本年目标（绿色）的 %d 个，黄色预警 %d 个，红色预警 %d 个。", count[ColorGreen], count[ColorYellow], count[ColorRed])
		if n := len(rk.Streets) - targets; n > 0 {
			p += fmt.Sprintf("另有 %d 个未下达目标。", n)
		}
	}
	s.Paragraphs = []string{p}
	ch := DocChart{Title: "图 3　各街道（镇）经营性收入 50 万元以上村占比", Kind: ChartHBar}
	if t := ru.Income50w.Target; t.Valid() {
		f, _ := t.R.Float64()
		ch.Line, ch.LineLabel = &f, "本年目标 "+t.Percent()
	}
	// Each street is coloured against its own target (the district's where it has
	// none), so the table shows that target beside the share.
	tb := DocTable{Caption: "表 2　街道（镇）排名", Header: []string{"名次", "街道/镇", "达标村/村数", "占比", "目标", "预警"},
		Numeric: []bool{true, false, true, true, true, false}}
	for _, r := range rk.Streets {
		f := 0.0
		if r.Share.Valid() {
			f, _ = r.Share.R.Float64()
		}
		colour := "—"
		if !rk.InProgress && colourNames[r.Color] != "" {
			colour = colourNames[r.Color]
		}
		ch.Bars = append(ch.Bars, DocBar{Label: r.StreetName, Value: f, Text: r.Share.Percent(), Colour: chartColour(r.Color, rk.InProgress)})
		target := r.Target.Percent()
		if !r.Target.Valid() {
			target = "未下达"
		}
		tb.Rows = append(tb.Rows, []string{strconv.Itoa(r.Rank), r.StreetName, fmt.Sprintf("%d/%d", r.Count, r.Villages), r.Share.Percent(), target, colour})
	}
	s.Charts = []DocChart{ch}
	s.Tables = []DocTable{tb}
	return s, nil
}

func chartColour(c string, inProgress bool) string {
	if inProgress {
		return ""
	}
	return map[string]string{ColorGreen: "#1a7f37", ColorYellow: "#d29a00", ColorRed: "#b42318"}[c]
}

func typeSection(ru *Rollup) DocSection {
	s := DocSection{Heading: "分村庄类型情况"}
	tb := DocTable{Caption: "表 3　分村庄类型", Header: []string{"村庄类型", "村数", "50 万元以上", "占比"}, Numeric: []bool{false, true, true, true}}
	best := -1
	for i, r := range ru.ByType {
		tb.Rows = append(tb.Rows, []string{r.Type, strconv.FormatInt(r.Villages, 10), strconv.FormatInt(r.Income50w.Count, 10), r.Income50w.Share.Percent()})
		if r.Villages > 0 && r.Income50w.Share.Valid() && (best < 0 || r.Income50w.Share.R.Cmp(ru.ByType[best].Income50w.Share.R) > 0) {
			best = i
		}
	}
	if best >= 0 {
		b := ru.ByType[best]
		s.Paragraphs = []string{fmt.Sprintf("分村庄类型看，%s类村经营性收入 50 万元以上的占比最高（%d 个村中 %d 个，%s）。",
			b.Type, b.Villages, b.Income50w.Count, b.Income50w.Share.Percent())}
	}
	s.Tables = []DocTable{tb}
	return s
}

func listSection(db *gorm.DB, a *Actor, street string, ru *Rollup) (DocSection, error) {
	s := DocSection{Heading: "冲刺名单与预警名单"}
	inScope := func(vs []VillageFigures) []VillageFigures {
		var out []VillageFigures
		for _, v := range vs {
			if street == "" || v.StreetCode == street {
				out = append(out, v)
			}
		}
		return out
	}
	sprint, err := SprintList(db, a, ru.Year, ru.AsOf)
	if err != nil {
		return s, err
	}
	slipping, err := SlippingList(db, a, ru.Year, ru.AsOf)
	if err != nil {
		return s, err
	}
	sprint, slipping = inScope(sprint), inScope(slipping)
	p := fmt.Sprintf("经营性收入 40 万至 50 万元的村 %d 个，列入冲刺名单", len(sprint))
	if len(slipping) > 0 {
		p += fmt.Sprintf("；上年 50 万元以上、本年跌破的村 %d 个，列入预警名单。", len(slipping))
	} else {
		p += "；没有上年 50 万元以上、本年跌破的村。"
	}
	s.Paragraphs = []string{p}
	table := func(caption string, vs []VillageFigures) DocTable {
		t := DocTable{Caption: caption, Header: []string{"村", "街道/镇", "经营性收入（万元）", "上年（万元）"}, Numeric: []bool{false, false, true, true}}
		for _, v := range vs {
			prev := "—"
			if v.PrevOperatingFen != nil {
				prev = FormatWanGrouped(*v.PrevOperatingFen)
			}
			t.Rows = append(t.Rows, []string{v.Name, v.StreetName, FormatWanGrouped(v.OperatingFen), prev})
		}
		return t
	}
	s.Tables = []DocTable{table("表 4　冲刺名单（经营性收入 40 万至 50 万元）", sprint)}
	if len(slipping) > 0 {
		s.Tables = append(s.Tables, table("表 5　预警名单（上年 50 万元以上、本年跌破）", slipping))
	}
	return s, nil
}
