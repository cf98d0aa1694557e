package models

import (
	"context"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/trustelem/zxcvbn"

	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"
)

// MinPasswordChars is the shortest password accepted for a new or changed password.
const MinPasswordChars = 10

// minPasswordScore is the least zxcvbn score a new password needs: 3 means about
// 10^8 guesses or more, with the username and the words of the place counted as
// known to an attacker.
const minPasswordScore = 3

// placeWords are guessed first by anyone who knows where the system runs: the
// system's, the place's and the most common pinyin words and surnames.
var placeWords = []string{"cunji", "cunji-demo", "jiaojiang", "taizhou", "zhejiang", "cunwei", "cunmin", "xiangcun",
	"nongcun", "gongsi", "admin", "district", "street", "village", "woaini", "wang", "zhang", "chen", "yang",
	"huang", "zhao", "zhou", "jiang", "xiao", "ming", "hong", "jian", "zhangsan", "lisi", "wangwu"}

// CheckPassword validates a new password for a username: long enough, and not easy
// to guess by a real estimate (zxcvbn: repeats, sequences, keyboard runs, common
// passwords and words, dates, the username and small changes to any of them).
func CheckPassword(username, password string) error {
	switch {
	case utf8.RuneCountInString(password) < MinPasswordChars:
		return Invalid("password", "密码至少 10 个字符")
	case len(password) > 72:
		return Invalid("password", "密码最多 72 个字节")
	case strings.EqualFold(password, username):
		return Invalid("password", "密码不能与用户名相同")
	}
	inputs := placeWords
	if username != "" {
		inputs = append([]string{username}, placeWords...)
	}
	if zxcvbn.PasswordStrength(password, inputs).Score < minPasswordScore {
		return Invalid("password", "密码太容易被猜到：请换一个更长、更不规则的密码，避免重复或连续的字符、键盘顺序、常见密码和单词、日期及用户名")
	}
	return nil
}

// ConcurrentComparisons is how many bcrypt comparisons a server runs at once: each
// takes a core for tens of milliseconds, and a crowd of unauthenticated requests
// must not take every core.
const ConcurrentComparisons = 3

// dummyHash is compared against when the username is unknown, so that an unknown
// user and a wrong password take about the same time.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("cunji-no-such-user-0000"), bcrypt.DefaultCost)

// Passwords checks passwords against their hashes: every attempt is first counted
// against the account and the address (see reserveAttempt), then waits for one of a
// few comparison slots.
type Passwords struct {
	slots chan struct{}
	// Compare compares a bcrypt hash with a password; tests count comparisons
	// through it.
	Compare func(hash, password []byte) error
}

// NewPasswords allows concurrent comparisons at once (at least one).
func NewPasswords(concurrent int) *Passwords {
	return &Passwords{slots: make(chan struct{}, max(concurrent, 1)), Compare: bcrypt.CompareHashAndPassword}
}

// matches compares password with hash once a slot is free, giving up when ctx ends.
func (p *Passwords) matches(ctx context.Context, hash, password string) (bool, error) {
	select {
	case p.slots <- struct{}{}:
	case <-ctx.Done():
		return false, ctx.Err()
	}
	defer func() { <-p.slots }()
	return p.Compare([]byte(hash), []byte(password)) == nil, nil
}

// authenticate checks a username and password. Unknown users, wrong passwords and
// disabled accounts all answer ErrUnauthorized after one comparison.
func (p *Passwords) authenticate(ctx context.Context, db *gorm.DB, username, password string) (*User, error) {
	var u User
	err := db.Where("username = ?", strings.TrimSpace(username)).Take(&u).Error
	if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, err
	}
	hash := u.PasswordHash
	if err != nil {
		hash = string(dummyHash)
	}
	ok, cerr := p.matches(ctx, hash, password)
	switch {
	case cerr != nil:
		return nil, cerr
	case err != nil || !ok || u.Disabled:
		return nil, ErrUnauthorized
	}
	return &u, nil
}

// Authenticate checks a username and password without counting the attempt (for
// the command line and tools); servers log in through Passwords.Login.
func Authenticate(db *gorm.DB, username, password string) (*User, error) {
	return NewPasswords(1).authenticate(context.Background(), db, username, password)
}

// Login authenticates a user from address ip. The attempt is counted before the
// password is compared, and refused with a ThrottledError while the account or the
// address is locked; an unknown user and a wrong password answer alike.
func (p *Passwords) Login(ctx context.Context, db *gorm.DB, username, password, ip string) (*User, error) {
	keys := attemptKeys(username, ip)
	if err := reserveAttempt(ctx, db, keys); err != nil {
		return nil, err
	}
	u, err := p.authenticate(ctx, db, username, password)
	if errors.Is(err, ErrUnauthorized) {
		if ferr := failedAttempt(db, keys); ferr != nil {
			return nil, ferr
		}
	}
	if err != nil {
		return nil, err
	}
	return u, releaseAttempt(db, keys)
}

// ChangeOwnPassword lets a logged-in user (from address ip) choose a new password,
// given the current one, which is counted and limited like a login. It clears the
// one-time flag and ends the user's other sessions.
func (p *Passwords) ChangeOwnPassword(ctx context.Context, db *gorm.DB, u *User, current, next, ip string) error {
	keys := attemptKeys(u.Username, ip)
	if err := reserveAttempt(ctx, db, keys); err != nil {
		return err
	}
	ok, err := p.matches(ctx, u.PasswordHash, current)
	if err != nil {
		return err
	}
	if !ok {
		if err := failedAttempt(db, keys); err != nil {
			return err
		}
		return Invalid("current", "当前密码不正确")
	}
	if err := releaseAttempt(db, keys); err != nil {
		return err
	}
	if current == next {
		return Invalid("password", "新密码不能与当前密码相同")
	}
	return setOwnPassword(db, u, next, ip)
}

// ReplaceOneTimePassword sets the first own password of a user who logged in with a
// one-time password, without asking for it again: the caller vouches that the
// session is the one that login opened (nothing is guessed here, so nothing is
// counted). The one-time password itself is refused.
func (p *Passwords) ReplaceOneTimePassword(ctx context.Context, db *gorm.DB, u *User, next, ip string) error {
	if !u.MustChangePassword {
		return ErrForbidden
	}
	same, err := p.matches(ctx, u.PasswordHash, next)
	if err != nil {
		return err
	}
	if same {
		return Invalid("password", "新密码不能与一次性密码相同")
	}
	return setOwnPassword(db, u, next, ip)
}

// setOwnPassword stores a user's own new password, clears the one-time flag, ends
// the user's other sessions and records the change.
func setOwnPassword(db *gorm.DB, u *User, next, ip string) error {
	if err := CheckPassword(u.Username, next); err != nil {
		return err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(next), bcrypt.DefaultCost)
	if err != nil {
		return err
	}
	a := ActorFor(u, ip)
	return db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&User{}).Where("id = ?", u.ID).Updates(map[string]any{"password_hash": string(hash),
			"must_change_password": false, "token_version": gorm.Expr("token_version + 1")}).Error; err != nil {
			return err
		}
		return Audit(tx, a, "user.password", "user", u.Username, userScope(u), nil, map[string]any{"password": "changed by the user"})
	})
}
