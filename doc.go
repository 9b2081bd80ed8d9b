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
//	fmt.Println(s.AMRunningMode, s.AMProductVersion)
//	fmt.Println(s.AMRunningMode.Supports(mode.RemediateEDRDetections))
//
// Run the quickstart with "go run ./examples/quickstart".
package blockmode
