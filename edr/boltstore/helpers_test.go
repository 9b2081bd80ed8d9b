package boltstore

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/stretchr/testify/require"

	"github.com/blockmode/blockmode/detect"
	"github.com/blockmode/blockmode/edr"
	"github.com/blockmode/blockmode/mode"
	"github.com/blockmode/blockmode/remediate"
)

// alertTemplate is a Defender for Endpoint alert in Graph's form with a
// process and a different file: block mode plans three actions for it
// (stop the process, quarantine its image, quarantine the file).
// Placeholders: %[1]s id, %[2]s createdDateTime, %[3]s device id, %[4]d
// process id, %[5]s a name unique to the alert.
const alertTemplate = `{
  "@odata.type": "#microsoft.graph.security.alert",
  "id": %[1]q,
  "status": "new",
  "severity": "high",
  "serviceSource": "microsoftDefenderForEndpoint",
  "detectionSource": "microsoftDefenderForEndpoint",
  "category": "Execution",
  "title": "Suspicious process launched from the Downloads folder",
  "createdDateTime": %[2]q,
  "evidence": [
    {
      "@odata.type": "#microsoft.graph.security.processEvidence",
      "createdDateTime": %[2]q,
      "verdict": "malicious",
      "remediationStatus": "none",
      "processId": %[4]d,
      "processCommandLine": "\"%[5]s.exe\" /silent",
      "detectionStatus": "detected",
      "mdeDeviceId": %[3]q,
      "imageFile": {
        "sha256": "4d2f7c9a1b3e5f7081a2c4e6f8091b2d3c4e5f60718293a4b5c6d7e8f9012345",
        "fileName": "%[5]s.exe",
        "filePath": "C:\\Users\\alex.wu\\Downloads",
        "fileSize": 1482752
      }
    },
    {
      "@odata.type": "#microsoft.graph.security.fileEvidence",
      "createdDateTime": %[2]q,
      "verdict": "malicious",
      "remediationStatus": "none",
      "detectionStatus": "detected",
      "mdeDeviceId": %[3]q,
      "fileDetails": {
        "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "fileName": "%[5]s.dll",
        "filePath": "C:\\Users\\alex.wu\\AppData\\Local\\Temp",
        "fileSize": 40960
      }
    }
  ]
}`

const deviceID = "1e5bc9d7e413ddd7902c2932e418702b84d0cc07"

// alertTime is when the test alerts were raised; block mode was turned on
// long before.
var (
	alertTime   = time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC)
	blockModeOn = alertTime.Add(-30 * 24 * time.Hour)
)

// alert builds the n-th test detection with detect.Parse.
func alert(tb testing.TB, n int, device string) *detect.Detection {
	tb.Helper()
	d, err := parseAlert(n, device)
	require.NoError(tb, err)
	return d
}

func parseAlert(n int, device string) (*detect.Detection, error) {
	id := fmt.Sprintf("da%018d_%d", 638390671234567890+n, n)
	at := alertTime.Add(time.Duration(n) * time.Second).Format(time.RFC3339Nano)
	name := fmt.Sprintf("invoice_%06d", n)
	return detect.Parse(fmt.Appendf(nil, alertTemplate, id, at, device, 4000+n, name))
}

// engineConfig is an engine on an eligible device in passive mode, with
// block mode turned on tenant-wide a month before the test alerts.
func engineConfig(tb testing.TB, store edr.Store, hooks edr.Hooks) edr.Config {
	tb.Helper()
	h := new(edr.History)
	_, err := h.SetTenant(edr.Actor{Name: "alice@contoso.com", Roles: []edr.Role{edr.SecurityAdministrator}}, true, blockModeOn)
	require.NoError(tb, err)
	return edr.Config{
		Store:    store,
		Hooks:    hooks,
		Settings: h,
		Device: edr.DeviceFacts{
			DeviceID: deviceID, OS: mode.Windows11, Onboarded: mode.True, Mode: mode.Passive, Running: mode.True,
			CloudProtection: mode.True, PlatformVersion: mode.MustParseVersion("4.18.24090.11"), EngineVersion: mode.MustParseVersion("1.1.24090.11"),
		},
	}
}

// okHost succeeds at every hook and counts the calls.
type okHost struct {
	mu    sync.Mutex
	calls map[string]int // "kind path" -> calls
}

func (h *okHost) count(a remediate.Action) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.calls == nil {
		h.calls = map[string]int{}
	}
	h.calls[a.Kind.String()+" "+a.Path]++
}

func (h *okHost) total() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, c := range h.calls {
		n += c
	}
	return n
}

func (h *okHost) StopProcess(_ context.Context, a remediate.Action) error { h.count(a); return nil }

func (h *okHost) Quarantine(_ context.Context, a remediate.Action) (string, error) {
	h.count(a)
	return "q:" + a.Path, nil
}

func (h *okHost) hooks() edr.Hooks { return edr.Hooks{StopProcess: h, Quarantine: h} }

// open opens a store in a new temporary directory, closed at the end of
// the test. Unit tests skip fsync; the durability tests do not.
func open(tb testing.TB, opts Options) *Store {
	tb.Helper()
	s, err := Open(filepath.Join(tb.TempDir(), "history.db"), opts)
	require.NoError(tb, err)
	tb.Cleanup(func() { s.Close() })
	return s
}

// recordOpts compares records read back from JSON with the ones written:
// detections by their JSON form (a decoded detection keeps its input),
// empty slices equal to nil (MemStore's Clone makes nil of empty), times
// by instant.
var recordOpts = cmp.Options{
	cmp.Comparer(func(a, b *detect.Detection) bool {
		if a == nil || b == nil {
			return a == b
		}
		ja, erra := json.Marshal(a)
		jb, errb := json.Marshal(b)
		return erra == nil && errb == nil && string(ja) == string(jb)
	}),
	cmpopts.EquateEmpty(),
}

// record builds a synthetic record for the query tests.
func record(tb testing.TB, id, device string, status edr.RecordStatus, received time.Time) edr.Record {
	tb.Helper()
	r := edr.Record{
		ID: id, DeviceID: device, Status: status, Received: received, Revision: 1,
		Detection: &detect.Detection{ID: id, DeviceID: device, Title: "t " + strings.ToUpper(id)},
		Decision:  remediate.Decision{DetectionID: id, Verdict: remediate.Remediate, Rule: "remediate-artifact", Status: detect.Blocked},
		Actions:   []edr.ActionRecord{{Action: remediate.Action{Kind: remediate.Quarantine, Path: `C:\x\` + id}, Result: edr.Succeeded}},
	}
	if status.Terminal() {
		r.Finished = received.Add(time.Second)
	}
	return r
}
