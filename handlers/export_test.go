package handlers

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"cunji/models"
	"cunji/seeds"

	"github.com/xuri/excelize/v2"
)

// download fetches an API table in a format and returns its rows (header first).
func (en *env) download(path, token, format string) [][]string {
	en.t.Helper()
	req := httptest.NewRequest("GET", path+"&format="+format, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	en.e.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		en.t.Fatalf("%s as %s: %d %s", path, format, rec.Code, rec.Body.String())
	}
	if cd := rec.Header().Get("Content-Disposition"); !strings.Contains(cd, "attachment") || !strings.Contains(cd, "."+format) {
		en.t.Fatalf("Content-Disposition = %q", cd)
	}
	body := rec.Body.Bytes()
	if format == "csv" {
		if !bytes.HasPrefix(body, []byte("\xEF\xBB\xBF")) {
			en.t.Fatal("CSV without a byte-order mark")
		}
		r := csv.NewReader(bytes.NewReader(body[3:]))
		r.Comment = '#' // the row stating scope, year and as_of
		rows, err := r.ReadAll()
		if err != nil {
			en.t.Fatal(err)
		}
		return rows
	}
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		en.t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetName(0))
	if err != nil {
		en.t.Fatal(err)
	}
	return rows
}

// fenOfYuan parses "123.45" (元) into 分 without floating point.
func fenOfYuan(t *testing.T, s string) int64 {
	t.Helper()
	whole, frac, _ := strings.Cut(s, ".")
	frac = (frac + "00")[:2]
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil {
		t.Fatalf("not an amount: %q", s)
	}
	return n
}

// sameShare compares an exported share with the JSON's.
func sameShare(t *testing.T, cell string, v any) {
	t.Helper()
	want, _ := v.(float64)
	got, err := strconv.ParseFloat(cell, 64)
	if v == nil && cell == "" {
		return
	}
	if err != nil || got-want > 5e-7 || want-got > 5e-7 {
		t.Fatalf("share %q, JSON %v", cell, v)
	}
}

func TestExportsEqualJSON(t *testing.T) {
	en := newEnv(t)
	ac := func(u string) *models.Actor { return en.actor(u) }
	approve := func(cadre, officer, code string, fen int64) {
		if _, err := models.SaveDraft(en.db, ac(cadre), code, 2025, models.ReportInput{BusinessFen: &fen, SubsidyFen: &fen}); err != nil {
			t.Fatal(err)
		}
		if _, err := models.Submit(en.db, ac(cadre), code, 2025, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := models.Approve(en.db, ac(officer), code, 2025, nil); err != nil {
			t.Fatal(err)
		}
	}
	approve("v1", "s1", seeds.FixA1, 61_234_567)
	approve("v2", "s1", seeds.FixA2, 45_000_001)
	approve("v4", "s2", seeds.FixB1, 12_345)
	// A hostile village name: a spreadsheet formula.
	evil := `=HYPERLINK("http://evil.example","点我")`
	if _, err := models.UpdateVillage(en.db, ac("d"), models.VillageInput{Code: seeds.FixA2, Name: &evil}); err != nil {
		t.Fatal(err)
	}
	tok := en.token("d")
	_, ru := en.api("GET", "/api/v1/rollup?year=2025", tok, nil)
	streets := ru["by_street"].([]any)
	for _, format := range []string{"xlsx", "csv"} {
		t.Run("rollup/"+format, func(t *testing.T) {
			rows := en.download("/api/v1/rollup?year=2025", tok, format)
			if rows[0][0] != "街道代码" || len(rows) != len(streets)+2 {
				t.Fatalf("header %v, %d rows", rows[0], len(rows))
			}
			for i, s := range streets {
				st := s.(map[string]any)
				row := rows[i+1]
				inc := st["income_50w"].(map[string]any)
				if row[0] != st["street_code"] || row[2] != fmt.Sprint(st["villages"]) || row[4] != fmt.Sprint(inc["count"]) {
					t.Fatalf("row %v vs %v", row, st)
				}
				sameShare(t, cellAt(row, 5), inc["share"])
				sameShare(t, cellAt(row, 6), inc["target"])
				if got := fenOfYuan(t, row[13]); got != int64(st["collective_income_total_fen"].(float64)) {
					t.Fatalf("%s collective income %d, JSON %v", st["street_name"], got, st["collective_income_total_fen"])
				}
			}
			total := rows[len(rows)-1]
			if fenOfYuan(t, total[13]) != int64(ru["collective_income_total_fen"].(float64)) || total[4] != fmt.Sprint(ru["income_50w"].(map[string]any)["count"]) {
				t.Fatalf("total row %v", total)
			}
		})
		t.Run("ranking/"+format, func(t *testing.T) {
			_, rk := en.api("GET", "/api/v1/ranking?year=2025", tok, nil)
			rows := en.download("/api/v1/ranking?year=2025", tok, format)
			list := rk["streets"].([]any)
			if len(rows) != len(list)+1 {
				t.Fatalf("%d rows for %d streets", len(rows), len(list))
			}
			for i, s := range list {
				st := s.(map[string]any)
				if rows[i+1][0] != fmt.Sprint(st["rank"]) || rows[i+1][1] != st["street_code"] {
					t.Fatalf("row %v vs %v", rows[i+1], st)
				}
				sameShare(t, rows[i+1][5], st["share"])
				if want := colourLabel(st["color"].(string)); rows[i+1][7] != want {
					t.Fatalf("colour %q, want %q", rows[i+1][7], want)
				}
			}
		})
		t.Run("sprint/"+format, func(t *testing.T) {
			rows := en.download("/api/v1/lists/sprint?year=2025", tok, format)
			if len(rows) != 2 || rows[1][0] != seeds.FixA2 {
				t.Fatalf("sprint rows %v", rows)
			}
			if rows[1][1] != "'"+evil {
				t.Fatalf("formula not neutralised: %q", rows[1][1])
			}
			if fenOfYuan(t, rows[1][4]) != 45_000_001 {
				t.Fatalf("operating %q", rows[1][4])
			}
		})
		t.Run("villages/"+format, func(t *testing.T) {
			rows := en.download("/api/v1/villages?year=2025", tok, format)
			var list struct{ Total int }
			_, raw := en.api("GET", "/api/v1/villages", tok, nil)
			b, _ := json.Marshal(raw)
			json.Unmarshal(b, &list)
			if len(rows) != list.Total+1 {
				t.Fatalf("%d rows, %d villages", len(rows), list.Total)
			}
			for _, r := range rows {
				for _, c := range r {
					if strings.HasPrefix(c, "=") {
						t.Fatalf("a cell begins with '=': %q", c)
					}
				}
			}
		})
		t.Run("completeness/"+format, func(t *testing.T) {
			_, cp := en.api("GET", "/api/v1/completeness?year=2025", tok, nil)
			rows := en.download("/api/v1/completeness?year=2025", tok, format)
			total := rows[len(rows)-1]
			tj := cp["total"].(map[string]any)
			if total[2] != fmt.Sprint(tj["expected"]) || total[3] != fmt.Sprint(tj["approved"]) {
				t.Fatalf("total %v vs %v", total, tj)
			}
		})
	}
	if code, b := en.api("GET", "/api/v1/rollup?year=2025&format=pdf", tok, nil); code != 422 {
		t.Fatalf("unknown format: %d %v", code, b)
	}
	// The page download, through the session cookie.
	rec := en.page("GET", "/export/ranking?year=2025&format=csv", tok, nil, false)
	if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/csv") {
		t.Fatalf("page export: %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	if rec := en.page("GET", "/export/ranking?year=2025&format=csv", en.token("s1"), nil, false); rec.Code != 403 {
		t.Fatalf("street downloads the ranking: %d", rec.Code)
	}
}

func cellAt(row []string, i int) string {
	if i < len(row) {
		return row[i]
	}
	return ""
}

// TestOversightPages renders the oversight page and the 通报 with hostile text in a
// village name and checks it is escaped.
func TestOversightPages(t *testing.T) {
	en := newEnv(t)
	evil := `<img src=x onerror=alert(1)>村`
	if _, err := models.UpdateVillage(en.db, en.actor("d"), models.VillageInput{Code: seeds.FixA1, Name: &evil}); err != nil {
		t.Fatal(err)
	}
	fen := int64(45_000_000)
	if _, err := models.SaveDraft(en.db, en.actor("v1"), seeds.FixA1, 2025, models.ReportInput{BusinessFen: &fen}); err != nil {
		t.Fatal(err)
	}
	models.Submit(en.db, en.actor("v1"), seeds.FixA1, 2025, nil)
	models.Approve(en.db, en.actor("s1"), seeds.FixA1, 2025, nil)
	for _, p := range []string{"/oversight?year=2025", "/bulletin?year=2025", "/windows"} {
		rec := en.page("GET", p, en.token("d"), nil, false)
		if rec.Code != 200 {
			t.Fatalf("%s: %d", p, rec.Code)
		}
		body := rec.Body.String()
		if strings.Contains(body, "<img src=x") {
			t.Fatalf("%s shows unescaped HTML", p)
		}
		if p != "/windows" && !strings.Contains(body, "&lt;img src=x") {
			t.Fatalf("%s does not show the village of the 冲刺名单", p)
		}
	}
	if rec := en.page("GET", "/oversight?year=2025", en.token("s1"), nil, false); rec.Code != 200 {
		t.Fatalf("street oversight: %d", rec.Code)
	}
	if rec := en.page("GET", "/oversight", en.token("v1"), nil, false); rec.Code != 403 {
		t.Fatalf("cadre oversight: %d", rec.Code)
	}
}

// TestExportsStateScope: every export of figures states its scope, year and as_of
// inside the file (XLSX: a 说明 sheet; CSV: a first comment row) and in its name,
// and the XLSX sheet name is never cut inside the timestamp.
func TestExportsStateScope(t *testing.T) {
	en := newEnv(t)
	tok := en.token("d")
	asOf := "2026-01-31T09:00:00Z"
	for _, path := range []string{"/api/v1/rollup?year=2025&as_of=" + asOf, "/api/v1/ranking?year=2025&as_of=" + asOf,
		"/api/v1/lists/sprint?year=2025&as_of=" + asOf} {
		for _, format := range []string{"csv", "xlsx"} {
			req := httptest.NewRequest("GET", path+"&format="+format, nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			rec := httptest.NewRecorder()
			en.e.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				t.Fatalf("%s %s: %d", path, format, rec.Code)
			}
			if cd := rec.Header().Get("Content-Disposition"); !strings.Contains(cd, "-331002-asof-20260131T090000Z."+format) {
				t.Errorf("%s file name: %s", path, cd)
			}
			body := rec.Body.String()
			if format == "csv" {
				first := strings.SplitN(strings.TrimPrefix(body, "\uFEFF"), "\n", 2)[0]
				if !strings.HasPrefix(first, "# ") || !strings.Contains(first, "椒江区（331002）") || !strings.Contains(first, "2025 年度") || !strings.Contains(first, asOf) {
					t.Errorf("%s CSV first row: %s", path, first)
				}
				continue
			}
			f, err := excelize.OpenReader(strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			sheets := f.GetSheetList()
			if len(sheets) != 2 || sheets[1] != "说明" || strings.Contains(sheets[0], "截至") || strings.Contains(sheets[0], "2026-01") {
				t.Errorf("%s sheets: %q", path, sheets)
			}
			rows, _ := f.GetRows("说明")
			text := fmt.Sprint(rows)
			if !strings.Contains(text, "椒江区（331002）") || !strings.Contains(text, asOf) || !strings.Contains(text, "2025 年度") {
				t.Errorf("%s 说明: %s", path, text)
			}
			f.Close()
		}
	}
}
