package ocsf_test

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/blockmode/blockmode/detect"
	"github.com/blockmode/blockmode/edr"
	"github.com/blockmode/blockmode/edr/ocsf"
	"github.com/blockmode/blockmode/remediate"
)

func ExampleEvents() {
	det := &detect.Detection{
		ID:       "da638390671234567890_1126483905",
		DeviceID: "1e5bc9d7e413ddd7902c2932e418702b84d0cc07",
		Severity: detect.SeverityHigh,
		Title:    "Suspicious process launched from the Downloads folder",
		Evidence: []detect.Evidence{&detect.ProcessEvidence{
			ProcessID: 9412,
			Image:     detect.FileDetails{Name: "invoice.exe", Path: `C:\Users\alex\Downloads`},
		}},
	}
	stop := remediate.Action{Kind: remediate.StopProcess, DetectionID: det.ID, ProcessID: 9412, Path: `C:\Users\alex\Downloads\invoice.exe`}
	at := time.Date(2023, 12, 4, 9, 18, 44, 0, time.UTC)
	rec := edr.Record{
		ID:        det.ID,
		Status:    edr.Blocked,
		Detection: det,
		Decision:  remediate.Decision{Verdict: remediate.Remediate, Rule: remediate.RuleRemediateArtifact, Reason: "block mode is in effect", Status: detect.Blocked, Actions: []remediate.Action{stop}},
		Actions:   []edr.ActionRecord{{Action: stop, Result: edr.Succeeded, Attempts: 1, Started: at, Finished: at.Add(30 * time.Millisecond)}},
		Received:  at,
		Finished:  at.Add(50 * time.Millisecond),
	}

	evs, err := ocsf.Events(rec, ocsf.Options{ProductVersion: "1.0.0"})
	if err != nil {
		panic(err)
	}
	for _, ev := range evs {
		h := ev.Header()
		fmt.Printf("%d %s", h.TypeUID, h.TypeName)
		switch ev := ev.(type) {
		case *ocsf.DetectionFinding:
			fmt.Printf(": %s/%s, rule %s\n", ev.Action, ev.Disposition, ev.Policy.Name)
		case *ocsf.ProcessRemediationActivity:
			fmt.Printf(": pid %d, %s\n", ev.Process.PID, ev.Status)
		}
	}

	// A record still in progress is skipped.
	rec.Status = edr.InProgress
	err = ocsf.NewEncoder(os.Stdout, ocsf.Options{}).Encode(rec)
	fmt.Println(errors.Is(err, ocsf.ErrNotTerminal))
	// Output:
	// 200401 Detection Finding: Create: Denied/Blocked, rule remediate-artifact
	// 700302 Process Remediation Activity: Evict: pid 9412, Success
	// true
}
