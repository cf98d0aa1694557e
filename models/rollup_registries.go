package models

import (
	"time"

	"gorm.io/gorm"
)

// addRegistries adds the 强村公司 and 共富工坊 figures (docs/domain.md, "Roll-ups") to the groups.
// Companies and member villages are distinct counts per group (a company with
// members in two streets counts once in each and once in the total).
func addRegistries(db *gorm.DB, a *Actor, street string, year int, src source, g *groups, si, ti map[string]int) error {
	asOf := src.asOf
	var members []struct {
		CompanyID   uint
		VillageCode string
		StreetCode  string
		Type        string
	}
	q := src.villages(db).
		Select("cm.company_id, cm.village_code, villages.street_code, villages.type").
		Joins("JOIN company_members cm ON cm.village_code = villages.code").
		Joins("JOIN companies c ON c.id = cm.company_id").
		Where("cm.added_at <= ? AND (cm.removed_at IS NULL OR cm.removed_at > ?)", asOf, asOf).
		Where("cm.from_year <= ? AND (cm.until_year IS NULL OR cm.until_year >= ?)", year, year).
		Where("c.created_at <= ? AND "+companyActiveAt, asOf, asOf, asOf).
		Scopes(a.Villages)
	q = activeIn(q, year)
	if street != "" {
		q = q.Where("villages.street_code = ?", street)
	}
	if err := q.Scan(&members).Error; err != nil {
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
			targets = append(targets, &g.streets[i])
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
	// Workshops: each one's latest approved version as of asOf (its dates, its
	// state now) and as of the year's end (for a workshop without dates: built when
	// approved by then and past 筹建, operating if 运营 then).
	end := time.Date(year+1, 1, 1, 0, 0, 0, 0, Shanghai).UTC()
	cutoff := end
	if asOf.Before(cutoff) {
		cutoff = asOf
	}
	var shops []struct {
		StreetCode string
		Type       string
		FoundedOn  *time.Time
		ClosedOn   *time.Time
		AState     string
		AEmployed  int64
		ALow       int64
		BID        *uint
		BState     *string
		BEmployed  *int64
		BLow       *int64
	}
	latest := func(alias string) string {
		return `LEFT JOIN workshop_versions ` + alias + ` ON ` + alias + `.id = (SELECT w2.id FROM workshop_versions w2
			WHERE w2.workshop_id = w.id AND w2.status = ? AND w2.reviewed_at <= ? ORDER BY w2.seq DESC LIMIT 1)`
	}
	wq := src.villages(db).
		Select(`villages.street_code, villages.type, wa.founded_on, wa.closed_on, wa.state AS a_state,
			wa.employed AS a_employed, wa.low_income_employed AS a_low, wb.id AS b_id, wb.state AS b_state,
			wb.employed AS b_employed, wb.low_income_employed AS b_low`).
		Joins("JOIN workshops w ON w.village_code = villages.code").
		// One index lookup per workshop of the scope for each latest approved version.
		Joins(latest("wa"), StatusApproved, asOf).Joins(latest("wb"), StatusApproved, cutoff).
		Where("wa.id IS NOT NULL").Scopes(a.Villages)
	wq = activeIn(wq, year)
	if street != "" {
		wq = wq.Where("villages.street_code = ?", street)
	}
	if err := wq.Scan(&shops).Error; err != nil {
		return err
	}
	for _, w := range shops {
		var built, operating bool
		var employed, low int64
		if w.FoundedOn != nil {
			built = w.FoundedOn.Before(end)
			operating = built && (w.ClosedOn == nil || !w.ClosedOn.Before(end)) && w.AState != "筹建"
			employed, low = w.AEmployed, w.ALow
		} else if w.BID != nil {
			built = *w.BState != "筹建"
			operating = *w.BState == "运营"
			employed, low = *w.BEmployed, *w.BLow
		}
		targets := []*Figures{&g.total}
		if i, ok := si[w.StreetCode]; ok {
			targets = append(targets, &g.streets[i])
		}
		if i, ok := ti[w.Type]; ok {
			targets = append(targets, &g.types[i])
		}
		for _, f := range targets {
			if built {
				f.WorkshopsBuilt++
			}
			if operating {
				f.Workshops++
				f.WorkshopEmployed += employed
				f.WorkshopLowIncomeEmployed += low
			}
		}
	}
	return nil
}
