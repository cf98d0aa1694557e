package handlers

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"cunji/models"
	"cunji/seeds"
)

const wanFen = int64(1_000_000) // 1 万元 in 分

// upwardFixture: 经营性收入 approved for 2024 (甲 45万, 乙 8万, 丙 60万, 丁 120万) and
// 2025 (甲 55万, 乙 25万, 丁 20万; 丙 merged away after 2024); 甲村 named 二星 in
// 2024, 丁村 和美 in 2025; a company with 甲村 (60%) and 丁村 (40%) paying dividends;
// a workshop of 甲村 built in 2024 employing 12 (3 low-income).
func upwardFixture(t *testing.T) *env {
	en := newEnv(t)
	approve := func(code, cadre, officer string, year int, wan int64) {
		t.Helper()
		b := wan * wanFen
		d, err := models.SaveDraft(en.db, en.actor(cadre), code, year, models.ReportInput{BusinessFen: &b, Note: &setupNote})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := models.Submit(en.db, en.actor(cadre), code, year, &d.Version); err != nil {
			t.Fatal(err)
		}
		if _, err := models.Approve(en.db, en.actor(officer), code, year, nil); err != nil {
			t.Fatal(err)
		}
	}
	approve(seeds.FixA1, "v1", "s1", 2024, 45)
	approve(seeds.FixA2, "v2", "s1", 2024, 8)
	approve(seeds.FixA3, "v3", "s1", 2024, 60)
	approve(seeds.FixB1, "v4", "s2", 2024, 120)
	approve(seeds.FixA1, "v1", "s1", 2025, 55)
	approve(seeds.FixA2, "v2", "s1", 2025, 25)
	approve(seeds.FixB1, "v4", "s2", 2025, 20)
	d := en.actor("d")
	for _, n := range []models.TitleInput{
		{VillageCode: seeds.FixA1, Title: models.TitleStar, Level: 2, Year: 2024, NamedOn: time.Date(2024, 11, 1, 0, 0, 0, 0, models.Shanghai), DocumentNo: "椒政〔2024〕12号"},
		{VillageCode: seeds.FixB1, Title: models.TitleHemei, Year: 2025, NamedOn: time.Date(2025, 12, 1, 0, 0, 0, 0, models.Shanghai), DocumentNo: "椒政〔2025〕3号"},
	} {
		if _, err := models.NameTitle(en.db, d, n); err != nil {
			t.Fatal(err)
		}
	}
	co, err := models.CreateCompany(en.db, d, models.CompanyInput{Name: "椒江强村发展有限公司", CreditCode: "91331002MA0000011L",
		Model: "资产经营型", FoundedOn: "2022-01-01", RegisteredCapitalFen: 500 * wanFen},
		[]models.MemberInput{{VillageCode: seeds.FixA1, ShareMicro: 600_000, FromYear: 2022}, {VillageCode: seeds.FixB1, ShareMicro: 400_000, FromYear: 2022}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := models.SetCompanyYear(en.db, d, co.ID, 2024, 100*wanFen, 20*wanFen, []models.DividendInput{{VillageCode: seeds.FixA1, DividendFen: 3 * wanFen}}, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := models.SetCompanyYear(en.db, d, co.ID, 2025, 120*wanFen, 30*wanFen,
		[]models.DividendInput{{VillageCode: seeds.FixA1, DividendFen: 5 * wanFen}, {VillageCode: seeds.FixB1, DividendFen: 4 * wanFen}}, ""); err != nil {
		t.Fatal(err)
	}
	name, kind, state, employed, low := "甲村竹编工坊", "来料加工", "运营", 12, 3
	founded := time.Date(2024, 5, 1, 0, 0, 0, 0, models.Shanghai)
	w, err := models.CreateWorkshop(en.db, en.actor("v1"), seeds.FixA1, models.WorkshopInput{Name: &name, Type: &kind, State: &state,
		Employed: &employed, LowIncomeEmployed: &low, FoundedOn: &founded})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := models.SubmitWorkshop(en.db, en.actor("v1"), w.Workshop.ID, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := models.ApproveWorkshop(en.db, en.actor("s1"), w.Workshop.ID, nil); err != nil {
		t.Fatal(err)
	}
	return en
}

// codesOf lists the village codes of a JSON list under key field.
func codesOf(list any, field string) []string {
	var out []string
	items, _ := list.([]any)
	for _, it := range items {
		m, _ := it.(map[string]any)
		s, _ := m[field].(string)
		out = append(out, s)
	}
	return out
}

// TestUpwardIncomeBands: five bands, counts against the scope's active villages, last
// year's counts beside them, 50万 in the 50–100万 band; a street sees its street only.
func TestUpwardIncomeBands(t *testing.T) {
	en := upwardFixture(t)
	code, body := en.api("GET", "/api/v1/upward/income-bands?year=2025", en.token("d"), nil)
	if code != 200 {
		t.Fatalf("%d %v", code, body)
	}
	bands := body["bands"].([]any)
	got := []float64{}
	prev := []float64{}
	for _, b := range bands {
		m := b.(map[string]any)
		got = append(got, m["villages"].(float64))
		prev = append(prev, m["prev_villages"].(float64))
	}
	if want := []float64{0, 2, 0, 1, 0}; !equalFloats(got, want) {
		t.Errorf("2025 bands %v, want %v", got, want)
	}
	if want := []float64{1, 0, 1, 1, 1}; !equalFloats(prev, want) {
		t.Errorf("2024 bands %v, want %v", prev, want)
	}
	if body["villages"].(float64) != 3 || body["reported"].(float64) != 3 {
		t.Errorf("villages %v reported %v", body["villages"], body["reported"])
	}
	// 50万 exactly meets the line: it is in the 50–100万 band.
	if incomeBandOf(t, 50*wanFen) != 3 || incomeBandOf(t, 50*wanFen-1) != 2 || incomeBandOf(t, -1) != 0 || incomeBandOf(t, 100*wanFen) != 4 {
		t.Error("band edges")
	}
	_, s1 := en.api("GET", "/api/v1/upward/income-bands?year=2025", en.token("s1"), nil)
	if codes := codesOf(s1["list"], "village_code"); strings.Join(codes, ",") != seeds.FixA1+","+seeds.FixA2 {
		t.Errorf("s1 sees %v", codes)
	}
	if code, _ := en.api("GET", "/api/v1/upward/income-bands?year=2025&street=331002002", en.token("s1"), nil); code != 404 {
		t.Errorf("s1 asking for 白云街道: %d, want 404", code)
	}
	_, b := en.api("GET", "/api/v1/upward/income-bands?year=2025&street=331002002", en.token("d"), nil)
	if codes := codesOf(b["list"], "village_code"); strings.Join(codes, ",") != seeds.FixB1 {
		t.Errorf("district narrowed to 白云街道 sees %v", codes)
	}
	// The files hold the same counts and state scope, year and as_of.
	rows := en.download("/api/v1/upward/income-bands?year=2025&street=331002001", en.token("d"), "csv")
	if rows[0][0] != "档次" || rows[2][1] != "1" || rows[4][1] != "1" || rows[7][0] != "合计" || rows[7][1] != "2" {
		t.Errorf("CSV counts %v", rows)
	}
	list := en.download("/api/v1/upward/income-bands?year=2025&part=list", en.token("s1"), "xlsx")
	if len(list) != 3 || list[1][0] != seeds.FixA1 || list[1][5] != "50万—100万元" || list[1][7] != "30万—50万元" {
		t.Errorf("XLSX list %v", list)
	}
}

func incomeBandOf(t *testing.T, fen int64) int {
	t.Helper()
	for i, l := range models.IncomeBandLines {
		if fen < l {
			return i
		}
	}
	return len(models.IncomeBandLines)
}

func equalFloats(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestUpwardLines: 薄弱村 and 强村 by the district's lines, last year beside them; the
// lines are a district setting with history, so a report as of before a change keeps
// the line then in force; only the district sets them, weak below strong.
func TestUpwardLines(t *testing.T) {
	en := upwardFixture(t)
	_, weak := en.api("GET", "/api/v1/upward/weak?year=2025", en.token("d"), nil)
	if weak["line_fen"].(float64) != float64(30*wanFen) || strings.Join(codesOf(weak["list"], "village_code"), ",") != seeds.FixA2+","+seeds.FixB1 {
		t.Fatalf("weak %v", weak)
	}
	for _, v := range weak["list"].([]any) {
		m := v.(map[string]any)
		want := m["village_code"] == seeds.FixA2 // 乙村 was under 30万 in 2024, 丁村 was not
		if m["prev_listed"] != want || m["prev_operating_fen"] == nil {
			t.Errorf("%v: prev_listed %v", m["village_code"], m["prev_listed"])
		}
	}
	if weak["prev_count"].(float64) != 1 {
		t.Errorf("prev_count %v", weak["prev_count"])
	}
	_, strong := en.api("GET", "/api/v1/upward/strong?year=2025", en.token("d"), nil)
	if strong["count"].(float64) != 0 || strong["prev_count"].(float64) != 1 {
		t.Errorf("strong %v", strong)
	}
	before := time.Now().UTC()
	time.Sleep(2 * time.Millisecond) // the change must be recorded after the instant kept
	if code, body := en.api("PUT", "/api/v1/upward/lines", en.token("s1"), map[string]any{"weak_line_fen": 1, "strong_line_fen": 2}); code != 403 {
		t.Fatalf("street sets lines: %d %v", code, body)
	}
	if code, body := en.api("PUT", "/api/v1/upward/lines", en.token("d"), map[string]any{"weak_line_fen": 60 * wanFen, "strong_line_fen": 50 * wanFen}); code != 422 {
		t.Fatalf("weak above strong: %d %v", code, body)
	} else if errorShape(t, body)["fields"].(map[string]any)["strong_line_fen"] == nil {
		t.Errorf("no field message: %v", body)
	}
	code, body := en.api("PUT", "/api/v1/upward/lines", en.token("d"), map[string]any{"weak_line_fen": 60 * wanFen, "strong_line_fen": 100 * wanFen})
	if code != 200 || body["weak_line_fen"].(float64) != float64(60*wanFen) {
		t.Fatalf("set lines: %d %v", code, body)
	}
	_, now := en.api("GET", "/api/v1/upward/weak?year=2025", en.token("d"), nil)
	if now["count"].(float64) != 3 {
		t.Errorf("weak under 60万: %v", now["count"])
	}
	_, then := en.api("GET", "/api/v1/upward/weak?year=2025&as_of="+url.QueryEscape(before.Format(time.RFC3339Nano)), en.token("d"), nil)
	if then["line_fen"].(float64) != float64(30*wanFen) || then["count"].(float64) != 2 {
		t.Errorf("as of before the change: line %v count %v", then["line_fen"], then["count"])
	}
	var audits int64
	en.db.Model(&models.AuditEntry{}).Where("action = ?", "setting.weak_line").Count(&audits)
	if audits != 1 {
		t.Errorf("audit entries %d", audits)
	}
	// The file states the line beside scope, year and as_of.
	rows := en.download("/api/v1/upward/weak?year=2025", en.token("s1"), "xlsx")
	if len(rows) != 3 || rows[1][0] != seeds.FixA1 {
		t.Errorf("s1 weak file %v", rows)
	}
}

// TestUpwardRegisters: title holders with the year named; companies with their
// member villages in the scope and dividends of the year and the year before;
// workshops with employment.
func TestUpwardRegisters(t *testing.T) {
	en := upwardFixture(t)
	_, ti := en.api("GET", "/api/v1/upward/titles?year=2025", en.token("d"), nil)
	hs := ti["holders"].([]any)
	if len(hs) != 2 {
		t.Fatalf("holders %v", hs)
	}
	a1 := hs[0].(map[string]any)
	if a1["village_code"] != seeds.FixA1 || a1["year_named"].(float64) != 2024 || a1["level"].(float64) != 2 || a1["new"] != false || a1["document_no"] != "椒政〔2024〕12号" {
		t.Errorf("甲村 %v", a1)
	}
	_, ti1 := en.api("GET", "/api/v1/upward/titles?year=2025", en.token("s1"), nil)
	if codes := codesOf(ti1["holders"], "village_code"); len(codes) != 1 || codes[0] != seeds.FixA1 {
		t.Errorf("s1 titles %v", codes)
	}
	_, co := en.api("GET", "/api/v1/upward/companies?year=2025", en.token("d"), nil)
	cs := co["companies"].([]any)
	if len(cs) != 1 || co["dividend_fen"].(float64) != float64(9*wanFen) || co["member_villages"].(float64) != 2 {
		t.Fatalf("companies %v", co)
	}
	ms := cs[0].(map[string]any)["members"].([]any)
	m1 := ms[0].(map[string]any)
	if m1["village_code"] != seeds.FixA1 || m1["dividend_fen"].(float64) != float64(5*wanFen) || m1["prev_dividend_fen"].(float64) != float64(3*wanFen) || m1["share_micro"].(float64) != 600_000 {
		t.Errorf("甲村 member %v", m1)
	}
	_, co2 := en.api("GET", "/api/v1/upward/companies?year=2025", en.token("s2"), nil)
	ms2 := co2["companies"].([]any)[0].(map[string]any)["members"].([]any)
	if len(ms2) != 1 || ms2[0].(map[string]any)["village_code"] != seeds.FixB1 || co2["dividend_fen"].(float64) != float64(4*wanFen) {
		t.Errorf("s2 companies %v", co2)
	}
	rows := en.download("/api/v1/upward/companies?year=2025", en.token("d"), "csv")
	if len(rows) != 3 || rows[1][9] != "60%" || rows[1][10] != "50000.00" || rows[1][11] != "30000.00" {
		t.Errorf("companies CSV %v", rows)
	}
	_, ws := en.api("GET", "/api/v1/upward/workshops?year=2025", en.token("d"), nil)
	if ws["built"].(float64) != 1 || ws["employed"].(float64) != 12 || ws["low_income_employed"].(float64) != 3 {
		t.Errorf("workshops %v", ws)
	}
	_, ws23 := en.api("GET", "/api/v1/upward/workshops?year=2023", en.token("d"), nil)
	if ws23["built"].(float64) != 0 {
		t.Errorf("2023: built %v before its founding", ws23["built"])
	}
	_, ws2 := en.api("GET", "/api/v1/upward/workshops?year=2025", en.token("s2"), nil)
	if len(ws2["workshops"].([]any)) != 0 {
		t.Errorf("s2 sees %v", ws2["workshops"])
	}
	// The roll-up counts what the reports list.
	ru, err := models.ComputeRollup(en.db, en.actor("d"), "", 2025, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if ru.Workshops != 1 || ru.WorkshopEmployed != 12 || ru.Companies != 1 || ru.MemberVillages != 2 || ru.Star.Rated != 1 || ru.Hemei.Count != 1 {
		t.Errorf("roll-up %+v", ru.Figures)
	}
}

// TestUpwardAuthorization: every report route × every identity: a village cadre gets
// 403, a street only its street (another street's answers 404), forged tokens 401,
// and none of them changes anything.
func TestUpwardAuthorization(t *testing.T) {
	en := upwardFixture(t)
	kinds := []string{"income-bands", "weak", "strong", "titles", "companies", "workshops"}
	for _, k := range kinds {
		for who, want := range map[string]int{"v1": 403, "v4": 403, "s1": 200, "s2": 200, "d": 200} {
			before := en.state()
			code, body := en.api("GET", "/api/v1/upward/"+k+"?year=2025", en.token(who), nil)
			if code != want {
				t.Errorf("%s as %s: %d, want %d", k, who, code, want)
			}
			if code >= 400 {
				errorShape(t, body)
			}
			if rec := en.page("GET", "/upward/"+k+"?year=2025", en.token(who), nil, false); rec.Code != want {
				t.Errorf("page %s as %s: %d, want %d", k, who, rec.Code, want)
			} else if want == 403 && !strings.Contains(rec.Body.String(), "无权") && !isChinese(rec.Body.String()) {
				t.Errorf("page error not in Chinese")
			}
			if en.state() != before {
				t.Fatalf("%s as %s changed state", k, who)
			}
		}
		for who, street := range map[string]string{"s1": "331002002", "s2": "331002001"} {
			if code, _ := en.api("GET", "/api/v1/upward/"+k+"?year=2025&street="+street, en.token(who), nil); code != 404 {
				t.Errorf("%s as %s for street %s: %d, want 404", k, who, street, code)
			}
			if rec := en.page("GET", "/upward/"+k+"?year=2025&street="+street, en.token(who), nil, false); rec.Code != 404 {
				t.Errorf("page %s as %s for street %s: %d", k, who, street, rec.Code)
			}
		}
		for label, tok := range forged(en) {
			if code, _ := en.api("GET", "/api/v1/upward/"+k+"?year=2025", tok, nil); code != 401 {
				t.Errorf("%s with %s: %d", k, label, code)
			}
		}
	}
	if rec := en.page("GET", "/upward/nothing", en.token("d"), nil, false); rec.Code != 404 {
		t.Errorf("unknown report: %d", rec.Code)
	}
	for who, want := range map[string]int{"v1": 403, "s1": 403, "d": 303} {
		before := en.state()
		rec := en.page("POST", "/upward/lines", en.token(who), url.Values{"weak_line": {"20"}, "strong_line": {"80"}}, true)
		if rec.Code != want {
			t.Errorf("POST /upward/lines as %s: %d, want %d", who, rec.Code, want)
		}
		if want != 303 && en.state() != before {
			t.Errorf("refused line change by %s changed state", who)
		}
	}
	if got := models.WeakLine(en.db, seeds.DistrictCode, time.Now()); got != 20*wanFen {
		t.Errorf("weak line %d after the page's change", got)
	}
}

// TestUpwardPages: each report as a page in Chinese, scoped, with links to its files
// for the same instant; a wrong line re-renders the form with 422 and the message.
func TestUpwardPages(t *testing.T) {
	en := upwardFixture(t)
	rec := en.page("GET", "/upward/income-bands?year=2025", en.token("s1"), nil, false)
	body := rec.Body.String()
	if rec.Code != 200 || !strings.Contains(body, "甲村") || strings.Contains(body, "丁村") || !strings.Contains(body, "format=xlsx") || !strings.Contains(body, "as_of=") {
		t.Fatalf("s1 bands page: %d\n%s", rec.Code, body)
	}
	if !strings.Contains(body, "55.00 万元") || !strings.Contains(body, "海门街道") {
		t.Errorf("page money or scope missing")
	}
	idx := en.page("GET", "/upward", en.token("d"), nil, false)
	if idx.Code != 200 || !strings.Contains(idx.Body.String(), "薄弱村线") || !strings.Contains(idx.Body.String(), `value="30"`) {
		t.Errorf("index: %d", idx.Code)
	}
	if s := en.page("GET", "/upward", en.token("s1"), nil, false).Body.String(); strings.Contains(s, "薄弱村线：") {
		t.Error("a street sees the district's line form")
	}
	bad := en.page("POST", "/upward/lines", en.token("d"), url.Values{"weak_line": {"90"}, "strong_line": {"80"}}, true)
	if bad.Code != http.StatusUnprocessableEntity || !strings.Contains(bad.Body.String(), "强村线须高于薄弱村线") || !strings.Contains(bad.Body.String(), `value="90"`) {
		t.Errorf("bad lines: %d", bad.Code)
	}
}
