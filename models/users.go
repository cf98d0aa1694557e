package models

import (
	"errors"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"
)

// UserByID loads a user by id.
func UserByID(db *gorm.DB, id uint) (*User, error) {
	var u User
	if err := db.Where("id = ?", id).Take(&u).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, ErrNotFound
		}
		return nil, err
	}
	return &u, nil
}

// UserInput is a new account.
type UserInput struct {
	Username string
	Name     string
	Role     string
	Scope    string // district, street or village code, by role
	Password string
	Phone    string
	// OneTime marks the password as one-time: it must be changed at first login.
	OneTime bool
}

// usernameRule is the alphabet of new usernames: safe in a path, a query, a file
// name and a spreadsheet cell, and no look-alike letters.
var usernameRule = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$`)

// CheckUsername validates a new username: English letters, digits and - _ . only,
// beginning with a letter or digit, at most 40 characters (the size of the audit
// log's object key). Accounts named before the rule keep their names.
func CheckUsername(username string) error {
	if !usernameRule.MatchString(username) {
		return Invalid("username", "用户名只能由英文字母、数字和 - _ . 组成，以字母或数字开头，最多 40 个字符")
	}
	return nil
}

// CreateUser adds an account. The actor is nil for the command line (the operator
// of the machine); district staff may create any account of their district, a
// street officer the cadres of its own villages.
func CreateUser(db *gorm.DB, a *Actor, in UserInput) (*User, error) {
	u, err := checkNewUser(db, a, in)
	if err != nil {
		return nil, err
	}
	if err := hashPassword(u, in); err != nil {
		return nil, err
	}
	if err := insertUsers(db, a, u); err != nil {
		return nil, err
	}
	return u, nil
}

// checkNewUser validates a new account for the actor and gives it, without its
// password hash.
func checkNewUser(db *gorm.DB, a *Actor, in UserInput) (*User, error) {
	if a != nil && a.Role != RoleDistrict && !(a.Role == RoleStreet && in.Role == RoleVillage) {
		return nil, ErrForbidden
	}
	verr := &ValidationError{}
	u := &User{Username: strings.TrimSpace(in.Username), Name: strings.TrimSpace(in.Name), Role: in.Role}
	if err := CheckUsername(u.Username); err != nil {
		verr.Add("username", err.(*ValidationError).Fields["username"])
	}
	if u.Name == "" || utf8.RuneCountInString(u.Name) > 50 || BadText(u.Name) || BadText(u.Username) {
		verr.Add("name", "姓名必填，最多 50 字")
	}
	if err := CheckPassword(u.Username, in.Password); err != nil {
		verr.Add("password", err.(*ValidationError).Fields["password"])
	}
	scope := strings.TrimSpace(in.Scope)
	found := false
	switch in.Role {
	case RoleDistrict:
		found = db.Where("code = ?", scope).Take(&District{}).Error == nil
		u.DistrictCode = scope
	case RoleStreet:
		var s Street
		found = db.Where("code = ?", scope).Take(&s).Error == nil
		u.DistrictCode, u.StreetCode = s.DistrictCode, s.Code
	case RoleVillage:
		var v Village
		found = db.Where("code = ?", scope).Take(&v).Error == nil
		u.DistrictCode, u.StreetCode, u.VillageCode = v.DistrictCode, v.StreetCode, v.Code
	default:
		verr.Add("role", "角色须为 district、street 或 village")
	}
	// A code that does not exist and one outside the actor's scope answer alike:
	// nobody learns what exists beyond their scope.
	inScope := a == nil || a.Scope().Holds(u.DistrictCode, u.StreetCode, u.VillageCode)
	if !found || !inScope {
		verr.Add("scope", "范围代码不存在或不在您的权限范围内")
	}
	if utf8.RuneCountInString(in.Phone) > 20 || BadText(in.Phone) {
		verr.Add("phone", "手机号最多 20 位")
	}
	u.Phone, u.MustChangePassword = strings.TrimSpace(in.Phone), in.OneTime
	if err := verr.Err(); err != nil {
		return nil, err
	}
	return u, nil
}

// hashPassword sets a new account's password hash (a one-time password at a lower
// cost) and its first token version. It runs before any transaction: bcrypt is slow
// on purpose, and a write transaction must not wait for it.
func hashPassword(u *User, in UserInput) error {
	cost := bcrypt.DefaultCost
	if in.OneTime {
		cost = oneTimeCost
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(in.Password), cost)
	if err != nil {
		return err
	}
	u.PasswordHash = string(hash)
	u.TokenVersion = 1
	return nil
}

// usernameTaken is the answer to a username that exists already.
func usernameTaken(username string) error { return Conflict("用户名 " + username + " 已存在") }

// insertUsers writes new, hashed accounts and their audit entries in one short
// transaction.
func insertUsers(db *gorm.DB, a *Actor, users ...*User) error {
	return db.Transaction(func(tx *gorm.DB) error {
		if err := tx.CreateInBatches(users, 200).Error; err != nil {
			switch {
			case isUniqueViolation(err) && len(users) == 1:
				return usernameTaken(users[0].Username)
			case isUniqueViolation(err):
				return Conflict("导入期间有同名账号被创建，未创建任何账号，请重新导入")
			}
			return err
		}
		entries := make([]AuditEntry, len(users))
		for i, u := range users {
			entries[i] = auditEntry(a, "user.create", "user", u.Username, userScope(u), nil, userAudit(u))
		}
		return tx.CreateInBatches(entries, 200).Error
	})
}

// SetPassword changes a user's password and ends every session of theirs (the token
// version moves on). The actor is nil for the command line.
func SetPassword(db *gorm.DB, a *Actor, username, password string) error {
	if err := CheckPassword(username, password); err != nil {
		return err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return err
	}
	return db.Transaction(func(tx *gorm.DB) error {
		var u User
		if err := tx.Where("username = ?", username).Take(&u).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return ErrNotFound
			}
			return err
		}
		if a != nil && a.UserID != u.ID {
			return ErrForbidden
		}
		if err := tx.Model(&User{}).Where("id = ?", u.ID).Updates(map[string]any{
			"password_hash": string(hash), "token_version": gorm.Expr("token_version + 1"),
		}).Error; err != nil {
			return err
		}
		return Audit(tx, a, "user.password", "user", u.Username, userScope(&u), nil, map[string]any{"password": "changed"})
	})
}

// SetDisabled disables or re-enables an account; disabling ends its sessions at
// once. The actor is nil for the command line; otherwise it must manage the account.
func SetDisabled(db *gorm.DB, a *Actor, username string, disabled bool) error {
	if a != nil {
		if _, err := managedUser(db, a, username); err != nil {
			return err
		}
	}
	return db.Transaction(func(tx *gorm.DB) error {
		var u User
		if err := tx.Where("username = ?", username).Take(&u).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return ErrNotFound
			}
			return err
		}
		if err := tx.Model(&User{}).Where("id = ?", u.ID).Updates(map[string]any{
			"disabled": disabled, "token_version": gorm.Expr("token_version + 1"),
		}).Error; err != nil {
			return err
		}
		return Audit(tx, a, "user.disable", "user", u.Username, userScope(&u),
			map[string]any{"disabled": u.Disabled}, map[string]any{"disabled": disabled})
	})
}

// CountDemoUsers counts the demo accounts still present.
func CountDemoUsers(db *gorm.DB) (int64, error) {
	var n int64
	err := db.Model(&User{}).Where("demo = ?", true).Count(&n).Error
	return n, err
}

func userScope(u *User) AuditScope {
	return AuditScope{District: u.DistrictCode, Street: u.StreetCode, Village: u.VillageCode}
}

func userAudit(u *User) map[string]any {
	return map[string]any{"username": u.Username, "name": u.Name, "role": u.Role,
		"district_code": u.DistrictCode, "street_code": u.StreetCode, "village_code": u.VillageCode, "disabled": u.Disabled}
}
