package models

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Attempts at a password (a login, or the current password of a password change)
// are limited per account and per address. Each attempt takes a place in the
// database BEFORE its password is compared, by one atomic upsert per key, so
// parallel guesses and every instance of a deployment share one count and at most
// the allowed number are ever compared. A success gives its place back; a failure
// keeps it. An attempt that finds no place refuses at once when the places are
// taken by failures (the key is locked), and otherwise waits for the attempts in
// progress to end.
const (
	loginWindow = 15 * time.Minute
	// MaxAccountAttempts wrong passwords of one account lock it for loginWindow.
	MaxAccountAttempts = 5
	// MaxAddressAttempts wrong passwords from one address lock the address.
	MaxAddressAttempts = 20
	// attemptPoll and attemptWait: how often and how long an attempt without a
	// place looks again while other attempts are still being compared.
	attemptPoll = 25 * time.Millisecond
	attemptWait = 10 * time.Second
)

// LoginThrottle counts the recent attempts of one key (an account or an address).
type LoginThrottle struct {
	Key string `gorm:"primaryKey;size:140"`
	// Failures counts the window's failed attempts and those being compared.
	Failures int `gorm:"not null"`
	// WindowStart begins the window. It starts again when the count reaches the
	// limit, so that a lock lasts loginWindow from the last allowed attempt.
	WindowStart time.Time `gorm:"not null"`
	// LockedUntil is set when a failure leaves the key at its limit: an attempt
	// without a place is then refused at once instead of waiting.
	LockedUntil *time.Time
}

// ThrottledError answers an attempt made while its account or address is locked (429).
type ThrottledError struct{ Wait time.Duration }

func (e *ThrottledError) Error() string {
	m := int(e.Wait.Minutes()) + 1
	return fmt.Sprintf("密码错误次数过多，请 %d 分钟后再试", m)
}

// attemptKey is one counter an attempt is charged to, with its limit.
type attemptKey struct {
	key string
	max int
}

// attemptKeys are the counters of an attempt on username from ip: the address
// first, so that a locked address is refused before it touches any account.
func attemptKeys(username, ip string) []attemptKey {
	return []attemptKey{
		{"ip:" + ip, MaxAddressAttempts},
		{"u:" + strings.ToLower(strings.TrimSpace(username)), MaxAccountAttempts},
	}
}

// reserveSQL takes a place for one attempt of a key and answers the new count: a
// new window when the last one has passed, and again when the count reaches the
// limit. SQLite (3.35+) and PostgreSQL both run it as one atomic statement.
const reserveSQL = `INSERT INTO login_throttles ("key", failures, window_start) VALUES (@key, 1, @now)
ON CONFLICT ("key") DO UPDATE SET
  failures = CASE WHEN login_throttles.window_start <= @cut THEN 1 ELSE login_throttles.failures + 1 END,
  window_start = CASE WHEN login_throttles.window_start <= @cut OR login_throttles.failures + 1 = @max
    THEN @now ELSE login_throttles.window_start END,
  locked_until = CASE WHEN login_throttles.window_start <= @cut THEN NULL ELSE login_throttles.locked_until END
RETURNING failures`

// giveBackSQL returns one place of a key.
const giveBackSQL = `UPDATE login_throttles SET failures = failures - 1 WHERE "key" = ? AND failures > 0`

// reserveAttempt takes a place for an attempt on every key in order, before any
// password is compared. A key without a place refuses with a ThrottledError when it
// is locked, or after attemptWait; until then the attempt waits for a place. A
// refused attempt holds no place.
func reserveAttempt(ctx context.Context, db *gorm.DB, keys []attemptKey) error {
	deadline := time.Now().Add(attemptWait)
	for i, k := range keys {
		for {
			now := time.Now().UTC().Truncate(time.Microsecond)
			var n int
			err := db.Raw(reserveSQL, map[string]any{"key": k.key, "now": now, "cut": now.Add(-loginWindow),
				"max": k.max}).Scan(&n).Error
			if err != nil {
				return err
			}
			if n <= k.max {
				break
			}
			var t LoginThrottle
			err = db.Exec(giveBackSQL, k.key).Error
			if err == nil {
				err = db.Where(`"key" = ?`, k.key).Take(&t).Error
			}
			if errors.Is(err, gorm.ErrRecordNotFound) {
				continue // a success has just cleared the key
			}
			if err != nil {
				return err
			}
			locked := t.LockedUntil != nil && t.LockedUntil.After(now)
			if !locked && time.Now().Before(deadline) && sleepCtx(ctx, attemptPoll) {
				continue
			}
			for _, held := range keys[:i] {
				if err := db.Exec(giveBackSQL, held.key).Error; err != nil {
					return err
				}
			}
			return &ThrottledError{Wait: t.WindowStart.Add(loginWindow).Sub(now)}
		}
	}
	return nil
}

// sleepCtx waits d, or less when ctx ends (then it answers false).
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// failedAttempt keeps a failed attempt's places and marks every key it leaves at
// its limit as locked.
func failedAttempt(db *gorm.DB, keys []attemptKey) error {
	until := time.Now().UTC().Add(loginWindow)
	for _, k := range keys {
		if err := db.Exec(`UPDATE login_throttles SET locked_until = ? WHERE "key" = ? AND failures >= ?`, until, k.key, k.max).Error; err != nil {
			return err
		}
	}
	return nil
}

// releaseAttempt gives back a successful attempt's places: the account starts
// afresh, the address counts one attempt less.
func releaseAttempt(db *gorm.DB, keys []attemptKey) error {
	if err := db.Exec(`DELETE FROM login_throttles WHERE "key" = ?`, keys[1].key).Error; err != nil {
		return err
	}
	return db.Exec(giveBackSQL, keys[0].key).Error
}
