package models

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"
)

// TestWriteQueue: queued write transactions all commit; on SQLite the ones waiting
// for their turn hold no connection (without the queue, each would hold one while
// SQLite's busy handler sleeps), on PostgreSQL at most pgWriteSlots run at once; a
// write transaction started inside another one runs nested instead of waiting for
// the queue its outer transaction holds (which would never free).
func TestWriteQueue(t *testing.T) {
	db := OpenTest(t)
	done := make(chan error, 1)
	go func() {
		done <- writeTx(db, func(tx *gorm.DB) error {
			return writeTx(tx, func(inner *gorm.DB) error {
				return inner.Create(&Setting{Key: "write_queue_nested", Value: "1"}).Error
			})
		})
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("a write transaction inside another one waited for the queue")
	}
	sqlDB, err := db.DB()
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	most, running, mostRunning := 0, 0, 0
	errs := make(chan error, 16)
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			errs <- writeTx(db, func(tx *gorm.DB) error {
				// The others have time to line up meanwhile.
				mu.Lock()
				running++
				mostRunning = max(mostRunning, running)
				mu.Unlock()
				time.Sleep(10 * time.Millisecond)
				mu.Lock()
				most = max(most, sqlDB.Stats().InUse)
				running--
				mu.Unlock()
				return tx.Create(&Setting{Key: "write_queue_" + itoa(i), Value: "1"}).Error
			})
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	var n int64
	db.Model(&Setting{}).Where("key LIKE ?", "write_queue_%").Count(&n)
	if n != 17 {
		t.Fatalf("%d settings written, want 17", n)
	}
	if db.Dialector.Name() == "sqlite" && most != 1 {
		t.Fatalf("%d connections in use while a queued write transaction ran on SQLite, want 1", most)
	}
	if db.Dialector.Name() == "postgres" && mostRunning > pgWriteSlots {
		t.Fatalf("%d write transactions ran at once on PostgreSQL, want at most %d", mostRunning, pgWriteSlots)
	}
}

// groupTest is a SQLite database (a file) whose write group is held busy by one
// writer until release is called, so that the writers started meanwhile wait,
// and are committed together once it is released.
type groupTest struct {
	t       *testing.T
	db      *gorm.DB
	path    string
	group   *writeGroup
	release func()
	blocked chan error
}

func newGroupTest(t *testing.T) *groupTest {
	if TestBackend() != "sqlite" {
		t.Skip("group commit is SQLite's")
	}
	path := TestDSN(t)
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sqlDB.Close() })
	gt := &groupTest{t: t, db: db, path: path, blocked: make(chan error, 1)}
	started, release := make(chan struct{}), make(chan struct{})
	gt.release = sync.OnceFunc(func() { close(release) })
	t.Cleanup(gt.release)
	go func() {
		gt.blocked <- writeTx(db, func(tx *gorm.DB) error {
			close(started)
			<-release
			return tx.Create(&Setting{Key: "gc_blocker", Value: "1"}).Error
		})
	}()
	<-started
	g, _ := sqliteWriters.Load(sqlDB)
	gt.group = g.(*writeGroup)
	return gt
}

// waitFor waits until n writers wait in the group.
func (gt *groupTest) waitFor(n int) {
	gt.t.Helper()
	for i := 0; ; i++ {
		gt.group.mu.Lock()
		have := len(gt.group.waiting)
		gt.group.mu.Unlock()
		if have == n {
			return
		}
		if i > 30000 {
			gt.t.Fatalf("%d writers waiting, want %d", have, n)
		}
		time.Sleep(time.Millisecond)
	}
}

// finish releases the blocking writer and checks that it committed.
func (gt *groupTest) finish() {
	gt.t.Helper()
	gt.release()
	if err := <-gt.blocked; err != nil {
		gt.t.Fatal(err)
	}
}

// committed is the keys of the settings named like, read from the file by a new
// connection: what is on disk, not in some connection's cache.
func (gt *groupTest) committed(like string) map[string]bool {
	gt.t.Helper()
	db, err := Open(gt.path)
	if err != nil {
		gt.t.Fatal(err)
	}
	defer closeDB(db)
	var keys []string
	if err := db.Model(&Setting{}).Where("key LIKE ?", like).Pluck("key", &keys).Error; err != nil {
		gt.t.Fatal(err)
	}
	out := map[string]bool{}
	for _, k := range keys {
		out[k] = true
	}
	return out
}

// TestGroupCommit: writers that arrive while a write transaction runs are committed
// together, at most maxGroup at a time, each answered with its own outcome: a fn
// that fails or panics leaves none of its writes (its nested transactions' neither)
// and its caller gets its error or its panic; the others' writes, their nested
// transactions' included, are all on disk when their callers are answered nil.
func TestGroupCommit(t *testing.T) {
	gt := newGroupTest(t)
	const n = 40
	type outcome struct {
		err      error
		panicked any
		// seen: the settings committed when fn started, read outside the group's
		// transaction. One group's fns all see the state before the group.
		seen int64
	}
	outs := make([]outcome, n)
	want := map[string]bool{"gc_blocker": true}
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		key := "gc_" + itoa(i)
		switch i % 4 {
		case 0:
			want[key] = true
		case 2:
			want[key], want[key+"_inner"] = true, true
		}
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			defer func() { outs[i].panicked = recover() }()
			outs[i].err = writeTx(gt.db, func(tx *gorm.DB) error {
				if err := gt.db.Model(&Setting{}).Where("key LIKE ?", "gc_%").Count(&outs[i].seen).Error; err != nil {
					return err
				}
				if err := tx.Create(&Setting{Key: key, Value: "1"}).Error; err != nil {
					return err
				}
				switch i % 4 {
				case 1:
					return fmt.Errorf("refused %d", i)
				case 2:
					// A nested transaction that fails is undone, one that succeeds kept.
					tx.Transaction(func(inner *gorm.DB) error {
						inner.Create(&Setting{Key: key + "_undone", Value: "1"})
						return errors.New("undone")
					})
					return tx.Transaction(func(inner *gorm.DB) error {
						return inner.Create(&Setting{Key: key + "_inner", Value: "1"}).Error
					})
				case 3:
					panic("panic " + itoa(i))
				}
				return nil
			})
		}(i)
	}
	gt.waitFor(n)
	gt.finish()
	wg.Wait()
	states := map[int64]int{}
	for i, o := range outs {
		states[o.seen]++
		switch i % 4 {
		case 1:
			if o.err == nil || o.err.Error() != "refused "+itoa(i) {
				t.Errorf("writer %d got %v, want its own refusal", i, o.err)
			}
		case 3:
			if o.panicked != "panic "+itoa(i) || o.err != nil {
				t.Errorf("writer %d got panic %v and %v, want its own panic", i, o.panicked, o.err)
			}
		default:
			if o.err != nil || o.panicked != nil {
				t.Errorf("writer %d got %v (panic %v), want nil", i, o.err, o.panicked)
			}
		}
	}
	got := gt.committed("gc_%")
	for k := range want {
		if !got[k] {
			t.Errorf("%s was acknowledged but is not on disk", k)
		}
	}
	for k := range got {
		if !want[k] {
			t.Errorf("%s is on disk: its writer failed", k)
		}
	}
	// Two groups (32 and 8): the first saw the blocker's setting only, the second
	// the first group's too.
	if len(states) != 2 || states[1] != maxGroup {
		t.Errorf("settings seen by the writers (committed: writers) %v, want two groups, %d and %d", states, maxGroup, n-maxGroup)
	}
}

// TestGroupCommitFailure: when the group's commit fails, every writer of the group
// gets the error (none is told its writes are saved; one whose fn failed keeps its
// own error) and none of them is on disk; the next writers commit as usual.
func TestGroupCommitFailure(t *testing.T) {
	gt := newGroupTest(t)
	const n = 6
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			errs[i] = writeTx(gt.db, func(tx *gorm.DB) error {
				if err := tx.Create(&Setting{Key: "gc_" + itoa(i), Value: "1"}).Error; err != nil {
					return err
				}
				if i == 1 {
					return errors.New("refused 1")
				}
				if i != n/2 {
					return nil
				}
				// A street of no district, its check put off until the commit: the
				// commit fails.
				if err := tx.Exec("PRAGMA defer_foreign_keys = ON").Error; err != nil {
					return err
				}
				return tx.Create(&Street{Code: "999999001", DistrictCode: "999999", Name: "无"}).Error
			})
		}(i)
	}
	gt.waitFor(n)
	gt.finish()
	wg.Wait()
	for i, err := range errs {
		if i == 1 {
			if err == nil || err.Error() != "refused 1" {
				t.Errorf("writer 1 got %v, want its own refusal", err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), "FOREIGN KEY") {
			t.Errorf("writer %d got %v, want the commit's error", i, err)
		}
	}
	if err := writeTx(gt.db, func(tx *gorm.DB) error {
		return tx.Create(&Setting{Key: "gc_after", Value: "1"}).Error
	}); err != nil {
		t.Fatal(err)
	}
	got := gt.committed("gc_%")
	if len(got) != 2 || !got["gc_blocker"] || !got["gc_after"] {
		t.Errorf("on disk %v, want gc_blocker and gc_after only", got)
	}
}

// TestGroupCommitCancel: a writer whose request ends while it waits leaves the
// queue (its fn never runs); one whose request ends while its fn runs is committed
// with its group, the others' writes untouched.
func TestGroupCommitCancel(t *testing.T) {
	gt := newGroupTest(t)
	waiting, cancelWaiting := context.WithCancel(context.Background())
	ran := make(chan struct{}, 1)
	gone := make(chan error, 1)
	go func() {
		gone <- writeTx(gt.db.WithContext(waiting), func(tx *gorm.DB) error {
			ran <- struct{}{}
			return tx.Create(&Setting{Key: "gc_gone", Value: "1"}).Error
		})
	}()
	running, cancelRunning := context.WithCancel(context.Background())
	errs := make(chan error, 2)
	go func() {
		errs <- writeTx(gt.db.WithContext(running), func(tx *gorm.DB) error {
			cancelRunning()
			return tx.Create(&Setting{Key: "gc_ended", Value: "1"}).Error
		})
	}()
	go func() {
		errs <- writeTx(gt.db, func(tx *gorm.DB) error {
			return tx.Create(&Setting{Key: "gc_other", Value: "1"}).Error
		})
	}()
	gt.waitFor(3)
	cancelWaiting()
	if err := <-gone; !errors.Is(err, context.Canceled) {
		t.Fatalf("a writer whose request ended while waiting got %v", err)
	}
	gt.waitFor(2)
	gt.finish()
	for i := 0; i < 2; i++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	select {
	case <-ran:
		t.Fatal("the fn of a writer that left the queue ran")
	default:
	}
	got := gt.committed("gc_%")
	if len(got) != 3 || !got["gc_ended"] || !got["gc_other"] {
		t.Errorf("on disk %v, want gc_blocker, gc_ended and gc_other", got)
	}
}

// TestGroupCommitGoexit: a fn that ends its goroutine (runtime.Goexit, as
// t.FailNow does) ends the group's: its transaction is rolled back (the write lock
// freed), its writers get an error, and the writers after them are committed by
// another leader.
func TestGroupCommitGoexit(t *testing.T) {
	gt := newGroupTest(t)
	errs := make(chan error, 2)
	for i := 0; i < 2; i++ {
		go func(i int) {
			errs <- writeTx(gt.db, func(tx *gorm.DB) error {
				if err := tx.Create(&Setting{Key: "gc_" + itoa(i), Value: "1"}).Error; err != nil {
					return err
				}
				if i == 1 {
					runtime.Goexit()
				}
				return nil
			})
		}(i)
	}
	gt.waitFor(2)
	gt.finish()
	for i := 0; i < 2; i++ {
		select {
		case err := <-errs:
			if !errors.Is(err, errGroupAbandoned) {
				t.Fatalf("a writer of the abandoned group got %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("the writers of an abandoned group were not answered")
		}
	}
	done := make(chan error, 1)
	go func() {
		done <- writeTx(gt.db, func(tx *gorm.DB) error {
			return tx.Create(&Setting{Key: "gc_after", Value: "1"}).Error
		})
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no leader took over after a group was abandoned")
	}
	got := gt.committed("gc_%")
	if len(got) != 2 || !got["gc_blocker"] || !got["gc_after"] {
		t.Errorf("on disk %v, want gc_blocker and gc_after only", got)
	}
}

// TestWriteSlotCancel: on PostgreSQL a writer waiting for one of the instance's
// write slots whose request ends leaves with its context's error, and its fn never
// runs; the writers holding the slots commit, and the slots are free again after.
func TestWriteSlotCancel(t *testing.T) {
	db := OpenTest(t)
	if db.Dialector.Name() != "postgres" {
		t.Skip("write slots are PostgreSQL's; SQLite's writers queue in TestGroupCommitCancel")
	}
	hold := make(chan struct{})
	started := make(chan struct{}, pgWriteSlots)
	errs := make(chan error, pgWriteSlots)
	for i := 0; i < pgWriteSlots; i++ {
		go func(i int) {
			errs <- writeTx(db, func(tx *gorm.DB) error {
				started <- struct{}{}
				<-hold
				return tx.Create(&Setting{Key: "write_slot_" + itoa(i), Value: "1"}).Error
			})
		}(i)
	}
	for i := 0; i < pgWriteSlots; i++ {
		<-started
	}
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan struct{}, 1)
	gone := make(chan error, 1)
	go func() {
		gone <- writeTx(db.WithContext(ctx), func(tx *gorm.DB) error {
			ran <- struct{}{}
			return tx.Create(&Setting{Key: "write_slot_gone", Value: "1"}).Error
		})
	}()
	time.Sleep(20 * time.Millisecond)
	select {
	case <-ran:
		t.Fatal("a writer ran while every write slot was taken")
	default:
	}
	cancel()
	if err := <-gone; !errors.Is(err, context.Canceled) {
		t.Fatalf("a writer whose request ended while waiting for a slot got %v", err)
	}
	close(hold)
	for i := 0; i < pgWriteSlots; i++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if err := writeTx(db, func(tx *gorm.DB) error {
		return tx.Create(&Setting{Key: "write_slot_after", Value: "1"}).Error
	}); err != nil {
		t.Fatal(err)
	}
	var keys []string
	db.Model(&Setting{}).Where("key LIKE ?", "write_slot_%").Order("key").Pluck("key", &keys)
	if want := pgWriteSlots + 1; len(keys) != want || strings.Contains(strings.Join(keys, ","), "gone") {
		t.Fatalf("settings %v, want the %d writers holding slots and the one after, not the one gone", keys, want)
	}
}
