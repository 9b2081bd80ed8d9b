package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/blockmode/blockmode/detect"
	"github.com/blockmode/blockmode/edr"
	"github.com/blockmode/blockmode/exclusions"
	"github.com/blockmode/blockmode/mode"
	"github.com/blockmode/blockmode/remediate"
)

const replayDescription = `
Replays detections (Graph security alerts: JSON lines, a JSON array, or a
Graph list response such as an export of /security/alerts_v2) through block
mode's decision on this device, and prints what it would have done with each:
the verdict, the status the alert would carry, the actions, the deciding
rule. Each detection is decided under block mode's state at its own time
(createdDateTime), or at --at.

What-if: --block-mode, --add-exclusion and --remove-exclusion describe
proposed settings; the replay then prints what block mode would do under
them. With --compare it prints only the detections whose outcome differs
between the current settings and the proposed ones, and why ("no longer
remediated because of exclusion ExclusionPath[3] ...").

Block mode's current state is the device's (AMRunningMode "EDR Block Mode"
is on), or the history of settings changes in --settings: a JSON array of
changes as edr.History reports them (a detection without createdDateTime
then needs --at), e.g.
  [{"at":"2024-03-01T09:00:00Z","actor":"alice@contoso.com","kind":"tenant","enabled":true},
   {"at":"2024-05-01T00:00:00Z","actor":"bob","kind":"group","group":"Servers","passiveRemediation":0}]
The documented delays apply: a change takes effect only once it reaches
the device, and a device still blocks for 30 minutes after block mode is
turned off. --block-mode on|off is a fixed state instead, and replaces the
history. Both depend on the device's eligibility, which must be known:
give --os (Get-MpComputerStatus does not report the operating system).

Exclusion entries for --add-exclusion and --remove-exclusion are path
entries, or "extension:.log" and "process:C:\app\app.exe" for the other
lists. A removed entry must be in the device's lists.

The output streams: memory stays constant however long the input. A
progress line is shown on standard error when it is a terminal. The last
line (JSON: {"type":"summary"}) is printed only when every record was read;
records that cannot be read are reported on standard error with their line
and field, output already written then ends in an "INCOMPLETE: ..." line
(JSON: {"type":"error","complete":false}), and the exit code is 2.

Exit code 1 with --compare when any detection's outcome differs.`

const replayExample = `  edrcheck replay --status status.json --prefs prefs.json --os "Windows 11" --detections alerts.jsonl
  edrcheck replay --status status.json --prefs prefs.json --os "Windows 11" --detections alerts.jsonl \
      --compare --add-exclusion 'C:\Tools\*' --block-mode on`

// listFlag collects a repeated flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ", ") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

type replayFlags struct {
	device          deviceFlags
	detections      string
	blockMode       string
	add, remove     listFlag
	settings        string
	at              string
	compare, asJSON bool
	noProgress      bool
	maxRecordBytes  int
}

func runReplay(ctx context.Context, args []string, e env) (int, error) {
	var f replayFlags
	fs := flagSet(e, "replay", "--status FILE --prefs FILE --detections FILE [what-if flags] [--compare] [--json]", replayDescription, replayExample)
	f.device.register(fs, true, true)
	fs.StringVar(&f.detections, "detections", "", "`FILE` of detections: Graph alerts as JSON lines, a JSON array or a Graph list response; - for standard input (required)")
	fs.StringVar(&f.blockMode, "block-mode", "", "proposed: block mode `on|off` for the device, as a fixed state once the setting has reached it (not with --settings)")
	fs.Var(&f.add, "add-exclusion", "proposed: add this exclusion `ENTRY` (repeatable)")
	fs.Var(&f.remove, "remove-exclusion", "proposed: remove this exclusion `ENTRY` (repeatable)")
	fs.StringVar(&f.settings, "settings", "", "`FILE` with the history of block-mode settings changes (JSON); default: the state the device reports")
	fs.StringVar(&f.at, "at", "", "decide every detection as at this `TIME` (RFC 3339, or a date 2006-01-02) instead of its own")
	fs.BoolVar(&f.compare, "compare", false, "print only the detections whose outcome differs between the current and the proposed settings")
	fs.BoolVar(&f.asJSON, "json", false, "print JSON lines instead of the table")
	fs.BoolVar(&f.noProgress, "no-progress", false, "never show the progress line")
	fs.IntVar(&f.maxRecordBytes, "max-record-bytes", detect.DefaultMaxRecordBytes, "the largest detection `N` bytes long that is read; longer ones are reported and skipped")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return 0, err
	}
	if err := noArgs(pos); err != nil {
		return 0, err
	}
	if f.detections == "" {
		return 0, usagef("--detections is required")
	}
	if err := oneStdin("status", f.device.status, "prefs", f.device.prefs, "detections", f.detections, "settings", f.settings); err != nil {
		return 0, err
	}
	r, err := newReplay(&f, e)
	if err != nil {
		return 0, err
	}
	if os.Getenv("GOGC") == "" {
		// The live heap is bounded by the batches in flight (a few tens
		// of MiB, whatever the stream's length): trade some of that
		// headroom for fewer collections. GOGC set by the user wins.
		defer debug.SetGCPercent(debug.SetGCPercent(400))
	}
	in, name, err := openInput(e, "detections", f.detections)
	if err != nil {
		return 0, err
	}
	defer in.Close()
	return r.run(ctx, in, name, e)
}

// scenario is one set of settings a detection is decided under.
type scenario struct {
	hist     *edr.History        // block mode's settings over time; nil for fixed
	fixed    remediate.BlockMode // block mode's state when hist is nil
	excl     *exclusions.Matcher
	settings remediate.Settings
	mode     mode.Mode // the device's running mode
	facts    edr.DeviceFacts
}

// blockMode returns block mode's state at t.
func (s *scenario) blockMode(t time.Time) remediate.BlockMode {
	if s.hist == nil {
		return s.fixed
	}
	return s.hist.State(s.facts, t).BlockMode()
}

// decide decides det under the scenario at t.
func (s *scenario) decide(det *detect.Detection, t time.Time) (remediate.Decision, remediate.BlockMode) {
	bm := s.blockMode(t)
	// The running mode the device would report under that state.
	m := s.mode
	switch {
	case bm.InEffect && m == mode.Passive:
		m = mode.EDRBlock
	case !bm.InEffect && m == mode.EDRBlock:
		m = mode.Passive
	}
	var ex remediate.Matcher
	if s.excl != nil {
		ex = s.excl
	}
	d := remediate.Decide(remediate.Input{Detection: det, BlockMode: bm, AntivirusMode: m, Exclusions: ex, Settings: s.settings})
	return d, bm
}

// replay is one replay run.
type replay struct {
	f         *replayFlags
	dev       *device
	cur, prop *scenario
	proposed  bool       // any what-if flag
	at        *time.Time // --at
	warnings  []string
}

// replayActor makes the changes of a settings file: they were made, so
// they were allowed.
var replayActor = edr.Actor{Name: "edrcheck", Roles: []edr.Role{edr.GlobalAdministrator, edr.IntuneAdministrator}}

func newReplay(f *replayFlags, e env) (*replay, error) {
	r := &replay{f: f}
	if f.at != "" {
		t, err := parseTime(f.at)
		if err != nil {
			return nil, usagef("--at: %v", err)
		}
		r.at = &t
	}
	if f.compare && f.blockMode == "" && len(f.add) == 0 && len(f.remove) == 0 {
		return nil, usagef("--compare needs proposed settings: --block-mode, --add-exclusion or --remove-exclusion")
	}
	if f.maxRecordBytes <= 0 {
		return nil, usagef("--max-record-bytes must be positive")
	}
	dev, err := f.device.load(e, true, true, true)
	if err != nil {
		return nil, err
	}
	r.dev = dev
	r.warnings = append(r.warnings, dev.warnings...)

	// The current settings.
	cur := &scenario{mode: dev.status.AMRunningMode, facts: dev.facts}
	if dev.prefs != nil {
		cur.settings.PUAProtection = dev.prefs.PUAProtection
	}
	var warnings []string
	cur.excl, warnings, err = dev.compile(dev.list())
	if err != nil {
		return nil, &inputError{file: f.device.prefs, err: err}
	}
	r.warnings = append(r.warnings, warnings...)
	elig := dev.rules.Eligibility(dev.facts)
	// Block mode's state from settings depends on the device's
	// eligibility: never guess it.
	needEligibility := func(flag string) error {
		if elig.Eligible != edr.Unknown {
			return nil
		}
		var unknown []string
		for _, c := range elig.Checks {
			if c.Result == edr.Unknown {
				unknown = append(unknown, string(c.ID))
			}
		}
		return usagef("%s needs the device's eligibility, which is unknown (%s); give --os, and Get-MpPreference output for cloud protection (see edrcheck status)",
			flag, strings.Join(unknown, ", "))
	}
	if f.settings != "" {
		if err := needEligibility("--settings"); err != nil {
			return nil, err
		}
		if cur.hist, err = r.loadSettings(e, f.settings); err != nil {
			return nil, err
		}
	} else {
		rep := elig
		cur.fixed = remediate.BlockMode{InEffect: rep.InEffect == edr.Pass, Reason: rep.InEffectReason, Ruleset: dev.rules.Name}
		switch rep.InEffect {
		case edr.Pass:
			cur.fixed.State = edr.StateOn.String()
		case edr.Fail:
			cur.fixed.State = edr.StateOff.String()
		default:
			cur.fixed.State = edr.StateUnknown.String()
			r.warnings = append(r.warnings, "whether block mode is in effect is not known from the device's output ("+rep.InEffectReason+"); it is counted as not in effect: give --settings or --block-mode")
		}
	}

	// The proposed settings.
	prop := *cur
	switch f.blockMode {
	case "":
	case "on", "off":
		// A fixed state, whatever the detection's time: the setting as
		// it stands once it has reached the device.
		if f.settings != "" {
			return nil, usagef("--block-mode and --settings cannot both be given: --block-mode replaces the settings history with one fixed state")
		}
		r.proposed = true
		prop.hist = nil
		prop.fixed = remediate.BlockMode{Ruleset: dev.rules.Name}
		switch {
		case f.blockMode == "off":
			prop.fixed.State, prop.fixed.Reason = edr.StateOff.String(), "turned off (proposed with --block-mode off)"
		case elig.Eligible == edr.Pass:
			prop.fixed.InEffect = true
			prop.fixed.State, prop.fixed.Reason = edr.StateOn.String(), "turned on (proposed with --block-mode on)"
		case elig.Eligible == edr.Fail:
			prop.fixed.State = edr.StateNotEligible.String()
			prop.fixed.Reason = "turned on (proposed with --block-mode on), but the device does not meet every requirement for EDR in block mode (see edrcheck status)"
			r.warnings = append(r.warnings, "--block-mode on: the device is not eligible, so block mode would not be in effect on it (see edrcheck status)")
		default:
			if err := needEligibility("--block-mode on"); err != nil {
				return nil, err
			}
		}
	default:
		return nil, usagef("--block-mode: %q is not on or off", f.blockMode)
	}
	if len(f.add) > 0 || len(f.remove) > 0 {
		r.proposed = true
		l, err := editList(dev.list(), f.add, f.remove)
		if err != nil {
			return nil, err
		}
		m, err := exclusions.Compile(l, dev.compileOptions())
		var ce *exclusions.CompileError
		if errors.As(err, &ce) {
			// A bad added entry is a mistake on the command line; a bad
			// entry of the device's own is left out, as before.
			for _, ee := range ce.Entries {
				if isAdded(ee, f.add) {
					return nil, usagef("--add-exclusion: %v", ee)
				}
			}
		} else if err != nil {
			return nil, usagef("exclusions: %v", err)
		}
		prop.excl = m
	}
	r.cur, r.prop = cur, &prop
	return r, nil
}

// parseTime reads RFC 3339, or a date (midnight UTC).
func parseTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not an RFC 3339 time (2024-05-01T09:30:00Z) or a date (2024-05-01)", s)
	}
	return t, nil
}

// change is one entry of a --settings file: edr.Change's JSON form.
type change struct {
	At                 time.Time `json:"at"`
	Actor              string    `json:"actor"`
	Kind               string    `json:"kind"`
	Enabled            bool      `json:"enabled"`
	Group              string    `json:"group"`
	PassiveRemediation *int64    `json:"passiveRemediation"`
	Version            int       `json:"version"`
}

const maxSettingsBytes = 1 << 20

func (r *replay) loadSettings(e env, path string) (*edr.History, error) {
	rc, name, err := openInput(e, "settings", path)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, maxSettingsBytes+1))
	if err != nil {
		return nil, &inputError{file: name, err: err}
	}
	if len(data) > maxSettingsBytes {
		return nil, &inputError{file: name, err: fmt.Errorf("longer than %d bytes", maxSettingsBytes)}
	}
	var changes []change
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&changes); err != nil {
		return nil, &inputError{file: name, err: jsonError(data, err)}
	}
	if dec.More() {
		return nil, &inputError{file: name, err: errors.New("data after the JSON array")}
	}
	h := edr.NewHistory(r.dev.rules)
	for i, c := range changes {
		where := fmt.Sprintf("change %d (%s)", i, c.At.Format(time.RFC3339))
		if c.At.IsZero() {
			return nil, &inputError{file: name, err: fmt.Errorf("change %d: field at: missing", i)}
		}
		a := replayActor
		if c.Actor != "" {
			a.Name = c.Actor
		}
		switch c.Kind {
		case "tenant":
			_, err = h.SetTenant(a, c.Enabled, c.At)
		case "group":
			if c.PassiveRemediation == nil {
				return nil, &inputError{file: name, err: fmt.Errorf("%s: field passiveRemediation: missing", where)}
			}
			var v edr.PassiveRemediation
			if v, err = edr.ParsePassiveRemediation(*c.PassiveRemediation); err == nil {
				_, err = h.SetGroup(a, c.Group, v, c.At)
			}
		default:
			return nil, &inputError{file: name, err: fmt.Errorf("%s: field kind: %q is not tenant or group", where, c.Kind)}
		}
		if err != nil {
			return nil, &inputError{file: name, err: fmt.Errorf("%s: %w", where, err)}
		}
	}
	return h, nil
}

// jsonError adds the line to encoding/json's errors, which give an offset.
func jsonError(data []byte, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	var off int64
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
		if te.Field != "" {
			err = fmt.Errorf("field %s: %w", te.Field, err)
		}
	default:
		return err
	}
	line := 1 + strings.Count(string(data[:min(int(off), len(data))]), "\n")
	return fmt.Errorf("line %d: %w", line, err)
}

// The exclusion lists' names in --add-exclusion and --remove-exclusion.
var listPrefixes = []struct {
	prefix string
	kind   exclusions.Kind
}{
	{"path:", exclusions.ExclusionPath},
	{"extension:", exclusions.ExclusionExtension},
	{"process:", exclusions.ExclusionProcess},
}

// splitEntry splits "extension:.log" into its list and entry; an entry
// without a known prefix is a path entry (C:\x has a colon too).
func splitEntry(s string) (exclusions.Kind, string) {
	for _, p := range listPrefixes {
		if len(s) > len(p.prefix) && strings.EqualFold(s[:len(p.prefix)], p.prefix) {
			return p.kind, s[len(p.prefix):]
		}
	}
	return exclusions.ExclusionPath, s
}

// editList returns a copy of l with the entries added and removed.
func editList(l exclusions.List, add, remove []string) (exclusions.List, error) {
	out := exclusions.List{
		Paths:      append([]string(nil), l.Paths...),
		Extensions: append([]string(nil), l.Extensions...),
		Processes:  append([]string(nil), l.Processes...),
	}
	lists := map[exclusions.Kind]*[]string{exclusions.ExclusionPath: &out.Paths, exclusions.ExclusionExtension: &out.Extensions, exclusions.ExclusionProcess: &out.Processes}
	for _, s := range remove {
		k, entry := splitEntry(s)
		list := lists[k]
		found := false
		for i, have := range *list {
			if strings.EqualFold(have, entry) {
				*list = append((*list)[:i], (*list)[i+1:]...)
				found = true
				break
			}
		}
		if !found {
			return out, usagef("--remove-exclusion: %s %q is not in the device's list", k, entry)
		}
	}
	for _, s := range add {
		k, entry := splitEntry(s)
		if strings.TrimSpace(entry) == "" {
			return out, usagef("--add-exclusion: empty entry")
		}
		*lists[k] = append(*lists[k], entry)
	}
	return out, nil
}

// isAdded reports whether the bad entry ee is one of those added.
func isAdded(ee *exclusions.EntryError, add []string) bool {
	for _, s := range add {
		if k, entry := splitEntry(s); k == ee.Kind && entry == ee.Text {
			return true
		}
	}
	return false
}

// sizeOf returns the size of a regular file, or 0.
func sizeOf(r io.Reader) int64 {
	if f, ok := r.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
			return fi.Size()
		}
	}
	return 0
}
