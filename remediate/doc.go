// Package remediate owns the rules for when EDR in block mode remediates a
// detection, and what that remediation is: [Decide] is a pure function from
// an [Input] (the block-mode state, the built-in antivirus's mode, the
// detection, the exclusion matcher, the tenant's indicators and a few
// settings) to a [Decision] (a verdict, the actions in the order they must
// run, the status the record carries if they succeed — Blocked or
// Prevented — and a trace of every rule consulted).
//
// The rules, in the platform's words:
//
//   - block mode not in effect (off, not eligible, turned off more than the
//     propagation delay ago): detect only;
//   - built-in antivirus active and the artifact already blocked: nothing
//     more to do; block mode still lets automatic actions follow
//     post-breach behavioural detections;
//   - informational detections, such as the benign test alert: no
//     remediation;
//   - an artifact covered by an antivirus exclusion is not remediated;
//   - EDR indicators (allow entries for hashes, certificates, IPs, URLs)
//     are not honoured: an allow indicator never stops remediation;
//   - block mode never acts on another vendor's antivirus or its files;
//   - evidence the SDK cannot act on is detect only for that item, and a
//     detection some of whose artifacts are left alone is a partial
//     remediation.
//
// [Rules] publishes the table with the ids that appear in decisions and
// traces.
//
// This package decides; it does not act. Carrying out the actions through
// the host's hooks, with timeouts, retries and a durable record, is the
// engine's work (package edr).
package remediate
