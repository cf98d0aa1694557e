package models

import (
	"strings"

	"gorm.io/gorm"
)

// UsersPerPage is the number of accounts on one page of the accounts list.
const UsersPerPage = 50

// UserFilter narrows the accounts list: a search on username or name, a role, a
// street, and the page (from 1).
type UserFilter struct {
	Q      string
	Role   string
	Street string
	Page   int
}

// UserRow is an account with the names of its street and village.
type UserRow struct {
	User
	StreetName  string
	VillageName string
}

// UserPage is one page of the accounts list with the number of matches.
type UserPage struct {
	Rows  []UserRow
	Total int64
	Page  int
	Pages int
}

// filteredUsers is the accounts the actor manages that match f, filtered in SQL.
func filteredUsers(db *gorm.DB, a *Actor, f UserFilter) *gorm.DB {
	q := a.Scope().Users(db.Model(&User{}))
	if s := strings.TrimSpace(f.Q); s != "" {
		like := "%" + escapeLike(s) + "%"
		q = q.Where("(users.username LIKE ? ESCAPE '\\' OR users.name LIKE ? ESCAPE '\\')", like, like)
	}
	if f.Role != "" {
		q = q.Where("users.role = ?", f.Role)
	}
	if f.Street != "" {
		q = q.Where("users.street_code = ?", f.Street)
	}
	return q
}

// userRows reads a range of the matches (limit 0: all from offset), with the names
// of their street and village, in one stable order.
func userRows(q *gorm.DB, limit, offset int) ([]UserRow, error) {
	if limit <= 0 {
		limit = -1
	}
	var rows []UserRow
	err := q.Select("users.*, streets.name AS street_name, villages.name AS village_name").
		Joins("LEFT JOIN streets ON streets.code = users.street_code").
		Joins("LEFT JOIN villages ON villages.code = users.village_code").
		Order("users.role, users.street_code, users.village_code, users.username").
		Limit(limit).Offset(offset).Scan(&rows).Error
	return rows, err
}

// ListUserPage lists one page of the accounts the actor manages that match f, with
// the filter in SQL: one count query and one page query.
func ListUserPage(db *gorm.DB, a *Actor, f UserFilter) (*UserPage, error) {
	if a.Role == RoleVillage {
		return nil, ErrForbidden
	}
	p := &UserPage{Page: f.Page}
	if err := filteredUsers(db, a, f).Count(&p.Total).Error; err != nil {
		return nil, err
	}
	p.Pages = int((p.Total + UsersPerPage - 1) / UsersPerPage)
	p.Page = min(max(p.Page, 1), max(p.Pages, 1))
	var err error
	p.Rows, err = userRows(filteredUsers(db, a, f), UsersPerPage, (p.Page-1)*UsersPerPage)
	return p, err
}

// ListUserRange lists the accounts the actor manages that match f from offset on, at
// most limit of them (0: all), with the number of all matches: one count query and
// one range query. The API pages its list with it.
func ListUserRange(db *gorm.DB, a *Actor, f UserFilter, limit, offset int) ([]UserRow, int64, error) {
	if a.Role == RoleVillage {
		return nil, 0, ErrForbidden
	}
	var total int64
	if err := filteredUsers(db, a, f).Count(&total).Error; err != nil {
		return nil, 0, err
	}
	rows, err := userRows(filteredUsers(db, a, f), limit, offset)
	return rows, total, err
}

// ScopeGroup is one street with its villages, for picking an account's scope by name.
type ScopeGroup struct {
	Street   Street
	Villages []Village
}

// ScopeChoices lists the streets of the actor's scope, each with its villages, in
// two queries, for the scope select of the new-account form.
func ScopeChoices(db *gorm.DB, a *Actor) ([]ScopeGroup, error) {
	streets, err := ListStreets(db, a)
	if err != nil {
		return nil, err
	}
	var villages []Village
	if err := a.Scope().Villages(db.Model(&Village{})).Where("villages.active_until IS NULL").
		Order("villages.street_code, villages.code").Find(&villages).Error; err != nil {
		return nil, err
	}
	out := make([]ScopeGroup, len(streets))
	at := map[string]int{}
	for i, s := range streets {
		out[i].Street, at[s.Code] = s, i
	}
	for _, v := range villages {
		if i, ok := at[v.StreetCode]; ok {
			out[i].Villages = append(out[i].Villages, v)
		}
	}
	return out, nil
}
