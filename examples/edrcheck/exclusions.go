package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/blockmode/blockmode/exclusions"
)

const exclusionsDescription = `
Answers, for each path, whether the device's antivirus exclusions leave it
alone (and so whether block mode would leave it alone): excluded or not, by
which entry of ExclusionPath, ExclusionExtension or ExclusionProcess, and the
canonical form of the path that was compared. In every doubtful case (an 8.3
short name, a trailing dot, a stream, a restricted contextual exclusion) the
answer is "not excluded" and the notes say why.

Paths come from the arguments, or one per line on standard input. They are
read as the file system reports them (as in detection evidence); --typed
reads them as a person types them, with Win32's normalisation (trailing dots
and spaces stripped).

Exit code 1 when any path is excluded; 2 when a path is not a usable
absolute path (its line says why).`

const exclusionsExample = `  edrcheck exclusions --prefs prefs.json 'C:\Users\alice\AppData\Local\Temp\x.exe' 'D:\builds\out.log'
  Get-Content paths.txt | edrcheck exclusions --prefs prefs.json --json`

// pathResult is the exclusions command's answer for one path.
type pathResult struct {
	Type     string `json:"type"` // "path"
	Input    string `json:"input"`
	Excluded bool   `json:"excluded"`
	// Rule is the exclusion entry that covers the file.
	Rule *exclusions.Rule `json:"rule,omitempty"`
	// Unapplied is an entry that matched but cannot be shown to cover a
	// remediation (a restricted contextual exclusion, a process exclusion).
	Unapplied *exclusions.Rule `json:"unapplied,omitempty"`
	// Canonical is the form of the path that was compared.
	Canonical *exclusions.Canonical `json:"canonical,omitempty"`
	// Process is the form of --process that was compared.
	Process *exclusions.Canonical `json:"process,omitempty"`
	// Notes say what was left open, and why a path is not excluded.
	Notes exclusions.Notes `json:"notes,omitempty"`
	Error string           `json:"error,omitempty"`
}

func newPathResult(input string, res exclusions.Result) pathResult {
	r := pathResult{Type: "path", Input: input, Excluded: res.Excluded, Notes: res.Notes}
	if res.Rule.Kind != 0 {
		r.Rule = &res.Rule
	}
	if res.Unapplied.Kind != 0 {
		r.Unapplied = &res.Unapplied
	}
	if res.Path.Path != "" {
		r.Canonical = &res.Path
	}
	if res.Process.Path != "" {
		r.Process = &res.Process
	}
	if res.Err != nil {
		r.Error = res.Err.Error()
	}
	return r
}

// maxPathLine bounds one line of standard input: a path of 32,767 UTF-16
// code units is at most three times that in UTF-8.
const maxPathLine = 3*32767 + 2

func runExclusions(ctx context.Context, args []string, e env) (int, error) {
	var df deviceFlags
	var asJSON, typed bool
	var process string
	fs := flagSet(e, "exclusions", "--prefs FILE [--status FILE] [--process IMAGE] [--typed] [--json] [PATH...]", exclusionsDescription, exclusionsExample)
	df.register(fs, false, true)
	fs.StringVar(&process, "process", "", "the full `PATH` of the process that opened the files, for ExclusionProcess entries")
	fs.BoolVar(&typed, "typed", false, "read the paths as typed by a person (Win32 normalisation), not as reported by the file system")
	fs.BoolVar(&asJSON, "json", false, "print one JSON line per path instead of the table")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return 0, err
	}
	if len(pos) == 0 && (df.prefs == "-" || df.status == "-") {
		return 0, usagef("no paths given, and standard input is read by --prefs or --status")
	}
	if err := oneStdin("status", df.status, "prefs", df.prefs); err != nil {
		return 0, err
	}
	dev, err := df.load(e, false, true, true)
	if err != nil {
		return 0, err
	}
	m, warnings, err := dev.compile(dev.list())
	if err != nil {
		return 0, &inputError{file: df.prefs, err: err}
	}
	src := exclusions.FileSystem
	if typed {
		src = exclusions.Typed
	}

	// Paths from the arguments, or from standard input.
	next := func() (string, bool, error) {
		if len(pos) == 0 {
			return "", false, nil
		}
		p := pos[0]
		pos = pos[1:]
		return p, true, nil
	}
	if len(pos) == 0 {
		sc := bufio.NewScanner(e.stdin)
		sc.Buffer(make([]byte, 0, 64<<10), maxPathLine)
		line := 0
		next = func() (string, bool, error) {
			for sc.Scan() {
				line++
				p := strings.TrimSuffix(sc.Text(), "\r")
				if strings.TrimSpace(p) == "" {
					continue
				}
				return p, true, nil
			}
			if err := sc.Err(); err != nil {
				if errors.Is(err, bufio.ErrTooLong) {
					err = fmt.Errorf("line %d: longer than a Windows path can be (%d bytes)", line+1, maxPathLine)
				}
				return "", false, &inputError{file: "standard input", err: err}
			}
			return "", false, nil
		}
	}

	w := bufio.NewWriter(e.stdout)
	t := newText(w)
	var tb *table
	if !asJSON {
		tb = t.table("PATH", "EXCLUDED", "RULE", "CANONICAL", "NOTES")
	}
	excluded, bad := 0, 0
	for {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		p, ok, err := next()
		if err != nil {
			return 0, err
		}
		if !ok {
			break
		}
		res := m.Lookup(ctx, exclusions.Query{Path: p, Source: src, Process: process, ProcessSource: src})
		r := newPathResult(p, res)
		if res.Err != nil {
			bad++
		}
		if res.Excluded {
			excluded++
		}
		if asJSON {
			if err := writeJSONLine(w, r); err != nil {
				return 0, err
			}
			continue
		}
		verdict := "no"
		if res.Excluded {
			verdict = "yes"
		}
		notes := strings.Join(res.Notes.Names(), ", ")
		if r.Error != "" {
			verdict, notes = "error", r.Error
		}
		unapplied := ""
		if res.Unapplied.Kind != 0 {
			unapplied = "matched but not applied: " + ruleText(res.Unapplied)
			notes = strings.TrimPrefix(notes+"; "+unapplied, "; ")
		}
		tb.row(p, verdict, ruleText(res.Rule), res.Path.String(), notes)
	}
	if tb != nil {
		tb.flush()
		for _, warn := range append(dev.warnings, warnings...) {
			t.f("warning: %s\n", warn)
		}
	} else {
		for _, warn := range append(dev.warnings, warnings...) {
			fmt.Fprintf(e.stderr, "edrcheck exclusions: warning: %s\n", warn)
		}
	}
	if t.err != nil {
		return 0, t.err
	}
	if err := w.Flush(); err != nil {
		return 0, err
	}
	switch {
	case bad > 0:
		fmt.Fprintf(e.stderr, "edrcheck exclusions: %d path(s) could not be checked\n", bad)
		return exitError, nil
	case excluded > 0:
		return exitFindings, nil
	}
	return exitOK, nil
}

// The lint command.

const lintDescription = `
Lists the risky entries of the device's antivirus exclusions, as Microsoft's
"Common mistakes to avoid when defining exclusions" describes them: each
with its finding id, severity, the entry and why, one line.

Exit code 1 when there is any finding.`

const lintExample = `  edrcheck lint --prefs prefs.json
  edrcheck lint --prefs prefs.json --json | jq -r 'select(.severity=="high") | .entry.text'`

// lintFinding is one line of the lint command's JSON output.
type lintFinding struct {
	Type string `json:"type"` // "finding"
	exclusions.Finding
}

func runLint(_ context.Context, args []string, e env) (int, error) {
	var df deviceFlags
	var asJSON bool
	fs := flagSet(e, "lint", "--prefs FILE [--json]", lintDescription, lintExample)
	df.register(fs, false, true)
	fs.BoolVar(&asJSON, "json", false, "print one JSON line per finding instead of the table")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return 0, err
	}
	if err := noArgs(pos); err != nil {
		return 0, err
	}
	dev, err := df.load(e, false, true, true)
	if err != nil {
		return 0, err
	}
	findings := exclusions.Lint(dev.list())
	_, warnings, err := dev.compile(dev.list())
	if err != nil {
		return 0, &inputError{file: df.prefs, err: err}
	}
	warnings = append(dev.warnings, warnings...)
	w := bufio.NewWriter(e.stdout)
	if asJSON {
		for _, f := range findings {
			if err := writeJSONLine(w, lintFinding{"finding", f}); err != nil {
				return 0, err
			}
		}
		for _, warn := range warnings {
			fmt.Fprintf(e.stderr, "edrcheck lint: warning: %s\n", warn)
		}
	} else {
		t := newText(w)
		if len(findings) == 0 {
			t.f("No risky exclusions among %d entries.\n", entries(dev.list()))
		} else {
			tb := t.table("SEVERITY", "ID", "ENTRY", "WHY")
			for _, f := range findings {
				tb.row(f.Severity.String(), f.ID, ruleText(f.Entry), f.Reason)
			}
			tb.flush()
			t.f("\n%d finding(s) among %d entries.\n", len(findings), entries(dev.list()))
		}
		for _, warn := range warnings {
			t.f("warning: %s\n", warn)
		}
		if t.err != nil {
			return 0, t.err
		}
	}
	if err := w.Flush(); err != nil {
		return 0, err
	}
	if len(findings) > 0 {
		return exitFindings, nil
	}
	return exitOK, nil
}

func entries(l exclusions.List) int { return len(l.Paths) + len(l.Extensions) + len(l.Processes) }
