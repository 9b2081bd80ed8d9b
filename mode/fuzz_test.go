package mode

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// addSeeds adds every sample under testdata/dir to the fuzz corpus, so the
// fuzzer starts from real output.
func addSeeds(f *testing.F, dir string) {
	files, err := filepath.Glob(filepath.Join("testdata", dir, "*"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{
		`{"AMRunningMode":"EDR Block Mode"}`, `[{"MAPSReporting":2}]`, "AMRunningMode : Normal\n",
		"AMRunningMode\n-------------\nNormal\n", "SERVICE_NAME: windefend\n STATE : 4  RUNNING\n",
		"ExclusionPath : {a, b...}\n", `{"ExclusionPath":"N/A: Must be an administrator to view exclusions"}`,
		`{"AntivirusSignatureLastUpdated":"\/Date(-62135596800001)\/"}`,
	} {
		f.Add([]byte(s))
	}
}

// checkParseResult holds for every parser: an error is a *ParseError
// wrapping one of the package's sentinels; a result marshals to JSON.
func checkParseResult(t *testing.T, in []byte, v any, err error) {
	t.Helper()
	if err != nil {
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Fatalf("error %T %v is not a *ParseError (input %q)", err, err, in)
		}
		known := false
		for _, s := range []error{ErrUnknownMode, ErrInvalidVersion, ErrSyntax, ErrType, ErrRange, ErrTooLarge, ErrFormat, ErrDuplicateField, ErrMultipleObjects, ErrTruncatedList, ErrHiddenExclusions} {
			if errors.Is(err, s) {
				known = true
			}
		}
		if !known {
			t.Fatalf("error %v wraps none of the sentinels", err)
		}
		if len(pe.Value) > maxErrorValue+len("…") {
			t.Fatalf("error value not shortened: %d bytes", len(pe.Value))
		}
	}
	if v != nil {
		if _, err := json.Marshal(v); err != nil {
			t.Fatalf("result does not marshal: %v", err)
		}
	}
}

func FuzzParseStatus(f *testing.F) {
	addSeeds(f, "status")
	p := Parser{MaxBytes: 1 << 16}
	f.Fuzz(func(t *testing.T, in []byte) {
		s, err := p.Status(bytes.NewReader(in))
		if (s == nil) == (err == nil) {
			t.Fatalf("want exactly one of result and error, got %v, %v", s, err)
		}
		checkParseResult(t, in, s, err)
		if s != nil && s.AMRunningMode >= numModes {
			t.Fatalf("mode out of range: %d", s.AMRunningMode)
		}
	})
}

func FuzzParsePreferences(f *testing.F) {
	addSeeds(f, "prefs")
	p := Parser{MaxBytes: 1 << 16}
	f.Fuzz(func(t *testing.T, in []byte) {
		prefs, err := p.Preferences(bytes.NewReader(in))
		if prefs != nil && err != nil && !errors.Is(err, ErrHiddenExclusions) && !errors.Is(err, ErrTruncatedList) {
			t.Fatalf("a result came with an error that is not partial: %v", err)
		}
		if prefs == nil && err == nil {
			t.Fatal("neither a result nor an error")
		}
		checkParseResult(t, in, prefs, err)
		if prefs != nil && prefs.ExclusionsHidden && (len(prefs.ExclusionPath)+len(prefs.ExclusionExtension)+len(prefs.ExclusionProcess)) > 0 {
			t.Fatal("hidden exclusions reported as a list")
		}
	})
}
