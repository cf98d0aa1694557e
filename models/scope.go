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
		return regionWhere(q, "streets.district_code", a.DistrictCode)
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
		return regionWhere(q, districtCol, a.DistrictCode)
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

// regionWhere matches a district code column against a scope code: a 6-digit
// district exactly; a shorter code (a city's 4 digits, a province's 2, or "" for the
// whole deployment) as a prefix, for region-wide roll-ups of a shared deployment.
func regionWhere(q *gorm.DB, col, code string) *gorm.DB {
	if len(code) == 6 {
		return q.Where(col+" = ?", code)
	}
	if code == "" {
		return q
	}
	return q.Where(col+" LIKE ?", code+"%")
}

// IsRegion reports whether the actor's district scope is a region (several districts).
func (a *Actor) IsRegion() bool { return a.Role == RoleDistrict && len(a.DistrictCode) != 6 }
