package boltstore

import (
	"context"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/blockmode/blockmode/edr"
)

// BenchmarkPut writes new records (a real 6 KB record: a Graph alert,
// its decision with a full trace, three actions) from parallel writers
// and reports durable records per second and commits per record (each
// commit is a transaction: two fsyncs). writers=1 is one goroutine in a
// loop; the others are b.RunParallel with b.SetParallelism(writers /
// GOMAXPROCS).
//
//	impl=commit:        Put: group commit by the store's commit loop
//	impl=dbbatch/delay: bbolt's DB.Batch, which cuts a batch when its
//	                    timer (MaxBatchDelay; bbolt's default 10ms) fires
//	impl=update:        the naive baseline: a transaction per record
//
// sync=off is Options.NoSync, for comparison only.
func BenchmarkPut(b *testing.B) {
	rec := benchRecord(b)
	impls := []struct {
		name  string
		delay time.Duration
	}{{"commit", 0}, {"dbbatch/delay=10ms", 10 * time.Millisecond}, {"dbbatch/delay=1ms", time.Millisecond}, {"update", 0}}
	for _, sync := range []bool{true, false} {
		for _, impl := range impls {
			for _, writers := range writerCounts() {
				b.Run(fmt.Sprintf("sync=%s/impl=%s/writers=%d", onOff(sync), impl.name, writers), func(b *testing.B) {
					s := open(b, Options{NoSync: !sync})
					put := s.Put
					switch impl.name {
					case "update":
						put = s.putSolo
					case "commit":
					default:
						s.db.MaxBatchDelay = impl.delay
						put = s.putDBBatch
					}
					benchPut(b, s, rec, writers, put)
				})
			}
		}
	}
}

func onOff(v bool) string {
	if v {
		return "on"
	}
	return "off"
}

// writerCounts are 1 and multiples of GOMAXPROCS, which RunParallel
// needs.
func writerCounts() []int {
	procs := runtime.GOMAXPROCS(0)
	return []int{1, 4 * procs, 32 * procs, 128 * procs}
}

func benchPut(b *testing.B, s *Store, rec edr.Record, writers int, put func(context.Context, edr.Record) error) {
	var seq atomic.Int64
	b.ReportAllocs()
	before := s.Stats()
	b.ResetTimer()
	if writers == 1 {
		r := rec
		for b.Loop() {
			r.ID = fmt.Sprintf("det-%09d", seq.Add(1))
			if err := put(ctx, r); err != nil {
				b.Fatal(err)
			}
		}
	} else {
		b.SetParallelism(writers / runtime.GOMAXPROCS(0))
		b.RunParallel(func(pb *testing.PB) {
			r := rec
			for pb.Next() {
				r.ID = fmt.Sprintf("det-%09d", seq.Add(1))
				if err := put(ctx, r); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	b.StopTimer()
	st := s.Stats()
	commits := st.Commits - before.Commits
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(commits)/float64(b.N), "commits/record")
}

// putSolo is the naive baseline: Put in a transaction of its own.
func (s *Store) putSolo(_ context.Context, r edr.Record) error {
	data, err := r.MarshalJSON()
	if err != nil {
		return err
	}
	e := entryOf(r)
	if err := s.db.Update(func(tx *bolt.Tx) error { return put(tx, []byte(r.ID), e, data) }); err != nil {
		return err
	}
	s.puts.Add(1)
	return nil
}

// putDBBatch is Put through bbolt's DB.Batch.
func (s *Store) putDBBatch(_ context.Context, r edr.Record) error {
	data, err := r.MarshalJSON()
	if err != nil {
		return err
	}
	e := entryOf(r)
	if err := s.db.Batch(func(tx *bolt.Tx) error { return put(tx, []byte(r.ID), e, data) }); err != nil {
		return err
	}
	s.puts.Add(1)
	return nil
}

// benchRecord is a real terminal record: a Graph alert with a process and
// a file, its decision with a full trace, three actions.
func benchRecord(b *testing.B) edr.Record {
	host := new(okHost)
	e, err := edr.New(engineConfig(b, nil, host.hooks()))
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close(ctx)
	r, err := e.Handle(ctx, alert(b, 1, deviceID))
	if err != nil {
		b.Fatal(err)
	}
	return r
}

// BenchmarkHandle runs detections end to end through an engine on the
// bbolt store with no-op hooks, from parallel callers of Handle, and
// reports detections per second and commits per detection. The engine
// writes each detection's record four times: the write-ahead entry, after
// each of its three actions but the last, and the terminal record.
func BenchmarkHandle(b *testing.B) {
	for _, sync := range []bool{true, false} {
		for _, callers := range writerCounts() {
			b.Run(fmt.Sprintf("sync=%s/callers=%d", onOff(sync), callers), func(b *testing.B) {
				s := open(b, Options{NoSync: !sync})
				host := new(okHost)
				e, err := edr.New(engineConfig(b, s, host.hooks()))
				if err != nil {
					b.Fatal(err)
				}
				defer e.Close(ctx)
				var seq atomic.Int64
				handle := func() bool {
					d, err := parseAlert(int(seq.Add(1)), deviceID)
					if err == nil {
						_, err = e.Handle(ctx, d)
					}
					if err != nil {
						b.Error(err)
					}
					return err == nil
				}
				b.ReportAllocs()
				before := s.Stats()
				b.ResetTimer()
				if callers == 1 {
					for b.Loop() {
						if !handle() {
							return
						}
					}
				} else {
					b.SetParallelism(callers / runtime.GOMAXPROCS(0))
					b.RunParallel(func(pb *testing.PB) {
						for pb.Next() && handle() {
						}
					})
				}
				b.StopTimer()
				st := s.Stats()
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "detections/s")
				b.ReportMetric(float64(st.Commits-before.Commits)/float64(b.N), "commits/detection")
			})
		}
	}
}
