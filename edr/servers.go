package edr

import (
	"fmt"
	"time"

	"github.com/blockmode/blockmode/detect"
	"github.com/blockmode/blockmode/internal/enum"
	"github.com/blockmode/blockmode/mode"
)

// ServerHost is where a server runs, as Defender for Servers (the
// cloud-security integration) sees it.
type ServerHost uint8

// The hosts.
const (
	HostUnknown ServerHost = iota
	// AzureVM is an Azure virtual machine.
	AzureVM
	// ArcMachine is an on-premises or other-cloud machine connected through
	// Azure Arc.
	ArcMachine
	// OtherHost is a machine the integration does not reach (not in Azure
	// and not connected through Arc).
	OtherHost
)

var hostNames = [...]string{"unknown", "Azure VM", "Azure Arc machine", "other"}

// String returns the host's name.
func (h ServerHost) String() string {
	return enum.Name(h, "ServerHost", hostNames[:])
}

// MarshalText implements [encoding.TextMarshaler].
func (h ServerHost) MarshalText() ([]byte, error) { return []byte(h.String()), nil }

// ServersPlan is the Defender for Servers plan on the server's
// subscription.
type ServersPlan uint8

// The plans. Both plans bring the capabilities of Defender for Endpoint
// Plan 2, including EDR and automatic onboarding.
const (
	PlanUnknown ServersPlan = iota
	// NoPlan: Defender for Servers is off for the subscription.
	NoPlan
	// Plan1 is Defender for Servers Plan 1.
	Plan1
	// Plan2 is Defender for Servers Plan 2.
	Plan2
)

var planNames = [...]string{"unknown", "none", "Plan 1", "Plan 2"}

// String returns the plan's name.
func (p ServersPlan) String() string {
	return enum.Name(p, "ServersPlan", planNames[:])
}

// MarshalText implements [encoding.TextMarshaler].
func (p ServersPlan) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// Server describes a server onboarded, or to be onboarded, to the EDR
// service through Defender for Servers.
type Server struct {
	// ID identifies the server in reports.
	ID string `json:"id,omitempty"`
	// OS is the operating system release.
	OS mode.OS `json:"os"`
	// Host is where it runs.
	Host ServerHost `json:"host"`
	// Plan is the subscription's Defender for Servers plan.
	Plan ServersPlan `json:"plan"`
	// UnifiedSolution: the unified-solution opt-in is set (Defender for
	// Cloud: Settings > Endpoint protection > Unified solution > Enable;
	// the API setting WDATP_UNIFIED_SOLUTION on subscriptions from before
	// spring 2022). It decides whether Windows Server 2016 and 2012 R2 get
	// the unified agent.
	UnifiedSolution mode.Bool `json:"unifiedSolution"`
	// NewMachine: created after the integration was first enabled, which
	// onboards within about an hour instead of up to 12 hours.
	NewMachine bool `json:"newMachine,omitempty"`
}

// Documented onboarding times of the integration: "onboarding might take
// up to 12 hours. For new machines created after the integration has been
// enabled, onboarding takes up to an hour."
const (
	ServerOnboardingTime    = 12 * time.Hour
	NewServerOnboardingTime = time.Hour
)

// ServerAssessment is what the SDK can say about a server onboarded
// through Defender for Servers: whether the path applies, how long it
// takes, which antivirus mode results, and block-mode eligibility as far
// as the path determines it.
type ServerAssessment struct {
	// Supported is Pass when the integration onboards this server.
	Supported Result `json:"supported"`
	// Path describes the onboarding path.
	Path string `json:"path"`
	// OnboardingTime is the documented upper bound for automatic
	// onboarding; zero when the server is not onboarded this way.
	OnboardingTime time.Duration `json:"onboardingTime,omitempty"`
	// ExpectedMode is the running mode the built-in antivirus gets.
	ExpectedMode mode.Mode `json:"expectedMode"`
	// ModeReason says why.
	ModeReason string `json:"modeReason"`
	// Eligibility is the block-mode report for the facts the path fixes
	// (OS, unified agent, onboarding, mode). Cloud protection and the
	// platform and engine versions stay unknown until the server reports
	// them: merge its Get-MpComputerStatus output for a full answer.
	Eligibility Report `json:"eligibility"`
}

// serversOS lists the Windows releases Defender for Servers supports
// (support matrix, 05/10/2026: "Windows Server 2025, 2022, 2019, 2016,
// 2012 R2, 2008 R2 SP1"); Linux is supported in its listed distributions.
var serversOS = map[mode.OS]bool{
	mode.WindowsServer2025: true, mode.WindowsServer2022: true, mode.WindowsServer2019: true,
	mode.WindowsServer2016: true, mode.WindowsServer2012R2: true, mode.WindowsServer2008R2: true,
	mode.Linux: true,
}

// AssessServer answers for a server under the current ruleset; see
// [Ruleset.AssessServer].
func AssessServer(s Server) ServerAssessment { return Current().AssessServer(s) }

// AssessServer answers, for a server onboarded through Defender for
// Servers, the onboarding path, the antivirus mode that results, and
// block-mode eligibility. Sources: Defender for Cloud "Defender for
// Servers" support matrix, "Enable the Microsoft Defender for Endpoint
// integration" and its FAQ ("On Windows Server 2012 R2 with MDE unified
// solution integration enabled, Defender for Servers will deploy Microsoft
// Defender Antivirus in active mode. On newer Windows Server operating
// systems, Microsoft Defender Antivirus is part of the operating system and
// will be enabled in active mode. On Linux, Defender for Servers will
// deploy MDE including the antivirus component, and set the antivirus
// component in passive mode.").
func (rs *Ruleset) AssessServer(s Server) (a ServerAssessment) {
	facts := DeviceFacts{DeviceID: s.ID, OS: s.OS}
	defer func() { a.Eligibility = rs.Eligibility(facts) }()

	switch {
	case s.OS == mode.OSUnknown:
		a.Path, a.ModeReason = "unknown: the operating system is not given", "the operating system is not given"
		return a
	case !serversOS[s.OS]:
		a.Supported = Fail
		a.Path = s.OS.String() + " is not supported by Defender for Servers"
		a.ModeReason = "not onboarded through Defender for Servers"
		return a
	}
	switch s.Plan {
	case Plan1, Plan2:
	case NoPlan:
		a.Supported = Fail
		a.Path = "Defender for Servers is off for the subscription: turn on Plan 1 or Plan 2"
		a.ModeReason = "not onboarded through Defender for Servers"
		return a
	default:
		a.Path, a.ModeReason = "unknown: the Defender for Servers plan is not given", "the plan is not given"
		return a
	}
	switch s.Host {
	case AzureVM, ArcMachine:
	case OtherHost:
		a.Supported = Fail
		a.Path = "the integration reaches Azure VMs and Azure Arc machines only: connect the machine with Azure Arc"
		a.ModeReason = "not onboarded through Defender for Servers"
		return a
	default:
		a.Path, a.ModeReason = "unknown: the host (Azure VM or Azure Arc machine) is not given", "the host is not given"
		return a
	}

	a.OnboardingTime = ServerOnboardingTime
	if s.NewMachine {
		a.OnboardingTime = NewServerOnboardingTime
	}
	via := fmt.Sprintf("Defender for Servers %s on an %s onboards it to Defender for Endpoint automatically", s.Plan, s.Host)

	switch s.OS {
	case mode.Linux:
		a.Supported, facts.Onboarded = Pass, mode.True
		a.Path = via + ", with the antivirus component"
		a.ExpectedMode, a.ModeReason = mode.Passive, "on Linux, Defender for Servers sets the antivirus component in passive mode"
	case mode.WindowsServer2008R2:
		a.Supported, facts.Onboarded = Pass, mode.True
		a.Path = via + " with the legacy sensor"
		a.ExpectedMode, a.ModeReason = mode.NotRunning, "Windows Server 2008 R2 SP1 has no Microsoft Defender Antivirus"
	case mode.WindowsServer2016, mode.WindowsServer2012R2:
		facts.UnifiedAgent = s.UnifiedSolution
		switch s.UnifiedSolution {
		case mode.True:
			a.Supported, facts.Onboarded = Pass, mode.True
			a.Path = via + " with the unified agent (the unified-solution opt-in is set; enabling it is a one-time action)"
			a.ExpectedMode, a.ModeReason = mode.Active, s.OS.String()+" with the unified solution runs Microsoft Defender Antivirus in active mode"
		case mode.False:
			a.Supported, facts.Onboarded = Pass, mode.True
			a.Path = via + " with the legacy sensor: the unified-solution opt-in is not set"
			if s.OS == mode.WindowsServer2012R2 {
				a.ExpectedMode, a.ModeReason = mode.NotRunning, "Windows Server 2012 R2 gets Microsoft Defender Antivirus only with the unified solution"
			} else {
				a.ExpectedMode, a.ModeReason = mode.Active, "Windows Server 2016 has Microsoft Defender Antivirus built in, active"
			}
		default:
			a.Path = via + "; whether with the unified agent depends on the unified-solution opt-in, which is not given"
			a.ModeReason = "depends on the unified-solution opt-in"
			return a
		}
	default: // Windows Server 2019 and later
		a.Supported, facts.Onboarded = Pass, mode.True
		a.Path = via
		a.ExpectedMode, a.ModeReason = mode.Active, "on "+s.OS.String()+" Microsoft Defender Antivirus is part of the operating system and is enabled in active mode"
	}
	facts.Mode = a.ExpectedMode
	return a
}

// TestAlertTitle is the title of the benign test alert that Defender for
// Cloud's documentation used to check the pipeline from a server to the
// portal ("Security alerts > Suspicious PowerShell CommandLine"), raised
// with informational severity.
const TestAlertTitle = "Suspicious PowerShell CommandLine"

// TestAlertCommand is the documented benign test command: it downloads
// nothing real (the address is the machine itself) and starts nothing that
// exists, but its shape raises the test alert.
const TestAlertCommand = `powershell.exe -NoExit -ExecutionPolicy Bypass -WindowStyle Hidden (New-Object System.Net.WebClient).DownloadFile('http://127.0.0.1/1.exe', 'C:\\test-MDATP-test\\invoice.exe'); Start-Process 'C:\\test-MDATP-test\\invoice.exe'`

// TestDetection returns the benign test detection for a device at an
// instant: the informational "Suspicious PowerShell CommandLine" alert from
// Defender for Endpoint, with the PowerShell process that ran the test
// command as evidence. Use it to check a pipeline end to end: it is decided
// on and recorded like any detection, and, being informational, never
// remediated.
func TestDetection(deviceID string, at time.Time) *detect.Detection {
	at = at.UTC()
	return &detect.Detection{
		ID:            fmt.Sprintf("blockmode-test-%s-%d", deviceID, at.UnixMilli()),
		Time:          at,
		FirstActivity: at,
		LastActivity:  at,
		DeviceID:      deviceID,
		Source:        detect.SourceMicrosoftDefenderForEndpoint,
		ServiceSource: detect.ServiceMicrosoftDefenderForEndpoint,
		Category:      "Execution",
		Severity:      detect.SeverityInformational,
		Title:         TestAlertTitle,
		Status:        detect.Detected,
		Evidence: []detect.Evidence{&detect.ProcessEvidence{
			Created:         at,
			DetectionStatus: detect.Detected,
			DeviceID:        deviceID,
			CommandLine:     TestAlertCommand,
			Started:         at,
			Image:           detect.FileDetails{Name: "powershell.exe", Path: `C:\Windows\System32\WindowsPowerShell\v1.0`},
		}},
	}
}
