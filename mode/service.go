package mode

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/blockmode/blockmode/internal/enum"
)

// ServiceState is the state of the antivirus service (WinDefend) as
// "sc query windefend" reports it on its STATE line. The values are the
// Win32 SERVICE_STATUS dwCurrentState codes; the zero value means not
// reported.
type ServiceState uint8

// The service states, with the code and name sc prints.
const (
	ServiceUnknown         ServiceState = 0 // not reported
	ServiceStopped         ServiceState = 1 // "1  STOPPED"
	ServiceStartPending    ServiceState = 2 // "2  START_PENDING"
	ServiceStopPending     ServiceState = 3 // "3  STOP_PENDING"
	ServiceRunning         ServiceState = 4 // "4  RUNNING"
	ServiceContinuePending ServiceState = 5 // "5  CONTINUE_PENDING"
	ServicePausePending    ServiceState = 6 // "6  PAUSE_PENDING"
	ServicePaused          ServiceState = 7 // "7  PAUSED"
	// ServiceNotInstalled means sc answered that no such service exists
	// (error 1060): the built-in antivirus is not installed.
	ServiceNotInstalled ServiceState = 8
)

var serviceStateNames = [...]string{
	"UNKNOWN", "STOPPED", "START_PENDING", "STOP_PENDING", "RUNNING",
	"CONTINUE_PENDING", "PAUSE_PENDING", "PAUSED", "NOT_INSTALLED",
}

// String returns the name sc prints ("RUNNING"), or "NOT_INSTALLED".
func (s ServiceState) String() string {
	return enum.Name(s, "ServiceState", serviceStateNames[:])
}

// MarshalText implements [encoding.TextMarshaler].
func (s ServiceState) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Running reports whether the service is running.
func (s ServiceState) Running() bool { return s == ServiceRunning }

// parseServiceQuery reads the output of "sc query windefend":
//
//	SERVICE_NAME: windefend
//	        TYPE               : 10  WIN32_OWN_PROCESS
//	        STATE              : 4  RUNNING
//	                                (STOPPABLE, NOT_PAUSABLE, ACCEPTS_SHUTDOWN)
//	        ...
//
// or its failure "[SC] EnumQueryServicesStatus:OpenService FAILED 1060:",
// which means the service is not installed. The result is a document with
// the properties SERVICE_NAME and STATE (the state's name).
func parseServiceQuery(lines []string) (*document, error) {
	doc := &document{form: FormServiceQuery}
	for i, l := range lines {
		t := strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(t, "[SC]"):
			if strings.Contains(t, "1060") {
				doc.props = append(doc.props, prop{name: "STATE", text: ServiceNotInstalled.String(), line: i + 1, form: FormServiceQuery})
				return doc, nil
			}
			return nil, newParseError("", t, i+1, fmt.Errorf("%w: sc reported an error", ErrSyntax))
		case strings.HasPrefix(t, "SERVICE_NAME:"):
			if len(doc.props) > 0 {
				return nil, newParseError("", "", i+1, fmt.Errorf("%w: more than one service; query windefend alone", ErrMultipleObjects))
			}
			doc.props = append(doc.props, prop{name: "SERVICE_NAME", text: strings.TrimSpace(strings.TrimPrefix(t, "SERVICE_NAME:")), line: i + 1, form: FormServiceQuery})
		case strings.HasPrefix(t, "STATE"):
			name, value, ok := splitListLine(t)
			if !ok || name != "STATE" {
				return nil, newParseError("STATE", t, i+1, fmt.Errorf("%w: expected \"STATE : 4  RUNNING\"", ErrSyntax))
			}
			state, err := parseServiceState(value)
			if err != nil {
				return nil, newParseError("STATE", value, i+1, err)
			}
			doc.props = append(doc.props, prop{name: "STATE", text: state.String(), line: i + 1, form: FormServiceQuery})
		}
	}
	if len(doc.props) == 0 || doc.props[len(doc.props)-1].name != "STATE" {
		return nil, newParseError("STATE", "", 0, fmt.Errorf("%w: no STATE line", ErrSyntax))
	}
	return doc, nil
}

// parseServiceState reads "4  RUNNING": the code, then the name, which must
// agree with each other.
func parseServiceState(v string) (ServiceState, error) {
	f := strings.Fields(v)
	if len(f) < 1 {
		return 0, ErrSyntax
	}
	code, err := strconv.ParseUint(f[0], 10, 8)
	if err != nil || code < uint64(ServiceStopped) || code > uint64(ServicePaused) {
		return 0, ErrRange
	}
	s := ServiceState(code)
	if len(f) > 1 && !strings.EqualFold(f[1], s.String()) {
		return 0, fmt.Errorf("%w: code %d is %s, not %s", ErrSyntax, code, s, f[1])
	}
	return s, nil
}

// parseServiceStateName reads a state by its name ("RUNNING").
func parseServiceStateName(v string) (ServiceState, bool) {
	for i, n := range serviceStateNames {
		if i > 0 && strings.EqualFold(v, n) {
			return ServiceState(i), true
		}
	}
	return 0, false
}
