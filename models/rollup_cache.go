package models

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"gorm.io/gorm"
)

// RollupCache keeps the roll-ups already computed, so that asking again costs no
// counting (docs/performance.md):
//   - the roll-up of now is kept under the data revision it was computed at
//     (DataRevision): every change to the data it reads moves the revision in the
//     changing transaction, so a kept answer is served only while nothing changed,
//     whichever instance of the database made the change;
//   - the roll-up as of a settled past instant (older than RollupSettle) is kept
//     for good: such an answer never changes (docs/domain.md, "As of"), whatever
//     the revision;
//   - any other instant is kept under both the instant and the revision.
//
// Beside each kept roll-up it keeps its JSON, encoded once (KeptRollup.JSON), and
// the last page content rendered from it (KeptRollup.Memo).
//
// It also keeps, at the latest data revision seen, what a roll-up and its page
// read around the counting: the roll-up's context inputs (rollupInputs), the
// district's reporting years and their closings and windows (YearStanding), the
// streets of each scope, and whether demo accounts exist. Every table these read
// moves the revision (migration 0011), so a request that read revision N (with its
// account: SessionUser) may take them as they were at N. The year's standing (in
// progress or not) is decided afresh at the request's instant from the kept
// closing and window instants, since a window's close passes without any change
// to the data; it is part of a roll-up's key.
//
// Kept values are shared: callers must not change them. A nil cache keeps
// nothing.
type RollupCache struct {
	mu      sync.Mutex
	entries map[rollupKey]*KeptRollup
	// indicators are the catalogue indicators' roll-ups (indicator_cache.go),
	// kept by the same rules and counted against the same max.
	indicators map[rollupKey]*IndicatorRollup
	order      []rollupKey
	max        int
	hits       atomic.Int64
	misses     atomic.Int64
	// newest is the newest revision an answer was kept under.
	newest int64

	inputs  revisionKept[inputsKey, *rollupInputs]
	years   revisionKept[string, *YearStanding]
	streets revisionKept[Scope, []Street]
	demo    revisionKept[struct{}, bool]
}

// RollupSettle is how old an instant must be before its roll-up is kept for good:
// longer than any transaction that could still commit a change dated before it.
const RollupSettle = 10 * time.Minute

// NoRevision stands for a data revision not read yet: whatever depends on the
// revision is then read afresh (with it) instead of taken as kept.
const NoRevision int64 = -1

type rollupKey struct {
	revision                int64 // -1: a settled past instant, kept for good
	role, district, street  string
	village, filter         string
	indicator               string // a catalogue indicator's code; "" for the report's
	year                    int
	asOf                    int64 // 0: now
	inProgress, fromHistory bool
}

type inputsKey struct {
	district string
	year     int
}

// KeptRollup is a kept roll-up, with its JSON split around the value of as_of
// (the only member that differs from one request to the next), and the last
// rendering a caller memoised from it (Memo).
type KeptRollup struct {
	ru         *Rollup
	once       sync.Once
	head, tail []byte
	err        error

	memoMu  sync.Mutex
	memoKey string
	memo    []byte
}

// NewRollupCache keeps up to max roll-ups (the oldest kept goes first).
func NewRollupCache(max int) *RollupCache {
	return &RollupCache{entries: map[rollupKey]*KeptRollup{}, indicators: map[rollupKey]*IndicatorRollup{}, max: max}
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
	return rc.RollupAt(db, NoRevision, a, street, year, asOf, now)
}

// RollupAt is Rollup for a caller that read the data revision rev with its
// account (SessionUser): the roll-up's context is then decided from the inputs
// kept at rev, without a statement.
func (rc *RollupCache) RollupAt(db *gorm.DB, rev int64, a *Actor, street string, year int, asOf time.Time, now bool) (*Rollup, error) {
	k, err := rc.Kept(db, rev, a, street, year, asOf, now)
	if err != nil {
		return nil, err
	}
	return k.At(asOf), nil
}

// RollupJSON is RollupAt encoded as JSON (KeptRollup.JSON).
func (rc *RollupCache) RollupJSON(db *gorm.DB, rev int64, a *Actor, street string, year int, asOf time.Time, now bool) ([]byte, error) {
	k, err := rc.Kept(db, rev, a, street, year, asOf, now)
	if err != nil {
		return nil, err
	}
	return k.JSON(asOf)
}

// Kept is the kept roll-up that RollupAt copies, for a caller that renders it
// (KeptRollup.JSON, KeptRollup.Memo).
func (rc *RollupCache) Kept(db *gorm.DB, rev int64, a *Actor, street string, year int, asOf time.Time, now bool) (*KeptRollup, error) {
	return rc.rollup(db, rev, a, street, year, asOf, now)
}

func (rc *RollupCache) rollup(db *gorm.DB, rev int64, a *Actor, street string, year int, asOf time.Time, now bool) (*KeptRollup, error) {
	if a.Role != RoleDistrict && a.Role != RoleStreet {
		return nil, ErrForbidden
	}
	// The context comes first: the revision it carries is then no newer than the
	// data counted below, so an answer is never kept under a revision it predates.
	ctx, err := rc.context(db, rev, a.DistrictCode, year, asOf)
	if err != nil {
		return nil, err
	}
	if err := checkYearIn(year, ctx.lastYear); err != nil {
		return nil, err
	}
	key := rc.key(ctx, a, street, year, asOf, now)
	if k := rc.get(key); k != nil {
		return k, nil
	}
	ru, err := countRollup(db, a, street, year, asOf, ctx)
	if err != nil {
		return nil, err
	}
	return rc.put(key, &KeptRollup{ru: ru}), nil
}

// context is the roll-up's context at instant at, from the inputs kept at
// revision rev, or read (and kept at the revision read with them).
func (rc *RollupCache) context(db *gorm.DB, rev int64, district string, year int, at time.Time) (*rollupContext, error) {
	if rc == nil {
		return readRollupContext(db, district, year, at)
	}
	key := inputsKey{district, year}
	if rev != NoRevision {
		if in, ok := rc.inputs.get(rev, key); ok {
			return in.at(at), nil
		}
	}
	in, err := readRollupInputs(db, district, year)
	if err != nil {
		return nil, err
	}
	rc.inputs.put(in.revision, key, in)
	return in.at(at), nil
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

func (rc *RollupCache) get(k rollupKey) *KeptRollup {
	if rc == nil {
		return nil
	}
	rc.mu.Lock()
	kr := rc.entries[k]
	rc.mu.Unlock()
	if kr == nil {
		rc.misses.Add(1)
		return nil
	}
	rc.hits.Add(1)
	return kr
}

// put keeps kr under k and returns what is kept there (an answer kept meanwhile
// by another request stays, so that its JSON is encoded once). An answer kept
// under a revision older than the newest seen can never serve again (the revision
// only grows): the first answer of a newer revision drops them, and one of an
// older revision is not kept; answers kept for good stay.
func (rc *RollupCache) put(k rollupKey, kr *KeptRollup) *KeptRollup {
	if rc == nil {
		return kr
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if old, ok := rc.entries[k]; ok {
		return old
	}
	if k.revision >= 0 {
		if k.revision < rc.newest {
			return kr
		}
		if k.revision > rc.newest {
			rc.newest = k.revision
			// Only the roll-ups of entries are dropped here; any other answer kept
			// under the same order (keyed apart) ages out by max as before.
			kept := rc.order[:0]
			for _, o := range rc.order {
				if _, ok := rc.entries[o]; ok && o.revision >= 0 && o.revision < rc.newest {
					delete(rc.entries, o)
				} else {
					kept = append(kept, o)
				}
			}
			rc.order = kept
		}
	}
	rc.evict()
	rc.entries[k] = kr
	rc.order = append(rc.order, k)
	return kr
}

// At is the kept roll-up as of the request's instant (a shallow copy).
func (k *KeptRollup) At(asOf time.Time) *Rollup {
	cp := *k.ru
	cp.AsOf = asOf.UTC()
	return &cp
}

// asOfZero is how the zero as_of is encoded: the one place of the kept encoding
// where each request's own instant goes. A string member can never hold it as it
// stands, since its quotes would be escaped.
var asOfZero = []byte(`"as_of":"0001-01-01T00:00:00Z"`)

// JSON is At(asOf) encoded as json.Marshal encodes it: the kept encoding with the
// request's as_of put in.
func (k *KeptRollup) JSON(asOf time.Time) ([]byte, error) {
	var b bytes.Buffer
	if err := k.WriteJSON(&b, asOf, "", nil); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// WriteJSON writes JSON(asOf) followed by end, in pieces (nothing copied), after
// calling header (unless nil) with the number of bytes it will write.
func (k *KeptRollup) WriteJSON(w io.Writer, asOf time.Time, end string, header func(n int)) error {
	if err := k.encode(); err != nil {
		return err
	}
	at, err := asOf.UTC().MarshalJSON()
	if err != nil {
		return err
	}
	if header != nil {
		header(len(k.head) + len(at) + len(k.tail) + len(end))
	}
	for _, p := range [][]byte{k.head, at, k.tail, []byte(end)} {
		if _, err := w.Write(p); err != nil {
			return err
		}
	}
	return nil
}

// encode encodes the kept roll-up once, split around as_of.
func (k *KeptRollup) encode() error {
	k.once.Do(func() {
		cp := *k.ru
		cp.AsOf = time.Time{}
		b, err := json.Marshal(&cp)
		if err != nil {
			k.err = err
			return
		}
		i := bytes.Index(b, asOfZero)
		if i < 0 {
			k.err = errors.New("rollup JSON without as_of")
			return
		}
		k.head, k.tail = b[:i+len(`"as_of":`)], b[i+len(asOfZero):]
	})
	return k.err
}

// Memo returns what build makes from this roll-up, built once for key and kept
// until a call with another key: the caller's key must name everything besides the
// kept roll-up that the result depends on (the instant as shown, say). Only the
// last key's result is kept.
func (k *KeptRollup) Memo(key string, build func() ([]byte, error)) ([]byte, error) {
	k.memoMu.Lock()
	if k.memo != nil && k.memoKey == key {
		b := k.memo
		k.memoMu.Unlock()
		return b, nil
	}
	k.memoMu.Unlock()
	b, err := build()
	if err != nil {
		return nil, err
	}
	k.memoMu.Lock()
	k.memoKey, k.memo = key, b
	k.memoMu.Unlock()
	return b, nil
}

// Years is the district's YearStanding at revision rev (kept), or read afresh when
// rev is NoRevision.
func (rc *RollupCache) Years(db *gorm.DB, rev int64, district string) (*YearStanding, error) {
	var k *revisionKept[string, *YearStanding]
	if rc != nil {
		k = &rc.years
	}
	return readKept(k, rev, district, func() (*YearStanding, error) { return readYearStanding(db, district) })
}

// Streets is ListStreets at revision rev (kept per scope), or read afresh when rev
// is NoRevision.
func (rc *RollupCache) Streets(db *gorm.DB, rev int64, a *Actor) ([]Street, error) {
	var k *revisionKept[Scope, []Street]
	if rc != nil {
		k = &rc.streets
	}
	return readKept(k, rev, a.Scope(), func() ([]Street, error) { return ListStreets(db, a) })
}

// DemoAccounts tells whether demo accounts exist (CountDemoUsers > 0), kept at
// revision rev. Demo accounts are written only by seeds.Demo, in the transaction
// that adds the demo villages (which moves the revision), and an account is never
// deleted nor its demo mark changed: their existence changes only with the
// revision.
func (rc *RollupCache) DemoAccounts(db *gorm.DB, rev int64) (bool, error) {
	var k *revisionKept[struct{}, bool]
	if rc != nil {
		k = &rc.demo
	}
	return readKept(k, rev, struct{}{}, func() (bool, error) {
		n, err := CountDemoUsers(db)
		return n > 0, err
	})
}

// readKept is read's value at revision rev, kept in k under key: read afresh when
// nothing is kept (k nil, rev NoRevision, or not yet read at rev). A value read
// after rev was is never older than rev's data, so it is kept under rev.
func readKept[K comparable, V any](k *revisionKept[K, V], rev int64, key K, read func() (V, error)) (V, error) {
	if k == nil || rev == NoRevision {
		return read()
	}
	if v, ok := k.get(rev, key); ok {
		return v, nil
	}
	v, err := read()
	if err == nil {
		k.put(rev, key, v)
	}
	return v, err
}

// keptPerRevision bounds what a revisionKept holds (districts × years at most, in
// practice).
const keptPerRevision = 4096

// revisionKept keeps values read at the latest data revision seen: a value kept
// under revision N serves only a request that read N, and a newer revision drops
// them all (the revision only grows, so they could never serve again).
type revisionKept[K comparable, V any] struct {
	mu  sync.Mutex
	rev int64
	m   map[K]V
}

func (k *revisionKept[K, V]) get(rev int64, key K) (V, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.m == nil || rev != k.rev {
		var zero V
		return zero, false
	}
	v, ok := k.m[key]
	return v, ok
}

func (k *revisionKept[K, V]) put(rev int64, key K, v V) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.m == nil || rev > k.rev {
		k.rev, k.m = rev, map[K]V{}
	}
	if rev == k.rev && len(k.m) < keptPerRevision {
		k.m[key] = v
	}
}

// evict makes room for one more answer: the oldest kept goes first.
func (rc *RollupCache) evict() {
	for len(rc.order) >= rc.max && len(rc.order) > 0 {
		delete(rc.entries, rc.order[0])
		delete(rc.indicators, rc.order[0])
		rc.order = rc.order[1:]
	}
}
