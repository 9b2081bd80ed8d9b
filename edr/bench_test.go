package edr

import (
	"context"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/blockmode/blockmode/detect"
	"github.com/blockmode/blockmode/remediate"
)

type noopHost struct{}

func (noopHost) StopProcess(context.Context, remediate.Action) error { return nil }
func (noopHost) Quarantine(context.Context, remediate.Action) (string, error) {
	return "q", nil
}

// copies hands out copies of one template detection, each under a new
// id, as a decoder hands detections over. Each goroutine takes a source
// of its own, so that the goroutines share no counter (a decoder per
// connection shares none).
type copies struct {
	tmpl    *detect.Detection
	sources atomic.Int64
}

// source returns a function that makes the next copy; it is for one
// goroutine.
func (c *copies) source() func() *detect.Detection {
	prefix := "d" + strconv.FormatInt(c.sources.Add(1), 10) + "-"
	buf := make([]byte, 0, 32)
	var n int64
	return func() *detect.Detection {
		n++
		det := new(detect.Detection)
		*det = *c.tmpl
		buf = strconv.AppendInt(append(buf[:0], prefix...), n, 10)
		det.ID = string(buf)
		return det
	}
}

// BenchmarkHandle measures the whole lifecycle (decide with trace, write
// ahead, three hook calls made with their timeouts on a runner goroutine
// the caller watches, the final write; the memory store is volatile, so
// there is no write after each action) with no-op hooks, the memory store
// and the real clock, beside bare loops of the same Decide, in one run.
//
// The Decide loops: op=decide-loop/trace=on decides on one detection over
// and over from one goroutine; /parallel does the same from the parallel
// goroutines op=handle uses; /input=copy is op=handle's own loop minus the
// engine (each iteration a copy of the template under a new id, from the
// same goroutines), so that op=handle minus it is the engine's cost.
//
// The memory store keeps every record (4 to 5 KB: the detection, the
// decision with its trace, the actions), so the heap grows with b.N and
// the garbage collector's marking and the first touch of new memory are
// part of each detection's cost. op=decide-and-keep is the floor that sets:
// the same Decide, each decision kept in a map, from the same parallel
// goroutines as op=handle. store=memory-limit-10000 is the memory store
// bounded as a long-running agent would bound it: the heap stays level
// (at some 40 MB, which the collector marks once per 10,000 detections or
// so), and what is left is the engine's own cost. Each sub-benchmark
// starts from a collected heap whose free memory has gone back to the
// system, so that the records one kept do not weigh on the next; the two
// that keep every record run last, as their heaps grow to gigabytes.
func BenchmarkHandle(b *testing.B) {
	var hist History
	if _, err := hist.SetTenant(admin, true, at(0)); err != nil {
		b.Fatal(err)
	}
	device := eligible()
	b.Run("op=decide-loop/trace=on", func(b *testing.B) {
		det := edrDetection("bench")
		in := remediate.Input{Detection: det, BlockMode: hist.State(device, det.Time).BlockMode(), AntivirusMode: device.Mode, Trace: true}
		debug.FreeOSMemory()
		b.ReportAllocs()
		for b.Loop() {
			_ = remediate.Decide(in)
		}
	})
	// The same loop from the parallel goroutines op=handle uses, so that
	// the two are compared on the same cores.
	b.Run("op=decide-loop/trace=on/parallel", func(b *testing.B) {
		det := edrDetection("bench")
		in := remediate.Input{Detection: det, BlockMode: hist.State(device, det.Time).BlockMode(), AntivirusMode: device.Mode, Trace: true}
		debug.FreeOSMemory()
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				_ = remediate.Decide(in)
			}
		})
	})
	// The loop op=handle runs, minus the engine: each iteration decides
	// on its own copy of the template under a new id, from the same
	// parallel goroutines. The engine's cost per detection is op=handle's
	// minus this one's.
	b.Run("op=decide-loop/trace=on/input=copy", func(b *testing.B) {
		bm := hist.State(device, at(2*time.Hour)).BlockMode()
		dets := &copies{tmpl: edrDetection("")}
		debug.FreeOSMemory()
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			next := dets.source()
			for pb.Next() {
				det := next()
				d := remediate.Decide(remediate.Input{Detection: det, BlockMode: bm, AntivirusMode: device.Mode, Trace: true})
				if d.Verdict != remediate.Remediate {
					b.Fatalf("verdict %v", d.Verdict)
				}
			}
		})
	})
	for _, bc := range []struct {
		name  string
		store *MemStore
	}{
		{"op=handle/store=memory-limit-10000", &MemStore{Limit: 10000}}, // a long-running agent's
		{"op=handle/store=memory", nil},                                 // keeps every record
	} {
		b.Run(bc.name, func(b *testing.B) {
			// The real clock, as an agent runs the engine: block mode was
			// turned on three hours ago.
			var live History
			if _, err := live.SetTenant(admin, true, time.Now().Add(-3*time.Hour)); err != nil {
				b.Fatal(err)
			}
			cfg := Config{Hooks: Hooks{StopProcess: noopHost{}, Quarantine: noopHost{}}, Settings: &live, Device: device}
			if bc.store != nil {
				cfg.Store = bc.store
			}
			e, err := New(cfg)
			if err != nil {
				b.Fatal(err)
			}
			defer e.Close(context.Background())
			// Each Handle gets its own detection, as from a decoder (the
			// engine reads detections, never writes them).
			dets := &copies{tmpl: edrDetection("")}
			debug.FreeOSMemory()
			b.ReportAllocs()
			b.ResetTimer()
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				next := dets.source()
				for pb.Next() {
					det := next()
					rec, err := e.Handle(context.Background(), det)
					if err != nil || rec.Status != Blocked {
						b.Fatalf("%v %v", rec.Status, err)
					}
				}
			})
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "detections/s")
		})
	}
	b.Run("op=decide-and-keep/store=map", func(b *testing.B) {
		bm := hist.State(device, at(2*time.Hour)).BlockMode()
		var mu sync.Mutex
		kept := map[string]*remediate.Decision{}
		dets := &copies{tmpl: edrDetection("")}
		debug.FreeOSMemory()
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			next := dets.source()
			for pb.Next() {
				det := next()
				d := remediate.Decide(remediate.Input{Detection: det, BlockMode: bm, AntivirusMode: device.Mode, Trace: true})
				mu.Lock()
				kept[det.ID] = &d
				mu.Unlock()
			}
		})
	})
}
