package main

// This file is the one to copy: a test harness that drives the real
// engine through edrtest's fake host, with scripted faults, and checks
// the records and the hook calls. Replace the fake host with yours in
// TestHostConformance to check your own hooks.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/blockmode/blockmode/detect"
	"github.com/blockmode/blockmode/edr"
	"github.com/blockmode/blockmode/edr/edrtest"
)

// TestMain fails the run if a test leaves a goroutine behind.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// newEngine starts an engine over a fake host and a fake clock, and closes
// it when the test ends.
func newEngine(t *testing.T, edit func(*edr.Config)) (*edr.Engine, *edrtest.Host, *edrtest.Clock) {
	t.Helper()
	clock := new(edrtest.Clock)
	host := &edrtest.Host{Clock: clock}
	cfg := edrtest.Config(clock, host)
	cfg.Limits.ActionTimeout = 50 * time.Millisecond
	if edit != nil {
		edit(&cfg)
	}
	eng, err := edr.New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		assert.NoError(t, eng.Close(ctx))
	})
	return eng, host, clock
}

var errDenied = errors.New("access denied")

func TestHarness(t *testing.T) {
	const exe = `C:\Users\alex\Downloads\invoice.exe`
	running := []detect.Evidence{edrtest.Process(4120, exe)}
	file := []detect.Evidence{edrtest.File(exe)}

	cases := []struct {
		name     string
		fault    func(h *edrtest.Host)
		edit     func(*edr.Config)
		evidence []detect.Evidence
		want     edrtest.Want
	}{
		{
			name:     "running_process_is_blocked",
			evidence: running,
			want:     edrtest.Want{Status: edr.Blocked, Actions: []edr.ActionResult{edr.Succeeded, edr.Succeeded}},
		},
		{
			name:     "file_is_prevented",
			evidence: file,
			want:     edrtest.Want{Status: edr.Prevented, Actions: []edr.ActionResult{edr.Succeeded}},
		},
		{
			name:     "busy_file_is_retried",
			fault:    func(h *edrtest.Host) { h.Fault(edrtest.Quarantine, edrtest.FailTemporarily(2)) },
			evidence: file,
			want:     edrtest.Want{Status: edr.Prevented, Actions: []edr.ActionResult{edr.Succeeded}, Attempts: []int{3}},
		},
		{
			name:     "denied_is_failed_and_not_retried",
			fault:    func(h *edrtest.Host) { h.Fault(edrtest.Quarantine, edrtest.Fail(errDenied)) },
			evidence: file,
			want:     edrtest.Want{Status: edr.Failed, Actions: []edr.ActionResult{edr.ActionFailed}, Attempts: []int{1}, Errors: []string{"access denied"}},
		},
		{
			name:     "process_not_stopped_keeps_its_file",
			fault:    func(h *edrtest.Host) { h.Fault(edrtest.StopProcess, edrtest.Fail(errDenied)) },
			evidence: running,
			want:     edrtest.Want{Status: edr.Failed, Actions: []edr.ActionResult{edr.ActionFailed, edr.Skipped}},
		},
		{
			name:     "panicking_hook_is_a_failed_action_with_its_stack",
			fault:    func(h *edrtest.Host) { h.Fault(edrtest.Quarantine, edrtest.Panic("invalid handle")) },
			evidence: running,
			want: edrtest.Want{Status: edr.PartiallyRemediated, Actions: []edr.ActionResult{edr.Succeeded, edr.ActionFailed},
				Panics: []string{"", "invalid handle"}},
		},
		{
			name:     "hanging_hook_ends_with_the_action_timeout",
			fault:    func(h *edrtest.Host) { h.Fault(edrtest.StopProcess, edrtest.Hang()) },
			evidence: running,
			want: edrtest.Want{Status: edr.Failed, Actions: []edr.ActionResult{edr.ActionFailed, edr.Skipped},
				Errors: []string{"within 50ms", ""}},
		},
		{
			name:     "slow_hook_within_the_timeout_succeeds",
			fault:    func(h *edrtest.Host) { h.Fault(edrtest.Quarantine, edrtest.Slow(10*time.Millisecond)) },
			evidence: file,
			want:     edrtest.Want{Status: edr.Prevented},
		},
		{
			name:     "host_that_cannot_quarantine",
			edit:     func(c *edr.Config) { c.Hooks.Quarantine = nil },
			evidence: running,
			want:     edrtest.Want{Status: edr.PartiallyRemediated, Actions: []edr.ActionResult{edr.Succeeded, edr.NotSupported}},
		},
		{
			name:     "audit_mode_calls_no_hook",
			fault:    func(h *edrtest.Host) { h.Fault(edrtest.StopProcess, edrtest.Panic("must not be called")) },
			edit:     func(c *edr.Config) { c.Mode = edr.Audit },
			evidence: running,
			want:     edrtest.Want{Status: edr.WouldBlock, Actions: []edr.ActionResult{edr.Skipped, edr.Skipped}},
		},
		{
			name:     "block_mode_off_only_detects",
			edit:     func(c *edr.Config) { c.Settings = nil },
			evidence: running,
			want:     edrtest.Want{Status: edr.Detected, Actions: []edr.ActionResult{}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			eng, host, _ := newEngine(t, tc.edit)
			if tc.fault != nil {
				tc.fault(host)
			}
			rec, err := eng.Handle(context.Background(), edrtest.Detection("det-1", tc.evidence...))
			require.NoError(t, err)
			edrtest.CheckRecord(t, rec, tc.want)
			edrtest.CheckHistory(t, eng.Store(), host, []string{"det-1"})
		})
	}
}

func TestHarnessUndo(t *testing.T) {
	const exe = `C:\x\evil.exe`
	eng, host, clock := newEngine(t, nil)
	rec, err := eng.Handle(context.Background(), edrtest.Detection("det-1", edrtest.File(exe)))
	require.NoError(t, err)
	require.Equal(t, edr.Prevented, rec.Status)
	assert.False(t, host.FileExists(exe))

	clock.Advance(time.Hour)
	rec, err = eng.Undo(context.Background(), "det-1", "alice@contoso.com")
	require.NoError(t, err)
	edrtest.CheckRecord(t, rec, edrtest.Want{Status: edr.Undone, Actions: []edr.ActionResult{edr.Restored}, Note: "alice"})
	assert.True(t, host.FileExists(exe))
	edrtest.CheckHistory(t, eng.Store(), host, []string{"det-1"})
}

func TestHarnessCancellationIsRecorded(t *testing.T) {
	eng, host, _ := newEngine(t, func(c *edr.Config) { c.Limits.ActionTimeout = time.Minute })
	host.Fault(edrtest.Quarantine, edrtest.Hang())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan edr.Record)
	go func() {
		rec, _ := eng.Handle(ctx, edrtest.Detection("det-1", edrtest.File(`C:\x\evil.exe`)))
		done <- rec
	}()
	require.NoError(t, host.WaitCalls(context.Background(), edrtest.Quarantine, 1))
	cancel()
	edrtest.CheckRecord(t, <-done, edrtest.Want{Status: edr.Failed, Actions: []edr.ActionResult{edr.Cancelled}})
	edrtest.CheckHistory(t, eng.Store(), host, []string{"det-1"})
}

func TestHarnessDuplicatesFromManyGoroutines(t *testing.T) {
	eng, host, _ := newEngine(t, nil)
	host.Fault(edrtest.Quarantine, edrtest.Slow(20*time.Millisecond))
	ids := []string{"det-a", "det-b", "det-c", "det-d"}
	var wg sync.WaitGroup
	for g := range 16 { // each detection 16 times, from 16 goroutines at once
		wg.Go(func() {
			for i := range ids {
				id := ids[(i+g)%len(ids)]
				assert.NoError(t, eng.Submit(context.Background(), edrtest.Detection(id, edrtest.File(`C:\x\`+id+`.exe`))))
			}
		})
	}
	wg.Wait()
	require.NoError(t, eng.Close(context.Background()))
	edrtest.CheckHistory(t, eng.Store(), host, ids)
	assert.Len(t, host.Calls(), 8, "four quarantines and four notifications, whatever the duplicates")
}

// TestHostConformance runs edrtest's conformance suite. To check your own
// host, pass its hooks and an Env that makes real throwaway files and
// processes (in t.TempDir(), say) and tells whether they are still there.
func TestHostConformance(t *testing.T) {
	host := &edrtest.Host{Strict: true}
	edrtest.TestHost(t, host.Hooks(), host.Env())
}

func TestRunPrintsTheScenario(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(&out, options{}))
	for _, want := range []string{
		"00:01 det-running-process: blocked (rev 2)", // written ahead and when finished: the memory store is volatile
		"quarantine file C:\\ProgramData\\updater\\locked.dll: succeeded (3 attempts; quarantine id q-2)",
		"det-access-denied: failed",
		"hook panicked: quarantine driver: invalid handle",
		"within 50ms",
		"01:06 det-locked-file: undone (rev 3)",
		"note: undone by alice@contoso.com",
		"hook calls:",
	} {
		assert.Contains(t, out.String(), want)
	}
	assert.Equal(t, 2, strings.Count(out.String(), "det-running-process: blocked (rev 2)"), "handed in twice, one record")

	out.Reset()
	require.NoError(t, run(&out, options{audit: true, json: true}))
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	require.Len(t, lines, 6)
	for _, l := range lines {
		var rec struct {
			ID     string `json:"id"`
			Status string `json:"status"`
			Mode   string `json:"mode"`
		}
		require.NoError(t, json.Unmarshal([]byte(l), &rec))
		assert.Equal(t, "would block (audit)", rec.Status, rec.ID)
		assert.Equal(t, "audit", rec.Mode)
	}
}
