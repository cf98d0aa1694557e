package handlers

import (
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"

	"cunji/models"
	"cunji/seeds"

	"golang.org/x/crypto/bcrypt"
)

// countComparisons makes the server count its password comparisons.
func (en *env) countComparisons() *atomic.Int64 {
	var n atomic.Int64
	en.h.Passwords.Compare = func(hash, pw []byte) error {
		n.Add(1)
		return bcrypt.CompareHashAndPassword(hash, pw)
	}
	return &n
}

// parallel runs fn(i) for i < n at once and tallies the status codes.
func parallel(n int, fn func(i int) int) map[int]int {
	var mu sync.Mutex
	var wg sync.WaitGroup
	codes := map[int]int{}
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			code := fn(i)
			mu.Lock()
			codes[code]++
			mu.Unlock()
		}()
	}
	close(start)
	wg.Wait()
	return codes
}

// TestParallelGuesses: 200 wrong passwords sent at once from one address are
// counted before they are compared, so at most the limit is ever compared, and the
// right password that follows is refused.
func TestParallelGuesses(t *testing.T) {
	cases := []struct {
		name  string
		user  func(i int) string
		limit int64
	}{
		{"one account", func(int) string { return "v1" }, models.MaxAccountAttempts},
		{"one address, many accounts", func(i int) string { return fmt.Sprintf("guess-%d", i) }, models.MaxAddressAttempts},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			en := newEnv(t)
			n := en.countComparisons()
			codes := parallel(200, func(i int) int {
				code, _ := en.api("POST", "/api/v1/auth/login", "", map[string]any{"username": tc.user(i), "password": "wrong-guess-" + fmt.Sprint(i)})
				return code
			})
			t.Logf("%s: %d of 200 parallel guesses compared (answers %v)", tc.name, n.Load(), codes)
			if n.Load() > tc.limit || int64(codes[http.StatusUnauthorized]) > tc.limit || codes[http.StatusUnauthorized]+codes[http.StatusTooManyRequests] != 200 {
				t.Fatalf("%d compared, answers %v; want at most %d compared", n.Load(), codes, tc.limit)
			}
			if code, b := en.api("POST", "/api/v1/auth/login", "", map[string]any{"username": "v1", "password": seeds.FixturePassword}); code != http.StatusTooManyRequests {
				t.Fatalf("the right password after the guesses: %d %v", code, b)
			}
			if n.Load() > tc.limit {
				t.Fatalf("the refused login was compared")
			}
		})
	}
}

// TestPasswordChangeGuesses: wrong current passwords of a password change count
// like failed logins, on the API and on the page.
func TestPasswordChangeGuesses(t *testing.T) {
	t.Run("api", func(t *testing.T) {
		en := newEnv(t)
		n := en.countComparisons()
		tok := en.token("v1")
		codes := parallel(200, func(i int) int {
			code, _ := en.api("POST", "/api/v1/auth/password", tok, map[string]any{"current": "wrong-" + fmt.Sprint(i), "password": "Xq7-lantern-orbit"})
			return code
		})
		t.Logf("password change: %d of 200 parallel guesses compared (answers %v)", n.Load(), codes)
		if n.Load() > models.MaxAccountAttempts || codes[http.StatusUnprocessableEntity]+codes[http.StatusTooManyRequests] != 200 {
			t.Fatalf("%d compared, answers %v", n.Load(), codes)
		}
		if code, b := en.api("POST", "/api/v1/auth/password", tok, map[string]any{"current": seeds.FixturePassword, "password": "Xq7-lantern-orbit"}); code != http.StatusTooManyRequests {
			t.Fatalf("the right current password after the guesses: %d %v", code, b)
		}
	})
	t.Run("page", func(t *testing.T) {
		en := newEnv(t)
		n := en.countComparisons()
		tok := en.token("v1")
		var last int
		for i := 0; i < 40; i++ {
			rec := en.page("POST", "/password", tok, url.Values{"current": {"wrong-" + fmt.Sprint(i)},
				"password": {"Xq7-lantern-orbit"}, "confirm": {"Xq7-lantern-orbit"}}, true)
			last = rec.Code
		}
		rec := en.page("POST", "/password", tok, url.Values{"current": {seeds.FixturePassword},
			"password": {"Xq7-lantern-orbit"}, "confirm": {"Xq7-lantern-orbit"}}, true)
		if n.Load() > models.MaxAccountAttempts || last != http.StatusTooManyRequests || rec.Code != http.StatusTooManyRequests {
			t.Fatalf("%d compared; the 40th wrong: %d; then the right one: %d", n.Load(), last, rec.Code)
		}
	})
}

// TestParallelRightPasswords: more logins with the right password at once than the
// limit all succeed: an attempt without a place waits for those in progress.
func TestParallelRightPasswords(t *testing.T) {
	en := newEnv(t)
	codes := parallel(3*models.MaxAccountAttempts, func(int) int {
		code, _ := en.api("POST", "/api/v1/auth/login", "", map[string]any{"username": "s1", "password": seeds.FixturePassword})
		return code
	})
	if codes[http.StatusOK] != 3*models.MaxAccountAttempts {
		t.Fatalf("answers %v", codes)
	}
}
