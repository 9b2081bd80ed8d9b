package edr

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blockmode/blockmode/detect"
	"github.com/blockmode/blockmode/mode"
	"github.com/blockmode/blockmode/remediate"
)

func TestAssessServer(t *testing.T) {
	cases := []struct {
		name      string
		server    Server
		supported Result
		mode      mode.Mode
		time      time.Duration
		osCheck   Result
	}{
		{"server 2022 on an Azure VM: active", Server{OS: mode.WindowsServer2022, Host: AzureVM, Plan: Plan1}, Pass, mode.Active, 12 * time.Hour, Pass},
		{"server 2025 through Arc, new machine: about an hour", Server{OS: mode.WindowsServer2025, Host: ArcMachine, Plan: Plan2, NewMachine: true}, Pass, mode.Active, time.Hour, Pass},
		{"server 2019: active", Server{OS: mode.WindowsServer2019, Host: ArcMachine, Plan: Plan2}, Pass, mode.Active, 12 * time.Hour, Pass},
		{"server 2016 with the unified opt-in: unified agent, active", Server{OS: mode.WindowsServer2016, Host: AzureVM, Plan: Plan2, UnifiedSolution: mode.True}, Pass, mode.Active, 12 * time.Hour, Pass},
		{"server 2016 without the opt-in: legacy sensor, not eligible", Server{OS: mode.WindowsServer2016, Host: AzureVM, Plan: Plan2, UnifiedSolution: mode.False}, Pass, mode.Active, 12 * time.Hour, Fail},
		{"server 2012 R2 with the opt-in: active", Server{OS: mode.WindowsServer2012R2, Host: ArcMachine, Plan: Plan1, UnifiedSolution: mode.True}, Pass, mode.Active, 12 * time.Hour, Pass},
		{"server 2012 R2 without the opt-in: no antivirus", Server{OS: mode.WindowsServer2012R2, Host: ArcMachine, Plan: Plan1, UnifiedSolution: mode.False}, Pass, mode.NotRunning, 12 * time.Hour, Fail},
		{"server 2012 R2, opt-in not given", Server{OS: mode.WindowsServer2012R2, Host: ArcMachine, Plan: Plan1}, Unknown, mode.Unknown, 12 * time.Hour, Unknown},
		{"server 2008 R2 SP1: legacy sensor, no antivirus", Server{OS: mode.WindowsServer2008R2, Host: AzureVM, Plan: Plan1}, Pass, mode.NotRunning, 12 * time.Hour, Fail},
		{"linux: passive, not eligible", Server{OS: mode.Linux, Host: AzureVM, Plan: Plan1}, Pass, mode.Passive, 12 * time.Hour, Fail},
		{"windows 11 is not a server the integration supports", Server{OS: mode.Windows11, Host: AzureVM, Plan: Plan1}, Fail, mode.Unknown, 0, Pass},
		{"no plan", Server{OS: mode.WindowsServer2022, Host: AzureVM, Plan: NoPlan}, Fail, mode.Unknown, 0, Pass},
		{"plan not given", Server{OS: mode.WindowsServer2022, Host: AzureVM}, Unknown, mode.Unknown, 0, Pass},
		{"a machine outside Azure and Arc", Server{OS: mode.WindowsServer2022, Host: OtherHost, Plan: Plan2}, Fail, mode.Unknown, 0, Pass},
		{"host not given", Server{OS: mode.WindowsServer2022, Plan: Plan2}, Unknown, mode.Unknown, 0, Pass},
		{"os not given", Server{Host: AzureVM, Plan: Plan2}, Unknown, mode.Unknown, 0, Unknown},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := AssessServer(tc.server)
			assert.Equal(t, tc.supported, a.Supported, a.Path)
			assert.Equal(t, tc.mode, a.ExpectedMode, a.ModeReason)
			assert.Equal(t, tc.time, a.OnboardingTime)
			assert.NotEmpty(t, a.Path)
			assert.NotEmpty(t, a.ModeReason)
			c, _ := a.Eligibility.Check(ReqOS)
			assert.Equal(t, tc.osCheck, c.Result, c.String())
			if a.Supported == Pass {
				on, _ := a.Eligibility.Check(ReqOnboarded)
				assert.Equal(t, Pass, on.Result, "onboarded by the integration")
			}
			// Cloud protection and versions are not fixed by the path.
			cp, _ := a.Eligibility.Check(ReqCloudProtection)
			assert.Equal(t, Unknown, cp.Result)
		})
	}
}

// TestTestDetection: the benign test alert goes through decode, decide and
// the engine, and is recorded as detected, never remediated.
func TestTestDetection(t *testing.T) {
	when := time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)
	det := TestDetection("2f1b6c1e0d1a4b0d8c7e6a5b4c3d2e1f00112233", when)
	assert.Equal(t, TestAlertTitle, det.Title)
	assert.Equal(t, detect.SeverityInformational, det.Severity)
	b, err := json.Marshal(det)
	require.NoError(t, err)
	back, err := detect.Parse(b)
	require.NoError(t, err, "the test detection is a valid Graph alert")
	assert.Equal(t, det.ID, back.ID)
	assert.Equal(t, det.DeviceID, back.DeviceID)

	h := &recHost{}
	e := newTestEngine(t, h, nil)
	rec, err := e.Handle(context.Background(), back)
	require.NoError(t, err)
	assert.Equal(t, Detected, rec.Status)
	assert.Equal(t, remediate.RuleInformational, rec.Decision.Rule)
	assert.Empty(t, h.Calls())
	assert.NotEqual(t, det.ID, TestDetection("other-device", when).ID)
}
