package exclusions

import (
	"context"
	"strconv"
)

// List holds the three antivirus exclusion lists as Get-MpPreference
// reports them. Entries are used as listed: no trimming, no de-duplication.
type List struct {
	// Paths is ExclusionPath: files, and folders with everything below
	// them; wildcards and system environment variables allowed; contextual
	// restrictions (`PATH\:{...}`) allowed on newer platforms.
	Paths []string `json:"ExclusionPath"`
	// Extensions is ExclusionExtension: file extensions, with or without
	// the leading dot (".log" and "log" alike), in any folder.
	Extensions []string `json:"ExclusionExtension"`
	// Processes is ExclusionProcess: files opened by these processes,
	// given by image name alone ("test.exe", any folder, no wildcards) or
	// by full path (wildcards as for paths).
	Processes []string `json:"ExclusionProcess"`
}

// Kind names an exclusion list.
type Kind uint8

// The lists, named as Get-MpPreference names them. The zero Kind means "no
// list" (a zero [Rule]).
const (
	ExclusionPath      Kind = iota + 1 // files and folders
	ExclusionExtension                 // file extensions
	ExclusionProcess                   // files opened by these processes
)

// String returns the list's platform name ("ExclusionPath"), or "" for the
// zero Kind.
func (k Kind) String() string {
	switch k {
	case 0:
		return ""
	case ExclusionPath:
		return "ExclusionPath"
	case ExclusionExtension:
		return "ExclusionExtension"
	case ExclusionProcess:
		return "ExclusionProcess"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// MarshalText implements encoding.TextMarshaler.
func (k Kind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// Version is a four-part platform or engine version number, as the
// platform prints it: AMProductVersion "4.18.2205.7", AMEngineVersion
// "1.1.19300.2". It has the same fields as the mode package's version, so
// one converts to the other. The zero Version means "not known".
type Version struct {
	Major, Minor, Build, Revision uint32
}

// Compare returns -1, 0 or +1 as v is lower than, equal to or higher than w.
func (v Version) Compare(w Version) int {
	a := [4]uint32{v.Major, v.Minor, v.Build, v.Revision}
	b := [4]uint32{w.Major, w.Minor, w.Build, w.Revision}
	for i := range a {
		switch {
		case a[i] < b[i]:
			return -1
		case a[i] > b[i]:
			return 1
		}
	}
	return 0
}

// String returns "major.minor.build.revision".
func (v Version) String() string {
	return strconv.FormatUint(uint64(v.Major), 10) + "." + strconv.FormatUint(uint64(v.Minor), 10) + "." +
		strconv.FormatUint(uint64(v.Build), 10) + "." + strconv.FormatUint(uint64(v.Revision), 10)
}

// The minimum versions for contextual exclusions, from "Configure
// contextual file and folder exclusions".
var (
	contextualPlatform = Version{4, 18, 2205, 7}
	contextualEngine   = Version{1, 1, 19300, 2}
)

// ScanTrigger is the event that started a scan, as contextual exclusions
// name it (ScanTrigger:OnDemand, OnAccess or BM).
type ScanTrigger uint8

// The scan triggers. UnknownTrigger, the zero value, means the trigger is
// not known, and no restriction that depends on it is taken to hold.
const (
	UnknownTrigger ScanTrigger = iota // not known: the safe default
	OnDemand                          // a command or admin action, including scheduled quick and full scans
	OnAccess                          // a file opened, written, read or modified: real-time protection
	BM                                // behavioral monitoring, including memory scans
)

// String returns the platform's name ("OnAccess"), or "Unknown".
func (t ScanTrigger) String() string {
	switch t {
	case UnknownTrigger:
		return "Unknown"
	case OnDemand:
		return "OnDemand"
	case OnAccess:
		return "OnAccess"
	case BM:
		return "BM"
	}
	return "ScanTrigger(" + strconv.Itoa(int(t)) + ")"
}

// MarshalText implements encoding.TextMarshaler.
func (t ScanTrigger) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// ScanType is the kind of scan, as contextual exclusions name it
// (ScanType:quick or full).
type ScanType uint8

// The scan types. UnknownScanType, the zero value, means the scan type is not
// known, and no ScanType restriction is taken to hold.
const (
	UnknownScanType ScanType = iota // not known: the safe default
	QuickScan                       // ScanType:quick
	FullScan                        // ScanType:full
)

// String returns the platform's name ("quick", "full"), or "unknown".
func (t ScanType) String() string {
	switch t {
	case UnknownScanType:
		return "unknown"
	case QuickScan:
		return "quick"
	case FullScan:
		return "full"
	}
	return "ScanType(" + strconv.Itoa(int(t)) + ")"
}

// MarshalText implements encoding.TextMarshaler.
func (t ScanType) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// ShortNameResolver expands 8.3 short names, which only the disk can do
// (GetLongPathNameW on Windows). A host that can reach the disk may supply
// one in [Options]; without one, a path that may hold a short name is never
// reported as excluded by a rule that would have to compare that name.
type ShortNameResolver interface {
	// LongPath returns path with every short name replaced by its long
	// name. path is a [Canonical].Path (no stream). The answer must name the
	// same file and have the same number of segments.
	LongPath(ctx context.Context, path string) (string, error)
}

// Options configure [Compile]. The zero Options is valid: the documented
// LocalSystem environment, no contextual exclusions (platform and engine
// versions unknown), the safe remediation trigger, no short-name resolver,
// and bad entries reported without hiding the good ones.
type Options struct {
	// Env holds the environment variables entries may use, as the antivirus
	// service (LocalSystem) sees them. Names are case-insensitive. Nil
	// means [DefaultEnv]; a non-nil map is used as it is (start from
	// DefaultEnv to change a few values). An entry using any other variable
	// is not loaded ([ErrUnknownVariable]).
	Env map[string]string

	// Platform and Engine are the antimalware platform version
	// (AMProductVersion) and engine version (AMEngineVersion). Contextual
	// exclusions need platform 4.18.2205.7 and engine 1.1.19300.2 or later;
	// when either is older or zero (unknown), a contextual entry is reported
	// ([ErrContextUnsupported]) and not loaded, never guessed at.
	Platform, Engine Version

	// RemediationTrigger is the scan trigger that a block-mode remediation
	// counts as. The documentation does not say, so the zero value,
	// UnknownTrigger, is the safe reading: a contextual exclusion restricted
	// by ScanTrigger or Process, and every ExclusionProcess entry (they apply
	// to on-access scans only), cannot be shown to cover the remediation and
	// does not stop it; the result says so ([NoteRestricted],
	// [NoteProcessNotOnAccess]). A host that knows better sets it.
	RemediationTrigger ScanTrigger

	// RemediationScanType is the scan type a block-mode remediation counts
	// as, for ScanType restrictions. Undocumented too; the zero value never
	// satisfies a ScanType restriction.
	RemediationScanType ScanType

	// ShortNames, if not nil, expands 8.3 short names in the paths asked
	// about.
	ShortNames ShortNameResolver

	// Strict makes Compile fail outright (nil Matcher) when any entry is
	// bad. By default the bad entries are reported in a [*CompileError] and
	// the Matcher holds all the others.
	Strict bool
}

// DefaultEnv returns a new map of the system environment variables and the
// values the antivirus service (LocalSystem) sees, from the table "System
// environment variables" in "Configure custom exclusions based on file
// extension and folder location". %APPDATA%, %LOCALAPPDATA% and
// %USERPROFILE% resolve to the system profile, not to any user's.
func DefaultEnv() map[string]string {
	return map[string]string{
		"APPDATA":           `C:\Windows\system32\config\systemprofile\Appdata\Roaming`,
		"LOCALAPPDATA":      `C:\WINDOWS\system32\config\systemprofile\AppData\Local`,
		"ProgramData":       `C:\ProgramData`,
		"ProgramFiles":      `C:\Program Files`,
		"ProgramFiles(x86)": `C:\Program Files (x86)`,
		"SystemDrive":       `C:`,
		"SystemRoot":        `C:\Windows`,
		"windir":            `C:\Windows`,
		"ALLUSERSPROFILE":   `C:\ProgramData`,
		"PUBLIC":            `C:\Users\Public`,
		"USERPROFILE":       `C:\Windows\system32\config\systemprofile`,
	}
}
