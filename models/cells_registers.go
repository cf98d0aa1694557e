package models

import (
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"
)

// RegisterCounts are the roll-up figures of now that do not come from the yearly
// report, for one cell (street, village type, year): the titles held at the end of
// the year and named in it (title register), the villages with a share in an active
// 强村公司, the 共富工坊 built and operating at the year's end with their employment
// and star levels, and the versions open now. A street's own workshops (no village,
// no type) sit in the street's cell of type "".
//
// Each is recounted, for the cells a change touches, in the changing transaction,
// by the same rules as the roll-up as of an instant (addTitles, addRegistries,
// pending) read at an instant after every record: the figure of now.
type RegisterCounts struct {
	Rated            int64 `gorm:"column:rated;not null;default:0"`
	Star1            int64 `gorm:"column:star1;not null;default:0"`
	Star2            int64 `gorm:"column:star2;not null;default:0"`
	Star3            int64 `gorm:"column:star3;not null;default:0"`
	Hemei            int64 `gorm:"column:hemei;not null;default:0"`
	NewStar1         int64 `gorm:"column:new_star1;not null;default:0"`
	NewStar2         int64 `gorm:"column:new_star2;not null;default:0"`
	NewStar3         int64 `gorm:"column:new_star3;not null;default:0"`
	NewHemei         int64 `gorm:"column:new_hemei;not null;default:0"`
	Submitted        int64 `gorm:"column:submitted;not null;default:0"`
	Draft            int64 `gorm:"column:draft;not null;default:0"`
	MemberVillages   int64 `gorm:"column:member_villages;not null;default:0"`
	WorkshopsBuilt   int64 `gorm:"column:workshops_built;not null;default:0"`
	Workshops        int64 `gorm:"column:workshops;not null;default:0"`
	WorkshopEmployed int64 `gorm:"column:workshop_employed;not null;default:0"`
	WorkshopLow      int64 `gorm:"column:workshop_low;not null;default:0"`
	WStar0           int64 `gorm:"column:wstar0;not null;default:0"`
	WStar1           int64 `gorm:"column:wstar1;not null;default:0"`
	WStar2           int64 `gorm:"column:wstar2;not null;default:0"`
	WStar3           int64 `gorm:"column:wstar3;not null;default:0"`
	WStar4           int64 `gorm:"column:wstar4;not null;default:0"`
	WStar5           int64 `gorm:"column:wstar5;not null;default:0"`
}

// registerColumns are RegisterCounts' columns, in the order of values().
var registerColumns = []string{"rated", "star1", "star2", "star3", "hemei", "new_star1", "new_star2", "new_star3", "new_hemei",
	"submitted", "draft", "member_villages", "workshops_built", "workshops", "workshop_employed", "workshop_low",
	"wstar0", "wstar1", "wstar2", "wstar3", "wstar4", "wstar5"}

func (c *RegisterCounts) fields() []*int64 {
	return []*int64{&c.Rated, &c.Star1, &c.Star2, &c.Star3, &c.Hemei, &c.NewStar1, &c.NewStar2, &c.NewStar3, &c.NewHemei,
		&c.Submitted, &c.Draft, &c.MemberVillages, &c.WorkshopsBuilt, &c.Workshops, &c.WorkshopEmployed, &c.WorkshopLow,
		&c.WStar0, &c.WStar1, &c.WStar2, &c.WStar3, &c.WStar4, &c.WStar5}
}

func (c *RegisterCounts) values() []any {
	fs := c.fields()
	out := make([]any, len(fs))
	for i, f := range fs {
		out[i] = *f
	}
	return out
}

// addTitles counts a village's titles at the end of a year.
func (c *RegisterCounts) addTitles(st titleState) {
	if st.held.Star >= 1 && st.held.Star <= 3 {
		c.Rated++
		*[]*int64{&c.Star1, &c.Star2, &c.Star3}[st.held.Star-1]++
	} else if st.held.Star >= 1 {
		c.Rated++
	}
	if st.held.Hemei {
		c.Hemei++
	}
	c.NewStar1 += st.newStars[1]
	c.NewStar2 += st.newStars[2]
	c.NewStar3 += st.newStars[3]
	c.NewHemei += st.newHemei
}

// addWorkshop counts a workshop as it stands at the end of a year.
func (c *RegisterCounts) addWorkshop(w workshopState) {
	if w.built {
		c.WorkshopsBuilt++
	}
	if !w.operating {
		return
	}
	c.Workshops++
	c.WorkshopEmployed += w.employed
	c.WorkshopLow += w.low
	if w.star >= 0 && w.star <= 5 {
		*[]*int64{&c.WStar0, &c.WStar1, &c.WStar2, &c.WStar3, &c.WStar4, &c.WStar5}[w.star]++
	}
}

// addTo adds the counts to a group's figures (the roll-up of now).
func (c *RegisterCounts) addTo(f *Figures) {
	f.initTitles()
	f.Star.Rated += c.Rated
	f.Star.ByLevel["1"] += c.Star1
	f.Star.ByLevel["2"] += c.Star2
	f.Star.ByLevel["3"] += c.Star3
	f.Hemei.Count += c.Hemei
	f.Star.NewByLevel["1"] += c.NewStar1
	f.Star.NewByLevel["2"] += c.NewStar2
	f.Star.NewByLevel["3"] += c.NewStar3
	f.Star.New += c.NewStar1 + c.NewStar2 + c.NewStar3
	f.Hemei.New += c.NewHemei
	f.MemberVillages += c.MemberVillages
	f.WorkshopsBuilt += c.WorkshopsBuilt
	f.Workshops += c.Workshops
	f.WorkshopEmployed += c.WorkshopEmployed
	f.WorkshopLowIncomeEmployed += c.WorkshopLow
	for l, n := range []int64{c.WStar0, c.WStar1, c.WStar2, c.WStar3, c.WStar4, c.WStar5} {
		if n == 0 {
			continue
		}
		if f.WorkshopsByStar == nil {
			f.WorkshopsByStar = StarCounts{}
		}
		f.WorkshopsByStar[itoa(l)] += n
	}
}

// RollupCompanyCell is, for one 强村公司 and one cell (street, village type, year),
// how many of the cell's villages hold a share in it now (kept only when > 0): the
// roll-up of now counts a group's companies as the distinct companies of its rows.
// Recounted with the cell's RegisterCounts.
type RollupCompanyCell struct {
	CompanyID    uint   `gorm:"primaryKey;autoIncrement:false"`
	StreetCode   string `gorm:"primaryKey;size:9"`
	Type         string `gorm:"primaryKey;size:20"`
	Year         int    `gorm:"primaryKey;autoIncrement:false"`
	DistrictCode string `gorm:"size:6;not null;index"`
	Villages     int64  `gorm:"not null"`
}

// companyCellKey names a row of RollupCompanyCell.
type companyCellKey struct {
	company uint
	cell    cellKey
}

// cellPlace is a street and a village type ("" for the street's own workshops).
type cellPlace struct{ street, typ string }

// registerRecount is the recounted register figures of some cells.
type registerRecount struct {
	cells     map[cellKey]*RegisterCounts
	companies map[companyCellKey]int64
	// covers says whether a cell's place was recounted (every place of the streets
	// asked when only is nil).
	covers func(street, typ string) bool
}

// farFuture is an instant after every record: the register "as of now".
var farFuture = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)

// workshopState is a workshop at the end of a year, as the roll-up counts it.
type workshopState struct {
	built, operating bool
	employed, low    int64
	star             int
}

// approvedShop is an approved version of a workshop, with the columns that count.
type approvedShop struct {
	WorkshopID        uint
	Seq               int
	ReviewedAt        time.Time
	State             string
	FoundedOn         *time.Time
	ClosedOn          *time.Time
	Employed          int64
	LowIncomeEmployed int64
}

// shopAtYearEnd is the workshop (its approved versions, highest seq first, and its
// star evaluations) at the end of year y, as workshopsAtYearEnd counts it as of an
// instant after every record; ok is false when it has no approved version.
func shopAtYearEnd(vs []approvedShop, stars []WorkshopStar, y int) (workshopState, bool) {
	if len(vs) == 0 {
		return workshopState{}, false
	}
	end := yearEnd(y)
	var st workshopState
	a := vs[0]
	if a.FoundedOn != nil {
		st.built = a.FoundedOn.Before(end)
		st.operating = st.built && (a.ClosedOn == nil || !a.ClosedOn.Before(end)) && a.State != "筹建"
		st.employed, st.low = a.Employed, a.LowIncomeEmployed
	} else {
		for _, b := range vs {
			if !b.ReviewedAt.After(end) {
				st.built = b.State != "筹建"
				st.operating = b.State == "运营"
				st.employed, st.low = b.Employed, b.LowIncomeEmployed
				break
			}
		}
	}
	last := lastDay(y)
	var best *WorkshopStar
	for i := range stars {
		s := &stars[i]
		if s.EvaluatedOn > last {
			continue
		}
		if best == nil || s.EvaluatedOn > best.EvaluatedOn || (s.EvaluatedOn == best.EvaluatedOn && s.ID > best.ID) {
			best = s
		}
	}
	if best != nil {
		st.star = best.Level
	}
	return st, true
}

// recountRegisters recounts the register figures of the cells of streets (all their
// places when only is nil, else the places in only) in every reporting year, from
// the registers as they stand in tx.
func recountRegisters(tx *gorm.DB, streets []string, only map[cellPlace]bool) (*registerRecount, error) {
	rc := &registerRecount{cells: map[cellKey]*RegisterCounts{}, companies: map[companyCellKey]int64{}}
	inStreets := map[string]bool{}
	for _, s := range streets {
		inStreets[s] = true
	}
	rc.covers = func(street, typ string) bool {
		if only == nil {
			return inStreets[street]
		}
		return only[cellPlace{street, typ}]
	}
	years, err := Years(tx)
	if err != nil {
		return nil, err
	}
	var ss []Street
	if err := tx.Where("code IN ?", streets).Find(&ss).Error; err != nil {
		return nil, err
	}
	districtOf := map[string]string{}
	for _, s := range ss {
		districtOf[s.Code] = s.DistrictCode
	}
	var villages []Village
	if err := tx.Where("street_code IN ?", streets).Order("code").Find(&villages).Error; err != nil {
		return nil, err
	}
	counted := villages[:0]
	for _, v := range villages {
		if rc.covers(v.StreetCode, v.Type) {
			counted = append(counted, v)
		}
	}
	villages = counted
	// Every cell of a place recounted is written, so that a figure that fell to 0
	// is cleared.
	cell := func(k cellKey) *RegisterCounts {
		c := rc.cells[k]
		if c == nil {
			c = &RegisterCounts{}
			rc.cells[k] = c
		}
		return c
	}
	for _, v := range villages {
		for _, y := range years {
			if v.ActiveIn(y) {
				cell(cellKey{v.DistrictCode, v.StreetCode, v.Type, y})
			}
		}
	}
	byStreet := func(q *gorm.DB) *gorm.DB {
		return q.Joins("JOIN villages v ON v.code = "+q.Statement.Table+".village_code").Where("v.street_code IN ?", streets)
	}

	var titles []TitleEntry
	if err := byStreet(tx.Table("title_entries")).Select("title_entries.*").Order("title_entries.id").Scan(&titles).Error; err != nil {
		return nil, err
	}
	titlesOf := map[string][]TitleEntry{}
	for _, t := range titles {
		titlesOf[t.VillageCode] = append(titlesOf[t.VillageCode], t)
	}

	var open []struct {
		VillageCode string
		Year        int
		Submitted   bool
	}
	if err := byStreet(tx.Table("report_versions")).
		Select("report_versions.village_code, report_versions.year, report_versions.submitted_at IS NOT NULL AS submitted").
		Where("report_versions.reviewed_at IS NULL").Scan(&open).Error; err != nil {
		return nil, err
	}
	openOf := map[string][]int{}
	for _, o := range open {
		kind := 0
		if o.Submitted {
			kind = 1
		}
		openOf[o.VillageCode] = append(openOf[o.VillageCode], o.Year*2+kind)
	}

	var members []struct {
		CompanyID   uint
		VillageCode string
		FromYear    int
		UntilYear   *int
	}
	if err := byStreet(tx.Table("company_members")).
		Select("company_members.company_id, company_members.village_code, company_members.from_year, company_members.until_year").
		Joins("JOIN companies c ON c.id = company_members.company_id").
		Where("company_members.removed_at IS NULL AND "+companyActiveAt, farFuture, farFuture).
		Scan(&members).Error; err != nil {
		return nil, err
	}
	membersOf := map[string][]int{}
	for i, m := range members {
		membersOf[m.VillageCode] = append(membersOf[m.VillageCode], i)
	}

	shops, versions, stars, err := registerShops(tx, streets)
	if err != nil {
		return nil, err
	}
	hosted := map[string][]uint{}
	for _, w := range shops {
		hosted[w.Host()] = append(hosted[w.Host()], w.ID)
	}

	for _, v := range villages {
		for _, y := range years {
			if !v.ActiveIn(y) {
				continue
			}
			k := cellKey{v.DistrictCode, v.StreetCode, v.Type, y}
			c := cell(k)
			c.addTitles(foldTitles(titlesOf[v.Code], y))
			for _, o := range openOf[v.Code] {
				if o/2 == y && o%2 == 1 {
					c.Submitted++
				} else if o/2 == y {
					c.Draft++
				}
			}
			seen := map[uint]bool{}
			for _, i := range membersOf[v.Code] {
				m := members[i]
				if m.FromYear > y || (m.UntilYear != nil && *m.UntilYear < y) || seen[m.CompanyID] {
					continue
				}
				seen[m.CompanyID] = true
				rc.companies[companyCellKey{m.CompanyID, k}]++
			}
			if len(seen) > 0 {
				c.MemberVillages++
			}
			for _, id := range hosted[v.Code] {
				if st, ok := shopAtYearEnd(versions[id], stars[id], y); ok {
					c.addWorkshop(st)
				}
			}
		}
	}
	// The streets' own workshops, in every year.
	for _, s := range streets {
		if !rc.covers(s, "") || districtOf[s] == "" {
			continue
		}
		for _, y := range years {
			c := cell(cellKey{districtOf[s], s, "", y})
			for _, id := range hosted[s] {
				if st, ok := shopAtYearEnd(versions[id], stars[id], y); ok {
					c.addWorkshop(st)
				}
			}
		}
	}
	return rc, nil
}

// registerShops reads the workshops of streets (hosted by their villages or their
// own), each one's approved versions (highest seq first) and star evaluations.
func registerShops(tx *gorm.DB, streets []string) ([]Workshop, map[uint][]approvedShop, map[uint][]WorkshopStar, error) {
	ofStreets := func(q *gorm.DB) *gorm.DB {
		return q.Joins("JOIN workshops w ON w.id = "+q.Statement.Table+".workshop_id").
			Joins("LEFT JOIN villages v ON v.code = w.village_code").
			Where("v.street_code IN ? OR w.street_code IN ?", streets, streets)
	}
	var shops []Workshop
	if err := tx.Table("workshops w").Select("w.*").Joins("LEFT JOIN villages v ON v.code = w.village_code").
		Where("v.street_code IN ? OR w.street_code IN ?", streets, streets).Scan(&shops).Error; err != nil {
		return nil, nil, nil, err
	}
	var vs []approvedShop
	if err := ofStreets(tx.Table("workshop_versions")).
		Select(`workshop_versions.workshop_id, workshop_versions.seq, workshop_versions.reviewed_at, workshop_versions.state,
			workshop_versions.founded_on, workshop_versions.closed_on, workshop_versions.employed, workshop_versions.low_income_employed`).
		Where("workshop_versions.status = ?", StatusApproved).Scan(&vs).Error; err != nil {
		return nil, nil, nil, err
	}
	versions := map[uint][]approvedShop{}
	for _, v := range vs {
		versions[v.WorkshopID] = append(versions[v.WorkshopID], v)
	}
	for _, l := range versions {
		sort.Slice(l, func(i, j int) bool { return l[i].Seq > l[j].Seq })
	}
	var ss []WorkshopStar
	if err := ofStreets(tx.Table("workshop_stars")).Select("workshop_stars.*").Scan(&ss).Error; err != nil {
		return nil, nil, nil, err
	}
	stars := map[uint][]WorkshopStar{}
	for _, s := range ss {
		stars[s.WorkshopID] = append(stars[s.WorkshopID], s)
	}
	return shops, versions, stars, nil
}

// write stores the recount: the register columns of each cell recounted that
// differ from those kept (a missing cell is made, with no report figures), the
// register columns of kept cells of the places recounted that the recount no longer
// has are cleared, and the company rows of those places are replaced.
func (rc *registerRecount) write(tx *gorm.DB, streets []string) error {
	var kept []RollupCell
	if err := tx.Where("street_code IN ?", streets).Find(&kept).Error; err != nil {
		return err
	}
	have := map[cellKey]RegisterCounts{}
	for _, c := range kept {
		if rc.covers(c.StreetCode, c.Type) {
			k := cellKey{c.DistrictCode, c.StreetCode, c.Type, c.Year}
			have[k] = c.RegisterCounts
			if rc.cells[k] == nil && c.RegisterCounts != (RegisterCounts{}) {
				rc.cells[k] = &RegisterCounts{}
			}
		}
	}
	sets := make([]string, len(registerColumns))
	for i, c := range registerColumns {
		sets[i] = c + " = excluded." + c
	}
	stmt := `INSERT INTO rollup_cells (district_code, street_code, type, year, ` + strings.Join(figureColumns(), ", ") + ", " +
		strings.Join(registerColumns, ", ") + `)
VALUES (?, ?, ?, ?` + strings.Repeat(", 0", len(reportFigures)) + strings.Repeat(", ?", len(registerColumns)) + `)
ON CONFLICT (street_code, type, year) DO UPDATE SET ` + strings.Join(sets, ", ")
	for k, c := range rc.cells {
		if h, ok := have[k]; ok && h == *c {
			continue
		}
		if _, ok := have[k]; !ok && *c == (RegisterCounts{}) {
			continue
		}
		if err := tx.Exec(stmt, append([]any{k.district, k.street, k.typ, k.year}, c.values()...)...).Error; err != nil {
			return err
		}
	}
	var rows []RollupCompanyCell
	if err := tx.Where("street_code IN ?", streets).Find(&rows).Error; err != nil {
		return err
	}
	for _, r := range rows {
		k := companyCellKey{r.CompanyID, cellKey{r.DistrictCode, r.StreetCode, r.Type, r.Year}}
		if !rc.covers(r.StreetCode, r.Type) {
			continue
		}
		if n, ok := rc.companies[k]; ok && n == r.Villages {
			delete(rc.companies, k)
			continue
		}
		if err := tx.Where("company_id = ? AND street_code = ? AND type = ? AND year = ?", r.CompanyID, r.StreetCode, r.Type, r.Year).
			Delete(&RollupCompanyCell{}).Error; err != nil {
			return err
		}
	}
	var add []RollupCompanyCell
	for k, n := range rc.companies {
		add = append(add, RollupCompanyCell{CompanyID: k.company, StreetCode: k.cell.street, Type: k.cell.typ, Year: k.cell.year,
			DistrictCode: k.cell.district, Villages: n})
	}
	if len(add) > 0 {
		return tx.CreateInBatches(add, 500).Error
	}
	return nil
}

// registersForVillages recounts the register figures of the cells of villages (by
// code), in the changing transaction.
func registersForVillages(tx *gorm.DB, codes ...string) error {
	var vs []Village
	for start := 0; start < len(codes); start += 500 {
		var part []Village
		if err := tx.Select("code, street_code, type").Where("code IN ?", codes[start:min(start+500, len(codes))]).Find(&part).Error; err != nil {
			return err
		}
		vs = append(vs, part...)
	}
	places := map[cellPlace]bool{}
	for _, v := range vs {
		places[cellPlace{v.StreetCode, v.Type}] = true
	}
	return registersForPlaces(tx, places)
}

// registersForPlaces recounts the register figures of the cells of places.
func registersForPlaces(tx *gorm.DB, places map[cellPlace]bool) error {
	if len(places) == 0 {
		return nil
	}
	seen := map[string]bool{}
	var streets []string
	for p := range places {
		if !seen[p.street] {
			seen[p.street] = true
			streets = append(streets, p.street)
		}
	}
	sort.Strings(streets)
	rc, err := recountRegisters(tx, streets, places)
	if err != nil {
		return err
	}
	return rc.write(tx, streets)
}

// registerBatch is how many streets one recount of every cell reads at a time.
const registerBatch = 200

// allStreets lists every street's code, in order.
func allStreets(tx *gorm.DB) ([]string, error) {
	var codes []string
	err := tx.Model(&Street{}).Order("code").Pluck("code", &codes).Error
	return codes, err
}

// rebuildRegisters recounts the register figures of every cell.
func rebuildRegisters(tx *gorm.DB) error {
	streets, err := allStreets(tx)
	if err != nil {
		return err
	}
	for start := 0; start < len(streets); start += registerBatch {
		part := streets[start:min(start+registerBatch, len(streets))]
		rc, err := recountRegisters(tx, part, nil)
		if err != nil {
			return err
		}
		if err := rc.write(tx, part); err != nil {
			return err
		}
	}
	return nil
}

// registerDrift counts the cells whose register figures, and the company rows whose
// counts, differ from a recount of every cell.
func registerDrift(tx *gorm.DB) (cells, companies int64, err error) {
	streets, err := allStreets(tx)
	if err != nil {
		return 0, 0, err
	}
	for start := 0; start < len(streets); start += registerBatch {
		part := streets[start:min(start+registerBatch, len(streets))]
		rc, err := recountRegisters(tx, part, nil)
		if err != nil {
			return 0, 0, err
		}
		var kept []RollupCell
		if err := tx.Where("street_code IN ?", part).Find(&kept).Error; err != nil {
			return 0, 0, err
		}
		seen := map[cellKey]bool{}
		for _, c := range kept {
			k := cellKey{c.DistrictCode, c.StreetCode, c.Type, c.Year}
			seen[k] = true
			want := rc.cells[k]
			if want == nil {
				want = &RegisterCounts{}
			}
			if *want != c.RegisterCounts {
				cells++
			}
		}
		for k, c := range rc.cells {
			if !seen[k] && *c != (RegisterCounts{}) {
				cells++
			}
		}
		var rows []RollupCompanyCell
		if err := tx.Where("street_code IN ?", part).Find(&rows).Error; err != nil {
			return 0, 0, err
		}
		for _, r := range rows {
			k := companyCellKey{r.CompanyID, cellKey{r.DistrictCode, r.StreetCode, r.Type, r.Year}}
			if rc.companies[k] != r.Villages {
				companies++
			}
			delete(rc.companies, k)
		}
		companies += int64(len(rc.companies))
	}
	return cells, companies, nil
}

// The kinds of rows nowGroups reads: figures summed per street and per type, and
// distinct companies per street, per type and in all.
const (
	nowStreet = iota + 1
	nowType
	nowStreetCompanies
	nowTypeCompanies
	nowCompanies
)

// nowGroups fills the groups of the roll-up of now from the maintained cells of
// year in the actor's scope (narrowed to street when set), in one statement: every
// figure summed per street and per type, and the distinct companies of the company
// rows per street, per type and in all. The scope's total is the sum of its streets.
func nowGroups(db *gorm.DB, a *Actor, street string, year int, g *groups, si, ti map[string]int) error {
	cols := append(figureColumns(), registerColumns...)
	sums := make([]string, len(cols))
	zeros := make([]string, len(cols))
	for i, c := range cols {
		sums[i] = "CAST(COALESCE(SUM(" + c + "), 0) AS BIGINT)"
		zeros[i] = "0"
	}
	// A street's rows are grouped by district and street, the order of the index
	// the rows are found by (idx_rollup_cells_year), so that no sort is needed.
	group := func(by string) string {
		if by == "street_code" {
			return "district_code, street_code"
		}
		return by
	}
	cells := func(kind int, by string) *gorm.DB {
		q := a.Scope().Cells(db.Table("rollup_cells")).Where("year = ?", year).
			Select(itoa(kind) + ", " + by + ", 0, " + strings.Join(sums, ", ")).Group(group(by))
		if street != "" {
			q = q.Where("street_code = ?", street)
		}
		return q
	}
	companies := func(kind int, by string) *gorm.DB {
		sel := itoa(kind) + ", " + by + ", COUNT(DISTINCT company_id), " + strings.Join(zeros, ", ")
		q := a.Scope().CompanyCells(db.Table("rollup_company_cells")).Where("year = ?", year)
		if by != "''" {
			q = q.Group(group(by))
		}
		if street != "" {
			q = q.Where("street_code = ?", street)
		}
		return q.Select(sel)
	}
	rows, err := db.Raw("? UNION ALL ? UNION ALL ? UNION ALL ? UNION ALL ?",
		cells(nowStreet, "street_code"), cells(nowType, "type"),
		companies(nowStreetCompanies, "street_code"), companies(nowTypeCompanies, "type"), companies(nowCompanies, "''")).Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	var kind int
	var code string
	var n int64
	var r aggRow
	dest := append([]any{&kind, &code, &n}, r.pointers()...)
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		switch kind {
		case nowStreet:
			g.pending.Submitted += r.Submitted
			g.pending.Draft += r.Draft
			g.total.add(r)
			if i, ok := si[code]; ok {
				g.streets[i].add(r)
			}
		case nowType:
			if i, ok := ti[code]; ok {
				g.types[i].add(r)
			}
		case nowStreetCompanies:
			if i, ok := si[code]; ok {
				g.streets[i].Companies = n
			}
		case nowTypeCompanies:
			if i, ok := ti[code]; ok {
				g.types[i].Companies = n
			}
		case nowCompanies:
			g.total.Companies = n
		}
	}
	return rows.Err()
}

// pointers are the row's report figures then its register counts, in the order of
// figureColumns and registerColumns, for a Scan.
func (r *aggRow) pointers() []any {
	out := make([]any, 0, len(reportFigures)+len(registerColumns))
	for _, f := range reportFigures {
		out = append(out, f.field(r))
	}
	for _, p := range r.RegisterCounts.fields() {
		out = append(out, p)
	}
	return out
}

// registersForWorkshops recounts the register figures of the cells of workshops'
// hosts (a village's cell, or its street's own cell of type "").
func registersForWorkshops(tx *gorm.DB, ids ...uint) error {
	var shops []Workshop
	if err := tx.Select("id, village_code, street_code").Where("id IN ?", ids).Find(&shops).Error; err != nil {
		return err
	}
	places := map[cellPlace]bool{}
	var codes []string
	for _, w := range shops {
		if w.VillageCode != nil {
			codes = append(codes, *w.VillageCode)
		} else if w.StreetCode != nil {
			places[cellPlace{*w.StreetCode, ""}] = true
		}
	}
	if len(codes) > 0 {
		var vs []Village
		if err := tx.Select("code, street_code, type").Where("code IN ?", codes).Find(&vs).Error; err != nil {
			return err
		}
		for _, v := range vs {
			places[cellPlace{v.StreetCode, v.Type}] = true
		}
	}
	return registersForPlaces(tx, places)
}

// registersForCompany recounts the register figures of the cells of every village
// that holds or held a share in a company (a member removed still leaves its cell).
func registersForCompany(tx *gorm.DB, id uint) error {
	var codes []string
	if err := tx.Model(&CompanyMember{}).Distinct("village_code").Where("company_id = ?", id).Pluck("village_code", &codes).Error; err != nil {
		return err
	}
	return registersForVillages(tx, codes...)
}
