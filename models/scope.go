package models

import "gorm.io/gorm"

// Actor is the authenticated user acting on the registry, with the address the
// request came from (for the audit log).
type Actor struct {
	UserID       uint
	Username     string
	Name         string
	Role         string
	DistrictCode string
	StreetCode   string
	VillageCode  string
	IP           string
}

// ActorFor builds the Actor of a user.
func ActorFor(u *User, ip string) *Actor {
	return &Actor{UserID: u.ID, Username: u.Username, Name: u.Name, Role: u.Role,
		DistrictCode: u.DistrictCode, StreetCode: u.StreetCode, VillageCode: u.VillageCode, IP: ip}
}

// Villages restricts a query on the villages table to the actor's scope. Every query
// that reads villages goes through it: nothing is loaded and then filtered.
func (a *Actor) Villages(q *gorm.DB) *gorm.DB {
	return a.scopeCols(q, "villages.district_code", "villages.street_code", "villages.code")
}

// Streets restricts a query on the streets table to the actor's scope.
func (a *Actor) Streets(q *gorm.DB) *gorm.DB {
	switch a.Role {
	case RoleDistrict:
		return q.Where("streets.district_code = ?", a.DistrictCode)
	case RoleStreet:
		return q.Where("streets.code = ?", a.StreetCode)
	case RoleVillage:
		return q.Where("streets.code = (SELECT street_code FROM villages WHERE code = ?)", a.VillageCode)
	}
	return q.Where("1 = 0")
}

func (a *Actor) scopeCols(q *gorm.DB, districtCol, streetCol, villageCol string) *gorm.DB {
	switch a.Role {
	case RoleDistrict:
		return q.Where(districtCol+" = ?", a.DistrictCode)
	case RoleStreet:
		return q.Where(streetCol+" = ?", a.StreetCode)
	case RoleVillage:
		return q.Where(villageCol+" = ?", a.VillageCode)
	}
	return q.Where("1 = 0")
}

// FindVillage loads one village inside the actor's scope, or ErrNotFound.
func (a *Actor) FindVillage(db *gorm.DB, code string) (*Village, error) {
	var v Village
	err := a.Villages(db.Preload("Street")).Where("villages.code = ?", code).Take(&v).Error
	if err == gorm.ErrRecordNotFound {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return &v, nil
}
