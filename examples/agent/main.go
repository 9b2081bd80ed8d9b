// Command agent is a realistic integration of the SDK: it reads the
// device's Get-MpComputerStatus and Get-MpPreference output, compiles the
// antivirus exclusions, opens a durable action history, and runs detections
// (Graph security alerts as JSON lines) through the engine with a host that
// logs what it would do. It prints one line per record.
//
// With no arguments it runs on the bundled sample data:
//
//	go run ./examples/agent
//	go run ./examples/agent -detections alerts.jsonl -status status.json -prefs prefs.json -db history.db [-audit]
package main

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/blockmode/blockmode/detect"
	"github.com/blockmode/blockmode/edr"
	"github.com/blockmode/blockmode/edr/boltstore"
	"github.com/blockmode/blockmode/exclusions"
	"github.com/blockmode/blockmode/mode"
	"github.com/blockmode/blockmode/remediate"
)

var (
	//go:embed sample/alerts.jsonl
	sampleAlerts []byte
	//go:embed sample/status.json
	sampleStatus []byte
	//go:embed sample/prefs.json
	samplePrefs []byte
)

type options struct {
	detections, status, prefs, db, os string
	audit, verbose                    bool
}

func main() {
	var o options
	flag.StringVar(&o.detections, "detections", "", "Graph security alerts as JSON lines or a JSON array; default: the bundled sample")
	flag.StringVar(&o.status, "status", "", "Get-MpComputerStatus output; default: the bundled sample")
	flag.StringVar(&o.prefs, "prefs", "", "Get-MpPreference output; default: the bundled sample")
	flag.StringVar(&o.os, "os", "Windows Server 2022", "the device's operating system")
	flag.StringVar(&o.db, "db", "", "the action history file; default: a new file in a temporary folder")
	flag.BoolVar(&o.audit, "audit", false, "audit mode: decide and record, call no hook")
	flag.BoolVar(&o.verbose, "v", false, "log the engine's work to standard error")
	flag.Parse()
	if err := run(context.Background(), os.Stdout, o); err != nil {
		fmt.Fprintln(os.Stderr, "agent:", err)
		os.Exit(2)
	}
}

// loggingHost is the host: it logs what a real agent would do.
type loggingHost struct{ w io.Writer }

func (h loggingHost) StopProcess(ctx context.Context, a remediate.Action) error {
	fmt.Fprintf(h.w, "  host: stop process %d (%s) on %s\n", a.ProcessID, a.Path, a.DeviceID)
	return nil
}

func (h loggingHost) Quarantine(ctx context.Context, a remediate.Action) (string, error) {
	fmt.Fprintf(h.w, "  host: quarantine %s\n", a.Path)
	return "quarantine/" + filepath.Base(a.Path), nil
}

func (h loggingHost) Restore(ctx context.Context, id string, a remediate.Action) error {
	fmt.Fprintf(h.w, "  host: restore %s from %s\n", a.Path, id)
	return nil
}

func input(path string, sample []byte) ([]byte, error) {
	if path == "" {
		return sample, nil
	}
	return os.ReadFile(path)
}

func run(ctx context.Context, w io.Writer, o options) error {
	statusIn, err := input(o.status, sampleStatus)
	if err != nil {
		return err
	}
	status, err := mode.ParseStatus(bytes.NewReader(statusIn))
	if err != nil {
		return fmt.Errorf("status: %w", err)
	}
	prefsIn, err := input(o.prefs, samplePrefs)
	if err != nil {
		return err
	}
	prefs, err := mode.ParsePreferences(bytes.NewReader(prefsIn))
	if err != nil {
		return fmt.Errorf("preferences: %w", err)
	}

	// The device's facts, and the exclusions its antivirus honours.
	device := edr.FactsFromPlatform(status, prefs)
	if device.OS, err = mode.ParseOS(o.os); err != nil {
		return err
	}
	excl, err := exclusions.Compile(exclusions.List{Paths: prefs.ExclusionPath, Extensions: prefs.ExclusionExtension, Processes: prefs.ExclusionProcess},
		exclusions.Options{Platform: exclusions.Version(status.AMProductVersion), Engine: exclusions.Version(status.AMEngineVersion)})
	var ce *exclusions.CompileError
	switch {
	case errors.As(err, &ce):
		fmt.Fprintf(w, "warning: %v\n", err) // the good entries are loaded
	case err != nil:
		return err
	}

	// The device reports "EDR Block Mode": block mode is in effect, so the
	// settings history records it turned on before the first detection.
	settings := new(edr.History)
	if device.Mode == mode.EDRBlock {
		admin := edr.Actor{Name: "tenant-policy", Roles: []edr.Role{edr.SecurityAdministrator}}
		if _, err := settings.SetTenant(admin, true, time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)); err != nil {
			return err
		}
	}

	dbPath := o.db
	if dbPath == "" {
		dir, err := os.MkdirTemp("", "blockmode-agent-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		dbPath = filepath.Join(dir, "history.db")
	}
	store, err := boltstore.Open(dbPath, boltstore.Options{})
	if err != nil {
		return err
	}
	defer store.Close()

	logger := slog.New(slog.DiscardHandler)
	if o.verbose {
		logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	host := loggingHost{w: w}
	cfg := edr.Config{
		Hooks:      edr.Hooks{StopProcess: host, Quarantine: host, Restore: host},
		Store:      store,
		Exclusions: excl,
		Settings:   settings,
		Device:     device,
		Logger:     logger,
	}
	if o.audit {
		cfg.Mode = edr.Audit
	}
	engine, err := edr.New(cfg)
	if err != nil {
		return err
	}

	alerts, err := input(o.detections, sampleAlerts)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "device %s: %s, block mode %s, %d exclusions, history %s\n\n",
		device.DeviceID, device.Mode, settings.State(device, time.Now()).State, excl.Len(), dbPath)
	dec := detect.NewDecoder(bytes.NewReader(alerts), detect.Options{})
	for det, err := range dec.All() {
		if err != nil {
			fmt.Fprintf(w, "skipped: %v\n", err) // a bad line; the stream goes on
			continue
		}
		fmt.Fprintf(w, "%s  %q\n", det.ID, det.Title)
		rec, err := engine.Handle(ctx, det)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "  -> %s: %s\n", rec.Status, rec.Decision.Reason)
	}
	if err := engine.Close(ctx); err != nil {
		return err
	}
	page, err := store.Query(ctx, edr.Query{})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\naction history: %d records\n", len(page.Records))
	for _, r := range page.Records {
		fmt.Fprintf(w, "  %-36s %s\n", r.ID, r.Status)
	}
	return nil
}
