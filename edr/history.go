package edr

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/blockmode/blockmode/internal/enum"
	"github.com/blockmode/blockmode/mode"
	"github.com/blockmode/blockmode/remediate"
)

// ChangeKind says what a settings change changed.
type ChangeKind uint8

// The kinds of change.
const (
	// TenantSwitch is the tenant-wide switch in the portal (Settings >
	// Endpoints > General > Advanced features > Enable EDR in block mode).
	TenantSwitch ChangeKind = iota + 1
	// GroupSetting is the Defender CSP setting
	// Configuration/PassiveRemediation deployed to a device group.
	GroupSetting
)

// String returns "tenant" or "group".
func (k ChangeKind) String() string {
	switch k {
	case TenantSwitch:
		return "tenant"
	case GroupSetting:
		return "group"
	}
	return fmt.Sprintf("ChangeKind(%d)", uint8(k))
}

// MarshalText implements [encoding.TextMarshaler].
func (k ChangeKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// Change is one recorded settings change: who changed what, and when.
type Change struct {
	// Version is the settings version this change created, counting from
	// 1.
	Version int `json:"version"`
	// At is when the change was made.
	At time.Time `json:"at"`
	// Actor is who made it.
	Actor string `json:"actor"`
	// Kind says what was changed.
	Kind ChangeKind `json:"kind"`
	// Enabled is the tenant switch's new position (TenantSwitch).
	Enabled bool `json:"enabled,omitempty"`
	// Group is the device group (GroupSetting).
	Group string `json:"group,omitempty"`
	// PassiveRemediation is the group's new CSP value (GroupSetting).
	PassiveRemediation PassiveRemediation `json:"passiveRemediation,omitempty"`
}

// String returns the one-line form, "v3 2024-11-14T07:42:18Z alice: tenant on".
func (c Change) String() string {
	what := "tenant off"
	switch {
	case c.Kind == GroupSetting:
		what = "group " + c.Group + " PassiveRemediation " + c.PassiveRemediation.String()
	case c.Enabled:
		what = "tenant on"
	}
	return fmt.Sprintf("v%d %s %s: %s", c.Version, c.At.UTC().Format(time.RFC3339), c.Actor, what)
}

// History is the record of EDR in block mode settings for a tenant: the
// tenant-wide switch and the per-group CSP values, as changes over time,
// under one ruleset. It answers the settings in force, and the effective
// state of a device, at any instant, past or present, so that an old
// detection can be replayed under the settings of its day.
//
// The zero History is ready to use: block mode off everywhere, under the
// current ruleset. A History is safe for concurrent use.
type History struct {
	mu      sync.RWMutex
	rules   *Ruleset
	changes []Change
	n       atomic.Int64 // len(changes), read without mu
}

// NewHistory returns an empty history under the given ruleset; nil means
// [Current].
func NewHistory(rs *Ruleset) *History { return &History{rules: rs} }

// Ruleset returns the ruleset the history follows.
func (h *History) Ruleset() *Ruleset {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return h.ruleset()
}

func (h *History) ruleset() *Ruleset {
	if h.rules == nil {
		h.rules = Current()
	}
	return h.rules
}

// SetTenant records turning block mode on or off tenant-wide. The actor
// needs the Global Administrator or Security Administrator role: otherwise
// the error is a [*PermissionError] and nothing changes. A change dated
// before the last recorded one is an error wrapping [ErrOutOfOrder].
func (h *History) SetTenant(actor Actor, enabled bool, at time.Time) (Change, error) {
	if !actor.HasAny(tenantRoles...) {
		action := "turn EDR in block mode off tenant-wide"
		if enabled {
			action = "turn EDR in block mode on tenant-wide"
		}
		return Change{}, &PermissionError{Actor: actor.Name, Action: action, Required: TenantRoles()}
	}
	return h.record(Change{At: at, Actor: actor.Name, Kind: TenantSwitch, Enabled: enabled})
}

// SetGroup records the PassiveRemediation value deployed to a device group
// through the Defender CSP. Deployment rights belong to the device
// management service, so the actor is recorded, not checked. The ruleset
// decides whether group targeting exists at all (not in the July 2021
// revision) and from which platform a device honours it; that is applied
// when the state is asked for, so the change is always recorded.
func (h *History) SetGroup(actor Actor, group string, v PassiveRemediation, at time.Time) (Change, error) {
	if group == "" {
		return Change{}, fmt.Errorf("%w: a group setting needs a group name", ErrInvalidSetting)
	}
	if _, err := ParsePassiveRemediation(int64(v)); err != nil {
		return Change{}, err
	}
	return h.record(Change{At: at, Actor: actor.Name, Kind: GroupSetting, Group: group, PassiveRemediation: v})
}

func (h *History) record(c Change) (Change, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if n := len(h.changes); n > 0 && c.At.Before(h.changes[n-1].At) {
		return Change{}, fmt.Errorf("%w: %s is before %s", ErrOutOfOrder, c.At.Format(time.RFC3339), h.changes[n-1].At.Format(time.RFC3339))
	}
	c.Version = len(h.changes) + 1
	h.changes = append(h.changes, c)
	h.n.Store(int64(len(h.changes)))
	return c, nil
}

// Changes returns the recorded changes, oldest first.
func (h *History) Changes() []Change {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return append([]Change(nil), h.changes...)
}

// Version returns the settings version in force at an instant: the number
// of changes made at or before it (0 before the first).
func (h *History) Version(at time.Time) int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return h.versionAt(at)
}

func (h *History) versionAt(at time.Time) int {
	n := 0
	for _, c := range h.changes {
		if c.At.After(at) {
			break
		}
		n = c.Version
	}
	return n
}

// State is the effective state of EDR in block mode on a device.
type State uint8

// The states.
const (
	// StateUnknown: a fact needed to tell is not known (the device's
	// eligibility, or its platform version for a group setting).
	StateUnknown State = iota
	// StateOff: block mode is off for the device.
	StateOff
	// StateTurningOn: turned on, but the change may not have reached the
	// device yet; not counted on.
	StateTurningOn
	// StateOn: block mode is in effect.
	StateOn
	// StateTurningOff: turned off, but the change has not reached the
	// device yet: it still blocks.
	StateTurningOff
	// StateNotEligible: the device does not meet a requirement.
	StateNotEligible
)

var stateNames = [...]string{"unknown", "off", "turning on", "on", "turning off", "not eligible"}

// String returns the state's name, "turning off".
func (s State) String() string {
	return enum.Name(s, "State", stateNames[:])
}

// MarshalText implements [encoding.TextMarshaler].
func (s State) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// InEffect reports whether a device in this state blocks: on, or turning
// off (until the change reaches it).
func (s State) InEffect() bool { return s == StateOn || s == StateTurningOff }

// EffectiveState is the state of block mode on one device at one instant,
// with why.
type EffectiveState struct {
	// At is the instant asked about.
	At time.Time `json:"at"`
	// State is the effective state.
	State State `json:"state"`
	// InEffect is State.InEffect(): whether the device blocks.
	InEffect bool `json:"inEffect"`
	// Reason explains the state in one sentence.
	Reason string `json:"reason"`
	// Source says which setting decides: "tenant", "group NAME", or empty.
	Source string `json:"source,omitempty"`
	// Since is when the setting behind the state last changed.
	Since time.Time `json:"since,omitzero"`
	// Until is when a turning-on or turning-off state completes.
	Until time.Time `json:"until,omitzero"`
	// Ruleset is the ruleset applied.
	Ruleset string `json:"ruleset"`
	// SettingsVersion is the settings version in force at At.
	SettingsVersion int `json:"settingsVersion"`
	// Notes hold settings that had no effect on the device, and why.
	Notes []string `json:"notes,omitempty"`
}

// desire is whether the settings ask for block mode on a device.
type desire struct {
	on      mode.Bool // Unset when it depends on an unknown fact
	source  string
	note    string
	unknown string // why on is Unset
}

// desired returns what the settings in force just after change i (or
// before any change, for i < 0) ask for the device.
func (h *History) desired(upto int, f DeviceFacts, rs *Ruleset) desire {
	tenant := false
	var group PassiveRemediation
	for _, c := range h.changes[:upto] {
		switch c.Kind {
		case TenantSwitch:
			tenant = c.Enabled
		case GroupSetting:
			if c.Group == f.Group {
				group = c.PassiveRemediation
			}
		}
	}
	// Precedence: the tenant-wide switch turns block mode on for every
	// device; a group's PassiveRemediation value turns it on for the
	// group's devices where the ruleset allows group targeting and the
	// device's platform honours it. A group value of 0x0, the CSP default,
	// does not turn off what the tenant switch turned on.
	if tenant {
		return desire{on: mode.True, source: "tenant"}
	}
	d := desire{on: mode.False}
	if f.Group == "" || !group.BlockMode() {
		return d
	}
	src := "group " + f.Group
	switch {
	case !rs.GroupTargeting:
		d.note = fmt.Sprintf("%s sets PassiveRemediation %s, but ruleset %s has no group targeting (tenant-wide only): no effect", src, group, rs.Name)
	case f.PlatformVersion.IsZero():
		d.on, d.source = mode.Unset, src
		d.unknown = fmt.Sprintf("%s sets PassiveRemediation %s, which needs platform %s or later, and the platform version is not known", src, group, rs.GroupTargetingMinPlatform)
	case !f.PlatformVersion.AtLeast(rs.GroupTargetingMinPlatform):
		d.note = fmt.Sprintf("%s sets PassiveRemediation %s, but platform %s is older than %s: no effect", src, group, f.PlatformVersion, rs.GroupTargetingMinPlatform)
	default:
		d.on, d.source = mode.True, src
	}
	return d
}

// State returns the effective state of block mode on a device at an
// instant, from the settings in force, the propagation delays of the
// ruleset, and the device's eligibility. It reads no clock: the caller
// passes the instant (from its injected clock).
//
// Turning block mode off takes up to the ruleset's TurnOffDelay (30
// minutes) to reach a device, and until then the device still blocks:
// with the default delay, a detection 29 minutes after turning off is in
// effect, 30 minutes or more after it is not. Turning on is counted only
// after TurnOnDelay. A change that reverses a pending one before it
// reached the device cancels it.
func (h *History) State(f DeviceFacts, at time.Time) EffectiveState {
	es, _, _ := h.state(f, at, nil)
	return es
}

// state is State with the device's eligibility already known (elig not
// nil): the engine, whose device facts do not change, checks them once.
// It also returns until, the instant from which the state may differ
// (zero: never, as far as the changes recorded go), and how many changes
// it was worked out from: with no change recorded since, the state holds
// from at until then.
func (h *History) state(f DeviceFacts, at time.Time, elig *Result) (es EffectiveState, until time.Time, changes int64) {
	h.mu.Lock() // ruleset() may set the default
	defer h.mu.Unlock()
	rs := h.ruleset()
	es = EffectiveState{At: at, Ruleset: rs.Name, SettingsVersion: h.versionAt(at)}
	changes = int64(len(h.changes))
	if es.SettingsVersion < len(h.changes) {
		until = h.changes[es.SettingsVersion].At // the next change
	}

	eligible := Unknown
	if elig != nil {
		eligible = *elig
	} else {
		eligible = rs.Eligibility(f).Eligible
	}
	switch eligible {
	case Fail:
		es.State, es.Reason = StateNotEligible, "the device does not meet every requirement for EDR in block mode"
		return es, until, changes
	case Unknown:
		es.State, es.Reason = StateUnknown, "the device's eligibility is not known"
		return es, until, changes
	}

	// Walk the changes up to the instant, tracking what is in effect on
	// the device and any change still on its way.
	inEffect := false
	var pending *time.Time // when the pending change lands
	var since time.Time
	cur := h.desired(0, f, rs)
	for i := 0; i < len(h.changes) && !h.changes[i].At.After(at); i++ {
		c := h.changes[i]
		if pending != nil && !pending.After(c.At) {
			inEffect, pending = !inEffect, nil
		}
		next := h.desired(i+1, f, rs)
		if next.on == mode.Unset {
			es.State, es.Reason, es.Source = StateUnknown, next.unknown, next.source
			return es, until, changes
		}
		want := next.on == mode.True
		if want != (cur.on == mode.True) {
			since = c.At
		}
		cur = next
		switch {
		case want == inEffect:
			pending = nil // a reversal before the change landed cancels it
		case pending == nil:
			delay := rs.TurnOffDelay
			if want {
				delay = rs.TurnOnDelay
			}
			due := c.At.Add(delay)
			pending = &due
		}
	}
	if pending != nil && !pending.After(at) {
		inEffect, pending = !inEffect, nil
	}
	es.Source, es.Since = cur.source, since
	if cur.note != "" {
		es.Notes = append(es.Notes, cur.note)
	}
	switch {
	case pending != nil && inEffect:
		es.State, es.Until = StateTurningOff, *pending
		es.Reason = fmt.Sprintf("turned off at %s; the change takes up to %s to reach the device, which still blocks until %s",
			since.UTC().Format(time.RFC3339), rs.TurnOffDelay, pending.UTC().Format(time.RFC3339))
	case pending != nil:
		es.State, es.Until = StateTurningOn, *pending
		es.Reason = fmt.Sprintf("turned on at %s; not counted on until %s, when the change has reached the device",
			since.UTC().Format(time.RFC3339), pending.UTC().Format(time.RFC3339))
	case inEffect:
		es.State, es.Reason = StateOn, "turned on ("+cur.source+")"
	default:
		es.State, es.Reason = StateOff, "block mode is not turned on for this device"
		if es.SettingsVersion == 0 {
			es.Reason = "block mode has never been turned on"
		}
	}
	es.InEffect = es.State.InEffect()
	if pending != nil && (until.IsZero() || pending.Before(until)) {
		until = *pending
	}
	return es, until, changes
}

// BlockMode returns the state as remediate.Decide takes it.
func (s EffectiveState) BlockMode() remediate.BlockMode {
	return remediate.BlockMode{InEffect: s.InEffect, State: s.State.String(), Reason: s.Reason, Ruleset: s.Ruleset, SettingsVersion: s.SettingsVersion}
}
