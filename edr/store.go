package edr

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// Store errors.
var (
	// ErrNotFound reports a record that is not in the store.
	ErrNotFound = errors.New("edr: record not found")
	// ErrInvalidRecord reports a record a store refuses: no id, or no
	// status.
	ErrInvalidRecord = errors.New("edr: invalid record")
)

// Store is the action history. Put writes a record (inserting it, or
// replacing the record with the same ID); Get reads one. Implementations
// must be safe for concurrent use, and a Put that returned nil must
// survive whatever durability the store promises. The engine writes a
// record when it is received (in progress), after each action but the
// last (unless the store is a [VolatileStore]), and when it is finished.
//
// A Store may also implement [Querier], [PendingLister] and
// [VolatileStore]; the engine needs PendingLister to resume after a crash.
type Store interface {
	Put(ctx context.Context, r Record) error
	Get(ctx context.Context, id string) (Record, error)
}

// Querier answers queries over the history.
type Querier interface {
	Query(ctx context.Context, q Query) (Page, error)
}

// PendingLister lists the records left in progress, for recovery.
type PendingLister interface {
	Pending(ctx context.Context) ([]Record, error)
}

// VolatileStore is implemented by a Store that can say its records do not
// outlive the process. The engine writes a record after each action so
// that, after a crash, a finished action is not run again; a store whose
// Volatile returns true keeps nothing across a crash, so the engine skips
// those writes and writes the record only ahead of its first action and
// when it is finished. A store that does not implement VolatileStore is
// taken to be durable.
type VolatileStore interface {
	Volatile() bool
}

// Query selects records. Zero fields do not filter. Results are ordered by
// Received, then ID.
type Query struct {
	// From and To bound Received: From <= Received < To.
	From, To time.Time
	// Statuses keeps only records with one of these statuses.
	Statuses []RecordStatus
	// DeviceID keeps only this device's records.
	DeviceID string
	// DetectionID keeps only this detection's record.
	DetectionID string
	// Limit bounds the page size; 0 means 100.
	Limit int
	// After is the Next cursor of the previous page.
	After string
}

// Page is one page of a query's results.
type Page struct {
	Records []Record
	// Next is the cursor for the next page; empty on the last page.
	Next string
}

// Matches reports whether r passes the query's filters (not the cursor).
func (q Query) Matches(r Record) bool {
	switch {
	case !q.From.IsZero() && r.Received.Before(q.From):
		return false
	case !q.To.IsZero() && !r.Received.Before(q.To):
		return false
	case len(q.Statuses) > 0 && !slices.Contains(q.Statuses, r.Status):
		return false
	case q.DeviceID != "" && r.DeviceID != q.DeviceID:
		return false
	case q.DetectionID != "" && r.ID != q.DetectionID:
		return false
	}
	return true
}

// cursorLayout is fixed-width, so that cursors order as their times do.
const cursorLayout = "2006-01-02T15:04:05.000000000Z"

// Cursor returns the cursor that follows r in query order.
func Cursor(r Record) string { return r.Received.UTC().Format(cursorLayout) + "\x00" + r.ID }

// Less orders records as queries return them.
func Less(a, b Record) bool {
	if !a.Received.Equal(b.Received) {
		return a.Received.Before(b.Received)
	}
	return a.ID < b.ID
}

// DefaultLimit is the page size of a Query without a Limit.
const DefaultLimit = 100

// MemStore is an in-memory action history. The zero value is ready to use
// and keeps every record. It is safe for concurrent use. Records are copied
// in and out.
//
// Its records are spread over shards by id, each with its own lock, so
// that concurrent writers of different records seldom wait for one
// another. A query reads the shards one after another: a record written
// while it runs may be in its results as written before or after, and a
// record first stored while it runs may be missing; a bounded store
// stores no new record and drops none while a query runs.
type MemStore struct {
	// Limit, if positive, bounds the records kept, for an agent that runs
	// for months on the memory store: a Put of a new record beyond the
	// limit drops the oldest finished records (in the order they were
	// first stored). Records in progress are never dropped. A dropped
	// record is gone: Get says ErrNotFound, and a detection handed to the
	// engine again after its record was dropped is handled again. Ship
	// records elsewhere with a Notifier to keep them. Once at its limit,
	// the store keeps new records in the memory of those it dropped,
	// unless the collector reclaimed it first (the record, and its
	// actions' array when the new actions fit in it).
	// Set Limit before the first Put.
	Limit int

	memStoreShared
	_ [cacheLine - (unsafe.Sizeof(int(0))+unsafe.Sizeof(memStoreShared{}))%cacheLine]byte

	shards [memShards]memShard

	// omu guards the eviction line of a bounded store, and takes its new
	// records one at a time. It is taken before a shard's lock, never
	// while holding one. What a new record's Put writes outside its shard
	// is here, on one line.
	omu   sync.Mutex
	n     atomic.Int64 // the records held
	order []queued     // in first-Put order, from head on; kept when Limit > 0
	head  int
}

// memStoreShared is what every call on a MemStore reads and none writes
// after the first, kept off the lines the calls write.
type memStoreShared struct {
	seedOnce sync.Once
	seed     maphash.Seed // of the ids' hashes, chosen at the first use
	free     sync.Pool    // of *Record: dropped records, whose memory the next new records reuse
}

// cacheLine is the size of the cache line that the fields written by
// different cores are padded apart to.
const cacheLine = 64

// memShards is the number of a MemStore's shards, a power of two.
const memShards = 64

// memShard holds the records whose ids hash to it, padded to a cache line
// of its own so that two shards' locks never share one.
type memShard struct {
	memShardData
	_ [cacheLine - unsafe.Sizeof(memShardData{})%cacheLine]byte
}

type memShardData struct {
	// mu is not an RWMutex: a Mutex that is taken makes the next locker
	// spin a while before it sleeps, and a lock held this briefly is
	// mostly free again by then.
	mu      sync.Mutex
	records recordTable // each the store's own copy
}

// queued is a record in the eviction line, with its id's hash and its
// shard.
type queued struct {
	rec  *Record
	hash uint64
	sh   *memShard
}

// hash returns the id's hash, from a seed of the store's own, so that ids
// an attacker chooses cannot be made to crowd a shard or collide in one.
func (s *MemStore) hash(id string) uint64 {
	s.seedOnce.Do(func() { s.seed = maphash.MakeSeed() })
	return maphash.String(s.seed, id)
}

// shard returns the shard of the ids with the hash: its low bits (the
// shard's table uses the others; see tableHashShift).
func (s *MemStore) shard(hash uint64) *memShard {
	return &s.shards[hash&(memShards-1)]
}

// Put stores r.
func (s *MemStore) Put(ctx context.Context, r Record) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if r.ID == "" || r.Status == 0 {
		return fmt.Errorf("%w: id %q, status %d", ErrInvalidRecord, r.ID, r.Status)
	}
	hash := s.hash(r.ID)
	sh := s.shard(hash)
	sh.mu.Lock()
	if sh.replace(hash, &r) {
		sh.mu.Unlock()
		return nil
	}
	sh.mu.Unlock()
	// A new record. Its copy is made outside the locks, in the memory of
	// a record the store dropped if there is one, so that a bounded store,
	// once full, seldom allocates for the records it keeps.
	stored := s.reuse()
	if stored == nil {
		stored = new(Record)
	}
	fill(stored, &r)
	// A bounded store stores its new records under omu, one at a time,
	// each joining the eviction line as it becomes visible, and drops
	// what it must before omu is free again: Len and Query, which take
	// omu, never see a new record before the drops it calls for. (Records
	// in progress at that moment are not dropped, and may keep the store
	// over Limit after they finish, until the next new record's Put.)
	bounded := s.Limit > 0
	if bounded {
		s.omu.Lock()
	}
	sh.mu.Lock()
	raced := sh.replace(hash, &r) // stored meanwhile by another Put of the same id
	if !raced {
		sh.insert(hash, stored, &s.n)
	}
	sh.mu.Unlock()
	if !bounded {
		return nil
	}
	dropped := stored // unused, if raced
	if !raced {
		s.order = append(s.order, queued{stored, hash, sh})
		dropped = s.evict()
	}
	s.omu.Unlock()
	if dropped != nil {
		s.drop(dropped)
	}
	return nil
}

// insert adds a new record to the shard and counts it, in one step for
// Get and Len. sh.mu is held.
func (sh *memShard) insert(hash uint64, stored *Record, n *atomic.Int64) {
	sh.records.insert(hash, stored)
	n.Add(1)
}

// fill makes stored a copy of r, in stored's own Actions array if it
// fits.
func fill(stored, r *Record) {
	acts := append(stored.Actions[:0], r.Actions...)
	*stored = *r
	stored.Actions = acts
}

// replace replaces the stored record with r's id by r, in place, and
// reports whether there was one. Its Actions are the store's own (Get and
// Query hand out copies), and are reused when they fit. sh.mu is held.
func (sh *memShard) replace(hash uint64, r *Record) bool {
	old := sh.records.get(hash, r.ID)
	if old == nil {
		return false
	}
	if len(old.Actions) == len(r.Actions) {
		copy(old.Actions, r.Actions)
		r.Actions = old.Actions
	} else {
		r.Actions = slices.Clone(r.Actions)
	}
	*old = *r
	return true
}

// evict drops the oldest finished records while there are more than
// Limit; a record in progress goes to the back of the line. A record
// leaves its shard and the count in one step. It returns the last record
// it dropped, for the caller to keep for reuse once omu is free (a Put
// drops one record). s.omu is held.
func (s *MemStore) evict() (last *Record) {
	for tries := len(s.order) - s.head; s.n.Load() > int64(s.Limit) && tries > 0; tries-- {
		q := s.order[s.head]
		s.order[s.head] = queued{}
		s.head++
		q.sh.mu.Lock()
		done := q.rec.Status.Terminal()
		if done {
			q.sh.records.remove(q.hash, q.rec)
			s.n.Add(-1)
		}
		q.sh.mu.Unlock()
		if !done {
			s.order = append(s.order, q)
			continue
		}
		// Out of its shard, the record is the store's alone: Get and
		// Query copied it under the shard's lock.
		if last != nil {
			s.drop(last)
		}
		last = q.rec
	}
	if s.head > len(s.order)/2 && s.head > 1024 {
		s.order = append(s.order[:0], s.order[s.head:]...)
		s.head = 0
	}
	return last
}

// drop keeps a record the store no longer holds, and nobody else does,
// for reuse.
func (s *MemStore) drop(rec *Record) {
	*rec = Record{Actions: rec.Actions[:0]}
	s.free.Put(rec)
}

// reuse returns a dropped record to store a new one in, or nil.
func (s *MemStore) reuse() *Record {
	if s.Limit <= 0 {
		return nil
	}
	r, _ := s.free.Get().(*Record)
	return r
}

// Volatile reports true: a MemStore's records die with the process.
func (s *MemStore) Volatile() bool { return true }

// Get returns the record with the id, or ErrNotFound.
func (s *MemStore) Get(ctx context.Context, id string) (Record, error) {
	if err := ctx.Err(); err != nil {
		return Record{}, err
	}
	hash := s.hash(id)
	sh := s.shard(hash)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	r := sh.records.get(hash, id)
	if r == nil {
		return Record{}, ErrNotFound
	}
	return r.Clone(), nil
}

// Pending lists the records in progress.
func (s *MemStore) Pending(ctx context.Context) ([]Record, error) {
	page, err := s.query(ctx, Query{Statuses: []RecordStatus{InProgress}}, true)
	return page.Records, err
}

// Query answers q.
func (s *MemStore) Query(ctx context.Context, q Query) (Page, error) { return s.query(ctx, q, false) }

func (s *MemStore) query(ctx context.Context, q Query, all bool) (Page, error) {
	if err := ctx.Err(); err != nil {
		return Page{}, err
	}
	out := s.collect(q)
	sort.Slice(out, func(i, j int) bool { return Less(out[i], out[j]) })
	limit := q.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	if all || len(out) <= limit {
		return Page{Records: out}, nil
	}
	return Page{Records: out[:limit], Next: Cursor(out[limit-1])}, nil
}

// collect returns copies of the records q matches, unordered.
func (s *MemStore) collect(q Query) []Record {
	if s.Limit > 0 {
		// Nothing is stored anew or dropped while the query reads.
		s.omu.Lock()
		defer s.omu.Unlock()
	}
	var out []Record
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		sh.records.all(func(r *Record) {
			if q.Matches(*r) && (q.After == "" || Cursor(*r) > q.After) {
				out = append(out, r.Clone())
			}
		})
		sh.mu.Unlock()
	}
	return out
}

// Len returns the number of records.
func (s *MemStore) Len() int {
	if s.Limit > 0 {
		// Not in the middle of a Put that has stored a record and not
		// yet dropped what it must.
		s.omu.Lock()
		defer s.omu.Unlock()
	}
	return int(s.n.Load())
}
