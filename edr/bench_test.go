package edr

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/blockmode/blockmode/remediate"
)

type noopHost struct{}

func (noopHost) StopProcess(context.Context, remediate.Action) error { return nil }
func (noopHost) Quarantine(context.Context, remediate.Action) (string, error) {
	return "q", nil
}

// BenchmarkHandle measures the whole lifecycle (decide with trace, write
// ahead, three hook calls each in its own goroutine with a timeout, a
// write after each, the final write) with no-op hooks and the memory
// store, beside a bare loop of the same Decide, in one run.
func BenchmarkHandle(b *testing.B) {
	var hist History
	if _, err := hist.SetTenant(admin, true, at(0)); err != nil {
		b.Fatal(err)
	}
	device := eligible()
	b.Run("op=decide-loop/trace=on", func(b *testing.B) {
		det := edrDetection("bench")
		in := remediate.Input{Detection: det, BlockMode: hist.State(device, det.Time).BlockMode(), AntivirusMode: device.Mode, Trace: true}
		b.ReportAllocs()
		for b.Loop() {
			_ = remediate.Decide(in)
		}
	})
	b.Run("op=handle/store=memory", func(b *testing.B) {
		e, err := New(Config{Hooks: Hooks{StopProcess: noopHost{}, Quarantine: noopHost{}}, Settings: &hist, Device: device,
			Clock: &fixedClock{t: at(3 * time.Hour)}})
		if err != nil {
			b.Fatal(err)
		}
		defer e.Close(context.Background())
		var n atomic.Int64
		b.ReportAllocs()
		b.ResetTimer()
		start := time.Now()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				det := edrDetection("d" + strconv.FormatInt(n.Add(1), 10))
				rec, err := e.Handle(context.Background(), det)
				if err != nil || rec.Status != Blocked {
					b.Fatalf("%v %v", rec.Status, err)
				}
			}
		})
		b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "detections/s")
	})
}
