// Package edr is the facade of the SDK for EDR in block mode: the
// requirements a device must meet (its eligibility), the settings that
// turn block mode on (tenant-wide, or per device group through the
// Defender CSP setting Configuration/PassiveRemediation) and who may change
// them, the effective state on a device over time, the recommendations a
// security team gets, and servers onboarded through Defender for Servers.
//
// # Eligibility
//
// [Eligibility] checks a device's [DeviceFacts] against each requirement of
// a [Ruleset] and returns a [Report]: one [Check] per requirement with its
// result (pass, fail or unknown), the observed and required values and
// what to do about a failure. A fact that is not given is unknown, never a
// pass. [FactsFromPlatform] fills the facts from parsed Get-MpComputerStatus
// and Get-MpPreference output.
//
// # Rules as versioned data
//
// The documentation changed over time; each revision is a [Ruleset]:
// [Current] (2025) and [July2021]. A ruleset holds the eligible operating
// systems, the minimum platform and engine versions, whether group
// targeting exists and from which platform, the propagation delays, and
// the advice for devices whose antivirus is active.
//
// # Settings and the effective state
//
// A [History] records every settings change (who, what, when) and answers
// the effective [State] of block mode on a device at any instant: off,
// turning on, on, turning off (the device still blocks for up to 30
// minutes after block mode is turned off), not eligible, or unknown. Time
// is always passed in; nothing here reads a clock.
//
// # Servers
//
// [AssessServer] answers, for a server onboarded through Defender for
// Servers, the onboarding path and time, the antivirus mode that results,
// and block-mode eligibility as far as the path fixes it.
package edr
