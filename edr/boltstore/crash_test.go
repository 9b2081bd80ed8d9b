package boltstore

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blockmode/blockmode/edr"
	"github.com/blockmode/blockmode/remediate"
)

// The crash test. TestCrash runs the engine on a bbolt store in a child
// process (this test binary again, running TestCrashChild), kills it with
// SIGKILL at random points while it works through a stream of detections,
// starts it again, and so on; then it checks what survived. Its long form:
//
//	go test ./edr/boltstore -run 'TestCrash$' -crash.kills=200 -crash.detections=5000 -v
var (
	crashKills      = flag.Int("crash.kills", 24, "TestCrash: how many times to kill the child (at least 20 for the short form)")
	crashDetections = flag.Int("crash.detections", 400, "TestCrash: how many detections the child works through")
	crashWorkers    = flag.Int("crash.workers", 8, "TestCrash: how many goroutines call Handle in the child")
	crashSeed       = flag.Uint64("crash.seed", 0, "TestCrash: the seed of the kill points; 0 picks one")
)

// The child's environment.
const (
	envChildDir = "BOLTSTORE_CRASH_CHILD" // the directory of the store and hook log; marks child mode
	envChildN   = "BOLTSTORE_CRASH_N"
	envChildGen = "BOLTSTORE_CRASH_GEN" // the run's number, from 1
	envChildW   = "BOLTSTORE_CRASH_WORKERS"
)

// The child's clock puts its run number in every timestamp it records:
// run g's clock reads crashEpoch + g days + the time since the run
// started. So a record tells which run finished each action.
var crashEpoch = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

type genClock struct {
	gen   int
	start time.Time
}

func (c genClock) Now() time.Time {
	return crashEpoch.Add(time.Duration(c.gen)*24*time.Hour + time.Since(c.start))
}

func genOf(t time.Time) int { return int(t.Sub(crashEpoch) / (24 * time.Hour)) }

// hookLog is the child's host: each hook call that completes appends a
// line to an append-only log and fsyncs it before returning, so the log
// holds every call whose effect happened:
//
//	stop <run> <evidence> <path>
//	quarantine <run> <evidence> <path>
type hookLog struct {
	mu  sync.Mutex
	f   *os.File
	gen int
	rng *rand.Rand
}

func (h *hookLog) call(ctx context.Context, kind string, a remediate.Action) error {
	h.mu.Lock()
	work := time.Duration(h.rng.IntN(500)) * time.Microsecond
	h.mu.Unlock()
	time.Sleep(work) // the hook's work, before its effect: a kill here leaves no line
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, err := fmt.Fprintf(h.f, "%s %d %d %s\n", kind, h.gen, a.Evidence, a.Path); err != nil {
		return err
	}
	return h.f.Sync()
}

func (h *hookLog) StopProcess(ctx context.Context, a remediate.Action) error {
	return h.call(ctx, "stop", a)
}

func (h *hookLog) Quarantine(ctx context.Context, a remediate.Action) (string, error) {
	return fmt.Sprintf("q-%d", h.gen), h.call(ctx, "quarantine", a)
}

// TestCrashChild is the child of TestCrash; on its own it skips. It
// resumes what the previous run left in progress (edr.New does), then
// hands every detection to the engine from several goroutines, in an
// order of its own, and prints "ack <id>" for each terminal record
// Handle returns. A detection already finished is returned from the store
// without calling a hook.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(envChildDir)
	if dir == "" {
		t.Skip("the child of TestCrash")
	}
	n, _ := strconv.Atoi(os.Getenv(envChildN))
	gen, _ := strconv.Atoi(os.Getenv(envChildGen))
	workers, _ := strconv.Atoi(os.Getenv(envChildW))
	start := time.Now()

	logf, err := os.OpenFile(filepath.Join(dir, "hooks.log"), os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o600)
	require.NoError(t, err)
	defer logf.Close()
	// A run killed in the middle of a write may have left half a line.
	if st, err := logf.Stat(); err == nil && st.Size() > 0 {
		last := make([]byte, 1)
		_, err := logf.ReadAt(last, st.Size()-1)
		require.NoError(t, err)
		if last[0] != '\n' {
			_, err := logf.WriteString("\n")
			require.NoError(t, err)
		}
	}

	s, err := Open(filepath.Join(dir, "history.db"), Options{})
	require.NoError(t, err)
	defer s.Close()
	host := &hookLog{f: logf, gen: gen, rng: rand.New(rand.NewPCG(uint64(gen), 1))}
	cfg := engineConfig(t, s, edr.Hooks{StopProcess: host, Quarantine: host})
	cfg.Clock = genClock{gen: gen, start: start}
	cfg.Limits.Workers = 1
	e, err := edr.New(cfg) // resumes the records left in progress
	require.NoError(t, err)

	order := rand.New(rand.NewPCG(uint64(gen), 2)).Perm(n)
	next := make(chan int)
	go func() {
		for _, i := range order {
			next <- i
		}
		close(next)
	}()
	var out sync.Mutex
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range next {
				d, err := parseAlert(i, deviceID)
				if err == nil {
					var r edr.Record
					if r, err = e.Handle(ctx, d); err == nil && !r.Status.Terminal() {
						err = fmt.Errorf("status %s", r.Status)
					}
				}
				out.Lock()
				if err != nil {
					fmt.Printf("error %d %v\n", i, err)
				} else {
					fmt.Printf("ack %s\n", d.ID)
				}
				out.Unlock()
			}
		})
	}
	wg.Wait()
	require.NoError(t, e.Close(ctx))
	require.NoError(t, s.Close())
}

// TestCrash checks, after each kill and at the end:
//
//   - every acknowledged detection has a terminal record (an ack is printed
//     only after the terminal record was committed);
//   - the store passes Check (records and indexes agree, bbolt's pages are
//     consistent);
//
// and at the end, after a last run that is not killed:
//
//   - every detection has exactly one record, terminal (Blocked, its three
//     actions Succeeded), and nothing is in progress;
//   - actions recorded as finished are never run again: for each action,
//     the hook log has exactly one line from the run that recorded it
//     finished and none from a later run;
//   - an action whose hook completed but whose result was not yet stored
//     when the child was killed runs again (at-least-once): its earlier
//     lines come from distinct runs, each of them killed, so an action
//     runs at most 1 + (number of kills while its record was in
//     progress) times; in all, at most kills × workers actions run twice.
func TestCrash(t *testing.T) {
	if os.Getenv(envChildDir) != "" {
		t.Skip("in the child")
	}
	kills, n, workers := *crashKills, *crashDetections, *crashWorkers
	seed := *crashSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (-crash.seed=%d repeats the kill points)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	dir := t.TempDir()
	started := time.Now()

	acked := map[string]bool{}
	finishedIn := map[actionKey]int{}
	var killedMidway, finishedEarly int
	gen := 0
	for k := 0; k <= kills; {
		gen++
		last := k == kills
		c := startChild(t, dir, n, gen, workers)
		// The kill point: after some new acks and a little more, or, one
		// time in five, a moment after the start (during Open or recovery).
		var killAfter int
		var delay time.Duration
		if rng.IntN(5) == 0 {
			delay = time.Duration(rng.IntN(60)) * time.Millisecond
		} else {
			killAfter = 1 + rng.IntN(max(1, 2*n/kills/2))
			delay = time.Duration(rng.IntN(3000)) * time.Microsecond
		}
		var timer <-chan time.Time
		if !last && killAfter == 0 {
			timer = time.After(delay)
		}
		newAcks, killed := 0, false
	read:
		for {
			select {
			case line, ok := <-c.lines:
				if !ok {
					break read
				}
				id, isAck := strings.CutPrefix(line, "ack ")
				if !isAck {
					if strings.HasPrefix(line, "error ") {
						t.Errorf("run %d: %s", gen, line)
					}
					continue
				}
				if !acked[id] {
					acked[id] = true
					newAcks++
					if !last && killAfter > 0 && newAcks == killAfter {
						timer = time.After(delay)
					}
				}
			case <-timer:
				timer = nil
				require.NoError(t, c.cmd.Process.Kill()) // SIGKILL
				killed = true
			case <-time.After(2 * time.Minute):
				c.cmd.Process.Kill()
				t.Fatalf("run %d hangs", gen)
			}
		}
		err := c.cmd.Wait()
		switch {
		case killed:
			k++
			if len(acked) < n {
				killedMidway++
			}
		case last:
			require.NoError(t, err, "the last run fails:\n%s", c.stderr.String())
			k++
		default:
			// It finished before its kill point; the next run kills.
			require.NoError(t, err, "run %d fails:\n%s", gen, c.stderr.String())
			finishedEarly++
		}
		checkAfterRun(t, dir, gen, acked, finishedIn)
	}
	elapsed := time.Since(started)

	s, err := Open(filepath.Join(dir, "history.db"), Options{})
	require.NoError(t, err)
	defer s.Close()
	require.NoError(t, s.Check(ctx))
	pending, err := s.Pending(ctx)
	require.NoError(t, err)
	require.Empty(t, pending)
	recs := map[string]edr.Record{}
	for q := (edr.Query{Limit: 500}); ; {
		p, err := s.Query(ctx, q)
		require.NoError(t, err)
		for _, r := range p.Records {
			require.NotContains(t, recs, r.ID, "one record per detection")
			recs[r.ID] = r
		}
		if q.After = p.Next; q.After == "" {
			break
		}
	}
	require.Len(t, recs, n, "one record per detection")
	require.Len(t, acked, n, "every detection acknowledged")

	owner := map[actionKey]string{} // the detection's id
	for i := range n {
		d, err := parseAlert(i, deviceID)
		require.NoError(t, err)
		r, ok := recs[d.ID]
		require.True(t, ok, "detection %s has no record", d.ID)
		require.Equal(t, edr.Blocked, r.Status, r.String())
		require.Len(t, r.Actions, 3)
		for _, a := range r.Actions {
			require.Equal(t, edr.Succeeded, a.Result, "%s: %s", r.ID, a.Action)
			require.Equal(t, 1, a.Attempts, "%s: %s", r.ID, a.Action)
			require.Equal(t, finishedIn[keyOf(a)], genOf(a.Finished), "%s: %s: the record of a finished action changed", r.ID, a.Action)
			owner[keyOf(a)] = r.ID
		}
	}

	lines := readHookLog(t, dir)
	runs := map[actionKey][]int{}
	torn := 0
	for _, l := range lines {
		f := strings.SplitN(l, " ", 4)
		if len(f) != 4 {
			torn++
			continue
		}
		g, err1 := strconv.Atoi(f[1])
		ev, err2 := strconv.Atoi(f[2])
		if err1 != nil || err2 != nil {
			torn++
			continue
		}
		k := actionKey{f[3], f[0], ev}
		require.Contains(t, owner, k, "hook log line for no recorded action: %q", l)
		runs[k] = append(runs[k], g)
	}
	assert.LessOrEqual(t, torn, kills, "at most one torn line per kill")
	reruns, maxRuns := 0, 0
	for k, id := range owner {
		gs, fin := runs[k], finishedIn[k]
		require.NotEmpty(t, gs, "%s %s: recorded as succeeded, but its hook never completed", id, k.kind)
		require.True(t, slices.IsSorted(gs), "%v", gs)
		require.Equal(t, len(gs), len(slices.Compact(slices.Clone(gs))), "%s %s %s: ran twice in one run: %v", id, k.kind, k.path, gs)
		require.Equal(t, fin, gs[len(gs)-1], "%s %s %s: ran again after run %d recorded it finished: runs %v", id, k.kind, k.path, fin, gs)
		reruns += len(gs) - 1
		maxRuns = max(maxRuns, len(gs))
	}
	assert.LessOrEqual(t, reruns, kills*(workers+1), "each kill interrupts at most one action per goroutine handling a record")
	t.Logf("%d detections, %d kills (%d before every detection was acknowledged), %d runs (%d ended before their kill point) in %s; "+
		"%d hook calls for %d actions: %d calls again after an interruption (no action more than %d times), %d torn log lines",
		n, kills, killedMidway, gen, finishedEarly, elapsed.Round(time.Millisecond), len(lines), len(owner), reruns, maxRuns, torn)
}

type child struct {
	cmd    *exec.Cmd
	lines  chan string
	stderr *bytes.Buffer
}

func startChild(t *testing.T, dir string, n, gen, workers int) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1", "-test.timeout=5m")
	cmd.Env = append(os.Environ(),
		envChildDir+"="+dir, envChildN+"="+strconv.Itoa(n), envChildGen+"="+strconv.Itoa(gen), envChildW+"="+strconv.Itoa(workers))
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	c := &child{cmd: cmd, lines: make(chan string, 1024), stderr: new(bytes.Buffer)}
	cmd.Stderr = c.stderr
	require.NoError(t, cmd.Start())
	go func() {
		defer close(c.lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			c.lines <- sc.Text()
		}
		io.Copy(io.Discard, stdout)
	}()
	return c
}

// actionKey names an action in the hook log and in the records: the
// paths are unique to each detection.
type actionKey struct {
	path, kind string
	evidence   int
}

func keyOf(a edr.ActionRecord) actionKey {
	kind := map[remediate.ActionKind]string{remediate.StopProcess: "stop", remediate.Quarantine: "quarantine"}[a.Kind]
	return actionKey{a.Path, kind, a.Evidence}
}

// checkAfterRun opens the store a run left (killed or not) and checks
// that it is consistent and that every acknowledged detection has a
// terminal record. It notes in finishedIn the run that recorded each
// action finished, the first time it sees it so.
func checkAfterRun(t *testing.T, dir string, gen int, acked map[string]bool, finishedIn map[actionKey]int) {
	t.Helper()
	s, err := Open(filepath.Join(dir, "history.db"), Options{})
	require.NoError(t, err, "after run %d", gen)
	defer s.Close()
	require.NoError(t, s.Check(ctx), "after run %d", gen)
	for id := range acked {
		r, err := s.Get(ctx, id)
		require.NoError(t, err, "after run %d: acknowledged %s", gen, id)
		require.True(t, r.Status.Terminal(), "after run %d: acknowledged %s is %s", gen, id, r.Status)
	}
	for q := (edr.Query{Limit: 500}); ; {
		p, err := s.Query(ctx, q)
		require.NoError(t, err)
		for _, r := range p.Records {
			for _, a := range r.Actions {
				if _, seen := finishedIn[keyOf(a)]; !seen && a.Result == edr.Succeeded {
					g := genOf(a.Finished)
					require.LessOrEqual(t, g, gen, "%s: %s", r.ID, a.Action)
					finishedIn[keyOf(a)] = g
				}
			}
		}
		if q.After = p.Next; q.After == "" {
			break
		}
	}
}

func readHookLog(t *testing.T, dir string) []string {
	data, err := os.ReadFile(filepath.Join(dir, "hooks.log"))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	require.NoError(t, err)
	var lines []string
	for l := range strings.Lines(string(data)) {
		if l = strings.TrimSuffix(l, "\n"); l != "" {
			lines = append(lines, l)
		}
	}
	return lines
}
