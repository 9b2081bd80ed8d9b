package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"time"

	"github.com/blockmode/blockmode/edr"
	"github.com/blockmode/blockmode/edr/boltstore"
	"github.com/blockmode/blockmode/edr/ocsf"
)

const exportDescription = `
Writes the action records of an engine's history (the edr/boltstore file an
agent keeps) as JSON lines: each record as the engine stored it (--format
json), or as OCSF events for a SIEM (--format ocsf): a Detection Finding
per record, and a remediation activity per action that ran (File
Remediation Activity for a quarantine or restore, Process Remediation
Activity for a process stop). Audit-mode records are exported as what they
are: never as a block.

The file is opened read-only and never changed; it cannot be read while an
agent has it open for writing. Records still in progress have no outcome:
they are exported in the json format and skipped (and counted on standard
error) in the ocsf format. A record the schema cannot carry (one that
contradicts itself) is left out and named on standard error, and the exit
code is then 2; an error reading the file stops the export, also with
exit code 2: output already written is then not the whole history.`

const exportExample = `  edrcheck export --store history.db --format ocsf --since 2024-05-01 > events.jsonl
  edrcheck export --store history.db --status failed,"partially remediated"`

func runExport(ctx context.Context, args []string, e env) (int, error) {
	var store, format, since, until, statuses, device string
	fs := flagSet(e, "export", "--store FILE [--format json|ocsf] [--since TIME] [--until TIME] [--status S,...] [--device ID]", exportDescription, exportExample)
	fs.StringVar(&store, "store", "", "the history `FILE` (edr/boltstore) (required)")
	fs.StringVar(&format, "format", "json", "`json` (the records) or ocsf (OCSF events)")
	fs.StringVar(&since, "since", "", "only records received at or after this `TIME` (RFC 3339 or a date)")
	fs.StringVar(&until, "until", "", "only records received before this `TIME`")
	fs.StringVar(&statuses, "status", "", "only records with these `STATUSES`, comma-separated (blocked, prevented, detected, excluded, failed, partially remediated, would block (audit), undone, in progress)")
	fs.StringVar(&device, "device", "", "only this device's records (`ID`)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return 0, err
	}
	if err := noArgs(pos); err != nil {
		return 0, err
	}
	if store == "" {
		return 0, usagef("--store is required")
	}
	if format != "json" && format != "ocsf" {
		return 0, usagef("--format: %q is not json or ocsf", format)
	}
	q := edr.Query{DeviceID: device, Limit: 500}
	if since != "" {
		if q.From, err = parseTime(since); err != nil {
			return 0, usagef("--since: %v", err)
		}
	}
	if until != "" {
		if q.To, err = parseTime(until); err != nil {
			return 0, usagef("--until: %v", err)
		}
	}
	if statuses != "" {
		for s := range strings.SplitSeq(statuses, ",") {
			var st edr.RecordStatus
			if err := st.UnmarshalText([]byte(strings.TrimSpace(s))); err != nil {
				return 0, usagef("--status: %v", err)
			}
			q.Statuses = append(q.Statuses, st)
		}
	}

	s, err := boltstore.Open(store, boltstore.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		if errors.Is(err, boltstore.ErrLocked) {
			err = fmt.Errorf("%w (an agent has it open; export a copy, or stop the agent)", err)
		}
		return 0, &inputError{file: store, err: err}
	}
	defer s.Close()

	w := bufio.NewWriterSize(e.stdout, 64<<10)
	enc := ocsf.NewEncoder(w, ocsf.Options{ProductVersion: version()})
	exported, skipped, malformed := 0, 0, 0
	for {
		page, err := s.Query(ctx, q)
		if err != nil {
			return 0, &inputError{file: store, err: err}
		}
		for _, r := range page.Records {
			switch format {
			case "json":
				b, err := r.MarshalJSON()
				if err != nil {
					return 0, &inputError{file: store, err: fmt.Errorf("record %q: %w", r.ID, err)}
				}
				if _, err := w.Write(append(b, '\n')); err != nil {
					return 0, err
				}
			case "ocsf":
				err := enc.Encode(r)
				var re *ocsf.RecordError
				switch {
				case errors.Is(err, ocsf.ErrNotTerminal):
					skipped++
					continue
				case errors.As(err, &re):
					// One record the schema cannot carry does not hold
					// back the others; it is named, and the exit code
					// says the export is not whole.
					if malformed < maxReportedErrors {
						fmt.Fprintf(e.stderr, "edrcheck export: %s: %v\n", store, err)
					}
					malformed++
					continue
				case err != nil:
					return 0, err
				}
			}
			exported++
		}
		if page.Next == "" {
			break
		}
		q.After = page.Next
	}
	if err := w.Flush(); err != nil {
		return 0, err
	}
	if skipped > 0 {
		fmt.Fprintf(e.stderr, "edrcheck export: %d record(s) still in progress were skipped: they have no outcome yet\n", skipped)
	}
	if malformed > 0 {
		return 0, &inputError{file: store, err: fmt.Errorf("%d record(s) could not be written as OCSF events and were left out; the others were exported", malformed)}
	}
	if e.stderrTTY {
		fmt.Fprintf(e.stderr, "edrcheck export: %d record(s) exported from %s\n", exported, store)
	}
	return exitOK, nil
}

// version is the module version edrcheck was built from, for the OCSF
// events' metadata.
func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return ""
}
