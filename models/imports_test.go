package models_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"cunji/models"
	"cunji/seeds"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"gorm.io/gorm"
)

// xlsx makes a workbook of rows (strings are written as text cells, as a sheet of
// "numbers stored as text" would have them).
func xlsx(t *testing.T, rows [][]any, merge string) []byte {
	t.Helper()
	f := excelize.NewFile()
	for r, row := range rows {
		for c, v := range row {
			cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
			f.SetCellValue("Sheet1", cell, v)
		}
	}
	if merge != "" {
		parts := strings.Split(merge, ":")
		f.MergeCell("Sheet1", parts[0], parts[1])
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func csvOf(lines ...string) []byte { return []byte("\uFEFF" + strings.Join(lines, "\r\n") + "\r\n") }

const villageHeader = "村代码,村名称,街道代码,村庄类型,起始年度,终止年度"

func readRows(t *testing.T, data []byte) [][]string {
	t.Helper()
	rows, err := models.ReadSheet(data, models.VillageSheetRows)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestImportVillages(t *testing.T) {
	db, ac := setup(t)
	good := csvOf(villageHeader,
		"331002003201,新河村,331002003,整治提升,2000,",
		"３３１００２００３２０２ , 东海村 ,331002003,特色保护,２０１０,", // full-width digits, stray spaces
		",,,,,", // a stray blank row
		seeds.FixA1+",甲村,331002001,集聚建设,2000,", // changes 甲村's type
		seeds.FixA2+",乙村,331002001,整治提升,2000,", // unchanged
	)
	dry, err := models.ImportVillages(db, ac["d"], readRows(t, good), true)
	if err != nil {
		t.Fatal(err)
	}
	if len(dry.Problems) != 0 || len(dry.NewCodes) != 2 || len(dry.Changed) != 1 || dry.Unchanged != 1 || dry.Committed {
		t.Fatalf("dry run = %+v", dry)
	}
	if c := dry.Changed[0].Changes; len(c) != 1 || c[0].Before != "城郊融合" || c[0].After != "集聚建设" {
		t.Fatalf("change = %+v", c)
	}
	before := snapshot(t, db)
	var n int64
	db.Model(&models.Village{}).Count(&n)
	if n != 4 || snapshot(t, db) != before {
		t.Fatal("a dry run wrote")
	}
	res, err := models.ImportVillages(db, ac["d"], readRows(t, good), false)
	if err != nil || !res.Committed {
		t.Fatalf("commit: %+v %v", res, err)
	}
	var v models.Village
	db.Where("code = ?", "331002003202").Take(&v)
	if v.Name != "东海村" || v.ActiveFrom != 2010 || v.StreetCode != "331002003" {
		t.Fatalf("imported village = %+v", v)
	}
	// The same file again changes nothing, not even the audit log.
	var audits int64
	db.Model(&models.AuditEntry{}).Count(&audits)
	again, _ := models.ImportVillages(db, ac["d"], readRows(t, good), false)
	var audits2 int64
	db.Model(&models.AuditEntry{}).Count(&audits2)
	if len(again.NewCodes) != 0 || len(again.Changed) != 0 || again.Unchanged != 4 || audits2 != audits {
		t.Fatalf("re-import = %+v, audit %d → %d", again, audits, audits2)
	}
	// One bad row in the middle: every problem listed, nothing written.
	bad := csvOf(villageHeader,
		"331002003203,好村,331002003,整治提升,2000,",
		"33100200320X,坏村,331002003,整治提升,2000,",
		"331002999201,无街村,331002999,整治提升,2000,",
		"331002003204,,331002003,小康村,1800,1700",
		"331002003203,重复村,331002003,整治提升,2000,",
		"331002003205,又一好村,331002003,整治提升,2000,",
	)
	before = snapshot(t, db)
	var villagesBefore int64
	db.Model(&models.Village{}).Count(&villagesBefore)
	res, err = models.ImportVillages(db, ac["d"], readRows(t, bad), false)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"3/村代码": true, "4/村代码": true, "4/街道代码": true, "5/村名称": true, "5/村庄类型": true,
		"5/起始年度": true, "6/村代码": true}
	got := map[string]bool{}
	for _, p := range res.Problems {
		got[fmt.Sprintf("%d/%s", p.Row, p.Column)] = true
		if p.Message == "" {
			t.Errorf("problem without a message: %+v", p)
		}
	}
	for k := range want {
		if !got[k] {
			t.Errorf("missing problem %s; got %v", k, res.Problems)
		}
	}
	var villagesAfter int64
	db.Model(&models.Village{}).Count(&villagesAfter)
	if res.Committed || villagesAfter != villagesBefore || snapshot(t, db) != before {
		t.Fatal("a file with a bad row wrote something")
	}
	// The roll-up of now (kept current by the import) equals the recount.
	recount(t, db, ac["d"])
	// Only the district imports.
	if _, err := models.ImportVillages(db, ac["s1"], readRows(t, good), true); !errors.Is(err, models.ErrForbidden) {
		t.Fatalf("street import: %v", err)
	}
}

func TestHostileSheets(t *testing.T) {
	db, ac := setup(t)
	header := []any{"村代码", "村名称", "街道代码", "村庄类型", "起始年度", "终止年度"}
	// An xlsx with numbers stored as text and a trailing space, and a merged header.
	ok := xlsx(t, [][]any{header, {"331002003201", "新河村 ", "331002003", "整治提升", "2000", nil}, {}, {"331002003202", "北岸村", 331002003, "整治提升", 2001, nil}}, "")
	res, err := models.ImportVillages(db, ac["d"], readRows(t, ok), true)
	if err != nil || len(res.Problems) != 0 || len(res.NewCodes) != 2 {
		t.Fatalf("xlsx with text numbers: %+v %v", res, err)
	}
	merged := xlsx(t, [][]any{{"村代码", "", "街道代码", "村庄类型", "起始年度", "终止年度"}, {"331002003201", "x", "331002003", "整治提升", "2000"}}, "A1:B1")
	res, _ = models.ImportVillages(db, ac["d"], readRows(t, merged), true)
	if len(res.Problems) == 0 || res.Problems[0].Row != 1 || !strings.Contains(res.Problems[0].Message, "合并单元格") {
		t.Fatalf("merged header: %+v", res.Problems)
	}
	gbk, _ := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(villageHeader + "\r\n331002003201,新河村,331002003,整治提升,2000,\r\n"))
	res, err = models.ImportVillages(db, ac["d"], readRows(t, gbk), true)
	if err != nil || len(res.Problems) != 0 || len(res.NewCodes) != 1 {
		t.Fatalf("GB18030 CSV: %+v %v", res, err)
	}
	for name, data := range map[string][]byte{
		"empty":             {},
		"only spaces":       []byte("   \n  "),
		"a PNG named .xlsx": []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00"),
		"a broken zip":      []byte("PK\x03\x04garbage"),
		"too large":         make([]byte, models.MaxSheetBytes+1),
	} {
		if _, err := models.ReadSheet(data, models.VillageSheetRows); err == nil {
			t.Errorf("%s was read", name)
		}
	}
	onlyHeader := readRows(t, csvOf(villageHeader))
	if res, _ := models.ImportVillages(db, ac["d"], onlyHeader, true); len(res.Problems) != 1 {
		t.Fatalf("header only: %+v", res.Problems)
	}
}

const reportHeader = "村代码,年度,星级,和美乡村,经营收入,发包及上交收入,投资收益,补助收入,其他收入,集体资产"

func TestImportReports(t *testing.T) {
	db, ac := setup(t)
	file := csvOf(reportHeader,
		seeds.FixA1+",2024,1,是,300000.50,150000,50000,100000,0,20000000",
		seeds.FixA2+",2024,0,否,100000,0,-2000.25,0,0,1000000",
		seeds.FixB1+",2024,2,是,600000,0,0,0,0,0",
	)
	if _, err := models.ImportReports(db, ac["d"], readRows(t, file), models.ReportImportMode{Approve: true}, true); !isInvalid(err, "approve_reason") {
		t.Fatalf("approve without a reason: %v", err)
	}
	mode := models.ReportImportMode{Approve: true, Reason: "2024 年农经统计年报"}
	res, err := models.ImportReports(db, ac["d"], readRows(t, file), mode, false)
	if err != nil || len(res.Problems) != 0 || res.New != 3 || !res.Committed {
		t.Fatalf("import: %+v %v", res, err)
	}
	rep, _ := models.GetReport(db, ac["d"], seeds.FixA1, 2024)
	if rep.Approved == nil || rep.Approved.OperatingFen != 50_000_050 || rep.Approved.BusinessFen != 30_000_050 {
		t.Fatalf("甲村 2024 = %+v", rep.Approved)
	}
	rep, _ = models.GetReport(db, ac["d"], seeds.FixA2, 2024)
	if rep.Approved.InvestmentFen != -200_025 {
		t.Fatalf("negative investment: %d", rep.Approved.InvestmentFen)
	}
	entries, _, _ := models.ListAudit(db, ac["s1"], models.AuditFilter{VillageCode: seeds.FixA1})
	if len(entries) == 0 || !strings.Contains(entries[0].After, "2024 年农经统计年报") {
		t.Fatalf("the reason is not in the village's audit log: %+v", entries)
	}
	// Again: nothing changes.
	before := snapshot(t, db)
	again, _ := models.ImportReports(db, ac["d"], readRows(t, file), mode, false)
	if again.Unchanged != 3 || again.New+again.Changed != 0 || snapshot(t, db) != before {
		t.Fatalf("re-import = %+v", again)
	}
	recount(t, db, ac["d"])
	// A correction into the streets' queues.
	fix := csvOf(reportHeader, seeds.FixA1+",2024,1,是,400000,150000,50000,100000,0,20000000")
	res, err = models.ImportReports(db, ac["d"], readRows(t, fix), models.ReportImportMode{}, false)
	if err != nil || res.Changed != 1 {
		t.Fatalf("queued correction: %+v %v", res, err)
	}
	queue, _ := models.ListQueue(db, ac["s1"], models.QueueFilter{})
	q := queue.Items
	if len(q) != 1 || q[0].Version.VillageCode != seeds.FixA1 || q[0].Approved.OperatingFen != 50_000_050 {
		t.Fatalf("queue = %+v", q)
	}
	// While it waits, the village-year cannot be imported again; other problems too.
	bad := csvOf(reportHeader,
		seeds.FixA1+",2024,1,是,1,0,0,0,0,0",
		seeds.FixA2+",2022,1,是,1,0,0,0,0,0",
		seeds.FixA2+",2025,4,也许,1.234,-5,0,0,0,0",
		"331002009999,2025,0,否,0,0,0,0,0,0",
		seeds.FixA3+",2025,0,否,0,0,0,0,0,0",
	)
	before = snapshot(t, db)
	res, _ = models.ImportReports(db, ac["d"], readRows(t, bad), mode, false)
	got := map[string]bool{}
	for _, p := range res.Problems {
		got[fmt.Sprintf("%d/%s", p.Row, p.Column)] = true
	}
	for _, k := range []string{"2/村代码", "3/年度", "4/星级", "4/和美乡村", "4/经营收入", "4/发包及上交收入", "5/村代码", "6/年度"} {
		if !got[k] {
			t.Errorf("missing problem %s in %v", k, res.Problems)
		}
	}
	if snapshot(t, db) != before {
		t.Fatal("a bad file wrote")
	}
}

// TestImportProvince imports 25,547 villages (a province) through check and commit;
// it logs the time taken (no limit is asserted on a shared machine).
func TestImportProvince(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	db, ac := setup(t)
	// 30 more streets, so that codes fit the pattern street + 3 digits.
	var streets []models.Street
	for s := 0; s < 30; s++ {
		streets = append(streets, models.Street{Code: fmt.Sprintf("331002%03d", 200+s), DistrictCode: seeds.DistrictCode, Name: fmt.Sprintf("测试镇%d", s)})
	}
	if err := db.Omit("District").Create(&streets).Error; err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString(villageHeader + "\n")
	for i := 0; i < 25547; i++ {
		s := streets[i%30]
		fmt.Fprintf(&b, "%s%03d,测试村%d,%s,%s,2000,\n", s.Code, 100+i/30, i, s.Code, models.VillageTypes[i%5])
	}
	rows := readRows(t, []byte(b.String()))
	start := time.Now()
	dry, err := models.ImportVillages(db, ac["d"], rows, true)
	if err != nil || len(dry.Problems) != 0 || len(dry.NewCodes) != 25547 {
		t.Fatalf("dry run: %v %d problems %d new", err, len(dry.Problems), len(dry.NewCodes))
	}
	checked := time.Since(start)
	res, err := models.ImportVillages(db, ac["d"], rows, false)
	if err != nil || !res.Committed {
		t.Fatal(err)
	}
	t.Logf("25,547 villages on %s: checked in %v, checked and committed in %v", models.TestBackend(), checked, time.Since(start)-checked)
	var n int64
	db.Model(&models.Village{}).Count(&n)
	if n != 25547+4 {
		t.Fatalf("%d villages", n)
	}
}

// FuzzImportVillageRow: any row of cells is checked without a panic or an error,
// and a dry run never writes.
func FuzzImportVillageRow(f *testing.F) {
	db := models.OpenTest(f)
	users, err := seeds.Fixture(db)
	if err != nil {
		f.Fatal(err)
	}
	a := models.ActorFor(users["d"], "")
	f.Add("331002003201", "新村", "331002003", "整治提升", "2000", "")
	f.Add("３３１００２００３２０１", " 村 ", "331002003", "特色保护", "２０１０", "2009")
	f.Add("=cmd|' /C calc'!A0", "<script>", "", "", "-1", "99999999999999999999")
	f.Fuzz(func(t *testing.T, code, name, street, typ, from, until string) {
		rows := [][]string{models.VillageImportHeader, {code, name, street, typ, from, until}}
		for _, r := range rows {
			for i := range r {
				r[i] = models.NormalizeCell(r[i])
			}
		}
		var before int64
		db.Model(&models.Village{}).Count(&before)
		res, err := models.ImportVillages(db, a, rows, true)
		if err != nil {
			t.Fatalf("error instead of problems: %v", err)
		}
		var after int64
		db.Model(&models.Village{}).Count(&after)
		if after != before || res.Committed {
			t.Fatal("a dry run wrote")
		}
		if len(res.Problems) == 0 && len(res.NewCodes)+len(res.Changed)+res.Unchanged != 1 {
			t.Fatalf("a clean row is neither new, changed nor unchanged: %+v", res)
		}
	})
}

// recount checks the roll-up of now against the hand-written aggregate, every year.
func recount(t *testing.T, db *gorm.DB, a *models.Actor) {
	t.Helper()
	years, err := models.Years(db)
	if err != nil {
		t.Fatal(err)
	}
	for _, y := range years {
		ru, err := models.ComputeRollup(db, a, "", y, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		base, err := models.BaselineRollup(db, a.DistrictCode, y, time.Now(), false)
		if err != nil {
			t.Fatal(err)
		}
		if ru.Totals() != *base {
			t.Fatalf("%d: roll-up %+v, recount %+v", y, ru.Totals(), *base)
		}
	}
}
