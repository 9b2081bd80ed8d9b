// Package blockmode is the overview of an embeddable SDK for the logic of
// "EDR in block mode": the part of an endpoint-protection agent that
// decides whether a post-breach (EDR) detection is blocked and remediated,
// explains why, and carries the action out through the host's own hooks.
//
// The SDK holds the logic; the host (an agent, a test harness, a command-
// line tool) supplies the platform: it reports device facts, feeds
// detections, and implements the few hooks that quarantine a file or stop
// a process. Data flows one way:
//
//	device facts ──► mode ──► edr (eligibility, settings, effective state) ─┐
//	                                                                         ├─► remediate ─► action history
//	detections ───► detect ─────────────────────────────────────────────────┘
//	exclusion lists ─► exclusions (compiled matcher) ───────────────────────┘
//
// The packages:
//
//   - [github.com/blockmode/blockmode/mode]: running modes ("Normal",
//     "Passive Mode", "EDR Block Mode", ...), the capabilities of each,
//     how a device arrives at a mode, platform and engine versions, and
//     parsers for what Get-MpComputerStatus and Get-MpPreference print.
//   - [github.com/blockmode/blockmode/exclusions]: antivirus exclusion
//     lists, Windows path canonicalisation, a compiled matcher that says
//     which rule excludes which canonical path, and a lint of risky
//     exclusions.
//   - [github.com/blockmode/blockmode/detect]: detections from Microsoft
//     Graph security alerts, decoded one at a time from a stream.
//   - [github.com/blockmode/blockmode/remediate]: Decide, the pure rules
//     for when block mode remediates, with the actions in order and a
//     trace.
//   - [github.com/blockmode/blockmode/edr]: eligibility, rulesets,
//     settings and the effective state over time, servers, and the Engine
//     that decides, acts through the host's hooks and records; with
//     [github.com/blockmode/blockmode/edr/boltstore] (the durable action
//     history) and [github.com/blockmode/blockmode/edr/edrtest] (a fake
//     host, a fake clock and a conformance suite, like net/http/httptest)
//     and [github.com/blockmode/blockmode/edr/ocsf] (action records as
//     OCSF events for a SIEM).
//
// Decisions are pure values that explain themselves; effects go through
// small hook interfaces that take a context; time is injected; bad input
// is a typed error, never a panic and never a silent default.
//
// A first look, from the output of Get-MpComputerStatus | ConvertTo-Json:
//
//	s, err := mode.ParseStatus(f)
//	if err != nil {
//		return err // a *mode.ParseError naming the property and value
//	}
//	report := edr.Eligibility(edr.FactsFromPlatform(s, nil))
//	fmt.Println(s.AMRunningMode, report.Eligible, report.InEffect)
//
// An agent compiles the device's exclusions, opens a store and hands
// detections to an engine:
//
//	engine, err := edr.New(edr.Config{Hooks: hooks, Store: store, Exclusions: m, Settings: h, Device: facts})
//	rec, err := engine.Handle(ctx, detection) // one terminal record per detection
//
// Run "go run ./examples/quickstart" to explain a sample device,
// "go run ./examples/agent" to run the engine over sample alerts, and
// "go run ./examples/edrcheck" for the command line over a device's own
// output: status, exclusions, lint, replay (what block mode would have done,
// and what other settings would change) and export.
package blockmode
