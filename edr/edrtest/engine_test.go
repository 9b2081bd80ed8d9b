package edrtest_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blockmode/blockmode/edr"
	"github.com/blockmode/blockmode/edr/edrtest"
	"github.com/blockmode/blockmode/remediate"
)

// These tests drive the real edr.Engine through the fake host and check,
// for each way a hook can misbehave, the record the engine writes and the
// calls it made: the engine's contract as a test-harness author sees it.

const (
	evil = `C:\Users\alex\Downloads\invoice.exe`
	pid  = 4120
)

var errDenied = errors.New("access denied")

var (
	stopThenQuarantine = []remediate.ActionKind{remediate.StopProcess, remediate.Quarantine}
	quarantineOnly     = []remediate.ActionKind{remediate.Quarantine}
)

func TestEngineBlocksARunningProcess(t *testing.T) {
	h := newHarness(t, nil)
	rec := h.handle(t, "det-1", edrtest.Process(pid, evil))
	edrtest.CheckRecord(t, rec, edrtest.Want{
		Status:   edr.Blocked,
		Kinds:    stopThenQuarantine,
		Actions:  []edr.ActionResult{edr.Succeeded, edr.Succeeded},
		Attempts: []int{1, 1},
	})
	assert.False(t, h.host.Running(pid))
	assert.False(t, h.host.FileExists(evil))
	calls := h.host.CallsFor("det-1")
	require.Len(t, calls, 3)
	assert.Equal(t, []edrtest.Hook{edrtest.StopProcess, edrtest.Quarantine, edrtest.Notify}, []edrtest.Hook{calls[0].Hook, calls[1].Hook, calls[2].Hook})
	assert.Equal(t, rec.Actions[1].QuarantineID, calls[1].QuarantineID)
	assert.Equal(t, edrtest.Epoch, rec.Received, "timestamps come from the fake clock")
	edrtest.CheckHistory(t, h.eng.Store(), h.host, []string{"det-1"})
}

func TestEngineRetriesTemporaryFailures(t *testing.T) {
	t.Run("fail_twice_then_succeed_is_retried", func(t *testing.T) {
		h := newHarness(t, nil)
		h.host.Fault(edrtest.Quarantine, edrtest.FailTemporarily(2))
		rec := h.handle(t, "det-1", edrtest.File(evil))
		edrtest.CheckRecord(t, rec, edrtest.Want{Status: edr.Prevented, Actions: []edr.ActionResult{edr.Succeeded}, Attempts: []int{3}})
		calls := h.host.CallsFor("det-1")
		require.Len(t, calls, 4) // three attempts and the notification
		for _, c := range calls[:2] {
			assert.ErrorIs(t, c.Err, edrtest.ErrBusy)
			assert.True(t, edr.IsTemporary(c.Err))
		}
		assert.True(t, calls[2].Succeeded())
		edrtest.CheckHistory(t, h.eng.Store(), h.host, []string{"det-1"})
	})
	t.Run("temporary_until_the_attempts_run_out_is_failed", func(t *testing.T) {
		h := newHarness(t, nil)
		h.host.Fault(edrtest.Quarantine, edrtest.FailTemporarily(5))
		rec := h.handle(t, "det-1", edrtest.File(evil))
		edrtest.CheckRecord(t, rec, edrtest.Want{Status: edr.Failed, Actions: []edr.ActionResult{edr.ActionFailed}, Attempts: []int{3}, Errors: []string{"busy"}})
		assert.True(t, h.host.FileExists(evil))
		edrtest.CheckHistory(t, h.eng.Store(), h.host, []string{"det-1"})
	})
	t.Run("a_permanent_failure_is_not_retried", func(t *testing.T) {
		h := newHarness(t, nil)
		h.host.Fault(edrtest.Quarantine, edrtest.Fail(errDenied))
		rec := h.handle(t, "det-1", edrtest.File(evil))
		edrtest.CheckRecord(t, rec, edrtest.Want{Status: edr.Failed, Actions: []edr.ActionResult{edr.ActionFailed}, Attempts: []int{1}, Errors: []string{"access denied"}})
		edrtest.CheckHistory(t, h.eng.Store(), h.host, []string{"det-1"})
	})
	t.Run("a_process_not_stopped_is_not_quarantined", func(t *testing.T) {
		h := newHarness(t, nil)
		h.host.Fault(edrtest.StopProcess, edrtest.Fail(errDenied))
		rec := h.handle(t, "det-1", edrtest.Process(pid, evil))
		edrtest.CheckRecord(t, rec, edrtest.Want{Status: edr.Failed, Actions: []edr.ActionResult{edr.ActionFailed, edr.Skipped}, Attempts: []int{1, 0}})
		assert.True(t, h.host.FileExists(evil))
		edrtest.CheckHistory(t, h.eng.Store(), h.host, []string{"det-1"})
	})
}

func TestEngineRecordsAPanickingHook(t *testing.T) {
	h := newHarness(t, nil)
	h.host.Fault(edrtest.Quarantine, edrtest.Panic("boom"))
	rec := h.handle(t, "det-1", edrtest.Process(pid, evil))
	edrtest.CheckRecord(t, rec, edrtest.Want{
		Status:   edr.PartiallyRemediated,
		Actions:  []edr.ActionResult{edr.Succeeded, edr.ActionFailed},
		Attempts: []int{1, 1},
		Panics:   []string{"", "boom"},
		Errors:   []string{"", "panicked"},
	})
	assert.Contains(t, rec.Actions[1].Stack, "edrtest.Fault.apply", "the stack is the hook's, at the panic")
	calls := h.host.CallsFor("det-1")
	require.Len(t, calls, 3)
	assert.Equal(t, "boom", calls[1].Panic)
	edrtest.CheckHistory(t, h.eng.Store(), h.host, []string{"det-1"})
}

func TestEngineTimesOutAHangingHook(t *testing.T) {
	const timeout = 50 * time.Millisecond
	h := newHarness(t, func(c *edr.Config, _ *edrtest.Host) { c.Limits.ActionTimeout = timeout })
	h.host.Fault(edrtest.StopProcess, edrtest.Hang())
	start := time.Now()
	rec := h.handle(t, "det-1", edrtest.Process(pid, evil))
	took := time.Since(start)
	edrtest.CheckRecord(t, rec, edrtest.Want{
		Status:  edr.Failed,
		Actions: []edr.ActionResult{edr.ActionFailed, edr.Skipped},
		Errors:  []string{"within 50ms", "not stopped"},
	})
	assert.Less(t, took, 2*time.Second, "the hang ends with the action timeout")
	assert.True(t, h.host.Running(pid))
	edrtest.CheckHistory(t, h.eng.Store(), h.host, []string{"det-1"})
}

func TestEngineSlowHooks(t *testing.T) {
	t.Run("slow_within_the_timeout_succeeds", func(t *testing.T) {
		h := newHarness(t, nil)
		h.host.Fault(edrtest.Quarantine, edrtest.Slow(20*time.Millisecond))
		rec := h.handle(t, "det-1", edrtest.File(evil))
		edrtest.CheckRecord(t, rec, edrtest.Want{Status: edr.Prevented, Actions: []edr.ActionResult{edr.Succeeded}})
	})
	t.Run("slower_than_the_timeout_fails", func(t *testing.T) {
		h := newHarness(t, func(c *edr.Config, _ *edrtest.Host) { c.Limits.ActionTimeout = 20 * time.Millisecond })
		h.host.Fault(edrtest.Quarantine, edrtest.Slow(time.Minute))
		rec := h.handle(t, "det-1", edrtest.File(evil))
		edrtest.CheckRecord(t, rec, edrtest.Want{Status: edr.Failed, Actions: []edr.ActionResult{edr.ActionFailed}, Errors: []string{"within 20ms"}})
		assert.True(t, h.host.FileExists(evil), "the slow hook honoured its context and did not act")
		edrtest.CheckHistory(t, h.eng.Store(), h.host, []string{"det-1"})
	})
}

func TestEngineRecordsCancellation(t *testing.T) {
	t.Run("cancelled_mid_action_is_recorded", func(t *testing.T) {
		h := newHarness(t, nil)
		h.host.Fault(edrtest.StopProcess, edrtest.Hang())
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan edr.Record)
		go func() {
			rec, err := h.eng.Handle(ctx, edrtest.Detection("det-1", edrtest.Process(pid, evil)))
			assert.NoError(t, err)
			done <- rec
		}()
		require.NoError(t, h.host.WaitCalls(context.Background(), edrtest.StopProcess, 1))
		cancel()
		rec := <-done
		edrtest.CheckRecord(t, rec, edrtest.Want{
			Status:  edr.Failed,
			Actions: []edr.ActionResult{edr.Cancelled, edr.Cancelled},
			Errors:  []string{"context canceled", "context canceled"},
		})
		stored, err := h.eng.Store().Get(context.Background(), "det-1")
		require.NoError(t, err, "the detection is not lost")
		assert.Equal(t, rec.Status, stored.Status)
		edrtest.CheckHistory(t, h.eng.Store(), h.host, []string{"det-1"})
	})
	t.Run("cancelled_before_it_starts_is_recorded", func(t *testing.T) {
		h := newHarness(t, nil)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		rec, err := h.eng.Handle(ctx, edrtest.Detection("det-1", edrtest.File(evil)))
		require.NoError(t, err)
		edrtest.CheckRecord(t, rec, edrtest.Want{Status: edr.Failed, Actions: []edr.ActionResult{edr.Cancelled}, Attempts: []int{0}})
		edrtest.CheckHistory(t, h.eng.Store(), h.host, []string{"det-1"})
	})
	t.Run("close_with_a_deadline_cancels_and_records_in_flight_work", func(t *testing.T) {
		h := newHarness(t, func(c *edr.Config, _ *edrtest.Host) { c.Limits.ActionTimeout = time.Minute })
		h.host.Fault(edrtest.Quarantine, edrtest.Hang())
		ids := []string{"det-1", "det-2", "det-3"}
		for _, id := range ids {
			require.NoError(t, h.eng.Submit(context.Background(), edrtest.Detection(id, edrtest.File(`C:\x\`+id+`.exe`))))
		}
		require.NoError(t, h.host.WaitCalls(context.Background(), edrtest.Quarantine, 1))
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		assert.ErrorIs(t, h.eng.Close(ctx), context.DeadlineExceeded)
		for _, id := range ids {
			rec, err := h.eng.Store().Get(context.Background(), id)
			require.NoError(t, err, id)
			edrtest.CheckRecord(t, rec, edrtest.Want{Status: edr.Failed, Actions: []edr.ActionResult{edr.Cancelled}})
		}
		edrtest.CheckHistory(t, h.eng.Store(), h.host, ids)
	})
}

func TestEngineMissingHookIsNotSupported(t *testing.T) {
	t.Run("no_quarantiner", func(t *testing.T) {
		h := newHarness(t, func(c *edr.Config, host *edrtest.Host) { c.Hooks = host.HooksWithout(edrtest.Quarantine) })
		rec := h.handle(t, "det-1", edrtest.Process(pid, evil))
		edrtest.CheckRecord(t, rec, edrtest.Want{Status: edr.PartiallyRemediated, Actions: []edr.ActionResult{edr.Succeeded, edr.NotSupported}})
		edrtest.CheckHistory(t, h.eng.Store(), h.host, []string{"det-1"})
	})
	t.Run("no_process_stopper", func(t *testing.T) {
		h := newHarness(t, func(c *edr.Config, host *edrtest.Host) { c.Hooks = host.HooksWithout(edrtest.StopProcess) })
		rec := h.handle(t, "det-1", edrtest.Process(pid, evil))
		edrtest.CheckRecord(t, rec, edrtest.Want{Status: edr.Failed, Actions: []edr.ActionResult{edr.NotSupported, edr.Skipped}, Attempts: []int{0, 0}})
		assert.Len(t, h.host.Calls(), 1, "only the notification")
		edrtest.CheckHistory(t, h.eng.Store(), h.host, []string{"det-1"})
	})
	t.Run("no_hooks_at_all", func(t *testing.T) {
		h := newHarness(t, func(c *edr.Config, _ *edrtest.Host) { c.Hooks = edr.Hooks{} })
		rec := h.handle(t, "det-1", edrtest.File(evil))
		edrtest.CheckRecord(t, rec, edrtest.Want{Status: edr.Failed, Actions: []edr.ActionResult{edr.NotSupported}})
		assert.Empty(t, h.host.Calls())
	})
}

func TestEngineAuditModeCallsNoHook(t *testing.T) {
	h := newHarness(t, func(c *edr.Config, _ *edrtest.Host) { c.Mode = edr.Audit })
	h.host.Fault(edrtest.StopProcess, edrtest.Panic("an audit must not call me"))
	rec := h.handle(t, "det-1", edrtest.Process(pid, evil))
	edrtest.CheckRecord(t, rec, edrtest.Want{Status: edr.WouldBlock, Actions: []edr.ActionResult{edr.Skipped, edr.Skipped}, Attempts: []int{0, 0}})
	assert.Equal(t, edr.Audit, rec.Mode)
	for _, c := range h.host.Calls() {
		assert.Equal(t, edrtest.Notify, c.Hook, "audit mode calls no action hook: %s", c)
	}
	assert.True(t, h.host.Running(pid))
	edrtest.CheckHistory(t, h.eng.Store(), h.host, []string{"det-1"})
}

func TestEngineUndoRestores(t *testing.T) {
	h := newHarness(t, nil)
	rec := h.handle(t, "det-1", edrtest.Process(pid, evil))
	require.Equal(t, edr.Blocked, rec.Status)
	qid := rec.Actions[1].QuarantineID
	require.Contains(t, h.host.Quarantined(), qid)

	h.clock.Advance(time.Hour)
	undone, err := h.eng.Undo(context.Background(), "det-1", "alice@contoso.com")
	require.NoError(t, err)
	edrtest.CheckRecord(t, undone, edrtest.Want{Status: edr.Undone, Actions: []edr.ActionResult{edr.Succeeded, edr.Restored}, Note: "alice@contoso.com"})
	assert.Equal(t, edrtest.Epoch.Add(time.Hour), undone.Finished)
	assert.True(t, h.host.FileExists(evil))
	assert.NotContains(t, h.host.Quarantined(), qid)
	calls := h.host.CallsFor("det-1")
	require.Len(t, calls, 5, "stop, quarantine, notify, restore, notify of the undone record")
	assert.Equal(t, edrtest.Restore, calls[3].Hook)
	assert.Equal(t, qid, calls[3].QuarantineID)
	assert.Equal(t, edrtest.Notify, calls[4].Hook)
	assert.Equal(t, edr.Undone, calls[4].Record.Status)

	_, err = h.eng.Undo(context.Background(), "det-1", "alice@contoso.com")
	assert.ErrorIs(t, err, edr.ErrNotUndoable, "undone once")
	edrtest.CheckHistory(t, h.eng.Store(), h.host, []string{"det-1"})
}

func TestEngineUndoFailures(t *testing.T) {
	t.Run("no_restorer", func(t *testing.T) {
		h := newHarness(t, func(c *edr.Config, host *edrtest.Host) { c.Hooks = host.HooksWithout(edrtest.Restore) })
		h.handle(t, "det-1", edrtest.File(evil))
		rec, err := h.eng.Undo(context.Background(), "det-1", "alice")
		assert.ErrorIs(t, err, edr.ErrNotSupported)
		assert.Equal(t, edr.Prevented, rec.Status)
	})
	t.Run("restore_fails", func(t *testing.T) {
		h := newHarness(t, nil)
		h.host.Fault(edrtest.Restore, edrtest.Fail(errDenied))
		h.handle(t, "det-1", edrtest.File(evil))
		rec, err := h.eng.Undo(context.Background(), "det-1", "alice")
		assert.ErrorIs(t, err, errDenied)
		edrtest.CheckRecord(t, rec, edrtest.Want{Status: edr.Prevented, Actions: []edr.ActionResult{edr.Succeeded}})
		assert.False(t, h.host.FileExists(evil))
		edrtest.CheckHistory(t, h.eng.Store(), h.host, []string{"det-1"})
	})
	t.Run("nothing_to_undo", func(t *testing.T) {
		h := newHarness(t, nil)
		h.host.Fault(edrtest.Quarantine, edrtest.Fail(errDenied))
		h.handle(t, "det-1", edrtest.File(evil))
		_, err := h.eng.Undo(context.Background(), "det-1", "alice")
		assert.ErrorIs(t, err, edr.ErrNotUndoable)
	})
}

func TestEngineIsIdempotent(t *testing.T) {
	t.Run("same_id_twice", func(t *testing.T) {
		h := newHarness(t, nil)
		first := h.handle(t, "det-1", edrtest.Process(pid, evil))
		second := h.handle(t, "det-1", edrtest.Process(pid, evil))
		assert.Equal(t, first.Revision, second.Revision)
		assert.Equal(t, first.Status, second.Status)
		assert.Len(t, h.host.Calls(), 3, "one stop, one quarantine, one notification")
		edrtest.CheckHistory(t, h.eng.Store(), h.host, []string{"det-1", "det-1"})
	})
	t.Run("same_id_from_16_goroutines_at_once", func(t *testing.T) {
		h := newHarness(t, nil)
		// A slow quarantine keeps the first call in flight while the others arrive.
		h.host.Fault(edrtest.Quarantine, edrtest.Slow(50*time.Millisecond))
		start := make(chan struct{})
		recs := make([]edr.Record, 16)
		var wg sync.WaitGroup
		for i := range recs {
			wg.Go(func() {
				<-start
				var err error
				recs[i], err = h.eng.Handle(context.Background(), edrtest.Detection("det-1", edrtest.Process(pid, evil)))
				assert.NoError(t, err)
			})
		}
		close(start)
		wg.Wait()
		for _, r := range recs {
			edrtest.CheckRecord(t, r, edrtest.Want{Status: edr.Blocked})
			assert.Equal(t, recs[0].Revision, r.Revision)
		}
		assert.Len(t, h.host.Calls(), 3)
		edrtest.CheckHistory(t, h.eng.Store(), h.host, []string{"det-1"})
	})
	t.Run("same_id_submitted_16_times_at_once", func(t *testing.T) {
		h := newHarness(t, nil)
		h.host.Fault(edrtest.Quarantine, edrtest.Slow(20*time.Millisecond))
		var wg sync.WaitGroup
		for range 16 {
			wg.Go(func() {
				assert.NoError(t, h.eng.Submit(context.Background(), edrtest.Detection("det-1", edrtest.Process(pid, evil))))
			})
		}
		wg.Wait()
		h.close(t)
		assert.Len(t, h.host.Calls(), 3)
		edrtest.CheckHistory(t, h.eng.Store(), h.host, []string{"det-1"})
	})
}

func TestEngineDoesNotActWithoutBlockMode(t *testing.T) {
	t.Run("never_turned_on", func(t *testing.T) {
		h := newHarness(t, func(c *edr.Config, _ *edrtest.Host) { c.Settings = nil })
		rec := h.handle(t, "det-1", edrtest.Process(pid, evil))
		edrtest.CheckRecord(t, rec, edrtest.Want{Status: edr.Detected, Actions: []edr.ActionResult{}})
		assert.Contains(t, rec.Decision.Reason, "not in effect")
	})
	t.Run("turned_on_a_minute_ago", func(t *testing.T) {
		h := newHarness(t, func(c *edr.Config, _ *edrtest.Host) {
			c.Settings = edrtest.BlockModeOn(edrtest.NewClock(edrtest.Epoch.Add(59 * time.Minute)))
		})
		rec := h.handle(t, "det-1", edrtest.File(evil))
		edrtest.CheckRecord(t, rec, edrtest.Want{Status: edr.Detected})
		assert.Contains(t, rec.Decision.Reason, "turning on")
	})
	t.Run("device_not_eligible", func(t *testing.T) {
		h := newHarness(t, func(c *edr.Config, _ *edrtest.Host) { c.Device.OS = 0 })
		rec := h.handle(t, "det-1", edrtest.File(evil))
		edrtest.CheckRecord(t, rec, edrtest.Want{Status: edr.Detected})
	})
}
