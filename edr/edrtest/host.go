package edrtest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/blockmode/blockmode/edr"
	"github.com/blockmode/blockmode/remediate"
)

// Errors the fake [Host] returns when asked for something a real host
// could not do either.
var (
	// ErrNoFile reports a file to quarantine that does not exist (it was
	// never created on a Strict host, or it is in quarantine already), or
	// an action with no path.
	ErrNoFile = errors.New("edrtest: no such file")
	// ErrNoProcess reports a process to stop that is not running (already
	// stopped, or never started on a Strict host), or an id that is not
	// positive.
	ErrNoProcess = errors.New("edrtest: no such process")
	// ErrUnknownQuarantineID reports a Restore of an id that is not in
	// quarantine (never issued, or restored already).
	ErrUnknownQuarantineID = errors.New("edrtest: no quarantined file with this id")
)

// Call is one call to a hook of a [Host], as it recorded it.
type Call struct {
	// Seq is the call's place in the order the calls started, from 1.
	Seq int
	// Hook is the hook called.
	Hook Hook
	// Action is the action the hook was given (zero for Notify).
	Action remediate.Action
	// QuarantineID is the id Quarantine returned, or the one Restore was
	// given.
	QuarantineID string
	// Record is the record Notify was given (nil for other hooks). It is
	// shared: do not modify it.
	Record *edr.Record
	// DetectionID is the detection the call was for, when the Host knows
	// it: always for Notify; for StopProcess and Quarantine once the
	// engine has notified the Host of the detection's record (see
	// [Host.CallsFor]); for Restore once the quarantine's is known.
	DetectionID string
	// Fault describes the fault injected into the call, "" if none.
	Fault string
	// Started and Finished are from the Host's Clock (zero without one).
	Started, Finished time.Time
	// Err is the error the call returned.
	Err error
	// Panic is the value the call panicked with.
	Panic any
	// Done is true once the call has returned or panicked.
	Done bool
}

// Succeeded reports whether the call returned without an error.
func (c Call) Succeeded() bool { return c.Done && c.Err == nil && c.Panic == nil }

// String returns the one-line form, "#3 Quarantine quarantine file C:\x.exe: ok q-1".
func (c Call) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "#%d %s", c.Seq, c.Hook)
	switch {
	case c.Hook == Notify && c.Record != nil:
		fmt.Fprintf(&b, " record %s %s", c.Record.ID, c.Record.Status)
	case c.Hook == Restore:
		fmt.Fprintf(&b, " %s from %s", c.Action.Path, c.QuarantineID)
	default:
		fmt.Fprintf(&b, " %s", c.Action)
	}
	if c.Fault != "" {
		fmt.Fprintf(&b, " [fault: %s]", c.Fault)
	}
	switch {
	case !c.Done:
		b.WriteString(": running")
	case c.Panic != nil:
		fmt.Fprintf(&b, ": panicked: %v", c.Panic)
	case c.Err != nil:
		fmt.Fprintf(&b, ": %v", c.Err)
	case c.Hook == Quarantine:
		fmt.Fprintf(&b, ": ok %s", c.QuarantineID)
	default:
		b.WriteString(": ok")
	}
	return b.String()
}

// QuarantinedFile is a file in the fake quarantine of a [Host].
type QuarantinedFile struct {
	// ID is the id Quarantine returned for it.
	ID string
	// Path is the file's path, as the action gave it.
	Path string
	// Action is the action that quarantined it.
	Action remediate.Action
}

// Host is a fake host: it implements [edr.ProcessStopper],
// [edr.Quarantiner], [edr.Restorer] and [edr.Notifier] over a fake file
// system and process table, records every call in order, and misbehaves
// as scripted by [Host.Fault]. The zero value is ready to use: every path
// names an existing file and every positive process id a running process,
// until a hook quarantines or stops them.
//
// The fake acts as a careful real host does: a hook whose context is done
// returns the context's error without acting; quarantining a file that is
// not there (already quarantined, or with no path) fails with [ErrNoFile];
// stopping a process that is not running (already stopped, or with an id
// that is not positive) fails with [ErrNoProcess]; restoring an id that
// is not in quarantine fails with [ErrUnknownQuarantineID].
//
// A Host is safe for concurrent use.
type Host struct {
	// Clock stamps each call's Started and Finished; nil leaves them zero.
	// Set it before the first call.
	Clock edr.Clock
	// Strict makes only the files made by CreateFile exist and only the
	// processes made by StartProcess run. Set it before the first call.
	Strict bool

	mu      sync.Mutex
	calls   []Call
	started [Notify + 1]int // calls started, per hook
	waiters chan struct{}   // closed and replaced when a call starts
	faults  [Notify + 1][]*rule
	// pending indexes the StopProcess and Quarantine calls not yet
	// attributed to a detection, by hook and action.
	pending map[actionKey][]int

	created map[string]bool // lower-cased path -> made by CreateFile
	gone    map[string]bool // lower-cased path -> quarantined
	running map[int64]bool  // pid -> started by StartProcess
	stopped map[int64]bool  // pid -> stopped
	quar    map[string]QuarantinedFile
	qcall   map[string]int // quarantine id -> index of the call that issued it
	nextQ   int
	nextPID int64
	nextF   int
}

var errGoexit = errors.New("edrtest: the hook called runtime.Goexit")

type rule struct {
	f    Fault
	used int
}

type actionKey struct {
	hook Hook
	a    remediate.Action
}

func (h *Host) init() {
	if h.pending == nil {
		h.pending = make(map[actionKey][]int)
		h.created = make(map[string]bool)
		h.gone = make(map[string]bool)
		h.running = make(map[int64]bool)
		h.stopped = make(map[int64]bool)
		h.quar = make(map[string]QuarantinedFile)
		h.qcall = make(map[string]int)
	}
}

// Hooks returns the host's four hooks.
func (h *Host) Hooks() edr.Hooks {
	return edr.Hooks{StopProcess: h, Quarantine: h, Restore: h, Notify: h}
}

// HooksWithout returns the host's hooks but the ones named: a host that
// cannot stop processes, restore files or take notifications, for which
// the engine records "not supported by host".
func (h *Host) HooksWithout(hooks ...Hook) edr.Hooks {
	hs := h.Hooks()
	for _, k := range hooks {
		switch k {
		case StopProcess:
			hs.StopProcess = nil
		case Quarantine:
			hs.Quarantine = nil
		case Restore:
			hs.Restore = nil
		case Notify:
			hs.Notify = nil
		}
	}
	return hs
}

// Fault installs a fault on a hook. Faults apply in the order installed:
// a call takes the first fault on its hook that matches it and has calls
// left (see [Fault.Times]); a call that no fault takes behaves normally.
func (h *Host) Fault(hook Hook, f Fault) {
	if hook < StopProcess || hook > Notify {
		panic(fmt.Sprintf("edrtest: Host.Fault: no hook %d", hook))
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.faults[hook] = append(h.faults[hook], &rule{f: f})
}

// ClearFaults removes every fault from the hooks named, or from every
// hook when none is named.
func (h *Host) ClearFaults(hooks ...Hook) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(hooks) == 0 {
		hooks = AllHooks()
	}
	for _, k := range hooks {
		if k >= StopProcess && k <= Notify {
			h.faults[k] = nil
		}
	}
}

// Calls returns every call so far, in the order they started.
func (h *Host) Calls() []Call {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]Call, len(h.calls))
	for i := range h.calls {
		out[i] = h.calls[i]
		h.resolve(&out[i])
	}
	return out
}

// CallsFor returns the calls for one detection, in order. Hooks are not
// told which detection an action is for, so the Host attributes a
// StopProcess or Quarantine call to a detection when the engine notifies
// it of the detection's record: the record's actions, and the number of
// attempts of each, name the calls. Restore calls follow the quarantine
// they undo. Without the Notify hook, or before the record is finished,
// CallsFor returns only the Notify and Restore calls it can place.
func (h *Host) CallsFor(detectionID string) []Call {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []Call
	for i := range h.calls {
		c := h.calls[i]
		h.resolve(&c)
		if c.DetectionID == detectionID {
			out = append(out, c)
		}
	}
	return out
}

// resolve fills in a Restore call's detection from its quarantine's.
func (h *Host) resolve(c *Call) {
	if c.DetectionID == "" && c.Hook == Restore {
		if i, ok := h.qcall[c.QuarantineID]; ok {
			c.DetectionID = h.calls[i].DetectionID
		}
	}
}

// WaitCalls waits until at least n calls of the hook have started, or ctx
// is done.
func (h *Host) WaitCalls(ctx context.Context, hook Hook, n int) error {
	if hook < StopProcess || hook > Notify {
		return fmt.Errorf("edrtest: WaitCalls: no hook %d", hook)
	}
	for {
		h.mu.Lock()
		if h.started[hook] >= n {
			h.mu.Unlock()
			return nil
		}
		if h.waiters == nil {
			h.waiters = make(chan struct{})
		}
		ch := h.waiters
		h.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("edrtest: waiting for %d %s calls: %w", n, hook, ctx.Err())
		}
	}
}

// CreateFile makes a file exist at path (on a Strict host, only such
// files exist).
func (h *Host) CreateFile(path string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.init()
	k := strings.ToLower(path)
	h.created[k], h.gone[k] = true, false
}

// StartProcess makes a process with the id run (on a Strict host, only
// such processes run).
func (h *Host) StartProcess(pid int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.init()
	h.running[pid], h.stopped[pid] = true, false
}

// FileExists reports whether the file at path is there: not quarantined,
// and, on a Strict host, made by CreateFile.
func (h *Host) FileExists(path string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.init()
	return h.fileExists(strings.ToLower(path))
}

func (h *Host) fileExists(k string) bool {
	return k != "" && !h.gone[k] && (!h.Strict || h.created[k])
}

// Running reports whether the process runs: its id is positive, it was
// not stopped, and, on a Strict host, StartProcess started it.
func (h *Host) Running(pid int64) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.init()
	return h.isRunning(pid)
}

func (h *Host) isRunning(pid int64) bool {
	return pid > 0 && !h.stopped[pid] && (!h.Strict || h.running[pid])
}

// Quarantined returns the files in quarantine, by id.
func (h *Host) Quarantined() map[string]QuarantinedFile {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make(map[string]QuarantinedFile, len(h.quar))
	for id, q := range h.quar {
		out[id] = q
	}
	return out
}

// StopProcess implements [edr.ProcessStopper]: it stops the process
// a.ProcessID.
func (h *Host) StopProcess(ctx context.Context, a remediate.Action) error {
	_, err := h.do(ctx, Call{Hook: StopProcess, Action: a}, func() (string, error) {
		if !h.isRunning(a.ProcessID) {
			return "", fmt.Errorf("edrtest: stop process %d: %w", a.ProcessID, ErrNoProcess)
		}
		h.stopped[a.ProcessID] = true
		return "", nil
	})
	return err
}

// Quarantine implements [edr.Quarantiner]: it moves the file a.Path into
// the fake quarantine and returns its id, "q-1", "q-2", ...
func (h *Host) Quarantine(ctx context.Context, a remediate.Action) (string, error) {
	return h.do(ctx, Call{Hook: Quarantine, Action: a}, func() (string, error) {
		k := strings.ToLower(a.Path)
		if !h.fileExists(k) {
			return "", fmt.Errorf("edrtest: quarantine %q: %w", a.Path, ErrNoFile)
		}
		h.nextQ++
		id := fmt.Sprintf("q-%d", h.nextQ)
		h.gone[k] = true
		h.quar[id] = QuarantinedFile{ID: id, Path: a.Path, Action: a}
		return id, nil
	})
}

// Restore implements [edr.Restorer]: it brings the file quarantined under
// id back to its path.
func (h *Host) Restore(ctx context.Context, id string, a remediate.Action) error {
	_, err := h.do(ctx, Call{Hook: Restore, Action: a, QuarantineID: id}, func() (string, error) {
		q, ok := h.quar[id]
		if !ok {
			return "", fmt.Errorf("edrtest: restore %q: %w", id, ErrUnknownQuarantineID)
		}
		delete(h.quar, id)
		k := strings.ToLower(q.Path)
		h.gone[k] = false
		if h.Strict {
			h.created[k] = true
		}
		return "", nil
	})
	return err
}

// Notify implements [edr.Notifier]: it records the record, and attributes
// the record's hook calls to its detection (see [Host.CallsFor]), even
// when a fault makes the notification itself fail.
func (h *Host) Notify(ctx context.Context, r edr.Record) error {
	rec := r.Clone()
	_, err := h.do(ctx, Call{Hook: Notify, Record: &rec, DetectionID: r.ID}, func() (string, error) { return "", nil })
	return err
}

// attribute gives the detection's id to the most recent unattributed
// calls for each of its actions, as many as the action's attempts.
func (h *Host) attribute(r *edr.Record) {
	for _, a := range r.Actions {
		hook := hookOf(a.Kind)
		if hook == 0 || a.Attempts == 0 {
			continue
		}
		k := actionKey{hook, a.Action}
		idx := h.pending[k]
		n := min(a.Attempts, len(idx))
		for _, i := range idx[len(idx)-n:] {
			h.calls[i].DetectionID = r.ID
		}
		if len(idx) == n {
			delete(h.pending, k)
		} else {
			h.pending[k] = idx[:len(idx)-n]
		}
	}
}

// do records a call, applies its fault, and, unless the fault ended it,
// acts with the lock held (act is skipped if ctx is done).
func (h *Host) do(ctx context.Context, c Call, act func() (string, error)) (id string, err error) {
	i, f := h.begin(&c)
	finished := false
	defer func() {
		if finished {
			return
		}
		pv := recover()
		if pv == nil { // runtime.Goexit: record it and let it go on
			h.end(i, "", errGoexit, nil)
			return
		}
		h.end(i, "", nil, pv)
		panic(pv)
	}()
	if f != nil {
		err = f.apply(ctx, c)
	}
	if err == nil {
		h.mu.Lock()
		h.init()
		if err = ctx.Err(); err == nil {
			id, err = act()
		}
		h.mu.Unlock()
	}
	finished = true
	h.end(i, id, err, nil)
	return id, err
}

func (h *Host) begin(c *Call) (int, *Fault) {
	var now time.Time
	if h.Clock != nil {
		now = h.Clock.Now()
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.init()
	c.Seq, c.Started = len(h.calls)+1, now
	if c.Hook == Restore {
		if qi, ok := h.qcall[c.QuarantineID]; ok {
			c.DetectionID = h.calls[qi].DetectionID
		}
	}
	var f *Fault
	for _, r := range h.faults[c.Hook] {
		if (r.f.times == 0 || r.used < r.f.times) && r.f.match.matches(c) {
			r.used++
			f = &r.f
			c.Fault = f.String()
			break
		}
	}
	i := len(h.calls)
	h.calls = append(h.calls, *c)
	switch c.Hook {
	case StopProcess, Quarantine:
		k := actionKey{c.Hook, c.Action}
		h.pending[k] = append(h.pending[k], i)
	case Notify:
		// The engine has told the host of the record, whatever the
		// notification itself does.
		h.attribute(c.Record)
	}
	h.started[c.Hook]++
	if h.waiters != nil {
		close(h.waiters)
		h.waiters = nil
	}
	return i, f
}

func (h *Host) end(i int, id string, err error, pv any) {
	var now time.Time
	if h.Clock != nil {
		now = h.Clock.Now()
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	c := &h.calls[i]
	c.Finished, c.Err, c.Panic, c.Done = now, err, pv, true
	if c.Hook == Quarantine && err == nil && pv == nil {
		c.QuarantineID = id
		h.qcall[id] = i
	}
}
