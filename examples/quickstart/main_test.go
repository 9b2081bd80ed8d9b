package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestQuickstartExplainsTheSampleDevice(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(&out, options{}))
	s := out.String()
	for _, want := range []string{
		"Windows Server 2022, read from Get-MpComputerStatus json output",
		"Running mode: EDR Block Mode (passive, with EDR in block mode)",
		"remediation of EDR detections      yes",
		"eligible: pass",
		"pass    platform-version observed: 4.18.24090.11",
		`in effect: pass: the device reports AMRunningMode "EDR Block Mode"`,
		"Recommendations: none",
	} {
		assert.Contains(t, s, want)
	}
}

func TestQuickstartJSON(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(&out, options{json: true}))
	var got struct {
		Mode      string `json:"mode"`
		BlockMode struct {
			Eligible string `json:"eligible"`
			InEffect string `json:"inEffect"`
			Checks   []struct {
				ID, Result string
			} `json:"checks"`
		} `json:"blockMode"`
	}
	require.NoError(t, json.Unmarshal(out.Bytes(), &got))
	assert.Equal(t, "EDR Block Mode", got.Mode)
	assert.Equal(t, "pass", got.BlockMode.Eligible)
	assert.Equal(t, "pass", got.BlockMode.InEffect)
	assert.Len(t, got.BlockMode.Checks, 6)
}

func TestQuickstartReadsADevicesOwnOutput(t *testing.T) {
	dir := t.TempDir()
	status := filepath.Join(dir, "status.txt")
	require.NoError(t, os.WriteFile(status, []byte("AMRunningMode    : Passive Mode\r\nAMProductVersion : 4.18.1909.6\r\nAMEngineVersion  : 1.1.16700.2\r\n"), 0o600))
	prefs := filepath.Join(dir, "prefs.json")
	require.NoError(t, os.WriteFile(prefs, []byte(`{"MAPSReporting": 0}`), 0o600))
	var out bytes.Buffer
	require.NoError(t, run(&out, options{statusPath: status, prefsPath: prefs, os: "Windows 11"}))
	s := out.String()
	assert.Contains(t, s, "Running mode: Passive Mode")
	assert.Contains(t, s, "eligible: fail")
	assert.Contains(t, s, "fail    cloud-protection")
	assert.Contains(t, s, "fail    platform-version observed: 4.18.1909.6")
	assert.Contains(t, s, "Turn on EDR in block mode")

	// Without -os, the OS is unknown, never assumed.
	out.Reset()
	require.NoError(t, run(&out, options{statusPath: status, prefsPath: prefs}))
	assert.Contains(t, out.String(), "unknown os               observed: not given")
}

func TestQuickstartRejectsBadInput(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	require.NoError(t, os.WriteFile(bad, []byte(`{"AMRunningMode": "Turbo"}`), 0o600))
	var out bytes.Buffer
	err := run(&out, options{statusPath: bad})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "AMRunningMode")
	assert.Error(t, run(&out, options{statusPath: filepath.Join(dir, "missing.json")}))
	assert.ErrorContains(t, run(&out, options{os: "Windows 98"}), "-os")
}
