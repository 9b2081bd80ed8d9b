package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"

	"github.com/blockmode/blockmode/detect"
	"github.com/blockmode/blockmode/edr"
	"github.com/blockmode/blockmode/edr/edrtest"
	"github.com/blockmode/blockmode/exclusions"
	"github.com/blockmode/blockmode/mode"
	"github.com/blockmode/blockmode/remediate"
)

// TestReplayAgreesWithTheEngine replays the sample alerts and hands each to
// an audit-mode engine configured from the same device output and settings,
// at the detection's time: the verdict, status, deciding rule and actions
// are the same. Replay is a faithful what-if only if it decides as the
// engine does.
func TestReplayAgreesWithTheEngine(t *testing.T) {
	for _, tc := range []struct{ name, status, prefs string }{
		{"passive-ps51", passive, "testdata/prefs-ps51.json"},
		{"block-mode-ps51", ps51, "testdata/prefs-risky.json"},
		{"formatlist", "testdata/status-formatlist.txt", "testdata/prefs-formatlist-full.txt"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			settings := filepath.Join(t.TempDir(), "settings.json")
			require.NoError(t, os.WriteFile(settings, []byte(`[{"at":"2023-01-01T00:00:00Z","actor":"alice","kind":"tenant","enabled":true}]`), 0o600))
			for _, input := range []string{alerts, graph} {
				r := runCmd(t, "", "replay", "--status", tc.status, "--prefs", tc.prefs, "--os", win11, "--detections", input, "--settings", settings, "--json")
				require.Equal(t, exitOK, r.code, r.stderr)
				replayed := map[string]remediate.Decision{}
				for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
					var d decisionLine
					require.NoError(t, json.Unmarshal([]byte(line), &d))
					if d.Type == "decision" {
						replayed[d.Decision.DetectionID] = d.Decision
					}
				}

				e, clock := engineFor(t, tc.status, tc.prefs)
				f, err := os.Open(input)
				require.NoError(t, err)
				seen := 0
				for det, err := range detect.NewDecoder(f, detect.Options{}).All() {
					require.NoError(t, err)
					want, ok := replayed[det.ID]
					require.True(t, ok, "%s not replayed", det.ID)
					clock.Set(det.Time)
					rec, err := e.Handle(context.Background(), det)
					require.NoError(t, err)
					got := rec.Decision
					if d := cmp.Diff(summary(want), summary(got)); d != "" {
						t.Errorf("%s: replay and engine differ (-replay +engine):\n%s", det.ID, d)
					}
					seen++
				}
				f.Close()
				require.Positive(t, seen)
				require.NoError(t, e.Close(context.Background()))
			}
		})
	}
}

type decisionSummary struct {
	Verdict remediate.Verdict
	Status  detect.DetectionStatus
	Rule    string
	Actions []remediate.Action
	Items   []remediate.ItemOutcome
}

func summary(d remediate.Decision) decisionSummary {
	s := decisionSummary{Verdict: d.Verdict, Status: d.Status, Rule: d.Rule, Actions: d.Actions}
	for _, it := range d.Items {
		s.Items = append(s.Items, it.Outcome)
	}
	return s
}

// engineFor returns an audit-mode engine for the device the files
// describe, with block mode turned on tenant-wide on 2023-01-01.
func engineFor(t *testing.T, statusPath, prefsPath string) (*edr.Engine, *edrtest.Clock) {
	sf, err := os.Open(statusPath)
	require.NoError(t, err)
	defer sf.Close()
	status, err := mode.ParseStatus(sf)
	require.NoError(t, err)
	pf, err := os.Open(prefsPath)
	require.NoError(t, err)
	defer pf.Close()
	prefs, err := mode.ParsePreferences(pf)
	require.NoError(t, err)

	device := edr.FactsFromPlatform(status, prefs)
	device.OS = mode.Windows11
	excl, err := exclusions.Compile(exclusions.List{Paths: prefs.ExclusionPath, Extensions: prefs.ExclusionExtension, Processes: prefs.ExclusionProcess},
		exclusions.Options{Platform: exclusions.Version(status.AMProductVersion), Engine: exclusions.Version(status.AMEngineVersion)})
	require.NoError(t, err)
	hist := edr.NewHistory(edr.Current())
	_, err = hist.SetTenant(edr.Actor{Name: "alice", Roles: []edr.Role{edr.GlobalAdministrator}}, true, time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	clock := edrtest.NewClock(time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC))
	e, err := edr.New(edr.Config{Clock: clock, Mode: edr.Audit, Exclusions: excl, Settings: hist, Device: device,
		Remediation: remediate.Settings{PUAProtection: prefs.PUAProtection}})
	require.NoError(t, err)
	return e, clock
}
