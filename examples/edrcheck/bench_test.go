package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/blockmode/blockmode/detect"
	"github.com/blockmode/blockmode/exclusions"
	"github.com/blockmode/blockmode/mode"
	"github.com/blockmode/blockmode/remediate"
)

// alertStream streams n alerts as JSON lines from memory, so that a replay
// of a million detections needs no file: a cycle of 1,000 variants of the
// first sample alert (a process and a file in Downloads), with ids
// gen-0000... and times spread over three days; every tenth is in a folder
// the sample preferences exclude.
type alertStream struct {
	n, i  int
	cycle [][]byte
	cur   []byte
}

const streamCycle = 1000

func newAlertStream(tb testing.TB, n int) *alertStream {
	data, err := os.ReadFile(alerts)
	require.NoError(tb, err)
	alert := string(bytes.SplitN(data, []byte("\n"), 2)[0])
	idAt := strings.Index(alert, `"id":"`) + len(`"id":"`)
	idEnd := idAt + strings.IndexByte(alert[idAt:], '"')
	const created = `"createdDateTime":"2023-12-04T09:18:43.4521876Z"`
	tAt := strings.Index(alert, created)
	require.Positive(tb, tAt)
	start := time.Date(2023, 12, 3, 12, 0, 0, 0, time.UTC)
	s := &alertStream{n: n}
	for i := range streamCycle {
		at := start.Add(time.Duration(i) * 72 * time.Hour / streamCycle)
		post := alert[tAt+len(created):]
		if i%10 == 0 {
			post = strings.ReplaceAll(post, `Users\\alex.wu\\Downloads`, `ProgramData\\Contoso\\Agent\\Cache`)
		}
		line := fmt.Sprintf("%sgen-%04d%s\"createdDateTime\":%q%s\n", alert[:idAt], i, alert[idEnd:tAt], at.Format(time.RFC3339Nano), post)
		s.cycle = append(s.cycle, []byte(line))
	}
	return s
}

func (s *alertStream) Read(p []byte) (int, error) {
	if len(s.cur) == 0 {
		if s.i == s.n {
			return 0, io.EOF
		}
		s.cur = s.cycle[s.i%streamCycle]
		s.i++
	}
	n := copy(p, s.cur)
	s.cur = s.cur[n:]
	return n, nil
}

// peakHeap samples the live heap every millisecond until stop is called,
// which returns the largest value seen.
func peakHeap() (stop func() uint64) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak atomic.Uint64
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			if v := sample[0].Value.Uint64(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 { close(done); <-finished; return peak.Load() }
}

// replayStream runs a replay of n generated alerts from standard input,
// output discarded, and returns the peak live heap.
func replayStream(tb testing.TB, n int, extra ...string) (uint64, time.Duration) {
	args := append([]string{"replay", "--status", ps51, "--prefs", "testdata/prefs-ps51.json", "--os", win11, "--detections", "-"}, extra...)
	runtime.GC()
	stop := peakHeap()
	start := time.Now()
	var errOut bytes.Buffer
	code := run(context.Background(), args, env{stdin: newAlertStream(tb, n), stdout: io.Discard, stderr: &errOut})
	el := time.Since(start)
	peak := stop()
	if code != exitOK && (code != exitFindings || !strings.Contains(strings.Join(extra, " "), "--compare")) {
		tb.Fatalf("exit %d: %s", code, errOut.String())
	}
	return peak, el
}

// TestReplayMemoryIsConstant replays 10,000 and then 100,000 detections
// (1,000,000 with EDRCHECK_LONG=1): the peak live heap does not grow with
// the length of the stream.
func TestReplayMemoryIsConstant(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("replays 110,000 detections; the race detector's own memory would blur the figure")
	}
	// At the collector's default pace, so that the peak follows the live
	// heap closely (replay itself runs at GOGC=400 unless GOGC is set).
	t.Setenv("GOGC", "100")
	long := 100_000
	if os.Getenv("EDRCHECK_LONG") != "" {
		long = 1_000_000
	}
	small, _ := replayStream(t, 10_000, "--json")
	big, el := replayStream(t, long, "--json")
	t.Logf("peak live heap: %.1f MiB for 10,000 detections, %.1f MiB for %d (%.0f detections/s)",
		float64(small)/(1<<20), float64(big)/(1<<20), long, float64(long)/el.Seconds())
	// Allow for the garbage collector's pacing: 16 MiB more, whatever the
	// stream's length, and never proportional to it.
	if big > small+16<<20 {
		t.Errorf("peak live heap grew from %d to %d bytes with the stream's length", small, big)
	}
}

// BenchmarkReplay measures replay end to end (framing, parsing, deciding
// against the sample preferences' exclusions, formatting, in parallel, in
// order) on a stream of generated alerts, beside a naive baseline in the
// same run: one goroutine that decodes with detect.Decoder and decides.
func BenchmarkReplay(b *testing.B) {
	const n = 50_000
	for _, bc := range []struct {
		name string
		args []string
	}{
		{"output=table", nil},
		{"output=json", []string{"--json"}},
		{"output=compare", []string{"--compare", "--add-exclusion", `C:\Users\*\Downloads`}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var peak uint64
			var total time.Duration
			for b.Loop() {
				p, el := replayStream(b, n, bc.args...)
				peak = max(peak, p)
				total += el
			}
			b.ReportMetric(float64(n*b.N)/total.Seconds(), "detections/s")
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
			b.ReportMetric(0, "ns/op")
		})
	}
	b.Run("baseline=sequential-decode-decide", func(b *testing.B) {
		prefs, err := os.Open("testdata/prefs-ps51.json")
		require.NoError(b, err)
		p, err := mode.ParsePreferences(prefs)
		prefs.Close()
		require.NoError(b, err)
		m, err := exclusions.Compile(exclusions.List{Paths: p.ExclusionPath, Extensions: p.ExclusionExtension, Processes: p.ExclusionProcess}, exclusions.Options{})
		require.NoError(b, err)
		var total time.Duration
		for b.Loop() {
			start := time.Now()
			dec := detect.NewDecoder(newAlertStream(b, n), detect.Options{})
			for {
				det, err := dec.Next()
				if errors.Is(err, io.EOF) {
					break
				}
				require.NoError(b, err)
				remediate.Decide(remediate.Input{Detection: det, BlockMode: remediate.BlockMode{InEffect: true}, AntivirusMode: mode.EDRBlock, Exclusions: m})
			}
			total += time.Since(start)
		}
		b.ReportMetric(float64(n*b.N)/total.Seconds(), "detections/s")
		b.ReportMetric(0, "ns/op")
	})
}
