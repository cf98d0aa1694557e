package models

import (
	"time"

	"gorm.io/gorm"
)

// memberAt is a member village of a 强村公司 in a year, as the register stood at the
// source's instant: the membership covers the year and the company was active then.
type memberAt struct {
	CompanyID   uint
	VillageCode string
	VillageName string
	StreetCode  string
	Type        string
	ShareMicro  int64
}

// companyMembersAt lists the member villages of the scope (narrowed to street when
// set), active in year, of the companies active at the source's instant. The roll-up
// counts them and the reports upward list them: one definition for both.
func companyMembersAt(db *gorm.DB, a *Actor, street string, year int, src source) ([]memberAt, error) {
	asOf := src.asOf
	q := src.villages(db).
		Select("cm.company_id, cm.village_code, villages.name AS village_name, villages.street_code, villages.type, cm.share_micro").
		Joins("JOIN company_members cm ON cm.village_code = villages.code").
		Joins("JOIN companies c ON c.id = cm.company_id").
		Where("cm.added_at <= ? AND (cm.removed_at IS NULL OR cm.removed_at > ?)", asOf, asOf).
		Where("cm.from_year <= ? AND (cm.until_year IS NULL OR cm.until_year >= ?)", year, year).
		Where("c.created_at <= ? AND "+companyActiveAt, asOf, asOf, asOf).
		Scopes(a.Scope().Villages)
	q = activeIn(q, year)
	if street != "" {
		q = q.Where("villages.street_code = ?", street)
	}
	var out []memberAt
	err := q.Order("cm.company_id, villages.street_code, cm.village_code").Scan(&out).Error
	return out, err
}

// workshopAt is a 共富工坊 of the scope at the end of a year, from its latest approved
// version as of the source's instant (its dates, name and type) and, for a workshop
// without dates, its latest approved version as of the year's end.
type workshopAt struct {
	ID          uint
	VillageCode string
	VillageName string
	StreetCode  string
	Type        string // the village's type
	Name        string
	Kind        string // the workshop's type
	FoundedOn   *time.Time
	ClosedOn    *time.Time
	StarLevel   int
	AvgFen      int64
	// Built: founded on or before the year's end; Operating: in 运营 at its end.
	Built, Operating bool
	// Employed and Low are the people employed and, of them, low-income (the
	// version that counts for the year).
	Employed, Low int64
}

// workshopsAtYearEnd lists the workshops of the scope (narrowed to street when set)
// hosted by villages active in year, and those registered under the scope's streets
// (in a 社区, 园区 or enterprise: no village, no village type), each with an approved
// version as of the source's instant, built and operating as the roll-up counts
// them, with its star level at the year's end as of that instant.
func workshopsAtYearEnd(db *gorm.DB, a *Actor, street string, year int, src source) ([]workshopAt, error) {
	asOf := src.asOf
	end := time.Date(year+1, 1, 1, 0, 0, 0, 0, Shanghai).UTC()
	cutoff := end
	if asOf.Before(cutoff) {
		cutoff = asOf
	}
	type shop struct {
		ID, StarLevel                              uint
		VillageCode, VillageName, StreetCode, Type string
		Name, Kind                                 string
		FoundedOn, ClosedOn                        *time.Time
		AvgFen                                     int64
		AState                                     string
		AEmployed                                  int64
		ALow                                       int64
		BID                                        *uint
		BState                                     *string
		BEmployed                                  *int64
		BLow                                       *int64
	}
	latest := func(alias string) string {
		return `LEFT JOIN workshop_versions ` + alias + ` ON ` + alias + `.id = (SELECT w2.id FROM workshop_versions w2
			WHERE w2.workshop_id = w.id AND w2.status = ? AND w2.reviewed_at <= ? ORDER BY w2.seq DESC LIMIT 1)`
	}
	// host is the village's columns, or the street workshop's site.
	versions := func(q *gorm.DB, host string) *gorm.DB {
		return q.Select(`w.id, `+host+`,
			wa.name, wa.type AS kind, `+starAtYearEnd+` AS star_level, wa.avg_income_increase_fen AS avg_fen,
			wa.founded_on, wa.closed_on, wa.state AS a_state,
			wa.employed AS a_employed, wa.low_income_employed AS a_low, wb.id AS b_id, wb.state AS b_state,
			wb.employed AS b_employed, wb.low_income_employed AS b_low`, lastDay(year), asOf).
			// One index lookup per workshop of the scope for each latest approved version.
			Joins(latest("wa"), StatusApproved, asOf).Joins(latest("wb"), StatusApproved, cutoff).
			Where("wa.id IS NOT NULL")
	}
	wq := versions(src.villages(db).Joins("JOIN workshops w ON w.village_code = villages.code"),
		"villages.code AS village_code, villages.name AS village_name, villages.street_code, villages.type").
		Scopes(a.Scope().Villages)
	wq = activeIn(wq, year)
	if street != "" {
		wq = wq.Where("villages.street_code = ?", street)
	}
	// The street's own workshops join in the same statement (a cadre has none).
	sq := versions(db.Table("streets").Joins("JOIN workshops w ON w.street_code = streets.code"),
		"'' AS village_code, w.site_name AS village_name, streets.code AS street_code, '' AS type").
		Scopes(a.Scope().Streets)
	if street != "" {
		sq = sq.Where("streets.code = ?", street)
	}
	if a.Role == RoleVillage {
		sq = sq.Where("1 = 0")
	}
	var shops []shop
	if err := db.Raw("SELECT * FROM (?) hosted UNION ALL SELECT * FROM (?) own ORDER BY street_code, village_code, id", wq, sq).
		Scan(&shops).Error; err != nil {
		return nil, err
	}
	out := make([]workshopAt, len(shops))
	for i, w := range shops {
		o := workshopAt{ID: w.ID, VillageCode: w.VillageCode, VillageName: w.VillageName, StreetCode: w.StreetCode, Type: w.Type,
			Name: w.Name, Kind: w.Kind, FoundedOn: w.FoundedOn, ClosedOn: w.ClosedOn, StarLevel: int(w.StarLevel), AvgFen: w.AvgFen}
		if w.FoundedOn != nil {
			o.Built = w.FoundedOn.Before(end)
			o.Operating = o.Built && (w.ClosedOn == nil || !w.ClosedOn.Before(end)) && w.AState != "筹建"
			o.Employed, o.Low = w.AEmployed, w.ALow
		} else if w.BID != nil {
			o.Built = *w.BState != "筹建"
			o.Operating = *w.BState == "运营"
			o.Employed, o.Low = *w.BEmployed, *w.BLow
		}
		out[i] = o
	}
	return out, nil
}

// addRegistries adds the 强村公司 and 共富工坊 figures (docs/domain.md, "Roll-ups") to the groups.
// Companies and member villages are distinct counts per group (a company with
// members in two streets counts once in each and once in the total).
func addRegistries(db *gorm.DB, a *Actor, street string, year int, src source, g *groups, si, ti map[string]int) error {
	members, err := companyMembersAt(db, a, street, year, src)
	if err != nil {
		return err
	}
	type set map[any]bool
	count := func(f *Figures, companies, villages set, c uint, v string) {
		if !companies[c] {
			companies[c] = true
			f.Companies++
		}
		if !villages[v] {
			villages[v] = true
			f.MemberVillages++
		}
	}
	seen := map[*Figures][2]set{}
	for _, m := range members {
		targets := []*Figures{&g.total}
		if i, ok := si[m.StreetCode]; ok {
			targets = append(targets, &g.streets[i].Figures)
		}
		if i, ok := ti[m.Type]; ok {
			targets = append(targets, &g.types[i])
		}
		for _, f := range targets {
			s, ok := seen[f]
			if !ok {
				s = [2]set{{}, {}}
				seen[f] = s
			}
			count(f, s[0], s[1], m.CompanyID, m.VillageCode)
		}
	}
	shops, err := workshopsAtYearEnd(db, a, street, year, src)
	if err != nil {
		return err
	}
	for _, w := range shops {
		targets := []*Figures{&g.total}
		if i, ok := si[w.StreetCode]; ok {
			targets = append(targets, &g.streets[i].Figures)
		}
		if i, ok := ti[w.Type]; ok {
			targets = append(targets, &g.types[i])
		}
		for _, f := range targets {
			if w.Built {
				f.WorkshopsBuilt++
			}
			if w.Operating {
				f.Workshops++
				f.WorkshopEmployed += w.Employed
				f.WorkshopLowIncomeEmployed += w.Low
				// Levels run 0 to 5 (SetWorkshopStar); the answer shows no other.
				if w.StarLevel <= 5 {
					f.WorkshopsByStar[w.StarLevel]++
				}
			}
		}
	}
	return nil
}
