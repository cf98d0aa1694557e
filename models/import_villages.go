package models

import (
	"fmt"
	"strconv"

	"gorm.io/gorm"
)

// VillageColumns are the fields of the village master-data sheet and the names a
// district's sheet gives them. The street may be given by its code or its name.
var VillageColumns = []SheetColumn{
	{Key: "code", Label: "村代码", Names: codeNames, Required: true},
	{Key: "name", Label: "村名称", Names: villageNameNames, Required: true},
	{Key: "street_code", Label: "街道代码", Names: []string{"街道代码", "街道", "乡镇", "街道/乡镇", "乡镇/街道", "镇街", "所属街道", "街道名称", "乡镇名称", "乡镇代码"}, Required: true},
	{Key: "type", Label: "村庄类型", Names: []string{"村庄类型", "类型", "村类型", "村庄分类"}, Required: true},
	{Key: "active_from", Label: "起始年度", Names: []string{"起始年度", "起始年份", "设立年度", "起始年"}, Required: true},
	{Key: "active_until", Label: "终止年度", Names: []string{"终止年度", "终止年份", "撤销年度", "终止年"}},
}

// VillageImportHeader is the header row of the village master-data template.
var VillageImportHeader = SheetLabels(VillageColumns, "")

// VillageSheetRows is the most rows a village sheet may have, header included (a
// province has about 25,500 villages).
const VillageSheetRows = 30_000

// FieldChange is one changed field of a village.
type FieldChange struct {
	Field  string `json:"field"`
	Before string `json:"before"`
	After  string `json:"after"`
}

// VillageChange is what an import would change in an existing village.
type VillageChange struct {
	Code    string        `json:"code"`
	Name    string        `json:"name"`
	Changes []FieldChange `json:"changes"`
}

// VillageImport is the outcome of a village import: every problem, or what it
// changes (dry run) or changed (commit).
type VillageImport struct {
	Rows      int             `json:"rows"`
	Problems  []ImportProblem `json:"problems"`
	New       []Village       `json:"-"`
	NewCodes  []string        `json:"new"`
	Changed   []VillageChange `json:"changed"`
	Unchanged int             `json:"unchanged"`
	Committed bool            `json:"committed"`
	Ignored   []string        `json:"ignored,omitempty"` // columns read past
	Mapping   *SheetMapping   `json:"mapping,omitempty"` // how the columns were read, for the mapping step
}

// ImportVillages checks a village sheet and, unless dryRun, writes it: all or
// nothing, in one transaction. Importing the same sheet again changes nothing.
// District staff only (a nil actor is the command line, acting for district).
func ImportVillages(db *gorm.DB, a *Actor, rows [][]string, dryRun bool) (*VillageImport, error) {
	return ImportVillagesMapped(db, a, rows, nil, dryRun)
}

// ImportVillagesMapped is ImportVillages with the field of each column chosen on
// the mapping step (nil: the district's remembered mapping, else the usual names).
func ImportVillagesMapped(db *gorm.DB, a *Actor, rows [][]string, m *ColumnMapping, dryRun bool) (*VillageImport, error) {
	if a.Role != RoleDistrict {
		return nil, ErrForbidden
	}
	res := &VillageImport{Problems: []ImportProblem{}, NewCodes: []string{}, Changed: []VillageChange{}}
	lay, probs, err := readLayout(db, a, ImportKindVillages, rows, VillageColumns, m, "")
	if err != nil {
		return nil, err
	}
	if lay != nil {
		res.Mapping = lay.mapping(rows, VillageColumns)
	}
	if len(probs) > 0 {
		res.Problems = probs
		return res, nil
	}
	if len(lay.missing) > 0 {
		res.Problems = lay.missingProblem(VillageColumns)
		return res, nil
	}
	res.Ignored = lay.ignored
	var streets []Street
	if err := a.Scope().Streets(db.Model(&Street{})).Find(&streets).Error; err != nil {
		return nil, err
	}
	known, byName, districtOf := map[string]bool{}, map[string]string{}, map[string]string{}
	for _, s := range streets {
		known[s.Code] = true
		byName[s.Name] = s.Code
		districtOf[s.Code] = s.DistrictCode
	}
	var existing []Village
	if err := a.Scope().Villages(db.Model(&Village{})).Find(&existing).Error; err != nil {
		return nil, err
	}
	old := map[string]*Village{}
	for i := range existing {
		old[existing[i].Code] = &existing[i]
	}
	seen := map[string]int{}
	var parsed []Village
	res.Rows = eachDataRow(rows, lay.start, &res.Problems, func(n int, r []string, bad func(col, msg string)) {
		v := Village{Code: lay.get(r, "code"), Name: lay.get(r, "name"), StreetCode: lay.get(r, "street_code"), Type: lay.get(r, "type")}
		if c, ok := byName[v.StreetCode]; ok && !known[v.StreetCode] {
			v.StreetCode = c
		}
		v.DistrictCode = districtOf[v.StreetCode] // the street's: a region imports into its districts
		switch {
		case !isDigits(v.Code, 12):
			bad("村代码", "须为 12 位数字")
		case !known[v.Code[:9]]:
			bad("村代码", "前 9 位“"+v.Code[:9]+"”不是本区的街道/镇")
		case seen[v.Code] != 0:
			bad("村代码", fmt.Sprintf("与第 %d 行重复", seen[v.Code]))
		}
		if isDigits(v.Code, 12) && seen[v.Code] == 0 {
			seen[v.Code] = n
		}
		if !known[v.StreetCode] {
			bad("街道代码", "不是本区的街道/镇代码或名称")
		}
		// The sheet's cells become a village; the village's own rules judge it.
		verr := &ValidationError{}
		if from, err := strconv.Atoi(lay.get(r, "active_from")); err != nil {
			verr.Add("active_from", "起始年度须为年份")
		} else {
			v.ActiveFrom = from
		}
		if o := old[v.Code]; o != nil && !lay.has("active_until") {
			v.ActiveUntil = o.ActiveUntil // a sheet without the column keeps it
		}
		if s := lay.get(r, "active_until"); s != "" {
			if until, err := strconv.Atoi(s); err != nil {
				verr.Add("active_until", "终止年度须为年份，或留空")
			} else {
				v.ActiveUntil = &until
			}
		}
		verr.Merge(v.Validate())
		fieldProblems(VillageColumns, verr, bad)
		parsed = append(parsed, v)
	})
	if res.Rows == 0 && len(res.Problems) == 0 {
		res.Problems = append(res.Problems, ImportProblem{lay.start + 1, "", "表头之后没有数据行"})
	}
	if len(res.Problems) > 0 {
		return res, nil
	}
	var changed []Village
	for i := range parsed {
		v := &parsed[i]
		o, ok := old[v.Code]
		if !ok {
			res.New = append(res.New, *v)
			res.NewCodes = append(res.NewCodes, v.Code)
			continue
		}
		ch := diffVillage(o, v)
		if len(ch) == 0 {
			res.Unchanged++
			continue
		}
		res.Changed = append(res.Changed, VillageChange{Code: v.Code, Name: v.Name, Changes: ch})
		changed = append(changed, *v)
	}
	if dryRun {
		return res, nil
	}
	if len(res.New) == 0 && len(changed) == 0 {
		return res, lay.remember(db, a, ImportKindVillages)
	}
	err = db.Transaction(func(tx *gorm.DB) error {
		if err := lay.remember(tx, a, ImportKindVillages); err != nil {
			return err
		}
		at := now()
		if len(res.New) > 0 {
			if err := tx.Omit("Street").CreateInBatches(res.New, 500).Error; err != nil {
				return err
			}
			revs := make([]VillageRevision, len(res.New))
			for i := range res.New {
				revs[i] = RevisionOf(&res.New[i], at)
			}
			if err := tx.CreateInBatches(revs, 500).Error; err != nil {
				return err
			}
			if err := cellsForNewVillages(tx, res.New); err != nil {
				return err
			}
		}
		for i := range changed {
			v := &changed[i]
			if err := tx.Model(&Village{}).Where("code = ?", v.Code).
				Select("name", "street_code", "type", "active_from", "active_until", "updated_at").Updates(v).Error; err != nil {
				return err
			}
			if err := recordRevision(tx, v, at); err != nil {
				return err
			}
		}
		return Audit(tx, a, "import.villages", "district", a.DistrictCode, AuditScope{District: a.DistrictCode}, nil,
			map[string]any{"rows": res.Rows, "new": res.NewCodes, "changed": res.Changed, "unchanged": res.Unchanged})
	})
	if err != nil {
		return nil, err
	}
	res.Committed = true
	return res, nil
}

func diffVillage(o, v *Village) []FieldChange {
	var out []FieldChange
	add := func(f, b, a string) {
		if b != a {
			out = append(out, FieldChange{f, b, a})
		}
	}
	yr := func(p *int) string {
		if p == nil {
			return ""
		}
		return strconv.Itoa(*p)
	}
	add("村名称", o.Name, v.Name)
	add("街道代码", o.StreetCode, v.StreetCode)
	add("村庄类型", o.Type, v.Type)
	add("起始年度", strconv.Itoa(o.ActiveFrom), strconv.Itoa(v.ActiveFrom))
	add("终止年度", yr(o.ActiveUntil), yr(v.ActiveUntil))
	return out
}
