package boltstore

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/blockmode/blockmode/edr"
)

// Errors that callers branch on.
var (
	// ErrClosed reports a call after Close.
	ErrClosed = errors.New("boltstore: store closed")
	// ErrLocked reports that another process (or another Store in this
	// one) holds the file, and Options.Timeout passed before it let go.
	ErrLocked = errors.New("boltstore: file is locked by another store")
	// ErrFormat reports a file that is not an action history of this
	// format: another bbolt database, a newer layout, or not bbolt at all.
	ErrFormat = errors.New("boltstore: not an action history")
	// ErrNoID reports a record without an ID, which has no key.
	ErrNoID = errors.New("boltstore: record has no id")
	// ErrReadOnly reports a Put on a Store opened with Options.ReadOnly.
	ErrReadOnly = errors.New("boltstore: store is read-only")
)

// Defaults for the zero fields of Options.
const (
	// DefaultTimeout is how long Open waits for the file lock.
	DefaultTimeout = 5 * time.Second
	// DefaultMaxBatchSize is the most Puts that share one transaction.
	DefaultMaxBatchSize = 1000
)

// Options configure Open. The zero value is the safe default: every Put is
// on disk (fsync'd) before it returns.
type Options struct {
	// Timeout bounds the wait for the file lock, which another Store (in
	// this process or another) holds while it is open. Zero means
	// DefaultTimeout; a negative value waits for ever. Open then fails
	// with ErrLocked. bbolt retries every 50ms, and gives up up to 50ms
	// before the timeout.
	Timeout time.Duration

	// NoSync skips fsync on commit. It is UNSAFE and meant for tests
	// only: a Put that returned may be lost, and the file corrupted, if
	// the machine (not only the process) goes down.
	NoSync bool

	// MaxBatchDelay is how long a transaction waits, once it has one
	// Put, for others to share it and its fsync. Zero (the default)
	// waits for none: Puts that arrive while a commit is under way share
	// the next one, so batches grow with the load by themselves, and a
	// lone Put costs one commit. A delay only helps writers that arrive
	// spread out by less than it; it costs every Put up to the delay.
	MaxBatchDelay time.Duration
	// MaxBatchSize is the most Puts that share a transaction. Zero
	// means DefaultMaxBatchSize.
	MaxBatchSize int

	// ReadOnly opens an existing file for reading only, under a shared
	// lock: several read-only Stores may have the file open at once, but
	// not beside a writing one. Open then never creates or changes the
	// file (a missing file is an error wrapping [fs.ErrNotExist]), and Put
	// returns ErrReadOnly. Pending, Get, Query and Check work as usual.
	ReadOnly bool
}

// Store is a durable action history in one bbolt file. It implements
// [edr.Store], [edr.Querier] and [edr.PendingLister], so an [edr.Engine]
// given one resumes the records a crash left in progress.
//
// A Store is safe for concurrent use. Only one Store can have a file open
// at a time: the file is locked while it is. An open Store runs one
// goroutine, which commits the Puts; Close stops it.
type Store struct {
	db       *bolt.DB
	baseTxID int // the last committed transaction when Open returned
	puts     atomic.Int64
	maxSize  int
	maxDelay time.Duration

	mu       sync.RWMutex // guards closed and sending on writes
	closed   bool
	readOnly bool
	writes   chan *write
	done     chan struct{} // closed when the commit loop has ended

	closeOnce sync.Once
	closeErr  error
}

// write is one Put waiting for its commit.
type write struct {
	id, data []byte
	e        entry
	err      chan error // buffered
}

// Open opens the action history in the file at path, creating the file
// (mode 0600) and its buckets if they do not exist. It waits up to
// Options.Timeout for another Store to let go of the file (ErrLocked),
// and refuses a file that is not an action history (ErrFormat).
func Open(path string, opts Options) (*Store, error) {
	timeout := opts.Timeout
	switch {
	case timeout == 0:
		timeout = DefaultTimeout
	case timeout < 0:
		timeout = 0 // bbolt: wait for ever
	}
	if opts.ReadOnly {
		// bbolt would create a missing file even in read-only mode.
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("boltstore: %w", err)
		}
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: timeout, NoSync: opts.NoSync, ReadOnly: opts.ReadOnly})
	switch {
	case errors.Is(err, berrors.ErrTimeout):
		return nil, fmt.Errorf("%w: %s", ErrLocked, path)
	case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrVersionMismatch), errors.Is(err, berrors.ErrChecksum):
		return nil, fmt.Errorf("%w: %s: %w", ErrFormat, path, err)
	case err != nil:
		return nil, fmt.Errorf("boltstore: %w", err)
	}
	s := &Store{db: db, maxSize: opts.MaxBatchSize, maxDelay: max(0, opts.MaxBatchDelay)}
	if s.maxSize <= 0 {
		s.maxSize = DefaultMaxBatchSize
	}
	s.readOnly = opts.ReadOnly
	initTx := db.Update
	if s.readOnly {
		initTx = db.View // init creates nothing in a file that has the buckets
	}
	if err := initTx(s.init); err != nil {
		db.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := db.View(func(tx *bolt.Tx) error { s.baseTxID = tx.ID(); return nil }); err != nil {
		db.Close()
		return nil, fmt.Errorf("boltstore: %w", err)
	}
	s.writes = make(chan *write, s.maxSize)
	s.done = make(chan struct{})
	go s.commitLoop()
	return s, nil
}

// init creates the buckets in a new file, or checks an existing file's
// format.
func (s *Store) init(tx *bolt.Tx) error {
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		if !tx.Writable() {
			return fmt.Errorf("%w: a bbolt database without a %q bucket", ErrFormat, bucketMeta)
		}
		empty := true
		tx.ForEach(func([]byte, *bolt.Bucket) error { empty = false; return nil })
		if !empty {
			return fmt.Errorf("%w: a bbolt database without a %q bucket", ErrFormat, bucketMeta)
		}
		for _, name := range allBuckets {
			if _, err := tx.CreateBucket(name); err != nil {
				return fmt.Errorf("boltstore: %w", err)
			}
		}
		return tx.Bucket(bucketMeta).Put(keyFormat, []byte(Format))
	}
	if f := meta.Get(keyFormat); string(f) != Format {
		return fmt.Errorf("%w: format %q, want %q", ErrFormat, f, Format)
	}
	for _, name := range allBuckets {
		if tx.Bucket(name) == nil {
			return fmt.Errorf("%w: bucket %q is missing", ErrFormat, name)
		}
	}
	return nil
}

// Close commits the Puts under way, stops the commit loop and closes the
// file; it waits for the queries under way. It is idempotent; other calls
// after it return ErrClosed.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		close(s.writes)
		s.mu.Unlock()
		<-s.done
		if err := s.db.Close(); err != nil {
			s.closeErr = fmt.Errorf("boltstore: %w", err)
		}
	})
	return s.closeErr
}

// wrap turns bbolt's errors into the package's.
func wrap(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, berrors.ErrDatabaseNotOpen):
		return ErrClosed
	case errors.Is(err, ErrCorrupt):
		return err
	}
	return fmt.Errorf("boltstore: %w", err)
}

// Put writes r, replacing the record with the same ID and its index
// entries, in one transaction. It returns when the transaction is on disk
// (unless Options.NoSync). Concurrent Puts share a transaction and its
// fsync (group commit): one goroutine commits, and the Puts that arrive
// while it does wait for the next commit, which takes them all. ctx is
// checked before the write is queued; a queued write is not abandoned.
func (s *Store) Put(ctx context.Context, r edr.Record) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if r.ID == "" {
		return ErrNoID
	}
	if s.readOnly {
		return ErrReadOnly
	}
	// The record's own JSON form. Calling MarshalJSON rather than
	// json.Marshal saves json.Marshal's second pass over its output.
	data, err := r.MarshalJSON()
	if err != nil {
		return fmt.Errorf("boltstore: encoding record %q: %w", r.ID, err)
	}
	w := &write{id: []byte(r.ID), data: data, e: entryOf(r), err: make(chan error, 1)}
	if len(w.e.deviceKey()) > bolt.MaxKeySize || len(w.e.statusKey()) > bolt.MaxKeySize {
		return fmt.Errorf("boltstore: record %q: id or device id too long for a key", r.ID)
	}
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return ErrClosed
	}
	s.writes <- w
	s.mu.RUnlock()
	if err := <-w.err; err != nil {
		return wrap(err)
	}
	s.puts.Add(1)
	return nil
}

// commitLoop commits the queued writes until Close: each transaction
// takes the write that starts it and every write queued by then (or by
// MaxBatchDelay), up to MaxBatchSize.
func (s *Store) commitLoop() {
	defer close(s.done)
	batch := make([]*write, 0, s.maxSize)
	for w := range s.writes {
		batch = append(batch[:0], w)
		var timer *time.Timer
		var deadline <-chan time.Time
		if s.maxDelay > 0 {
			timer = time.NewTimer(s.maxDelay)
			deadline = timer.C
		}
	fill:
		for len(batch) < s.maxSize {
			select {
			case w, ok := <-s.writes:
				if !ok {
					break fill
				}
				batch = append(batch, w)
				continue
			default:
			}
			if deadline == nil {
				break // nothing more queued, and no delay to wait out
			}
			select {
			case w, ok := <-s.writes:
				if !ok {
					break fill
				}
				batch = append(batch, w)
			case <-deadline:
				deadline = nil
			}
		}
		if timer != nil {
			timer.Stop()
		}
		s.commit(batch)
		clear(batch)
	}
}

// commit writes a batch in one transaction. If it fails, each write is
// tried in a transaction of its own, so that one bad write fails alone.
func (s *Store) commit(batch []*write) {
	err := s.db.Update(func(tx *bolt.Tx) error {
		for _, w := range batch {
			if err := put(tx, w.id, w.e, w.data); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil && len(batch) > 1 {
		for _, w := range batch {
			w.err <- s.db.Update(func(tx *bolt.Tx) error { return put(tx, w.id, w.e, w.data) })
		}
		return
	}
	for _, w := range batch {
		w.err <- err
	}
}

// put writes one record and its index entries.
func put(tx *bolt.Tx, id []byte, e entry, data []byte) error {
	ids := tx.Bucket(bucketIDs)
	received, status, device := tx.Bucket(bucketReceived), tx.Bucket(bucketStatus), tx.Bucket(bucketDevice)
	if old := ids.Get(id); old != nil {
		o, err := parseEntry(old)
		if err != nil {
			return fmt.Errorf("%w: record %q: %w", ErrCorrupt, id, err)
		}
		if o.cursor != e.cursor {
			if err := received.Delete(o.receivedKey()); err != nil {
				return err
			}
		}
		if o.cursor != e.cursor || o.status != e.status {
			if err := status.Delete(o.statusKey()); err != nil {
				return err
			}
		}
		if o.cursor != e.cursor || o.device != e.device {
			if err := device.Delete(o.deviceKey()); err != nil {
				return err
			}
		}
	}
	for _, kv := range [...]struct {
		b    *bolt.Bucket
		k, v []byte
	}{
		{received, e.receivedKey(), id},
		{status, e.statusKey(), id},
		{device, e.deviceKey(), id},
		{ids, id, e.marshal()},
		{tx.Bucket(bucketRecords), id, data},
	} {
		if err := kv.b.Put(kv.k, kv.v); err != nil {
			return err
		}
	}
	return nil
}

// Get returns the record with the id, or an error that wraps
// edr.ErrNotFound.
func (s *Store) Get(ctx context.Context, id string) (edr.Record, error) {
	if err := ctx.Err(); err != nil {
		return edr.Record{}, err
	}
	var data []byte
	err := s.db.View(func(tx *bolt.Tx) error {
		data = bytes.Clone(tx.Bucket(bucketRecords).Get([]byte(id)))
		return nil
	})
	if err != nil {
		return edr.Record{}, wrap(err)
	}
	if data == nil {
		return edr.Record{}, fmt.Errorf("boltstore: %q: %w", id, edr.ErrNotFound)
	}
	return decode(id, data)
}

// decode decodes a record read from the file. data must not be bbolt's
// memory: the record's detection keeps references into it.
func decode(id string, data []byte) (edr.Record, error) {
	var r edr.Record
	if err := json.Unmarshal(data, &r); err != nil {
		return edr.Record{}, fmt.Errorf("boltstore: decoding record %q: %w", id, err)
	}
	return r, nil
}

// Stats are counters since Open.
type Stats struct {
	// Puts counts the records written.
	Puts int64
	// Commits counts the write transactions committed. Each costs two
	// fsyncs (bbolt syncs the data pages, then the meta page), plus one
	// when the file grows, unless Options.NoSync; group commit makes
	// them fewer than Puts.
	Commits int64
}

// Stats returns the counters since Open.
func (s *Store) Stats() Stats {
	st := Stats{Puts: s.puts.Load()}
	_ = s.db.View(func(tx *bolt.Tx) error {
		st.Commits = int64(tx.ID() - s.baseTxID)
		return nil
	})
	return st
}
