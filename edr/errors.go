package edr

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors. Use [errors.Is] to branch on them.
var (
	// ErrUnknownRuleset reports a ruleset name that is not known.
	ErrUnknownRuleset = errors.New("edr: unknown ruleset")
	// ErrPermission reports an actor without a role that may change a
	// setting; the error is a [*PermissionError].
	ErrPermission = errors.New("edr: permission denied")
	// ErrInvalidSetting reports a setting value the platform does not
	// define.
	ErrInvalidSetting = errors.New("edr: invalid setting")
	// ErrOutOfOrder reports a settings change dated before one already
	// recorded.
	ErrOutOfOrder = errors.New("edr: change dated before the last recorded change")
)

// PermissionError reports that an actor lacks every role that may make a
// change. It wraps [ErrPermission].
type PermissionError struct {
	Actor    string // who tried
	Action   string // what they tried, "turn EDR in block mode on tenant-wide"
	Required []Role // any one of these roles would do
}

// Error implements the error interface.
func (e *PermissionError) Error() string {
	names := make([]string, len(e.Required))
	for i, r := range e.Required {
		names[i] = r.String()
	}
	return fmt.Sprintf("edr: permission denied: %s cannot %s: needs the %s role", e.Actor, e.Action, strings.Join(names, " or "))
}

// Unwrap returns ErrPermission.
func (e *PermissionError) Unwrap() error { return ErrPermission }
