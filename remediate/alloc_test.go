package remediate

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/blockmode/blockmode/detect"
	"github.com/blockmode/blockmode/mode"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDecideAllocatesOnce holds Decide to what its doc promises: without
// a trace, a detection of up to six evidence items with up to four
// actions costs one allocation, whatever its size within that; larger
// ones are decided the same way, with more.
func TestDecideAllocatesOnce(t *testing.T) {
	for n := 0; n <= 9; n++ {
		t.Run(fmt.Sprintf("evidence=%d", n), func(t *testing.T) {
			var evidence []detect.Evidence
			for i := range n {
				if i < 4 {
					evidence = append(evidence, file(fmt.Sprintf(`C:\Users\alex\Downloads\drop%d.exe`, i), sha256Bad, detect.Detected))
				} else {
					evidence = append(evidence, &detect.OtherEvidence{Type: "#microsoft.graph.security.userEvidence"})
				}
			}
			// As a decoder hands it over: decoding works out each file's
			// full path once.
			js, err := json.Marshal(detection(evidence...))
			require.NoError(t, err)
			det, err := detect.Parse(js)
			require.NoError(t, err)
			in := Input{Detection: det, BlockMode: onState, AntivirusMode: mode.EDRBlock}
			d := Decide(in)
			require.Len(t, d.Items, n)
			assert.Equal(t, n, cap(d.Items), "the decision holds no spare items")
			for i, it := range d.Items {
				want := ItemRemediate
				if i >= 4 {
					want = ItemContext
				}
				assert.Equal(t, want, it.Outcome, "item %d", i)
			}
			assert.Len(t, d.Actions, min(n, 4))
			allocs := testing.AllocsPerRun(100, func() { _ = Decide(in) })
			if n <= 6 {
				assert.Equal(t, 1.0, allocs)
			} else {
				assert.Greater(t, allocs, 1.0)
			}
		})
	}
}
