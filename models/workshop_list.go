package models

import "gorm.io/gorm"

// WorkshopFilter narrows the district's workshop list.
type WorkshopFilter struct {
	Street, Type, State string
	Star                *int
}

// WorkshopRow is a workshop as listed: its approved state and village.
type WorkshopRow struct {
	WorkshopID        uint
	VillageCode       string // "" for a workshop of a street
	VillageName       string // or the 社区, 园区 or enterprise of a street's workshop
	Site              string
	StreetName        string
	Name              string
	Type              string
	State             string
	Employed          int
	LowIncomeEmployed int
	StarLevel         int
	Pending           string
}

// ListWorkshops lists the workshops of the actor's scope with their latest approved
// version (those never approved are listed as pending).
func ListWorkshops(db *gorm.DB, a *Actor, f WorkshopFilter) ([]WorkshopRow, error) {
	latest := workshops.latestApproved(db, nil)
	q := db.Table("workshops").
		Select(`workshops.id AS workshop_id, COALESCE(workshops.village_code, '') AS village_code,
			COALESCE(villages.name, workshops.site_name) AS village_name, workshops.site, streets.name AS street_name,
			COALESCE(wv.name, '') AS name, COALESCE(wv.type, '') AS type, COALESCE(wv.state, '') AS state,
			COALESCE(wv.employed, 0) AS employed, COALESCE(wv.low_income_employed, 0) AS low_income_employed,
			workshops.star_level, COALESCE(op.status, '') AS pending`).
		// A workshop of a street (in a 社区, 园区 or enterprise) has no village.
		Joins("LEFT JOIN villages ON villages.code = workshops.village_code").
		Joins("JOIN streets ON streets.code = COALESCE(villages.street_code, workshops.street_code)").
		Joins("LEFT JOIN (?) la ON la.workshop_id = workshops.id", latest).
		Joins("LEFT JOIN workshop_versions wv ON wv.workshop_id = la.workshop_id AND wv.seq = la.seq").
		Joins("LEFT JOIN workshop_versions op ON op.workshop_id = workshops.id AND op.status IN ('draft', 'submitted')").
		Scopes(a.Scope().Workshops)
	if f.Street != "" {
		q = q.Where("streets.code = ?", f.Street)
	}
	if f.Type != "" {
		q = q.Where("wv.type = ?", f.Type)
	}
	if f.State != "" {
		q = q.Where("wv.state = ?", f.State)
	}
	if f.Star != nil {
		q = q.Where("workshops.star_level = ?", *f.Star)
	}
	var out []WorkshopRow
	err := q.Order("streets.code, COALESCE(workshops.village_code, ''), workshops.id").Scan(&out).Error
	return out, err
}
