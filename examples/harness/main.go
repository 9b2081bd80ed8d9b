// Command harness runs the EDR in block mode engine against a fake host
// with scripted faults, and prints the action history: a test harness in
// miniature, runnable. Its test file, harness_test.go, is the one to copy:
// it drives the engine through edrtest with faults and checks the records.
//
//	go run ./examples/harness [-audit] [-json]
//
// The scenario: a running process is blocked; a locked file is retried
// until its quarantine works; a process that cannot be stopped keeps its
// file; a quarantine driver panics; a stop hangs until the action timeout;
// a detection handed in twice gives one record; the locked file's
// quarantine is undone. With -audit the engine decides and records what
// block mode would have done, and calls no hook.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/blockmode/blockmode/detect"
	"github.com/blockmode/blockmode/edr"
	"github.com/blockmode/blockmode/edr/edrtest"
)

type options struct {
	audit bool
	json  bool
}

func main() {
	var o options
	flag.BoolVar(&o.audit, "audit", false, "run the engine in audit mode: decide and record, call no hook")
	flag.BoolVar(&o.json, "json", false, "print the records as JSON lines")
	flag.Parse()
	if err := run(os.Stdout, o); err != nil {
		fmt.Fprintln(os.Stderr, "harness:", err)
		os.Exit(1)
	}
}

// The artifacts of the scenario.
const (
	invoice = `C:\Users\alex\Downloads\invoice.exe`
	locked  = `C:\ProgramData\updater\locked.dll`
	tool    = `C:\Users\alex\AppData\Local\Temp\tool.exe`
	driver  = `C:\Windows\Temp\driver.sys`
	stuck   = `C:\Users\alex\AppData\Roaming\stuck.exe`
)

// step is one detection handed to the engine.
type step struct {
	id       string
	evidence []detect.Evidence
}

func scenario() []step {
	return []step{
		{"det-running-process", []detect.Evidence{edrtest.Process(4120, invoice)}},
		{"det-locked-file", []detect.Evidence{edrtest.File(locked)}},
		{"det-access-denied", []detect.Evidence{edrtest.Process(5000, tool)}},
		{"det-driver-panics", []detect.Evidence{edrtest.File(driver)}},
		{"det-stop-hangs", []detect.Evidence{edrtest.Process(6000, stuck)}},
		{"det-running-process", []detect.Evidence{edrtest.Process(4120, invoice)}}, // again: same record
	}
}

// newHost is the fake host with the scenario's faults.
func newHost(clock *edrtest.Clock) *edrtest.Host {
	host := &edrtest.Host{Clock: clock}
	host.Fault(edrtest.Quarantine, edrtest.FailTemporarily(2).Match(edrtest.Match{Path: locked}))
	host.Fault(edrtest.StopProcess, edrtest.Fail(errors.New("access denied")).Match(edrtest.Match{ProcessID: 5000}))
	host.Fault(edrtest.Quarantine, edrtest.Panic("quarantine driver: invalid handle").Match(edrtest.Match{Path: driver}))
	host.Fault(edrtest.StopProcess, edrtest.Hang().Match(edrtest.Match{ProcessID: 6000}))
	return host
}

func run(w io.Writer, o options) error {
	clock := new(edrtest.Clock)
	host := newHost(clock)
	cfg := edrtest.Config(clock, host)
	cfg.Limits.ActionTimeout = 50 * time.Millisecond
	if o.audit {
		cfg.Mode = edr.Audit
	}
	eng, err := edr.New(cfg)
	if err != nil {
		return err
	}
	ctx := context.Background()
	defer eng.Close(ctx)

	var recs []edr.Record
	for _, s := range scenario() {
		clock.Advance(time.Minute)
		rec, err := eng.Handle(ctx, edrtest.Detection(s.id, s.evidence...))
		if err != nil {
			return fmt.Errorf("handling %s: %w", s.id, err)
		}
		recs = append(recs, rec)
	}
	if !o.audit {
		clock.Advance(time.Hour)
		rec, err := eng.Undo(ctx, "det-locked-file", "alice@contoso.com")
		if err != nil {
			return fmt.Errorf("undo: %w", err)
		}
		recs = append(recs, rec)
	}

	if o.json {
		enc := json.NewEncoder(w)
		for _, r := range recs {
			if err := enc.Encode(r); err != nil {
				return err
			}
		}
		return nil
	}
	for _, r := range recs {
		printRecord(w, r)
	}
	fmt.Fprintf(w, "\n%d hook calls:\n", len(host.Calls()))
	for _, c := range host.Calls() {
		fmt.Fprintln(w, " ", c)
	}
	return nil
}

func printRecord(w io.Writer, r edr.Record) {
	fmt.Fprintf(w, "%s %s: %s (rev %d)\n", r.Finished.Format("15:04"), r.ID, r.Status, r.Revision)
	if len(r.Actions) == 0 {
		fmt.Fprintf(w, "    %s\n", r.Decision.Reason)
	}
	for _, a := range r.Actions {
		var detail []string
		switch {
		case a.Attempts == 1:
			detail = append(detail, "1 attempt")
		case a.Attempts > 1:
			detail = append(detail, fmt.Sprintf("%d attempts", a.Attempts))
		}
		if a.QuarantineID != "" {
			detail = append(detail, "quarantine id "+a.QuarantineID)
		}
		if a.Error != "" {
			detail = append(detail, a.Error)
		}
		line := fmt.Sprintf("    %s: %s", a.Action, a.Result)
		if len(detail) > 0 {
			line += " (" + strings.Join(detail, "; ") + ")"
		}
		fmt.Fprintln(w, line)
	}
	if r.Note != "" {
		fmt.Fprintf(w, "    note: %s\n", r.Note)
	}
}
