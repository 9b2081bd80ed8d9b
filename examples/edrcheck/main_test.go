package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blockmode/blockmode/detect"
	"github.com/blockmode/blockmode/edr"
	"github.com/blockmode/blockmode/edr/boltstore"
	"github.com/blockmode/blockmode/edr/edrtest"
	"github.com/blockmode/blockmode/mode"
	"github.com/blockmode/blockmode/remediate"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// result is one run of the command.
type result struct {
	code           int
	stdout, stderr string
}

func runCmd(t testing.TB, stdin string, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errOut})
	return result{code, out.String(), errOut.String()}
}

// golden compares got with testdata/name.golden, or rewrites it with
// -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test ./examples/edrcheck -update to create it")
	assert.Equal(t, string(want), got, "output differs from %s (go test ./examples/edrcheck -update rewrites it)", path)
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\n-- stdout --\n%s-- stderr --\n%s", r.code, r.stdout, r.stderr)
}

const (
	win11   = "Windows 11 Enterprise"
	server  = "Windows Server 2022 Standard"
	alerts  = "testdata/alerts.jsonl"
	graph   = "testdata/graph-export.json"
	ps51    = "testdata/status-ps51.json"
	passive = "testdata/status-passive-ps51.json"
)

// TestGolden runs every command on the real-shaped samples (Get-MpComputerStatus
// and Get-MpPreference from PowerShell 5.1 and 7, as JSON and as Format-List
// text; Graph alerts as JSON lines and as a Graph list response) in both
// output forms, and compares the output, the exit code and standard error
// with the golden files.
func TestGolden(t *testing.T) {
	history := buildHistory(t)
	cases := []struct {
		name  string
		stdin string
		args  []string
		code  int
	}{
		{name: "status-ps51", args: []string{"status", "--status", ps51, "--prefs", "testdata/prefs-ps51.json", "--os", server}},
		{name: "status-ps51-json", args: []string{"status", "--status", ps51, "--prefs", "testdata/prefs-ps51.json", "--os", server, "--json"}},
		{name: "status-ps7-normal", args: []string{"status", "--status", "testdata/status-ps7.json", "--prefs", "testdata/prefs-ps7.json", "--os", win11}, code: exitFindings},
		{name: "status-ps7-normal-json", args: []string{"status", "--status", "testdata/status-ps7.json", "--prefs", "testdata/prefs-ps7.json", "--os", win11, "--json"}, code: exitFindings},
		{name: "status-formatlist-stdin", stdin: readFile(t, "testdata/status-formatlist.txt"), args: []string{"status", "--status", "-", "--prefs", "testdata/prefs-formatlist-full.txt", "--os", win11}},
		{name: "status-no-os", args: []string{"status", "--status", passive}, code: exitFindings},
		{name: "status-not-admin-prefs", args: []string{"status", "--status", ps51, "--prefs", "testdata/prefs-not-admin.json", "--os", server}},

		{name: "exclusions", args: []string{"exclusions", "--prefs", "testdata/prefs-ps51.json", "--status", ps51,
			`C:\ProgramData\Contoso\Agent\Cache\update.exe`, `d:\r&d\builds\tool.dll`, `E:\Logs\web01\archive\old.log`, `E:\Logs\web01\current\new.log`,
			`C:\PROGRA~1\Contoso Backup\x.exe`, `D:\MSSQL\Data.\x.mdf`, `C:\Users\alex\db.mdf:payload.exe`, `C:\Users\alex\Downloads\invoice.exe`}, code: exitFindings},
		{name: "exclusions-json-stdin", stdin: "C:\\ProgramData\\Contoso\\Agent\\Cache\\update.exe\r\n\nC:\\Users\\alex\\Downloads\\invoice.exe\n\\\\?\\C:\\ProgramData\\Contoso\\Agent\\Cache\\x\n",
			args: []string{"exclusions", "--prefs", "testdata/prefs-formatlist-full.txt", "--json"}, code: exitFindings},
		{name: "exclusions-truncated-list", args: []string{"exclusions", "--prefs", "testdata/prefs-formatlist.txt", `C:\x`}, code: exitError},
		{name: "exclusions-not-admin", args: []string{"exclusions", "--prefs", "testdata/prefs-not-admin.json", `C:\x`}, code: exitError},
		{name: "exclusions-bad-path", args: []string{"exclusions", "--prefs", "testdata/prefs-ps51.json", `relative\x.exe`, "C:\\a\x1b[2Jb"}, code: exitError},
		{name: "exclusions-process", args: []string{"exclusions", "--prefs", "testdata/prefs-risky.json", "--process", `C:\Program Files\Contoso\agent.exe`, `C:\data\report.docx`}},

		{name: "lint", args: []string{"lint", "--prefs", "testdata/prefs-risky.json"}, code: exitFindings},
		{name: "lint-json", args: []string{"lint", "--prefs", "testdata/prefs-risky.json", "--json"}, code: exitFindings},
		{name: "lint-formatlist", args: []string{"lint", "--prefs", "testdata/prefs-formatlist-full.txt"}, code: exitFindings},

		{name: "replay", args: []string{"replay", "--status", ps51, "--prefs", "testdata/prefs-ps51.json", "--os", win11, "--detections", alerts}},
		{name: "replay-json", args: []string{"replay", "--status", ps51, "--prefs", "testdata/prefs-ps51.json", "--os", win11, "--detections", alerts, "--json"}},
		{name: "replay-graph-export", args: []string{"replay", "--status", "testdata/status-formatlist.txt", "--prefs", "testdata/prefs-formatlist-full.txt", "--os", win11, "--detections", graph}},
		{name: "replay-settings-history", args: []string{"replay", "--status", passive, "--prefs", "testdata/prefs-ps51.json", "--os", win11, "--detections", alerts, "--settings", "testdata/settings.json"}},
		{name: "replay-at", args: []string{"replay", "--status", passive, "--prefs", "testdata/prefs-ps51.json", "--os", win11, "--detections", alerts, "--settings", "testdata/settings.json", "--at", "2023-12-05T12:00:00Z", "--json"}},
		{name: "replay-compare-exclusion", args: []string{"replay", "--status", ps51, "--prefs", "testdata/prefs-ps51.json", "--os", win11, "--detections", alerts,
			"--compare", "--add-exclusion", `C:\Users\*\Downloads`, "--add-exclusion", `extension:dll`}, code: exitFindings},
		{name: "replay-compare-exclusion-json", args: []string{"replay", "--status", ps51, "--prefs", "testdata/prefs-ps51.json", "--os", win11, "--detections", alerts,
			"--compare", "--add-exclusion", `C:\Users\*\Downloads`, "--add-exclusion", `extension:dll`, "--json"}, code: exitFindings},
		{name: "replay-compare-block-mode-on", args: []string{"replay", "--status", passive, "--prefs", "testdata/prefs-ps51.json", "--os", win11, "--detections", graph,
			"--compare", "--block-mode", "on"}, code: exitFindings},
		{name: "replay-compare-no-difference", args: []string{"replay", "--status", ps51, "--prefs", "testdata/prefs-ps51.json", "--os", win11, "--detections", alerts,
			"--compare", "--remove-exclusion", `E:\Logs\*\archive`}},

		{name: "export-json", args: []string{"export", "--store", history}},
		{name: "export-ocsf", args: []string{"export", "--store", history, "--format", "ocsf"}},
		{name: "export-ocsf-failed", args: []string{"export", "--store", history, "--format", "ocsf", "--status", "failed,would block (audit)"}},
	}
	seen := map[string]bool{}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			require.False(t, seen[tc.name], "duplicate case")
			seen[tc.name] = true
			r := runCmd(t, tc.stdin, tc.args...)
			assert.Equal(t, tc.code, r.code, "exit code; stderr:\n%s", r.stderr)
			out := "$ edrcheck " + strings.Join(quoteArgs(tc.args), " ") + "\n" + r.String()
			golden(t, tc.name, strings.ReplaceAll(out, history, "HISTORY.db"))
			if slices := strings.Contains(strings.Join(tc.args, " "), "--json"); slices && r.code != exitError {
				checkJSONLines(t, r.stdout)
			}
		})
	}
}

func quoteArgs(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		if a == "" || strings.ContainsAny(a, " \\*&'\"$\x1b") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		out[i] = clean(a)
	}
	return out
}

func readFile(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return string(b)
}

// checkJSONLines checks that every line of out is one JSON object with a
// type.
func checkJSONLines(t *testing.T, out string) {
	t.Helper()
	for i, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		var v map[string]any
		if assert.NoError(t, json.Unmarshal([]byte(line), &v), "line %d", i+1) {
			assert.NotEmpty(t, v["type"], "line %d has no type", i+1)
		}
	}
}

// buildHistory runs the engine over the sample alerts into a bbolt file:
// blocked, prevented, detected and failed records, an undone one, audit
// records, and a record left in progress.
func buildHistory(t *testing.T) string {
	path := filepath.Join(t.TempDir(), "history.db")
	store, err := boltstore.Open(path, boltstore.Options{NoSync: true})
	require.NoError(t, err)
	defer store.Close()
	ctx := context.Background()

	clock := edrtest.NewClock(time.Date(2023, 12, 6, 17, 0, 0, 0, time.UTC))
	host := &edrtest.Host{Clock: clock}
	host.Fault(edrtest.Quarantine, edrtest.Fail(errors.New("access is denied")).Match(edrtest.Match{Path: `D:\Builds\out\packer.dll`}))
	cfg := edrtest.Config(clock, host)
	cfg.Store = store
	cfg.Device.DeviceID = "6f1d2c4b9a374e8bb1c27d35e90a4f18aabbccdd"
	e, err := edr.New(cfg)
	require.NoError(t, err)
	f, err := os.Open(alerts)
	require.NoError(t, err)
	defer f.Close()
	for det, err := range detect.NewDecoder(f, detect.Options{}).All() {
		require.NoError(t, err)
		clock.Advance(time.Minute)
		_, err = e.Handle(ctx, det)
		require.NoError(t, err)
	}
	clock.Advance(time.Hour)
	_, err = e.Undo(ctx, "da638390671234567890_1126483905", "alice@contoso.com")
	require.NoError(t, err)
	require.NoError(t, e.Close(ctx))

	cfg.Mode = edr.Audit
	audit, err := edr.New(cfg)
	require.NoError(t, err)
	clock.Advance(time.Minute)
	_, err = audit.Handle(ctx, edrtest.Detection("audit-1", edrtest.Process(4120, `C:\Users\sam\Downloads\setup.exe`), edrtest.File(`C:\Users\sam\Downloads\setup.exe`)))
	require.NoError(t, err)
	require.NoError(t, audit.Close(ctx))

	clock.Advance(time.Minute)
	det := edrtest.Detection("left-in-progress", edrtest.File(`C:\Users\sam\Downloads\x.exe`))
	inProgress := edr.Record{ID: det.ID, Status: edr.InProgress, Received: clock.Now(), Detection: det,
		Decision: remediate.Decide(remediate.Input{Detection: det, BlockMode: remediate.BlockMode{InEffect: true}, AntivirusMode: mode.EDRBlock})}
	require.NoError(t, store.Put(ctx, inProgress))
	return path
}

// TestHelp checks that every command has --help with an example, and that
// it exits 0.
func TestHelp(t *testing.T) {
	r := runCmd(t, "", "--help")
	assert.Equal(t, exitOK, r.code)
	for _, c := range commands() {
		assert.Contains(t, r.stdout, c.name)
		t.Run(c.name, func(t *testing.T) {
			for _, args := range [][]string{{c.name, "--help"}, {c.name, "-h"}, {"help", c.name}} {
				r := runCmd(t, "", args...)
				assert.Equal(t, exitOK, r.code, "%v", args)
				assert.Contains(t, r.stdout, "Usage: edrcheck "+c.name)
				assert.Contains(t, r.stdout, "Example:\n  ")
				assert.Contains(t, r.stdout, "edrcheck "+c.name+" --")
				assert.Empty(t, r.stderr)
			}
		})
	}
}

// TestUsageErrors: mistakes on the command line exit 2, say what is wrong
// on standard error, and print nothing on standard output.
func TestUsageErrors(t *testing.T) {
	prefs := "testdata/prefs-ps51.json"
	cases := []struct {
		args []string
		want string
	}{
		{nil, "Usage:"},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"status"}, "--status is required"},
		{[]string{"status", "--status", ps51, "--bogus"}, "flag provided but not defined: -bogus"},
		{[]string{"status", "--status", ps51, "extra"}, `unexpected argument "extra"`},
		{[]string{"status", "--status", ps51, "--os", "Windows 95"}, "--os"},
		{[]string{"status", "--status", ps51, "--ruleset", "1999"}, "--ruleset"},
		{[]string{"status", "--status", "-", "--prefs", "-"}, "--status and --prefs cannot all read standard input"},
		{[]string{"status", "--status", "testdata/nope.json"}, "no such file"},
		{[]string{"status", "--status", "testdata"}, "is a directory"},
		{[]string{"lint"}, "--prefs is required"},
		{[]string{"exclusions", "--prefs", "-"}, "standard input is read by --prefs"},
		{[]string{"exclusions", "--prefs", prefs, "--status", "-"}, "standard input is read by --prefs or --status"},
		{[]string{"replay", "--status", ps51, "--prefs", prefs, "--detections", "-", "--settings", "-"}, "--detections and --settings cannot all read standard input"},
		{[]string{"replay", "--status", ps51, "--prefs", prefs}, "--detections is required"},
		{[]string{"replay", "--status", ps51, "--prefs", prefs, "--detections", alerts, "--compare"}, "--compare needs proposed settings"},
		{[]string{"replay", "--status", ps51, "--prefs", prefs, "--detections", alerts, "--block-mode", "maybe"}, `"maybe" is not on or off`},
		{[]string{"replay", "--status", ps51, "--prefs", prefs, "--detections", alerts, "--at", "yesterday"}, "--at"},
		{[]string{"replay", "--status", ps51, "--prefs", prefs, "--detections", alerts, "--remove-exclusion", `C:\not\there`}, "is not in the device's list"},
		{[]string{"replay", "--status", ps51, "--prefs", prefs, "--detections", alerts, "--add-exclusion", `*:\x`}, "--add-exclusion"},
		{[]string{"replay", "--status", ps51, "--prefs", prefs, "--detections", alerts, "--max-record-bytes", "0"}, "--max-record-bytes"},
		{[]string{"replay", "--status", ps51, "--prefs", prefs, "--detections", alerts, "--compare", "--block-mode", "on"}, "--block-mode on needs the device's eligibility, which is unknown (os)"},
		{[]string{"replay", "--status", ps51, "--prefs", prefs, "--detections", alerts, "--settings", "testdata/settings.json"}, "--settings needs the device's eligibility"},
		{[]string{"replay", "--status", ps51, "--prefs", prefs, "--os", win11, "--detections", alerts, "--settings", "testdata/settings.json", "--block-mode", "off"}, "--block-mode and --settings cannot both be given"},
		{[]string{"export"}, "--store is required"},
		{[]string{"export", "--store", "x.db", "--format", "csv"}, `"csv" is not json or ocsf`},
		{[]string{"export", "--store", "x.db", "--status", "bogus"}, "--status"},
		{[]string{"export", "--store", "testdata/missing.db"}, "no such file"},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			r := runCmd(t, "", tc.args...)
			assert.Equal(t, exitError, r.code)
			assert.Contains(t, r.stderr, tc.want)
			assert.Empty(t, r.stdout)
		})
	}
	_, err := os.Stat("testdata/missing.db")
	assert.ErrorIs(t, err, os.ErrNotExist, "export created the store it was asked to read")
}

// hostile returns inputs that no command can use: truncated JSON, one line
// of 10 MB, binary junk, JSON of the wrong types, and an empty file.
func hostile(t *testing.T) map[string]string {
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(1, 2))
	junk := make([]byte, 64<<10)
	for i := range junk {
		junk[i] = byte(rng.Uint32())
	}
	status := readFile(t, ps51)
	alert := strings.SplitN(readFile(t, alerts), "\n", 2)[0]
	inputs := map[string]string{
		"truncated-status.json": status[:len(status)/2],
		"truncated-alert.jsonl": alert[:len(alert)/2] + "\n",
		"truncated-array.json":  "[" + alert + ",\n" + alert[:100],
		"10MB-line.json":        `{"AMRunningMode": "` + strings.Repeat("A", 10<<20) + `"}`,
		"10MB-line.jsonl":       `{"id": "` + strings.Repeat("A", 10<<20) + `"}` + "\n",
		"junk.bin":              string(junk),
		"wrong-types.json":      `{"AMRunningMode": 5, "AMProductVersion": true, "ExclusionPath": {"a": 1}, "MAPSReporting": "sometimes"}`,
		"wrong-types.jsonl":     `{"id": 5, "createdDateTime": true, "evidence": "none"}` + "\n" + `[1,2,3]` + "\n",
		"utf16.json":            "\xff\xfe{\x00\"\x00",
		"empty":                 "",
	}
	paths := map[string]string{}
	for name, data := range inputs {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(data), 0o600))
		paths[name] = p
	}
	return paths
}

// TestHostileInput feeds every command malformed and hostile input, as a
// file and on standard input: each run exits 2 with an error that names the
// input, never panics, and prints nothing on standard output that could
// pass for a result.
func TestHostileInput(t *testing.T) {
	files := hostile(t)
	prefs := "testdata/prefs-ps51.json"
	for name, path := range files {
		cmds := map[string][]string{
			"status":            {"status", "--status", path, "--os", win11},
			"status-prefs":      {"status", "--status", ps51, "--prefs", path},
			"exclusions":        {"exclusions", "--prefs", path, `C:\x`},
			"lint":              {"lint", "--prefs", path},
			"replay-status":     {"replay", "--status", path, "--prefs", prefs, "--detections", alerts},
			"replay-prefs":      {"replay", "--status", ps51, "--prefs", path, "--detections", alerts},
			"replay-detections": {"replay", "--status", ps51, "--prefs", prefs, "--os", win11, "--detections", path},
			"replay-json":       {"replay", "--status", ps51, "--prefs", prefs, "--os", win11, "--detections", path, "--json"},
			"replay-settings":   {"replay", "--status", ps51, "--prefs", prefs, "--os", win11, "--detections", alerts, "--settings", path},
			"export":            {"export", "--store", path},
		}
		for cmd, args := range cmds {
			t.Run(name+"/"+cmd, func(t *testing.T) {
				t.Parallel()
				if name == "empty" && strings.HasPrefix(cmd, "replay-detections") || name == "empty" && cmd == "replay-json" {
					// An empty stream holds no detections: a valid, empty replay.
					r := runCmd(t, "", args...)
					assert.Equal(t, exitOK, r.code, r.stderr)
					assert.Regexp(t, `0 detections|"detections":0`, r.stdout)
					return
				}
				r := runCmd(t, "", args...)
				assert.Equal(t, exitError, r.code, "stdout:\n%.500s\nstderr:\n%.500s", r.stdout, r.stderr)
				assert.Contains(t, r.stderr, path, "the error names the file")
				checkFailedOutput(t, r.stdout)
				assert.Less(t, len(r.stderr), 8<<10, "the error is short")

				// The same through standard input, where a flag takes "-".
				stdinArgs := append([]string(nil), args...)
				for i, a := range stdinArgs {
					if a == path {
						stdinArgs[i] = "-"
					}
				}
				if cmd == "export" {
					return
				}
				r = runCmd(t, readFile(t, path), stdinArgs...)
				assert.Equal(t, exitError, r.code, "stdin: stderr:\n%.500s", r.stderr)
				assert.Contains(t, r.stderr, "standard input")
				checkFailedOutput(t, r.stdout)
			})
		}
	}

	// Paths on standard input: junk, and a line longer than any path.
	for name, in := range map[string]string{"junk": readFile(t, files["junk.bin"]), "10MB": strings.Repeat("C:\\a", 10<<18)} {
		t.Run("exclusions-stdin/"+name, func(t *testing.T) {
			r := runCmd(t, in, "exclusions", "--prefs", prefs, "--json")
			assert.Equal(t, exitError, r.code)
			for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
				if line == "" {
					continue
				}
				var pr map[string]any
				require.NoError(t, json.Unmarshal([]byte(line), &pr))
				assert.Equal(t, false, pr["excluded"], "junk found excluded: %q", pr["input"])
				assert.NotEmpty(t, pr["error"], "junk without an error: %q", pr["input"])
			}
		})
	}
}

// checkFailedOutput checks the standard output of a failed run: nothing,
// or, for a replay cut short (a stream is written as it is read), lines
// that end in the mark of an incomplete run and never in a summary.
func checkFailedOutput(t *testing.T, stdout string) {
	t.Helper()
	if stdout == "" {
		return
	}
	assert.NotContains(t, stdout, `"type":"summary"`)
	assert.NotContains(t, stdout, "detections replayed")
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	last := lines[len(lines)-1]
	if !strings.HasPrefix(last, "INCOMPLETE: ") && !strings.HasPrefix(last, `{"type":"error"`) {
		t.Errorf("a failed run's output does not end in the incomplete mark:\n%.2000s", stdout)
	}
}

// TestReplayReportsUnreadableRecords: good records are decided, bad ones
// are named with their line and field on standard error, and without the
// summary line the output says it is incomplete.
func TestReplayReportsUnreadableRecords(t *testing.T) {
	lines := strings.Split(strings.TrimSpace(readFile(t, alerts)), "\n")
	in := lines[0] + "\n" + `{"id": "x", "createdDateTime": 12}` + "\n" + "\x00\x01junk\n" + lines[1] + "\n"
	r := runCmd(t, in, "replay", "--status", ps51, "--prefs", "testdata/prefs-ps51.json", "--os", win11, "--detections", "-", "--json")
	assert.Equal(t, exitError, r.code)
	assert.Contains(t, r.stderr, "standard input: detect: line 2: field createdDateTime")
	assert.Contains(t, r.stderr, "standard input: detect: line 3:")
	assert.Contains(t, r.stderr, "2 of 4 records could not be read; the output is incomplete")
	out := strings.Split(strings.TrimSpace(r.stdout), "\n")
	require.Len(t, out, 3)
	for _, line := range out[:2] {
		assert.Contains(t, line, `"type":"decision"`)
	}
	assert.Contains(t, out[2], `{"type":"error","error":"standard input: 2 of 4 records could not be read; the output is incomplete","complete":false}`)
	checkFailedOutput(t, r.stdout)
}

// TestReplayNeedsEachDetectionsTimeUnderASettingsHistory: a detection
// without createdDateTime cannot be placed in a settings history; it is
// reported, not decided as if block mode had never been turned on. With
// --at, or with a fixed --block-mode, it is decided.
func TestReplayNeedsEachDetectionsTimeUnderASettingsHistory(t *testing.T) {
	line := strings.SplitN(readFile(t, alerts), "\n", 2)[0]
	noTime := regexp.MustCompile(`"createdDateTime":"[^"]*",`).ReplaceAllString(line, "")
	require.NotEqual(t, line, noTime)
	args := []string{"replay", "--status", passive, "--prefs", "testdata/prefs-ps51.json", "--os", win11, "--detections", "-", "--json"}
	r := runCmd(t, noTime+"\n", append(args, "--settings", "testdata/settings.json")...)
	assert.Equal(t, exitError, r.code)
	assert.Contains(t, r.stderr, "line 1: field createdDateTime: missing")
	checkFailedOutput(t, r.stdout)

	r = runCmd(t, noTime+"\n", append(args, "--settings", "testdata/settings.json", "--at", "2023-12-05T12:00:00Z")...)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, `"inEffect":true`)

	r = runCmd(t, noTime+"\n", append(args, "--block-mode", "on")...)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, `"reason":"turned on (proposed with --block-mode on)"`)
}

// TestReplayIsInStreamOrder replays many detections, through several
// batches and workers: the output keeps the input's order, and each
// detection is decided under block mode's state at its own time.
func TestReplayIsInStreamOrder(t *testing.T) {
	const n = 3000
	path := writeAlerts(t, n)
	r := runCmd(t, "", "replay", "--status", passive, "--prefs", "testdata/prefs-ps51.json", "--os", win11, "--detections", path,
		"--settings", "testdata/settings.json", "--json")
	require.Equal(t, exitOK, r.code, r.stderr)
	out := strings.Split(strings.TrimSpace(r.stdout), "\n")
	require.Len(t, out, n+1)
	on := time.Date(2023, 12, 4, 10, 30, 0, 0, time.UTC)  // turned on at 10:00, +30 minutes to reach the device
	off := time.Date(2023, 12, 5, 14, 30, 0, 0, time.UTC) // turned off at 14:00, +30 minutes
	for i, line := range out[:n] {
		var d decisionLine
		require.NoError(t, json.Unmarshal([]byte(line), &d))
		require.Equal(t, fmt.Sprintf("gen-%04d", i%streamCycle), d.Decision.DetectionID)
		require.Equal(t, i+1, d.Line)
		inEffect := !d.At.Before(on) && d.At.Before(off)
		require.Equal(t, inEffect, d.BlockMode.InEffect, "%s at %s: %s", d.Decision.DetectionID, d.At, d.BlockMode.Reason)
	}
	var s summaryLine
	require.NoError(t, json.Unmarshal([]byte(out[n]), &s))
	assert.Equal(t, "summary", s.Type)
	assert.Equal(t, n, s.Detections)
}

// writeAlerts writes n generated alerts (see alertStream) to a file.
func writeAlerts(t testing.TB, n int) string {
	path := filepath.Join(t.TempDir(), "alerts.jsonl")
	f, err := os.Create(path)
	require.NoError(t, err)
	_, err = io.Copy(f, newAlertStream(t, n))
	require.NoError(t, err)
	require.NoError(t, f.Close())
	return path
}

// TestReplayProgress shows the progress line on a terminal and clears it.
func TestReplayProgress(t *testing.T) {
	path := writeAlerts(t, 5000)
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"replay", "--status", ps51, "--prefs", "testdata/prefs-ps51.json", "--os", win11, "--detections", path},
		env{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, stderrTTY: true, progressEvery: time.Millisecond, progressAfter: time.Nanosecond})
	require.Equal(t, exitOK, code, errOut.String())
	assert.Contains(t, errOut.String(), "replay: ")
	assert.Contains(t, errOut.String(), "% of ")
	assert.True(t, strings.HasSuffix(errOut.String(), "\r\033[K"), "the progress line is cleared at the end")

	// A message about an unreadable record clears the progress line
	// first: the two never run together.
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = f.WriteString("{\"id\": 5}\n")
	require.NoError(t, err)
	require.NoError(t, f.Close())
	errOut.Reset()
	code = run(context.Background(), []string{"replay", "--status", ps51, "--prefs", "testdata/prefs-ps51.json", "--os", win11, "--detections", path},
		env{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, stderrTTY: true, progressEvery: time.Millisecond, progressAfter: time.Nanosecond})
	require.Equal(t, exitError, code)
	msgs := errOut.String()
	require.Contains(t, msgs, "% of ", "the progress line was shown")
	for i := strings.Index(msgs, "edrcheck replay:"); i >= 0; {
		if i > 0 && msgs[i-1] != '\n' && !strings.HasSuffix(msgs[:i], "\r\033[K") {
			t.Fatalf("a message runs into the progress line: %q", msgs[max(0, i-60):i+20])
		}
		next := strings.Index(msgs[i+1:], "edrcheck replay:")
		if next < 0 {
			break
		}
		i += 1 + next
	}

	errOut.Reset()
	code = run(context.Background(), []string{"replay", "--status", ps51, "--prefs", "testdata/prefs-ps51.json", "--os", win11, "--detections", path, "--no-progress"},
		env{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, stderrTTY: true, progressEvery: time.Millisecond, progressAfter: time.Nanosecond})
	require.Equal(t, exitError, code)
	assert.NotContains(t, errOut.String(), "% of ", "--no-progress shows no progress line")
}

// TestExportLeavesOutARecordOCSFCannotCarry: a record that contradicts
// itself (an audit-mode record with an action that ran) is named on
// standard error and left out; the others are exported; the exit code
// says the export is not whole.
func TestExportLeavesOutARecordOCSFCannotCarry(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "history.db")
	store, err := boltstore.Open(path, boltstore.Options{NoSync: true})
	require.NoError(t, err)
	cfg := edrtest.Config(nil, nil)
	cfg.Store, cfg.Mode = store, edr.Audit
	e, err := edr.New(cfg)
	require.NoError(t, err)
	good, err := e.Handle(ctx, edrtest.Detection("good", edrtest.File(`C:\Users\sam\Downloads\setup.exe`)))
	require.NoError(t, err)
	require.NoError(t, e.Close(ctx))
	bad := good.Clone()
	bad.ID = "bad"
	bad.Actions[0].Result = edr.Succeeded
	require.NoError(t, store.Put(ctx, bad))
	require.NoError(t, store.Close())

	r := runCmd(t, "", "export", "--store", path, "--format", "ocsf")
	assert.Equal(t, exitError, r.code)
	assert.Contains(t, r.stderr, `"bad"`)
	assert.Contains(t, r.stderr, "1 record(s) could not be written as OCSF events and were left out")
	assert.Contains(t, r.stdout, `"uid":"good"`)
	assert.NotContains(t, r.stdout, `"uid":"bad"`)
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		assert.True(t, json.Valid([]byte(line)), "not JSON: %s", line)
	}
}
