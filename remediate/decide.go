package remediate

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/blockmode/blockmode/detect"
	"github.com/blockmode/blockmode/exclusions"
	"github.com/blockmode/blockmode/mode"
)

// contextEvidence are the Graph evidence types that describe the context of
// an alert (where, who, which address) rather than an artifact to remediate.
// They never make a remediation partial.
var contextEvidence = map[string]bool{
	"#microsoft.graph.security.deviceEvidence":                   true,
	"#microsoft.graph.security.userEvidence":                     true,
	"#microsoft.graph.security.ipEvidence":                       true,
	"#microsoft.graph.security.urlEvidence":                      true,
	"#microsoft.graph.security.mailboxEvidence":                  true,
	"#microsoft.graph.security.analyzedMessageEvidence":          true,
	"#microsoft.graph.security.mailClusterEvidence":              true,
	"#microsoft.graph.security.cloudApplicationEvidence":         true,
	"#microsoft.graph.security.oauthApplicationEvidence":         true,
	"#microsoft.graph.security.securityGroupEvidence":            true,
	"#microsoft.graph.security.malwareEvidence":                  true,
	"#microsoft.graph.security.hostLogonSessionEvidence":         true,
	"#microsoft.graph.security.networkConnectionEvidence":        true,
	"#microsoft.graph.security.dnsEvidence":                      true,
	"#microsoft.graph.security.azureResourceEvidence":            true,
	"#microsoft.graph.security.amazonResourceEvidence":           true,
	"#microsoft.graph.security.googleCloudResourceEvidence":      true,
	"#microsoft.graph.security.servicePrincipalEvidence":         true,
	"#microsoft.graph.security.submissionMailEvidence":           true,
	"#microsoft.graph.security.cloudLogonSessionEvidence":        true,
	"#microsoft.graph.security.cloudLogonRequestEvidence":        true,
	"#microsoft.graph.security.nicEvidence":                      true,
	"#microsoft.graph.security.ioTDeviceEvidence":                true,
	"#microsoft.graph.security.gitHubOrganizationEvidence":       true,
	"#microsoft.graph.security.gitHubRepoEvidence":               true,
	"#microsoft.graph.security.gitHubUserEvidence":               true,
	"#microsoft.graph.security.teamsMessageEvidence":             true,
	"#microsoft.graph.security.kubernetesClusterEvidence":        true,
	"#microsoft.graph.security.kubernetesNamespaceEvidence":      true,
	"#microsoft.graph.security.kubernetesPodEvidence":            true,
	"#microsoft.graph.security.kubernetesServiceEvidence":        true,
	"#microsoft.graph.security.kubernetesControllerEvidence":     true,
	"#microsoft.graph.security.kubernetesSecretEvidence":         true,
	"#microsoft.graph.security.kubernetesServiceAccountEvidence": true,
	"#microsoft.graph.security.containerEvidence":                true,
	"#microsoft.graph.security.containerImageEvidence":           true,
	"#microsoft.graph.security.containerRegistryEvidence":        true,
	"#microsoft.graph.security.sasTokenEvidence":                 true,
}

// The decision buffers back the slices of a decision on up to 2, 4 or 6
// evidence items with up to four actions, so that deciding on a typical
// detection allocates once, and a small detection's decision (which a
// store keeps) stays small.
type (
	decisionBuf2 struct {
		items   [2]Item
		actions [4]Action
	}
	decisionBuf4 struct {
		items   [4]Item
		actions [4]Action
	}
	decisionBuf6 struct {
		items   [6]Item
		actions [4]Action
	}
)

// decider carries one decision through the rules.
type decider struct {
	ctx   context.Context
	in    Input // by value: a pointer here would move every Input to the heap
	d     Decision
	trace bool
}

func (s *decider) step(rule string, evidence int, observed, outcome string) {
	s.d.Trace = append(s.d.Trace, Step{Rule: rule, Evidence: evidence, Observed: observed, Outcome: outcome})
}

// Decide decides what EDR in block mode does with a detection. It is pure:
// no I/O, no clock, no globals; the same input gives the same decision. (A
// short-name resolver given to the exclusion matcher is the one thing it
// may call; see [DecideContext].)
//
// The rules are tried in the order of [Rules]; the decision names the rule
// that decided, and with Input.Trace every rule consulted. Without a trace,
// deciding on a detection with up to six evidence items and four actions
// (a typical Defender for Endpoint alert: device, process, file, user,
// address and URL) allocates once.
func Decide(in Input) Decision { return DecideContext(context.Background(), in) }

// DecideContext is Decide with a context for the exclusion matcher's
// short-name resolver, the only call Decide may make outside the SDK.
func DecideContext(ctx context.Context, in Input) Decision {
	s := decider{ctx: ctx, in: in, trace: in.Trace}
	s.decide()
	return s.d
}

func (s *decider) decide() {
	in, d := &s.in, &s.d
	det := in.Detection
	d.Ruleset, d.SettingsVersion = in.BlockMode.Ruleset, in.BlockMode.SettingsVersion
	if det == nil || det.ID == "" {
		d.Verdict, d.Rule, d.Status = DetectOnly, RuleDetectionValid, detect.Detected
		d.Reason = "the detection has no id"
		if s.trace {
			s.step(RuleDetectionValid, -1, "no detection id", d.Verdict.String())
		}
		return
	}
	d.DetectionID = det.ID
	s.allocate(len(det.Evidence))
	if s.trace {
		// Seven detection rules and up to six steps per item: one
		// allocation instead of a slice grown step by step.
		d.Trace = make([]Step, 0, 8+6*len(det.Evidence))
	}
	if s.trace {
		s.step(RuleDetectionValid, -1, "id "+det.ID, "pass")
	}
	if s.detectionRules() {
		return
	}
	s.itemRules()
	s.combine()
}

func (s *decider) allocate(n int) {
	d := &s.d
	switch {
	case n <= 2:
		buf := new(decisionBuf2)
		d.Items, d.Actions = buf.items[:0:n], buf.actions[:0]
	case n <= 4:
		buf := new(decisionBuf4)
		d.Items, d.Actions = buf.items[:0:n], buf.actions[:0]
	case n <= 6:
		buf := new(decisionBuf6)
		d.Items, d.Actions = buf.items[:0:n], buf.actions[:0]
	default:
		d.Items, d.Actions = make([]Item, 0, n), make([]Action, 0, 2*n)
	}
}

// notRemediated fills every item as not remediated by the detection rule
// that decided, keeping context items as context.
func (s *decider) notRemediated(rule string) {
	for i, ev := range s.in.Detection.Evidence {
		it := Item{Evidence: i, Type: ev.ODataType(), Outcome: ItemNotRemediated, Rule: rule}
		if !isArtifact(ev) && contextEvidence[it.Type] {
			it.Outcome, it.Rule = ItemContext, RuleEvidenceKind
		}
		it.Path = artifactPath(ev)
		s.d.Items = append(s.d.Items, it)
	}
}

func isArtifact(ev detect.Evidence) bool {
	switch ev.(type) {
	case *detect.FileEvidence, *detect.ProcessEvidence:
		return true
	}
	return false
}

func artifactPath(ev detect.Evidence) string {
	switch ev := ev.(type) {
	case *detect.FileEvidence:
		return ev.File.FullPath()
	case *detect.ProcessEvidence:
		return ev.Image.FullPath()
	}
	return ""
}

func itemStatus(ev detect.Evidence) detect.DetectionStatus {
	switch ev := ev.(type) {
	case *detect.FileEvidence:
		return ev.DetectionStatus
	case *detect.ProcessEvidence:
		return ev.DetectionStatus
	}
	return ""
}

// detectionRules applies the rules about the detection as a whole. It
// reports whether one of them decided.
func (s *decider) detectionRules() bool {
	in, det, d := &s.in, s.in.Detection, &s.d
	decide := func(rule string, v Verdict, status detect.DetectionStatus, reason string) bool {
		d.Verdict, d.Rule, d.Status, d.Reason = v, rule, status, reason
		s.notRemediated(rule)
		if v == NoAction {
			for i := range d.Items {
				if d.Items[i].Outcome == ItemNotRemediated {
					d.Items[i].Outcome = ItemAlreadyStopped
				}
			}
		}
		return true
	}

	// already-stopped
	artifacts, stopped := 0, 0
	var last detect.DetectionStatus
	for _, ev := range det.Evidence {
		if !isArtifact(ev) {
			continue
		}
		artifacts++
		if st := itemStatus(ev); st.Stopped() {
			stopped++
			last = st
		}
	}
	if artifacts > 0 && stopped == artifacts {
		status := det.Status
		if !status.Stopped() {
			status = last
		}
		if s.trace {
			s.step(RuleAlreadyStopped, -1, fmt.Sprintf("%d of %d artifacts already %s; antivirus %s", stopped, artifacts, status, in.AntivirusMode), NoAction.String())
		}
		return decide(RuleAlreadyStopped, NoAction, status, "every artifact was already stopped ("+string(status)+"); nothing more to do")
	}
	if s.trace {
		s.step(RuleAlreadyStopped, -1, strconv.Itoa(stopped)+" of "+strconv.Itoa(artifacts)+" artifacts already stopped", "pass")
	}

	// block-mode-in-effect
	if !in.BlockMode.InEffect {
		reason := "EDR in block mode is not in effect"
		if in.BlockMode.State != "" {
			reason += " (" + in.BlockMode.State + ")"
		}
		if in.BlockMode.Reason != "" {
			reason += ": " + in.BlockMode.Reason
		}
		if s.trace {
			s.step(RuleBlockModeInEffect, -1, "state "+orUnknown(in.BlockMode.State)+": "+orUnknown(in.BlockMode.Reason), DetectOnly.String())
		}
		return decide(RuleBlockModeInEffect, DetectOnly, detect.Detected, reason)
	}
	if s.trace {
		s.step(RuleBlockModeInEffect, -1, "state "+orUnknown(in.BlockMode.State), "pass")
	}

	// antivirus-mode
	switch in.AntivirusMode {
	case mode.Active, mode.Passive, mode.EDRBlock:
		if s.trace {
			s.step(RuleAntivirusMode, -1, in.AntivirusMode.String(), "pass")
		}
	default:
		if s.trace {
			s.step(RuleAntivirusMode, -1, in.AntivirusMode.String(), DetectOnly.String())
		}
		return decide(RuleAntivirusMode, DetectOnly, detect.Detected,
			"block mode acts through Microsoft Defender Antivirus in active or passive mode, and its mode is "+in.AntivirusMode.String())
	}

	// informational-severity
	if det.Severity == detect.SeverityInformational {
		if s.trace {
			s.step(RuleInformational, -1, "severity "+string(det.Severity), DetectOnly.String())
		}
		return decide(RuleInformational, DetectOnly, detect.Detected, "informational detections are not remediated")
	}
	if s.trace {
		s.step(RuleInformational, -1, "severity "+string(det.Severity), "pass")
	}

	// active-mode-path
	if in.AntivirusMode != mode.Active {
		if s.trace {
			s.step(RuleActiveModePath, -1, "antivirus "+in.AntivirusMode.String()+": block mode remediates what EDR detects", "pass")
		}
	} else {
		path, ok := activePath(det, in.Settings)
		if s.trace {
			outcome := "pass"
			if !ok {
				outcome = DetectOnly.String()
			}
			s.step(RuleActiveModePath, -1, fmt.Sprintf("source %s, category %q, PUA protection %s, automated investigation %s: %s",
				det.Source, det.Category, in.Settings.PUAProtection, in.Settings.AutomatedInvestigation, path), outcome)
		}
		if !ok {
			return decide(RuleActiveModePath, DetectOnly, detect.Detected, path)
		}
	}
	return false
}

// activePath says which remediation path, if any, follows a detection
// when the built-in antivirus is active.
func activePath(det *detect.Detection, st Settings) (string, bool) {
	switch {
	case det.Source == detect.SourceMicrosoftDefenderForEndpoint:
		return "block mode lets automatic actions follow this post-breach behavioural detection", true
	case det.Source == detect.SourceAntivirus && strings.EqualFold(det.Category, "UnwantedSoftware"):
		if st.PUAProtection == mode.EnforcementEnabled {
			return "PUA protection is enabled and remediates this potentially unwanted application", true
		}
		return "a potentially unwanted application, and PUA protection is " + st.PUAProtection.String(), false
	case st.AutomatedInvestigation == mode.True:
		return "automated investigation is on and may remediate this detection", true
	}
	return "with the built-in antivirus active, real-time protection is expected to act first; block mode adds automatic actions only for behavioural EDR detections", false
}

// count says "1 artifact is" or "3 artifacts are".
func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// itemRules decides each evidence item and plans the actions.
func (s *decider) itemRules() {
	det, d := s.in.Detection, &s.d
	for i, ev := range det.Evidence {
		it := Item{Evidence: i, Type: ev.ODataType()}
		var file *detect.FileDetails
		var pid int64
		switch ev := ev.(type) {
		case *detect.FileEvidence:
			file = &ev.File
		case *detect.ProcessEvidence:
			file, pid = &ev.Image, ev.ProcessID
		}
		if file != nil {
			it.Path = file.FullPath()
		}
		if s.itemOutcome(&it, ev, file) {
			d.Items = append(d.Items, it)
			continue
		}
		// remediate-artifact
		it.Outcome, it.Rule = ItemRemediate, RuleRemediateArtifact
		device := evidenceDevice(ev, det.DeviceID)
		if pid > 0 {
			d.Actions = append(d.Actions, Action{Kind: StopProcess, DetectionID: det.ID, Evidence: i, DeviceID: device, ProcessID: pid, Path: it.Path, SHA256: file.SHA256})
		}
		if s.trace {
			s.step(RuleRemediateArtifact, i, it.Path, ItemRemediate.String())
		}
		d.Items = append(d.Items, it)
	}
	// Quarantines after every stop, once per file.
	for i := range d.Items {
		it := &d.Items[i]
		if it.Outcome != ItemRemediate {
			continue
		}
		dup := false
		for _, a := range d.Actions {
			if a.Kind == Quarantine && strings.EqualFold(a.Path, it.Path) {
				dup = true
				break
			}
		}
		if dup {
			continue
		}
		ev := det.Evidence[it.Evidence]
		var sha string
		switch ev := ev.(type) {
		case *detect.FileEvidence:
			sha = ev.File.SHA256
		case *detect.ProcessEvidence:
			sha = ev.Image.SHA256
		}
		d.Actions = append(d.Actions, Action{Kind: Quarantine, DetectionID: det.ID, Evidence: it.Evidence, DeviceID: evidenceDevice(ev, det.DeviceID), Path: it.Path, SHA256: sha})
	}
}

func evidenceDevice(ev detect.Evidence, fallback string) string {
	switch ev := ev.(type) {
	case *detect.FileEvidence:
		if ev.DeviceID != "" {
			return ev.DeviceID
		}
	case *detect.ProcessEvidence:
		if ev.DeviceID != "" {
			return ev.DeviceID
		}
	}
	return fallback
}

// itemOutcome applies the item rules before remediate-artifact. It reports
// whether one of them decided the item.
func (s *decider) itemOutcome(it *Item, ev detect.Evidence, file *detect.FileDetails) bool {
	in := &s.in
	i := it.Evidence
	// evidence-kind
	switch {
	case file == nil && contextEvidence[it.Type]:
		it.Outcome, it.Rule = ItemContext, RuleEvidenceKind
		if s.trace {
			s.step(RuleEvidenceKind, i, it.Type, "context, not an artifact")
		}
		return true
	case file == nil:
		it.Outcome, it.Rule = ItemNotActionable, RuleEvidenceKind
		if s.trace {
			s.step(RuleEvidenceKind, i, it.Type, ItemNotActionable.String()+": the SDK cannot act on this kind of evidence")
		}
		return true
	case it.Path == "" || file.Name == "":
		it.Outcome, it.Rule = ItemNotActionable, RuleEvidenceKind
		if s.trace {
			s.step(RuleEvidenceKind, i, it.Type+" without a file path and name", ItemNotActionable.String())
		}
		return true
	}
	if s.trace {
		s.step(RuleEvidenceKind, i, it.Type+" "+it.Path, "pass")
	}

	// item-already-stopped
	st := itemStatus(ev)
	if st.Stopped() {
		it.Outcome, it.Rule = ItemAlreadyStopped, RuleItemStopped
		if s.trace {
			s.step(RuleItemStopped, i, "detectionStatus "+string(st), ItemAlreadyStopped.String())
		}
		return true
	}
	if s.trace {
		s.step(RuleItemStopped, i, "detectionStatus "+orUnknown(string(st)), "pass")
	}

	// other-vendor-antivirus
	if in.OtherAntivirus != nil {
		r := in.OtherAntivirus.Lookup(s.ctx, exclusions.Query{Path: it.Path})
		if r.Excluded {
			it.Outcome, it.Rule, it.Exclusion = ItemOtherAntivirus, RuleOtherAntivirus, r.Rule
			if s.trace {
				s.step(RuleOtherAntivirus, i, r.Path.Path+" is under "+r.Rule.Text, ItemOtherAntivirus.String())
			}
			return true
		}
		if r.Err != nil || r.Notes.Has(exclusions.NoteShortName) {
			// The path cannot be told apart from the other vendor's files
			// (it does not canonicalise, or may hold an 8.3 short name of
			// one of its folders): block mode never acts on them, so the
			// item is left to the security team.
			it.Outcome, it.Rule = ItemNotActionable, RuleOtherAntivirus
			if s.trace {
				why := "may hold a short name for one of the other vendor's folders"
				if r.Err != nil {
					why = r.Err.Error()
				}
				s.step(RuleOtherAntivirus, i, it.Path+": "+why, ItemNotActionable.String())
			}
			return true
		}
		if s.trace {
			s.step(RuleOtherAntivirus, i, r.Path.Path+" is not the other vendor's", "pass")
		}
	} else if s.trace {
		s.step(RuleOtherAntivirus, i, "no other vendor's antivirus given", "pass")
	}

	// antivirus-exclusion
	if in.Exclusions == nil {
		if s.trace {
			s.step(RuleExclusion, i, "no exclusions", "pass")
		}
	} else {
		r := in.Exclusions.Lookup(s.ctx, exclusions.Query{Path: it.Path})
		it.Canonical, it.Notes = r.Path.Path, r.Notes
		if r.Err != nil {
			// A path that does not canonicalise (relative, control
			// characters, a failed short-name lookup) is not acted on:
			// a quarantine of it could reach another file.
			it.Outcome, it.Rule = ItemNotActionable, RuleExclusion
			if s.trace {
				s.step(RuleExclusion, i, it.Path+": "+r.Err.Error(), ItemNotActionable.String())
			}
			return true
		}
		if r.Excluded {
			it.Outcome, it.Rule, it.Exclusion = ItemExcluded, RuleExclusion, r.Rule
			if s.trace {
				s.step(RuleExclusion, i, fmt.Sprintf("%s matches %s", r.Path.Path, r.Rule), ItemExcluded.String())
			}
			return true
		}
		if s.trace {
			observed := r.Path.Path + " matches no exclusion"
			if r.Notes != 0 {
				observed += " (" + r.Notes.String() + ")"
			}
			if r.Err != nil {
				observed = it.Path + ": " + r.Err.Error()
			}
			s.step(RuleExclusion, i, observed, "pass")
		}
	}

	// indicators-not-honoured
	matched := 0
	for _, ind := range in.Indicators {
		if ind.Allows() && ind.matches(file) {
			matched++
			if s.trace {
				s.step(RuleIndicators, i, fmt.Sprintf("allow indicator %s %s (id %s)", ind.Type, ind.Value, orUnknown(ind.ID)), "ignored")
			}
		}
	}
	s.d.IgnoredIndicators += matched
	if matched == 0 && s.trace {
		s.step(RuleIndicators, i, "no allow indicator among "+strconv.Itoa(len(in.Indicators))+" names this file", "pass")
	}
	return false
}

// combine sets the verdict and status from the items.
func (s *decider) combine() {
	d := &s.d
	var remediated, left, already int
	firstLeft := -1
	for i, it := range d.Items {
		switch it.Outcome {
		case ItemRemediate:
			remediated++
		case ItemAlreadyStopped:
			already++
		case ItemExcluded, ItemOtherAntivirus, ItemNotActionable:
			left++
			if firstLeft < 0 {
				firstLeft = i
			}
		}
	}
	switch {
	case remediated > 0 && left == 0:
		d.Verdict, d.Rule = Remediate, RuleRemediateArtifact
		d.Reason = "every artifact is remediated"
	case remediated > 0:
		d.Verdict, d.Rule = PartialRemediate, RuleCombine
		d.Reason = count(remediated, "artifact is", "artifacts are") + " remediated, " + count(left, "is", "are") + " left alone (first: evidence " +
			strconv.Itoa(firstLeft) + ", " + d.Items[firstLeft].Outcome.String() + ")"
	case left > 0:
		d.Verdict, d.Rule = DetectOnly, d.Items[firstLeft].Rule
		d.Reason = "no artifact is remediated: evidence " + strconv.Itoa(firstLeft) + " is " + d.Items[firstLeft].Outcome.String()
	case already > 0:
		d.Verdict, d.Rule = NoAction, RuleItemStopped
		d.Reason = "every artifact was already stopped"
	default:
		d.Verdict, d.Rule = DetectOnly, RuleEvidenceKind
		d.Reason = "the detection has no file or process evidence to act on"
	}
	d.Status = detect.Detected
	for _, a := range d.Actions {
		if a.Kind == StopProcess {
			d.Status = detect.Blocked
			break
		}
		d.Status = detect.Prevented
	}
	if d.Verdict == NoAction {
		d.Status = s.in.Detection.Status
	}
	if s.trace {
		s.step(RuleCombine, -1, strconv.Itoa(remediated)+" remediated, "+strconv.Itoa(left)+" left alone, "+strconv.Itoa(already)+" already stopped", d.Verdict.String())
	}
}
