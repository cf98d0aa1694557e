package models

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// The mapping step of an import. When a district's sheet names a column in a way
// no import knows, or lacks a required one, the page shows each column of the
// header with a choice of field; the choice made is kept per district under the
// sheet's header row, and the next sheet with the same header is read with it.

// Import kinds whose mappings are kept.
const (
	ImportKindVillages = "villages"
	ImportKindReports  = "reports"
)

// ImportMapping is a district's remembered mapping of a sheet's header: the field
// of each column of the header with that text, and the unit its amounts were read in
// when the header named none.
type ImportMapping struct {
	ID           uint      `gorm:"primaryKey"`
	DistrictCode string    `gorm:"size:6;not null;uniqueIndex:idx_import_mappings_header,priority:1"`
	Kind         string    `gorm:"size:20;not null;uniqueIndex:idx_import_mappings_header,priority:2"`
	HeaderKey    string    `gorm:"size:64;not null;uniqueIndex:idx_import_mappings_header,priority:3"` // sha256 of the header's cells
	Header       string    `gorm:"type:text;not null"`                                                 // JSON: the header's cells
	Fields       string    `gorm:"type:text;not null"`                                                 // JSON: each column's field, "" read past
	Unit         string    `gorm:"size:10;not null;default:''"`
	SavedBy      string    `gorm:"size:100;not null"`
	SavedAt      time.Time `gorm:"not null"`
}

// ColumnMapping is the mapping chosen on the page or given to the API: the sheet
// row of the header (1-based, its lower row when it has two) and the field of each
// column ("" or missing: read past).
type ColumnMapping struct {
	HeaderRow int
	Fields    []string
}

// RememberedMapping says which saved mapping read a sheet.
type RememberedMapping struct {
	SavedBy string    `json:"saved_by"`
	SavedAt time.Time `json:"saved_at"`
}

// MappingColumn is one column of the header as the mapping step shows it.
type MappingColumn struct {
	Index  int    `json:"-"`
	Column string `json:"column"` // A, B, …
	Header string `json:"header"`
	Field  string `json:"field"` // the field it is read as, "" read past
	Sample string `json:"sample,omitempty"`
}

// MappingField is a field a column may be mapped to.
type MappingField struct {
	Key      string `json:"key"`
	Label    string `json:"label"`
	Required bool   `json:"required"`
	Amount   bool   `json:"amount"`
}

// SheetMapping is how an import read the sheet's columns, for the mapping step:
// needed when a required field has no column (nothing is checked until it has one),
// else offered to adjust the columns read past.
type SheetMapping struct {
	HeaderRow  int                `json:"header_row"`
	Columns    []MappingColumn    `json:"columns"`
	Fields     []MappingField     `json:"fields"`
	Missing    []string           `json:"missing,omitempty"`
	Needed     bool               `json:"needed"`
	Explicit   bool               `json:"explicit"` // read with the mapping given
	Remembered *RememberedMapping `json:"remembered,omitempty"`
}

// ColumnLetter is a column's letters as a spreadsheet names it (0 → A, 26 → AA).
func ColumnLetter(j int) string {
	s := ""
	for j++; j > 0; j = (j - 1) / 26 {
		s = string(rune('A'+(j-1)%26)) + s
	}
	return s
}

// columnIndex reads a column's letters (A → 0), -1 when they are not letters.
func columnIndex(s string) int {
	s = strings.ToUpper(strings.TrimSpace(s))
	if s == "" || len(s) > 3 {
		return -1
	}
	n := 0
	for _, r := range s {
		if r < 'A' || r > 'Z' {
			return -1
		}
		n = n*26 + int(r-'A'+1)
	}
	return n - 1
}

// ParseMappingJSON reads the API's mapping: {"header_row": 3, "columns": {"A":
// "code", "D": "business_fen", …}}; a column not named is read past.
func ParseMappingJSON(s string) (*ColumnMapping, error) {
	var in struct {
		HeaderRow int               `json:"header_row"`
		Columns   map[string]string `json:"columns"`
	}
	bad := Invalid("mapping", `mapping 须为 JSON：{"header_row": 表头所在行, "columns": {"A": "code", …}}`)
	if err := json.Unmarshal([]byte(s), &in); err != nil || in.HeaderRow < 1 || len(in.Columns) == 0 {
		return nil, bad
	}
	m := &ColumnMapping{HeaderRow: in.HeaderRow}
	for col, key := range in.Columns {
		j := columnIndex(col)
		if j < 0 || j >= MaxSheetCols {
			return nil, Invalid("mapping", "mapping 的列须为 A、B、C 这样的列号："+quoteCell(col))
		}
		m.set(j, key)
	}
	return m, nil
}

// set maps column j to the field key.
func (m *ColumnMapping) set(j int, key string) {
	for len(m.Fields) <= j {
		m.Fields = append(m.Fields, "")
	}
	m.Fields[j] = strings.TrimSpace(key)
}

// SetColumn maps column j (0-based) to the field key, for a handler reading a form.
func (m *ColumnMapping) SetColumn(j int, key string) {
	if j >= 0 && j < MaxSheetCols {
		m.set(j, key)
	}
}

// headerKey identifies a header by its cells as read (spaces dropped, full-width
// made ASCII, trailing blanks dropped).
func headerKey(cells []string) string {
	norm := make([]string, len(cells))
	for i, c := range cells {
		norm[i] = strings.Join(strings.Fields(NormalizeCell(c)), "")
	}
	for len(norm) > 0 && norm[len(norm)-1] == "" {
		norm = norm[:len(norm)-1]
	}
	sum := sha256.Sum256([]byte(strings.Join(norm, "\x1f")))
	return hex.EncodeToString(sum[:])
}

// readLayout reads the sheet's columns for an import of kind: with the mapping
// given; else with the district's mapping remembered for one of the first rows;
// else by the columns' usual names. unit is the unit chosen for amounts whose
// header names none ("" when not chosen: the remembered one, else 元). A layout
// may lack required fields (l.missing); the caller says what that means. A mapping
// given that names a field twice, or one the import has not, is a problem, with the
// layout still given for the mapping step.
func readLayout(db *gorm.DB, a *Actor, kind string, rows [][]string, cols []SheetColumn, given *ColumnMapping, unit string) (*sheetLayout, []ImportProblem, error) {
	orYuan := func(u string) string {
		if u == "" {
			return UnitYuan
		}
		return u
	}
	if given != nil {
		h := given.HeaderRow - 1
		if h < 0 || h >= len(rows) || h >= headerScanRows {
			return nil, []ImportProblem{{Row: 1, Column: "表头", Message: fmt.Sprintf("表头须在前 %d 行之内", headerScanRows)}}, nil
		}
		l := buildLayout(rows, cols, h, given.Fields, orYuan(unit))
		l.explicit = true
		seen := map[string]int{}
		for j, key := range given.Fields {
			if key == "" {
				continue
			}
			c := columnOf(cols, key)
			if c == nil {
				return l, []ImportProblem{{Row: h + 1, Column: ColumnLetter(j), Message: "没有这个项目：" + quoteCell(key)}}, nil
			}
			if p, ok := seen[key]; ok {
				return l, []ImportProblem{{Row: h + 1, Column: ColumnLetter(j),
					Message: fmt.Sprintf("%s 列和 %s 列都选了“%s”，每个项目只能对应一列", ColumnLetter(p), ColumnLetter(j), c.Label)}}, nil
			}
			seen[key] = j
		}
		return l, nil, nil
	}
	saved, h, err := rememberedMapping(db, a, kind, rows)
	if err != nil {
		return nil, nil, err
	}
	if saved != nil {
		var fields []string
		if err := json.Unmarshal([]byte(saved.Fields), &fields); err == nil {
			if unit == "" {
				unit = saved.Unit
			}
			l := buildLayout(rows, cols, h, fields, orYuan(unit))
			l.remembered = &RememberedMapping{SavedBy: saved.SavedBy, SavedAt: saved.SavedAt}
			return l, nil, nil
		}
	}
	best, score := locateHeader(rows, cols)
	// One known name in a row of several cells is a header whose other columns
	// the mapping step names; none is not an import sheet.
	if best < 0 || score == 0 || (score == 1 && filledCells(headerCells(rows, best)) < 3) {
		return nil, notASheet(cols), nil
	}
	return buildLayout(rows, cols, best, guessFields(cols, headerCells(rows, best)), orYuan(unit)), nil, nil
}

// filledCells counts a row's non-empty cells.
func filledCells(r []string) int {
	n := 0
	for _, c := range r {
		if c != "" {
			n++
		}
	}
	return n
}

// rememberedMapping finds the district's mapping saved for one of the first rows
// of the sheet, in one query, and the row it is the header of.
func rememberedMapping(db *gorm.DB, a *Actor, kind string, rows [][]string) (*ImportMapping, int, error) {
	rowOf := map[string]int{}
	var keys []string
	for h := len(rows) - 1; h >= 0; h-- {
		if h >= headerScanRows || filledCells(rows[h]) < 2 {
			continue
		}
		k := headerKey(headerCells(rows, h))
		rowOf[k] = h // the topmost row with this key wins
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return nil, 0, nil
	}
	var ms []ImportMapping
	if err := db.Where("district_code = ? AND kind = ? AND header_key IN ?", a.DistrictCode, kind, keys).Find(&ms).Error; err != nil {
		return nil, 0, err
	}
	var best *ImportMapping
	for i := range ms {
		if best == nil || rowOf[ms[i].HeaderKey] < rowOf[best.HeaderKey] {
			best = &ms[i]
		}
	}
	if best == nil {
		return nil, 0, nil
	}
	return best, rowOf[best.HeaderKey], nil
}

// remember keeps the layout's mapping, chosen on the mapping step, for the
// district's next sheet with the same header, replacing the one kept before.
func (l *sheetLayout) remember(tx *gorm.DB, a *Actor, kind string) error {
	if !l.explicit {
		return nil
	}
	key := headerKey(l.cells)
	header, _ := json.Marshal(l.cells)
	fields := make([]string, len(l.cells))
	copy(fields, l.fields)
	fj, _ := json.Marshal(fields)
	m := ImportMapping{DistrictCode: a.DistrictCode, Kind: kind, HeaderKey: key, Header: string(header),
		Fields: string(fj), Unit: l.chosenUnit, SavedBy: a.Name, SavedAt: now()}
	// One statement, so that two imports saving the same header at once both succeed.
	if err := tx.Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "district_code"}, {Name: "kind"}, {Name: "header_key"}},
		DoUpdates: clause.AssignmentColumns([]string{"header", "fields", "unit", "saved_by", "saved_at"}),
	}).Create(&m).Error; err != nil {
		return err
	}
	return Audit(tx, a, "import.mapping", "district", a.DistrictCode, AuditScope{District: a.DistrictCode}, nil,
		map[string]any{"kind": kind, "header": l.cells, "fields": fields, "unit": l.chosenUnit})
}

// mapping describes how the layout read the sheet, for the mapping step: needed
// when required fields have no column.
func (l *sheetLayout) mapping(rows [][]string, cols []SheetColumn) *SheetMapping {
	m := &SheetMapping{HeaderRow: l.header + 1, Missing: l.missing, Needed: len(l.missing) > 0,
		Explicit: l.explicit, Remembered: l.remembered}
	for _, c := range cols {
		m.Fields = append(m.Fields, MappingField{c.Key, c.Label, c.Required, c.Amount})
	}
	var sample []string
	for i := l.start; i < len(rows); i++ {
		if !blankRow(rows[i]) && !totalRow(rows[i]) {
			sample = rows[i]
			break
		}
	}
	for j, c := range l.cells {
		if c == "" && cell(sample, j) == "" {
			continue
		}
		f := ""
		if j < len(l.fields) && columnOf(cols, l.fields[j]) != nil {
			f = l.fields[j]
		}
		m.Columns = append(m.Columns, MappingColumn{Index: j, Column: ColumnLetter(j), Header: shortCell(c),
			Field: f, Sample: shortCell(cell(sample, j))})
	}
	return m
}

// shortCell is at most 30 characters of a cell, for the mapping step.
func shortCell(s string) string {
	if utf8.RuneCountInString(s) <= 30 {
		return s
	}
	return string([]rune(s)[:30]) + "…"
}
