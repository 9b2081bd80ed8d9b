package edr

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"
	"time"
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
type MemStore struct {
	// Limit, if positive, bounds the records kept, for an agent that runs
	// for months on the memory store: a Put of a new record beyond the
	// limit drops the oldest finished records (in the order they were
	// first stored). Records in progress are never dropped. A dropped
	// record is gone: Get says ErrNotFound, and a detection handed to the
	// engine again after its record was dropped is handled again. Ship
	// records elsewhere with a Notifier to keep them. Once at its limit,
	// the store keeps new records in the memory of those it dropped (the
	// record, and its actions' array when the new actions fit in it).
	// Set Limit before the first Put.
	Limit int

	mu      sync.RWMutex
	records map[string]*Record // each the store's own copy
	order   []*Record          // in first-Put order, from head on; kept when Limit > 0
	head    int
	free    []*Record // dropped records, whose memory the next new records reuse
}

// Put stores r.
func (s *MemStore) Put(ctx context.Context, r Record) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if r.ID == "" || r.Status == 0 {
		return fmt.Errorf("%w: id %q, status %d", ErrInvalidRecord, r.ID, r.Status)
	}
	s.mu.Lock()
	if s.replace(&r) {
		s.mu.Unlock()
		return nil
	}
	// A new record. A bounded store makes its copy in the memory of a
	// record it dropped, so that, once full, it allocates nothing for the
	// records it keeps; such a copy is made at once.
	stored := s.reuse()
	if stored != nil && cap(stored.Actions) >= len(r.Actions) {
		fill(stored, &r)
		s.insert(stored)
		s.mu.Unlock()
		return nil
	}
	s.mu.Unlock()
	// Otherwise the copy is made outside the lock, which the other
	// writers and readers wait on.
	if stored == nil {
		stored = new(Record)
	}
	fill(stored, &r)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.replace(&r) { // stored meanwhile by another Put of the same id
		s.drop(stored)
		return nil
	}
	s.insert(stored)
	return nil
}

// fill makes stored a copy of r, in stored's own Actions array if it
// fits.
func fill(stored, r *Record) {
	acts := append(stored.Actions[:0], r.Actions...)
	*stored = *r
	stored.Actions = acts
}

// insert adds a new record, then drops the oldest if the store is over
// its limit. s.mu is held.
func (s *MemStore) insert(stored *Record) {
	if s.records == nil {
		s.records = make(map[string]*Record)
	}
	s.records[stored.ID] = stored
	if s.Limit > 0 {
		s.order = append(s.order, stored)
		s.evict()
	}
}

// replace replaces the stored record with r's id by r, in place, and
// reports whether there was one. Its Actions are the store's own (Get and
// Query hand out copies), and are reused when they fit. s.mu is held.
func (s *MemStore) replace(r *Record) bool {
	old, ok := s.records[r.ID]
	if !ok {
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
// Limit; a record in progress goes to the back of the line.
func (s *MemStore) evict() {
	for tries := len(s.order) - s.head; len(s.records) > s.Limit && tries > 0; tries-- {
		rec := s.order[s.head]
		s.order[s.head] = nil
		s.head++
		if rec.Status.Terminal() {
			delete(s.records, rec.ID)
			s.drop(rec)
		} else {
			s.order = append(s.order, rec)
		}
	}
	if s.head > len(s.order)/2 && s.head > 1024 {
		s.order = append(s.order[:0], s.order[s.head:]...)
		s.head = 0
	}
}

// maxFree bounds the dropped records a MemStore keeps for reuse.
const maxFree = 16

// drop keeps a record the store no longer holds, for reuse, unless it
// keeps enough already. Get and Query hand out copies: nothing outside the
// store holds rec or its Actions. s.mu is held.
func (s *MemStore) drop(rec *Record) {
	if s.Limit > 0 && len(s.free) < maxFree {
		*rec = Record{Actions: rec.Actions[:0]}
		s.free = append(s.free, rec)
	}
}

// reuse returns a dropped record to store a new one in, or nil. s.mu is
// held.
func (s *MemStore) reuse() *Record {
	n := len(s.free)
	if n == 0 {
		return nil
	}
	r := s.free[n-1]
	s.free[n-1] = nil
	s.free = s.free[:n-1]
	return r
}

// Volatile reports true: a MemStore's records die with the process.
func (s *MemStore) Volatile() bool { return true }

// Get returns the record with the id, or ErrNotFound.
func (s *MemStore) Get(ctx context.Context, id string) (Record, error) {
	if err := ctx.Err(); err != nil {
		return Record{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	r, ok := s.records[id]
	if !ok {
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
	s.mu.RLock()
	var out []Record
	for _, r := range s.records {
		if q.Matches(*r) && (q.After == "" || Cursor(*r) > q.After) {
			out = append(out, r.Clone())
		}
	}
	s.mu.RUnlock()
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

// Len returns the number of records.
func (s *MemStore) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.records)
}
