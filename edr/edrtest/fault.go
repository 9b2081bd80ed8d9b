package edrtest

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/blockmode/blockmode/detect"
	"github.com/blockmode/blockmode/edr"
	"github.com/blockmode/blockmode/remediate"
)

// Hook names one of the host's hooks.
type Hook uint8

// The hooks, as [edr.Hooks] has them.
const (
	// StopProcess is [edr.ProcessStopper].
	StopProcess Hook = iota + 1
	// Quarantine is [edr.Quarantiner].
	Quarantine
	// Restore is [edr.Restorer].
	Restore
	// Notify is [edr.Notifier].
	Notify
)

// AllHooks returns every hook, in the order of [edr.Hooks]' fields.
func AllHooks() []Hook { return []Hook{StopProcess, Quarantine, Restore, Notify} }

var hookNames = [...]string{"", "StopProcess", "Quarantine", "Restore", "Notify"}

// String returns the hook's method name, "Quarantine".
func (h Hook) String() string {
	if h > 0 && int(h) < len(hookNames) {
		return hookNames[h]
	}
	return "Hook(" + strconv.Itoa(int(h)) + ")"
}

// hookOf returns the hook that carries out an action.
func hookOf(k remediate.ActionKind) Hook {
	switch k {
	case remediate.StopProcess:
		return StopProcess
	case remediate.Quarantine:
		return Quarantine
	}
	return 0
}

// ErrBusy is the error [FailTemporarily] fails with, wrapped by
// [edr.Temporary]: a file that is locked, a service that is busy.
var ErrBusy = errors.New("edrtest: busy")

// A Fault is a scripted misbehaviour of a [Host] hook: fail, panic, hang or
// be slow. [Host.Fault] installs it. A Fault applies to every call of its
// hook unless [Fault.Times] limits how many calls it applies to and
// [Fault.Match] which ones. Fault values are immutable: the methods return
// a modified copy.
type Fault struct {
	kind  faultKind
	err   error
	value any
	delay time.Duration
	fn    func(context.Context, Call) error
	times int
	match Match
}

type faultKind uint8

const (
	faultFail faultKind = iota + 1
	faultPanic
	faultHang
	faultSlow
	faultFunc
)

// Fail fails every matching call with err, without acting. The engine
// retries err if [edr.IsTemporary] says so, and records it as final
// otherwise. A nil err is [ErrBusy], final.
func Fail(err error) Fault {
	if err == nil {
		err = ErrBusy
	}
	return Fault{kind: faultFail, err: err}
}

// FailTimes fails the first n matching calls with err and lets the ones
// after them succeed: Fail(err).Times(n).
func FailTimes(n int, err error) Fault { return Fail(err).Times(n) }

// FailTemporarily fails the first n matching calls with a temporary error
// (ErrBusy marked with [edr.Temporary]), which the engine retries.
func FailTemporarily(n int) Fault { return FailTimes(n, edr.Temporary(ErrBusy)) }

// Panic makes every matching call panic with v.
func Panic(v any) Fault { return Fault{kind: faultPanic, value: v} }

// Hang makes every matching call block until its context is done, then
// return the context's error without acting: a hook stuck on a driver
// call that honours cancellation.
func Hang() Fault { return Fault{kind: faultHang} }

// Slow makes every matching call wait d before acting normally. If the
// context is done first, the call returns the context's error without
// acting.
func Slow(d time.Duration) Fault { return Fault{kind: faultSlow, delay: d} }

// Func runs fn at the start of every matching call. If fn returns an
// error the call fails with it without acting; if it returns nil the call
// goes on normally. fn may block (it should honour ctx) and may panic. It
// must not call the Host's fault or hook methods.
func Func(fn func(ctx context.Context, c Call) error) Fault {
	return Fault{kind: faultFunc, fn: fn}
}

// Times limits the fault to the first n matching calls; later ones behave
// normally. n <= 0 means every call.
func (f Fault) Times(n int) Fault {
	f.times = max(n, 0)
	return f
}

// Match limits the fault to the calls m selects.
func (f Fault) Match(m Match) Fault {
	f.match = m
	return f
}

// String describes the fault, "fail (edrtest: busy) 2 times on path C:\x.exe".
func (f Fault) String() string {
	var s string
	switch f.kind {
	case faultFail:
		s = "fail (" + f.err.Error() + ")"
	case faultPanic:
		s = fmt.Sprintf("panic(%v)", f.value)
	case faultHang:
		s = "hang"
	case faultSlow:
		s = "slow " + f.delay.String()
	case faultFunc:
		s = "func"
	default:
		return "no fault"
	}
	if f.times > 0 {
		s += " " + strconv.Itoa(f.times) + " times"
	}
	if m := f.match.String(); m != "" {
		s += " on " + m
	}
	return s
}

// apply carries out the fault at the start of a call. It returns the
// error the call fails with, or nil to go on normally.
func (f Fault) apply(ctx context.Context, c Call) error {
	switch f.kind {
	case faultFail:
		return f.err
	case faultPanic:
		panic(f.value)
	case faultHang:
		<-ctx.Done()
		return ctx.Err()
	case faultSlow:
		t := time.NewTimer(f.delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	case faultFunc:
		return f.fn(ctx, c)
	}
	return nil
}

// Match selects the calls a [Fault] applies to. Every field that is set
// must match; the zero Match selects every call.
type Match struct {
	// Path selects actions on this file (compared case-insensitively, as
	// Windows does): the file to quarantine or restore, the image of the
	// process to stop.
	Path string
	// ProcessID selects stopping this process.
	ProcessID int64
	// DeviceID selects actions on this device.
	DeviceID string
	// Detection selects the actions on the detection's artifacts (the
	// paths and process ids of its file and process evidence) and the
	// notification of its record. Hooks are not told which detection an
	// action is for, so an artifact shared by two detections matches both.
	Detection *detect.Detection
	// If, when set, must also return true. It is called with the Host's
	// lock held and must not call the Host.
	If func(Call) bool
}

func (m Match) matches(c *Call) bool {
	a := &c.Action
	switch {
	case m.Path != "" && !strings.EqualFold(m.Path, a.Path):
		return false
	case m.ProcessID != 0 && m.ProcessID != a.ProcessID:
		return false
	case m.DeviceID != "" && m.DeviceID != a.DeviceID:
		return false
	case m.Detection != nil && !matchesDetection(m.Detection, c):
		return false
	case m.If != nil && !m.If(*c):
		return false
	}
	return true
}

func matchesDetection(d *detect.Detection, c *Call) bool {
	if c.Hook == Notify {
		return c.Record != nil && c.Record.ID == d.ID
	}
	for _, ev := range d.Evidence {
		switch ev := ev.(type) {
		case *detect.FileEvidence:
			if strings.EqualFold(ev.File.FullPath(), c.Action.Path) {
				return true
			}
		case *detect.ProcessEvidence:
			if c.Hook == StopProcess && ev.ProcessID == c.Action.ProcessID && ev.ProcessID != 0 {
				return true
			}
			if c.Hook != StopProcess && strings.EqualFold(ev.Image.FullPath(), c.Action.Path) {
				return true
			}
		}
	}
	return false
}

// String describes the match, "path C:\x.exe, process 4120".
func (m Match) String() string {
	var parts []string
	if m.Path != "" {
		parts = append(parts, "path "+m.Path)
	}
	if m.ProcessID != 0 {
		parts = append(parts, "process "+strconv.FormatInt(m.ProcessID, 10))
	}
	if m.DeviceID != "" {
		parts = append(parts, "device "+m.DeviceID)
	}
	if m.Detection != nil {
		parts = append(parts, "detection "+m.Detection.ID)
	}
	if m.If != nil {
		parts = append(parts, "a condition")
	}
	return strings.Join(parts, ", ")
}
