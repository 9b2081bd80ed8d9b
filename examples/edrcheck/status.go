package main

import (
	"context"
	"encoding/json"
	"io"

	"github.com/blockmode/blockmode/edr"
	"github.com/blockmode/blockmode/mode"
)

const statusDescription = `
Reads a device's Get-MpComputerStatus output (and Get-MpPreference output,
for cloud-delivered protection) and prints its running mode, each
requirement of EDR in block mode with the observed and required values,
whether block mode is in effect and why, and the recommendations.

Get-MpComputerStatus does not report the operating system: give it with
--os, or the operating-system requirement stays unknown.

Exit code 1 when the device is not eligible, its eligibility is unknown,
or there are recommendations (block mode is not in effect).`

const statusExample = `  # on the device, in PowerShell:
  #   Get-MpComputerStatus | ConvertTo-Json > status.json
  #   Get-MpPreference | ConvertTo-Json > prefs.json
  edrcheck status --status status.json --prefs prefs.json --os "Windows Server 2022 Standard"`

// statusReport is the status command's output.
type statusReport struct {
	Type        string     `json:"type"` // "status"
	Device      string     `json:"device,omitempty"`
	OS          mode.OS    `json:"os"`
	Form        mode.Form  `json:"form"`
	Mode        mode.Mode  `json:"mode"`
	Description string     `json:"modeDescription"`
	Report      edr.Report `json:"blockMode"`
	Warnings    []string   `json:"warnings,omitempty"`
}

func runStatus(_ context.Context, args []string, e env) (int, error) {
	var df deviceFlags
	var asJSON bool
	fs := flagSet(e, "status", "--status FILE [--prefs FILE] [--os NAME] [--json]", statusDescription, statusExample)
	df.register(fs, true, false)
	fs.BoolVar(&asJSON, "json", false, "print one JSON line instead of the table")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return 0, err
	}
	if err := noArgs(pos); err != nil {
		return 0, err
	}
	dev, err := df.load(e, true, false, false)
	if err != nil {
		return 0, err
	}
	r := statusReport{
		Type: "status", Device: dev.facts.DeviceID, OS: dev.facts.OS, Form: dev.status.Form,
		Mode: dev.status.AMRunningMode, Description: dev.status.AMRunningMode.Description(),
		Report: dev.rules.Eligibility(dev.facts), Warnings: dev.warnings,
	}
	if asJSON {
		err = writeJSONLine(e.stdout, r)
	} else {
		err = printStatus(e.stdout, r)
	}
	if err != nil {
		return 0, err
	}
	if r.Report.Eligible != edr.Pass || len(r.Report.Recommendations) > 0 {
		return exitFindings, nil
	}
	return exitOK, nil
}

func printStatus(w io.Writer, r statusReport) error {
	t := newText(w)
	device := r.Device
	if device == "" {
		device = "(no ComputerID)"
	}
	t.f("Device:       %s\n", device)
	t.f("OS:           %s\n", r.OS)
	t.f("Read from:    %s\n", formText(r.Form))
	t.f("Running mode: %s: %s\n\n", r.Mode, r.Description)

	rep := r.Report
	t.f("EDR in block mode (rules %s): eligible: %s\n\n", rep.Ruleset, rep.Eligible)
	tw := t.table("RESULT", "REQUIREMENT", "OBSERVED", "REQUIRED")
	for _, c := range rep.Checks {
		tw.row(c.Result.String(), string(c.ID), c.Observed, c.Required)
	}
	tw.flush()
	for _, c := range rep.Checks {
		if c.Remedy != "" {
			t.f("  %s: %s\n", c.ID, c.Remedy)
		}
	}
	t.f("\nIn effect: %s: %s\n", rep.InEffect, rep.InEffectReason)
	if len(rep.Recommendations) == 0 {
		t.f("\nRecommendations: none\n")
	} else {
		t.f("\nRecommendations:\n")
		for _, rec := range rep.Recommendations {
			t.f("  - [%s] %s: %s\n", rec.ID, rec.Title, rec.Detail)
		}
	}
	for _, warn := range r.Warnings {
		t.f("\nwarning: %s\n", warn)
	}
	return t.err
}

// writeJSONLine writes v as one line of JSON.
func writeJSONLine(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// formText names the output a status was read from, as a person ran it.
func formText(f mode.Form) string {
	switch f {
	case mode.FormJSON:
		return "Get-MpComputerStatus | ConvertTo-Json"
	case mode.FormList:
		return "Get-MpComputerStatus (the console's list)"
	case mode.FormTable:
		return "Get-MpComputerStatus | select (the console's table)"
	case mode.FormServiceQuery:
		return "sc query windefend"
	}
	return f.String()
}
