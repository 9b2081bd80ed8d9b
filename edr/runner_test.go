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

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blockmode/blockmode/remediate"
)

// durableStore is a MemStore that does not say it is volatile, as a
// durable store does not, and keeps every write.
type durableStore struct {
	mem    MemStore
	mu     sync.Mutex
	writes []Record
}

func (s *durableStore) Put(ctx context.Context, r Record) error {
	if err := s.mem.Put(ctx, r); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.writes = append(s.writes, r.Clone())
	return nil
}

func (s *durableStore) Get(ctx context.Context, id string) (Record, error) {
	return s.mem.Get(ctx, id)
}

func (s *durableStore) Writes() []Record {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Record(nil), s.writes...)
}

// storeCheckingHost checks, at each hook call, what the store holds.
type storeCheckingHost struct {
	store Store
	mu    sync.Mutex
	seen  []Record // the stored record at each call
}

func (h *storeCheckingHost) look(ctx context.Context, id string) {
	rec, err := h.store.Get(ctx, id)
	h.mu.Lock()
	defer h.mu.Unlock()
	if err == nil {
		h.seen = append(h.seen, rec)
	} else {
		h.seen = append(h.seen, Record{})
	}
}

func (h *storeCheckingHost) StopProcess(ctx context.Context, a remediate.Action) error {
	h.look(ctx, a.DetectionID)
	return nil
}

func (h *storeCheckingHost) Quarantine(ctx context.Context, a remediate.Action) (string, error) {
	h.look(ctx, a.DetectionID)
	return "q-" + a.Path, nil
}

func TestEngineRecordWrites(t *testing.T) {
	ctx := context.Background()
	t.Run("a durable store gets the record after each action, so no finished action runs twice after a crash", func(t *testing.T) {
		store := new(durableStore)
		h := &storeCheckingHost{store: store}
		e := newTestEngine(t, &recHost{}, func(c *Config) { c.Store = store; c.Hooks = Hooks{StopProcess: h, Quarantine: h} })
		rec, err := e.Handle(ctx, edrDetection("w1"))
		require.NoError(t, err)
		require.Equal(t, Blocked, rec.Status)
		writes := store.Writes()
		require.Len(t, writes, 4, "ahead, after the first and second of three actions, at the end")
		for i, w := range writes {
			assert.Equal(t, i+1, w.Revision)
		}
		assert.Equal(t, []ActionResult{Pending, Pending, Pending}, actionResults(writes[0]))
		assert.Equal(t, []ActionResult{Succeeded, Pending, Pending}, actionResults(writes[1]))
		assert.Equal(t, []ActionResult{Succeeded, Succeeded, Pending}, actionResults(writes[2]))
		assert.Equal(t, Blocked, writes[3].Status)
		require.Len(t, h.seen, 3)
		for i, seen := range h.seen {
			assert.Equal(t, InProgress, seen.Status, "call %d: the record is written ahead", i)
			assert.Equal(t, actionResults(writes[i]), actionResults(seen), "call %d: every earlier action's result is stored", i)
		}
	})
	t.Run("a volatile store gets the record ahead of the first action and at the end", func(t *testing.T) {
		store := new(MemStore)
		h := &storeCheckingHost{store: store}
		e := newTestEngine(t, &recHost{}, func(c *Config) { c.Store = store; c.Hooks = Hooks{StopProcess: h, Quarantine: h} })
		rec, err := e.Handle(ctx, edrDetection("w2"))
		require.NoError(t, err)
		require.Equal(t, Blocked, rec.Status)
		assert.Equal(t, 2, rec.Revision)
		require.Len(t, h.seen, 3)
		for i, seen := range h.seen {
			assert.Equal(t, InProgress, seen.Status, "call %d: the record is written ahead", i)
			assert.Equal(t, 1, seen.Revision)
		}
	})
}

func actionResults(r Record) []ActionResult {
	out := make([]ActionResult, len(r.Actions))
	for i, a := range r.Actions {
		out[i] = a.Result
	}
	return out
}

// funcHost runs a function for each hook call.
type funcHost func(ctx context.Context) error

func (f funcHost) StopProcess(ctx context.Context, _ remediate.Action) error { return f(ctx) }
func (f funcHost) Quarantine(ctx context.Context, a remediate.Action) (string, error) {
	if err := f(ctx); err != nil {
		return "", err
	}
	return "q-" + a.Path, nil
}

func TestEngineHookCalls(t *testing.T) {
	ctx := context.Background()
	t.Run("a hook that ignores its context is abandoned after the timeout and the grace", func(t *testing.T) {
		release := make(chan struct{})
		var entered atomic.Int32
		h := funcHost(func(context.Context) error { entered.Add(1); <-release; return nil })
		e := newTestEngine(t, &recHost{}, func(c *Config) {
			c.Hooks = Hooks{StopProcess: h, Quarantine: h}
			c.Limits.ActionTimeout, c.Limits.HookGrace = 20*time.Millisecond, 20*time.Millisecond
		})
		start := time.Now()
		rec, err := e.Handle(ctx, edrDetection("h1"))
		require.NoError(t, err)
		assert.Less(t, time.Since(start), 5*time.Second)
		assert.Equal(t, Failed, rec.Status)
		for _, a := range rec.Actions[:1] {
			assert.Equal(t, ActionFailed, a.Result)
			assert.Contains(t, a.Error, "abandoned, outcome unknown")
		}
		assert.Equal(t, []ActionResult{ActionFailed, Skipped, ActionFailed}, actionResults(rec))
		assert.Equal(t, int32(2), entered.Load(), "each call runs on a runner of its own")
		close(release)
		require.NoError(t, e.Close(ctx))
	})
	t.Run("the hook's context carries the deadline and the caller's values, and ends at the timeout", func(t *testing.T) {
		type key struct{}
		var got struct {
			sync.Mutex
			deadline  time.Duration
			value     any
			err, late error
			cause     error
		}
		h := funcHost(func(ctx context.Context) error {
			got.Lock()
			defer got.Unlock()
			d, _ := ctx.Deadline()
			got.deadline = time.Until(d)
			got.value = ctx.Value(key{})
			got.err = ctx.Err()
			child, cancel := context.WithCancel(ctx)
			defer cancel()
			<-child.Done()
			got.late, got.cause = ctx.Err(), context.Cause(child)
			return ctx.Err()
		})
		e := newTestEngine(t, &recHost{}, func(c *Config) {
			c.Hooks = Hooks{StopProcess: h}
			c.Limits.ActionTimeout = 50 * time.Millisecond
		})
		rec, err := e.Handle(context.WithValue(ctx, key{}, "v"), edrDetection("h2"))
		require.NoError(t, err)
		assert.Equal(t, ActionFailed, rec.Actions[0].Result)
		assert.Contains(t, rec.Actions[0].Error, "did not finish within 50ms")
		got.Lock()
		defer got.Unlock()
		assert.InDelta(t, 50*time.Millisecond, got.deadline, float64(40*time.Millisecond))
		assert.Equal(t, "v", got.value)
		assert.NoError(t, got.err)
		assert.ErrorIs(t, got.late, context.DeadlineExceeded)
		assert.ErrorIs(t, got.cause, context.DeadlineExceeded)
	})
	t.Run("the caller's cancellation reaches the hook's context", func(t *testing.T) {
		h := funcHost(func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() })
		e := newTestEngine(t, &recHost{}, func(c *Config) {
			c.Hooks = Hooks{StopProcess: h, Quarantine: h}
			c.Limits.ActionTimeout = time.Minute
		})
		cctx, cancel := context.WithCancel(ctx)
		time.AfterFunc(20*time.Millisecond, cancel)
		rec, err := e.Handle(cctx, edrDetection("h3"))
		require.NoError(t, err)
		assert.Equal(t, []ActionResult{Cancelled, Cancelled, Cancelled}, actionResults(rec))
		assert.Equal(t, context.Canceled.Error(), rec.Actions[0].Error)
	})
	t.Run("close with a deadline cancels a hook called through Handle with a context that never ends", func(t *testing.T) {
		h := funcHost(func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() })
		e := newTestEngine(t, &recHost{}, func(c *Config) {
			c.Hooks = Hooks{StopProcess: h, Quarantine: h}
			c.Limits.ActionTimeout = time.Minute
		})
		done := make(chan Record, 1)
		go func() {
			rec, err := e.Handle(ctx, edrDetection("h4"))
			assert.NoError(t, err)
			done <- rec
		}()
		time.Sleep(20 * time.Millisecond)
		cctx, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
		defer cancel()
		assert.ErrorIs(t, e.Close(cctx), context.DeadlineExceeded)
		rec := <-done
		assert.Equal(t, []ActionResult{Cancelled, Cancelled, Cancelled}, actionResults(rec))
	})
	t.Run("runners are reused, let go when idle, and Close stops them", func(t *testing.T) {
		before := runtime.NumGoroutine()
		e := newTestEngine(t, &recHost{}, nil)
		const n = 100
		for i := range n {
			_, err := e.Handle(ctx, edrDetection(fmt.Sprint("r", i)))
			require.NoError(t, err)
		}
		// One after another, the handlings share a runner or two (or,
		// under the race detector, whose sync.Pool lets go of a quarter
		// of what it is given, about n/4).
		assert.Less(t, e.runners.made.Load(), int64(n/2), "runners are reused")
		assert.LessOrEqual(t, runtime.NumGoroutine()-before, 2+1+int(e.runners.made.Load()), "the workers, the watcher and the runners")
		// Runners idle over two collections stop.
		assert.Eventually(t, func() bool {
			runtime.GC()
			e.runners.mu.Lock()
			defer e.runners.mu.Unlock()
			return len(e.runners.all) == 0
		}, 5*time.Second, 10*time.Millisecond, "idle runners are let go")
		for deadline := time.Now().Add(5 * time.Second); runtime.NumGoroutine()-before > 2+1 && time.Now().Before(deadline); {
			time.Sleep(time.Millisecond)
		}
		assert.LessOrEqual(t, runtime.NumGoroutine()-before, 2+1, "their goroutines end: the workers and the watcher are left")
		// And a runner is started again when needed.
		_, err := e.Handle(ctx, edrDetection("r-again"))
		require.NoError(t, err)
		require.NoError(t, e.Close(ctx))
		for deadline := time.Now().Add(time.Second); runtime.NumGoroutine() > before && time.Now().Before(deadline); {
			time.Sleep(time.Millisecond)
		}
		assert.LessOrEqual(t, runtime.NumGoroutine(), before, "no goroutine left after Close")
	})
	t.Run("the watcher waits while no runner is busy, and a start wakes it", func(t *testing.T) {
		release := make(chan struct{})
		defer close(release)
		var hang atomic.Bool
		h := funcHost(func(context.Context) error {
			if hang.Load() {
				<-release // ignoring its context
			}
			return nil
		})
		e := newTestEngine(t, &recHost{}, func(c *Config) {
			c.Hooks = Hooks{StopProcess: h, Quarantine: h}
			c.Limits.ActionTimeout, c.Limits.HookGrace = 20*time.Millisecond, 20*time.Millisecond
		})
		for i := range 3 {
			rec, err := e.Handle(ctx, edrDetection(fmt.Sprint("w", i)))
			require.NoError(t, err)
			require.Equal(t, Blocked, rec.Status)
			require.Eventually(t, e.runners.parked.Load, 5*time.Second, time.Millisecond, "the watcher waits once the runners are idle")
		}
		// Only the watcher wakes a caller whose hook ignores its context:
		// the start must have woken it.
		hang.Store(true)
		start := time.Now()
		rec, err := e.Handle(ctx, edrDetection("w-hang"))
		require.NoError(t, err)
		assert.Less(t, time.Since(start), 5*time.Second)
		assert.Contains(t, rec.Actions[0].Error, "abandoned, outcome unknown")
		assert.Eventually(t, e.runners.parked.Load, 5*time.Second, time.Millisecond, "and waits again after")
	})
	t.Run("the watcher wakes the caller of a slow handling once", func(t *testing.T) {
		h := funcHost(func(context.Context) error { time.Sleep(150 * time.Millisecond); return nil })
		e := newTestEngine(t, &recHost{}, func(c *Config) {
			c.Hooks = Hooks{StopProcess: h}
			c.Limits.ActionTimeout = time.Minute // the watcher looks every 5 ms
		})
		det := edrDetection("slow")
		det.Evidence = det.Evidence[:1] // one stop, and a quarantine skipped: no hook
		rec, err := e.Handle(ctx, det)
		require.NoError(t, err)
		require.Equal(t, Succeeded, rec.Actions[0].Result)
		assert.Equal(t, int64(1), e.runners.wakes.Load(), "one wake-up call, not one per look")
	})
	t.Run("a hook that honours its context is given the whole grace", func(t *testing.T) {
		// Abandonment is decided on the clock, not on which wake-up came
		// first (the watcher's, the timer's, or a stale timer value with
		// GODEBUG=asynctimerchan=1).
		h := funcHost(func(ctx context.Context) error {
			<-ctx.Done()
			time.Sleep(3 * time.Millisecond) // winding down
			return ctx.Err()
		})
		e := newTestEngine(t, &recHost{}, func(c *Config) {
			c.Hooks = Hooks{StopProcess: h, Quarantine: h}
			c.Limits.ActionTimeout, c.Limits.HookGrace = 7*time.Millisecond, 200*time.Millisecond
		})
		var wg sync.WaitGroup
		for g := range 16 {
			wg.Go(func() {
				for i := range 10 {
					rec, err := e.Handle(ctx, edrDetection(fmt.Sprintf("g-%d-%d", g, i)))
					if !assert.NoError(t, err) {
						return
					}
					for _, a := range rec.Actions {
						assert.NotContains(t, a.Error, "abandoned", "%s: abandoned before its grace ran out", rec.ID)
					}
				}
			})
		}
		wg.Wait()
	})
	t.Run("the caller's cancellation during the grace does not cut it short", func(t *testing.T) {
		returned := make(chan time.Time, 1)
		h := funcHost(func(ctx context.Context) error {
			<-ctx.Done()
			time.Sleep(60 * time.Millisecond) // winding down, within the grace
			returned <- time.Now()
			return ctx.Err()
		})
		e := newTestEngine(t, &recHost{}, func(c *Config) {
			c.Hooks = Hooks{StopProcess: h}
			c.Limits.ActionTimeout, c.Limits.HookGrace = 10*time.Millisecond, time.Minute
		})
		cctx, cancel := context.WithCancel(ctx)
		defer cancel()
		time.AfterFunc(40*time.Millisecond, cancel) // in the grace
		det := edrDetection("grace-cancel")
		det.Evidence = det.Evidence[:1]
		rec, err := e.Handle(cctx, det)
		require.NoError(t, err)
		select {
		case <-returned:
		default:
			t.Fatalf("Handle returned before the hook did: %+v", rec.Actions[0])
		}
		assert.NotContains(t, rec.Actions[0].Error, "abandoned")
	})
	t.Run("a panic in a hook is recorded and the runner goes on", func(t *testing.T) {
		var n atomic.Int32
		h := funcHost(func(context.Context) error {
			if n.Add(1) == 1 {
				panic(errors.New("boom"))
			}
			return nil
		})
		e := newTestEngine(t, &recHost{}, func(c *Config) { c.Hooks = Hooks{StopProcess: h, Quarantine: h} })
		rec, err := e.Handle(ctx, edrDetection("p1"))
		require.NoError(t, err)
		assert.Equal(t, "boom", rec.Actions[0].Panic)
		assert.Contains(t, rec.Actions[0].Stack, "funcHost")
		assert.Equal(t, PartiallyRemediated, rec.Status)
		rec, err = e.Handle(ctx, edrDetection("p2"))
		require.NoError(t, err)
		assert.Equal(t, Blocked, rec.Status)
	})
	t.Run("an abandoned action is written before the rest of the actions run, in a durable store", func(t *testing.T) {
		release := make(chan struct{})
		defer close(release)
		store := new(durableStore)
		var calls atomic.Int32
		h := funcHost(func(context.Context) error {
			if calls.Add(1) == 1 {
				<-release // the stop hangs, ignoring its context
			}
			return nil
		})
		e := newTestEngine(t, &recHost{}, func(c *Config) {
			c.Store = store
			c.Hooks = Hooks{StopProcess: h, Quarantine: h}
			c.Limits.ActionTimeout, c.Limits.HookGrace = 20*time.Millisecond, 20*time.Millisecond
		})
		det := edrDetection("a1")
		det.Evidence = det.Evidence[:1] // a process: stop it, quarantine its image
		rec, err := e.Handle(ctx, det)
		require.NoError(t, err)
		assert.Equal(t, []ActionResult{ActionFailed, Skipped}, actionResults(rec))
		assert.Contains(t, rec.Actions[0].Error, "abandoned, outcome unknown")
		assert.False(t, rec.Actions[0].Finished.IsZero())
		writes := store.Writes()
		require.Len(t, writes, 3, "ahead, after the abandoned stop, at the end")
		assert.Equal(t, []ActionResult{ActionFailed, Pending}, actionResults(writes[1]))
		assert.Equal(t, rec, writes[2])
	})
	t.Run("a notifier that ignores its context is abandoned, and the record stands", func(t *testing.T) {
		release := make(chan struct{})
		defer close(release)
		h := &recHost{}
		n := notifyFunc(func(context.Context, Record) error { <-release; return nil })
		e := newTestEngine(t, h, func(c *Config) {
			c.Hooks.Notify = n
			c.Limits.ActionTimeout, c.Limits.HookGrace = 20*time.Millisecond, 20*time.Millisecond
		})
		rec, err := e.Handle(ctx, edrDetection("n1"))
		require.NoError(t, err)
		assert.Equal(t, Blocked, rec.Status)
		stored, err := e.Store().Get(ctx, "n1")
		require.NoError(t, err)
		assert.Equal(t, rec, stored)
	})
	t.Run("the notifier's record is its own", func(t *testing.T) {
		var got []Record
		n := notifyFunc(func(_ context.Context, r Record) error {
			got = append(got, r)
			r.Actions[0].Error = "changed by the notifier"
			return nil
		})
		e := newTestEngine(t, &recHost{}, func(c *Config) { c.Hooks.Notify = n })
		rec, err := e.Handle(ctx, edrDetection("n2"))
		require.NoError(t, err)
		undone, err := e.Undo(ctx, "n2", "alice@contoso.com")
		require.NoError(t, err)
		require.Len(t, got, 2, "told of the record, then of its undo")
		assert.Equal(t, Blocked, got[0].Status)
		assert.Equal(t, Undone, got[1].Status)
		for _, r := range []Record{rec, undone} {
			assert.Empty(t, r.Actions[0].Error, "the record returned")
		}
		stored, err := e.Store().Get(ctx, "n2")
		require.NoError(t, err)
		assert.Empty(t, stored.Actions[0].Error, "the record stored")
	})
	// A caller owns the record it is returned, to change as it likes,
	// even while an abandoned Notifier still runs: the Notifier's copy
	// was made before the call could be abandoned. (Under -race, these
	// fail if the copy is made in the call.)
	t.Run("the record of an abandoned notifier's Handle is the caller's", func(t *testing.T) {
		release := make(chan struct{})
		defer close(release)
		n := notifyFunc(func(context.Context, Record) error { <-release; return nil })
		e := newTestEngine(t, &recHost{}, func(c *Config) {
			c.Hooks.Notify = n
			c.Limits.ActionTimeout, c.Limits.HookGrace = 5*time.Millisecond, 5*time.Millisecond
		})
		rec, err := e.Handle(ctx, edrDetection("n3"))
		require.NoError(t, err)
		rec.Actions[0].Error = "the caller's own record"
		stored, err := e.Store().Get(ctx, "n3")
		require.NoError(t, err)
		assert.Empty(t, stored.Actions[0].Error)
	})
	t.Run("the record of an abandoned notifier's Undo is the caller's", func(t *testing.T) {
		release := make(chan struct{})
		defer close(release)
		var calls atomic.Int32
		n := notifyFunc(func(context.Context, Record) error {
			if calls.Add(1) > 1 { // the Handle's returns at once, the Undo's hangs
				<-release
			}
			return nil
		})
		e := newTestEngine(t, &recHost{}, func(c *Config) {
			c.Hooks.Notify = n
			c.Limits.ActionTimeout, c.Limits.HookGrace = 5*time.Millisecond, 5*time.Millisecond
		})
		_, err := e.Handle(ctx, edrDetection("n4"))
		require.NoError(t, err)
		undone, err := e.Undo(ctx, "n4", "alice@contoso.com")
		require.NoError(t, err)
		assert.Equal(t, Undone, undone.Status)
		undone.Actions[1].Error = "the caller's own record"
	})
	t.Run("a record the caller keeps does not keep the context its hooks were called with", func(t *testing.T) {
		e := newTestEngine(t, &recHost{}, nil)
		type key struct{}
		collected := make(chan struct{})
		// The caller's context holds a value the collector can reclaim
		// once nothing refers to the context.
		handle := func() Record {
			v := new([1 << 10]byte)
			runtime.AddCleanup(v, func(ch chan struct{}) { close(ch) }, collected)
			cctx, cancel := context.WithCancel(context.WithValue(ctx, key{}, v))
			defer cancel()
			rec, err := e.Handle(cctx, edrDetection("ctx1"))
			require.NoError(t, err)
			return rec
		}
		rec := handle()
		deadline := time.After(5 * time.Second)
		for done := false; !done; {
			runtime.GC()
			select {
			case <-collected:
				done = true
			case <-deadline:
				t.Fatal("the caller's context outlived its call, kept by the record returned")
			case <-time.After(10 * time.Millisecond):
			}
		}
		assert.Equal(t, Blocked, rec.Status)
		runtime.KeepAlive(rec)
	})
	t.Run("a hook that ignores a cancelled context is abandoned after the grace, and the rest is cancelled", func(t *testing.T) {
		release := make(chan struct{})
		defer close(release)
		h := funcHost(func(context.Context) error { <-release; return nil })
		e := newTestEngine(t, &recHost{}, func(c *Config) {
			c.Hooks = Hooks{StopProcess: h, Quarantine: h}
			c.Limits.ActionTimeout, c.Limits.HookGrace = time.Minute, 20*time.Millisecond
		})
		cctx, cancel := context.WithCancel(ctx)
		time.AfterFunc(20*time.Millisecond, cancel)
		start := time.Now()
		rec, err := e.Handle(cctx, edrDetection("c1"))
		require.NoError(t, err)
		assert.Less(t, time.Since(start), 10*time.Second)
		assert.Equal(t, []ActionResult{Cancelled, Cancelled, Cancelled}, actionResults(rec))
		assert.Equal(t, Failed, rec.Status)
	})
	t.Run("a hook's context ends when its call returns", func(t *testing.T) {
		kept := make(chan context.Context, 3)
		h := funcHost(func(ctx context.Context) error { kept <- ctx; return nil })
		e := newTestEngine(t, &recHost{}, func(c *Config) { c.Hooks = Hooks{StopProcess: h, Quarantine: h} })
		_, err := e.Handle(ctx, edrDetection("k1"))
		require.NoError(t, err)
		require.Len(t, kept, 3)
		for range 3 {
			c := <-kept
			assert.ErrorIs(t, c.Err(), context.Canceled)
			select {
			case <-c.Done():
			default:
				t.Error("the context of a finished call is not done")
			}
		}
	})
	t.Run("a panic outside the hooks reaches the caller, and the engine goes on", func(t *testing.T) {
		store := &panicStore{}
		e := newTestEngine(t, &recHost{}, func(c *Config) { c.Store = store })
		store.panicking.Store(true)
		assert.PanicsWithValue(t, "store exploded", func() { _, _ = e.Handle(ctx, edrDetection("s1")) })
		store.panicking.Store(false)
		rec, err := e.Handle(ctx, edrDetection("s2"))
		require.NoError(t, err)
		assert.Equal(t, Blocked, rec.Status)
	})
	t.Run("after such a panic the detection can be handed in again, and a call that waited for it gets ErrHandlingPanicked", func(t *testing.T) {
		store := &panicStore{entered: make(chan struct{}), release: make(chan struct{})}
		e := newTestEngine(t, &recHost{}, func(c *Config) { c.Store = store })
		store.panicking.Store(true)
		first := make(chan any, 1)
		go func() {
			defer func() { first <- recover() }()
			_, _ = e.Handle(ctx, edrDetection("s1"))
		}()
		<-store.entered // the first call is handling s1
		waited := make(chan error, 1)
		go func() {
			_, err := e.Handle(ctx, edrDetection("s1"))
			waited <- err
		}()
		require.Eventually(t, func() bool {
			sh := e.flights("s1")
			sh.mu.Lock()
			defer sh.mu.Unlock()
			return sh.handles["s1"] != nil // the second call waits for the first
		}, 5*time.Second, time.Millisecond)
		close(store.release)
		assert.Equal(t, "store exploded", <-first)
		select {
		case err := <-waited:
			assert.ErrorIs(t, err, ErrHandlingPanicked)
		case <-time.After(5 * time.Second):
			t.Fatal("the waiting call is still waiting")
		}
		store.panicking.Store(false)
		cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		rec, err := e.Handle(cctx, edrDetection("s1"))
		require.NoError(t, err)
		assert.Equal(t, Blocked, rec.Status)
	})
}

type notifyFunc func(context.Context, Record) error

func (f notifyFunc) Notify(ctx context.Context, r Record) error { return f(ctx, r) }

// panicStore is a MemStore whose Get can be made to panic. With entered
// and release set, a panicking Get first says it was entered and waits
// for release.
type panicStore struct {
	MemStore
	panicking        atomic.Bool
	entered, release chan struct{}
}

func (s *panicStore) Get(ctx context.Context, id string) (Record, error) {
	if s.panicking.Load() {
		if s.entered != nil {
			s.entered <- struct{}{}
			<-s.release
		}
		panic("store exploded")
	}
	return s.MemStore.Get(ctx, id)
}

// TestRealClockRecordsHaveNoMonotonicReading: on the real clock, every
// instant in a record is a plain wall-clock time, as the Clock gives it
// (the engine keeps the monotonic reading only for hook deadlines), so
// records compare equal with == after a store round trip.
func TestRealClockRecordsHaveNoMonotonicReading(t *testing.T) {
	var hist History // block mode turned on an hour ago
	_, err := hist.SetTenant(admin, true, time.Now().Add(-time.Hour))
	require.NoError(t, err)
	e, err := New(Config{Hooks: Hooks{StopProcess: noopHost{}, Quarantine: noopHost{}}, Device: eligible(), Settings: &hist})
	require.NoError(t, err)
	defer e.Close(context.Background())
	rec, err := e.Handle(context.Background(), edrDetection("mono"))
	require.NoError(t, err)
	require.Equal(t, Blocked, rec.Status)
	plain := func(what string, at time.Time) {
		t.Helper()
		assert.False(t, at.IsZero(), what)
		assert.True(t, at == at.Round(0), "%s carries a monotonic reading: %v", what, at)
	}
	plain("Received", rec.Received)
	plain("Decided", rec.Decided)
	plain("Finished", rec.Finished)
	for i, a := range rec.Actions {
		plain(fmt.Sprintf("action %d Started", i), a.Started)
		plain(fmt.Sprintf("action %d Finished", i), a.Finished)
	}
}
