// Command edrcheck answers, from a device's own Defender output, the
// questions a security engineer asks about EDR in block mode: is the device
// eligible and is block mode in effect (status), is this file excluded
// (exclusions), which exclusions are risky (lint), what would block mode
// have done with these detections, and what would change under other
// settings (replay), and what did the engine do (export).
//
// Usage:
//
//	edrcheck status     --status status.json [--prefs prefs.json] [--os NAME]
//	edrcheck exclusions --prefs prefs.json [PATH...]        (paths on stdin if none)
//	edrcheck lint       --prefs prefs.json
//	edrcheck replay     --status status.json --prefs prefs.json --detections alerts.jsonl
//	                    [--block-mode on|off] [--add-exclusion P] [--remove-exclusion P]
//	                    [--settings changes.json] [--at TIME] [--compare]
//	edrcheck export     --store history.db [--format json|ocsf]
//
// Each command prints a table by default and JSON lines with --json; both
// carry the same information. "-" reads a file from standard input.
// "edrcheck COMMAND --help" describes a command, with an example.
//
// Exit codes: 0 ok, nothing found; 1 findings (the device is not eligible or
// block mode is not in effect, a path is excluded, a risky exclusion, a
// remediation difference); 2 a usage or input error (the message names the
// file, line and field).
//
// Install it with "go install github.com/blockmode/blockmode/examples/edrcheck@latest",
// or run it from a checkout with "go run ./examples/edrcheck".
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"
)

// Exit codes.
const (
	exitOK       = 0 // nothing found
	exitFindings = 1 // findings: not eligible, excluded, risky, different
	exitError    = 2 // usage or input error
)

// env is the process's outside world, so that tests run commands in
// process.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	// stdoutTTY and stderrTTY say whether the streams are terminals.
	stdoutTTY, stderrTTY bool
	// progressEvery and progressAfter pace replay's progress line; zero
	// means every 200ms, from one second on.
	progressEvery, progressAfter time.Duration
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	// The first Ctrl-C asks the command to stop where it is; from then on
	// the default handling is back, so a second one ends the process even
	// while it waits for input.
	context.AfterFunc(ctx, stop)
	code := run(ctx, os.Args[1:], env{
		stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr,
		stdoutTTY: isTerminal(os.Stdout), stderrTTY: isTerminal(os.Stderr),
	})
	stop()
	os.Exit(code)
}

// isTerminal reports whether f is a character device, as a terminal is.
func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// command is one subcommand.
type command struct {
	name, summary string
	run           func(ctx context.Context, args []string, e env) (int, error)
}

func commands() []command {
	return []command{
		{"status", "the running mode, eligibility for EDR in block mode, whether it is in effect, what to do", runStatus},
		{"exclusions", "whether each path is excluded, by which rule, in which canonical form", runExclusions},
		{"lint", "the risky antivirus exclusions", runLint},
		{"replay", "what block mode would have done with each detection, or what other settings would change", runReplay},
		{"export", "the action records of an engine's history, as JSON or OCSF events", runExport},
	}
}

const mainUsage = `edrcheck explains EDR in block mode from a device's own Defender output.

Usage:
  edrcheck COMMAND [flags]

Commands:
%s
Run "edrcheck COMMAND --help" for a command's flags and an example.

Exit codes: 0 ok, nothing found; 1 findings (not eligible or not in effect,
an excluded path, a risky exclusion, a remediation difference); 2 usage or
input error.
`

func usage(w io.Writer) {
	var b strings.Builder
	for _, c := range commands() {
		fmt.Fprintf(&b, "  %-11s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, mainUsage, b.String())
}

// run runs the command line args and returns the exit code.
func run(ctx context.Context, args []string, e env) int {
	if len(args) == 0 {
		usage(e.stderr)
		return exitError
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		if len(args) > 1 {
			return run(ctx, []string{args[1], "--help"}, e)
		}
		usage(e.stdout)
		return exitOK
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		code, err := c.run(ctx, args[1:], e)
		switch {
		case errors.Is(err, flag.ErrHelp):
			return exitOK
		case err != nil:
			report(e.stderr, c.name, err)
			return exitError
		}
		return code
	}
	fmt.Fprintf(e.stderr, "edrcheck: unknown command %q\n\n", args[0])
	usage(e.stderr)
	return exitError
}

// usageError is a mistake in the command line.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Sprintf(format, args...)}
}

// inputError is input that could not be used; the message names the file,
// and the wrapped error the line and field.
type inputError struct {
	file string
	err  error
}

func (e *inputError) Error() string { return e.file + ": " + e.err.Error() }
func (e *inputError) Unwrap() error { return e.err }

func report(w io.Writer, cmd string, err error) {
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(w, "edrcheck %s: %s\nRun \"edrcheck %s --help\" for usage.\n", cmd, ue.msg, cmd)
		return
	}
	fmt.Fprintf(w, "edrcheck %s: %v\n", cmd, err)
}

// flags is a command's FlagSet and its help text.
type flags struct {
	*flag.FlagSet
	help func() // prints the description, an example and the flags
}

// flagSet returns the flags of a command whose --help prints the
// description, an example and the flags on standard output.
func flagSet(e env, name, synopsis, description, example string) *flags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {} // errors are reported by run, help by parseArgs
	help := func() {
		w := e.stdout
		fmt.Fprintf(w, "Usage: edrcheck %s %s\n\n%s\n\nExample:\n%s\n\nFlags:\n", name, synopsis, strings.TrimSpace(description), example)
		fs.SetOutput(w)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	return &flags{fs, help}
}

// parseArgs parses flags and positional arguments in any order ("--"
// ends the flags).
func parseArgs(fs *flags, args []string) ([]string, error) {
	var pos []string
	for {
		err := fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			fs.help()
			return nil, err
		}
		if err != nil {
			return nil, &usageError{err.Error()}
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// oneStdin refuses "-" (standard input) for more than one flag, before
// anything is read.
func oneStdin(named ...string) error {
	var by []string
	for i := 0; i+1 < len(named); i += 2 {
		if named[i+1] == "-" {
			by = append(by, "--"+named[i])
		}
	}
	if len(by) > 1 {
		return usagef("%s cannot all read standard input", strings.Join(by, " and "))
	}
	return nil
}

// noArgs refuses positional arguments for commands that take none.
func noArgs(pos []string) error {
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	return nil
}

// openInput opens the file that flag flagName names, "-" being standard
// input, and returns it with the name errors give it; the caller closes
// it.
func openInput(e env, flagName, path string) (io.ReadCloser, string, error) {
	if path == "-" {
		return io.NopCloser(e.stdin), "standard input", nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, path, &inputError{file: "--" + flagName, err: err}
	}
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		f.Close()
		return nil, path, &inputError{file: path, err: errors.New("is a directory")}
	}
	return f, path, nil
}
