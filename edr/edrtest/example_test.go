package edrtest_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/blockmode/blockmode/edr"
	"github.com/blockmode/blockmode/edr/edrtest"
)

// A harness: an engine over the fake host and clock, with a quarantine
// that is busy twice before it works.
func Example() {
	clock := new(edrtest.Clock)
	host := &edrtest.Host{Clock: clock}
	host.Fault(edrtest.Quarantine, edrtest.FailTemporarily(2))
	eng, err := edr.New(edrtest.Config(clock, host))
	if err != nil {
		panic(err)
	}
	defer eng.Close(context.Background())

	rec, err := eng.Handle(context.Background(), edrtest.Detection("det-1", edrtest.Process(4120, `C:\Users\alex\Downloads\invoice.exe`)))
	if err != nil {
		panic(err)
	}
	fmt.Println(rec.Status)
	for _, a := range rec.Actions {
		fmt.Printf("%s: %s after %d attempts\n", a.Action, a.Result, a.Attempts)
	}
	for _, c := range host.CallsFor("det-1") {
		fmt.Println(c)
	}
	// Output:
	// blocked
	// stop process 4120 (C:\Users\alex\Downloads\invoice.exe): succeeded after 1 attempts
	// quarantine file C:\Users\alex\Downloads\invoice.exe: succeeded after 3 attempts
	// #1 StopProcess stop process 4120 (C:\Users\alex\Downloads\invoice.exe): ok
	// #2 Quarantine quarantine file C:\Users\alex\Downloads\invoice.exe [fault: fail (edrtest: busy) 2 times]: edrtest: busy
	// #3 Quarantine quarantine file C:\Users\alex\Downloads\invoice.exe [fault: fail (edrtest: busy) 2 times]: edrtest: busy
	// #4 Quarantine quarantine file C:\Users\alex\Downloads\invoice.exe: ok q-1
	// #5 Notify record det-1 blocked: ok
}

// Faults narrowed to one artifact: the quarantine of one file panics, the
// stop of one process hangs until the engine's action timeout.
func ExampleHost_Fault() {
	clock := new(edrtest.Clock)
	host := &edrtest.Host{Clock: clock}
	host.Fault(edrtest.Quarantine, edrtest.Panic("driver fault").Match(edrtest.Match{Path: `C:\x\locked.dll`}))
	host.Fault(edrtest.StopProcess, edrtest.Hang().Match(edrtest.Match{ProcessID: 666}))
	host.Fault(edrtest.Quarantine, edrtest.Fail(errors.New("access denied")).Times(1))

	cfg := edrtest.Config(clock, host)
	cfg.Limits.ActionTimeout = 20 * time.Millisecond
	eng, err := edr.New(cfg)
	if err != nil {
		panic(err)
	}
	defer eng.Close(context.Background())

	ctx := context.Background()
	for _, rec := range []edr.Record{
		must(eng.Handle(ctx, edrtest.Detection("panics", edrtest.File(`C:\x\locked.dll`)))),
		must(eng.Handle(ctx, edrtest.Detection("hangs", edrtest.Process(666, `C:\x\stuck.exe`)))),
		must(eng.Handle(ctx, edrtest.Detection("denied", edrtest.File(`C:\x\a.exe`)))),
		must(eng.Handle(ctx, edrtest.Detection("fine", edrtest.File(`C:\x\b.exe`)))),
	} {
		fmt.Printf("%s: %s", rec.ID, rec.Status)
		for _, a := range rec.Actions {
			fmt.Printf("; %s %s", a.Kind, a.Result)
			if a.Panic != "" {
				fmt.Printf(" (panic: %s)", a.Panic)
			}
		}
		fmt.Println()
	}
	// Output:
	// panics: failed; quarantine file failed (panic: driver fault)
	// hangs: failed; stop process failed; quarantine file skipped
	// denied: failed; quarantine file failed
	// fine: prevented; quarantine file succeeded
}

func must(rec edr.Record, err error) edr.Record {
	if err != nil {
		panic(err)
	}
	return rec
}

// The conformance suite, run on the fake host itself. A real host passes
// its own hooks and an Env that makes real throwaway files and processes.
func ExampleTestHooks() {
	host := &edrtest.Host{Strict: true} // only files made by Env.NewFile exist
	err := edrtest.TestHooks(host.Hooks(), host.Env())
	fmt.Println("conformant:", err == nil)

	lenient := new(edrtest.Host) // every path exists, even one never made
	fmt.Println(edrtest.TestHooks(lenient.Hooks(), lenient.Env()))
	// Output:
	// conformant: true
	// errors are errors: Quarantine of C:\edrtest\conformance\file-2.exe.edrtest-missing, which does not exist, returned id "q-3" and no error
}

func ExampleClock() {
	var c edrtest.Clock // the zero clock reads Epoch
	fmt.Println(c.Now().Format(time.RFC3339))
	c.Advance(29 * time.Minute)
	fmt.Println(c.Now().Format(time.RFC3339))
	c.Set(time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC))
	fmt.Println(c.Now().Format(time.RFC3339))
	// Output:
	// 2026-01-01T00:00:00Z
	// 2026-01-01T00:29:00Z
	// 2026-11-29T09:00:00Z
}
