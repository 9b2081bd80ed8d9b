package edrtest_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blockmode/blockmode/detect"
	"github.com/blockmode/blockmode/edr"
	"github.com/blockmode/blockmode/edr/edrtest"
	"github.com/blockmode/blockmode/remediate"
)

func TestDetectionHelpers(t *testing.T) {
	det := edrtest.Detection("det-1", edrtest.Process(pid, evil), edrtest.File(`C:\x\a.dll`), edrtest.File("bare.exe"), edrtest.File("/opt/x/run.sh"))
	assert.Equal(t, "det-1", det.ID)
	assert.Equal(t, edrtest.DeviceID, det.DeviceID)
	assert.Equal(t, detect.SourceMicrosoftDefenderForEndpoint, det.Source)
	assert.Equal(t, detect.SeverityHigh, det.Severity)
	p := det.Evidence[0].(*detect.ProcessEvidence)
	assert.Equal(t, int64(pid), p.ProcessID)
	assert.Equal(t, `C:\Users\alex\Downloads`, p.Image.Path)
	assert.Equal(t, "invoice.exe", p.Image.Name)
	assert.Equal(t, evil, p.Image.FullPath())
	assert.Equal(t, `C:\x\a.dll`, det.Evidence[1].(*detect.FileEvidence).File.FullPath())
	assert.Equal(t, "bare.exe", det.Evidence[2].(*detect.FileEvidence).File.FullPath())
	assert.Equal(t, "/opt/x/run.sh", det.Evidence[3].(*detect.FileEvidence).File.FullPath())

	d := remediate.Decide(remediate.Input{Detection: det, BlockMode: remediate.BlockMode{InEffect: true}, AntivirusMode: edrtest.EligibleDevice().Mode})
	assert.Equal(t, remediate.Remediate, d.Verdict, d.Reason)
	assert.Len(t, d.Actions, 5, "one stop and four quarantines")
}

func TestEligibleDeviceWithBlockModeOn(t *testing.T) {
	r := edr.Eligibility(edrtest.EligibleDevice())
	assert.Equal(t, edr.Pass, r.Eligible)

	clock := edrtest.NewClock(time.Date(2027, 3, 4, 5, 6, 7, 0, time.UTC))
	h := edrtest.BlockModeOn(clock)
	st := h.State(edrtest.EligibleDevice(), clock.Now())
	assert.Equal(t, edr.StateOn, st.State)
	require.Len(t, h.Changes(), 1)
	assert.Equal(t, clock.Now().Add(-time.Hour), h.Changes()[0].At)
	assert.Equal(t, edrtest.Admin.Name, h.Changes()[0].Actor)
	assert.Equal(t, edr.StateTurningOn, h.State(edrtest.EligibleDevice(), clock.Now().Add(-59*time.Minute)).State)
	assert.Equal(t, edrtest.Epoch.Add(-time.Hour), edrtest.BlockModeOn(nil).Changes()[0].At)
}

func TestConfigIsReadyToUse(t *testing.T) {
	cfg := edrtest.Config(nil, nil)
	assert.NotNil(t, cfg.Clock)
	assert.Equal(t, edr.Hooks{}, cfg.Hooks)
	eng, err := edr.New(cfg)
	require.NoError(t, err)
	rec, err := eng.Handle(context.Background(), edrtest.Detection("det-1", edrtest.File(evil)))
	require.NoError(t, err)
	assert.Equal(t, edr.Failed, rec.Status, "no hooks: not supported")
	require.NoError(t, eng.Close(context.Background()))
}

// A crash between two actions leaves the record in progress; a new
// engine on the same history resumes it and runs only the action that
// has no result: the process stopped before the crash is not stopped
// again.
func TestEngineResumesAfterACrash(t *testing.T) {
	first := newHarness(t, nil)
	done := first.handle(t, "det-1", edrtest.Process(pid, evil))
	require.Equal(t, edr.Blocked, done.Status)

	// The record as it stood after the stop, before the quarantine.
	crashed := done.Clone()
	crashed.Status, crashed.Finished = edr.InProgress, time.Time{}
	crashed.Actions[1] = edr.ActionRecord{Action: crashed.Actions[1].Action}
	store := new(edr.MemStore)
	require.NoError(t, store.Put(context.Background(), crashed))

	second := newHarness(t, func(c *edr.Config, _ *edrtest.Host) { c.Store = store })
	rec, err := store.Get(context.Background(), "det-1")
	require.NoError(t, err)
	edrtest.CheckRecord(t, rec, edrtest.Want{Status: edr.Blocked, Actions: []edr.ActionResult{edr.Succeeded, edr.Succeeded}, Note: "resumed"})
	calls := second.host.Calls()
	require.Len(t, calls, 2)
	assert.Equal(t, edrtest.Quarantine, calls[0].Hook, "only the action without a result runs")
	assert.Equal(t, edrtest.Notify, calls[1].Hook)
}
