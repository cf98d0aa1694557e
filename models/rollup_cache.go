package models

import (
	"sync"
	"sync/atomic"
	"time"

	"gorm.io/gorm"
)

// RollupCache keeps the roll-ups already computed, so that asking again costs one
// statement (the roll-up's context, which carries the data revision) instead of
// the counting (docs/performance.md):
//   - the roll-up of now is kept under the data revision it was computed at
//     (DataRevision): every change to the data it reads moves the revision in the
//     changing transaction, so a kept answer is served only while nothing changed,
//     whichever instance of the database made the change;
//   - the roll-up as of a settled past instant (older than RollupSettle) is kept
//     for good: such an answer never changes (docs/domain.md, "As of"), whatever
//     the revision;
//   - any other instant is kept under both the instant and the revision.
//
// The year's standing (in progress or not) is read afresh every time and is part
// of the key, since a reporting window's close passes without any change to the
// data. Kept roll-ups are shared: callers must not change them. A nil cache keeps
// nothing.
type RollupCache struct {
	mu      sync.Mutex
	entries map[rollupKey]*Rollup
	// indicators are the catalogue indicators' roll-ups (indicator_cache.go),
	// kept by the same rules and counted against the same max.
	indicators map[rollupKey]*IndicatorRollup
	order      []rollupKey
	max        int
	hits       atomic.Int64
	misses     atomic.Int64
}

// RollupSettle is how old an instant must be before its roll-up is kept for good:
// longer than any transaction that could still commit a change dated before it.
const RollupSettle = 10 * time.Minute

type rollupKey struct {
	revision                int64 // -1: a settled past instant, kept for good
	role, district, street  string
	village, filter         string
	indicator               string // a catalogue indicator's code; "" for the report's
	year                    int
	asOf                    int64 // 0: now
	inProgress, fromHistory bool
}

// NewRollupCache keeps up to max roll-ups (the oldest kept goes first).
func NewRollupCache(max int) *RollupCache {
	return &RollupCache{entries: map[rollupKey]*Rollup{}, indicators: map[rollupKey]*IndicatorRollup{}, max: max}
}

// Stats are the cache's hits and misses since it was made.
func (rc *RollupCache) Stats() (hits, misses int64) {
	if rc == nil {
		return 0, 0
	}
	return rc.hits.Load(), rc.misses.Load()
}

// Rollup is ComputeRollup through the cache. now says that the caller asked for
// the roll-up of now (no as_of): asOf is then the request's instant, and any
// answer kept at the same revision serves it.
func (rc *RollupCache) Rollup(db *gorm.DB, a *Actor, street string, year int, asOf time.Time, now bool) (*Rollup, error) {
	return computeRollup(db, a, street, year, asOf, rc, now)
}

func (rc *RollupCache) key(ctx *rollupContext, a *Actor, street string, year int, asOf time.Time, now bool) rollupKey {
	k := rollupKey{revision: ctx.revision, role: a.Role, district: a.DistrictCode, street: a.StreetCode,
		village: a.VillageCode, filter: street, year: year, inProgress: ctx.inProgress, fromHistory: ctx.changed}
	switch {
	case now:
	case asOf.Before(time.Now().Add(-RollupSettle)):
		k.revision, k.asOf = -1, asOf.UnixNano()
	default:
		k.asOf = asOf.UnixNano()
	}
	return k
}

func (rc *RollupCache) get(k rollupKey, asOf time.Time) *Rollup {
	if rc == nil {
		return nil
	}
	rc.mu.Lock()
	ru := rc.entries[k]
	rc.mu.Unlock()
	if ru == nil {
		rc.misses.Add(1)
		return nil
	}
	rc.hits.Add(1)
	cp := *ru
	cp.AsOf = asOf.UTC()
	return &cp
}

func (rc *RollupCache) put(k rollupKey, ru *Rollup) {
	if rc == nil {
		return
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if _, ok := rc.entries[k]; ok {
		return
	}
	rc.evict()
	rc.entries[k] = ru
	rc.order = append(rc.order, k)
}

// evict makes room for one more answer: the oldest kept goes first.
func (rc *RollupCache) evict() {
	for len(rc.order) >= rc.max && len(rc.order) > 0 {
		delete(rc.entries, rc.order[0])
		delete(rc.indicators, rc.order[0])
		rc.order = rc.order[1:]
	}
}
