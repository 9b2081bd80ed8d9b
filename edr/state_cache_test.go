package edr

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestEngineBlockModeFollowsTheHistory checks the engine's reuse of block
// mode's state against the history itself: at every step of random
// histories (changes recorded while the engine runs, a clock that moves
// forward by seconds or hours, or back), the state the engine decides
// under is the one History.State gives for that instant.
func TestEngineBlockModeFollowsTheHistory(t *testing.T) {
	for seed := range uint64(200) {
		r := rand.New(rand.NewPCG(seed, 7))
		hist := new(History)
		device := eligible()
		device.Group = "servers"
		device.PlatformVersion = Current().GroupTargetingMinPlatform
		e, err := New(Config{Settings: hist, Device: device})
		require.NoError(t, err)
		now := at(0)
		last := now // the last change's time: changes are recorded in order
		for step := range 60 {
			switch r.IntN(6) {
			case 0:
				last = last.Add(time.Duration(r.IntN(90)) * time.Minute)
				_, err = hist.SetTenant(admin, r.IntN(2) == 0, last)
				require.NoError(t, err)
			case 1:
				last = last.Add(time.Duration(r.IntN(90)) * time.Minute)
				_, err = hist.SetGroup(admin, "servers", PassiveRemediation(r.IntN(8)), last)
				require.NoError(t, err)
			case 2:
				now = now.Add(-time.Duration(r.IntN(60)) * time.Minute)
			case 3:
				now = now.Add(time.Duration(r.IntN(60)) * time.Minute)
			default:
				now = now.Add(time.Duration(r.IntN(120)) * time.Second)
			}
			want := hist.State(device, now).BlockMode()
			require.Equal(t, want, e.blockMode(now), "seed %d step %d at %s", seed, step, now)
		}
		require.NoError(t, e.Close(t.Context()))
	}
}

// TestEngineBlockModeTurningOff is the case above spelled out: turning
// block mode off while the engine runs; a detection handled before the
// change reaches the device is still remediated, one after it is not,
// with no other change recorded in between.
func TestEngineBlockModeTurningOff(t *testing.T) {
	hist := new(History)
	_, err := hist.SetTenant(admin, true, at(0))
	require.NoError(t, err)
	clock := &fixedClock{t: at(3 * time.Hour)}
	e, err := New(Config{Settings: hist, Device: eligible(), Clock: clock, Hooks: Hooks{StopProcess: noopHost{}, Quarantine: noopHost{}}})
	require.NoError(t, err)
	defer e.Close(t.Context())

	handle := func(id string, when time.Time) Record {
		t.Helper()
		clock.mu.Lock()
		clock.t = when
		clock.mu.Unlock()
		rec, err := e.Handle(t.Context(), edrDetection(id))
		require.NoError(t, err)
		return rec
	}
	require.Equal(t, Blocked, handle("on", at(3*time.Hour)).Status)
	_, err = hist.SetTenant(admin, false, at(3*time.Hour))
	require.NoError(t, err)
	off := Current().TurnOffDelay
	rec := handle("turning-off", at(3*time.Hour+off-time.Minute))
	require.Equal(t, Blocked, rec.Status, "the change has not reached the device yet")
	rec = handle("off", at(3*time.Hour+off))
	require.Equal(t, Detected, rec.Status, "the change has reached the device: %s", rec.Decision.Reason)
	rec = handle("clock-back", at(3*time.Hour+off-time.Minute))
	require.Equal(t, Blocked, rec.Status, "a clock set back gets the state of its own instant")
}
