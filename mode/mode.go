package mode

import (
	"fmt"
	"strings"

	"github.com/blockmode/blockmode/internal/enum"
)

// Mode is the running mode of the built-in antivirus (Microsoft Defender
// Antivirus), as Get-MpComputerStatus reports it in AMRunningMode.
//
// The zero value is [Unknown]: the mode was not reported (older platforms
// do not print AMRunningMode) or could not be determined.
type Mode uint8

// The running modes. The comment on each gives the exact AMRunningMode
// string the platform prints for it.
const (
	// Unknown means the mode was not reported or cannot be determined.
	Unknown Mode = iota
	// Active is the primary antivirus with real-time protection:
	// AMRunningMode "Normal".
	Active
	// Passive means another vendor's antivirus is primary; the built-in one
	// scans but does not remediate: "Passive Mode".
	Passive
	// EDRBlock is passive mode with EDR in block mode turned on: artifacts
	// that post-breach detection finds are blocked and remediated:
	// "EDR Block Mode".
	EDRBlock
	// SxSPassive is side-by-side passive mode, used with limited periodic
	// scanning when the device is not onboarded to the EDR service:
	// "SxS Passive Mode".
	SxSPassive
	// NotRunning means the built-in antivirus is disabled or uninstalled:
	// "Not running".
	NotRunning

	numModes = iota
)

// modeNames holds the AMRunningMode string for each mode, indexed by Mode.
var modeNames = [numModes]string{
	Unknown:    "Unknown",
	Active:     "Normal",
	Passive:    "Passive Mode",
	EDRBlock:   "EDR Block Mode",
	SxSPassive: "SxS Passive Mode",
	NotRunning: "Not running",
}

// modeDescriptions holds the human name for each mode, indexed by Mode.
var modeDescriptions = [numModes]string{
	Unknown:    "unknown",
	Active:     "active",
	Passive:    "passive",
	EDRBlock:   "passive, with EDR in block mode",
	SxSPassive: "side-by-side passive (limited periodic scanning)",
	NotRunning: "disabled or not running",
}

// Modes returns every mode in declaration order, Unknown first.
func Modes() []Mode {
	ms := make([]Mode, numModes)
	for i := range ms {
		ms[i] = Mode(i)
	}
	return ms
}

// modeAliases are other spellings of a mode that Microsoft's pages print
// for AMRunningMode: the compatibility page and the passive-mode page show
// "Passive" where the EDR in block mode FAQ shows "Passive Mode".
var modeAliases = map[string]Mode{
	"passive": Passive,
}

// ParseMode parses an AMRunningMode value: one of "Normal", "Passive Mode"
// (also written "Passive"), "EDR Block Mode", "SxS Passive Mode" or
// "Not running", compared without regard to case and ignoring surrounding
// white space. Any other value,
// including the empty string, is a [*ParseError] wrapping [ErrUnknownMode]
// that keeps the raw value; the mode is never guessed.
func ParseMode(s string) (Mode, error) {
	t := strings.TrimSpace(s)
	for m := Active; m < numModes; m++ {
		if strings.EqualFold(t, modeNames[m]) {
			return m, nil
		}
	}
	if m, ok := modeAliases[strings.ToLower(t)]; ok {
		return m, nil
	}
	return Unknown, newParseError("AMRunningMode", s, 0, ErrUnknownMode)
}

// String returns the AMRunningMode string the platform prints for m
// ("Normal", "EDR Block Mode", ...), or "Unknown".
func (m Mode) String() string {
	return enum.Name(m, "Mode", modeNames[:])
}

// Description returns a short human description of m, such as "active" or
// "passive, with EDR in block mode".
func (m Mode) Description() string {
	if m < numModes {
		return modeDescriptions[m]
	}
	return m.String()
}

// Known reports whether m is a real mode rather than [Unknown] or out of
// range.
func (m Mode) Known() bool { return m > Unknown && m < numModes }

// IsPassive reports whether another product is primary and the built-in
// antivirus runs in one of the passive modes ([Passive], [EDRBlock] or
// [SxSPassive]).
func (m Mode) IsPassive() bool { return m == Passive || m == EDRBlock || m == SxSPassive }

// MarshalText implements [encoding.TextMarshaler] with the AMRunningMode
// string. Unknown marshals to the empty string.
func (m Mode) MarshalText() ([]byte, error) {
	if m == Unknown {
		return []byte{}, nil
	}
	if !m.Known() {
		return nil, fmt.Errorf("mode: cannot marshal %v", m)
	}
	return []byte(modeNames[m]), nil
}

// UnmarshalText implements [encoding.TextUnmarshaler] with [ParseMode]; the
// empty string gives Unknown.
func (m *Mode) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*m = Unknown
		return nil
	}
	p, err := ParseMode(string(b))
	if err != nil {
		return err
	}
	*m = p
	return nil
}
