package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestQuickstartExplainsTheSampleDevice(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(&out, "", ""))
	s := out.String()
	for _, want := range []string{
		"Running mode: EDR Block Mode (passive, with EDR in block mode)",
		"remediation of EDR detections      yes",
		"pass    platform (AMProductVersion) >= 4.18.2001.10",
		"EDR in block mode is in effect",
	} {
		assert.Contains(t, s, want)
	}
}

func TestQuickstartReadsADevicesOwnOutput(t *testing.T) {
	dir := t.TempDir()
	status := filepath.Join(dir, "status.txt")
	require.NoError(t, os.WriteFile(status, []byte("AMRunningMode    : Passive Mode\r\nAMProductVersion : 4.18.1909.6\r\nAMEngineVersion  : 1.1.16700.2\r\n"), 0o600))
	prefs := filepath.Join(dir, "prefs.json")
	require.NoError(t, os.WriteFile(prefs, []byte(`{"MAPSReporting": 0}`), 0o600))
	var out bytes.Buffer
	require.NoError(t, run(&out, status, prefs))
	s := out.String()
	assert.Contains(t, s, "Running mode: Passive Mode")
	assert.Contains(t, s, "FAIL    cloud-delivered protection on")
	assert.Contains(t, s, "FAIL    platform (AMProductVersion) >= 4.18.2001.10")
	assert.Contains(t, s, "EDR in block mode is not in effect")
}

func TestQuickstartRejectsBadInput(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	require.NoError(t, os.WriteFile(bad, []byte(`{"AMRunningMode": "Turbo"}`), 0o600))
	var out bytes.Buffer
	err := run(&out, bad, "")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "AMRunningMode")
	assert.Error(t, run(&out, filepath.Join(dir, "missing.json"), ""))
}
