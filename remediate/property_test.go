package remediate

import (
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blockmode/blockmode/detect"
	"github.com/blockmode/blockmode/exclusions"
	"github.com/blockmode/blockmode/mode"
)

var (
	pathPool = []string{
		`C:\Users\alex\Downloads\invoice.exe`, `C:\Users\alex\AppData\Local\Temp\payload.dll`,
		`C:\ProgramData\Contoso\agent.exe`, `C:\Program Files\Contoso AV\scanner.exe`,
		`D:\Builds\out\tool.exe`, `C:\Windows\Temp\x.ps1`, `C:\USERS\ALEX\DOWNLOADS\INVOICE.EXE`,
		`\\fileserver\share\drop\evil.scr`, `C:\Users\alex\Downloads\invoice.exe:payload.exe`,
		`C:\Users\alex\Downloads\invoice.exe.`, `C:\PROGRA~1\Contoso\a.exe`,
	}
	exclusionPool = []string{
		`C:\Users\alex\Downloads`, `C:\Users\*\AppData\Local\Temp\*.dll`, `C:\ProgramData\Contoso`,
		`D:\Builds\out\tool.exe`, `%windir%\Temp`, `\\fileserver\share`, `C:\Program Files\Contoso`,
	}
	extensionPool = []string{".dll", "ps1", ".scr", ".tmp"}
	statusPool    = []detect.DetectionStatus{"", detect.Detected, detect.Blocked, detect.Prevented, "unknownFutureValue"}
	modePool      = []mode.Mode{mode.Unknown, mode.Active, mode.Passive, mode.EDRBlock, mode.SxSPassive, mode.NotRunning}
	sourcePool    = []detect.Source{detect.SourceMicrosoftDefenderForEndpoint, detect.SourceAntivirus, detect.SourceCustomDetection, detect.SourceAutomatedInvestigation}
	severityPool  = []detect.Severity{detect.SeverityInformational, detect.SeverityLow, detect.SeverityMedium, detect.SeverityHigh, detect.SeverityUnknown}
)

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.Intn(len(xs))] }

// randomInput builds a random but well-formed input: a detection with up to
// six evidence items drawn from the pools, random exclusions, state and
// settings.
func randomInput(t testing.TB, r *rand.Rand, other *exclusions.Matcher) (Input, *exclusions.Matcher) {
	var evidence []detect.Evidence
	for range r.Intn(7) {
		switch r.Intn(4) {
		case 0, 1:
			evidence = append(evidence, file(pick(r, pathPool), sha256Bad, pick(r, statusPool)))
		case 2:
			evidence = append(evidence, process(int64(r.Intn(3)*1000), pick(r, pathPool), pick(r, statusPool)))
		default:
			evidence = append(evidence, &detect.OtherEvidence{Type: pick(r, []string{"#microsoft.graph.security.deviceEvidence", "#microsoft.graph.security.registryKeyEvidence"})})
		}
	}
	det := detection(evidence...)
	det.Source, det.Severity = pick(r, sourcePool), pick(r, severityPool)
	if r.Intn(3) == 0 {
		det.Category = "UnwantedSoftware"
	}
	var l exclusions.List
	for range r.Intn(4) {
		l.Paths = append(l.Paths, pick(r, exclusionPool))
	}
	for range r.Intn(2) {
		l.Extensions = append(l.Extensions, pick(r, extensionPool))
	}
	m := compile(t, l)
	in := Input{
		Detection:     det,
		BlockMode:     BlockMode{InEffect: r.Intn(2) == 0, State: "random"},
		AntivirusMode: pick(r, modePool),
		Exclusions:    m,
		Settings:      Settings{PUAProtection: mode.Enforcement(r.Intn(4)), AutomatedInvestigation: mode.Bool(r.Intn(3))},
		Trace:         r.Intn(2) == 0,
	}
	if r.Intn(2) == 0 {
		in.OtherAntivirus = other
	}
	if r.Intn(2) == 0 {
		in.Indicators = []Indicator{{Type: IndicatorSHA256, Value: sha256Bad, Action: "Allowed"}}
	}
	return in, m
}

// checkInvariants holds for every decision.
func checkInvariants(t testing.TB, in Input, d Decision, m Matcher) {
	t.Helper()
	if !in.BlockMode.InEffect && len(d.Actions) > 0 {
		t.Fatalf("block mode not in effect, yet actions: %v", d)
	}
	if !in.BlockMode.InEffect && d.Verdict != DetectOnly && d.Verdict != NoAction {
		t.Fatalf("block mode not in effect, yet verdict %v", d.Verdict)
	}
	seenQuarantine := false
	for _, a := range d.Actions {
		switch a.Kind {
		case StopProcess:
			if seenQuarantine {
				t.Fatalf("a process stop after a quarantine: %v", d)
			}
		case Quarantine:
			seenQuarantine = true
		}
		if m != nil {
			if res := m.Lookup(t.Context(), exclusions.Query{Path: a.Path}); res.Excluded {
				t.Fatalf("action on an excluded artifact %s (%v): %v", a.Path, res.Rule, d)
			}
		}
		if in.OtherAntivirus != nil {
			if res := in.OtherAntivirus.Lookup(t.Context(), exclusions.Query{Path: a.Path}); res.Excluded {
				t.Fatalf("action on the other vendor's antivirus %s", a.Path)
			}
		}
		ev := in.Detection.Evidence[a.Evidence]
		if st := itemStatus(ev); st.Stopped() {
			t.Fatalf("action on an artifact already %s", st)
		}
	}
	switch d.Verdict {
	case Remediate, PartialRemediate:
		if len(d.Actions) == 0 {
			t.Fatalf("%v without actions", d.Verdict)
		}
		want := detect.Prevented
		for _, a := range d.Actions {
			if a.Kind == StopProcess {
				want = detect.Blocked
			}
		}
		if d.Status != want {
			t.Fatalf("status %s, want %s: %v", d.Status, want, d)
		}
	case DetectOnly:
		if len(d.Actions) > 0 || d.Status != detect.Detected {
			t.Fatalf("detect only with actions or status %s", d.Status)
		}
	case NoAction:
		if len(d.Actions) > 0 {
			t.Fatal("no action with actions")
		}
	default:
		t.Fatalf("no verdict: %v", d)
	}
	if d.Rule == "" || d.Reason == "" {
		t.Fatalf("a decision without its rule or reason: %+v", d)
	}
	if len(d.Items) != len(in.Detection.Evidence) {
		t.Fatalf("%d items for %d evidence", len(d.Items), len(in.Detection.Evidence))
	}
}

// TestDecideProperties: on random inputs, Decide is deterministic, never
// remediates an excluded artifact, the other vendor's files, or anything
// on a device where block mode is not in effect, and its verdict, status
// and action order agree.
func TestDecideProperties(t *testing.T) {
	other, err := CompileOtherAntivirus(`C:\Program Files\Contoso AV`)
	require.NoError(t, err)
	r := rand.New(rand.NewSource(20261129))
	n := 3000
	if testing.Short() {
		n = 300
	}
	verdicts := map[Verdict]int{}
	for range n {
		in, m := randomInput(t, r, other)
		d1, d2 := Decide(in), Decide(in)
		if diff := cmp.Diff(d1, d2); diff != "" {
			t.Fatalf("not deterministic:\n%s", diff)
		}
		checkInvariants(t, in, d1, m)
		verdicts[d1.Verdict]++
	}
	// The generator reaches every verdict, so the properties were tested
	// on each.
	for _, v := range []Verdict{Remediate, PartialRemediate, DetectOnly, NoAction} {
		assert.Positive(t, verdicts[v], v.String())
	}
}

func FuzzDecide(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("..", "detect", "testdata", "*.json"))
	require.NoError(f, err)
	for _, name := range files {
		b, err := os.ReadFile(name)
		require.NoError(f, err)
		f.Add(b, uint8(0))
	}
	m := compile(f, exclusions.List{Paths: exclusionPool, Extensions: extensionPool})
	other, err := CompileOtherAntivirus(`C:\Program Files\Contoso AV`)
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, alert []byte, knobs uint8) {
		det, err := detect.Parse(alert)
		if err != nil {
			return
		}
		in := Input{
			Detection: det, BlockMode: BlockMode{InEffect: knobs&1 != 0}, AntivirusMode: modePool[int(knobs>>1)%len(modePool)],
			Exclusions: m, OtherAntivirus: other, Trace: knobs&0x80 != 0,
			Indicators: []Indicator{{Type: IndicatorSHA1, Value: strings.Repeat("a", 40), Action: "Allowed"}},
		}
		d := Decide(in)
		checkInvariants(t, in, d, m)
	})
}
