package edrtest_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blockmode/blockmode/edr"
	"github.com/blockmode/blockmode/edr/edrtest"
	"github.com/blockmode/blockmode/remediate"
)

// fakeTB is a testing.TB that records the errors reported to it, to test
// the checkers' reports. Methods it does not override go to the real T.
type fakeTB struct {
	testing.TB
	mu     sync.Mutex
	errors []string
	logs   []string
}

func newFakeTB(t *testing.T) *fakeTB { return &fakeTB{TB: t} }

func (f *fakeTB) Helper() {}

func (f *fakeTB) Error(args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.errors = append(f.errors, strings.TrimSuffix(fmt.Sprintln(args...), "\n"))
}

func (f *fakeTB) Errorf(format string, args ...any) { f.Error(fmt.Sprintf(format, args...)) }

func (f *fakeTB) Log(args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.logs = append(f.logs, strings.TrimSuffix(fmt.Sprintln(args...), "\n"))
}

func (f *fakeTB) Logf(format string, args ...any) { f.Log(fmt.Sprintf(format, args...)) }

func (f *fakeTB) Fatal(args ...any) { panic("fakeTB: Fatal is not expected: " + fmt.Sprint(args...)) }

func (f *fakeTB) Fatalf(format string, args ...any) {
	panic("fakeTB: Fatalf is not expected: " + fmt.Sprintf(format, args...))
}

func (f *fakeTB) Failed() bool { return len(f.Errors()) > 0 }

func (f *fakeTB) Errors() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.errors...)
}

// assertReported checks that each want is a substring of a reported
// error, and that nothing else was reported.
func assertReported(t *testing.T, tb *fakeTB, want ...string) {
	t.Helper()
	got := tb.Errors()
	used := make([]bool, len(got))
	for _, w := range want {
		found := false
		for i, g := range got {
			if !used[i] && strings.Contains(g, w) {
				used[i], found = true, true
				break
			}
		}
		assert.True(t, found, "no error reported contains %q; reported:\n%s", w, strings.Join(got, "\n"))
	}
	for i, g := range got {
		assert.True(t, used[i], "unexpected error reported: %s", g)
	}
}

// goodRecord is the record of a stopped process and its quarantined image.
func goodRecord(t *testing.T) (edr.Record, *edrtest.Host, edr.Store) {
	t.Helper()
	h := newHarness(t, nil)
	rec := h.handle(t, "det-1", edrtest.Process(pid, evil))
	require.Equal(t, edr.Blocked, rec.Status)
	return rec, h.host, h.eng.Store()
}

func TestCheckRecordPassesAGoodRecord(t *testing.T) {
	rec, _, _ := goodRecord(t)
	tb := newFakeTB(t)
	ok := edrtest.CheckRecord(tb, rec, edrtest.Want{
		Status: edr.Blocked, Actions: []edr.ActionResult{edr.Succeeded, edr.Succeeded},
		Kinds: stopThenQuarantine, Attempts: []int{1, -1}, Errors: []string{"", ""}, Panics: []string{"", ""},
	})
	assert.True(t, ok)
	assertReported(t, tb)
}

func TestCheckRecordReportsEveryMismatchAtOnce(t *testing.T) {
	rec, _, _ := goodRecord(t)
	tb := newFakeTB(t)
	ok := edrtest.CheckRecord(tb, rec, edrtest.Want{
		Status:   edr.Prevented,
		Actions:  []edr.ActionResult{edr.Succeeded, edr.ActionFailed},
		Kinds:    quarantineOnly,
		Attempts: []int{2, 1},
		Errors:   []string{"", "denied"},
		Panics:   []string{"boom", ""},
		Note:     "undone",
	})
	assert.False(t, ok)
	assertReported(t, tb,
		"record det-1: status is blocked, want prevented [action 0 stop process: succeeded; action 1 quarantine file: succeeded]",
		"record det-1: action results are [succeeded succeeded], want [succeeded failed]",
		"record det-1: action kinds are [stop process quarantine file], want [quarantine file]",
		`record det-1: action 0 (stop process 4120 (C:\Users\alex\Downloads\invoice.exe)): 1 attempts, want 2`,
		`record det-1: action 1 (quarantine file C:\Users\alex\Downloads\invoice.exe): error "" does not contain "denied"`,
		`record det-1: action 0 (stop process 4120 (C:\Users\alex\Downloads\invoice.exe)): panic "" does not contain "boom"`,
		"record det-1: action 0 (stop process 4120 (C:\\Users\\alex\\Downloads\\invoice.exe)): panicked with no stack recorded",
		`record det-1: note "" does not contain "undone"`,
	)
	tb = newFakeTB(t)
	edrtest.CheckRecord(tb, rec, edrtest.Want{Attempts: []int{1}})
	assertReported(t, tb, "record det-1: want 1 attempts, one per action, and the record has 2 actions")
}

func TestCheckRecordAppliesTheRulesOfEveryRecord(t *testing.T) {
	rec, _, _ := goodRecord(t)
	cases := []struct {
		name string
		edit func(*edr.Record)
		want []string
	}{
		{"in_progress", func(r *edr.Record) { r.Status = edr.InProgress }, []string{"status in progress is not terminal"}},
		{"blocked_with_a_failure", func(r *edr.Record) {
			r.Actions[1].Result, r.Actions[1].Error = edr.ActionFailed, "denied"
		}, []string{"is blocked, and 1 of 2 actions succeeded"}},
		{"failed_with_a_success", func(r *edr.Record) { r.Status = edr.Failed }, []string{"is failed, and 2 actions succeeded"}},
		{"quarantine_without_an_id", func(r *edr.Record) { r.Actions[1].QuarantineID = "" }, []string{"succeeded with no quarantine id"}},
		{"panic_without_a_stack", func(r *edr.Record) {
			r.Status = edr.PartiallyRemediated
			r.Actions[1].Result, r.Actions[1].Error, r.Actions[1].Panic = edr.ActionFailed, "hook panicked: boom", "boom"
		}, []string{"panicked (boom) and is failed with a 0-byte stack"}},
		{"failed_without_an_error", func(r *edr.Record) {
			r.Status = edr.PartiallyRemediated
			r.Actions[1].Result = edr.ActionFailed
		}, []string{"failed with no error"}},
		{"not_supported_with_attempts", func(r *edr.Record) {
			r.Status = edr.PartiallyRemediated
			r.Actions[1].Result = edr.NotSupported
		}, []string{"is not supported by host and has 1 attempts"}},
		{"pending_action", func(r *edr.Record) {
			r.Status = edr.PartiallyRemediated
			r.Actions[1].Result = edr.Pending
		}, []string{"is still pending"}},
		{"quarantined_although_not_stopped", func(r *edr.Record) {
			r.Status = edr.PartiallyRemediated
			r.Actions[0].Result, r.Actions[0].Error = edr.ActionFailed, "denied"
		}, []string{"succeeded, and process 4120, whose image it is, was not stopped (failed)"}},
		{"would_block_in_enforce_mode", func(r *edr.Record) {
			r.Status = edr.WouldBlock
			r.Actions[0].Result, r.Actions[0].Attempts = edr.Skipped, 0
			r.Actions[1].Result, r.Actions[1].Attempts = edr.Skipped, 0
		}, []string{"is would block (audit) in enforce mode"}},
		{"audit_that_acted", func(r *edr.Record) { r.Mode, r.Status = edr.Audit, edr.WouldBlock }, []string{
			"audit mode, and action 0", "audit mode, and action 1"}},
		{"undone_with_a_quarantine_left", func(r *edr.Record) { r.Status = edr.Undone }, []string{
			"is undone, and action 1", "is undone and restored nothing"}},
		{"actions_not_the_decisions", func(r *edr.Record) { r.Actions[0].ProcessID = 1 }, []string{"differs from the decision's"}},
		{"wrong_detection", func(r *edr.Record) { r.ID = "det-2" }, []string{"record det-2: holds detection det-1"}},
		{"finished_before_received", func(r *edr.Record) { r.Finished = r.Received.Add(-1) }, []string{"finished (", "before it was received"}},
		{"no_revision_no_ruleset", func(r *edr.Record) { r.Revision, r.Ruleset = 0, "" }, []string{"revision 0", "no ruleset"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := rec.Clone()
			tc.edit(&r)
			tb := newFakeTB(t)
			assert.False(t, edrtest.CheckRecord(tb, r, edrtest.Want{}))
			if tc.name == "finished_before_received" {
				assertReported(t, tb, "before it was received")
				return
			}
			assertReported(t, tb, tc.want...)
		})
	}
}

func TestCheckHistoryPassesARealRun(t *testing.T) {
	h := newHarness(t, nil)
	h.host.Fault(edrtest.Quarantine, edrtest.FailTemporarily(1))
	h.host.Fault(edrtest.StopProcess, edrtest.Panic("boom").Match(edrtest.Match{ProcessID: 3}))
	h.handle(t, "d1", edrtest.Process(1, `C:\1.exe`))
	h.handle(t, "d2", edrtest.File(`C:\2.exe`))
	h.handle(t, "d3", edrtest.Process(3, `C:\3.exe`))
	_, err := h.eng.Undo(bg, "d2", "alice")
	require.NoError(t, err)
	tb := newFakeTB(t)
	assert.True(t, edrtest.CheckHistory(tb, h.eng.Store(), h.host, []string{"d1", "d2", "d3", "d2"}))
	assertReported(t, tb)
}

func TestCheckHistoryReportsEveryProblemAtOnce(t *testing.T) {
	rec, host, store := goodRecord(t)
	ctx := context.Background()

	// A record for a detection never handed in, one left in progress, an
	// id with no record, a hook call no record accounts for, a Restore
	// no record knows of, and a second notification.
	stray := rec.Clone()
	stray.ID = "stray"
	stray.Detection = edrtest.Detection("stray")
	require.NoError(t, store.Put(ctx, stray))
	stuck := rec.Clone()
	stuck.ID, stuck.Status = "stuck", edr.InProgress
	stuck.Detection = edrtest.Detection("stuck", edrtest.Process(pid, evil))
	require.NoError(t, store.Put(ctx, stuck))
	_, err := host.Quarantine(ctx, quarantine(`C:\extra.exe`))
	require.NoError(t, err)
	require.NoError(t, host.Restore(ctx, rec.Actions[1].QuarantineID, rec.Actions[1].Action))
	require.NoError(t, host.Notify(ctx, rec))

	tb := newFakeTB(t)
	assert.False(t, edrtest.CheckHistory(tb, store, host, []string{"det-1", "stuck", "lost"}))
	assertReported(t, tb,
		"detection lost has no record: it was lost",
		"record stuck: status in progress is not terminal",
		"record stray (blocked) is for no detection handed in",
		`1 Quarantine calls for quarantine file C:\extra.exe on edrtest-device (evidence 0), and no record holds that action`,
		`stop process 4120 (C:\Users\alex\Downloads\invoice.exe) on edrtest-device (evidence 0): 1 StopProcess calls, and record det-1, stuck counts 2 attempts`,
		`quarantine file C:\Users\alex\Downloads\invoice.exe on edrtest-device (evidence 0): 1 Quarantine calls, and record det-1, stuck counts 2 attempts`,
		`stop process 4120 (C:\Users\alex\Downloads\invoice.exe) on edrtest-device (evidence 0): 1 successful StopProcess calls, and record det-1, stuck says 2 succeeded`,
		`quarantine file C:\Users\alex\Downloads\invoice.exe on edrtest-device (evidence 0): 1 successful Quarantine calls, and record det-1, stuck says 2 succeeded`,
		"quarantine q-1: 1 Restore calls succeeded, and no record says it is restored",
		"record det-1 was notified 2 times",
		"record stuck (in progress) was never notified",
	)
}

func TestCheckHistoryCatchesAQuarantineIDMismatch(t *testing.T) {
	rec, host, store := goodRecord(t)
	rec.Actions[1].QuarantineID = "q-42"
	require.NoError(t, store.Put(context.Background(), rec))
	tb := newFakeTB(t)
	edrtest.CheckHistory(tb, store, host, []string{"det-1"})
	assertReported(t, tb, "the host returned quarantine ids [q-1], and record det-1 holds [q-42]")
}

func TestCheckHistoryWithoutAHost(t *testing.T) {
	_, _, store := goodRecord(t)
	tb := newFakeTB(t)
	assert.True(t, edrtest.CheckHistory(tb, store, nil, []string{"det-1"}))
}

func TestChecksCapTheirReport(t *testing.T) {
	store := new(edr.MemStore)
	ids := make([]string, 80)
	for i := range ids {
		ids[i] = fmt.Sprint("missing-", i)
	}
	tb := newFakeTB(t)
	edrtest.CheckHistory(tb, store, nil, ids)
	errs := tb.Errors()
	require.Len(t, errs, 51)
	assert.Equal(t, "... and 30 more problems", errs[50])
}

var _ = remediate.Quarantine
