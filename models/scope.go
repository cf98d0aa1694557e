package models

import (
	"errors"
	"strings"

	"gorm.io/gorm"
)

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

// Scope is the part of the registry an actor sees and acts on: one village for its
// cadre, one street for its officer, one district for district staff — or a region
// above a district (a city's 4-digit prefix, a province's 2, "" for the whole
// deployment). It is the one place that says which rows an actor reaches: every
// query on villages, streets, companies, workshops, accounts, the audit log, files
// and imports takes its filter from here, inside the SQL (nothing is loaded and then
// filtered). An object outside the scope answers 404.
type Scope struct {
	Role     string
	District string // a 6-digit district, or a region's prefix
	Street   string
	Village  string
}

// Scope is the actor's scope.
func (a *Actor) Scope() Scope {
	return Scope{Role: a.Role, District: a.DistrictCode, Street: a.StreetCode, Village: a.VillageCode}
}

// IsRegion reports whether the actor's district scope is a region (several districts).
func (a *Actor) IsRegion() bool { return a.Scope().IsRegion() }

// IsRegion reports whether the scope is a region (several districts).
func (s Scope) IsRegion() bool { return s.Role == RoleDistrict && len(s.District) != 6 }

// codes restricts q by a table's district, street and village code columns.
func (s Scope) codes(q *gorm.DB, districtCol, streetCol, villageCol string) *gorm.DB {
	switch s.Role {
	case RoleDistrict:
		return regionWhere(q, districtCol, s.District)
	case RoleStreet:
		return q.Where(streetCol+" = ?", s.Street)
	case RoleVillage:
		return q.Where(villageCol+" = ?", s.Village)
	}
	return q.Where("1 = 0")
}

// Holds reports whether a place (its district, street and village codes; "" where
// it has none) lies inside the scope: the same rule as the SQL filters, for values
// in hand (an account about to be created, a company's members).
func (s Scope) Holds(district, street, village string) bool {
	switch s.Role {
	case RoleDistrict:
		if len(s.District) == 6 {
			return district == s.District
		}
		return strings.HasPrefix(district, s.District)
	case RoleStreet:
		return street != "" && street == s.Street
	case RoleVillage:
		return village != "" && village == s.Village
	}
	return false
}

// Villages restricts a query on the villages table (or a table aliased "villages").
func (s Scope) Villages(q *gorm.DB) *gorm.DB {
	return s.codes(q, "villages.district_code", "villages.street_code", "villages.code")
}

// Streets restricts a query on the streets table: a cadre's is their village's street.
func (s Scope) Streets(q *gorm.DB) *gorm.DB {
	if s.Role == RoleVillage {
		return q.Where("streets.code = (SELECT street_code FROM villages WHERE code = ?)", s.Village)
	}
	return s.codes(q, "streets.district_code", "streets.code", "streets.code")
}

// VillageColumn restricts a query by a column holding a village code (workshops,
// evidence files, report versions, titles): a cadre's village itself, otherwise the
// villages of the scope.
func (s Scope) VillageColumn(col string) func(*gorm.DB) *gorm.DB {
	return func(q *gorm.DB) *gorm.DB {
		if s.Role == RoleVillage {
			return q.Where(col+" = ?", s.Village)
		}
		return q.Where(col+" IN (?)", s.Villages(q.Session(&gorm.Session{NewDB: true}).Table("villages").Select("villages.code")))
	}
}

// Workshops restricts a query on the workshops table: those hosted by the scope's
// villages and, for a street or a district, those registered under its streets (a
// workshop in a 社区, 园区 or enterprise), never a cadre's.
func (s Scope) Workshops(q *gorm.DB) *gorm.DB {
	if s.Role == RoleVillage {
		return q.Where("workshops.village_code = ?", s.Village)
	}
	villages := s.Villages(q.Session(&gorm.Session{NewDB: true}).Table("villages").Select("villages.code"))
	streets := s.Streets(q.Session(&gorm.Session{NewDB: true}).Table("streets").Select("streets.code"))
	return q.Where("(workshops.village_code IN (?) OR workshops.street_code IN (?))", villages, streets)
}

// Evidence restricts a query on the evidence_files table.
func (s Scope) Evidence(q *gorm.DB) *gorm.DB {
	return s.VillageColumn("evidence_files.village_code")(q)
}

// Audit restricts a query on the audit log: the entries about the scope's places.
func (s Scope) Audit(q *gorm.DB) *gorm.DB {
	return s.codes(q, "audit_entries.district_code", "audit_entries.street_code", "audit_entries.village_code")
}

// Cells restricts a query on the roll-up cells (kept per street and type).
func (s Scope) Cells(q *gorm.DB) *gorm.DB {
	if s.Role == RoleVillage {
		return q.Where("1 = 0")
	}
	return s.codes(q, "rollup_cells.district_code", "rollup_cells.street_code", "rollup_cells.street_code")
}

// CompanyCells restricts a query on the company rows of the roll-up cells.
func (s Scope) CompanyCells(q *gorm.DB) *gorm.DB {
	if s.Role == RoleVillage {
		return q.Where("1 = 0")
	}
	return s.codes(q, "rollup_company_cells.district_code", "rollup_company_cells.street_code", "rollup_company_cells.street_code")
}

// Companies restricts a query on the companies table: district staff see the
// companies registered in their district or region; a street or a village, those
// it holds a share in now.
func (s Scope) Companies(q *gorm.DB) *gorm.DB {
	if s.Role == RoleDistrict {
		return regionWhere(q, "companies.district_code", s.District)
	}
	members := q.Session(&gorm.Session{NewDB: true}).Table("company_members").Select("company_members.company_id").
		Where("company_members.removed_at IS NULL").Scopes(s.VillageColumn("company_members.village_code"))
	return q.Where("companies.id IN (?)", members)
}

// Users restricts a query on the users table to the accounts the scope manages:
// district staff every account of their district or region; a street officer the
// cadres of the street's villages; a cadre nobody.
func (s Scope) Users(q *gorm.DB) *gorm.DB {
	switch s.Role {
	case RoleDistrict:
		return regionWhere(q, "users.district_code", s.District)
	case RoleStreet:
		return q.Where("users.role = ? AND users.street_code = ?", RoleVillage, s.Street)
	}
	return q.Where("1 = 0")
}

// VillageByCode loads one village inside the scope, or ErrNotFound.
func (s Scope) VillageByCode(db *gorm.DB, code string) (*Village, error) {
	var v Village
	err := s.Villages(db.Model(&Village{})).Where("villages.code = ?", code).Take(&v).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// FindVillage loads one village inside the actor's scope with its street (in the
// same statement), or ErrNotFound.
func (a *Actor) FindVillage(db *gorm.DB, code string) (*Village, error) {
	return a.Scope().VillageByCode(db.Joins("Street"), code)
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
