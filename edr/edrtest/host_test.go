package edrtest_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blockmode/blockmode/edr"
	"github.com/blockmode/blockmode/edr/edrtest"
	"github.com/blockmode/blockmode/remediate"
)

var bg = context.Background()

func quarantine(path string) remediate.Action {
	return remediate.Action{Kind: remediate.Quarantine, DeviceID: edrtest.DeviceID, Path: path}
}

func stop(pid int64, path string) remediate.Action {
	return remediate.Action{Kind: remediate.StopProcess, DeviceID: edrtest.DeviceID, ProcessID: pid, Path: path}
}

func TestClock(t *testing.T) {
	var c edrtest.Clock
	assert.Equal(t, edrtest.Epoch, c.Now(), "the zero clock reads Epoch")
	assert.Equal(t, "2026-01-01T00:00:00Z", edrtest.Epoch.Format(time.RFC3339))
	assert.Equal(t, edrtest.Epoch.Add(time.Minute), c.Advance(time.Minute))
	assert.Equal(t, edrtest.Epoch.Add(time.Minute), c.Now(), "it never moves on its own")
	at := time.Date(2030, 5, 6, 7, 8, 9, 0, time.UTC)
	c.Set(at)
	assert.Equal(t, at, c.Now())
	assert.Equal(t, at, edrtest.NewClock(at).Now())

	var z edrtest.Clock
	z.Advance(time.Second)
	assert.Equal(t, edrtest.Epoch.Add(time.Second), z.Now(), "Advance on a zero clock starts from Epoch")

	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				c.Advance(time.Millisecond)
				_ = c.Now()
			}
		})
	}
	wg.Wait()
	assert.Equal(t, at.Add(800*time.Millisecond), c.Now())
	var _ edr.Clock = &c
}

func TestHostActsLikeAHost(t *testing.T) {
	h := &edrtest.Host{Clock: edrtest.NewClock(edrtest.Epoch)}
	var _ edr.ProcessStopper = h
	var _ edr.Quarantiner = h
	var _ edr.Restorer = h
	var _ edr.Notifier = h

	const path = `C:\Temp\Evil.exe`
	assert.True(t, h.FileExists(path), "every file exists on a lenient host")
	assert.True(t, h.Running(7))
	assert.False(t, h.Running(0))

	require.NoError(t, h.StopProcess(bg, stop(7, path)))
	assert.False(t, h.Running(7))
	assert.ErrorIs(t, h.StopProcess(bg, stop(7, path)), edrtest.ErrNoProcess, "stopped already")
	assert.ErrorIs(t, h.StopProcess(bg, stop(0, path)), edrtest.ErrNoProcess)
	assert.ErrorIs(t, h.StopProcess(bg, stop(-1, path)), edrtest.ErrNoProcess)

	id, err := h.Quarantine(bg, quarantine(path))
	require.NoError(t, err)
	assert.Equal(t, "q-1", id)
	assert.False(t, h.FileExists(path))
	assert.False(t, h.FileExists(strings.ToLower(path)), "paths compare as Windows compares them")
	_, err = h.Quarantine(bg, quarantine(path))
	assert.ErrorIs(t, err, edrtest.ErrNoFile, "quarantined already")
	_, err = h.Quarantine(bg, quarantine(""))
	assert.ErrorIs(t, err, edrtest.ErrNoFile)
	assert.Equal(t, map[string]edrtest.QuarantinedFile{"q-1": {ID: "q-1", Path: path, Action: quarantine(path)}}, h.Quarantined())

	assert.ErrorIs(t, h.Restore(bg, "q-9", quarantine(path)), edrtest.ErrUnknownQuarantineID)
	require.NoError(t, h.Restore(bg, id, quarantine(path)))
	assert.True(t, h.FileExists(path))
	assert.ErrorIs(t, h.Restore(bg, id, quarantine(path)), edrtest.ErrUnknownQuarantineID, "restored already")
	assert.Empty(t, h.Quarantined())

	ctx, cancel := context.WithCancel(bg)
	cancel()
	_, err = h.Quarantine(ctx, quarantine(path))
	assert.ErrorIs(t, err, context.Canceled, "a cancelled call does not act")
	assert.True(t, h.FileExists(path))

	calls := h.Calls()
	require.Len(t, calls, 11)
	for i, c := range calls {
		assert.Equal(t, i+1, c.Seq)
		assert.True(t, c.Done)
		assert.Equal(t, edrtest.Epoch, c.Started)
	}
	assert.Equal(t, "#1 StopProcess stop process 7 (C:\\Temp\\Evil.exe): ok", calls[0].String())
	assert.Equal(t, "#5 Quarantine quarantine file C:\\Temp\\Evil.exe: ok q-1", calls[4].String())
	assert.Equal(t, "#9 Restore C:\\Temp\\Evil.exe from q-1: ok", calls[8].String())
	assert.True(t, calls[4].Succeeded())
	assert.False(t, calls[5].Succeeded())
}

func TestStrictHost(t *testing.T) {
	h := &edrtest.Host{Strict: true}
	const path = `C:\x\a.exe`
	assert.False(t, h.FileExists(path))
	assert.False(t, h.Running(9))
	_, err := h.Quarantine(bg, quarantine(path))
	assert.ErrorIs(t, err, edrtest.ErrNoFile)
	assert.ErrorIs(t, h.StopProcess(bg, stop(9, path)), edrtest.ErrNoProcess)

	h.CreateFile(path)
	h.StartProcess(9)
	require.NoError(t, h.StopProcess(bg, stop(9, path)))
	id, err := h.Quarantine(bg, quarantine(path))
	require.NoError(t, err)
	require.NoError(t, h.Restore(bg, id, quarantine(path)))
	assert.True(t, h.FileExists(path))
}

func TestHooksWithout(t *testing.T) {
	h := new(edrtest.Host)
	all := h.Hooks()
	assert.Equal(t, edr.Hooks{StopProcess: h, Quarantine: h, Restore: h, Notify: h}, all)
	assert.Equal(t, edr.Hooks{Quarantine: h, Notify: h}, h.HooksWithout(edrtest.StopProcess, edrtest.Restore))
	assert.Equal(t, edr.Hooks{}, h.HooksWithout(edrtest.AllHooks()...))
	assert.Equal(t, "Quarantine", edrtest.Quarantine.String())
	assert.Equal(t, "Hook(9)", edrtest.Hook(9).String())
}

func TestFaults(t *testing.T) {
	const a, b = `C:\x\a.exe`, `C:\x\b.exe`
	errX := errors.New("x")
	type step struct {
		path    string
		wantErr error // nil: succeeds
	}
	cases := []struct {
		name  string
		fault edrtest.Fault
		steps []step
		label string
	}{
		{"fail_times_then_succeed", edrtest.FailTimes(2, errX), []step{{a, errX}, {a, errX}, {a, nil}}, "fail (x) 2 times"},
		{"fail_always", edrtest.Fail(errX), []step{{a, errX}, {b, errX}}, "fail (x)"},
		{"fail_nil_is_busy", edrtest.Fail(nil), []step{{a, edrtest.ErrBusy}}, "fail (edrtest: busy)"},
		{"fail_temporarily", edrtest.FailTemporarily(1), []step{{a, edrtest.ErrBusy}, {a, nil}}, "fail (edrtest: busy) 1 times"},
		{"match_path", edrtest.Fail(errX).Match(edrtest.Match{Path: strings.ToUpper(b)}), []step{{a, nil}, {b, errX}}, `fail (x) on path C:\X\B.EXE`},
		{"match_detection", edrtest.Fail(errX).Match(edrtest.Match{Detection: edrtest.Detection("d", edrtest.File(b))}), []step{{a, nil}, {b, errX}}, "fail (x) on detection d"},
		{"match_device", edrtest.Fail(errX).Match(edrtest.Match{DeviceID: "other"}), []step{{a, nil}}, ""},
		{"match_if", edrtest.Fail(errX).Match(edrtest.Match{If: func(c edrtest.Call) bool { return c.Seq == 3 }}), []step{{a, nil}, {b, errX}}, "fail (x) on a condition"},
		{"times_counts_matching_calls_only", edrtest.FailTimes(1, errX).Match(edrtest.Match{Path: b}), []step{{a, nil}, {b, errX}, {b, nil}}, ""},
		{"func", edrtest.Func(func(_ context.Context, c edrtest.Call) error {
			if c.Action.Path == a {
				return errX
			}
			return nil
		}), []step{{a, errX}, {b, nil}}, "func"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := new(edrtest.Host)
			h.Fault(edrtest.Quarantine, tc.fault)
			for i, s := range tc.steps {
				_, err := h.Quarantine(bg, quarantine(s.path))
				if s.wantErr == nil {
					assert.NoError(t, err, "step %d", i)
					if err == nil {
						// put it back, so the next step finds the file
						require.NoError(t, h.Restore(bg, h.Calls()[len(h.Calls())-1].QuarantineID, quarantine(s.path)))
						continue
					}
				}
				assert.ErrorIs(t, err, s.wantErr, "step %d", i)
			}
			if tc.label != "" {
				assert.Equal(t, tc.label, tc.fault.String())
			}
		})
	}
	assert.True(t, edr.IsTemporary(func() error {
		h := new(edrtest.Host)
		h.Fault(edrtest.Quarantine, edrtest.FailTemporarily(1))
		_, err := h.Quarantine(bg, quarantine(a))
		return err
	}()))
}

func TestFaultOrderAndClear(t *testing.T) {
	h := new(edrtest.Host)
	e1, e2 := errors.New("first"), errors.New("second")
	h.Fault(edrtest.StopProcess, edrtest.FailTimes(1, e1))
	h.Fault(edrtest.StopProcess, edrtest.Fail(e2))
	assert.ErrorIs(t, h.StopProcess(bg, stop(1, "")), e1, "the first fault with calls left")
	assert.ErrorIs(t, h.StopProcess(bg, stop(1, "")), e2)
	h.ClearFaults(edrtest.Quarantine)
	assert.ErrorIs(t, h.StopProcess(bg, stop(1, "")), e2, "other hooks' faults stay")
	h.ClearFaults()
	assert.NoError(t, h.StopProcess(bg, stop(1, "")))
	assert.Panics(t, func() { h.Fault(edrtest.Hook(0), edrtest.Hang()) })
	calls := h.Calls()
	assert.Equal(t, "fail (first) 1 times", calls[0].Fault)
	assert.Equal(t, "", calls[3].Fault)
}

func TestPanicFault(t *testing.T) {
	h := new(edrtest.Host)
	h.Fault(edrtest.Quarantine, edrtest.Panic("boom").Times(1))
	assert.PanicsWithValue(t, "boom", func() { _, _ = h.Quarantine(bg, quarantine(`C:\a.exe`)) })
	_, err := h.Quarantine(bg, quarantine(`C:\a.exe`))
	assert.NoError(t, err, "only once")
	c := h.Calls()[0]
	assert.Equal(t, "boom", c.Panic)
	assert.True(t, c.Done)
	assert.False(t, c.Succeeded())
	assert.Equal(t, `#1 Quarantine quarantine file C:\a.exe [fault: panic(boom) 1 times]: panicked: boom`, c.String())
	assert.True(t, h.FileExists(`C:\a.exe`) == false)
}

func TestHangAndSlowHonourTheContext(t *testing.T) {
	h := new(edrtest.Host)
	h.Fault(edrtest.Quarantine, edrtest.Hang().Match(edrtest.Match{Path: `C:\hang.exe`}))
	h.Fault(edrtest.Quarantine, edrtest.Slow(30*time.Millisecond))

	start := time.Now() // before the deadline is set
	ctx, cancel := context.WithTimeout(bg, 20*time.Millisecond)
	defer cancel()
	_, err := h.Quarantine(ctx, quarantine(`C:\hang.exe`))
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.GreaterOrEqual(t, time.Since(start), 20*time.Millisecond)
	assert.True(t, h.FileExists(`C:\hang.exe`), "a hung call does not act")

	start = time.Now()
	_, err = h.Quarantine(bg, quarantine(`C:\slow.exe`))
	assert.NoError(t, err)
	assert.GreaterOrEqual(t, time.Since(start), 30*time.Millisecond)

	ctx, cancel = context.WithTimeout(bg, 5*time.Millisecond)
	defer cancel()
	_, err = h.Quarantine(ctx, quarantine(`C:\slow2.exe`))
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.True(t, h.FileExists(`C:\slow2.exe`))
}

func TestWaitCalls(t *testing.T) {
	h := new(edrtest.Host)
	h.Fault(edrtest.StopProcess, edrtest.Hang())
	ctx, cancel := context.WithCancel(bg)
	done := make(chan error)
	go func() { done <- h.StopProcess(ctx, stop(5, "")) }()
	require.NoError(t, h.WaitCalls(bg, edrtest.StopProcess, 1))
	assert.False(t, h.Calls()[0].Done)
	assert.Contains(t, h.Calls()[0].String(), ": running")
	cancel()
	assert.ErrorIs(t, <-done, context.Canceled)

	short, cancel2 := context.WithTimeout(bg, 10*time.Millisecond)
	defer cancel2()
	assert.ErrorIs(t, h.WaitCalls(short, edrtest.Quarantine, 1), context.DeadlineExceeded)
	assert.Error(t, h.WaitCalls(bg, edrtest.Hook(0), 1))
}

func TestCallsFor(t *testing.T) {
	h := newHarness(t, nil)
	h.host.Fault(edrtest.StopProcess, edrtest.FailTemporarily(1).Match(edrtest.Match{ProcessID: 2}))
	h.handle(t, "d1", edrtest.Process(1, `C:\one.exe`))
	h.handle(t, "d2", edrtest.Process(2, `C:\two.exe`), edrtest.File(`C:\two.dll`))
	_, err := h.eng.Undo(bg, "d2", "alice")
	require.NoError(t, err)

	var got []string
	for _, c := range h.host.CallsFor("d2") {
		got = append(got, fmt.Sprintf("%s %s %v", c.Hook, c.Action.Path, c.Succeeded()))
	}
	assert.Equal(t, []string{
		`StopProcess C:\two.exe false`, `StopProcess C:\two.exe true`,
		`Quarantine C:\two.exe true`, `Quarantine C:\two.dll true`,
		`Notify  true`,
		`Restore C:\two.exe true`, `Restore C:\two.dll true`,
		`Notify  true`,
	}, got)
	assert.Len(t, h.host.CallsFor("d1"), 3)
	assert.Empty(t, h.host.CallsFor("nope"))
	for _, c := range h.host.Calls() {
		assert.NotEmpty(t, c.DetectionID, "every call is attributed: %s", c)
	}
}

func TestCallsForWhenNotifyFails(t *testing.T) {
	h := newHarness(t, nil)
	h.host.Fault(edrtest.Notify, edrtest.Panic("console down"))
	h.handle(t, "d1", edrtest.File(`C:\one.exe`))
	calls := h.host.CallsFor("d1")
	require.Len(t, calls, 2)
	assert.Equal(t, "console down", calls[1].Panic)
}

func TestCallsForWithoutNotify(t *testing.T) {
	h := newHarness(t, func(c *edr.Config, host *edrtest.Host) { c.Hooks = host.HooksWithout(edrtest.Notify) })
	h.handle(t, "d1", edrtest.File(`C:\one.exe`))
	assert.Empty(t, h.host.CallsFor("d1"), "without notifications the host cannot tell")
	assert.Len(t, h.host.Calls(), 1)
}

func TestHostConcurrentUse(t *testing.T) {
	h := new(edrtest.Host)
	h.Fault(edrtest.Quarantine, edrtest.FailTimes(50, edr.Temporary(errors.New("busy"))))
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Go(func() {
			for i := range 50 {
				p := fmt.Sprintf(`C:\c\%d-%d.exe`, g, i)
				if id, err := h.Quarantine(bg, quarantine(p)); err == nil {
					assert.NoError(t, h.Restore(bg, id, quarantine(p)))
				}
				_ = h.StopProcess(bg, stop(int64(g*1000+i+1), p))
				if i%10 == 0 {
					_ = h.Calls()
				}
			}
		})
	}
	wg.Wait()
	calls := h.Calls()
	fails := 0
	for i, c := range calls {
		assert.Equal(t, i+1, c.Seq)
		if c.Hook == edrtest.Quarantine && !c.Succeeded() {
			fails++
		}
	}
	assert.Equal(t, 50, fails)
	assert.Len(t, calls, 16*50*3-50)
}
