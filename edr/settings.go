package edr

import (
	"fmt"
	"slices"
	"strings"

	"github.com/blockmode/blockmode/internal/enum"
)

// Role is a Microsoft Entra ID role, as far as settings care.
type Role uint8

// The roles. Turning EDR in block mode on or off tenant-wide needs Global
// Administrator or Security Administrator.
const (
	RoleUnknown Role = iota
	GlobalAdministrator
	SecurityAdministrator
	SecurityOperator
	SecurityReader
	IntuneAdministrator
)

var roleNames = [...]string{"Unknown", "Global Administrator", "Security Administrator", "Security Operator", "Security Reader", "Intune Administrator"}

// String returns the role's name, "Security Administrator".
func (r Role) String() string {
	return enum.Name(r, "Role", roleNames[:])
}

// MarshalText implements [encoding.TextMarshaler].
func (r Role) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// TenantRoles are the roles that may change the tenant-wide setting: "You
// must have either the Global Administrator or Security Administrator role
// assigned in Microsoft Entra ID."
var tenantRoles = []Role{GlobalAdministrator, SecurityAdministrator}

// TenantRoles returns the roles that may turn block mode on or off
// tenant-wide.
func TenantRoles() []Role { return slices.Clone(tenantRoles) }

// Actor is who makes a change.
type Actor struct {
	// Name identifies the actor in the history, "alice@contoso.com".
	Name string `json:"name"`
	// Roles are the actor's roles.
	Roles []Role `json:"roles"`
}

// HasAny reports whether a has one of the roles.
func (a Actor) HasAny(roles ...Role) bool {
	for _, r := range a.Roles {
		if slices.Contains(roles, r) {
			return true
		}
	}
	return false
}

// PassiveRemediation is the value of the Defender configuration service
// provider setting ./Device/Vendor/MSFT/Defender/Configuration/
// PassiveRemediation, "Setting to control automatic remediation for Sense
// scans". It is a set of flags; the default, 0x0, is off.
type PassiveRemediation uint32

// The PassiveRemediation flags, with the names the Defender CSP gives them.
const (
	// PassiveRemediationOff (0x0, the default): "Passive Remediation is
	// turned off".
	PassiveRemediationOff PassiveRemediation = 0x0
	// SenseAutoRemediation (0x1), PASSIVE_REMEDIATION_FLAG_SENSE_AUTO_REMEDIATION:
	// automatic remediation of what the EDR sensor ("Sense") detects. This
	// is the flag that turns EDR in block mode on for a device group.
	SenseAutoRemediation PassiveRemediation = 0x1
	// RTPAudit (0x2), PASSIVE_REMEDIATION_FLAG_RTP_AUDIT: passive
	// remediation real-time protection audit.
	RTPAudit PassiveRemediation = 0x2
	// RTPRemediation (0x4), PASSIVE_REMEDIATION_FLAG_RTP_REMEDIATION:
	// passive remediation real-time protection remediation.
	RTPRemediation PassiveRemediation = 0x4

	passiveRemediationAll = SenseAutoRemediation | RTPAudit | RTPRemediation
)

// ParsePassiveRemediation checks a value read from the CSP: any
// combination of the defined flags. Anything else is an error wrapping
// [ErrInvalidSetting].
func ParsePassiveRemediation(v int64) (PassiveRemediation, error) {
	if v < 0 || v&^int64(passiveRemediationAll) != 0 {
		return 0, fmt.Errorf("%w: PassiveRemediation %#x is not a combination of 0x1, 0x2 and 0x4", ErrInvalidSetting, v)
	}
	return PassiveRemediation(v), nil
}

// BlockMode reports whether p turns EDR in block mode on.
func (p PassiveRemediation) BlockMode() bool { return p&SenseAutoRemediation != 0 }

// String returns the value and its flags, "0x1 (SENSE_AUTO_REMEDIATION)".
func (p PassiveRemediation) String() string {
	if p == 0 {
		return "0x0 (off)"
	}
	var names []string
	for _, f := range []struct {
		flag PassiveRemediation
		name string
	}{{SenseAutoRemediation, "SENSE_AUTO_REMEDIATION"}, {RTPAudit, "RTP_AUDIT"}, {RTPRemediation, "RTP_REMEDIATION"}} {
		if p&f.flag != 0 {
			names = append(names, f.name)
		}
	}
	if p&^passiveRemediationAll != 0 {
		names = append(names, fmt.Sprintf("undefined %#x", uint32(p&^passiveRemediationAll)))
	}
	return fmt.Sprintf("%#x (%s)", uint32(p), strings.Join(names, "|"))
}
