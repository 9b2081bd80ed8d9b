package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// checkPathErrors checks the output of an exclusions run that exited 2:
// one answer per path, each valid JSON, and at least one an error (a path
// that could not be checked) unless standard input could not be read.
func checkPathErrors(t *testing.T, stdout, stderr string) {
	t.Helper()
	if stdout == "" {
		return
	}
	errs := 0
	for _, line := range strings.Split(strings.TrimSuffix(stdout, "\n"), "\n") {
		var v struct {
			Type     string `json:"type"`
			Excluded bool   `json:"excluded"`
			Error    string `json:"error"`
		}
		if err := json.Unmarshal([]byte(line), &v); err != nil || v.Type != "path" {
			t.Fatalf("not a path answer: %q (%v)", line, err)
		}
		if v.Error != "" {
			errs++
			if v.Excluded {
				t.Fatalf("a path that could not be checked is excluded: %q", line)
			}
		}
	}
	if errs == 0 && !strings.Contains(stderr, "standard input") {
		t.Fatalf("exit 2 without a path error or an input error:\n%s\n%s", stdout, stderr)
	}
}

// FuzzCommands feeds arbitrary bytes, as standard input, to every command
// that reads a file: status and preferences output, paths, detection
// streams and settings histories. Properties: no panic; the exit code is
// 0, 1 or 2; a run that exits 2 says why on standard error and leaves
// nothing on standard output that passes for a result.
func FuzzCommands(f *testing.F) {
	files, err := filepath.Glob("testdata/*.json*")
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range append(files, "testdata/status-formatlist.txt", "testdata/prefs-formatlist-full.txt") {
		if strings.HasSuffix(name, ".golden") {
			continue
		}
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{"", "{", "[", `{"value":[`, "C:\\x\n\\\\?\\C:\\y\n", `[{"at":"2023-01-01T00:00:00Z","kind":"group","group":"g","passiveRemediation":7}]`} {
		f.Add([]byte(s))
	}
	prefs := "testdata/prefs-ps51.json"
	commands := [][]string{
		{"status", "--status", "-", "--os", win11},
		{"status", "--status", ps51, "--prefs", "-"},
		{"exclusions", "--prefs", prefs, "--json"},
		{"exclusions", "--prefs", "-", `C:\ProgramData\Contoso\Agent\Cache\x`},
		{"lint", "--prefs", "-", "--json"},
		{"replay", "--status", ps51, "--prefs", prefs, "--os", win11, "--detections", "-", "--json"},
		{"replay", "--status", ps51, "--prefs", prefs, "--os", win11, "--detections", "-", "--compare", "--block-mode", "off"},
		{"replay", "--status", passive, "--prefs", prefs, "--os", win11, "--detections", alerts, "--settings", "-"},
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, args := range commands {
			r := runCmd(t, string(data), args...)
			switch r.code {
			case exitOK, exitFindings:
			case exitError:
				if !strings.HasPrefix(r.stderr, "edrcheck "+args[0]) {
					t.Fatalf("%v: exit 2 without a message: %q", args, r.stderr)
				}
				if args[0] == "exclusions" {
					checkPathErrors(t, r.stdout, r.stderr)
				} else {
					checkFailedOutput(t, r.stdout)
				}
			default:
				t.Fatalf("%v: exit %d", args, r.code)
			}
		}
	})
}
