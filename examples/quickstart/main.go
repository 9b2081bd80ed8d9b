// Command quickstart reads a sample device's real-shaped Get-MpComputerStatus
// and Get-MpPreference output and explains its running mode, what that mode
// can do, and whether EDR in block mode is in effect, and why.
//
// Run it with "go run ./examples/quickstart", or point it at a device's own
// output:
//
//	go run ./examples/quickstart -status status.json -prefs prefs.json
package main

import (
	"bytes"
	_ "embed"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/blockmode/blockmode/mode"
)

//go:embed sample/status.json
var sampleStatus []byte

//go:embed sample/prefs.json
var samplePrefs []byte

func main() {
	statusPath := flag.String("status", "", "Get-MpComputerStatus output (JSON or console text); default: the bundled sample")
	prefsPath := flag.String("prefs", "", "Get-MpPreference output; default: the bundled sample")
	flag.Parse()
	if err := run(os.Stdout, *statusPath, *prefsPath); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(2)
	}
}

func open(path string, sample []byte) (io.Reader, func(), error) {
	if path == "" {
		return bytes.NewReader(sample), func() {}, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	return f, func() { f.Close() }, nil
}

func run(w io.Writer, statusPath, prefsPath string) error {
	r, done, err := open(statusPath, sampleStatus)
	if err != nil {
		return err
	}
	defer done()
	status, err := mode.ParseStatus(r)
	if err != nil {
		return fmt.Errorf("status: %w", err)
	}
	r, done2, err := open(prefsPath, samplePrefs)
	if err != nil {
		return err
	}
	defer done2()
	prefs, err := mode.ParsePreferences(r)
	if err != nil && prefs == nil {
		return fmt.Errorf("preferences: %w", err)
	}

	m := status.AMRunningMode
	fmt.Fprintf(w, "Device %s (read from %s output)\n\n", status.ComputerID, status.Form)
	fmt.Fprintf(w, "Running mode: %s (%s)\n", m, m.Description())
	for _, e := range m.Capabilities() {
		note := ""
		if e.Note != "" {
			note = " - " + e.Note
		}
		fmt.Fprintf(w, "  %-34s %-7s%s\n", e.Capability, e.Support, note)
	}

	fmt.Fprintf(w, "\nEDR in block mode requirements this output can show:\n")
	check := func(name string, ok mode.Bool, observed string) {
		result := map[mode.Bool]string{mode.True: "pass", mode.False: "FAIL", mode.Unset: "unknown"}[ok]
		fmt.Fprintf(w, "  %-7s %-40s observed: %s\n", result, name, observed)
	}
	minPlatform, minEngine := mode.MustParseVersion("4.18.2001.10"), mode.MustParseVersion("1.1.16700.2")
	versionAtLeast := func(v, min mode.Version) mode.Bool {
		if v.IsZero() {
			return mode.Unset
		}
		return mode.BoolOf(v.AtLeast(min))
	}
	running := status.Running()
	activeOrPassive := mode.Unset
	if m.Known() {
		activeOrPassive = mode.BoolOf(m == mode.Active || m.IsPassive())
	}
	check("antivirus running in active or passive mode", activeOrPassive, fmt.Sprintf("%s (running: %s)", m, running))
	check("cloud-delivered protection on", prefs.CloudDeliveredProtection(), "MAPSReporting "+prefs.MAPSReporting.String())
	check("platform (AMProductVersion) >= "+minPlatform.String(), versionAtLeast(status.AMProductVersion, minPlatform), status.AMProductVersion.String())
	check("engine (AMEngineVersion) >= "+minEngine.String(), versionAtLeast(status.AMEngineVersion, minEngine), status.AMEngineVersion.String())

	fmt.Fprintln(w)
	switch m {
	case mode.EDRBlock:
		fmt.Fprintln(w, "EDR in block mode is in effect: the platform reports AMRunningMode \"EDR Block Mode\",")
		fmt.Fprintln(w, "so artifacts that EDR detects and the primary antivirus missed are blocked and remediated.")
	case mode.Active:
		fmt.Fprintln(w, "The built-in antivirus is active (AMRunningMode \"Normal\"); real-time protection blocks first.")
		fmt.Fprintln(w, "The platform reports \"Normal\" whether or not block mode is on, so this output cannot tell.")
	default:
		fmt.Fprintf(w, "EDR in block mode is not in effect: AMRunningMode is %q.\n", m.String())
	}
	if len(prefs.ExclusionPath)+len(prefs.ExclusionExtension)+len(prefs.ExclusionProcess) > 0 {
		fmt.Fprintf(w, "Antivirus exclusions are honoured by block mode: %d paths, %d extensions, %d processes.\n",
			len(prefs.ExclusionPath), len(prefs.ExclusionExtension), len(prefs.ExclusionProcess))
	}
	return nil
}
