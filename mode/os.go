package mode

import (
	"fmt"
	"strings"

	"github.com/blockmode/blockmode/internal/enum"
)

// OS is the operating system release of a device, as far as the rules for
// running modes and EDR in block mode tell releases apart. The zero value
// is [OSUnknown].
type OS uint8

// The operating system releases.
const (
	OSUnknown OS = iota
	Windows10
	Windows11
	// WindowsServer2008R2 is Windows Server 2008 R2 SP1.
	WindowsServer2008R2
	WindowsServer2012R2
	WindowsServer2016
	// WindowsServerSAC is "Windows Server, version 1803 or later", the
	// semi-annual channel releases.
	WindowsServerSAC
	WindowsServer2019
	WindowsServer2022
	WindowsServer2025
	Linux
	MacOS

	numOS = iota
)

// OSes returns every known release, in declaration order, without
// OSUnknown.
func OSes() []OS {
	out := make([]OS, 0, numOS-1)
	for o := OS(1); o < numOS; o++ {
		out = append(out, o)
	}
	return out
}

// Family groups operating systems whose running-mode rules are alike.
type Family uint8

// The families.
const (
	FamilyUnknown Family = iota
	// FamilyClient is Windows 10 and Windows 11.
	FamilyClient
	// FamilyServer is Windows Server.
	FamilyServer
	// FamilyLinux is Linux.
	FamilyLinux
	// FamilyMacOS is macOS.
	FamilyMacOS
)

var familyNames = []string{"unknown", "Windows client", "Windows Server", "Linux", "macOS"}

// String returns the family's name.
func (f Family) String() string { return enum.Name(f, "Family", familyNames) }

var osInfo = [numOS]struct {
	name   string
	family Family
}{
	OSUnknown:           {"unknown", FamilyUnknown},
	Windows10:           {"Windows 10", FamilyClient},
	Windows11:           {"Windows 11", FamilyClient},
	WindowsServer2008R2: {"Windows Server 2008 R2", FamilyServer},
	WindowsServer2012R2: {"Windows Server 2012 R2", FamilyServer},
	WindowsServer2016:   {"Windows Server 2016", FamilyServer},
	WindowsServerSAC:    {"Windows Server, version 1803 or later", FamilyServer},
	WindowsServer2019:   {"Windows Server 2019", FamilyServer},
	WindowsServer2022:   {"Windows Server 2022", FamilyServer},
	WindowsServer2025:   {"Windows Server 2025", FamilyServer},
	Linux:               {"Linux", FamilyLinux},
	MacOS:               {"macOS", FamilyMacOS},
}

// String returns the release's name, "Windows Server 2019".
func (o OS) String() string {
	if o < numOS {
		return osInfo[o].name
	}
	return fmt.Sprintf("OS(%d)", uint8(o))
}

// Family returns the family o belongs to.
func (o OS) Family() Family {
	if o < numOS {
		return osInfo[o].family
	}
	return FamilyUnknown
}

// MarshalText implements [encoding.TextMarshaler] with the release's name;
// OSUnknown marshals to the empty string.
func (o OS) MarshalText() ([]byte, error) {
	if o == OSUnknown {
		return []byte{}, nil
	}
	return []byte(o.String()), nil
}

// UnmarshalText implements [encoding.TextUnmarshaler] with [ParseOS]; the
// empty string gives OSUnknown.
func (o *OS) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*o = OSUnknown
		return nil
	}
	v, err := ParseOS(string(b))
	if err != nil {
		return err
	}
	*o = v
	return nil
}

// osPatterns recognise an operating system from the caption Windows
// reports (Win32_OperatingSystem.Caption, "Microsoft Windows Server 2019
// Datacenter") or a name a person writes ("Windows Server 2012 R2",
// "Server 2016", "win11", "Ubuntu 22.04"). They are tried in order, so the
// longer names come first. Each pattern is a list of words that must all
// appear.
var osPatterns = []struct {
	words []string
	os    OS
}{
	{[]string{"server", "2008", "r2"}, WindowsServer2008R2},
	{[]string{"server", "2012", "r2"}, WindowsServer2012R2},
	{[]string{"server", "2016"}, WindowsServer2016},
	{[]string{"server", "2019"}, WindowsServer2019},
	{[]string{"server", "2022"}, WindowsServer2022},
	{[]string{"server", "2025"}, WindowsServer2025},
	{[]string{"server", "version"}, WindowsServerSAC},
	{[]string{"windows", "11"}, Windows11},
	{[]string{"win11"}, Windows11},
	{[]string{"windows", "10"}, Windows10},
	{[]string{"win10"}, Windows10},
	{[]string{"macos"}, MacOS},
	{[]string{"mac", "os"}, MacOS},
	{[]string{"os", "x"}, MacOS},
	{[]string{"linux"}, Linux},
	{[]string{"ubuntu"}, Linux},
	{[]string{"debian"}, Linux},
	{[]string{"red", "hat"}, Linux},
	{[]string{"rhel"}, Linux},
	{[]string{"centos"}, Linux},
	{[]string{"suse"}, Linux},
	{[]string{"sles"}, Linux},
	{[]string{"oracle", "linux"}, Linux},
	{[]string{"amazon", "linux"}, Linux},
	{[]string{"rocky"}, Linux},
	{[]string{"alma"}, Linux},
	{[]string{"fedora"}, Linux},
	{[]string{"mariner"}, Linux},
}

// ParseOS recognises an operating system release from a name or the
// caption Windows reports, such as "Microsoft Windows 11 Enterprise",
// "Windows Server 2012 R2 Standard", "Windows Server, version 1803" or
// "Ubuntu 22.04". A Windows Server semi-annual release older than 1803
// (for example "version 1709"), and anything not recognised, is a
// [*ParseError] naming the field "OS" and wrapping [ErrRange]; nothing is
// guessed.
func ParseOS(s string) (OS, error) {
	words := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return r == ' ' || r == ',' || r == '\t' || r == '-' || r == '_' || r == '(' || r == ')'
	})
	contains := func(w string) bool {
		for _, x := range words {
			if x == w {
				return true
			}
		}
		return false
	}
	for _, p := range osPatterns {
		all := true
		for _, w := range p.words {
			if !contains(w) {
				all = false
				break
			}
		}
		if !all {
			continue
		}
		if p.os == WindowsServerSAC && !sacAtLeast1803(words) {
			break
		}
		return p.os, nil
	}
	return OSUnknown, newParseError("OS", s, 0, fmt.Errorf("%w: not a known operating system release", ErrRange))
}

// sacAtLeast1803 reports whether the word after "version" is a release of
// 1803 or later ("1803", "1809", "1903", "20H2").
func sacAtLeast1803(words []string) bool {
	for i, w := range words {
		if w != "version" || i+1 >= len(words) {
			continue
		}
		v := words[i+1]
		if len(v) != 4 {
			return false
		}
		if v[2] == 'h' { // "20H2" and later
			return v[0] >= '2' && v[0] <= '9' && v[1] >= '0' && v[1] <= '9'
		}
		return v >= "1803" && v <= "9999" && strings.Trim(v, "0123456789") == ""
	}
	return false
}
