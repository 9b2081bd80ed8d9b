package main

import (
	"errors"
	"fmt"

	"github.com/blockmode/blockmode/edr"
	"github.com/blockmode/blockmode/exclusions"
	"github.com/blockmode/blockmode/mode"
)

// deviceFlags are the flags that describe the device: its platform output
// and what that output does not say.
type deviceFlags struct {
	status, prefs string
	os, group     string
	ruleset       string
}

func (d *deviceFlags) register(fs *flags, needStatus, needPrefs bool) {
	req := func(need bool) string {
		if need {
			return " (required)"
		}
		return ""
	}
	fs.StringVar(&d.status, "status", "", "`FILE` with Get-MpComputerStatus output: ConvertTo-Json from PowerShell 5.1 or 7, or the Format-List text; - for standard input"+req(needStatus))
	fs.StringVar(&d.prefs, "prefs", "", "`FILE` with Get-MpPreference output, in the same forms"+req(needPrefs))
	fs.StringVar(&d.os, "os", "", "the device's operating system as Windows names it, e.g. \"Windows 11 Enterprise\" or \"Windows Server 2022 Standard\" (Get-MpComputerStatus does not report it; without it eligibility is unknown)")
	fs.StringVar(&d.group, "group", "", "the device group, for per-group settings in --settings")
	fs.StringVar(&d.ruleset, "ruleset", edr.Rev2025, "the documentation revision whose rules apply: "+edr.Rev2025+" or "+edr.Rev2021)
}

// device is what the platform output says about one device.
type device struct {
	status    *mode.Status
	prefs     *mode.Preferences
	facts     edr.DeviceFacts
	rules     *edr.Ruleset
	warnings  []string
	statusSrc string // the file the status came from
}

// load reads the status and preferences the flags name. With needPrefs,
// preferences whose exclusion lists are hidden or cut short are an error,
// since the lists are what the command is about.
func (d *deviceFlags) load(e env, needStatus, needPrefs, needLists bool) (*device, error) {
	dev := &device{}
	switch {
	case d.status == "" && needStatus:
		return nil, usagef("--status is required")
	case d.prefs == "" && needPrefs:
		return nil, usagef("--prefs is required")
	}
	if err := oneStdin("status", d.status, "prefs", d.prefs); err != nil {
		return nil, err
	}
	rs, err := edr.RulesetByName(d.ruleset)
	if err != nil {
		return nil, usagef("--ruleset: %v", err)
	}
	dev.rules = rs
	if d.status != "" {
		r, name, err := openInput(e, "status", d.status)
		if err != nil {
			return nil, err
		}
		dev.status, err = mode.ParseStatus(r)
		r.Close()
		if err != nil {
			return nil, &inputError{file: name, err: err}
		}
		dev.statusSrc = name
	}
	if d.prefs != "" {
		r, name, err := openInput(e, "prefs", d.prefs)
		if err != nil {
			return nil, err
		}
		dev.prefs, err = mode.ParsePreferences(r)
		r.Close()
		switch {
		case err == nil:
		case needLists && errors.Is(err, mode.ErrHiddenExclusions):
			return nil, &inputError{file: name, err: fmt.Errorf("%w; run Get-MpPreference in an elevated (administrator) PowerShell", err)}
		case needLists && errors.Is(err, mode.ErrTruncatedList):
			return nil, &inputError{file: name, err: fmt.Errorf("%w; the list is cut short, use ConvertTo-Json or set $FormatEnumerationLimit = -1", err)}
		case errors.Is(err, mode.ErrHiddenExclusions), errors.Is(err, mode.ErrTruncatedList):
			dev.warnings = append(dev.warnings, name+": "+err.Error())
		default:
			return nil, &inputError{file: name, err: err}
		}
	}
	dev.facts = edr.FactsFromPlatform(dev.status, dev.prefs)
	dev.facts.Group = d.group
	if d.os != "" {
		os, err := mode.ParseOS(d.os)
		if err != nil {
			return nil, usagef("--os: %v", err)
		}
		dev.facts.OS = os
	}
	return dev, nil
}

// list returns the device's exclusion lists.
func (dev *device) list() exclusions.List {
	if dev.prefs == nil {
		return exclusions.List{}
	}
	return exclusions.List{Paths: dev.prefs.ExclusionPath, Extensions: dev.prefs.ExclusionExtension, Processes: dev.prefs.ExclusionProcess}
}

// compileOptions returns the options for compiling the device's
// exclusions: its platform and engine versions, for contextual entries.
func (dev *device) compileOptions() exclusions.Options {
	var o exclusions.Options
	if dev.status != nil {
		o.Platform = exclusions.Version(dev.status.AMProductVersion)
		o.Engine = exclusions.Version(dev.status.AMEngineVersion)
	}
	return o
}

// compile compiles l for the device. Entries the antivirus could not load
// either are left out, as it leaves them out, and reported as warnings.
func (dev *device) compile(l exclusions.List) (*exclusions.Matcher, []string, error) {
	m, err := exclusions.Compile(l, dev.compileOptions())
	var ce *exclusions.CompileError
	switch {
	case errors.As(err, &ce) && m != nil:
		var warnings []string
		for _, e := range ce.Entries {
			warnings = append(warnings, "exclusion not loaded, as the antivirus would not load it: "+e.Error())
		}
		return m, warnings, nil
	case err != nil:
		return nil, nil, err
	}
	return m, nil, nil
}
