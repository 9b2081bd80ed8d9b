package edrtest

import (
	"strings"
	"time"

	"github.com/blockmode/blockmode/detect"
	"github.com/blockmode/blockmode/edr"
	"github.com/blockmode/blockmode/mode"
)

// DeviceID is the device id of [EligibleDevice] and of the detections
// [Detection] builds.
const DeviceID = "edrtest-device"

// Admin is the actor [BlockModeOn] turns block mode on as: a Security
// Administrator.
var Admin = edr.Actor{Name: "edrtest-admin", Roles: []edr.Role{edr.SecurityAdministrator}}

// Detection returns an EDR detection (source Microsoft Defender for
// Endpoint, severity high, on [DeviceID]) with the given evidence, which
// block mode remediates on an eligible device with block mode on: each
// process is stopped, then each distinct file quarantined. Its Time is
// zero, so the engine decides under the settings at its clock's now.
func Detection(id string, evidence ...detect.Evidence) *detect.Detection {
	return &detect.Detection{
		ID:            id,
		DeviceID:      DeviceID,
		Source:        detect.SourceMicrosoftDefenderForEndpoint,
		ServiceSource: detect.ServiceMicrosoftDefenderForEndpoint,
		Category:      "Execution",
		Severity:      detect.SeverityHigh,
		Title:         "edrtest detection " + id,
		Status:        detect.Detected,
		Evidence:      evidence,
	}
}

// Process returns the evidence of a running process, detected (not yet
// blocked), whose image is the file at path.
func Process(pid int64, path string) *detect.ProcessEvidence {
	return &detect.ProcessEvidence{DetectionStatus: detect.Detected, ProcessID: pid, Image: details(path)}
}

// File returns the evidence of a file, detected (not yet prevented), at
// path.
func File(path string) *detect.FileEvidence {
	return &detect.FileEvidence{DetectionStatus: detect.Detected, File: details(path)}
}

// details splits a full path into Graph's folder and file name.
func details(path string) detect.FileDetails {
	i := strings.LastIndexAny(path, `\/`)
	if i < 0 {
		return detect.FileDetails{Name: path}
	}
	return detect.FileDetails{Path: path[:i], Name: path[i+1:]}
}

// EligibleDevice returns the facts of a device that meets every
// requirement for EDR in block mode: Windows 11, onboarded, Microsoft
// Defender Antivirus running in passive mode (another vendor's antivirus
// is primary), cloud-delivered protection on, and a current platform and
// engine.
func EligibleDevice() edr.DeviceFacts {
	return edr.DeviceFacts{
		DeviceID:        DeviceID,
		OS:              mode.Windows11,
		Onboarded:       mode.True,
		Mode:            mode.Passive,
		Running:         mode.True,
		CloudProtection: mode.True,
		PlatformVersion: mode.MustParseVersion("4.18.24090.11"),
		EngineVersion:   mode.MustParseVersion("1.1.24090.11"),
	}
}

// BlockModeOn returns a settings history in which [Admin] turned block
// mode on tenant-wide an hour before clock's now, long enough for the
// change to have reached the device: block mode is in effect from then
// on. A nil clock reads [Epoch].
func BlockModeOn(clock edr.Clock) *edr.History {
	now := Epoch
	if clock != nil {
		now = clock.Now()
	}
	var h edr.History
	if _, err := h.SetTenant(Admin, true, now.Add(-time.Hour)); err != nil {
		panic("edrtest: BlockModeOn: " + err.Error()) // Admin has the role
	}
	return &h
}

// Config returns an engine configuration for tests: the host's hooks (none
// if host is nil), the clock (a new [Clock] if nil), a new [edr.MemStore],
// an [EligibleDevice] with block mode on ([BlockModeOn]), and limits fit
// for tests: a one-second action timeout and a one-millisecond backoff.
// Change any field before passing it to [edr.New].
func Config(clock *Clock, host *Host) edr.Config {
	if clock == nil {
		clock = new(Clock)
	}
	cfg := edr.Config{
		Clock:    clock,
		Store:    new(edr.MemStore),
		Settings: BlockModeOn(clock),
		Device:   EligibleDevice(),
		Limits:   edr.Limits{ActionTimeout: time.Second, Backoff: time.Millisecond},
	}
	if host != nil {
		cfg.Hooks = host.Hooks()
	}
	return cfg
}
