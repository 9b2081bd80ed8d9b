package remediate

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDecisionJSONReadsBack(t *testing.T) {
	golden, err := os.ReadFile("testdata/decision.golden.json")
	require.NoError(t, err)
	var d Decision
	require.NoError(t, json.Unmarshal(golden, &d))
	out, err := json.MarshalIndent(d, "", "  ")
	require.NoError(t, err)
	assert.Equal(t, string(bytes.TrimSpace(golden)), string(out))
}

func TestEnumTextReadsBack(t *testing.T) {
	for v := Remediate; v <= NoAction; v++ {
		b, _ := v.MarshalText()
		var got Verdict
		require.NoError(t, got.UnmarshalText(b))
		assert.Equal(t, v, got)
	}
	for k := StopProcess; k <= Quarantine; k++ {
		b, _ := k.MarshalText()
		var got ActionKind
		require.NoError(t, got.UnmarshalText(b))
		assert.Equal(t, k, got)
	}
	for o := ItemRemediate; o <= ItemContext; o++ {
		b, _ := o.MarshalText()
		var got ItemOutcome
		require.NoError(t, got.UnmarshalText(b))
		assert.Equal(t, o, got)
	}
	var v Verdict
	assert.ErrorContains(t, v.UnmarshalText([]byte("Verdict(9)")), `remediate: unknown verdict "Verdict(9)"`)
	var k ActionKind
	assert.Error(t, k.UnmarshalText([]byte("")))
}
