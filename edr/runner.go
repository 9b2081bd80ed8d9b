package edr

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/blockmode/blockmode/detect"
	"github.com/blockmode/blockmode/remediate"
)

// A handling (of a detection, from its decision to its terminal record)
// runs on a runner: a long-lived goroutine of the engine's, which makes
// the hook calls inline. The caller hands the handling to an idle runner
// (or starts a new one when none is idle) and watches it: when a hook call
// outlives its timeout, or the caller's context ends during one, the
// caller cancels the call's context and waits the grace; a call still
// running after that is abandoned with its runner, and the caller carries
// on with the rest of the handling on another runner. So a hook that hangs
// holds a runner, never the caller, and a handling costs one hand-off
// however many hooks it calls. The abandoned runner exits whenever the
// hook returns, touching nothing. Close stops the idle runners.
//
// Idle runners wait in a sync.Pool, so that callers on different cores
// take and give back runners without sharing a lock, and each tends to
// get the runner it last gave back. The pool lets go of the runners it
// holds when the collector asks (those unused over two collections):
// a cleanup then stops each one's goroutine, so the idle runners number
// about as many as the engine has recently used at once.
//
// Most handlings end long before any timeout, so a caller first waits on
// its runner's channel alone, with no timer of its own: the pool's
// watcher, a goroutine that runs while some runner is busy, looks at the
// busy runners every half slowCall (or half the action timeout, if
// shorter) and wakes the caller of a handling it finds still running a
// second time. From then on the caller watches with its own timer and its
// context, as above.

// hookOp is the hook a call is for.
type hookOp uint8

const (
	opStopProcess hookOp = iota + 1
	opQuarantine
	opRestore
	opNotify
)

// slowCall is how long a handling or hook call runs, at most, before the
// watcher wakes its caller, which from then on also watches its own timer
// and the call's context (see Engine.watch).
const slowCall = 10 * time.Millisecond

// hookJob is one hook call.
type hookJob struct {
	op  hookOp
	a   remediate.Action
	qid string  // for opRestore
	rec *Record // for opNotify: the Notifier is given a copy (see session.call)
}

type hookResult struct {
	id    string
	err   error
	pv    any
	stack string
}

// sessionKind is the work a session does.
type sessionKind uint8

const (
	// sessionHandle handles det from the start.
	sessionHandle sessionKind = iota + 1
	// sessionRun carries on with rec after an abandoned action call.
	sessionRun
	// sessionCall makes one hook call, job.
	sessionCall
)

// A callSite says which call of a session is under way, so that the
// caller knows how to carry on if it abandons the call.
type callSite struct {
	notify bool // the Notifier, told of rec once stored
	action int  // else the index of the action in rec
}

// session is one piece of work run on a runner and watched by its
// caller. The fields above mu are the runner's while it runs the session
// and the caller's otherwise; those below are shared under mu.
type session struct {
	e        *Engine
	kind     sessionKind
	ctx      context.Context // the handling's
	storeCtx context.Context // ctx without its cancellation
	det      *detect.Detection
	job      hookJob
	rec      Record // the record being handled; a handling's result
	// hctxs holds the contexts of the handling's hook calls, made in one
	// allocation: each is used once, and kept by any hook that keeps it.
	hctxs []hookContext

	err error      // the error of sessionHandle and sessionRun
	res hookResult // the result of sessionCall
	pv  any        // a panic outside the hook calls, raised again in the caller

	timer *time.Timer // the caller's; stopped between sessions

	mu        sync.Mutex
	seq       uint64 // counts the hook calls started
	calling   bool   // a hook call is under way
	deadline  time.Time
	hctx      *hookContext
	site      callSite
	abandoned bool
}

// runners is the engine's pool of runners. Its zero value is not ready:
// see newRunners.
type runners struct {
	look time.Duration // the watcher's period

	mu      sync.Mutex
	all     map[*runner]struct{} // the runners neither abandoned nor stopped
	closed  bool
	watcher bool           // the watcher has been started
	wg      sync.WaitGroup // the watcher and the runners not abandoned

	idle sync.Pool // of *idleRunner

	parked atomic.Bool   // the watcher waits for kick
	wakes  atomic.Int64  // the wake-up calls made, for the tests
	made   atomic.Int64  // the runners started, for the tests
	kick   chan struct{} // wakes the parked watcher
	quit   chan struct{} // closed by stop

	sessions sync.Pool
}

// runner is one runner goroutine: in receives its sessions, and out says
// true when one is done, or false for the watcher's wake-up call.
type runner struct {
	in  chan *session
	out chan bool
	// started and ended count the sessions handed to the runner and
	// given back: it is busy while they differ.
	started, ended atomic.Uint64
	// gone is set once the runner is stopped or abandoned: nothing is
	// handed to it again, and in is closed at most once.
	gone atomic.Bool
}

// idleRunner is an idle runner's place in the pool. The runner's goroutine
// never refers to it, so when the pool lets go of it, it becomes
// unreachable and its cleanup stops the runner (see newRunner).
type idleRunner struct{ r *runner }

// newRunners returns a pool whose watcher wakes the caller of a handling
// still running after between timeout/2 and timeout (at least 1 and at
// most 2 ms for a timeout under 2 ms).
func newRunners(timeout time.Duration) *runners {
	return &runners{
		look: max(timeout/2, time.Millisecond),
		all:  make(map[*runner]struct{}),
		kick: make(chan struct{}, 1),
		quit: make(chan struct{}),
	}
}

// session returns a session ready to be filled in.
func (p *runners) session() *session {
	if s, ok := p.sessions.Get().(*session); ok {
		return s
	}
	t := time.NewTimer(time.Hour)
	t.Stop()
	return &session{timer: t}
}

// release returns a finished session to the pool, holding on to nothing.
func (p *runners) release(s *session) {
	timer := s.timer
	*s = session{timer: timer}
	p.sessions.Put(s)
}

// start hands s to an idle runner, or to a new one, and returns the
// runner's place, for put.
func (p *runners) start(s *session) *idleRunner {
	ir, _ := p.idle.Get().(*idleRunner)
	if ir == nil {
		ir = p.newRunner()
	}
	r := ir.r
	r.started.Add(1)
	if p.parked.Load() && p.parked.CompareAndSwap(true, false) {
		select {
		case p.kick <- struct{}{}:
		default:
		}
	}
	r.in <- s
	return ir
}

// newRunner starts a runner goroutine, and the watcher if it is the
// first, and returns the runner's place in the pool.
func (p *runners) newRunner() *idleRunner {
	r := &runner{in: make(chan *session, 1), out: make(chan bool, 2)}
	p.made.Add(1)
	p.mu.Lock()
	p.all[r] = struct{}{}
	p.wg.Add(1)
	go p.run(r)
	if !p.watcher {
		p.watcher = true
		p.wg.Add(1)
		go p.watch()
	}
	p.mu.Unlock()
	ir := &idleRunner{r}
	// Once the pool lets go of ir (or the caller that held it abandoned
	// its runner), nothing will hand r a session again.
	runtime.AddCleanup(ir, p.retire, r)
	return ir
}

// put gives back a runner whose session is done.
func (p *runners) put(ir *idleRunner) {
	r := ir.r
	r.ended.Store(r.started.Load())
	// No runner is given back after stop, which retires every runner
	// it counts, those in the pool included.
	p.idle.Put(ir)
}

// retire stops an idle runner, once: it is no longer counted, and its
// goroutine exits.
func (p *runners) retire(r *runner) {
	if !r.gone.CompareAndSwap(false, true) {
		return
	}
	p.mu.Lock()
	delete(p.all, r)
	p.mu.Unlock()
	close(r.in)
}

// abandon gives up a runner stuck in a hook call: it is no longer
// counted, and exits whenever the call returns.
func (p *runners) abandon(ir *idleRunner) {
	r := ir.r
	r.gone.Store(true)
	p.mu.Lock()
	delete(p.all, r)
	p.mu.Unlock()
	p.wg.Done()
}

// stop ends the idle runners and the watcher, and waits for every runner
// not abandoned. Every runner must have been given back or abandoned.
func (p *runners) stop() {
	p.mu.Lock()
	if !p.closed {
		p.closed = true
		close(p.quit)
	}
	idle := make([]*runner, 0, len(p.all))
	for r := range p.all {
		idle = append(idle, r)
	}
	p.mu.Unlock()
	for _, r := range idle {
		p.retire(r)
	}
	p.wg.Wait()
}

// run is a runner: it runs the sessions handed to it until its channel is
// closed. A runner whose call is abandoned ends in the middle of its
// session (see session.call).
func (p *runners) run(r *runner) {
	for s := range r.in {
		s.run()
		r.out <- true
	}
	p.wg.Done()
}

// watch is the watcher. While some runner is busy it looks at the busy
// runners every p.look, and wakes the caller of each runner busy with the
// same session as at its last look, once for each session: from then on
// the caller watches with its own timer. While no runner is busy (or
// every busy runner's caller has been woken) it waits for start to kick
// it.
func (p *runners) watch() {
	defer p.wg.Done()
	t := time.NewTimer(p.look)
	defer t.Stop()
	seen := make(map[*runner]uint64)  // busy runners at the last look, and their session
	woken := make(map[*runner]uint64) // the session whose caller each runner's wake-up call was for
	// look fills in seen with the busy runners whose callers have not been
	// woken, and forgets the wake-up calls whose sessions are over.
	look := func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		for r, n := range woken {
			if _, ok := p.all[r]; !ok || r.started.Load() != n || r.ended.Load() == n {
				delete(woken, r)
			}
		}
		clear(seen)
		for r := range p.all {
			if n := r.started.Load(); n != r.ended.Load() && woken[r] != n {
				seen[r] = n
			}
		}
	}
	for {
		look()
		if len(seen) == 0 {
			// Nothing to look at: wait for a runner to start, then look
			// at once. A start that did not see parked set is seen by
			// the look after it is set.
			p.parked.Store(true)
			look()
			if len(seen) == 0 {
				select {
				case <-p.kick:
					continue
				case <-p.quit:
					return
				}
			}
			p.parked.Store(false)
		}
		t.Reset(p.look)
		select {
		case <-t.C:
		case <-p.quit:
			return
		}
		p.mu.Lock()
		for r, n := range seen {
			if _, ok := p.all[r]; ok && r.started.Load() == n && r.ended.Load() != n {
				// The caller looks for itself from now on, on its timer:
				// it is woken once.
				woken[r] = n
				p.wakes.Add(1)
				select {
				case r.out <- false:
				default: // it has a wake-up call already
				}
			}
		}
		p.mu.Unlock()
	}
}

// run does the session's work, keeping a panic outside a hook call for
// the caller.
func (s *session) run() {
	defer func() {
		if pv := recover(); pv != nil {
			s.pv = pv
		}
	}()
	switch s.kind {
	case sessionHandle:
		s.err = s.e.handle(s)
	case sessionRun:
		s.err = s.e.run(s)
	case sessionCall:
		s.res = s.call(s.ctx, s.job, callSite{}, time.Time{})
	}
}

// call makes a hook call inline, with its timeout (which the watching
// caller enforces), turning a panic into a result. If the caller
// abandoned the call, the runner ends here: it leaves the session, and
// its record, to the caller. The timeout runs from start, a reading of
// the real clock with its monotonic part (see Engine.now) taken just
// before, or from now if start is zero or the engine's clock is not the
// real one.
func (s *session) call(ctx context.Context, j hookJob, site callSite, start time.Time) hookResult {
	e := s.e
	if start.IsZero() || !e.realClock {
		start = time.Now()
	}
	deadline := start.Add(e.limits.ActionTimeout)
	var hctx *hookContext
	if n := len(s.hctxs); n < cap(s.hctxs) {
		s.hctxs = s.hctxs[:n+1]
		hctx = &s.hctxs[n]
	} else {
		hctx = new(hookContext)
	}
	hctx.parent, hctx.deadline = ctx, deadline
	if j.op == opNotify {
		// The Notifier's copy is made before the caller can see the call:
		// a caller that abandons it returns the record, its to change.
		c := j.rec.Clone()
		j.rec = &c
	}
	s.mu.Lock()
	s.seq++
	s.calling, s.deadline, s.hctx, s.site = true, deadline, hctx, site
	s.mu.Unlock()

	res := invoke(&e.cfg.Hooks, hctx, &j)
	hctx.cancel(context.Canceled) // the call is over, for a hook that kept its context

	s.mu.Lock()
	if s.abandoned {
		// The runner is no longer counted, and owns nothing, not even
		// the session: it ends here, running none of the rest.
		s.mu.Unlock()
		runtime.Goexit()
	}
	s.calling, s.hctx = false, nil
	s.mu.Unlock()
	if res.err != nil && res.pv == nil && ctx.Err() == nil && !time.Now().Before(deadline) {
		// Whatever the hook says after its timeout, the timeout is the
		// verdict: not retried.
		res.err = timeoutError{fmt.Errorf("hook did not finish within %s: %w", e.limits.ActionTimeout, res.err)}
	}
	return res
}

// invoke makes j's hook call, turning a panic into a result.
func invoke(h *Hooks, ctx context.Context, j *hookJob) (res hookResult) {
	defer func() {
		if pv := recover(); pv != nil {
			res = hookResult{pv: pv, stack: string(debug.Stack())}
		}
	}()
	switch j.op {
	case opStopProcess:
		res.err = h.StopProcess.StopProcess(ctx, j.a)
	case opQuarantine:
		res.id, res.err = h.Quarantine.Quarantine(ctx, j.a)
	case opRestore:
		res.err = h.Restore.Restore(ctx, j.qid, j.a)
	case opNotify:
		res.err = h.Notify.Notify(ctx, *j.rec)
	}
	return res
}

// abandonedError is the result of a hook call that did not return within
// its timeout and grace.
func (e *Engine) abandonedError(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return timeoutError{fmt.Errorf("hook did not return within %s and %s of grace: abandoned, outcome unknown", e.limits.ActionTimeout, e.limits.HookGrace)}
}

// watch runs s on a runner and watches its hook calls until it is done,
// or until it abandons a call (and the runner with it). A call is given
// its timeout; when it runs out, or the context the call was made with
// ends, the call's context is cancelled and the call given the grace.
func (e *Engine) watch(s *session) (abandoned bool) {
	ir := e.runners.start(s)
	r := ir.r
	// Most handlings end well within slowCall: until then the caller
	// waits on its runner's channel alone, with no timer, and not on the
	// context's channel (which the engine's context shares among all its
	// callers); a context that ends meanwhile is seen when the watcher
	// wakes the caller.
	if <-r.out {
		e.runners.put(ir)
		return false
	}
	t := s.timer
	ctxDone := s.ctx.Done() // until it ends
	var grace uint64        // the call in its grace, 0 for none
	var graceEnd time.Time  // when that call's grace is over
	// Whatever woke the caller (the watcher, the timer, the context), it
	// looks at the runner's state and the clock, and sets the timer for
	// the next thing to happen: a wake-up call is never taken for the
	// timer's firing.
	for {
		// After the context ends, a call made with it does not wake the
		// caller: look at the runner again after each grace.
		next := e.limits.ActionTimeout
		if s.ctx.Err() != nil {
			next = min(next, e.limits.HookGrace)
		}
		now := time.Now()
		s.mu.Lock()
		switch {
		case !s.calling:
			grace = 0
			t.Reset(next)
		case grace == s.seq:
			if !now.Before(graceEnd) {
				// The grace is over: the runner is left to the call.
				s.abandoned = true
				s.mu.Unlock()
				e.runners.abandon(ir)
				return true
			}
			t.Reset(graceEnd.Sub(now))
		case s.hctx.parent.Err() != nil || !now.Before(s.deadline):
			// A hook that honours its context returns at once; its
			// result is recorded as it is, a late success included.
			s.hctx.cancel(context.DeadlineExceeded)
			grace, graceEnd = s.seq, now.Add(e.limits.HookGrace)
			t.Reset(e.limits.HookGrace)
		default:
			t.Reset(min(next, s.deadline.Sub(now)))
		}
		s.mu.Unlock()

		select {
		case done := <-r.out:
			if done {
				t.Stop()
				e.runners.put(ir)
				return false
			}
		case <-ctxDone:
			ctxDone = nil
		case <-t.C:
		}
	}
}

// superviseHandling runs a handling (sessionHandle or sessionRun) and
// returns its record, carrying on after an abandoned call.
func (e *Engine) superviseHandling(s *session) (Record, error) {
	for {
		if !e.watch(s) {
			err, pv := s.err, s.pv
			var rec Record
			if err == nil {
				rec = s.rec
			}
			e.runners.release(s)
			if pv != nil {
				panic(pv)
			}
			return rec, err
		}
		// The runner is stuck in a hook call and has left s: carry on
		// from the record as that call found it.
		ctx, storeCtx, rec, site := s.ctx, s.storeCtx, s.rec, s.site
		res := hookResult{err: e.abandonedError(s.hctx.parent)}
		if site.notify {
			// The record was stored before the Notifier was called.
			e.notified(rec, res)
			return rec, nil
		}
		e.settle(ctx, &rec.Actions[site.action], res)
		rec.Actions[site.action].Finished = e.clock.Now()
		if !e.volatile && site.action < len(rec.Actions)-1 {
			// As run does after each action but the last.
			if err := e.put(storeCtx, &rec); err != nil {
				return Record{}, err
			}
		}
		s = e.runners.session()
		s.e, s.kind, s.ctx, s.storeCtx, s.rec = e, sessionRun, ctx, storeCtx, rec
	}
}

// callOnce makes one hook call on a runner, outside a handling.
func (e *Engine) callOnce(ctx context.Context, j hookJob) hookResult {
	s := e.runners.session()
	s.e, s.kind, s.ctx, s.job = e, sessionCall, ctx, j
	if e.watch(s) {
		return hookResult{err: e.abandonedError(ctx)}
	}
	res, pv := s.res, s.pv
	e.runners.release(s)
	if pv != nil {
		panic(pv)
	}
	return res
}

// hookContext is the context of one hook call: its parent's, with the
// call's deadline. It makes a channel (and the contexts and timer behind
// it) only when the hook asks for Done, so that a hook that never does
// costs no more than this struct.
type hookContext struct {
	parent   context.Context
	deadline time.Time

	mu    sync.Mutex
	err   error           // set when the call ends
	inner context.Context // made by the first Done, Value or AfterFunc
	end   func(error)     // cancels inner
}

// Deadline returns the call's deadline, or the parent's if earlier.
func (c *hookContext) Deadline() (time.Time, bool) {
	if d, ok := c.parent.Deadline(); ok && d.Before(c.deadline) {
		return d, true
	}
	return c.deadline, true
}

// Done returns a channel closed when the call ends: at its deadline, when
// the engine cancels it, or when its parent is done.
func (c *hookContext) Done() <-chan struct{} { return c.real().Done() }

// Err returns nil until the call ends, then why.
func (c *hookContext) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err == nil {
		if err := c.parent.Err(); err != nil {
			c.endLocked(err)
		} else if !time.Now().Before(c.deadline) {
			c.endLocked(context.DeadlineExceeded)
		}
	}
	return c.err
}

// Value returns the parent's value for key. Once the real context exists
// it answers, so that [context.Cause] sees the call's own cancellation.
func (c *hookContext) Value(key any) any {
	c.mu.Lock()
	inner := c.inner
	c.mu.Unlock()
	if inner != nil {
		return inner.Value(key)
	}
	return c.parent.Value(key)
}

// AfterFunc arranges for f to run when the call ends, as
// [context.AfterFunc] does; contexts derived from this one use it.
func (c *hookContext) AfterFunc(f func()) func() bool { return context.AfterFunc(c.real(), f) }

// real returns the real context behind Done, making it on first use.
func (c *hookContext) real() context.Context {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.inner == nil {
		withCause, cancel := context.WithCancelCause(c.parent)
		inner, stop := context.WithDeadline(withCause, c.deadline)
		c.inner, c.end = inner, func(err error) { cancel(err); stop() }
		if c.err != nil {
			c.end(c.err)
		}
	}
	return c.inner
}

// cancel ends the call with err, unless it has ended already; a parent
// that is done gives its own error instead.
func (c *hookContext) cancel(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return
	}
	if perr := c.parent.Err(); perr != nil {
		err = perr
	}
	c.endLocked(err)
}

func (c *hookContext) endLocked(err error) {
	c.err = err
	if c.inner != nil {
		c.end(err)
	}
}
