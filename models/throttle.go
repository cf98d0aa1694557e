package models

import (
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Attempts at a password (a login, or the current password of a password change)
// are limited per account and per address. Each attempt is counted in the database
// BEFORE its password is compared, by one atomic upsert per key, so parallel guesses
// and every instance of a deployment share one count and at most the allowed number
// are ever compared; an attempt that succeeds gives its place back.
const (
	loginWindow = 15 * time.Minute
	// MaxAccountAttempts wrong passwords of one account lock it for loginWindow.
	MaxAccountAttempts = 5
	// MaxAddressAttempts wrong passwords from one address lock the address.
	MaxAddressAttempts = 20
)

// LoginThrottle counts the recent attempts of one key (an account or an address).
type LoginThrottle struct {
	Key string `gorm:"primaryKey;size:140"`
	// Failures counts the window's attempts, those still being checked included.
	Failures int `gorm:"not null"`
	// WindowStart begins the window. It starts again when the count reaches the
	// limit, so that a lock lasts loginWindow from the last allowed attempt.
	WindowStart time.Time `gorm:"not null"`
	// LockedUntil says, for an operator reading the table, until when the key is
	// locked; the count alone decides.
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

// reserveSQL counts one attempt of a key and answers the new count: a new window
// when the last one has passed, a new window (the lock) when the count reaches the
// limit. SQLite (3.35+) and PostgreSQL both run it as one atomic statement.
const reserveSQL = `INSERT INTO login_throttles ("key", failures, window_start) VALUES (@key, 1, @now)
ON CONFLICT ("key") DO UPDATE SET
  failures = CASE WHEN login_throttles.window_start <= @cut THEN 1 ELSE login_throttles.failures + 1 END,
  window_start = CASE WHEN login_throttles.window_start <= @cut OR login_throttles.failures + 1 = @max
    THEN @now ELSE login_throttles.window_start END,
  locked_until = CASE WHEN login_throttles.window_start <= @cut THEN NULL
    WHEN login_throttles.failures + 1 = @max THEN @until ELSE login_throttles.locked_until END
RETURNING failures`

// reserveAttempt charges an attempt to every key in order before any password is
// compared; the first key over its limit refuses the attempt with a ThrottledError.
func reserveAttempt(db *gorm.DB, keys []attemptKey) error {
	now := time.Now().UTC().Truncate(time.Microsecond)
	for _, k := range keys {
		var n int
		err := db.Raw(reserveSQL, map[string]any{"key": k.key, "now": now, "cut": now.Add(-loginWindow),
			"max": k.max, "until": now.Add(loginWindow)}).Scan(&n).Error
		if err != nil {
			return err
		}
		if n > k.max {
			var t LoginThrottle
			if err := db.Where(`"key" = ?`, k.key).Take(&t).Error; err != nil {
				return err
			}
			return &ThrottledError{Wait: t.WindowStart.Add(loginWindow).Sub(now)}
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
	return db.Exec(`UPDATE login_throttles SET failures = failures - 1 WHERE "key" = ? AND failures > 0`, keys[0].key).Error
}
