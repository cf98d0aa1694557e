package models

import (
	"context"
	"errors"
	"strings"

	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"
)

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
