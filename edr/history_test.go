package edr

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blockmode/blockmode/mode"
)

var (
	t0    = time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC)
	admin = Actor{Name: "alice@contoso.com", Roles: []Role{SecurityAdministrator}}
)

func at(d time.Duration) time.Time { return t0.Add(d) }

func TestSetTenantNeedsARole(t *testing.T) {
	for _, actor := range []Actor{
		{Name: "reader", Roles: []Role{SecurityReader}},
		{Name: "operator", Roles: []Role{SecurityOperator, IntuneAdministrator}},
		{Name: "nobody"},
	} {
		t.Run(actor.Name, func(t *testing.T) {
			var h History
			_, err := h.SetTenant(actor, true, at(0))
			require.ErrorIs(t, err, ErrPermission)
			var pe *PermissionError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, actor.Name, pe.Actor)
			assert.Equal(t, []Role{GlobalAdministrator, SecurityAdministrator}, pe.Required)
			assert.Contains(t, err.Error(), "Global Administrator or Security Administrator")
			assert.Empty(t, h.Changes(), "nothing changes")
			assert.Equal(t, 0, h.Version(at(time.Hour)))
		})
	}
	for _, role := range []Role{GlobalAdministrator, SecurityAdministrator} {
		var h History
		c, err := h.SetTenant(Actor{Name: "x", Roles: []Role{SecurityReader, role}}, true, at(0))
		require.NoError(t, err, role.String())
		assert.Equal(t, 1, c.Version)
	}
}

func TestChangesAreRecordedInOrder(t *testing.T) {
	var h History
	_, err := h.SetTenant(admin, true, at(time.Hour))
	require.NoError(t, err)
	_, err = h.SetTenant(admin, false, at(time.Minute))
	require.ErrorIs(t, err, ErrOutOfOrder)
	_, err = h.SetGroup(admin, "servers", SenseAutoRemediation, at(2*time.Hour))
	require.NoError(t, err)
	_, err = h.SetGroup(admin, "", SenseAutoRemediation, at(3*time.Hour))
	require.ErrorIs(t, err, ErrInvalidSetting)
	_, err = h.SetGroup(admin, "servers", PassiveRemediation(0x8), at(3*time.Hour))
	require.ErrorIs(t, err, ErrInvalidSetting)

	cs := h.Changes()
	require.Len(t, cs, 2)
	assert.Equal(t, "v1 2026-11-29T10:00:00Z alice@contoso.com: tenant on", cs[0].String())
	assert.Equal(t, "v2 2026-11-29T11:00:00Z alice@contoso.com: group servers PassiveRemediation 0x1 (SENSE_AUTO_REMEDIATION)", cs[1].String())
	assert.Equal(t, 0, h.Version(at(59*time.Minute)))
	assert.Equal(t, 1, h.Version(at(time.Hour)))
	assert.Equal(t, 2, h.Version(at(5*time.Hour)))
}

// TestTurnOffWindow: turning block mode off takes up to 30 minutes to reach
// a device, and until then the device still blocks.
func TestTurnOffWindow(t *testing.T) {
	var h History
	_, err := h.SetTenant(admin, true, at(0))
	require.NoError(t, err)
	off := at(2 * time.Hour)
	_, err = h.SetTenant(admin, false, off)
	require.NoError(t, err)
	f := eligible()
	cases := []struct {
		after    time.Duration
		want     State
		inEffect bool
	}{
		{-time.Nanosecond, StateOn, true},
		{0, StateTurningOff, true},
		{29 * time.Minute, StateTurningOff, true},
		{29*time.Minute + 59*time.Second, StateTurningOff, true},
		{30 * time.Minute, StateOff, false},
		{31 * time.Minute, StateOff, false},
	}
	for _, tc := range cases {
		t.Run(tc.after.String(), func(t *testing.T) {
			st := h.State(f, off.Add(tc.after))
			assert.Equal(t, tc.want, st.State, st.Reason)
			assert.Equal(t, tc.inEffect, st.InEffect)
			if tc.want == StateTurningOff {
				assert.Equal(t, off.Add(30*time.Minute), st.Until)
				assert.Equal(t, off, st.Since)
			}
		})
	}
}

func TestTurnOnWindowAndReversal(t *testing.T) {
	var h History
	f := eligible()
	assert.Equal(t, StateOff, h.State(f, at(0)).State)
	assert.Equal(t, "block mode has never been turned on", h.State(f, at(0)).Reason)

	_, err := h.SetTenant(admin, true, at(0))
	require.NoError(t, err)
	st := h.State(f, at(10*time.Minute))
	assert.Equal(t, StateTurningOn, st.State)
	assert.False(t, st.InEffect, "not counted on before it reaches the device")
	assert.Equal(t, StateOn, h.State(f, at(30*time.Minute)).State)

	// Off, then on again 10 minutes later: the turn-off never landed, so
	// the device blocked throughout.
	_, err = h.SetTenant(admin, false, at(time.Hour))
	require.NoError(t, err)
	_, err = h.SetTenant(admin, true, at(70*time.Minute))
	require.NoError(t, err)
	for _, d := range []time.Duration{65 * time.Minute, 75 * time.Minute, 95 * time.Minute, 5 * time.Hour} {
		st := h.State(f, at(d))
		assert.True(t, st.InEffect, "%v: %v", d, st)
	}
	assert.Equal(t, StateTurningOff, h.State(f, at(65*time.Minute)).State)
	assert.Equal(t, StateOn, h.State(f, at(75*time.Minute)).State)

	// The state at a past instant is still answered after later changes.
	assert.Equal(t, StateTurningOn, h.State(f, at(10*time.Minute)).State)
}

func TestGroupTargeting(t *testing.T) {
	var h History
	_, err := h.SetGroup(Actor{Name: "intune"}, "finance", SenseAutoRemediation, at(0))
	require.NoError(t, err)
	later := at(time.Hour)

	member := eligible()
	member.Group = "finance"
	assert.Equal(t, StateOn, h.State(member, later).State, "platform 4.18.24090 honours the group setting")
	assert.Equal(t, "group finance", h.State(member, later).Source)

	other := eligible()
	other.Group = "sales"
	assert.Equal(t, StateOff, h.State(other, later).State, "another group's setting does not apply")

	old := member
	old.PlatformVersion = mode.MustParseVersion("4.18.2201.10") // eligible, but older than 4.18.2202
	st := h.State(old, later)
	assert.Equal(t, StateOff, st.State)
	require.Len(t, st.Notes, 1)
	assert.Contains(t, st.Notes[0], "older than 4.18.2202.0: no effect")

	exact := member
	exact.PlatformVersion = mode.MustParseVersion("4.18.2202.0")
	assert.Equal(t, StateOn, h.State(exact, later).State)

	unknown := member
	unknown.PlatformVersion = mode.Version{}
	// Eligibility is unknown without a platform version, so the state is too.
	assert.Equal(t, StateUnknown, h.State(unknown, later).State)

	// RTP flags alone do not turn block mode on.
	_, err = h.SetGroup(Actor{Name: "intune"}, "finance", RTPAudit|RTPRemediation, at(2*time.Hour))
	require.NoError(t, err)
	assert.Equal(t, StateTurningOff, h.State(member, at(2*time.Hour+time.Minute)).State)

	// The July 2021 ruleset had no group targeting.
	h21 := NewHistory(July2021())
	_, err = h21.SetGroup(Actor{Name: "intune"}, "finance", SenseAutoRemediation, at(0))
	require.NoError(t, err)
	win10 := member
	win10.OS = mode.Windows10
	st = h21.State(win10, later)
	assert.Equal(t, StateOff, st.State)
	require.Len(t, st.Notes, 1)
	assert.Contains(t, st.Notes[0], "tenant-wide only")
}

// TestPrecedence: the tenant switch turns block mode on for every device;
// a group value of 0x0 (the CSP default) does not turn it off.
func TestPrecedence(t *testing.T) {
	var h History
	_, err := h.SetGroup(Actor{Name: "intune"}, "finance", PassiveRemediationOff, at(0))
	require.NoError(t, err)
	_, err = h.SetTenant(admin, true, at(time.Minute))
	require.NoError(t, err)
	f := eligible()
	f.Group = "finance"
	st := h.State(f, at(time.Hour))
	assert.Equal(t, StateOn, st.State)
	assert.Equal(t, "tenant", st.Source)

	// Tenant off, group on: on through the group, with no gap.
	_, err = h.SetGroup(Actor{Name: "intune"}, "finance", SenseAutoRemediation, at(2*time.Hour))
	require.NoError(t, err)
	_, err = h.SetTenant(admin, false, at(3*time.Hour))
	require.NoError(t, err)
	st = h.State(f, at(3*time.Hour+time.Minute))
	assert.Equal(t, StateOn, st.State)
	assert.Equal(t, "group finance", st.Source)
}

func TestNotEligibleDeviceNeverInEffect(t *testing.T) {
	var h History
	_, err := h.SetTenant(admin, true, at(0))
	require.NoError(t, err)
	f := eligible()
	f.CloudProtection = mode.False
	st := h.State(f, at(time.Hour))
	assert.Equal(t, StateNotEligible, st.State)
	assert.False(t, st.InEffect)
	f.CloudProtection = mode.Unset
	assert.Equal(t, StateUnknown, h.State(f, at(time.Hour)).State)
}

func TestAssess(t *testing.T) {
	var h History
	f := eligible()
	f.Mode = mode.Active // "Normal" does not tell whether block mode is on
	r := h.Assess(f, at(0))
	assert.Equal(t, Fail, r.InEffect)
	require.NotNil(t, r.State)
	assert.Equal(t, StateOff, r.State.State)
	require.NotEmpty(t, r.Recommendations)
	assert.Equal(t, RecTurnOn, r.Recommendations[0].ID)

	_, err := h.SetTenant(admin, true, at(time.Minute))
	require.NoError(t, err)
	r = h.Assess(f, at(time.Hour))
	assert.Equal(t, Pass, r.InEffect)
	assert.Empty(t, r.Recommendations)

	// The device's own report wins, and the disagreement is explained.
	f.Mode = mode.Passive
	r = h.Assess(f, at(time.Hour))
	assert.Equal(t, Fail, r.InEffect)
	assert.Contains(t, r.InEffectReason, "the settings history says on")
}

func TestHistoryConcurrentUse(t *testing.T) {
	var h History
	f := eligible()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			_, _ = h.SetTenant(admin, i%2 == 0, at(time.Duration(i)*time.Hour))
		}()
		go func() {
			defer wg.Done()
			_ = h.State(f, at(time.Duration(i)*time.Hour))
		}()
	}
	wg.Wait()
	assert.LessOrEqual(t, len(h.Changes()), 8)
}

func TestPassiveRemediationValues(t *testing.T) {
	for v, want := range map[int64]string{
		0: "0x0 (off)", 1: "0x1 (SENSE_AUTO_REMEDIATION)", 2: "0x2 (RTP_AUDIT)", 4: "0x4 (RTP_REMEDIATION)",
		5: "0x5 (SENSE_AUTO_REMEDIATION|RTP_REMEDIATION)", 7: "0x7 (SENSE_AUTO_REMEDIATION|RTP_AUDIT|RTP_REMEDIATION)",
	} {
		p, err := ParsePassiveRemediation(v)
		require.NoError(t, err)
		assert.Equal(t, want, p.String())
		assert.Equal(t, v&1 == 1, p.BlockMode())
	}
	for _, v := range []int64{-1, 8, 9, 0x10, 1 << 40} {
		_, err := ParsePassiveRemediation(v)
		assert.ErrorIs(t, err, ErrInvalidSetting, v)
	}
	assert.Equal(t, "0x9 (SENSE_AUTO_REMEDIATION|undefined 0x8)", PassiveRemediation(9).String())
}

func TestEffectiveStateToDecisionInput(t *testing.T) {
	var h History
	_, err := h.SetTenant(admin, true, at(0))
	require.NoError(t, err)
	_, err = h.SetTenant(admin, false, at(time.Hour))
	require.NoError(t, err)
	bm := h.State(eligible(), at(time.Hour+29*time.Minute)).BlockMode()
	assert.True(t, bm.InEffect)
	assert.Equal(t, "turning off", bm.State)
	assert.Equal(t, Rev2025, bm.Ruleset)
	assert.Equal(t, 2, bm.SettingsVersion)
	assert.False(t, h.State(eligible(), at(time.Hour+31*time.Minute)).BlockMode().InEffect)
}
