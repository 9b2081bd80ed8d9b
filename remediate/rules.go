package remediate

// The rule ids. They are stable: they appear in decisions, traces and
// records.
const (
	// Rules about the detection as a whole, in the order they are tried.
	RuleDetectionValid    = "detection-valid"
	RuleAlreadyStopped    = "already-stopped"
	RuleBlockModeInEffect = "block-mode-in-effect"
	RuleAntivirusMode     = "antivirus-mode"
	RuleInformational     = "informational-severity"
	RuleActiveModePath    = "active-mode-path"

	// Rules about each evidence item, in the order they are tried.
	RuleEvidenceKind      = "evidence-kind"
	RuleItemStopped       = "item-already-stopped"
	RuleOtherAntivirus    = "other-vendor-antivirus"
	RuleExclusion         = "antivirus-exclusion"
	RuleIndicators        = "indicators-not-honoured"
	RuleRemediateArtifact = "remediate-artifact"

	// The rule that combines the items into the verdict.
	RuleCombine = "combine-items"
)

// RuleInfo describes one rule of the decision table.
type RuleInfo struct {
	// ID is the rule's id, as it appears in decisions and traces.
	ID string `json:"id"`
	// Scope is "detection" or "evidence".
	Scope string `json:"scope"`
	// Description says what the rule does.
	Description string `json:"description"`
}

// ruleTable is the decision table, in evaluation order. Decide follows it;
// Rules publishes it.
var ruleTable = [...]RuleInfo{
	{RuleDetectionValid, "detection", "a detection without an id is not decided on: detect only"},
	{RuleAlreadyStopped, "detection", "when every file and process artifact was already blocked or prevented (by the built-in antivirus or an earlier remediation), there is nothing more to do: no action"},
	{RuleBlockModeInEffect, "detection", "when EDR in block mode is not in effect on the device (off, turning on, not eligible, or turned off more than the propagation delay ago), the detection is detect only; the trace says which state and why"},
	{RuleAntivirusMode, "detection", "block mode acts through Microsoft Defender Antivirus in active or passive mode; in any other mode the detection is detect only"},
	{RuleInformational, "detection", "informational detections (such as the benign test alert) are not remediated: detect only"},
	{RuleActiveModePath, "detection", "with the built-in antivirus active, real-time protection is expected to act first: block mode lets automatic actions follow post-breach behavioural (EDR) detections, PUA protection remediates potentially unwanted applications when it is enabled, and automated investigation may remediate when it is on; other detections are detect only"},
	{RuleEvidenceKind, "evidence", "files and processes are artifacts the SDK acts on; devices, users, addresses and other context are not artifacts; an artifact kind the SDK cannot act on, or a file or process without a path, is detect only for that item"},
	{RuleItemStopped, "evidence", "an artifact already blocked or prevented needs no action"},
	{RuleOtherAntivirus, "evidence", "block mode never acts on another vendor's antivirus or its files; a path that may be one of them (it does not canonicalise, or may hold an 8.3 short name) is not acted on either"},
	{RuleExclusion, "evidence", "an artifact covered by an antivirus exclusion is not remediated; the item names the exclusion rule and the canonical path it matched. A path is excluded only when the antivirus would treat that very file as excluded: one that may hold a short name is remediated (a name an attacker chose never buys an exclusion), and one that does not canonicalise is not acted on"},
	{RuleIndicators, "evidence", "EDR indicators (allow entries for hashes, certificates, IPs, URLs) are not honoured by block mode: an allow indicator never stops remediation, and each one that matched is recorded as ignored"},
	{RuleRemediateArtifact, "evidence", "a running process is stopped (its status becomes blocked) and its image quarantined; a file is quarantined (prevented); every process stop runs before any quarantine"},
	{RuleCombine, "detection", "the verdict follows from the items: all artifacts remediated is remediate, some is partial remediation, none is detect only, all already stopped is no action"},
}

// Rules returns the decision table, in evaluation order.
func Rules() []RuleInfo { return append([]RuleInfo(nil), ruleTable[:]...) }
