package edrtest_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blockmode/blockmode/edr"
	"github.com/blockmode/blockmode/edr/edrtest"
	"github.com/blockmode/blockmode/remediate"
)

// fast bounds keep the broken hosts' checks short.
func fastEnv(h *edrtest.Host) edrtest.Env {
	env := h.Env()
	env.Timeout = time.Second
	env.CancelWithin = 100 * time.Millisecond
	return env
}

func TestConformanceFakeHostPasses(t *testing.T) {
	h := &edrtest.Host{Strict: true}
	edrtest.TestHost(t, h.Hooks(), h.Env())
	assert.NoError(t, edrtest.TestHooks(h.Hooks(), h.Env()))
}

func TestConformanceSkipsWhatTheHostLacks(t *testing.T) {
	h := &edrtest.Host{Strict: true}
	tb := newFakeTB(t)
	edrtest.TestHost(tb, h.HooksWithout(edrtest.StopProcess, edrtest.Restore), h.Env())
	assertReported(t, tb)
	assert.Contains(t, tb.logs, "edrtest.TestHost: skipped: restore: no Restorer")
	assert.Contains(t, tb.logs, "edrtest.TestHost: skipped: stop then quarantine: no ProcessStopper")

	env := h.Env()
	env.NewProcess, env.FileExists = nil, nil
	tb = newFakeTB(t)
	edrtest.TestHost(tb, h.Hooks(), env)
	assertReported(t, tb)
	assert.Contains(t, tb.logs, "edrtest.TestHost: skipped: stop then quarantine: no Env.NewProcess")
}

// Broken hosts: each wraps the fake and breaks one rule.

type emptyID struct{ *edrtest.Host }

func (h emptyID) Quarantine(ctx context.Context, a remediate.Action) (string, error) {
	_, err := h.Host.Quarantine(ctx, a)
	return "", err
}

type sameID struct{ *edrtest.Host }

func (h sameID) Quarantine(ctx context.Context, a remediate.Action) (string, error) {
	if _, err := h.Host.Quarantine(ctx, a); err != nil {
		return "", err
	}
	return "the-one-id", nil
}

// fakeRestore claims to restore anything and restores nothing.
type fakeRestore struct{ *edrtest.Host }

func (fakeRestore) Restore(context.Context, string, remediate.Action) error { return nil }

// idleStopper claims to stop processes and stops none.
type idleStopper struct{ *edrtest.Host }

func (idleStopper) StopProcess(context.Context, remediate.Action) error { return nil }

// pretendQuarantine claims to quarantine and leaves the file in place.
type pretendQuarantine struct{ *edrtest.Host }

func (pretendQuarantine) Quarantine(context.Context, remediate.Action) (string, error) {
	return "q-pretend", nil
}

// deaf ignores its context: every call takes 300ms whatever happens.
func deaf(_ context.Context, _ edrtest.Call) error {
	time.Sleep(300 * time.Millisecond)
	return nil
}

func TestConformanceCatchesBrokenHosts(t *testing.T) {
	cases := []struct {
		name  string
		hooks func(h *edrtest.Host) edr.Hooks
		env   func(h *edrtest.Host) edrtest.Env
		want  []string
	}{
		{
			name: "lenient_fake_quarantines_files_that_do_not_exist",
			hooks: func(h *edrtest.Host) edr.Hooks {
				h.Strict = false
				return h.Hooks()
			},
			want: []string{"errors are errors: Quarantine of C:\\edrtest\\conformance\\file-2.exe.edrtest-missing, which does not exist, returned id \"q-3\" and no error"},
		},
		{
			name: "quarantine_panics",
			hooks: func(h *edrtest.Host) edr.Hooks {
				h.Fault(edrtest.Quarantine, edrtest.Panic("boom"))
				return h.Hooks()
			},
			want: []string{
				"quarantine: record edrtest-conformance-1-quarantine: status is failed, want prevented [action 0 quarantine file: failed (hook panicked: boom)]",
				"quarantine: Quarantine panicked: boom",
				"stop then quarantine: record edrtest-conformance-2-stop-then-quarantine: status is partially remediated, want blocked [action 0 stop process: succeeded; action 1 quarantine file: failed (hook panicked: boom)]",
				"stop then quarantine: Quarantine panicked: boom",
				"errors are errors: Quarantine of a file that does not exist panicked: boom (a hook returns errors; it does not panic)",
				"errors are errors: Quarantine of an action with no path panicked: boom",
				"cancellation: Quarantine with a cancelled context panicked: boom",
				"cancellation: Quarantine with a context that expires after 5ms panicked: boom",
				"concurrency: Quarantine, 8 at once, panicked, for 8 of 8 files; first: C:\\edrtest\\conformance\\file-",
			},
		},
		{
			name:  "quarantine_returns_no_id",
			hooks: func(h *edrtest.Host) edr.Hooks { hs := h.Hooks(); hs.Quarantine = emptyID{h}; return hs },
			want: []string{
				// The engine records a quarantine without an id as failed.
				"quarantine: record edrtest-conformance-1-quarantine: status is failed, want prevented [action 0 quarantine file: failed (the Quarantine hook returned no error and no quarantine id",
				"stop then quarantine: record edrtest-conformance-2-stop-then-quarantine: status is partially remediated, want blocked",
				"concurrency: Quarantine returned no quarantine id, for 8 of 8 files",
				"concurrency: Restore, 8 at once, failed, for 8 of 8 files",
			},
		},
		{
			name:  "quarantine_ids_are_not_unique",
			hooks: func(h *edrtest.Host) edr.Hooks { hs := h.Hooks(); hs.Quarantine = sameID{h}; return hs },
			want: []string{
				`restore: undoing the quarantine of C:\edrtest\conformance\file-1.exe (id "the-one-id")`,
				`concurrency: Quarantine returned the same id for two files, for 7 of 8 files; first: "the-one-id" for`,
				"concurrency: Restore, 8 at once, failed, for 8 of 8 files",
			},
		},
		{
			name:  "restore_claims_success_for_anything",
			hooks: func(h *edrtest.Host) edr.Hooks { hs := h.Hooks(); hs.Restore = fakeRestore{h}; return hs },
			want: []string{
				"restore: C:\\edrtest\\conformance\\file-1.exe is not there after restoring it",
				`errors are errors: Restore of quarantine id "edrtest-never-issued", never issued, returned no error`,
				"concurrency: a file is not there after Restore succeeded, for 8 of 8 files",
			},
		},
		{
			name:  "stop_process_does_nothing",
			hooks: func(h *edrtest.Host) edr.Hooks { hs := h.Hooks(); hs.StopProcess = idleStopper{h}; return hs },
			want: []string{
				"stop then quarantine: process 100001 still runs after a successful StopProcess",
				"cancellation: StopProcess with a cancelled context returned success and did not act",
			},
		},
		{
			name:  "quarantine_pretends",
			hooks: func(h *edrtest.Host) edr.Hooks { hs := h.Hooks(); hs.Quarantine = pretendQuarantine{h}; return hs },
			want: []string{
				"quarantine: C:\\edrtest\\conformance\\file-1.exe is still there after a successful quarantine",
				`restore: undoing the quarantine of C:\edrtest\conformance\file-1.exe (id "q-pretend")`,
				"stop then quarantine: C:\\edrtest\\conformance\\proc-1.exe is still there after stopping its process and quarantining it",
				`errors are errors: Quarantine of C:\edrtest\conformance\file-2.exe.edrtest-missing, which does not exist, returned id "q-pretend" and no error`,
				`errors are errors: Quarantine of an action with no path returned id "q-pretend" and no error`,
				"cancellation: Quarantine with a cancelled context returned success and did not act",
				"concurrency: a file is still there after Quarantine succeeded, for 8 of 8 files",
				"concurrency: Quarantine returned the same id for two files, for 7 of 8 files",
				"concurrency: Restore, 8 at once, failed, for 8 of 8 files",
			},
		},
		{
			name: "stop_process_ignores_its_context",
			hooks: func(h *edrtest.Host) edr.Hooks {
				h.Fault(edrtest.StopProcess, edrtest.Func(deaf))
				return h.Hooks()
			},
			want: []string{
				"cancellation: StopProcess with a cancelled context did not return within 100ms",
				"cancellation: StopProcess with a context that expires after 5ms did not return within 105ms",
			},
		},
		{
			name: "notify_panics_and_fails",
			hooks: func(h *edrtest.Host) edr.Hooks {
				h.Fault(edrtest.Notify, edrtest.Panic("notify boom").Match(edrtest.Match{If: func(c edrtest.Call) bool {
					return strings.HasSuffix(c.Record.ID, "1-quarantine")
				}}))
				h.Fault(edrtest.Notify, edrtest.Fail(errors.New("the console is down")))
				return h.Hooks()
			},
			want: []string{
				"notify: Notify of record edrtest-conformance-1-quarantine, called by the engine, panicked: notify boom",
				// once as finished, once as undone by the restore check
				"notify: Notify of record edrtest-conformance-1-quarantine, called by the engine, panicked: notify boom",
				"notify: Notify of record edrtest-conformance-2-stop-then-quarantine, called by the engine, failed: the console is down",
				"notify: Notify of a finished record: the console is down",
			},
		},
		{
			name:  "no_hooks",
			hooks: func(*edrtest.Host) edr.Hooks { return edr.Hooks{} },
			want:  []string{"hooks: the host has no hooks at all"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := &edrtest.Host{Strict: true}
			hooks := tc.hooks(h)
			tb := newFakeTB(t)
			edrtest.TestHost(tb, hooks, fastEnv(h))
			for i, w := range tc.want {
				tc.want[i] = "edrtest.TestHost: " + w
			}
			assertReported(t, tb, tc.want...)
		})
	}
}

func TestConformanceReportsEveryProblemAtOnce(t *testing.T) {
	h := &edrtest.Host{Strict: true}
	hooks := edr.Hooks{StopProcess: idleStopper{h}, Quarantine: emptyID{h}, Restore: fakeRestore{h}, Notify: h}
	err := edrtest.TestHooks(hooks, fastEnv(h))
	require.Error(t, err)
	errs := err.(interface{ Unwrap() []error }).Unwrap()
	assert.GreaterOrEqual(t, len(errs), 5)
	msg := err.Error()
	for _, w := range []string{"no quarantine id", "still runs", "never issued, returned no error", "stop then quarantine"} {
		assert.Contains(t, msg, w)
	}
}
