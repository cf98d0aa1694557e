package models

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Failed logins are limited per account and per address, in the database so that
// every instance of a deployment counts the same failures.
const (
	loginWindow       = 15 * time.Minute
	loginLock         = 15 * time.Minute
	accountMaxFailure = 5
	addressMaxFailure = 20
)

// LoginThrottle counts the recent failed logins of one key (an account or an address).
type LoginThrottle struct {
	Key         string    `gorm:"primaryKey;size:140"`
	Failures    int       `gorm:"not null"`
	WindowStart time.Time `gorm:"not null"`
	LockedUntil *time.Time
}

// ThrottledError answers a login tried while its account or address is locked (429).
type ThrottledError struct{ Wait time.Duration }

func (e *ThrottledError) Error() string {
	m := int(e.Wait.Minutes()) + 1
	return fmt.Sprintf("登录失败次数过多，请 %d 分钟后再试", m)
}

func throttleKeys(username, ip string) []string {
	return []string{"u:" + strings.ToLower(strings.TrimSpace(username)), "ip:" + ip}
}

// Login authenticates a user, refusing while the account or the address is locked
// after repeated failures. An unknown user and a wrong password answer alike.
func Login(db *gorm.DB, username, password, ip string) (*User, error) {
	at := time.Now().UTC()
	keys := throttleKeys(username, ip)
	var locks []LoginThrottle
	if err := db.Where("key IN ? AND locked_until > ?", keys, at).Find(&locks).Error; err != nil {
		return nil, err
	}
	for _, l := range locks {
		return nil, &ThrottledError{Wait: l.LockedUntil.Sub(at)}
	}
	u, err := Authenticate(db, username, password)
	if errors.Is(err, ErrUnauthorized) {
		if rerr := recordFailure(db, keys, at); rerr != nil {
			return nil, rerr
		}
		return nil, err
	}
	if err != nil {
		return nil, err
	}
	db.Where("key = ?", keys[0]).Delete(&LoginThrottle{})
	return u, nil
}

func recordFailure(db *gorm.DB, keys []string, at time.Time) error {
	limits := []int{accountMaxFailure, addressMaxFailure}
	return db.Transaction(func(tx *gorm.DB) error {
		for i, k := range keys {
			var t LoginThrottle
			err := tx.Where("key = ?", k).Take(&t).Error
			if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
				return err
			}
			if errors.Is(err, gorm.ErrRecordNotFound) || at.Sub(t.WindowStart) > loginWindow {
				t = LoginThrottle{Key: k, WindowStart: at}
			}
			t.Failures++
			if t.Failures >= limits[i] {
				until := at.Add(loginLock)
				t.LockedUntil = &until
				t.Failures, t.WindowStart = 0, at
			}
			if err := tx.Save(&t).Error; err != nil {
				return err
			}
		}
		return nil
	})
}
