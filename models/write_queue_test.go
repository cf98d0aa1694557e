package models

import (
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"
)

// TestWriteQueue: queued write transactions all commit; on SQLite the ones waiting
// for their turn hold no connection (without the queue, each would hold one while
// SQLite's busy handler sleeps); a write transaction started inside another one
// runs nested instead of waiting for the queue its outer transaction holds (which
// would never free).
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
	most := 0
	errs := make(chan error, 16)
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			errs <- writeTx(db, func(tx *gorm.DB) error {
				// The others have time to line up meanwhile.
				time.Sleep(2 * time.Millisecond)
				mu.Lock()
				most = max(most, sqlDB.Stats().InUse)
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
}
