package boltstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"

	"github.com/blockmode/blockmode/edr"
	"github.com/blockmode/blockmode/remediate"
)

var ctx = context.Background()

// engineRecord runs the n-th test alert through an engine on a MemStore
// and returns its terminal record: a real record with a decision trace,
// three actions and a decoded Graph detection.
func engineRecord(t *testing.T, n int) edr.Record {
	t.Helper()
	host := new(okHost)
	e, err := edr.New(engineConfig(t, nil, host.hooks()))
	require.NoError(t, err)
	defer e.Close(ctx)
	r, err := e.Handle(ctx, alert(t, n, deviceID))
	require.NoError(t, err)
	require.Equal(t, edr.Blocked, r.Status, r.String())
	require.Len(t, r.Actions, 3)
	return r
}

func TestRecordReadsBackAsWritten(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history.db")
	s, err := Open(path, Options{})
	require.NoError(t, err)
	want := engineRecord(t, 1)
	require.NoError(t, s.Put(ctx, want))
	got, err := s.Get(ctx, want.ID)
	require.NoError(t, err)
	if d := cmp.Diff(want, got, recordOpts); d != "" {
		t.Errorf("record read back differs (-want +got):\n%s", d)
	}
	require.NoError(t, s.Close())

	// and after reopening the file
	s, err = Open(path, Options{})
	require.NoError(t, err)
	defer s.Close()
	got, err = s.Get(ctx, want.ID)
	require.NoError(t, err)
	if d := cmp.Diff(want, got, recordOpts); d != "" {
		t.Errorf("record read back after reopening differs (-want +got):\n%s", d)
	}
	require.NoError(t, s.Check(ctx))
}

func TestGetMissingIsNotFound(t *testing.T) {
	s := open(t, Options{NoSync: true})
	_, err := s.Get(ctx, "nope")
	require.ErrorIs(t, err, edr.ErrNotFound)
}

func TestPutRejects(t *testing.T) {
	s := open(t, Options{NoSync: true})
	r := record(t, "a", "dev", edr.Blocked, alertTime)

	noID := r
	noID.ID = ""
	assert.ErrorIs(t, s.Put(ctx, noID), ErrNoID)

	noStatus := r
	noStatus.Status = 0
	assert.ErrorContains(t, s.Put(ctx, noStatus), "invalid record status")

	// A record that could not be read back is refused, not stored to
	// break every later query over it.
	noDecision := r
	noDecision.Decision = remediate.Decision{}
	assert.ErrorContains(t, s.Put(ctx, noDecision), "invalid remediate: verdict 0")
	badAction := r.Clone()
	badAction.Actions = append(badAction.Actions, edr.ActionRecord{Result: edr.ActionResult(42)})
	assert.ErrorContains(t, s.Put(ctx, badAction), "invalid")

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	assert.ErrorIs(t, s.Put(cancelled, r), context.Canceled)
	_, err := s.Get(cancelled, "a")
	assert.ErrorIs(t, err, context.Canceled)
	_, err = s.Query(cancelled, edr.Query{})
	assert.ErrorIs(t, err, context.Canceled)

	page, err := s.Query(ctx, edr.Query{})
	require.NoError(t, err)
	assert.Empty(t, page.Records, "nothing was written")
	require.NoError(t, s.Check(ctx))
}

// TestReplaceMovesIndexEntries: a record written again with another
// status, device or time leaves no index entry behind.
func TestReplaceMovesIndexEntries(t *testing.T) {
	s := open(t, Options{NoSync: true})
	versions := []edr.Record{
		record(t, "det-1", "dev-a", edr.InProgress, alertTime),
		record(t, "det-1", "dev-a", edr.InProgress, alertTime), // unchanged keys
		record(t, "det-1", "dev-a", edr.Blocked, alertTime),
		record(t, "det-1", "dev-b", edr.Blocked, alertTime),
		record(t, "det-1", "dev-b", edr.Undone, alertTime.Add(time.Hour)),
	}
	for i, r := range versions {
		r.Revision = i + 1
		require.NoError(t, s.Put(ctx, r))
		require.NoError(t, s.Check(ctx), "after version %d", i+1)
	}
	count := func(q edr.Query) int {
		p, err := s.Query(ctx, q)
		require.NoError(t, err)
		return len(p.Records)
	}
	assert.Equal(t, 1, count(edr.Query{}))
	assert.Equal(t, 0, count(edr.Query{Statuses: []edr.RecordStatus{edr.InProgress}}))
	assert.Equal(t, 0, count(edr.Query{Statuses: []edr.RecordStatus{edr.Blocked}}))
	assert.Equal(t, 1, count(edr.Query{Statuses: []edr.RecordStatus{edr.Undone}}))
	assert.Equal(t, 0, count(edr.Query{DeviceID: "dev-a"}))
	assert.Equal(t, 1, count(edr.Query{DeviceID: "dev-b"}))
	assert.Equal(t, 0, count(edr.Query{To: alertTime.Add(time.Minute)}))
	got, err := s.Get(ctx, "det-1")
	require.NoError(t, err)
	assert.Equal(t, 5, got.Revision)

	// Each bucket holds one key per record.
	require.NoError(t, s.db.View(func(tx *bolt.Tx) error {
		for _, b := range allBuckets[1:] {
			assert.Equal(t, 1, tx.Bucket(b).Stats().KeyN, "bucket %s", b)
		}
		return nil
	}))
}

func TestClosedStore(t *testing.T) {
	s := open(t, Options{NoSync: true})
	require.NoError(t, s.Close())
	require.NoError(t, s.Close(), "Close is idempotent")
	assert.ErrorIs(t, s.Put(ctx, record(t, "a", "", edr.Blocked, alertTime)), ErrClosed)
	_, err := s.Get(ctx, "a")
	assert.ErrorIs(t, err, ErrClosed)
	_, err = s.Query(ctx, edr.Query{})
	assert.ErrorIs(t, err, ErrClosed)
	_, err = s.Pending(ctx)
	assert.ErrorIs(t, err, ErrClosed)
}

func TestOpenWaitsForTheLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history.db")
	s, err := Open(path, Options{NoSync: true})
	require.NoError(t, err)
	start := time.Now()
	_, err = Open(path, Options{Timeout: 200 * time.Millisecond})
	require.ErrorIs(t, err, ErrLocked)
	assert.GreaterOrEqual(t, time.Since(start), 150*time.Millisecond, "bbolt retries every 50ms")

	// Released by Close, a waiting Open gets the file.
	done := make(chan error, 1)
	go func() {
		s2, err := Open(path, Options{Timeout: -1})
		if err == nil {
			err = s2.Close()
		}
		done <- err
	}()
	time.Sleep(20 * time.Millisecond)
	require.NoError(t, s.Close())
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("Open did not get the lock after Close")
	}
}

func TestOpenRefusesOtherFiles(t *testing.T) {
	dir := t.TempDir()

	garbage := filepath.Join(dir, "garbage.db")
	require.NoError(t, os.WriteFile(garbage, make([]byte, 64<<10), 0o600))
	_, err := Open(garbage, Options{})
	assert.ErrorIs(t, err, ErrFormat)

	other := filepath.Join(dir, "other.db")
	db, err := bolt.Open(other, 0o600, nil)
	require.NoError(t, err)
	require.NoError(t, db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("users")); return err }))
	require.NoError(t, db.Close())
	_, err = Open(other, Options{})
	assert.ErrorIs(t, err, ErrFormat)
	assert.ErrorContains(t, err, `without a "meta" bucket`)

	newer := filepath.Join(dir, "newer.db")
	s, err := Open(newer, Options{})
	require.NoError(t, err)
	require.NoError(t, s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).Put(keyFormat, []byte("blockmode/boltstore v2"))
	}))
	require.NoError(t, s.Close())
	_, err = Open(newer, Options{})
	assert.ErrorIs(t, err, ErrFormat)
	assert.ErrorContains(t, err, `format "blockmode/boltstore v2"`)

	_, err = Open(filepath.Join(dir, "no", "such", "dir", "h.db"), Options{})
	assert.ErrorIs(t, err, os.ErrNotExist)
}

// TestCheckReportsEveryProblem damages a file in several ways at once and
// expects Check to name each.
func TestCheckReportsEveryProblem(t *testing.T) {
	s := open(t, Options{NoSync: true})
	for i, st := range []edr.RecordStatus{edr.Blocked, edr.InProgress, edr.Failed} {
		require.NoError(t, s.Put(ctx, record(t, fmt.Sprintf("det-%d", i), "dev", st, alertTime.Add(time.Duration(i)*time.Minute))))
	}
	require.NoError(t, s.Check(ctx))

	r0 := entryOf(record(t, "det-0", "dev", edr.Blocked, alertTime))
	require.NoError(t, s.db.Update(func(tx *bolt.Tx) error {
		require.NoError(t, tx.Bucket(bucketStatus).Delete(r0.statusKey()))                                     // missing entry
		require.NoError(t, tx.Bucket(bucketDevice).Put(append(devicePrefix("ghost"), "x"...), []byte("gone"))) // dangling entry
		require.NoError(t, tx.Bucket(bucketRecords).Put([]byte("det-2"), []byte(`{"id":"det-9"`)))             // undecodable
		return nil
	}))
	err := s.Check(ctx)
	require.ErrorIs(t, err, ErrCorrupt)
	msg := err.Error()
	assert.Contains(t, msg, `record "det-0": no status entry`)
	assert.Contains(t, msg, `device entry "\x05ghostx" names "gone", which is not stored`)
	assert.Contains(t, msg, `decoding record "det-2"`)

	_, err = s.Query(ctx, edr.Query{DeviceID: "ghost"})
	assert.ErrorIs(t, err, ErrCorrupt, "a query that meets a dangling entry says so")
}

// TestConcurrentPutsShareCommits: with fsync on, concurrent Puts are
// group-committed, and every one of them is readable and indexed.
func TestConcurrentPutsShareCommits(t *testing.T) {
	s := open(t, Options{})
	const writers, each = 32, 20
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				r := record(t, fmt.Sprintf("det-%02d-%02d", w, i), fmt.Sprintf("dev-%d", w%3), edr.InProgress, alertTime.Add(time.Duration(i)*time.Second))
				assert.NoError(t, s.Put(ctx, r))
				r.Status, r.Revision = edr.Blocked, 2
				assert.NoError(t, s.Put(ctx, r))
			}
		})
	}
	wg.Wait()
	require.NoError(t, s.Check(ctx))
	st := s.Stats()
	assert.EqualValues(t, 2*writers*each, st.Puts)
	assert.Less(t, st.Commits, st.Puts/4, "group commit: %+v", st)
	t.Logf("%d puts in %d commits", st.Puts, st.Commits)
	pending, err := s.Pending(ctx)
	require.NoError(t, err)
	assert.Empty(t, pending)
	page, err := s.Query(ctx, edr.Query{Statuses: []edr.RecordStatus{edr.Blocked}, Limit: 1000})
	require.NoError(t, err)
	assert.Len(t, page.Records, writers*each)
}

// failingStore passes writes through to a Store until it has taken
// okPuts of them, then fails: what the engine sees when its process dies
// after a hook returned and before the result was stored.
type failingStore struct {
	*Store
	mu    sync.Mutex
	okPut int
}

func (f *failingStore) Put(ctx context.Context, r edr.Record) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.okPut == 0 {
		return errors.New("disk gone")
	}
	f.okPut--
	return f.Store.Put(ctx, r)
}

// TestEngineResumesARecordLeftInProgress: the write-ahead record of an
// interrupted run is listed by Pending, and a new engine on the same file
// finishes it: the action recorded as succeeded is not run again; the one
// whose hook returned but whose result was not stored runs again
// (at-least-once); the one never started runs once.
func TestEngineResumesARecordLeftInProgress(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history.db")
	s, err := Open(path, Options{})
	require.NoError(t, err)
	host := new(okHost)
	// Two writes succeed: the write-ahead record and the one after the
	// first action (stop process). The second action's result is lost.
	fs := &failingStore{Store: s, okPut: 2}
	e, err := edr.New(engineConfig(t, fs, host.hooks()))
	require.NoError(t, err)
	det := alert(t, 7, deviceID)
	_, err = e.Handle(ctx, det)
	require.ErrorContains(t, err, "disk gone")
	require.NoError(t, e.Close(ctx))

	pending, err := s.Pending(ctx)
	require.NoError(t, err)
	require.Len(t, pending, 1)
	p := pending[0]
	assert.Equal(t, edr.InProgress, p.Status)
	assert.Equal(t, []edr.ActionResult{edr.Succeeded, edr.Pending, edr.Pending}, results(p))
	require.NoError(t, s.Close())

	s, err = Open(path, Options{})
	require.NoError(t, err)
	defer s.Close()
	e, err = edr.New(engineConfig(t, s, host.hooks())) // New calls Recover
	require.NoError(t, err)
	defer e.Close(ctx)

	got, err := s.Get(ctx, det.ID)
	require.NoError(t, err)
	assert.Equal(t, edr.Blocked, got.Status, got.String())
	assert.Equal(t, []edr.ActionResult{edr.Succeeded, edr.Succeeded, edr.Succeeded}, results(got))
	assert.Equal(t, "resumed after an interruption", got.Note)
	stop, image, file := got.Actions[0], got.Actions[1], got.Actions[2]
	assert.Equal(t, map[string]int{
		"stop process " + stop.Path:     1, // recorded as finished: not re-run
		"quarantine file " + image.Path: 2, // ran, result lost: re-run
		"quarantine file " + file.Path:  1,
	}, host.calls)
	pending, err = s.Pending(ctx)
	require.NoError(t, err)
	assert.Empty(t, pending)

	// Handing the detection in again changes nothing.
	again, err := e.Handle(ctx, det)
	require.NoError(t, err)
	assert.Equal(t, got.Revision, again.Revision)
	assert.Equal(t, 4, host.total(), "no hook called")
	require.NoError(t, s.Check(ctx))
}

func results(r edr.Record) []edr.ActionResult {
	var out []edr.ActionResult
	for _, a := range r.Actions {
		out = append(out, a.Result)
	}
	return out
}

var _ interface {
	edr.Store
	edr.Querier
	edr.PendingLister
} = (*Store)(nil)

// TestBatchOptions: MaxBatchDelay gathers Puts into fewer commits, and
// MaxBatchSize caps them.
func TestBatchOptions(t *testing.T) {
	s := open(t, Options{NoSync: true, MaxBatchDelay: 200 * time.Millisecond, MaxBatchSize: 10})
	var wg sync.WaitGroup
	for i := range 30 {
		wg.Go(func() {
			assert.NoError(t, s.Put(ctx, record(t, fmt.Sprintf("det-%d", i), "dev", edr.Blocked, alertTime)))
		})
	}
	wg.Wait()
	st := s.Stats()
	assert.EqualValues(t, 30, st.Puts)
	assert.GreaterOrEqual(t, st.Commits, int64(3), "at most 10 Puts a commit")
	assert.LessOrEqual(t, st.Commits, int64(6), "Puts wait for others to share their commit")
	require.NoError(t, s.Check(ctx))
}

// TestBadWriteFailsAlone: a write that fails inside a shared transaction
// fails alone; the others in its batch are committed.
func TestBadWriteFailsAlone(t *testing.T) {
	s := open(t, Options{NoSync: true, MaxBatchDelay: 100 * time.Millisecond})
	require.NoError(t, s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketIDs).Put([]byte("bad"), []byte{}) // a damaged ids entry
	}))
	var wg sync.WaitGroup
	var badErr error
	for i := range 20 {
		wg.Go(func() {
			if i == 7 {
				badErr = s.Put(ctx, record(t, "bad", "dev", edr.Blocked, alertTime))
				return
			}
			assert.NoError(t, s.Put(ctx, record(t, fmt.Sprintf("det-%d", i), "dev", edr.Blocked, alertTime)))
		})
	}
	wg.Wait()
	require.ErrorIs(t, badErr, ErrCorrupt)
	assert.ErrorContains(t, badErr, `boltstore: corrupt action history: record "bad": malformed index entry`)
	page, err := s.Query(ctx, edr.Query{Limit: 100})
	require.NoError(t, err)
	assert.Len(t, page.Records, 19)
	assert.EqualValues(t, 19, s.Stats().Puts)
}

// TestCloseWithPutsUnderWay: a Put racing Close is either committed or
// refused with ErrClosed, and Close stops the commit loop.
func TestCloseWithPutsUnderWay(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history.db")
	s, err := Open(path, Options{NoSync: true})
	require.NoError(t, err)
	var wg sync.WaitGroup
	var committed sync.Map
	for w := range 8 {
		wg.Go(func() {
			for i := 0; ; i++ {
				id := fmt.Sprintf("det-%d-%d", w, i)
				err := s.Put(ctx, record(t, id, "dev", edr.Blocked, alertTime))
				if errors.Is(err, ErrClosed) {
					return
				}
				if !assert.NoError(t, err) {
					return
				}
				committed.Store(id, true)
			}
		})
	}
	time.Sleep(20 * time.Millisecond)
	require.NoError(t, s.Close())
	wg.Wait()
	select {
	case <-s.done:
	default:
		t.Fatal("the commit loop is still running")
	}

	s, err = Open(path, Options{NoSync: true})
	require.NoError(t, err)
	defer s.Close()
	n := 0
	committed.Range(func(k, _ any) bool {
		n++
		_, err := s.Get(ctx, k.(string))
		assert.NoError(t, err, "a Put that returned nil is stored")
		return true
	})
	assert.Positive(t, n)
	require.NoError(t, s.Check(ctx))
}

// TestReadOnly opens a history for reading: it reads what a writer left,
// refuses Puts, changes nothing, shares the file with other readers, and
// never creates a file that is not there.
func TestReadOnly(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "history.db")
	w, err := Open(path, Options{NoSync: true})
	require.NoError(t, err)
	want := engineRecord(t, 1)
	require.NoError(t, w.Put(ctx, want))
	require.NoError(t, w.Close())
	before, err := os.ReadFile(path)
	require.NoError(t, err)

	r1, err := Open(path, Options{ReadOnly: true})
	require.NoError(t, err)
	r2, err := Open(path, Options{ReadOnly: true, Timeout: time.Second})
	require.NoError(t, err, "two readers share the file")
	got, err := r1.Get(ctx, want.ID)
	require.NoError(t, err)
	if d := cmp.Diff(want, got, recordOpts); d != "" {
		t.Errorf("record read back differs (-want +got):\n%s", d)
	}
	page, err := r2.Query(ctx, edr.Query{})
	require.NoError(t, err)
	assert.Len(t, page.Records, 1)
	assert.ErrorIs(t, r1.Put(ctx, want), ErrReadOnly)
	require.NoError(t, r1.Check(ctx))
	require.NoError(t, r1.Close())
	require.NoError(t, r2.Close())
	after, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.True(t, bytes.Equal(before, after), "a read-only store changed the file")

	missing := filepath.Join(dir, "missing.db")
	_, err = Open(missing, Options{ReadOnly: true})
	assert.ErrorIs(t, err, os.ErrNotExist)
	_, err = os.Stat(missing)
	assert.ErrorIs(t, err, os.ErrNotExist, "a read-only open created the file")

	empty := filepath.Join(dir, "empty.db")
	require.NoError(t, os.WriteFile(empty, nil, 0o600))
	_, err = Open(empty, Options{ReadOnly: true})
	assert.Error(t, err)

	other := filepath.Join(dir, "other.db")
	db, err := bolt.Open(other, 0o600, nil)
	require.NoError(t, err)
	require.NoError(t, db.Close())
	_, err = Open(other, Options{ReadOnly: true})
	assert.ErrorIs(t, err, ErrFormat)
}
