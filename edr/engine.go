package edr

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/blockmode/blockmode/detect"
	"github.com/blockmode/blockmode/remediate"
)

// Errors the engine returns.
var (
	// ErrClosed reports a call after Close.
	ErrClosed = errors.New("edr: engine closed")
	// ErrQueueFull reports a Submit refused because the queue is full and
	// Limits.RejectWhenFull is set.
	ErrQueueFull = errors.New("edr: queue full")
	// ErrInvalidDetection reports a detection that cannot be recorded (nil,
	// or without an id).
	ErrInvalidDetection = errors.New("edr: invalid detection")
	// ErrNotUndoable reports an undo of a record with nothing to restore.
	ErrNotUndoable = errors.New("edr: nothing to undo")
	// ErrNotSupported reports an operation the host has no hook for.
	ErrNotSupported = errors.New("edr: not supported by host")
	// ErrHandlingPanicked is returned to the calls that waited for another
	// call's handling of the same detection when that handling panicked
	// outside the hook calls (in the Store, say). The panic itself
	// reaches the call that was handling the detection.
	ErrHandlingPanicked = errors.New("edr: the handling of the detection panicked")
)

// Limits bound the engine's work. Zero fields take the defaults.
type Limits struct {
	// Workers is the number of goroutines that process submitted
	// detections. Default 4.
	Workers int
	// QueueSize is how many submitted detections may wait. Default 1024.
	QueueSize int
	// RejectWhenFull makes Submit return ErrQueueFull at once when the
	// queue is full; by default Submit waits for room (or its context).
	RejectWhenFull bool
	// ActionTimeout bounds each hook call. Default 30s.
	ActionTimeout time.Duration
	// MaxAttempts bounds the calls to a hook whose errors are temporary.
	// Default 3.
	MaxAttempts int
	// Backoff is the wait before the second attempt; it doubles for each
	// further one, up to 5s. Default 100ms. Backoff waits use real time,
	// not the Clock.
	Backoff time.Duration
	// HookGrace is how long the engine still waits for a hook after
	// cancelling its context at the timeout. A hook that returns within
	// the grace has its result recorded, success included (the work was
	// done, late); one that does not is abandoned and its action recorded
	// as failed with the outcome unknown. Default 1s.
	HookGrace time.Duration
}

func (l Limits) withDefaults() Limits {
	if l.Workers <= 0 {
		l.Workers = 4
	}
	if l.QueueSize <= 0 {
		l.QueueSize = 1024
	}
	if l.ActionTimeout <= 0 {
		l.ActionTimeout = 30 * time.Second
	}
	if l.MaxAttempts <= 0 {
		l.MaxAttempts = 3
	}
	if l.Backoff <= 0 {
		l.Backoff = 100 * time.Millisecond
	}
	if l.HookGrace <= 0 {
		l.HookGrace = time.Second
	}
	return l
}

// Config configures an Engine.
type Config struct {
	// Hooks are the host's hooks; any may be nil.
	Hooks Hooks
	// Clock gives every timestamp recorded; nil means the real clock.
	Clock Clock
	// Store is the action history; nil means a new MemStore.
	Store Store
	// Exclusions are the device's antivirus exclusions (an
	// *exclusions.Matcher); nil means none.
	Exclusions remediate.Matcher
	// OtherAntivirus recognises the primary, non-Microsoft antivirus's
	// files, which are never acted on; nil means none known.
	OtherAntivirus remediate.Matcher
	// Indicators are the tenant's EDR indicators (recorded as ignored).
	Indicators []remediate.Indicator
	// Remediation holds the PUA protection and automated investigation
	// settings.
	Remediation remediate.Settings
	// Settings is the block-mode settings history; nil means block mode
	// has never been turned on.
	Settings *History
	// Device is the device's facts: its eligibility and running mode.
	Device DeviceFacts
	// Mode is Enforce (the default) or Audit.
	Mode Mode
	// Logger receives the engine's logs; nil means silent.
	Logger *slog.Logger
	// Limits bound the work.
	Limits Limits
}

// Engine runs the detection-to-action lifecycle: decide, act through the
// host's hooks, record. Every detection handed to it (by Handle or Submit)
// ends in exactly one terminal record, whatever the hooks do: fail, panic,
// hang or be cancelled. The same detection id handed in twice, or by two
// goroutines at once, gives one record and one set of hook calls.
//
// An Engine is safe for concurrent use. Close drains the queue and stops
// every goroutine the engine started (a hook that ignores its context and
// never returns is abandoned, and its action recorded as failed).
type Engine struct {
	// Read by every call, written by none after New, apart from state.
	cfg    Config
	limits Limits
	clock  Clock
	store  Store
	log    *slog.Logger
	queue  chan *detect.Detection
	ctx    context.Context // cancelled by Close when its deadline passes
	cancel context.CancelFunc
	// background is what bind makes of context.Background(), made once.
	background context.Context
	eligible   Result   // the device's eligibility under the settings' ruleset
	runners    *runners // run the hook calls
	state      atomic.Pointer[stateSpan]
	seed       maphash.Seed // of the ids' hashes, for the flights' shards
	// volatile is set for a store whose records do not outlive the
	// process: the writes after each action are skipped.
	volatile bool
	// realClock is set when the engine runs on the real clock.
	realClock bool

	// Written by every Handle, Undo and Recover, on a line of its own:
	// the calls under way, plus closing once Close has begun.
	_      [cacheLine]byte
	active atomic.Int64
	_      [cacheLine - unsafe.Sizeof(atomic.Int64{})]byte

	qmu       sync.RWMutex // guards closed and sending on queue
	closed    bool
	done      chan struct{} // closed when every goroutine has stopped
	callsDone chan struct{} // closed when no call is under way after Close began
	idleOnce  sync.Once     // closes callsDone
	wg        sync.WaitGroup
	undoMu    sync.Mutex // serialises Undo: one restore per quarantine

	// inflight holds the handlings under way by id, in shards, each on a
	// line of its own: two calls seldom share one.
	inflight [flightShards]flightShard
}

// closing is set in Engine.active once Close has begun.
const closing = 1 << 62

// flightShards is the number of an engine's shards of flights, a power of
// two.
const flightShards = 32

// flightShard is the handlings under way whose ids hash to it.
type flightShard struct {
	flightShardData
	_ [cacheLine - unsafe.Sizeof(flightShardData{})%cacheLine]byte
}

type flightShardData struct {
	mu      sync.Mutex
	handles map[string]*flight // made at first use
}

// flights returns the shard of the handlings of id.
func (e *Engine) flights(id string) *flightShard {
	return &e.inflight[maphash.String(e.seed, id)&(flightShards-1)]
}

// flight is a handling of one detection id that other calls wait for. A
// handling nobody waits for has none: its entry in inflight is nil.
type flight struct {
	done chan struct{} // closed when rec and err are set
	rec  Record
	err  error
}

// New returns a running engine. It first resolves the records a previous
// run left in progress (see [Engine.Recover]), then starts its workers.
func New(cfg Config) (*Engine, error) {
	e := &Engine{cfg: cfg, limits: cfg.Limits.withDefaults(), clock: cfg.Clock, store: cfg.Store, log: cfg.Logger}
	if e.clock == nil {
		e.clock, e.realClock = realClock{}, true
	}
	if e.store == nil {
		e.store = new(MemStore)
	}
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	if e.cfg.Settings == nil {
		e.cfg.Settings = new(History)
	}
	if v, ok := e.store.(VolatileStore); ok {
		e.volatile = v.Volatile()
	}
	e.seed = maphash.MakeSeed()
	e.callsDone = make(chan struct{})
	e.done = make(chan struct{})
	e.eligible = e.cfg.Settings.Ruleset().Eligibility(e.cfg.Device).Eligible
	e.ctx, e.cancel = context.WithCancel(context.Background())
	e.background = engineBound{e.ctx, context.Background()}
	e.runners = newRunners(min(slowCall, e.limits.ActionTimeout))
	if _, err := e.recoverPending(e.ctx); err != nil {
		e.runners.stop()
		e.cancel()
		return nil, err
	}
	e.queue = make(chan *detect.Detection, e.limits.QueueSize)
	for range e.limits.Workers {
		e.wg.Add(1)
		go e.worker()
	}
	return e, nil
}

func (e *Engine) worker() {
	defer e.wg.Done()
	for det := range e.queue {
		// A failure here is the store's (the hooks' failures are recorded):
		// try again with backoff before giving up, loudly.
		backoff := e.limits.Backoff
		for attempt := 1; ; attempt++ {
			_, err := e.handleOnce(e.ctx, det)
			if err == nil || e.ctx.Err() != nil {
				break
			}
			if attempt == e.limits.MaxAttempts {
				e.log.Error("edr: a submitted detection could not be recorded", "detection", det.ID, "attempts", attempt, "err", err)
				break
			}
			select {
			case <-time.After(backoff):
			case <-e.ctx.Done():
			}
			backoff = min(2*backoff, 5*time.Second)
		}
	}
}

// Submit queues a detection for the workers. When the queue is full it
// waits for room, or returns ErrQueueFull at once if Limits.RejectWhenFull
// is set; it returns ctx's error if ctx ends first, and ErrClosed after
// Close. A detection Submit accepted is never dropped: Close waits for it.
func (e *Engine) Submit(ctx context.Context, det *detect.Detection) error {
	if det == nil || det.ID == "" {
		return ErrInvalidDetection
	}
	e.qmu.RLock() // held while sending, so Close cannot close the queue under us
	defer e.qmu.RUnlock()
	if e.closed {
		return ErrClosed
	}
	if e.limits.RejectWhenFull {
		select {
		case e.queue <- det:
			return nil
		default:
			return ErrQueueFull
		}
	}
	select {
	case e.queue <- det:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close stops accepting detections, lets the workers finish every queued
// one, waits for Handle and Undo calls under way, and returns when all of
// the engine's goroutines have stopped. If ctx
// ends first, in-flight hook calls are cancelled (their actions are
// recorded as cancelled) and Close still waits for the workers to record
// them; it then returns ctx's error. Close may be called more than once;
// every call returns when the engine has stopped.
func (e *Engine) Close(ctx context.Context) error {
	e.qmu.Lock()
	if !e.closed {
		e.closed = true
		close(e.queue)
		if e.active.Or(closing) == 0 {
			e.idle()
		}
		go func() { e.wg.Wait(); <-e.callsDone; e.runners.stop(); e.cancel(); close(e.done) }()
	}
	e.qmu.Unlock()

	select {
	case <-e.done:
		return nil
	case <-ctx.Done():
		e.cancel() // in-flight hook calls are cancelled and recorded
		<-e.done
		return ctx.Err()
	}
}

// stateSpan is block mode's state on the device over an interval in
// which the settings history says it does not change.
type stateSpan struct {
	changes     int64     // the changes in the history it was worked out from
	from, until time.Time // until zero: no end
	bm          remediate.BlockMode
}

// blockMode returns block mode's state on the device at now, as Decide
// takes it. The state changes only at a recorded change or when one
// reaches the device, so the last one worked out is reused while the
// history has no new change and now is within its span.
func (e *Engine) blockMode(now time.Time) remediate.BlockMode {
	h := e.cfg.Settings
	if sp := e.state.Load(); sp != nil && sp.changes == h.n.Load() &&
		!now.Before(sp.from) && (sp.until.IsZero() || now.Before(sp.until)) {
		return sp.bm
	}
	es, until, changes := h.state(e.cfg.Device, now, &e.eligible)
	sp := &stateSpan{changes: changes, from: now, until: until, bm: es.BlockMode()}
	e.state.Store(sp)
	return sp.bm
}

// Handle runs a detection through the lifecycle and returns its terminal
// record. If the detection's record already exists and is terminal, that
// record is returned and no hook is called; if another call is handling
// the same id, Handle waits for it and returns its record (or
// ErrHandlingPanicked if that handling panicked). If ctx is
// cancelled mid-action, the action and the ones after it are recorded as
// cancelled and the record is still written (the store write does not use
// ctx's cancellation).
func (e *Engine) Handle(ctx context.Context, det *detect.Detection) (Record, error) {
	if det == nil || det.ID == "" {
		return Record{}, ErrInvalidDetection
	}
	if !e.enter() {
		return Record{}, ErrClosed
	}
	defer e.exit()
	ctx, stop := e.bind(ctx)
	defer stop()
	return e.handleOnce(ctx, det)
}

// bind returns a context that also ends when Close gives up waiting, so
// that Close's deadline reaches hook calls made for callers.
func (e *Engine) bind(ctx context.Context) (context.Context, func()) {
	if ctx.Done() == nil {
		// ctx never ends: the engine's context ends the call, ctx gives
		// the values.
		if ctx == context.Background() {
			return e.background, func() {}
		}
		return engineBound{e.ctx, ctx}, func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(e.ctx, cancel)
	return ctx, func() { stop(); cancel() }
}

// withoutCancel is context.WithoutCancel, without an allocation for a
// context bind made from a caller's context that never ends.
func withoutCancel(ctx context.Context) context.Context {
	if b, ok := ctx.(engineBound); ok {
		return b.values
	}
	return context.WithoutCancel(ctx)
}

// engineBound is the engine's context with the values of a caller's
// context that never ends.
type engineBound struct {
	context.Context // the engine's
	values          context.Context
}

// Value returns the caller's value for key, or else the engine context's
// (which has only its cancellation, for contexts derived from this one).
func (c engineBound) Value(key any) any {
	if v := c.values.Value(key); v != nil {
		return v
	}
	return c.Context.Value(key)
}

// enter registers a caller's Handle, Undo or Recover, so that Close
// waits for it; it reports false after Close. A call that entered calls
// exit when it is done.
func (e *Engine) enter() bool {
	if e.active.Add(1)&closing != 0 {
		e.exit()
		return false
	}
	return true
}

// exit ends a call that entered, or tried to.
func (e *Engine) exit() {
	if e.active.Add(-1) == closing {
		e.idle()
	}
}

// idle tells Close that no call is under way, and none will be.
func (e *Engine) idle() { e.idleOnce.Do(func() { close(e.callsDone) }) }

// handleOnce runs one detection, joining a call already under way for
// the same id.
func (e *Engine) handleOnce(ctx context.Context, det *detect.Detection) (Record, error) {
	sh := e.flights(det.ID)
	sh.mu.Lock()
	if f, ok := sh.handles[det.ID]; ok {
		if f == nil {
			f = &flight{done: make(chan struct{})}
			sh.handles[det.ID] = f
		}
		sh.mu.Unlock()
		select {
		case <-f.done:
			// The record is the caller's own, as the first call's is.
			return f.rec.Clone(), f.err
		case <-ctx.Done():
			return Record{}, ctx.Err()
		}
	}
	if sh.handles == nil {
		sh.handles = make(map[string]*flight)
	}
	sh.handles[det.ID] = nil
	sh.mu.Unlock()

	landed := false
	defer func() {
		if !landed {
			// A panic outside the hook calls (the store's, say) goes on
			// up to the caller; the id is free to be handled again, and
			// the calls waiting for this handling learn why it ended.
			e.land(sh, det.ID, Record{}, fmt.Errorf("%w: detection %s", ErrHandlingPanicked, det.ID))
		}
	}()
	s := e.runners.session()
	s.e, s.kind, s.ctx, s.storeCtx, s.det = e, sessionHandle, ctx, withoutCancel(ctx), det
	rec, err := e.superviseHandling(s)
	landed = true
	e.land(sh, det.ID, rec, err)
	return rec, err
}

// land ends the handling of id under way, in its shard sh: the calls
// waiting for it get rec and err.
func (e *Engine) land(sh *flightShard, id string, rec Record, err error) {
	sh.mu.Lock()
	f := sh.handles[id]
	delete(sh.handles, id)
	sh.mu.Unlock()
	if f != nil {
		f.rec, f.err = rec, err
		close(f.done)
	}
}

// handle runs a detection through the lifecycle, on a runner, and leaves
// the record it ends in in s.rec.
func (e *Engine) handle(s *session) error {
	ctx, storeCtx, det := s.ctx, s.storeCtx, s.det
	existing, err := e.store.Get(storeCtx, det.ID)
	switch {
	case err == nil && existing.Status.Terminal() && !resumable(existing):
		s.rec = existing
		return nil
	case err == nil && existing.Status.Terminal():
		// Actions cancelled last time did not run (or their outcome is
		// unknown): handing the detection in again resumes them.
		for i := range existing.Actions {
			if existing.Actions[i].Result == Cancelled {
				existing.Actions[i].Result, existing.Actions[i].Error = Pending, ""
			}
		}
		existing.Status, existing.Note = InProgress, "resumed after a cancellation"
		s.rec = existing
		return e.resume(s)
	case err == nil:
		s.rec = existing
		return e.resume(s)
	case !errors.Is(err, ErrNotFound):
		return fmt.Errorf("edr: reading the history: %w", err)
	}

	now := e.clock.Now()
	s.rec = Record{ID: det.ID, DeviceID: det.DeviceID, Mode: e.cfg.Mode, Detection: det, Received: now}
	rec := &s.rec
	// The engine acts now, so block mode's state now decides, not the
	// detection's own (producer-set) timestamp: a late detection is not
	// remediated under settings that no longer hold.
	rec.Decision = remediate.DecideContext(ctx, remediate.Input{
		Detection: det, BlockMode: e.blockMode(now), AntivirusMode: e.cfg.Device.Mode,
		Exclusions: e.cfg.Exclusions, OtherAntivirus: e.cfg.OtherAntivirus,
		Indicators: e.cfg.Indicators, Settings: e.cfg.Remediation, Trace: true,
	})
	rec.Ruleset, rec.SettingsVersion = rec.Decision.Ruleset, rec.Decision.SettingsVersion
	rec.Decided = e.clock.Now()
	rec.Actions = make([]ActionRecord, len(rec.Decision.Actions))
	for i, a := range rec.Decision.Actions {
		rec.Actions[i] = ActionRecord{Action: a}
	}

	if len(rec.Actions) == 0 || e.cfg.Mode == Audit {
		for i := range rec.Actions {
			rec.Actions[i].Result = Skipped
		}
		return e.finish(s, rec.Decided)
	}
	// One context for each action's first call, and one for the
	// Notifier's, in one allocation apart from the actions': a record
	// the caller keeps must not keep the contexts, which hold the
	// caller's.
	s.hctxs = make([]hookContext, 0, len(rec.Actions)+1)
	// Write ahead: the record exists before the first hook runs.
	rec.Status = InProgress
	if err := e.put(storeCtx, rec); err != nil {
		return err
	}
	return e.run(s)
}

// resume finishes a record left in progress: the actions that have no
// result yet run; those with one are not run again. An action whose hook
// was running when the process died has no result, so it runs again:
// actions are at least once, and hosts treat "already quarantined" and
// "process already gone" as success.
func (e *Engine) resume(s *session) error {
	rec := &s.rec
	if rec.Note == "" {
		rec.Note = "resumed after an interruption"
	}
	if rec.Mode == Audit || e.cfg.Mode == Audit {
		// An audit engine never calls a hook, even for a record an
		// enforcing run left in progress. If that run had not acted yet,
		// the record is what audit mode makes of it: would block.
		acted := false // a hook was called: the record is not an audit's
		for _, a := range rec.Actions {
			acted = acted || a.Result == Succeeded || a.Result == ActionFailed || a.Result == Cancelled
		}
		if !acted {
			rec.Mode = Audit
		}
		for i := range rec.Actions {
			if rec.Actions[i].Result == Pending {
				rec.Actions[i].Result, rec.Actions[i].Error = Skipped, "not run: resumed by an engine in audit mode"
			}
		}
		return e.finish(s, time.Time{})
	}
	return e.run(s)
}

func (e *Engine) put(ctx context.Context, rec *Record) error {
	rec.Revision++
	if err := e.store.Put(ctx, *rec); err != nil {
		return fmt.Errorf("edr: writing the history: %w", err)
	}
	return nil
}

// run carries out the pending actions of s.rec in order, storing the
// record after each (the last one's result goes into the final write; a
// volatile store gets only the final write), then finishes it.
func (e *Engine) run(s *session) error {
	ctx, rec := s.ctx, &s.rec
	// The images of processes that were not stopped, by path: a running
	// process's file is not quarantined, whichever evidence item the
	// quarantine is attached to.
	var notStopped map[string]bool
	stopFailed := func(a *ActionRecord) {
		if a.Result != Succeeded && a.Kind == remediate.StopProcess {
			if notStopped == nil {
				notStopped = map[string]bool{}
			}
			notStopped[strings.ToLower(a.Path)] = true
		}
	}
	// The clock's reading at the end of the last action run, while the
	// engine has done nothing since (no store write): the next instant
	// recorded is the same one.
	var last time.Time // from e.now
	for i := range rec.Actions {
		a := &rec.Actions[i]
		if a.Result != Pending {
			stopFailed(a)
			continue
		}
		switch {
		case ctx.Err() != nil:
			a.Result, a.Error = Cancelled, ctx.Err().Error()
		case a.Kind == remediate.Quarantine && notStopped != nil && notStopped[strings.ToLower(a.Path)]:
			a.Result, a.Error = Skipped, "the process running this file was not stopped, so the file is not quarantined"
		default:
			last = e.act(s, i, last)
			stopFailed(a)
		}
		if i == len(rec.Actions)-1 || e.volatile {
			// finish writes the record at once; the write after an
			// action spares it a second run after a crash, which a
			// volatile store does not survive.
			continue
		}
		if err := e.put(s.storeCtx, rec); err != nil {
			return err
		}
		last = time.Time{}
	}
	return e.finish(s, last)
}

// act calls the hook of action i of s.rec with the engine's timeout,
// retries and panic recovery, fills in the result, and returns the
// instant it finished (from e.now). The action starts at start (from
// e.now), or else at the clock's reading now.
func (e *Engine) act(s *session, i int, start time.Time) (end time.Time) {
	ctx, a := s.ctx, &s.rec.Actions[i]
	if start.IsZero() {
		start = e.now()
	}
	a.Started = start.Round(0)
	var op hookOp
	switch {
	case a.Kind == remediate.StopProcess && e.cfg.Hooks.StopProcess != nil:
		op = opStopProcess
	case a.Kind == remediate.Quarantine && e.cfg.Hooks.Quarantine != nil:
		op = opQuarantine
	default:
		end = e.now()
		a.Result, a.Finished = NotSupported, end.Round(0)
		return end
	}
	backoff := e.limits.Backoff
	for {
		a.Attempts++
		r := s.call(ctx, hookJob{op: op, a: a.Action}, callSite{action: i}, start)
		start = time.Time{} // a retry's call starts when it does
		if !e.settle(ctx, a, r) {
			break
		}
		t := time.NewTimer(backoff)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			a.Result, a.Error = Cancelled, ctx.Err().Error()
		}
		if a.Result != Pending {
			break
		}
		backoff = min(2*backoff, 5*time.Second)
	}
	end = e.now()
	a.Finished = end.Round(0)
	return end
}

// now reads the engine's clock. The real clock's reading keeps its
// monotonic part, so that a hook call's deadline can be worked out from
// it (see session.call); records take it without (Round(0)), as the
// clock gives it.
func (e *Engine) now() time.Time {
	if e.realClock {
		return time.Now()
	}
	return e.clock.Now()
}

// settle fills in an action's result from its hook call's, and reports
// whether the call is to be tried again.
func (e *Engine) settle(ctx context.Context, a *ActionRecord, r hookResult) (retry bool) {
	id, err := r.id, r.err
	switch {
	case r.pv != nil:
		a.Result, a.Panic, a.Stack = ActionFailed, fmt.Sprint(r.pv), r.stack
		a.Error = "hook panicked: " + a.Panic
		e.log.Error("edr: hook panicked", "action", a.Kind.String(), "path", a.Path, "panic", a.Panic)
	case err == nil && a.Kind == remediate.Quarantine && id == "":
		// The contract: a quarantine returns the id that undoes it. A
		// quarantine without one cannot be undone or verified, so it is
		// not recorded as a plain success.
		a.Result, a.Error = ActionFailed, "the Quarantine hook returned no error and no quarantine id: the quarantine cannot be verified or undone"
	case err == nil:
		a.Result, a.QuarantineID, a.Error = Succeeded, id, ""
	case ctx.Err() != nil:
		a.Result, a.Error = Cancelled, err.Error()
	case IsTemporary(err) && a.Attempts < e.limits.MaxAttempts:
		a.Error = err.Error()
		return true
	default:
		a.Result, a.Error = ActionFailed, err.Error()
	}
	return false
}

// timeoutError is the engine's verdict that a hook ran out of time. It is
// final, never temporary: context.DeadlineExceeded, which it may wrap,
// says Temporary() true, but a hook that timed out is not retried.
type timeoutError struct{ err error }

func (t timeoutError) Error() string   { return t.err.Error() }
func (t timeoutError) Unwrap() error   { return t.err }
func (t timeoutError) Temporary() bool { return false }

// finish sets the terminal status of s.rec, stores the record and
// notifies the host. The record is finished at at, or else at the clock's
// reading now.
func (e *Engine) finish(s *session, at time.Time) error {
	ctx, rec := s.storeCtx, &s.rec
	rec.Status = terminalStatus(rec)
	if at.IsZero() {
		at = e.clock.Now()
	}
	rec.Finished = at.Round(0)
	if err := e.put(ctx, rec); err != nil {
		return err
	}
	if e.cfg.Hooks.Notify != nil {
		// The Notifier is not an action hook: it is told of audit-mode
		// records too.
		e.notified(*rec, s.call(ctx, hookJob{op: opNotify, rec: rec}, callSite{notify: true}, time.Time{}))
	}
	if e.log.Enabled(ctx, slog.LevelDebug) {
		e.log.Debug("edr: record finished", "record", rec.ID, "status", rec.Status.String())
	}
	return nil
}

// notified logs the failure of the Notifier's call about rec: a call
// made with the same timeout, grace and panic recovery as any hook, whose
// failure changes nothing.
func (e *Engine) notified(rec Record, r hookResult) {
	switch {
	case r.pv != nil:
		e.log.Error("edr: notifier panicked", "record", rec.ID, "panic", fmt.Sprint(r.pv))
	case r.err != nil:
		e.log.Warn("edr: notifier failed", "record", rec.ID, "err", r.err)
	}
}

// resumable reports whether a terminal record has cancelled actions that
// a later Handle of the same detection should run.
func resumable(r Record) bool {
	if r.Status == Undone || r.Mode == Audit {
		return false
	}
	for _, a := range r.Actions {
		if a.Result == Cancelled {
			return true
		}
	}
	return false
}

// terminalStatus derives the record's terminal status from its decision
// and action results.
func terminalStatus(rec *Record) RecordStatus {
	d := rec.Decision
	switch d.Verdict {
	case remediate.NoAction:
		// Every artifact was already stopped (by the antivirus, or an
		// earlier remediation): the detection is blocked or prevented
		// though the engine did nothing.
		switch d.Status {
		case detect.Blocked:
			return Blocked
		case detect.Prevented:
			return Prevented
		}
		return Detected
	case remediate.DetectOnly, 0:
		excluded, artifacts := 0, 0
		for _, it := range d.Items {
			switch it.Outcome {
			case remediate.ItemContext:
			case remediate.ItemExcluded:
				excluded++
				artifacts++
			default:
				artifacts++
			}
		}
		if excluded > 0 && excluded == artifacts {
			return Excluded
		}
		return Detected
	}
	if rec.Mode == Audit {
		return WouldBlock
	}
	ok, bad := 0, 0
	for _, a := range rec.Actions {
		if a.Result == Succeeded {
			ok++
		} else {
			bad++
		}
	}
	switch {
	case ok == 0:
		return Failed
	case bad > 0 || d.Verdict == remediate.PartialRemediate:
		return PartiallyRemediated
	case d.Status == detect.Blocked:
		return Blocked
	}
	return Prevented
}

// Recover resolves the records a previous run left in progress: each is
// resumed, running the actions that have no result yet and never again one
// that has. It returns how many it resolved. It needs a Store that
// implements PendingLister; with any other store it does nothing. New calls
// it before starting the workers.
func (e *Engine) Recover(ctx context.Context) (int, error) {
	if !e.enter() {
		return 0, ErrClosed
	}
	defer e.exit()
	ctx, stop := e.bind(ctx)
	defer stop()
	return e.recoverPending(ctx)
}

func (e *Engine) recoverPending(ctx context.Context) (int, error) {
	pl, ok := e.store.(PendingLister)
	if !ok {
		return 0, nil
	}
	pending, err := pl.Pending(ctx)
	if err != nil {
		return 0, fmt.Errorf("edr: listing records in progress: %w", err)
	}
	n := 0
	for _, rec := range pending {
		if rec.Detection == nil {
			return n, fmt.Errorf("edr: record %s in progress has no detection to resume", rec.ID)
		}
		// Through the same one-call-per-id path as Handle, so that a
		// Recover on a running engine never runs a record's hooks twice.
		if _, err := e.handleOnce(ctx, rec.Detection); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// Undo restores the files a record quarantined, through the host's
// Restorer, records the record as Undone, as the action center's undo
// does, and tells the Notifier. Undos run one at a time. A record with no successful quarantine is ErrNotUndoable; a host
// without a Restorer is ErrNotSupported; in both cases nothing changes. If
// some restores fail, the record keeps its status, the failures are
// recorded on their actions, and the error says so.
func (e *Engine) Undo(ctx context.Context, id, actor string) (Record, error) {
	if !e.enter() {
		return Record{}, ErrClosed
	}
	defer e.exit()
	ctx, stop := e.bind(ctx)
	defer stop()
	e.undoMu.Lock()
	defer e.undoMu.Unlock()
	rec, err := e.store.Get(ctx, id)
	if err != nil {
		return Record{}, err
	}
	var todo []int
	for i, a := range rec.Actions {
		if a.Kind == remediate.Quarantine && a.Result == Succeeded {
			todo = append(todo, i)
		}
	}
	if len(todo) == 0 || !rec.Status.Terminal() {
		return rec, fmt.Errorf("%w: record %s (%s)", ErrNotUndoable, id, rec.Status)
	}
	h := e.cfg.Hooks.Restore
	if h == nil {
		return rec, fmt.Errorf("%w: no Restorer", ErrNotSupported)
	}
	var failed []error
	for _, i := range todo {
		a := &rec.Actions[i]
		if a.QuarantineID == "" {
			failed = append(failed, fmt.Errorf("restore %s: the host returned no quarantine id for it", a.Path))
			continue
		}
		r := e.callOnce(ctx, hookJob{op: opRestore, qid: a.QuarantineID, a: a.Action})
		switch {
		case r.pv != nil:
			failed = append(failed, fmt.Errorf("restore %s: hook panicked: %v", a.Path, r.pv))
		case r.err != nil:
			failed = append(failed, fmt.Errorf("restore %s: %w", a.Path, r.err))
		default:
			a.Result = Restored
		}
	}
	if len(failed) == 0 {
		rec.Status = Undone
		rec.Note = "undone by " + actor
		rec.Finished = e.clock.Now()
	}
	if err := e.put(context.WithoutCancel(ctx), &rec); err != nil {
		return Record{}, err
	}
	if len(failed) == 0 {
		if e.cfg.Hooks.Notify != nil {
			e.notified(rec, e.callOnce(context.WithoutCancel(ctx), hookJob{op: opNotify, rec: &rec}))
		}
	}
	return rec, errors.Join(failed...)
}

// Store returns the engine's action history.
func (e *Engine) Store() Store { return e.store }
