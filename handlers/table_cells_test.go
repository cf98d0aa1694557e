package handlers

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"cunji/seeds"
)

var (
	tableRe = regexp.MustCompile(`(?s)<table[ >].*?</table>`)
	theadRe = regexp.MustCompile(`(?s)<thead>.*?</thead>`)
	tbodyRe = regexp.MustCompile(`(?s)<tbody>.*?</tbody>`)
	rowRe   = regexp.MustCompile(`(?s)<tr[ >].*?</tr>`)
	cellRe  = regexp.MustCompile(`<t[hd][ >]`)
)

// tableShapes returns, for each table of a page with a head, its number of header
// cells and the cell count of every body row.
func tableShapes(body string) (heads []int, rows [][]int) {
	for _, tb := range tableRe.FindAllString(body, -1) {
		head := theadRe.FindString(tb)
		if head == "" {
			continue
		}
		heads = append(heads, len(cellRe.FindAllString(head, -1)))
		var counts []int
		for _, r := range rowRe.FindAllString(tbodyRe.FindString(tb), -1) {
			counts = append(counts, len(cellRe.FindAllString(r, -1)))
		}
		rows = append(rows, counts)
	}
	return heads, rows
}

// TestTableCellsMatchHeaders: every body row of every table on the roll-up, the
// oversight page and the 通报 has as many cells as its head (issue 14: the
// 分村庄类型 table had 9 headers and 12 cells a row).
func TestTableCellsMatchHeaders(t *testing.T) {
	en := newEnv(t)
	en.approvedVia("v1", "s1", seeds.FixA1, 2025, 45_000_000)
	d := en.token("d")
	for _, p := range []string{"/rollup?year=2025", "/oversight?year=2025", "/bulletin?year=2025"} {
		body := en.page("GET", p, d, nil, false).Body.String()
		heads, rows := tableShapes(body)
		if len(heads) == 0 {
			t.Fatalf("%s: no table", p)
		}
		for i, h := range heads {
			if strings.Contains(body, "colspan") {
				t.Fatalf("%s: colspan is not counted by this test", p)
			}
			for j, n := range rows[i] {
				if n != h {
					t.Errorf("%s: table %d row %d has %d cells under %d headers", p, i+1, j+1, n, h)
				}
			}
		}
	}
}

// approvedVia saves, submits and approves a village's first version of year
// through the API: the cadre's and the officer's fixture names, 经营收入 in 分.
func (en *env) approvedVia(cadre, officer, code string, year int, businessFen int64) {
	en.t.Helper()
	path := "/api/v1/villages/" + code + "/reports/" + strconv.Itoa(year)
	tok := en.token(cadre)
	if c, b := en.api("PUT", path, tok, map[string]any{"business_fen": businessFen, "version": 0}); c != 200 {
		en.t.Fatalf("save %s: %d %v", code, c, b)
	}
	en.api("POST", path+"/submit", tok, map[string]any{"version": 1})
	if c, b := en.api("POST", path+"/approve", en.token(officer), map[string]any{"version": 2}); c != 200 {
		en.t.Fatalf("approve %s: %d %v", code, c, b)
	}
}
