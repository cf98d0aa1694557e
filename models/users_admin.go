package models

import (
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"runtime"
	"sort"
	"strings"
	"sync"

	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"
)

// ListUsers lists the accounts the actor manages.
func ListUsers(db *gorm.DB, a *Actor) ([]User, error) {
	if a.Role == RoleVillage {
		return nil, ErrForbidden
	}
	var out []User
	err := a.Scope().Users(db.Model(&User{})).Order("role, street_code, village_code, username").Find(&out).Error
	return out, err
}

// managedUser loads an account the actor manages: 404 outside the scope, 403 for a
// cadre (who manages nobody). Nobody manages their own account here.
func managedUser(db *gorm.DB, a *Actor, username string) (*User, error) {
	if a.Role == RoleVillage {
		return nil, ErrForbidden
	}
	var u User
	err := a.Scope().Users(db.Model(&User{})).Where("users.username = ?", username).Take(&u).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	if u.ID == a.UserID {
		return nil, Invalid("username", "不能在此管理自己的账号")
	}
	return &u, nil
}

// oneTimeCost is the bcrypt cost of one-time passwords: they are random (about 70
// bits) and live until the first login, so a lower cost keeps bulk creation fast.
const oneTimeCost = 8

// oneTimeAlphabet avoids characters that are easily confused (0/O, 1/l/I).
const oneTimeAlphabet = "23456789abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"

// OneTimePassword makes a random 12-character password that passes CheckPassword
// (a rare draw that looks like words is drawn again).
func OneTimePassword() string {
	for {
		b := make([]byte, 12)
		for i := range b {
			n, err := rand.Int(rand.Reader, big.NewInt(int64(len(oneTimeAlphabet))))
			if err != nil {
				panic(err) // the system's random source failed: nothing safe to do
			}
			b[i] = oneTimeAlphabet[n.Int64()]
		}
		if CheckPassword("", string(b)) == nil {
			return string(b)
		}
	}
}

// ResetPassword gives an account a one-time password, to be changed at the next
// login, and ends its sessions. It returns the password to hand over.
func ResetPassword(db *gorm.DB, a *Actor, username string) (string, error) {
	u, err := managedUser(db, a, username)
	if err != nil {
		return "", err
	}
	pw := OneTimePassword()
	hash, err := bcrypt.GenerateFromPassword([]byte(pw), oneTimeCost)
	if err != nil {
		return "", err
	}
	err = db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&User{}).Where("id = ?", u.ID).Updates(map[string]any{"password_hash": string(hash),
			"must_change_password": true, "token_version": gorm.Expr("token_version + 1")}).Error; err != nil {
			return err
		}
		return Audit(tx, a, "user.reset", "user", u.Username, userScope(u), nil, map[string]any{"password": "reset, one-time"})
	})
	return pw, err
}

// UserImportHeader is the header row of the bulk account sheet's template.
var UserImportHeader = []string{"用户名", "姓名", "角色", "范围代码", "手机"}

// UserColumns are the fields of the bulk account sheet, found by the same header
// finder as the other imports: below title rows, by their usual names, in any order.
var UserColumns = []SheetColumn{
	{Key: "username", Label: "用户名", Names: []string{"用户名", "账号", "帐号", "登录名", "登录账号", "用户账号"}, Required: true},
	{Key: "name", Label: "姓名", Names: []string{"姓名", "名字", "使用人", "联系人"}, Required: true},
	{Key: "role", Label: "角色", Names: []string{"角色", "账号类型", "用户类型", "层级"}, Required: true},
	{Key: "scope", Label: "范围代码", Names: []string{"范围代码", "范围", "所属范围", "单位代码", "区划代码", "统计用区划代码", "村代码", "街道代码"}, Required: true},
	{Key: "phone", Label: "手机", Names: []string{"手机", "手机号", "手机号码", "联系电话", "电话"}},
}

// UserSheetRows is the most rows a bulk account sheet may have, header included:
// a district's every account fits; a larger list is imported in parts.
const UserSheetRows = 1_000

// CreatedUser is an account made by a bulk import, with its one-time password.
type CreatedUser struct {
	Username, Name, Role, Scope, Phone, Password string
}

// roleCodes maps the sheet's role column (Chinese or code) to a role.
var roleCodes = map[string]string{
	"district": RoleDistrict, "区": RoleDistrict, "区级": RoleDistrict,
	"street": RoleStreet, "街道": RoleStreet, "街道/镇": RoleStreet, "镇": RoleStreet,
	"village": RoleVillage, "村": RoleVillage, "村干部": RoleVillage,
}

// BulkCreateUsers creates every account of a sheet with a one-time password, all or
// nothing; the returned passwords are shown once and never stored in clear. Every
// row is checked and every password hashed (in parallel) before one short
// transaction writes them all, so that other writers are not kept waiting.
func BulkCreateUsers(db *gorm.DB, a *Actor, rows [][]string) ([]CreatedUser, []ImportProblem, error) {
	if a.Role == RoleVillage {
		return nil, nil, ErrForbidden
	}
	if len(rows) > UserSheetRows {
		return nil, []ImportProblem{{UserSheetRows + 1, "", fmt.Sprintf("账号表最多 %d 行（含表头），请分成几个文件导入", UserSheetRows)}}, nil
	}
	l, probs := findHeader(rows, UserColumns, UnitYuan)
	if len(probs) > 0 {
		return nil, probs, nil
	}
	start := l.start
	var users []*User
	var inputs []UserInput
	var failed error
	rowOf := map[string]int{}
	count := eachDataRow(rows, start, &probs, func(n int, r []string, bad func(col, msg string)) {
		in := UserInput{Username: l.get(r, "username"), Name: l.get(r, "name"), Role: roleCodes[strings.ToLower(l.get(r, "role"))],
			Scope: l.get(r, "scope"), Phone: l.get(r, "phone"), Password: OneTimePassword(), OneTime: true}
		if p := rowOf[in.Username]; p != 0 {
			bad("用户名", fmt.Sprintf("与第 %d 行重复", p))
			return
		}
		rowOf[in.Username] = n
		u, err := checkNewUser(db, a, in)
		var ve *ValidationError
		switch {
		case errors.As(err, &ve):
			fields := make([]string, 0, len(ve.Fields))
			for f := range ve.Fields {
				fields = append(fields, f)
			}
			sort.Strings(fields)
			for _, f := range fields {
				bad(userColumn[f], ve.Fields[f])
			}
		case errors.Is(err, ErrForbidden):
			bad("用户名", err.Error())
		case err != nil:
			failed = err
		default:
			users, inputs = append(users, u), append(inputs, in)
		}
	})
	if failed != nil {
		return nil, nil, failed
	}
	if count == 0 && len(probs) == 0 {
		probs = append(probs, ImportProblem{start + 1, "", "表头之后没有数据行"})
	}
	taken, err := takenUsernames(db, users)
	if err != nil {
		return nil, nil, err
	}
	for _, name := range taken {
		probs = append(probs, ImportProblem{rowOf[name], "用户名", usernameTaken(name).Error()})
	}
	if len(probs) > 0 {
		sort.SliceStable(probs, func(i, j int) bool { return probs[i].Row < probs[j].Row })
		return nil, probs, nil
	}
	if err := hashPasswords(users, inputs); err != nil {
		return nil, nil, err
	}
	if err := insertUsers(db, a, users...); err != nil {
		return nil, nil, err
	}
	out := make([]CreatedUser, len(users))
	for i, u := range users {
		out[i] = CreatedUser{u.Username, u.Name, u.Role, inputs[i].Scope, u.Phone, inputs[i].Password}
	}
	return out, nil, nil
}

// takenUsernames gives the usernames of new accounts that exist already, in one query.
func takenUsernames(db *gorm.DB, users []*User) ([]string, error) {
	if len(users) == 0 {
		return nil, nil
	}
	names := make([]string, len(users))
	for i, u := range users {
		names[i] = u.Username
	}
	var taken []string
	err := db.Model(&User{}).Where("username IN ?", names).Order("username").Pluck("username", &taken).Error
	return taken, err
}

// hashPasswords hashes the passwords of new accounts on as many goroutines as the
// process may run at once.
func hashPasswords(users []*User, inputs []UserInput) error {
	errs := make([]error, len(users))
	next := make(chan int)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := range next {
				errs[i] = hashPassword(users[i], inputs[i])
			}
		})
	}
	for i := range users {
		next <- i
	}
	close(next)
	wg.Wait()
	return errors.Join(errs...)
}

var userColumn = map[string]string{"username": "用户名", "name": "姓名", "role": "角色", "scope": "范围代码", "phone": "手机", "password": "密码"}
