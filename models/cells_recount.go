package models

import (
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"
)

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
// places when only is nil, else the places in only) in every reporting year (in
// inYears alone when it is not nil), from the registers as they stand in tx.
func recountRegisters(tx *gorm.DB, streets []string, only map[cellPlace]bool, inYears []int) (*registerRecount, error) {
	rc := &registerRecount{cells: map[cellKey]*RegisterCounts{}, companies: map[companyCellKey]int64{}, years: inYears}
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
	years := inYears
	if years == nil {
		var err error
		if years, err = Years(tx); err != nil {
			return nil, err
		}
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
// has are cleared, and the company rows of those places are replaced. The open
// versions (submitted, draft) are written only when withOpen is set (a rebuild):
// otherwise they are left to the deltas of the report's triggers and of a village's
// move, which a recount from its own snapshot could overwrite.
func (rc *registerRecount) write(tx *gorm.DB, streets []string, withOpen bool) error {
	// The kept rows are those of the cells recounted: of rc.years alone when set.
	ofCells := func() *gorm.DB {
		q := tx.Where("street_code IN ?", streets)
		if rc.years != nil {
			q = q.Where("year IN ?", rc.years)
		}
		return q
	}
	var kept []RollupCell
	if err := ofCells().Find(&kept).Error; err != nil {
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
	var cols, sets []string
	var keep []int
	for i, c := range registerColumns {
		if !withOpen && (c == "submitted" || c == "draft") {
			continue
		}
		cols, keep = append(cols, c), append(keep, i)
		sets = append(sets, c+" = excluded."+c)
	}
	stmt := `INSERT INTO rollup_cells (district_code, street_code, type, year, ` + strings.Join(figureColumns(), ", ") + ", " +
		strings.Join(cols, ", ") + `)
VALUES (?, ?, ?, ?` + strings.Repeat(", 0", len(reportFigures)) + strings.Repeat(", ?", len(cols)) + `)
ON CONFLICT (street_code, type, year) DO UPDATE SET ` + strings.Join(sets, ", ")
	for k, c := range rc.cells {
		h, ok := have[k]
		if !withOpen {
			// The open versions are not this write's to compare or change.
			c.Submitted, c.Draft = h.Submitted, h.Draft
		}
		if (ok && h == *c) || (!ok && *c == (RegisterCounts{})) {
			continue
		}
		all := c.values()
		args := []any{k.district, k.street, k.typ, k.year}
		for _, i := range keep {
			args = append(args, all[i])
		}
		if err := tx.Exec(stmt, args...).Error; err != nil {
			return err
		}
	}
	var rows []RollupCompanyCell
	if err := ofCells().Find(&rows).Error; err != nil {
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

// registerBatch is how many streets one recount of every cell reads at a time.
const registerBatch = 200

// allStreets lists every street's code, in order.
func allStreets(tx *gorm.DB) ([]string, error) {
	var codes []string
	err := tx.Model(&Street{}).Order("code").Pluck("code", &codes).Error
	return codes, err
}

// rebuildRegisters recounts the register figures of every cell (of years alone
// when it is not nil).
func rebuildRegisters(tx *gorm.DB, years []int) error {
	streets, err := allStreets(tx)
	if err != nil {
		return err
	}
	for start := 0; start < len(streets); start += registerBatch {
		part := streets[start:min(start+registerBatch, len(streets))]
		rc, err := recountRegisters(tx, part, nil, years)
		if err != nil {
			return err
		}
		if err := rc.write(tx, part, true); err != nil {
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
		rc, err := recountRegisters(tx, part, nil, nil)
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
