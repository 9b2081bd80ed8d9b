// Package edrtest provides utilities for testing code that uses the
// [edr] engine, and for testing host integrations: the hooks an agent
// implements to stop processes and quarantine files for EDR in block
// mode. It is to edr what [net/http/httptest] is to net/http and
// [testing/fstest] to io/fs.
//
// It owns test doubles and checks; it decides nothing itself. The
// decisions, the engine and the action history stay in [edr] and
// [remediate], and a test drives the real engine through them.
//
// # The pieces
//
//   - [Clock]: a fake clock that moves only when the test moves it; its
//     zero value reads [Epoch].
//   - [Host]: a fake host that implements every hook ([edr.ProcessStopper],
//     [edr.Quarantiner], [edr.Restorer], [edr.Notifier]) over a fake file
//     system, process table and quarantine, records every [Call] in order,
//     and misbehaves on cue: [Host.Fault] with [Fail], [FailTimes],
//     [FailTemporarily], [Panic], [Hang], [Slow] or [Func], narrowed with
//     [Fault.Times] and [Fault.Match]. [Host.HooksWithout] leaves hooks out,
//     for "not supported by host".
//   - [Detection], [Process], [File], [EligibleDevice], [BlockModeOn] and
//     [Config]: an engine configuration and detections that block mode
//     remediates, in a line each.
//   - [CheckRecord] and [CheckHistory]: assertions on records and on a
//     whole run (one terminal record per detection, hook calls that match
//     the records) that report every mismatch at once.
//   - [TestHooks] and [TestHost]: a conformance suite that a real host runs
//     against its own hooks, given an [Env] that makes throwaway files and
//     processes.
//
// A harness is a few lines:
//
//	clock := new(edrtest.Clock)
//	host := &edrtest.Host{Clock: clock}
//	host.Fault(edrtest.Quarantine, edrtest.FailTemporarily(2))
//	eng, err := edr.New(edrtest.Config(clock, host))
//	...
//	rec, err := eng.Handle(ctx, edrtest.Detection("det-1", edrtest.Process(4120, `C:\x\evil.exe`)))
//	edrtest.CheckRecord(t, rec, edrtest.Want{Status: edr.Blocked})
//	edrtest.CheckHistory(t, eng.Store(), host, []string{"det-1"})
//
// # What hooks cannot tell
//
// The engine does not tell a hook which detection an action is for (a
// [remediate.Action] has no detection id). The fake host therefore
// attributes calls to detections after the fact, from the records the
// engine notifies it of; see [Host.CallsFor]. [CheckHistory] compares
// calls and records by action, which needs no attribution.
package edrtest
