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
		Where("c.created_at <= ? AND (c.dissolved_at IS NULL OR c.dissolved_at > ?)", asOf, asOf).
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
	// Workshops: the latest approved version by the end of the year (or asOf, if
	// earlier), operating.
	cutoff := time.Date(year+1, 1, 1, 0, 0, 0, 0, Shanghai).UTC()
	if asOf.Before(cutoff) {
		cutoff = asOf
	}
	var shops []struct {
		StreetCode        string
		Type              string
		Employed          int64
		LowIncomeEmployed int64
	}
	wq := src.villages(db).
		Select("villages.street_code, villages.type, wv.employed, wv.low_income_employed").
		Joins("JOIN workshops w ON w.village_code = villages.code").
		// One index lookup per workshop of the scope for its latest approved version.
		Joins(`JOIN workshop_versions wv ON wv.id = (SELECT w2.id FROM workshop_versions w2
			WHERE w2.workshop_id = w.id AND w2.status = ? AND w2.reviewed_at <= ? ORDER BY w2.seq DESC LIMIT 1)`, StatusApproved, cutoff).
		Where("wv.state = ?", "运营").Scopes(a.Villages)
	wq = activeIn(wq, year)
	if street != "" {
		wq = wq.Where("villages.street_code = ?", street)
	}
	if err := wq.Scan(&shops).Error; err != nil {
		return err
	}
	for _, w := range shops {
		targets := []*Figures{&g.total}
		if i, ok := si[w.StreetCode]; ok {
			targets = append(targets, &g.streets[i])
		}
		if i, ok := ti[w.Type]; ok {
			targets = append(targets, &g.types[i])
		}
		for _, f := range targets {
			f.Workshops++
			f.WorkshopEmployed += w.Employed
			f.WorkshopLowIncomeEmployed += w.LowIncomeEmployed
		}
	}
	return nil
}
