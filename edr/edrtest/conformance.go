package edrtest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/blockmode/blockmode/detect"
	"github.com/blockmode/blockmode/edr"
	"github.com/blockmode/blockmode/remediate"
)

// Env is what the conformance suite ([TestHooks], [TestHost]) needs from
// the platform of a host under test to make throwaway artifacts and see
// what became of them. Only NewFile is needed for the quarantine and
// restore checks, NewProcess for the process checks; a check whose
// function is missing is skipped and said so.
type Env struct {
	// NewFile creates a throwaway file that the host may quarantine, and
	// returns its full path. The suite creates at most a few dozen.
	NewFile func() (path string, err error)
	// FileExists reports whether a file is at path: false once the host
	// has quarantined it, true again once it has restored it.
	FileExists func(path string) bool
	// NewProcess starts a throwaway process that the host may stop, and
	// returns its id and the full path of its image, which the host may
	// quarantine after stopping it.
	NewProcess func() (pid int64, path string, err error)
	// ProcessRunning reports whether the process runs.
	ProcessRunning func(pid int64) bool
	// DeviceID is the device the actions are for; default [DeviceID].
	DeviceID string
	// Timeout bounds every hook call; default 5s. It is also the engine's
	// action timeout.
	Timeout time.Duration
	// CancelWithin bounds how long a hook may take to return once its
	// context is done; default 1s.
	CancelWithin time.Duration
	// Concurrency is how many hook calls run at once in the concurrency
	// check; default 8.
	Concurrency int
}

func (env Env) withDefaults() Env {
	if env.DeviceID == "" {
		env.DeviceID = DeviceID
	}
	if env.Timeout <= 0 {
		env.Timeout = 5 * time.Second
	}
	if env.CancelWithin <= 0 {
		env.CancelWithin = time.Second
	}
	if env.Concurrency <= 0 {
		env.Concurrency = 8
	}
	return env
}

// Env returns the environment that runs the conformance suite against
// the fake host itself: files and processes are made in its fake file
// system and process table. Run the suite on a Strict host: on a lenient
// one every path names a file, so quarantining a file that does not exist
// succeeds, and the suite says so.
func (h *Host) Env() Env {
	return Env{
		NewFile: func() (string, error) {
			h.mu.Lock()
			h.nextF++
			p := fmt.Sprintf(`C:\edrtest\conformance\file-%d.exe`, h.nextF)
			h.mu.Unlock()
			h.CreateFile(p)
			return p, nil
		},
		FileExists: h.FileExists,
		NewProcess: func() (int64, string, error) {
			h.mu.Lock()
			h.nextPID++
			pid := 100000 + h.nextPID
			p := fmt.Sprintf(`C:\edrtest\conformance\proc-%d.exe`, h.nextPID)
			h.mu.Unlock()
			h.CreateFile(p)
			h.StartProcess(pid)
			return pid, p, nil
		},
		ProcessRunning: h.Running,
	}
}

// TestHost runs the conformance suite ([TestHooks]) on a host's hooks and
// reports each misbehaviour through t.Error, all at once, and each
// skipped check through t.Log.
func TestHost(t testing.TB, hooks edr.Hooks, env Env) {
	t.Helper()
	s := runSuite(hooks, env)
	for _, n := range s.skipped {
		t.Log("edrtest.TestHost: skipped:", n)
	}
	for _, p := range s.problems {
		t.Error("edrtest.TestHost: " + p)
	}
}

// TestHooks is a conformance suite for a real host's hooks, in the manner
// of [testing/fstest.TestFS]: it drives the hooks, through an engine and
// directly, with the artifacts env makes, and returns an error that lists
// every misbehaviour found (nil if none); the error joins one error per
// problem. The checks, each skipped when a hook or an Env function it
// needs is missing:
//
//   - quarantine: a detection of a throwaway file is Prevented; the
//     quarantine action succeeds with an id; the file is gone.
//   - restore: undoing that record restores the file under that id; the
//     record is Undone; the file is back.
//   - stop then quarantine: a detection of a throwaway process is Blocked:
//     the process is stopped, then its image quarantined; it no longer
//     runs and its image is gone.
//   - errors are errors: quarantining a file that does not exist, or an
//     action with no path, and restoring an id never issued each return
//     an error (not success, not a panic).
//   - cancellation: each hook, called with a context already cancelled
//     and with one that expires mid-call, returns within
//     Env.CancelWithin; a success under a cancelled context must be real.
//   - promptness: every call returns within Env.Timeout.
//   - concurrency: Env.Concurrency quarantines (and restores) at once all
//     succeed, with distinct ids.
//   - no panics: no hook panics, in any check; the engine's notifications
//     are taken without a panic or an error.
//
// A hook that never returns is abandoned (its goroutine is left running),
// so that the suite itself always ends.
func TestHooks(hooks edr.Hooks, env Env) error {
	s := runSuite(hooks, env)
	errs := make([]error, len(s.problems))
	for i, p := range s.problems {
		errs[i] = errors.New(p)
	}
	return errors.Join(errs...)
}

type suite struct {
	hooks    edr.Hooks
	env      Env
	problems []string
	skipped  []string
	logs     *logCapture
	eng      *edr.Engine
	seq      int
}

func (s *suite) errorf(check, format string, args ...any) {
	s.problems = append(s.problems, check+": "+fmt.Sprintf(format, args...))
}

func (s *suite) skip(check, why string) { s.skipped = append(s.skipped, check+": "+why) }

func runSuite(hooks edr.Hooks, env Env) *suite {
	s := &suite{hooks: hooks, env: env.withDefaults(), logs: new(logCapture)}
	if hooks.StopProcess == nil && hooks.Quarantine == nil && hooks.Restore == nil && hooks.Notify == nil {
		s.errorf("hooks", "the host has no hooks at all")
		return s
	}
	clock := new(Clock)
	dev := EligibleDevice()
	dev.DeviceID = s.env.DeviceID
	eng, err := edr.New(edr.Config{
		Hooks:    hooks,
		Clock:    clock,
		Store:    new(edr.MemStore),
		Settings: BlockModeOn(clock),
		Device:   dev,
		Logger:   slog.New(s.logs),
		// A host may be busy now and then: the engine retries its
		// temporary errors, as in production.
		Limits: edr.Limits{ActionTimeout: s.env.Timeout, MaxAttempts: 3, Backoff: 10 * time.Millisecond, Workers: 1},
	})
	if err != nil {
		s.errorf("engine", "edr.New: %v", err)
		return s
	}
	s.eng = eng
	s.checkQuarantineAndRestore()
	s.checkStopThenQuarantine()
	s.checkErrors()
	s.checkCancellation()
	s.checkConcurrency()
	s.checkNotify()
	s.close()
	for _, e := range s.logs.all() {
		switch e.msg {
		case "edr: notifier panicked":
			s.errorf("notify", "Notify of record %s, called by the engine, panicked: %s", e.attrs["record"], e.attrs["panic"])
		case "edr: notifier failed":
			s.errorf("notify", "Notify of record %s, called by the engine, failed: %s", e.attrs["record"], e.attrs["err"])
		case "edr: hook panicked": // in the record already
		default:
			s.errorf("engine", "the engine logged %s: %s %v", e.level, e.msg, e.attrs)
		}
	}
	return s
}

func (s *suite) close() {
	ctx, cancel := context.WithTimeout(context.Background(), s.env.Timeout)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- s.eng.Close(ctx) }()
	select {
	case err := <-done:
		if err != nil {
			s.errorf("engine", "closing the engine: %v: a hook did not return", err)
		}
	case <-time.After(s.env.Timeout + s.env.CancelWithin):
		s.errorf("engine", "the engine did not close within %s: a hook ignores its context (the engine gives Notify no timeout)", s.env.Timeout+s.env.CancelWithin)
	}
}

// handle runs a detection through the engine, within a bound.
func (s *suite) handle(check string, evidence ...detect.Evidence) (edr.Record, bool) {
	s.seq++
	det := Detection(fmt.Sprintf("edrtest-conformance-%d-%s", s.seq, strings.ReplaceAll(check, " ", "-")), evidence...)
	det.DeviceID = s.env.DeviceID
	bound := 3*s.env.Timeout + s.env.CancelWithin
	type result struct {
		rec edr.Record
		err error
	}
	ch := make(chan result, 1)
	go func() {
		rec, err := s.eng.Handle(context.Background(), det)
		ch <- result{rec, err}
	}()
	select {
	case r := <-ch:
		if r.err != nil {
			s.errorf(check, "the engine failed: %v", r.err)
			return r.rec, false
		}
		return r.rec, true
	case <-time.After(bound):
		s.errorf(check, "the engine did not finish the detection within %s: a hook ignores its context", bound)
		return edr.Record{}, false
	}
}

// want checks a record against want with CheckRecord's rules.
func (s *suite) want(check string, rec edr.Record, want Want) {
	var r report
	checkRecord(&r, rec, want)
	for _, p := range r.problems {
		s.errorf(check, "%s", p)
	}
	for i, a := range rec.Actions {
		if a.Panic != "" {
			s.errorf(check, "%s panicked: %s", hookOf(a.Kind), a.Panic)
		} else if a.Result != edr.Succeeded && a.Error != "" && len(r.problems) == 0 {
			s.errorf(check, "action %d (%s): %s", i, a.Action, a.Error)
		}
	}
}

func (s *suite) newFile(check string) (string, bool) {
	p, err := s.env.NewFile()
	if err != nil {
		s.errorf(check, "Env.NewFile: %v", err)
		return "", false
	}
	return p, true
}

func (s *suite) exists(check, path string, want bool, after string) {
	if s.env.FileExists == nil {
		return
	}
	if got := s.env.FileExists(path); got != want {
		if want {
			s.errorf(check, "%s is not there after %s", path, after)
		} else {
			s.errorf(check, "%s is still there after %s", path, after)
		}
	}
}

func (s *suite) checkQuarantineAndRestore() {
	const check = "quarantine"
	switch {
	case s.hooks.Quarantine == nil:
		s.skip(check, "no Quarantiner")
		s.skip("restore", "no Quarantiner")
		return
	case s.env.NewFile == nil:
		s.skip(check, "no Env.NewFile")
		s.skip("restore", "no Env.NewFile")
		return
	}
	path, ok := s.newFile(check)
	if !ok {
		return
	}
	rec, ok := s.handle(check, File(path))
	if !ok {
		return
	}
	s.want(check, rec, Want{Status: edr.Prevented})
	if len(rec.Actions) != 1 || rec.Actions[0].Result != edr.Succeeded {
		s.skip("restore", "the quarantine failed")
		return
	}
	s.exists(check, path, false, "a successful quarantine")
	s.checkUndo(rec, path)
}

func (s *suite) checkUndo(rec edr.Record, path string) {
	const check = "restore"
	if s.hooks.Restore == nil {
		s.skip(check, "no Restorer")
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*s.env.Timeout)
	defer cancel()
	ch := make(chan struct {
		rec edr.Record
		err error
	}, 1)
	go func() {
		r, err := s.eng.Undo(ctx, rec.ID, "edrtest")
		ch <- struct {
			rec edr.Record
			err error
		}{r, err}
	}()
	select {
	case r := <-ch:
		if r.err != nil {
			s.errorf(check, "undoing the quarantine of %s (id %q): %v", path, rec.Actions[0].QuarantineID, r.err)
			return
		}
		s.want(check, r.rec, Want{Status: edr.Undone})
		s.exists(check, path, true, "restoring it")
	case <-time.After(2*s.env.Timeout + s.env.CancelWithin):
		s.errorf(check, "Restore did not return within %s", 2*s.env.Timeout+s.env.CancelWithin)
	}
}

func (s *suite) checkStopThenQuarantine() {
	const check = "stop then quarantine"
	switch {
	case s.hooks.StopProcess == nil:
		s.skip(check, "no ProcessStopper")
		return
	case s.env.NewProcess == nil:
		s.skip(check, "no Env.NewProcess")
		return
	}
	pid, path, err := s.env.NewProcess()
	if err != nil {
		s.errorf(check, "Env.NewProcess: %v", err)
		return
	}
	rec, ok := s.handle(check, Process(pid, path))
	if !ok {
		return
	}
	want := Want{Status: edr.Blocked}
	if s.hooks.Quarantine == nil {
		want = Want{Status: edr.PartiallyRemediated, Actions: []edr.ActionResult{edr.Succeeded, edr.NotSupported}}
	}
	s.want(check, rec, want)
	if len(rec.Actions) != 2 {
		return
	}
	if rec.Actions[0].Result == edr.Succeeded && s.env.ProcessRunning != nil && s.env.ProcessRunning(pid) {
		s.errorf(check, "process %d still runs after a successful StopProcess", pid)
	}
	if rec.Actions[1].Result == edr.Succeeded {
		s.exists(check, path, false, "stopping its process and quarantining it")
	}
	// Stopping it again: an error or nothing, promptly, no panic.
	a := remediate.Action{Kind: remediate.StopProcess, DeviceID: s.env.DeviceID, ProcessID: pid, Path: path}
	s.call(context.Background(), check, "StopProcess of a process already stopped", s.env.Timeout, func(ctx context.Context) (string, error) {
		return "", s.hooks.StopProcess.StopProcess(ctx, a)
	})
}

// probe is the outcome of one direct hook call.
type probe struct {
	id       string
	err      error
	pv       any
	took     time.Duration
	returned bool
}

// call calls a hook directly, within bound, and reports a panic or a call
// that does not return. A call that does not return is abandoned.
func (s *suite) call(ctx context.Context, check, what string, bound time.Duration, fn func(context.Context) (string, error)) probe {
	ch := make(chan probe, 1)
	start := time.Now()
	go func() {
		var p probe
		defer func() {
			p.pv = recover()
			p.took, p.returned = time.Since(start), true
			ch <- p
		}()
		p.id, p.err = fn(ctx)
	}()
	t := time.NewTimer(bound)
	defer t.Stop()
	select {
	case p := <-ch:
		if p.pv != nil {
			s.errorf(check, "%s panicked: %v (a hook returns errors; it does not panic)", what, p.pv)
		}
		return p
	case <-t.C:
		s.errorf(check, "%s did not return within %s", what, bound)
		return probe{took: bound}
	}
}

func (s *suite) checkErrors() {
	const check = "errors are errors"
	bg := context.Background()
	if q := s.hooks.Quarantine; q != nil && s.env.NewFile != nil {
		if path, ok := s.newFile(check); ok {
			missing := path + ".edrtest-missing"
			a := remediate.Action{Kind: remediate.Quarantine, DeviceID: s.env.DeviceID, Path: missing}
			p := s.call(bg, check, "Quarantine of a file that does not exist", s.env.Timeout, func(ctx context.Context) (string, error) { return q.Quarantine(ctx, a) })
			if p.returned && p.pv == nil && p.err == nil {
				s.errorf(check, "Quarantine of %s, which does not exist, returned id %q and no error", missing, p.id)
			}
		}
		a := remediate.Action{Kind: remediate.Quarantine, DeviceID: s.env.DeviceID}
		p := s.call(bg, check, "Quarantine of an action with no path", s.env.Timeout, func(ctx context.Context) (string, error) { return q.Quarantine(ctx, a) })
		if p.returned && p.pv == nil && p.err == nil {
			s.errorf(check, "Quarantine of an action with no path returned id %q and no error", p.id)
		}
	} else {
		s.skip(check+" (quarantine)", "no Quarantiner or no Env.NewFile")
	}
	if r := s.hooks.Restore; r != nil {
		const id = "edrtest-never-issued"
		a := remediate.Action{Kind: remediate.Quarantine, DeviceID: s.env.DeviceID, Path: `C:\edrtest\never-quarantined.exe`}
		p := s.call(bg, check, "Restore of an id never issued", s.env.Timeout, func(ctx context.Context) (string, error) { return "", r.Restore(ctx, id, a) })
		if p.returned && p.pv == nil && p.err == nil {
			s.errorf(check, "Restore of quarantine id %q, never issued, returned no error", id)
		}
	} else {
		s.skip(check+" (restore)", "no Restorer")
	}
}

func (s *suite) checkCancellation() {
	const check = "cancellation"
	type target struct {
		hook Hook
		// make returns a call on fresh artifacts, a check that it acted
		// (nil if Env cannot tell), and whether it could make them.
		make func() (func(context.Context) (string, error), func() bool, bool)
	}
	var targets []target
	if q := s.hooks.Quarantine; q != nil && s.env.NewFile != nil {
		targets = append(targets, target{Quarantine, func() (func(context.Context) (string, error), func() bool, bool) {
			path, ok := s.newFile(check)
			a := remediate.Action{Kind: remediate.Quarantine, DeviceID: s.env.DeviceID, Path: path}
			var acted func() bool // nil: Env cannot tell
			if s.env.FileExists != nil {
				acted = func() bool { return !s.env.FileExists(path) }
			}
			return func(ctx context.Context) (string, error) { return q.Quarantine(ctx, a) }, acted, ok
		}})
	} else {
		s.skip(check+" (Quarantine)", "no Quarantiner or no Env.NewFile")
	}
	if sp := s.hooks.StopProcess; sp != nil && s.env.NewProcess != nil {
		targets = append(targets, target{StopProcess, func() (func(context.Context) (string, error), func() bool, bool) {
			pid, path, err := s.env.NewProcess()
			if err != nil {
				s.errorf(check, "Env.NewProcess: %v", err)
				return nil, nil, false
			}
			a := remediate.Action{Kind: remediate.StopProcess, DeviceID: s.env.DeviceID, ProcessID: pid, Path: path}
			var acted func() bool
			if s.env.ProcessRunning != nil {
				acted = func() bool { return !s.env.ProcessRunning(pid) }
			}
			return func(ctx context.Context) (string, error) { return "", sp.StopProcess(ctx, a) }, acted, true
		}})
	} else {
		s.skip(check+" (StopProcess)", "no ProcessStopper or no Env.NewProcess")
	}
	if r := s.hooks.Restore; r != nil {
		targets = append(targets, target{Restore, func() (func(context.Context) (string, error), func() bool, bool) {
			a := remediate.Action{Kind: remediate.Quarantine, DeviceID: s.env.DeviceID, Path: `C:\edrtest\never-quarantined.exe`}
			return func(ctx context.Context) (string, error) { return "", r.Restore(ctx, "edrtest-never-issued", a) }, nil, true
		}})
	}
	if n := s.hooks.Notify; n != nil {
		targets = append(targets, target{Notify, func() (func(context.Context) (string, error), func() bool, bool) {
			rec := sampleRecord()
			return func(ctx context.Context) (string, error) { return "", n.Notify(ctx, rec) }, nil, true
		}})
	}
	for _, tg := range targets {
		// A context cancelled before the call.
		fn, acted, ok := tg.make()
		if ok {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			what := tg.hook.String() + " with a cancelled context"
			p := s.call(ctx, check, what, s.env.CancelWithin, fn)
			if p.returned && p.pv == nil && p.err == nil && acted != nil && !acted() {
				s.errorf(check, "%s returned success and did not act", what)
			}
		}
		// A context that expires during the call.
		fn, _, ok = tg.make()
		if ok {
			const expiry = 5 * time.Millisecond
			ctx, cancel := context.WithTimeout(context.Background(), expiry)
			s.call(ctx, check, fmt.Sprintf("%s with a context that expires after %s", tg.hook, expiry), expiry+s.env.CancelWithin, fn)
			cancel()
		}
	}
}

func (s *suite) checkConcurrency() {
	const check = "concurrency"
	q := s.hooks.Quarantine
	if q == nil || s.env.NewFile == nil {
		s.skip(check, "no Quarantiner or no Env.NewFile")
		return
	}
	n := s.env.Concurrency
	paths := make([]string, n)
	actions := make([]remediate.Action, n)
	for i := range paths {
		var ok bool
		if paths[i], ok = s.newFile(check); !ok {
			return
		}
		actions[i] = remediate.Action{Kind: remediate.Quarantine, DeviceID: s.env.DeviceID, Path: paths[i]}
	}
	// The same misbehaviour on every file is one problem: each is
	// reported once, with how many files it hit and the first example.
	var order []string
	hits := map[string][]string{}
	problem := func(what, example string) {
		if _, ok := hits[what]; !ok {
			order = append(order, what)
		}
		hits[what] = append(hits[what], example)
	}
	defer func() {
		for _, what := range order {
			ex := hits[what]
			if len(ex) == 1 {
				s.errorf(check, "%s: %s", what, ex[0])
			} else {
				s.errorf(check, "%s, for %d of %d files; first: %s", what, len(ex), n, ex[0])
			}
		}
	}()
	type out struct {
		id  string
		err error
		pv  any
	}
	run := func(hook Hook, fn func(i int) (string, error)) ([]out, bool) {
		outs := make([]out, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				defer func() { outs[i].pv = recover() }()
				outs[i].id, outs[i].err = fn(i)
			})
		}
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(2 * s.env.Timeout):
			problem(fmt.Sprintf("%d %s calls at once did not all return within %s", n, hook, 2*s.env.Timeout), "")
			return nil, false
		}
		ok := true
		for i, o := range outs {
			switch {
			case o.pv != nil:
				problem(fmt.Sprintf("%s, %d at once, panicked", hook, n), fmt.Sprintf("%s: %v", paths[i], o.pv))
				ok = false
			case o.err != nil:
				problem(fmt.Sprintf("%s, %d at once, failed", hook, n), fmt.Sprintf("%s: %v", paths[i], o.err))
				ok = false
			}
		}
		return outs, ok
	}
	outs, ok := run(Quarantine, func(i int) (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), s.env.Timeout)
		defer cancel()
		return q.Quarantine(ctx, actions[i])
	})
	if !ok {
		return
	}
	seen := map[string]string{}
	for i, o := range outs {
		switch prev, dup := seen[o.id]; {
		case o.id == "":
			problem("Quarantine returned no quarantine id", paths[i])
		case dup:
			problem("Quarantine returned the same id for two files", fmt.Sprintf("%q for %s and %s", o.id, prev, paths[i]))
		}
		seen[o.id] = paths[i]
		if s.env.FileExists != nil && s.env.FileExists(paths[i]) {
			problem("a file is still there after Quarantine succeeded", paths[i])
		}
	}
	r := s.hooks.Restore
	if r == nil {
		return
	}
	if _, ok := run(Restore, func(i int) (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), s.env.Timeout)
		defer cancel()
		return "", r.Restore(ctx, outs[i].id, actions[i])
	}); ok && s.env.FileExists != nil {
		for _, p := range paths {
			if !s.env.FileExists(p) {
				problem("a file is not there after Restore succeeded", p)
			}
		}
	}
}

func (s *suite) checkNotify() {
	const check = "notify"
	n := s.hooks.Notify
	if n == nil {
		s.skip(check, "no Notifier")
		return
	}
	rec := sampleRecord()
	p := s.call(context.Background(), check, "Notify", s.env.Timeout, func(ctx context.Context) (string, error) { return "", n.Notify(ctx, rec) })
	if p.returned && p.pv == nil && p.err != nil {
		s.errorf(check, "Notify of a finished record: %v", p.err)
	}
}

// sampleRecord is a finished record to notify.
func sampleRecord() edr.Record {
	det := Detection("edrtest-conformance-notify", File(`C:\edrtest\notify.exe`))
	a := remediate.Action{Kind: remediate.Quarantine, DeviceID: DeviceID, Path: `C:\edrtest\notify.exe`}
	return edr.Record{
		ID: det.ID, DeviceID: DeviceID, Status: edr.Prevented, Detection: det,
		Decision: remediate.Decision{DetectionID: det.ID, Verdict: remediate.Remediate, Actions: []remediate.Action{a}},
		Actions:  []edr.ActionRecord{{Action: a, Result: edr.Succeeded, Attempts: 1, QuarantineID: "edrtest-q"}},
		Received: Epoch, Decided: Epoch, Finished: Epoch, Revision: 1, Ruleset: "edrtest",
	}
}

// logCapture is a slog.Handler that keeps the engine's warnings and
// errors, to report the ones about the host.
type logCapture struct {
	mu      sync.Mutex
	entries []logEntry
}

type logEntry struct {
	level slog.Level
	msg   string
	attrs map[string]string
}

func (l *logCapture) Enabled(_ context.Context, level slog.Level) bool {
	return level >= slog.LevelWarn
}

func (l *logCapture) Handle(_ context.Context, r slog.Record) error {
	e := logEntry{level: r.Level, msg: r.Message, attrs: map[string]string{}}
	r.Attrs(func(a slog.Attr) bool {
		e.attrs[a.Key] = a.Value.String()
		return true
	})
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries = append(l.entries, e)
	return nil
}

func (l *logCapture) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *logCapture) WithGroup(string) slog.Handler      { return l }

func (l *logCapture) all() []logEntry {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]logEntry(nil), l.entries...)
}
