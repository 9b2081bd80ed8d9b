// Command quickstart reads a sample device's real-shaped Get-MpComputerStatus
// and Get-MpPreference output and explains its running mode, what that mode
// can do, whether the device is eligible for EDR in block mode, whether
// block mode is in effect, and why.
//
// Run it with "go run ./examples/quickstart", or point it at a device's own
// output (ConvertTo-Json from either PowerShell, or the console's text):
//
//	go run ./examples/quickstart -status status.json -prefs prefs.json -os "Windows 11" [-json]
package main

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/blockmode/blockmode/edr"
	"github.com/blockmode/blockmode/mode"
)

// The bundled sample: a Windows Server 2022 device running the built-in
// antivirus passive beside another vendor's, with EDR in block mode on.
var (
	//go:embed sample/status.json
	sampleStatus []byte
	//go:embed sample/prefs.json
	samplePrefs []byte
)

const sampleOS = "Windows Server 2022"

type options struct {
	statusPath, prefsPath, os string
	json                      bool
}

func main() {
	var o options
	flag.StringVar(&o.statusPath, "status", "", "Get-MpComputerStatus output (JSON or console text); default: the bundled sample")
	flag.StringVar(&o.prefsPath, "prefs", "", "Get-MpPreference output; default: the bundled sample")
	flag.StringVar(&o.os, "os", "", `the device's operating system, e.g. "Windows 11" (default: the sample's, `+sampleOS+`)`)
	flag.BoolVar(&o.json, "json", false, "print JSON instead of text")
	flag.Parse()
	if err := run(os.Stdout, o); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(2)
	}
}

func open(path string, sample []byte) (io.ReadCloser, error) {
	if path == "" {
		return io.NopCloser(bytes.NewReader(sample)), nil
	}
	return os.Open(path)
}

// explanation is everything the quickstart says about the device.
type explanation struct {
	Mode         mode.Mode    `json:"mode"`
	Description  string       `json:"description"`
	Capabilities []mode.Entry `json:"capabilities"`
	Report       edr.Report   `json:"blockMode"`
	Warnings     []string     `json:"warnings,omitempty"`
}

func run(w io.Writer, o options) error {
	r, err := open(o.statusPath, sampleStatus)
	if err != nil {
		return err
	}
	defer r.Close()
	status, err := mode.ParseStatus(r)
	if err != nil {
		return fmt.Errorf("status: %w", err)
	}

	var warnings []string
	r, err = open(o.prefsPath, samplePrefs)
	if err != nil {
		return err
	}
	defer r.Close()
	prefs, err := mode.ParsePreferences(r)
	switch {
	case errors.Is(err, mode.ErrHiddenExclusions), errors.Is(err, mode.ErrTruncatedList):
		warnings = append(warnings, "preferences: "+err.Error())
	case err != nil:
		return fmt.Errorf("preferences: %w", err)
	}

	facts := edr.FactsFromPlatform(status, prefs)
	osName := o.os
	if osName == "" && o.statusPath == "" {
		osName = sampleOS
	}
	if osName != "" {
		if facts.OS, err = mode.ParseOS(osName); err != nil {
			return fmt.Errorf("-os: %w", err)
		}
	}
	m := status.AMRunningMode
	e := explanation{Mode: m, Description: m.Description(), Capabilities: m.Capabilities(), Report: edr.Eligibility(facts), Warnings: warnings}
	if o.json {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(e)
	}
	return printText(w, status, facts, e)
}

func printText(w io.Writer, status *mode.Status, facts edr.DeviceFacts, e explanation) error {
	p := func(format string, args ...any) { fmt.Fprintf(w, format, args...) }
	id := status.ComputerID
	if id == "" {
		id = "(no ComputerID)"
	}
	p("Device %s, %s, read from Get-MpComputerStatus %s output\n\n", id, facts.OS, status.Form)
	p("Running mode: %s (%s)\n", e.Mode, e.Description)
	for _, c := range e.Capabilities {
		p("%s\n", strings.TrimRight(fmt.Sprintf("  %-34s %-7s %s", c.Capability, c.Support, c.Note), " "))
	}

	r := e.Report
	p("\nEDR in block mode (rules %s)\n", r.Ruleset)
	p("  eligible: %s\n", r.Eligible)
	for _, c := range r.Checks {
		p("  %-7s %-16s observed: %s\n", c.Result, c.ID, c.Observed)
		if c.Result != edr.Pass {
			p("          %-16s required: %s\n", "", c.Required)
		}
	}
	p("  in effect: %s: %s\n", r.InEffect, r.InEffectReason)
	if len(r.Recommendations) == 0 {
		p("\nRecommendations: none\n")
	} else {
		p("\nRecommendations:\n")
		for _, rec := range r.Recommendations {
			p("  - %s: %s\n", rec.Title, rec.Detail)
		}
	}
	for _, warn := range e.Warnings {
		p("\nwarning: %s\n", warn)
	}
	return nil
}
