package models

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
)

// TitleColumns are the fields of the district's naming list (命名名单) and the names
// its sheet gives them. A village is named by its code or by its name; the title
// column may carry the level ("三星级美丽乡村"), or the level has its own column.
var TitleColumns = []SheetColumn{
	{Key: "code", Label: "村代码", Names: codeNames},
	{Key: "name", Label: "村名", Names: villageNameNames},
	{Key: "title", Label: "称号", Names: []string{"称号", "命名称号", "称号名称", "命名类别", "类别", "荣誉称号", "命名"}},
	{Key: "level", Label: "星级", Names: []string{"星级", "等级", "星级等级", "级别"}},
	{Key: "year", Label: "年度", Names: []string{"年度", "命名年度", "年份", "年"}},
	{Key: "named_on", Label: "命名日期", Names: []string{"命名日期", "日期", "发文日期", "印发日期", "命名时间", "发文时间"}, Required: true},
	{Key: "document_no", Label: "文号", Names: []string{"文号", "命名文号", "发文字号", "发文文号", "文件文号", "批文文号", "文件号"}, Required: true},
}

// TitleImportHeader is the header row of the naming list template.
var TitleImportHeader = SheetLabels(TitleColumns, "")

// TitleSheetRows is the most rows a naming list may have, header included.
const TitleSheetRows = 30_000

// TitleImportRow is one naming a list enters (or would enter).
type TitleImportRow struct {
	Row         int    `json:"row"`
	VillageCode string `json:"village_code"`
	VillageName string `json:"village_name"`
	Title       string `json:"title"`
	Level       int    `json:"level"`
	Year        int    `json:"year"`
	NamedOn     string `json:"named_on"`
	DocumentNo  string `json:"document_no"`
}

// TitleImport is the outcome of a naming list import: every problem, or the
// namings it enters (dry run) or entered (commit); rows already in the register
// are counted as unchanged and skipped.
type TitleImport struct {
	registerImport
	New []TitleImportRow `json:"new"`
}

// registerImport is what the imports of the district's registers (namings,
// targets) answer besides their rows: the rows read, every problem, how many rows
// were already in force and skipped, whether it was written, the columns read past,
// and the year of the title for a sheet without a year column.
type registerImport struct {
	Rows      int             `json:"rows"`
	Problems  []ImportProblem `json:"problems"`
	Unchanged int             `json:"unchanged"`
	Committed bool            `json:"committed"`
	Ignored   []string        `json:"ignored,omitempty"`
	Year      int             `json:"year,omitempty"`
}

// ImportTitles checks a naming list and, unless dryRun, enters its namings in the
// register: all or nothing, in one transaction, each naming audited as one entered
// by hand. Every row is judged by the rules of a naming entered by hand. Importing
// the same list again changes nothing. District staff only.
func ImportTitles(db *gorm.DB, a *Actor, rows [][]string, dryRun bool) (*TitleImport, error) {
	if a.Role != RoleDistrict {
		return nil, ErrForbidden
	}
	res := &TitleImport{registerImport: registerImport{Problems: []ImportProblem{}}, New: []TitleImportRow{}}
	lay, probs := findHeader(rows, TitleColumns, "")
	if len(probs) == 0 {
		probs = titleHeaderProblems(lay, res)
	}
	if len(probs) > 0 {
		res.Problems = probs
		return res, nil
	}
	res.Ignored = lay.ignored
	var villages []Village
	if err := a.Scope().Villages(db.Model(&Village{})).Order("villages.code").Find(&villages).Error; err != nil {
		return nil, err
	}
	byCode, byName := map[string]*Village{}, map[string][]*Village{}
	for i := range villages {
		v := &villages[i]
		byCode[v.Code] = v
		byName[villageKey(v.Name)] = append(byName[villageKey(v.Name)], v)
	}
	last, err := LastYear(db)
	if err != nil {
		return nil, err
	}
	// The namings in the register, so that a list imported twice enters nothing twice.
	var existing []TitleEntry
	if err := db.Model(&TitleEntry{}).Joins("JOIN villages ON villages.code = title_entries.village_code").
		Scopes(a.Scope().Villages).Where("title_entries.kind = ?", TitleNamed).Find(&existing).Error; err != nil {
		return nil, err
	}
	known := map[string]bool{}
	for _, e := range existing {
		known[namingKey(e.VillageCode, e.Title, e.Level, e.Year, e.DocumentNo)] = true
	}
	seen := map[string]int{}
	var entries []TitleEntry
	res.Rows = eachDataRow(rows, lay.start, &res.Problems, func(n int, r []string, bad func(col, msg string)) {
		v := sheetVillage(lay, r, byCode, byName, bad)
		in := TitleInput{Year: res.Year, DocumentNo: lay.get(r, "document_no")}
		verr := &ValidationError{}
		var ok bool
		if in.Title, in.Level, ok = parseTitleCells(lay.get(r, "title"), lay.get(r, "level")); !ok {
			verr.Add("title", "请写明称号：星级美丽乡村（一至三星）或 和美乡村")
		}
		if lay.has("year") {
			y, err := strconv.Atoi(strings.TrimSuffix(lay.get(r, "year"), "年"))
			if err != nil {
				verr.Add("year", "年度须为年份，如 2024")
			}
			in.Year = y
		}
		if in.NamedOn, ok = sheetDate(lay.get(r, "named_on")); !ok {
			verr.Add("named_on", "命名日期须为日期，如 2024-12-20")
		}
		if v != nil {
			verr.Merge(in.check(v, last))
		}
		fieldProblems(TitleColumns, verr, bad)
		if v == nil || verr.Err() != nil {
			return
		}
		key := namingKey(v.Code, in.Title, in.Level, in.Year, in.DocumentNo)
		if p := seen[key]; p != 0 {
			bad("村代码", fmt.Sprintf("与第 %d 行是同一村同一命名", p))
			return
		}
		seen[key] = n
		if known[key] {
			res.Unchanged++
			return
		}
		res.New = append(res.New, TitleImportRow{Row: n, VillageCode: v.Code, VillageName: v.Name, Title: in.Title,
			Level: in.Level, Year: in.Year, NamedOn: in.NamedOn.Format("2006-01-02"), DocumentNo: in.DocumentNo})
		entries = append(entries, TitleEntry{VillageCode: v.Code, Kind: TitleNamed, Title: in.Title, Level: in.Level,
			Year: in.Year, On: in.NamedOn.UTC(), DocumentNo: in.DocumentNo, RecordedBy: a.Name})
	})
	if res.refused(lay.start) {
		res.New = []TitleImportRow{}
		return res, nil
	}
	if dryRun || len(entries) == 0 {
		return res, nil
	}
	err = db.Transaction(func(tx *gorm.DB) error {
		at := now()
		for i := range entries {
			e := &entries[i]
			e.RecordedAt = at
			if err := tx.Create(e).Error; err != nil {
				return err
			}
			v := byCode[e.VillageCode]
			if err := Audit(tx, a, "title.name", "title", itoa(int(e.ID)), VillageScope(v), nil, *e); err != nil {
				return err
			}
		}
		codes := make([]string, len(entries))
		for i := range entries {
			codes[i] = entries[i].VillageCode
		}
		return registersForVillages(tx, codes...)
	})
	if err != nil {
		return nil, err
	}
	res.Committed = true
	return res, nil
}

// titleHeaderProblems checks what findHeader cannot: a village column (code or
// name), a title or level column, and a year (a column, or the sheet's title).
func titleHeaderProblems(lay *sheetLayout, res *TitleImport) []ImportProblem {
	var missing []string
	if !lay.has("code") && !lay.has("name") {
		missing = append(missing, "村代码或村名")
	}
	if !lay.has("title") && !lay.has("level") {
		missing = append(missing, "称号")
	}
	if !lay.has("year") {
		if res.Year = titleYear(lay.titles); res.Year == 0 {
			missing = append(missing, "年度（或在标题中写明，如“2024年度……命名名单”）")
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return []ImportProblem{{Row: lay.header + 1, Column: strings.Join(missing, "、"),
		Message: "表头（第 " + itoa(lay.header+1) + " 行）缺少：" + strings.Join(missing, "、") + "（列名可用常见叫法，顺序不限）"}}
}

// sheetVillage finds a row's village by its code, else by its name (which must then
// be the name of one village of the scope); when both are given they must agree.
func sheetVillage(lay *sheetLayout, r []string, byCode map[string]*Village, byName map[string][]*Village, bad func(col, msg string)) *Village {
	code, name := lay.get(r, "code"), lay.get(r, "name")
	switch {
	case code != "":
		v := byCode[code]
		if v == nil {
			bad("村代码", "本区没有这个村代码")
			return nil
		}
		if name != "" && villageKey(name) != villageKey(v.Name) {
			bad("村名", fmt.Sprintf("村名“%s”与村代码 %s（%s）不符", name, code, v.Name))
			return nil
		}
		return v
	case name != "":
		vs := byName[villageKey(name)]
		switch len(vs) {
		case 0:
			bad("村名", "本区没有叫“"+name+"”的村")
		case 1:
			return vs[0]
		default:
			bad("村名", fmt.Sprintf("本区有 %d 个村叫“%s”，请填村代码", len(vs), name))
		}
		return nil
	}
	bad("村代码", "请填写村代码或村名")
	return nil
}

// villageKey is a village name for matching: without spaces and a final 村.
func villageKey(s string) string {
	s = strings.Join(strings.Fields(NormalizeCell(s)), "")
	return strings.TrimSuffix(s, "村")
}

func namingKey(code, title string, level, year int, doc string) string {
	return code + "|" + title + "|" + itoa(level) + "|" + itoa(year) + "|" + doc
}

// parseTitleCells reads a row's title and level: "和美乡村"; "星级美丽乡村" with the
// level in its own column; or a title naming its level ("三星级美丽乡村", "3星").
// With no title cell, a level alone means 星级美丽乡村.
func parseTitleCells(title, level string) (string, int, bool) {
	t := strings.Join(strings.Fields(NormalizeCell(title)), "")
	switch {
	case strings.Contains(t, "和美"):
		l, _ := parseLevel(level)
		return TitleHemei, l, true
	case t == "" && level == "":
		return "", 0, false
	case t == "" || strings.Contains(t, "美丽乡村") || strings.Contains(t, "星"):
		l, ok := parseLevel(t)
		if !ok {
			l, _ = parseLevel(level)
		}
		return TitleStar, l, true
	}
	return "", 0, false
}

var levelRe = regexp.MustCompile(`^([123一二三])星`)

// parseLevel reads a 星级: "2", "二星", "2星级", "★★", "三星级美丽乡村".
func parseLevel(s string) (int, bool) {
	s = strings.Join(strings.Fields(NormalizeCell(s)), "")
	if n := strings.Count(s, "★"); n > 0 && strings.Trim(s, "★") == "" {
		return n, true
	}
	if m := levelRe.FindStringSubmatch(s); m != nil {
		s = m[1]
	}
	switch strings.TrimSuffix(strings.TrimSuffix(s, "级"), "星") {
	case "1", "一":
		return 1, true
	case "2", "二":
		return 2, true
	case "3", "三":
		return 3, true
	case "", "0", "-", "—", "无":
		return 0, s != ""
	}
	return 0, false
}

var sheetDateRe = regexp.MustCompile(`^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$`)

// sheetDate reads a date cell (Asia/Shanghai midnight): 2024-12-20, 2024/12/20,
// 2024.12.20, 2024年12月20日, 20241220, a date and time as Excel shows it, or an
// Excel serial day number.
func sheetDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(NormalizeCell(s))
	if i := strings.IndexAny(s, " T"); i > 0 {
		s = s[:i] // a time of day
	}
	day := func(y, m, d int) (time.Time, bool) {
		t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, Shanghai)
		return t, y >= 1949 && y <= 2100 && t.Month() == time.Month(m) && t.Day() == d
	}
	if m := sheetDateRe.FindStringSubmatch(s); m != nil {
		y, _ := strconv.Atoi(m[1])
		mo, _ := strconv.Atoi(m[2])
		d, _ := strconv.Atoi(m[3])
		return day(y, mo, d)
	}
	if isDigits(s, 8) {
		y, _ := strconv.Atoi(s[:4])
		mo, _ := strconv.Atoi(s[4:6])
		d, _ := strconv.Atoi(s[6:])
		return day(y, mo, d)
	}
	// Excel's serial day (1 = 1900-01-01, counting its phantom 1900-02-29).
	if n, err := strconv.Atoi(s); err == nil && n > 18_000 && n < 75_000 {
		t := time.Date(1899, 12, 30, 0, 0, 0, 0, Shanghai).AddDate(0, 0, n)
		return t, true
	}
	// Excel's own short date format (mm-dd-yy).
	if t, err := time.ParseInLocation("01-02-06", s, Shanghai); err == nil {
		return t, true
	}
	return time.Time{}, false
}

// refused reports whether the sheet is refused (all or nothing): a problem in any
// row, or no data row below the header (headerRow, 0-based).
func (r *registerImport) refused(headerRow int) bool {
	if r.Rows == 0 && len(r.Problems) == 0 {
		r.Problems = append(r.Problems, ImportProblem{headerRow + 1, "", "表头之后没有数据行"})
	}
	return len(r.Problems) > 0
}
