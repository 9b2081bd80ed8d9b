package edr

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blockmode/blockmode/detect"
	"github.com/blockmode/blockmode/exclusions"
	"github.com/blockmode/blockmode/remediate"
)

// fixedClock is the simplest Clock: a settable instant.
type fixedClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fixedClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// recHost is a minimal host that counts calls and can be told to fail.
type recHost struct {
	mu        sync.Mutex
	calls     []string
	stopErr   error
	quarErr   error
	hang      bool
	restored  []string
	notified  atomic.Int32
	panicking bool
}

func (h *recHost) StopProcess(ctx context.Context, a remediate.Action) error {
	h.mu.Lock()
	h.calls = append(h.calls, fmt.Sprintf("stop %d", a.ProcessID))
	err, hang, p := h.stopErr, h.hang, h.panicking
	h.mu.Unlock()
	if p {
		panic("stop hook exploded")
	}
	if hang {
		<-ctx.Done()
		return ctx.Err()
	}
	return err
}

func (h *recHost) Quarantine(ctx context.Context, a remediate.Action) (string, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.calls = append(h.calls, "quarantine "+a.Path)
	if h.quarErr != nil {
		return "", h.quarErr
	}
	return "q-" + a.Path, nil
}

func (h *recHost) Restore(ctx context.Context, id string, a remediate.Action) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.restored = append(h.restored, id)
	return nil
}

func (h *recHost) Notify(ctx context.Context, r Record) error {
	h.notified.Add(1)
	return nil
}

func (h *recHost) Calls() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.calls...)
}

func (h *recHost) hooks() Hooks {
	return Hooks{StopProcess: h, Quarantine: h, Restore: h, Notify: h}
}

func edrDetection(id string) *detect.Detection {
	return &detect.Detection{
		ID: id, DeviceID: "dev-1", Time: at(2 * time.Hour), Source: detect.SourceMicrosoftDefenderForEndpoint,
		Severity: detect.SeverityHigh,
		Evidence: []detect.Evidence{
			&detect.ProcessEvidence{ProcessID: 4120, DetectionStatus: detect.Detected, Image: detect.FileDetails{Path: `C:\Users\alex\Downloads`, Name: "invoice.exe"}},
			&detect.FileEvidence{DetectionStatus: detect.Detected, File: detect.FileDetails{Path: `C:\Users\alex\AppData\Local\Temp`, Name: "payload.dll"}},
		},
	}
}

func newTestEngine(t *testing.T, h *recHost, edit func(*Config)) *Engine {
	t.Helper()
	var hist History
	_, err := hist.SetTenant(admin, true, at(0))
	require.NoError(t, err)
	cfg := Config{
		Hooks: h.hooks(), Clock: &fixedClock{t: at(3 * time.Hour)}, Settings: &hist, Device: eligible(),
		Limits: Limits{ActionTimeout: 100 * time.Millisecond, Backoff: time.Millisecond, Workers: 2},
	}
	if edit != nil {
		edit(&cfg)
	}
	e, err := New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = e.Close(context.Background()) })
	return e
}

func TestEngineLifecycle(t *testing.T) {
	ctx := context.Background()
	t.Run("remediated detection is blocked, process stopped before its file is quarantined", func(t *testing.T) {
		h := &recHost{}
		e := newTestEngine(t, h, nil)
		rec, err := e.Handle(ctx, edrDetection("d1"))
		require.NoError(t, err)
		assert.Equal(t, Blocked, rec.Status)
		assert.Equal(t, []string{"stop 4120", `quarantine C:\Users\alex\Downloads\invoice.exe`, `quarantine C:\Users\alex\AppData\Local\Temp\payload.dll`}, h.Calls())
		for _, a := range rec.Actions {
			assert.Equal(t, Succeeded, a.Result)
			assert.Equal(t, 1, a.Attempts)
		}
		assert.Equal(t, Rev2025, rec.Ruleset)
		assert.Equal(t, 1, rec.SettingsVersion)
		assert.Equal(t, at(3*time.Hour), rec.Received)
		assert.Equal(t, int32(1), h.notified.Load())
		stored, err := e.Store().Get(ctx, "d1")
		require.NoError(t, err)
		assert.Equal(t, rec.Status, stored.Status)
		assert.Equal(t, 2, stored.Revision, "a MemStore is volatile: written ahead and at the end")
	})
	t.Run("the same detection twice gives one record and one set of calls", func(t *testing.T) {
		h := &recHost{}
		e := newTestEngine(t, h, nil)
		var wg sync.WaitGroup
		for range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rec, err := e.Handle(ctx, edrDetection("dup"))
				assert.NoError(t, err)
				assert.Equal(t, Blocked, rec.Status)
			}()
		}
		wg.Wait()
		_, err := e.Handle(ctx, edrDetection("dup"))
		require.NoError(t, err)
		assert.Len(t, h.Calls(), 3)
	})
	t.Run("a call that joins a handling under way gets a record of its own", func(t *testing.T) {
		release := make(chan struct{})
		h := funcHost(func(context.Context) error { <-release; return nil })
		e := newTestEngine(t, &recHost{}, func(c *Config) { c.Hooks = Hooks{StopProcess: h, Quarantine: h} })
		recs := make(chan Record, 2)
		for range 2 {
			go func() {
				rec, err := e.Handle(ctx, edrDetection("join"))
				assert.NoError(t, err)
				recs <- rec
			}()
		}
		require.Eventually(t, func() bool {
			sh := e.flights("join")
			sh.mu.Lock()
			defer sh.mu.Unlock()
			return sh.handles["join"] != nil // one call waits for the other
		}, 5*time.Second, time.Millisecond)
		close(release)
		a, b := <-recs, <-recs
		require.Equal(t, a, b, "one handling")
		a.Actions[0].Error = "changed by one caller"
		assert.Empty(t, b.Actions[0].Error, "the other's is its own")
	})
	t.Run("block mode off records detected and calls no hook", func(t *testing.T) {
		h := &recHost{}
		e := newTestEngine(t, h, func(c *Config) { c.Settings = new(History) })
		rec, err := e.Handle(ctx, edrDetection("d2"))
		require.NoError(t, err)
		assert.Equal(t, Detected, rec.Status)
		assert.Equal(t, remediate.RuleBlockModeInEffect, rec.Decision.Rule)
		assert.Empty(t, h.Calls())
	})
	t.Run("artifacts the antivirus already blocked are recorded as blocked, with no action", func(t *testing.T) {
		h := &recHost{}
		e := newTestEngine(t, h, nil)
		det := edrDetection("d2b")
		det.Evidence[0].(*detect.ProcessEvidence).DetectionStatus = detect.Blocked
		det.Evidence[1].(*detect.FileEvidence).DetectionStatus = detect.Blocked
		det.Status = detect.Blocked
		rec, err := e.Handle(ctx, det)
		require.NoError(t, err)
		assert.Equal(t, Blocked, rec.Status)
		assert.Equal(t, remediate.NoAction, rec.Decision.Verdict)
		assert.Empty(t, rec.Actions)
		assert.Empty(t, h.Calls())
	})
	t.Run("every artifact excluded is recorded as excluded", func(t *testing.T) {
		h := &recHost{}
		m, err := exclusions.Compile(exclusions.List{Paths: []string{`C:\Users\alex`}}, exclusions.Options{})
		require.NoError(t, err)
		e := newTestEngine(t, h, func(c *Config) { c.Exclusions = m })
		rec, err := e.Handle(ctx, edrDetection("d3"))
		require.NoError(t, err)
		assert.Equal(t, Excluded, rec.Status)
		assert.Empty(t, h.Calls())
	})
	t.Run("audit mode records would-block and calls no hook", func(t *testing.T) {
		h := &recHost{}
		e := newTestEngine(t, h, func(c *Config) { c.Mode = Audit })
		rec, err := e.Handle(ctx, edrDetection("d4"))
		require.NoError(t, err)
		assert.Equal(t, WouldBlock, rec.Status)
		assert.NotEqual(t, Blocked, rec.Status)
		assert.Empty(t, h.Calls())
		for _, a := range rec.Actions {
			assert.Equal(t, Skipped, a.Result)
		}
	})
	t.Run("a missing hook is recorded as not supported", func(t *testing.T) {
		h := &recHost{}
		e := newTestEngine(t, h, func(c *Config) { c.Hooks.StopProcess = nil })
		rec, err := e.Handle(ctx, edrDetection("d5"))
		require.NoError(t, err)
		assert.Equal(t, NotSupported, rec.Actions[0].Result)
		assert.Equal(t, Skipped, rec.Actions[1].Result, "the image of a process not stopped is not quarantined")
		assert.Equal(t, Succeeded, rec.Actions[2].Result)
		assert.Equal(t, PartiallyRemediated, rec.Status)
	})
	t.Run("a temporary error is retried", func(t *testing.T) {
		h := &recHost{quarErr: Temporary(errors.New("file locked"))}
		e := newTestEngine(t, h, nil)
		rec, err := e.Handle(ctx, edrDetection("d6"))
		require.NoError(t, err)
		assert.Equal(t, 3, rec.Actions[1].Attempts)
		assert.Equal(t, ActionFailed, rec.Actions[1].Result)
		assert.Contains(t, rec.Actions[1].Error, "file locked")
		assert.Equal(t, PartiallyRemediated, rec.Status, "the stop succeeded")
	})
	t.Run("a panicking hook becomes a failed action with the panic and stack", func(t *testing.T) {
		h := &recHost{panicking: true, quarErr: errors.New("denied")}
		e := newTestEngine(t, h, nil)
		rec, err := e.Handle(ctx, edrDetection("d7"))
		require.NoError(t, err)
		assert.Equal(t, Failed, rec.Status)
		assert.Equal(t, "stop hook exploded", rec.Actions[0].Panic)
		assert.Contains(t, rec.Actions[0].Stack, "StopProcess")
	})
	t.Run("a hanging hook times out as failed", func(t *testing.T) {
		h := &recHost{hang: true}
		e := newTestEngine(t, h, nil)
		rec, err := e.Handle(ctx, edrDetection("d8"))
		require.NoError(t, err)
		assert.Equal(t, ActionFailed, rec.Actions[0].Result)
		assert.Contains(t, rec.Actions[0].Error, "did not finish within 100ms")
		assert.Equal(t, PartiallyRemediated, rec.Status)
	})
	t.Run("cancelling mid-action ends in a recorded outcome", func(t *testing.T) {
		h := &recHost{hang: true}
		e := newTestEngine(t, h, func(c *Config) { c.Limits.ActionTimeout = time.Minute })
		cctx, cancel := context.WithCancel(ctx)
		go func() { time.Sleep(20 * time.Millisecond); cancel() }()
		rec, err := e.Handle(cctx, edrDetection("d9"))
		require.NoError(t, err)
		assert.Equal(t, Cancelled, rec.Actions[0].Result)
		assert.Equal(t, Cancelled, rec.Actions[2].Result)
		assert.Equal(t, Failed, rec.Status)
		stored, err := e.Store().Get(ctx, "d9")
		require.NoError(t, err)
		assert.Equal(t, Failed, stored.Status, "stored despite the cancelled context")
	})
	t.Run("undo restores and records undone", func(t *testing.T) {
		h := &recHost{}
		e := newTestEngine(t, h, nil)
		_, err := e.Handle(ctx, edrDetection("d10"))
		require.NoError(t, err)
		rec, err := e.Undo(ctx, "d10", "alice@contoso.com")
		require.NoError(t, err)
		assert.Equal(t, Undone, rec.Status)
		assert.Len(t, h.restored, 2)
		_, err = e.Undo(ctx, "d10", "alice@contoso.com")
		assert.ErrorIs(t, err, ErrNotUndoable)
	})
	t.Run("bad input and closed engine", func(t *testing.T) {
		h := &recHost{}
		e := newTestEngine(t, h, nil)
		_, err := e.Handle(ctx, nil)
		assert.ErrorIs(t, err, ErrInvalidDetection)
		assert.ErrorIs(t, e.Submit(ctx, &detect.Detection{}), ErrInvalidDetection)
		require.NoError(t, e.Close(ctx))
		assert.ErrorIs(t, e.Submit(ctx, edrDetection("late")), ErrClosed)
		_, err = e.Handle(ctx, edrDetection("late"))
		assert.ErrorIs(t, err, ErrClosed)
		assert.NoError(t, e.Close(ctx), "idempotent")
	})
}

func TestEngineSubmitDrainsOnClose(t *testing.T) {
	h := &recHost{}
	e := newTestEngine(t, h, func(c *Config) { c.Limits.QueueSize = 4 })
	ctx := context.Background()
	for i := range 50 {
		require.NoError(t, e.Submit(ctx, edrDetection(fmt.Sprintf("s%d", i))))
	}
	require.NoError(t, e.Close(ctx))
	page, err := e.Store().(Querier).Query(ctx, Query{Limit: 1000})
	require.NoError(t, err)
	assert.Len(t, page.Records, 50)
	for _, r := range page.Records {
		assert.Equal(t, Blocked, r.Status)
	}
}

func TestEngineRejectWhenFull(t *testing.T) {
	h := &recHost{hang: true}
	e := newTestEngine(t, h, func(c *Config) {
		c.Limits = Limits{Workers: 1, QueueSize: 1, RejectWhenFull: true, ActionTimeout: 200 * time.Millisecond, Backoff: time.Millisecond}
	})
	ctx := context.Background()
	var full int
	for i := range 10 {
		if err := e.Submit(ctx, edrDetection(fmt.Sprintf("f%d", i))); errors.Is(err, ErrQueueFull) {
			full++
		} else {
			require.NoError(t, err)
		}
	}
	assert.Positive(t, full, "back-pressure is explicit")
	require.NoError(t, e.Close(ctx))
}

func TestEngineRecoversWriteAhead(t *testing.T) {
	ctx := context.Background()
	store := new(MemStore)
	// A record left in progress by a crash after its first action.
	det := edrDetection("crash-1")
	h := &recHost{}
	first := newTestEngine(t, h, func(c *Config) { c.Store = store; c.Mode = Audit })
	rec, err := first.Handle(ctx, det)
	require.NoError(t, err)
	rec.Status, rec.Mode = InProgress, Enforce
	for i := range rec.Actions {
		rec.Actions[i].Result = Pending
	}
	rec.Actions[0].Result = Succeeded
	require.NoError(t, store.Put(ctx, rec))

	second := newTestEngine(t, h, func(c *Config) { c.Store = store })
	got, err := store.Get(ctx, "crash-1")
	require.NoError(t, err)
	assert.Equal(t, Blocked, got.Status, "resolved on start")
	assert.Equal(t, "resumed after an interruption", got.Note)
	assert.Equal(t, []string{`quarantine C:\Users\alex\Downloads\invoice.exe`, `quarantine C:\Users\alex\AppData\Local\Temp\payload.dll`}, h.Calls(),
		"the finished stop is not run again")
	_ = second
}

func TestEngineAuditModeNeverResumesHooks(t *testing.T) {
	ctx := context.Background()
	store := new(MemStore)
	h := &recHost{}
	seed := newTestEngine(t, h, func(c *Config) { c.Store = store; c.Mode = Audit })
	rec, err := seed.Handle(ctx, edrDetection("left-1"))
	require.NoError(t, err)
	rec.Status, rec.Mode = InProgress, Enforce // an enforcing run died mid-way
	for i := range rec.Actions {
		rec.Actions[i].Result = Pending
	}
	require.NoError(t, store.Put(ctx, rec))
	newTestEngine(t, h, func(c *Config) { c.Store = store; c.Mode = Audit })
	got, err := store.Get(ctx, "left-1")
	require.NoError(t, err)
	assert.Equal(t, WouldBlock, got.Status, "nothing was done: what audit mode makes of it")
	assert.Empty(t, h.Calls(), "an audit engine calls no hook, even to resume")
	for _, a := range got.Actions {
		assert.Equal(t, Skipped, a.Result)
	}
}

// TestEngineAuditResumeKeepsWhatTheEnforcingRunDid: an audit engine
// resuming a record whose enforcing run had called a hook (that failed)
// keeps it an enforcing record: a hook did run, so it is no audit's.
func TestEngineAuditResumeKeepsWhatTheEnforcingRunDid(t *testing.T) {
	ctx := context.Background()
	store := new(MemStore)
	h := &recHost{}
	seed := newTestEngine(t, h, func(c *Config) { c.Store = store; c.Mode = Audit })
	rec, err := seed.Handle(ctx, edrDetection("left-2"))
	require.NoError(t, err)
	rec.Status, rec.Mode = InProgress, Enforce
	for i := range rec.Actions {
		rec.Actions[i].Result = Pending
	}
	rec.Actions[0].Result, rec.Actions[0].Error, rec.Actions[0].Attempts = ActionFailed, "access denied", 1
	require.NoError(t, store.Put(ctx, rec))
	newTestEngine(t, h, func(c *Config) { c.Store = store; c.Mode = Audit })
	got, err := store.Get(ctx, "left-2")
	require.NoError(t, err)
	assert.Equal(t, Enforce, got.Mode, "a hook ran in the enforcing run")
	assert.Equal(t, Failed, got.Status)
	assert.Equal(t, ActionFailed, got.Actions[0].Result)
	for _, a := range got.Actions[1:] {
		assert.Equal(t, Skipped, a.Result)
	}
	assert.Empty(t, h.Calls(), "an audit engine calls no hook, even to resume")
}

func TestRecoverOnARunningEngineRunsHooksOnce(t *testing.T) {
	ctx := context.Background()
	store := new(MemStore)
	h := &recHost{}
	e := newTestEngine(t, h, func(c *Config) { c.Store = store })
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); _, _ = e.Handle(ctx, edrDetection("r-1")) }()
	go func() { defer wg.Done(); _, _ = e.Recover(ctx) }()
	wg.Wait()
	assert.Len(t, h.Calls(), 3)
}

func TestMemStoreRejectsInvalidRecords(t *testing.T) {
	var s MemStore
	assert.ErrorIs(t, s.Put(context.Background(), Record{Status: Blocked}), ErrInvalidRecord)
	assert.ErrorIs(t, s.Put(context.Background(), Record{ID: "x"}), ErrInvalidRecord)
	_, err := s.Get(context.Background(), "x")
	assert.ErrorIs(t, err, ErrNotFound)
}

func TestEngineResumesCancelledActionsWhenHandedInAgain(t *testing.T) {
	ctx := context.Background()
	h := &recHost{}
	e := newTestEngine(t, h, nil)
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	rec, err := e.Handle(cancelled, edrDetection("c-1"))
	require.NoError(t, err)
	assert.Equal(t, Failed, rec.Status)
	assert.Empty(t, h.Calls())
	rec, err = e.Handle(ctx, edrDetection("c-1"))
	require.NoError(t, err)
	assert.Equal(t, Blocked, rec.Status, "not lost: the cancelled actions ran")
	assert.Equal(t, "resumed after a cancellation", rec.Note)
	assert.Len(t, h.Calls(), 3)
	_, err = e.Handle(ctx, edrDetection("c-1"))
	require.NoError(t, err)
	assert.Len(t, h.Calls(), 3, "and only once")
}

func TestEngineDecidesOnBlockModeNow(t *testing.T) {
	h := &recHost{}
	var hist History
	_, err := hist.SetTenant(admin, true, at(0))
	require.NoError(t, err)
	_, err = hist.SetTenant(admin, false, at(time.Hour))
	require.NoError(t, err)
	e := newTestEngine(t, h, func(c *Config) { c.Settings = &hist }) // clock at 3h: off for 2h
	det := edrDetection("late-1")
	det.Time = at(time.Hour + time.Minute) // created while block mode was still on
	rec, err := e.Handle(context.Background(), det)
	require.NoError(t, err)
	assert.Equal(t, Detected, rec.Status, "the engine acts now, under the settings that hold now")
	assert.Empty(t, h.Calls())
}

func TestCloseTwiceWaitsBoth(t *testing.T) {
	h := &recHost{}
	e := newTestEngine(t, h, nil)
	require.NoError(t, e.Submit(context.Background(), edrDetection("w-1")))
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			assert.NoError(t, e.Close(context.Background()))
			rec, err := e.Store().Get(context.Background(), "w-1")
			assert.NoError(t, err)
			assert.True(t, rec.Status.Terminal(), "every Close returns after the engine stopped")
		}()
	}
	wg.Wait()
	_, err := e.Recover(context.Background())
	assert.ErrorIs(t, err, ErrClosed)
}

// TestCloseWhileHandling: Close waits for every Handle that got in before
// it, each of which ends in its record, and refuses every Handle after it:
// no record is written once Close has returned.
func TestCloseWhileHandling(t *testing.T) {
	for round := range 20 {
		e := newTestEngine(t, &recHost{}, nil)
		ctx := context.Background()
		var (
			wg      sync.WaitGroup
			mu      sync.Mutex
			handled []string
			refused int
		)
		for g := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; ; i++ {
					id := fmt.Sprintf("c%d-%d-%d", round, g, i)
					rec, err := e.Handle(ctx, edrDetection(id))
					if errors.Is(err, ErrClosed) {
						mu.Lock()
						refused++
						mu.Unlock()
						return
					}
					if !assert.NoError(t, err) {
						return
					}
					assert.True(t, rec.Status.Terminal())
					mu.Lock()
					handled = append(handled, id)
					mu.Unlock()
				}
			}()
		}
		time.Sleep(time.Duration(round%5) * time.Millisecond)
		require.NoError(t, e.Close(ctx))
		stored := e.Store().(*MemStore).Len()
		wg.Wait()
		assert.Equal(t, 8, refused, "each goroutine's last Handle is refused")
		assert.Equal(t, stored, e.Store().(*MemStore).Len(), "no record written after Close returned")
		assert.Len(t, handled, stored, "a record for each Handle that got in, and none for those refused")
		for _, id := range handled {
			rec, err := e.Store().Get(ctx, id)
			if assert.NoError(t, err, id) {
				assert.True(t, rec.Status.Terminal(), id)
			}
		}
	}
}

// TestMemStoreLimit: a bounded memory store drops its oldest finished
// records, never one in progress, and counts a record once however often
// it is written.
func TestMemStoreLimit(t *testing.T) {
	ctx := context.Background()
	s := &MemStore{Limit: 3}
	put := func(id string, st RecordStatus) {
		t.Helper()
		require.NoError(t, s.Put(ctx, Record{ID: id, Status: st, Received: at(0)}))
	}
	put("pending", InProgress)
	for i := range 5 {
		put(fmt.Sprintf("r%d", i), Blocked)
		put(fmt.Sprintf("r%d", i), Blocked) // a second write of the same record
	}
	assert.Equal(t, 3, s.Len())
	for _, id := range []string{"pending", "r3", "r4"} {
		_, err := s.Get(ctx, id)
		assert.NoError(t, err, id)
	}
	for _, id := range []string{"r0", "r1", "r2"} {
		_, err := s.Get(ctx, id)
		assert.ErrorIs(t, err, ErrNotFound, id)
	}
	// Once finished, the oldest record goes first.
	put("pending", Blocked)
	put("r5", Blocked)
	_, err := s.Get(ctx, "pending")
	assert.ErrorIs(t, err, ErrNotFound)
	assert.Equal(t, 3, s.Len())

	// Every record in progress: none is dropped, and Put still returns.
	all := &MemStore{Limit: 2}
	for i := range 4 {
		require.NoError(t, all.Put(ctx, Record{ID: fmt.Sprint(i), Status: InProgress}))
	}
	assert.Equal(t, 4, all.Len())
}

// TestMemStoreReuseSharesNothing: a bounded memory store stores new
// records in the memory of those it dropped; nothing handed in or out
// before (a record Put, or one from Get or Query) changes when it does.
func TestMemStoreReuseSharesNothing(t *testing.T) {
	ctx := context.Background()
	s := &MemStore{Limit: 2}
	rec := func(i int) Record {
		acts := make([]ActionRecord, 1+i%3)
		for j := range acts {
			acts[j] = ActionRecord{Action: remediate.Action{Kind: remediate.Quarantine, Path: fmt.Sprintf(`C:\r%d\a%d.exe`, i, j)}, Result: Succeeded, QuarantineID: fmt.Sprintf("q-%d-%d", i, j), Attempts: 1}
		}
		return Record{ID: fmt.Sprintf("r%d", i), DeviceID: fmt.Sprintf("dev-%d", i), Status: Blocked, Received: at(time.Duration(i) * time.Second), Actions: acts, Revision: 1}
	}
	// want is record i as last written.
	want := func(i int) Record {
		r := rec(i)
		r.Revision++
		for j := range r.Actions {
			r.Actions[j].Attempts++
		}
		return r
	}
	var put, got []Record // as handed in, and as handed out
	for i := range 40 {
		r := rec(i)
		put = append(put, r)
		require.NoError(t, s.Put(ctx, r))
		// A second write, as the engine's final one: the same id, its
		// actions done again.
		again := rec(i)
		again.Revision++
		for j := range again.Actions {
			again.Actions[j].Attempts++
		}
		require.NoError(t, s.Put(ctx, again))
		g, err := s.Get(ctx, r.ID)
		require.NoError(t, err)
		got = append(got, g)
		page, err := s.Query(ctx, Query{})
		require.NoError(t, err)
		got = append(got, page.Records...)
		require.LessOrEqual(t, s.Len(), 2)
	}
	for i, r := range put {
		assert.Empty(t, cmp.Diff(rec(i), r), "record %d as handed in", i)
	}
	for _, g := range got {
		var i int
		_, err := fmt.Sscanf(g.ID, "r%d", &i)
		require.NoError(t, err)
		assert.Empty(t, cmp.Diff(want(i), g), "record %s as handed out", g.ID)
	}
	// The survivors are whole: two of the last records.
	for _, id := range []string{"r38", "r39"} {
		g, err := s.Get(ctx, id)
		require.NoError(t, err)
		var i int
		_, _ = fmt.Sscanf(id, "r%d", &i)
		assert.Empty(t, cmp.Diff(want(i), g), id)
	}
}

// TestEngineOnABoundedMemStore: the engine on a bounded memory store keeps
// the limit over many detections, and each is handled once.
func TestEngineOnABoundedMemStore(t *testing.T) {
	h := &recHost{}
	store := &MemStore{Limit: 50}
	e := newTestEngine(t, h, func(c *Config) { c.Store = store })
	for i := range 500 {
		rec, err := e.Handle(context.Background(), edrDetection(fmt.Sprintf("b-%d", i)))
		require.NoError(t, err)
		require.Equal(t, Blocked, rec.Status)
	}
	assert.Equal(t, 50, store.Len())
	assert.Len(t, h.Calls(), 3*500)
}

// TestMemStoreConcurrentLimit: writers and readers at once on a bounded
// memory store (the order it drops records in is TestMemStoreLimit's).
// Afterwards it holds exactly Limit records, every record left in
// progress among them, each whole, and Len agrees with what a query finds.
func TestMemStoreConcurrentLimit(t *testing.T) {
	ctx := context.Background()
	const writers, each, limit = 8, 400, 100
	s := &MemStore{Limit: limit}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	readerErr := make(chan error, 1)
	go func() { // a reader throughout
		defer close(readerErr)
		for {
			select {
			case <-stop:
				return
			default:
			}
			page, err := s.Query(ctx, Query{Limit: 10 * limit})
			if err != nil {
				readerErr <- err
				return
			}
			for _, r := range page.Records {
				if _, err := s.Get(ctx, r.ID); err != nil && !errors.Is(err, ErrNotFound) {
					readerErr <- err
					return
				}
			}
		}
	}()
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				id := fmt.Sprintf("w%d-%04d", w, i)
				r := Record{ID: id, DeviceID: fmt.Sprint(w), Status: InProgress, Received: at(time.Duration(i) * time.Second), Actions: make([]ActionRecord, 1+i%3)}
				if !assert.NoError(t, s.Put(ctx, r)) {
					return
				}
				if i%100 == 7 {
					continue // left in progress: never dropped
				}
				r.Status, r.Revision = Blocked, 2
				if !assert.NoError(t, s.Put(ctx, r)) {
					return
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	require.NoError(t, <-readerErr)

	pending := writers * each / 100
	page, err := s.Query(ctx, Query{Limit: 10 * limit})
	require.NoError(t, err)
	assert.Equal(t, limit, len(page.Records))
	assert.Equal(t, limit, s.Len())
	inProgress := 0
	for _, r := range page.Records {
		var w, i int
		_, err := fmt.Sscanf(r.ID, "w%d-%d", &w, &i)
		require.NoError(t, err)
		assert.Len(t, r.Actions, 1+i%3, r.ID)
		assert.Equal(t, fmt.Sprint(w), r.DeviceID, r.ID)
		if r.Status == InProgress {
			assert.Equal(t, 7, i%100, "%s is left in progress", r.ID)
			inProgress++
			continue
		}
		assert.Equal(t, Blocked, r.Status, r.ID)
		assert.Equal(t, 2, r.Revision, r.ID)
	}
	assert.Equal(t, pending, inProgress)
}

// TestMemStoreCountsWhatItShows: what Get shows, Len and the eviction line
// agree with, even while a Put is under way on another goroutine.
func TestMemStoreCountsWhatItShows(t *testing.T) {
	ctx := context.Background()
	const rounds = 2000
	// waitFor spins until Get finds id.
	waitFor := func(s *MemStore, id string) {
		for _, err := s.Get(ctx, id); err != nil; _, err = s.Get(ctx, id) {
			runtime.Gosched()
		}
	}
	for _, limit := range []int{0, 1} {
		t.Run(fmt.Sprintf("Len counts a record Get has found, limit %d", limit), func(t *testing.T) {
			for i := range rounds {
				s := &MemStore{Limit: limit}
				done := make(chan error, 1)
				go func() { done <- s.Put(ctx, Record{ID: "x", Status: Blocked}) }()
				waitFor(s, "x")
				require.Equal(t, 1, s.Len(), "round %d", i)
				require.NoError(t, <-done)
			}
		})
	}
	t.Run("a record Get has found is older than one stored after", func(t *testing.T) {
		for i := range rounds {
			s := &MemStore{Limit: 1}
			done := make(chan error, 1)
			go func() { done <- s.Put(ctx, Record{ID: "x", Status: Blocked}) }()
			waitFor(s, "x")
			require.NoError(t, s.Put(ctx, Record{ID: "y", Status: Blocked}))
			require.NoError(t, <-done)
			_, err := s.Get(ctx, "y")
			require.NoError(t, err, "round %d: y dropped, though x was stored first", i)
			_, err = s.Get(ctx, "x")
			require.ErrorIs(t, err, ErrNotFound, "round %d", i)
		}
	})
	t.Run("Len and Query never go over the limit", func(t *testing.T) {
		s := &MemStore{Limit: 1}
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for w := range 2 {
			wg.Go(func() {
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					assert.NoError(t, s.Put(ctx, Record{ID: fmt.Sprintf("w%d-%d", w, i), Status: Blocked}))
				}
			})
		}
		defer func() { close(stop); wg.Wait() }()
		for i := range 20 * rounds {
			require.LessOrEqual(t, s.Len(), 1, "Len, read %d", i)
			if i%100 == 0 {
				page, err := s.Query(ctx, Query{})
				require.NoError(t, err)
				require.LessOrEqual(t, len(page.Records), 1, "Query, read %d", i)
			}
		}
	})
}
