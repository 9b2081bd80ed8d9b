package detect

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// samples are the real-shaped Graph alerts in testdata, one per file.
var samples = []string{
	"edr_behavioral.json",
	"av_blocked.json",
	"pua_prevented.json",
	"test_alert_informational.json",
	"unknown_fields.json",
}

// ignoreOrig compares the package's types on their exported fields, and
// raw JSON values by their compact form.
var ignoreOrig = cmp.Options{
	cmpopts.IgnoreUnexported(Detection{}, FileEvidence{}, ProcessEvidence{}, FileDetails{}),
	cmp.Comparer(func(a, b json.RawMessage) bool {
		var ca, cb bytes.Buffer
		if json.Compact(&ca, a) != nil || json.Compact(&cb, b) != nil {
			return bytes.Equal(a, b)
		}
		return bytes.Equal(ca.Bytes(), cb.Bytes())
	}),
}

// decodeSample decodes one testdata file with json.Unmarshal.
func decodeSample(t testing.TB, name string) *Detection {
	t.Helper()
	var d Detection
	if err := json.Unmarshal(mustRead(t, name), &d); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return &d
}

// generic decodes JSON into maps, slices and json.Numbers, for comparing
// two documents by meaning rather than by bytes.
func generic(t testing.TB, data []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("generic decode: %v\n%s", err, data)
	}
	return v
}

// sameJSON fails the test when a and b differ in meaning.
func sameJSON(t testing.TB, want, got []byte) {
	t.Helper()
	if diff := cmp.Diff(generic(t, want), generic(t, got)); diff != "" {
		t.Errorf("JSON differs (-want +got):\n%s", diff)
	}
}

func marshal(t testing.TB, v any) []byte {
	t.Helper()
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	return out
}

// member returns the raw value of a top-level member of a JSON object.
func memberOf(t testing.TB, data []byte, name string) (json.RawMessage, bool) {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("member %s: %v", name, err)
	}
	v, ok := m[name]
	return v, ok
}
