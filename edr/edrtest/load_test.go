package edrtest_test

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/blockmode/blockmode/detect"
	"github.com/blockmode/blockmode/edr"
	"github.com/blockmode/blockmode/edr/edrtest"
)

// The race/load test of issue 7: many goroutines hand the engine
// detections, with duplicates, while hooks fail, panic and hang at
// random; afterwards every distinct detection has exactly one terminal
// record, the host's calls match the records, and Close leaves no
// goroutine behind.
//
// The short form runs in every "go test ./..."; the long form, with the
// issue's figures (64 goroutines, 50,000 distinct detections, plus
// duplicates), runs with
//
//	EDRTEST_LONG=1 go test -race -run TestLoad ./edr/edrtest
//
// or with the flag -edrtest.long.
var longLoad = flag.Bool("edrtest.long", false, "run the long race/load test (issue 7's figures)")

type loadSize struct {
	goroutines int // submitting goroutines
	distinct   int // distinct detections
	duplicates int // extra submissions of ids already in the stream
}

func TestLoad(t *testing.T) {
	size := loadSize{goroutines: 64, distinct: 6000, duplicates: 2000}
	if *longLoad || os.Getenv("EDRTEST_LONG") != "" {
		size = loadSize{goroutines: 64, distinct: 50000, duplicates: 12500}
	} else if testing.Short() {
		size = loadSize{goroutines: 16, distinct: 1000, duplicates: 250}
	}
	runLoad(t, size, 1)
}

// faultKind is what a detection's hooks do in the load test.
type faultKind int

const (
	none      faultKind = iota
	tempOnce            // a temporary error, then success: retried
	tempAll             // temporary errors until the attempts run out
	permanent           // a final error
	panics              // the hook panics
	hangs               // the hook hangs until the action timeout
	slow                // the hook takes a moment
	nFaultKinds
)

var faultNames = [...]string{"none", "temporary once", "temporary always", "permanent", "panic", "hang", "slow"}

// weights per thousand, in faultKind order.
var faultWeights = [...]int{560, 120, 50, 80, 80, 30, 80}

type plan struct {
	fault faultKind
	hook  edrtest.Hook // the hook that misbehaves
	calls atomic.Int32 // calls seen, for tempOnce
}

func runLoad(t *testing.T, size loadSize, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))

	// The detections and what their hooks do.
	dets := make([]*detect.Detection, size.distinct)
	plans := make(map[string]*plan, size.distinct) // by artifact path
	var faultCount [nFaultKinds]int
	informational := 0
	for i := range dets {
		id := fmt.Sprintf("load-%06d", i)
		path := fmt.Sprintf(`C:\load\%06d\payload.exe`, i)
		p := &plan{hook: edrtest.Quarantine}
		if n := rng.IntN(1000); true {
			for k, w := range faultWeights {
				if n < w {
					p.fault = faultKind(k)
					break
				}
				n -= w
			}
		}
		var det *detect.Detection
		switch {
		case rng.IntN(100) < 5: // not remediated: no hook is called
			det = edrtest.Detection(id, edrtest.Process(int64(10+i), path))
			det.Severity = detect.SeverityInformational
			informational++
			p.fault = none
		case rng.IntN(2) == 0:
			det = edrtest.Detection(id, edrtest.Process(int64(10+i), path))
			if rng.IntN(2) == 0 {
				p.hook = edrtest.StopProcess
			}
		default:
			det = edrtest.Detection(id, edrtest.File(path))
		}
		faultCount[p.fault]++
		dets[i] = det
		plans[path] = p
	}

	// The stream: every detection once, and duplicates placed near the
	// original so that they often arrive while it is in flight.
	stream := make([]*detect.Detection, 0, size.distinct+size.duplicates)
	stream = append(stream, dets...)
	for range size.duplicates {
		i := rng.IntN(size.distinct)
		at := min(len(stream), i+rng.IntN(128))
		stream = append(stream, nil)
		copy(stream[at+1:], stream[at:])
		stream[at] = dets[i]
	}

	clock := new(edrtest.Clock)
	host := &edrtest.Host{Clock: clock}
	fault := edrtest.Func(func(ctx context.Context, c edrtest.Call) error {
		p := plans[c.Action.Path]
		if p == nil || p.hook != c.Hook {
			return nil
		}
		switch p.fault {
		case tempOnce:
			if p.calls.Add(1) == 1 {
				return edr.Temporary(edrtest.ErrBusy)
			}
		case tempAll:
			return edr.Temporary(edrtest.ErrBusy)
		case permanent:
			return errDenied
		case panics:
			panic("load: " + c.Action.Path)
		case hangs:
			<-ctx.Done()
			return ctx.Err()
		case slow:
			time.Sleep(time.Duration(rand.IntN(2000)) * time.Microsecond)
		}
		return nil
	})
	host.Fault(edrtest.StopProcess, fault)
	host.Fault(edrtest.Quarantine, fault)
	// Notifications fail now and then: the engine logs it, the record stands.
	host.Fault(edrtest.Notify, edrtest.Fail(errDenied).Match(edrtest.Match{If: func(c edrtest.Call) bool { return c.Seq%97 == 0 }}))

	cfg := edrtest.Config(clock, host)
	cfg.Limits = edr.Limits{Workers: 16, ActionTimeout: 100 * time.Millisecond, Backoff: time.Millisecond, MaxAttempts: 3}
	eng, err := edr.New(cfg)
	require.NoError(t, err)

	start := time.Now()
	var wg sync.WaitGroup
	var handled, submitted atomic.Int64
	for g := range size.goroutines {
		wg.Go(func() {
			ctx := context.Background()
			// One goroutine in eight calls Handle; the others Submit.
			useHandle := g%8 == 7
			for i := g; i < len(stream); i += size.goroutines {
				if useHandle {
					_, err := eng.Handle(ctx, stream[i])
					if err != nil {
						t.Errorf("Handle(%s): %v", stream[i].ID, err)
					}
					handled.Add(1)
					continue
				}
				if err := eng.Submit(ctx, stream[i]); err != nil {
					t.Errorf("Submit(%s): %v", stream[i].ID, err)
				}
				submitted.Add(1)
			}
		})
	}
	wg.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	require.NoError(t, eng.Close(ctx))
	took := time.Since(start)

	ids := make([]string, len(stream))
	for i, d := range stream {
		ids[i] = d.ID
	}
	checkStart := time.Now()
	ok := edrtest.CheckHistory(t, eng.Store(), host, ids)
	checked := time.Since(checkStart)
	if !ok {
		// Say which timeouts hit hooks that were not scripted to hang:
		// the engine gave up on them while they were succeeding.
		for _, d := range dets {
			rec, _ := eng.Store().Get(context.Background(), d.ID)
			for _, a := range rec.Actions {
				if p := plans[a.Path]; a.Error != "" && strings.Contains(a.Error, "within") && p.fault != hangs {
					t.Logf("record %s: %s: %s (scripted: %s on %s); calls: %v", rec.ID, a.Action, a.Error, faultNames[p.fault], p.hook, host.CallsFor(rec.ID))
				}
			}
		}
	}
	goleak.VerifyNone(t)

	// The figures, for the record.
	statuses := map[edr.RecordStatus]int{}
	for _, d := range dets {
		rec, err := eng.Store().Get(context.Background(), d.ID)
		if err == nil {
			statuses[rec.Status]++
		}
	}
	var st []string
	for s, n := range statuses {
		st = append(st, fmt.Sprintf("%s %d", s, n))
	}
	sort.Strings(st)
	var fs []string
	for k, n := range faultCount {
		fs = append(fs, fmt.Sprintf("%s %d", faultNames[k], n))
	}
	t.Logf("%d goroutines, %d submissions (%d by Submit, %d by Handle) of %d distinct detections (%d duplicates, %d informational); faults by detection: %v; %d hook calls; records: %v; run and Close %s (%.0f submissions/s), CheckHistory %s",
		size.goroutines, len(stream), submitted.Load(), handled.Load(), size.distinct, size.duplicates, informational,
		fs, len(host.Calls()), st, took.Round(time.Millisecond), float64(len(stream))/took.Seconds(), checked.Round(time.Millisecond))
}
