package models

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
)

// TestAttemptsAcrossInstances: two instances (two connection pools on one
// database) reserving attempts at once allow exactly the limit between them; the
// others wait until those fail, then are refused.
func TestAttemptsAcrossInstances(t *testing.T) {
	dsn := TestDSN(t)
	var allowed, refused atomic.Int64
	var wg sync.WaitGroup
	for inst := 0; inst < 2; inst++ {
		db, err := Open(dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if s, err := db.DB(); err == nil {
				s.Close()
			}
		})
		for i := 0; i < 100; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				keys := attemptKeys("v1", "192.0.2.7")
				err := reserveAttempt(context.Background(), db, keys)
				var te *ThrottledError
				switch {
				case err == nil:
					allowed.Add(1)
					if err := failedAttempt(db, keys); err != nil {
						t.Error(err)
					}
				case errors.As(err, &te) && te.Wait > 0:
					refused.Add(1)
				default:
					t.Error(err)
				}
			}()
		}
	}
	wg.Wait()
	if allowed.Load() != MaxAccountAttempts || refused.Load() != 200-MaxAccountAttempts {
		t.Fatalf("allowed %d, refused %d; want %d allowed", allowed.Load(), refused.Load(), MaxAccountAttempts)
	}
}

// TestComparisonSlots: no more comparisons run at once than the slots allow, and a
// request that ends while waiting for a slot gives up without comparing.
func TestComparisonSlots(t *testing.T) {
	p := NewPasswords(2)
	var inFlight, most, calls atomic.Int64
	p.Compare = func(hash, pw []byte) error {
		calls.Add(1)
		n := inFlight.Add(1)
		for {
			m := most.Load()
			if n <= m || most.CompareAndSwap(m, n) {
				break
			}
		}
		for i := 0; i < 1000; i++ {
			runtime.Gosched()
		}
		inFlight.Add(-1)
		return errors.New("no")
	}
	var wg sync.WaitGroup
	for i := 0; i < 40; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _ = p.matches(context.Background(), "hash", "pw")
		}()
	}
	wg.Wait()
	if most.Load() > 2 || calls.Load() != 40 {
		t.Fatalf("%d comparisons at once (of %d); want at most 2", most.Load(), calls.Load())
	}
	// Both slots taken: a cancelled request does not wait for one.
	p.slots <- struct{}{}
	p.slots <- struct{}{}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := p.matches(ctx, "hash", "pw"); !errors.Is(err, context.Canceled) || calls.Load() != 40 {
		t.Fatalf("cancelled while waiting: %v, %d calls", err, calls.Load())
	}
}
