package edrtest_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blockmode/blockmode/edr"
	"github.com/blockmode/blockmode/edr/edrtest"
	"github.com/blockmode/blockmode/remediate"
)

// Regression tests: engine bugs found with edrtest and fixed in the
// engine. Each says what used to happen.

// lateQuarantine quarantines at once but returns only after a delay,
// ignoring its context: the result reaches the engine late, as it does
// for any hook that is descheduled on a busy machine.
type lateQuarantine struct {
	*edrtest.Host
	delay time.Duration
}

func (h lateQuarantine) Quarantine(ctx context.Context, a remediate.Action) (string, error) {
	id, err := h.Host.Quarantine(ctx, a)
	time.Sleep(h.delay)
	return id, err
}

// A hook that has done the work and returns after the action timeout, but
// within the engine's grace, has its success recorded: the file is in
// quarantine, and the record says so, with the id. (The engine used to
// give up 10ms after the timeout and record a failure; the race/load test
// hit that under -race on 2 cores.)
func TestEngineRecordsALateSuccess(t *testing.T) {
	h := newHarness(t, func(c *edr.Config, host *edrtest.Host) {
		c.Limits.ActionTimeout = 20 * time.Millisecond
		c.Hooks.Quarantine = lateQuarantine{host, 60 * time.Millisecond}
	})
	rec := h.handle(t, "det-1", edrtest.File(evil))
	assert.False(t, h.host.FileExists(evil), "the host quarantined the file")
	edrtest.CheckRecord(t, rec, edrtest.Want{Status: edr.Prevented, Actions: []edr.ActionResult{edr.Succeeded}})
	edrtest.CheckHistory(t, h.eng.Store(), h.host, []string{"det-1"})
}

// A process that was not stopped is not quarantined, whichever evidence
// item the quarantine is attached to: remediate.Decide attaches the
// quarantine of a path to the first item with that path, and Graph does
// not order evidence. (The engine used to match the stop and the
// quarantine by evidence index, and quarantined the running image when the
// file came first.)
func TestEngineDoesNotQuarantineARunningProcessImageListedFirst(t *testing.T) {
	h := newHarness(t, nil)
	h.host.Fault(edrtest.StopProcess, edrtest.Fail(errDenied))
	rec := h.handle(t, "det-1", edrtest.File(evil), edrtest.Process(pid, evil))
	edrtest.CheckRecord(t, rec, edrtest.Want{Status: edr.Failed, Actions: []edr.ActionResult{edr.ActionFailed, edr.Skipped}})
	assert.True(t, h.host.FileExists(evil), "the running process's image is not quarantined")
}

// A notifier that blocks gets the action timeout like any hook: Handle
// returns, and so does Close. (The engine used to call Notify with no
// timeout and a context that is never cancelled, so Handle and Close
// hung on a console that did not answer.)
func TestEngineBoundsABlockingNotifier(t *testing.T) {
	release := make(chan struct{})
	h := newHarness(t, func(c *edr.Config, _ *edrtest.Host) { c.Limits.ActionTimeout = 50 * time.Millisecond })
	t.Cleanup(func() { close(release) }) // runs before the harness's Close
	h.host.Fault(edrtest.Notify, edrtest.Func(func(ctx context.Context, _ edrtest.Call) error {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-release:
			return nil
		}
	}))
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = h.eng.Handle(context.Background(), edrtest.Detection("det-1", edrtest.File(evil)))
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Handle did not return within 5s: Notify runs with no timeout")
	}

	require.NoError(t, h.eng.Submit(context.Background(), edrtest.Detection("det-2", edrtest.File(`C:\x\2.exe`))))
	require.NoError(t, h.host.WaitCalls(context.Background(), edrtest.Notify, 2))
	closed := make(chan error, 1)
	go func() { closed <- h.eng.Close(context.Background()) }()
	select {
	case err := <-closed:
		assert.NoError(t, err)
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not return within 5s: it waits for a blocked Notify")
	}
	edrtest.CheckHistory(t, h.eng.Store(), h.host, []string{"det-1", "det-2"})
}

// Two Undo calls for one record at once restore its file once, and the
// record ends Undone. (The engine used to let both read the record and
// call Restore with the same id; the losing Undo reported an error and
// wrote back the record it had read, so the history went back from Undone
// to Prevented with the file restored.)
func TestEngineUndoesOnceWhenAskedTwiceAtOnce(t *testing.T) {
	h := newHarness(t, nil)
	h.handle(t, "det-1", edrtest.File(evil))
	h.host.Fault(edrtest.Restore, edrtest.Slow(50*time.Millisecond))
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Go(func() { _, errs[i] = h.eng.Undo(context.Background(), "det-1", "alice") })
	}
	wg.Wait()
	restores := 0
	for _, c := range h.host.Calls() {
		if c.Hook == edrtest.Restore {
			restores++
		}
	}
	assert.Equal(t, 1, restores, "Restore calls for one quarantine")
	for _, err := range errs {
		if err != nil {
			assert.ErrorIs(t, err, edr.ErrNotUndoable)
		}
	}
	rec, err := h.eng.Store().Get(context.Background(), "det-1")
	require.NoError(t, err)
	assert.Equal(t, edr.Undone.String(), rec.Status.String(), "the stored status")
	assert.True(t, h.host.FileExists(evil))
}

// Close waits for Handle calls under way: no hook call is left running in
// a goroutine the engine started. (Close used to return at once, and the
// Handle wrote its record after Close had returned.)
func TestEngineCloseWaitsForHandle(t *testing.T) {
	h := newHarness(t, nil)
	h.host.Fault(edrtest.Quarantine, edrtest.Slow(200*time.Millisecond))
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = h.eng.Handle(context.Background(), edrtest.Detection("det-1", edrtest.File(evil)))
	}()
	require.NoError(t, h.host.WaitCalls(context.Background(), edrtest.Quarantine, 1))
	h.close(t)
	for _, c := range h.host.Calls() {
		assert.True(t, c.Done, "a hook call is still running after Close returned: %s", c)
	}
	<-done
}

// A Quarantine hook that returns no error and an empty id is a failed
// quarantine: it can be neither verified nor undone. (It used to be
// recorded as succeeded, so the record said Prevented for a quarantine
// that could never be undone.)
func TestEngineFailsAQuarantineWithoutAnID(t *testing.T) {
	h := newHarness(t, func(c *edr.Config, host *edrtest.Host) { c.Hooks.Quarantine = emptyID{host} })
	rec := h.handle(t, "det-1", edrtest.File(evil))
	edrtest.CheckRecord(t, rec, edrtest.Want{Status: edr.Failed, Actions: []edr.ActionResult{edr.ActionFailed}})
	assert.Contains(t, rec.Actions[0].Error, "no quarantine id")
}

// A hook that times out is not retried: the timeout is the engine's
// verdict, not the hook saying "try again". (context.DeadlineExceeded says
// Temporary() true, and the engine used to retry a hung hook MaxAttempts
// times: 90s with the defaults instead of one timeout.)
func TestEngineDoesNotRetryATimedOutHook(t *testing.T) {
	h := newHarness(t, func(c *edr.Config, _ *edrtest.Host) { c.Limits.ActionTimeout = 20 * time.Millisecond })
	h.host.Fault(edrtest.Quarantine, edrtest.Hang())
	rec := h.handle(t, "det-1", edrtest.File(evil))
	edrtest.CheckRecord(t, rec, edrtest.Want{Status: edr.Failed, Actions: []edr.ActionResult{edr.ActionFailed}, Attempts: []int{1}})
	assert.True(t, edr.IsTemporary(context.DeadlineExceeded), "the root cause: the standard library's deadline error says temporary")
}
