package exclusions

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRuleAndNotesJSONReadBack(t *testing.T) {
	type item struct {
		Exclusion Rule  `json:"exclusion,omitzero"`
		Notes     Notes `json:"notes,omitempty"`
	}
	for _, in := range []item{
		{},
		{Exclusion: Rule{Kind: ExclusionPath, Text: `C:\Temp`, Index: 3}, Notes: NoteShortName | NoteRestricted},
		{Exclusion: Rule{Kind: ExclusionExtension, Text: "tmp"}, Notes: NotePartialList},
		{Exclusion: Rule{Kind: ExclusionProcess, Text: `C:\x.exe`, Index: 1}},
	} {
		b, err := json.Marshal(in)
		require.NoError(t, err)
		var got item
		require.NoError(t, json.Unmarshal(b, &got), "%s", b)
		assert.Equal(t, in, got, "%s", b)
	}
	var n Notes
	assert.ErrorContains(t, json.Unmarshal([]byte(`["nope"]`), &n), `exclusions: unknown note "nope"`)
	var k Kind
	assert.ErrorContains(t, k.UnmarshalText([]byte("ExclusionFoo")), `exclusions: unknown exclusion list`)
}
