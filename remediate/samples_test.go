package remediate

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blockmode/blockmode/detect"
	"github.com/blockmode/blockmode/mode"
)

// TestGraphAlertSamples decodes each real-shaped Graph alert in
// detect/testdata, decides on it on a passive device with block mode on,
// and checks that the detection and the decision survive a JSON round
// trip.
func TestGraphAlertSamples(t *testing.T) {
	cases := []struct {
		file    string
		verdict Verdict
		rule    string
		status  detect.DetectionStatus
	}{
		{"edr_behavioral.json", Remediate, RuleRemediateArtifact, detect.Blocked},
		{"av_blocked.json", NoAction, RuleAlreadyStopped, detect.Blocked},
		{"pua_prevented.json", NoAction, RuleAlreadyStopped, detect.Prevented},
		{"test_alert_informational.json", DetectOnly, RuleInformational, detect.Detected},
		{"unknown_fields.json", NoAction, RuleAlreadyStopped, detect.Blocked},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("..", "detect", "testdata", tc.file))
			require.NoError(t, err)
			det, err := detect.Parse(raw)
			require.NoError(t, err)
			d := Decide(Input{Detection: det, BlockMode: onState, AntivirusMode: mode.EDRBlock, Trace: true})
			assert.Equal(t, tc.verdict, d.Verdict, d.String())
			assert.Equal(t, tc.rule, d.Rule)
			assert.Equal(t, tc.status, d.Status)

			// The detection re-encodes to its input, member for member.
			again, err := json.Marshal(det)
			require.NoError(t, err)
			assert.JSONEq(t, string(raw), string(again))

			// The decision's JSON decodes to the same structure.
			b, err := json.Marshal(d)
			require.NoError(t, err)
			var m map[string]any
			require.NoError(t, json.Unmarshal(b, &m))
			assert.Equal(t, tc.verdict.String(), m["verdict"])
			assert.Equal(t, string(tc.status), m["status"])
			assert.Len(t, m["items"], len(det.Evidence))
		})
	}
}

// TestGraphAlertStream decides on every alert of a JSON-lines export.
func TestGraphAlertStream(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "detect", "testdata", "alerts.jsonl"))
	require.NoError(t, err)
	dec := detect.NewDecoder(bytes.NewReader(raw), detect.Options{})
	n := 0
	for det, err := range dec.All() {
		require.NoError(t, err)
		d := Decide(Input{Detection: det, BlockMode: onState, AntivirusMode: mode.Passive})
		assert.NotZero(t, d.Verdict)
		assert.Equal(t, det.ID, d.DetectionID)
		n++
	}
	assert.Positive(t, n)
}
