package boltstore_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/blockmode/blockmode/detect"
	"github.com/blockmode/blockmode/edr"
	"github.com/blockmode/blockmode/edr/boltstore"
	"github.com/blockmode/blockmode/mode"
	"github.com/blockmode/blockmode/remediate"
)

// host carries out the actions; here it only says what it would do.
type host struct{}

func (host) StopProcess(_ context.Context, a remediate.Action) error {
	fmt.Println("host: stop process", a.ProcessID)
	return nil
}

func (host) Quarantine(_ context.Context, a remediate.Action) (string, error) {
	fmt.Println("host: quarantine", a.Path)
	return "q-" + a.SHA256[:8], nil
}

type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }

// Run an engine on a durable action history, then query it. Opening the
// file again (after a crash, say) resumes the records left in progress.
func Example() {
	dir, err := os.MkdirTemp("", "boltstore-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)

	store, err := boltstore.Open(filepath.Join(dir, "history.db"), boltstore.Options{})
	if err != nil {
		panic(err)
	}
	defer store.Close()

	// Block mode turned on tenant-wide, an eligible device in passive mode.
	settings := new(edr.History)
	admin := edr.Actor{Name: "alice@contoso.com", Roles: []edr.Role{edr.SecurityAdministrator}}
	if _, err := settings.SetTenant(admin, true, time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)); err != nil {
		panic(err)
	}
	engine, err := edr.New(edr.Config{
		Store:    store,
		Hooks:    edr.Hooks{StopProcess: host{}, Quarantine: host{}},
		Clock:    fixedClock{time.Date(2026, 11, 29, 9, 30, 0, 0, time.UTC)},
		Settings: settings,
		Device: edr.DeviceFacts{
			DeviceID: "1e5bc9d7e413ddd7902c2932e418702b84d0cc07", OS: mode.Windows11, Onboarded: mode.True,
			Mode: mode.Passive, Running: mode.True, CloudProtection: mode.True,
			PlatformVersion: mode.MustParseVersion("4.18.24090.11"), EngineVersion: mode.MustParseVersion("1.1.24090.11"),
		},
	})
	if err != nil {
		panic(err)
	}
	defer engine.Close(context.Background())

	det, err := detect.Parse([]byte(`{
  "id": "da638390671234567890_1126483905",
  "severity": "high",
  "detectionSource": "microsoftDefenderForEndpoint",
  "title": "Suspicious process launched from the Downloads folder",
  "createdDateTime": "2026-11-29T09:18:43Z",
  "evidence": [{
    "@odata.type": "#microsoft.graph.security.processEvidence",
    "processId": 9412,
    "detectionStatus": "detected",
    "mdeDeviceId": "1e5bc9d7e413ddd7902c2932e418702b84d0cc07",
    "imageFile": {
      "fileName": "invoice_2023-12.exe",
      "filePath": "C:\\Users\\alex.wu\\Downloads",
      "sha256": "4d2f7c9a1b3e5f7081a2c4e6f8091b2d3c4e5f60718293a4b5c6d7e8f9012345"
    }
  }]
}`))
	if err != nil {
		panic(err)
	}
	if _, err := engine.Handle(context.Background(), det); err != nil {
		panic(err)
	}

	page, err := store.Query(context.Background(), edr.Query{
		DeviceID: "1e5bc9d7e413ddd7902c2932e418702b84d0cc07",
		Statuses: []edr.RecordStatus{edr.Blocked, edr.Prevented},
	})
	if err != nil {
		panic(err)
	}
	for _, r := range page.Records {
		fmt.Println(r)
		for _, a := range r.Actions {
			fmt.Printf("  %s: %s\n", a.Action, a.Result)
		}
	}
	fmt.Println("consistent:", store.Check(context.Background()) == nil)
	// Output:
	// host: stop process 9412
	// host: quarantine C:\Users\alex.wu\Downloads\invoice_2023-12.exe
	// da638390671234567890_1126483905 blocked (2 actions, enforce) at 2026-11-29T09:30:00Z
	//   stop process 9412 (C:\Users\alex.wu\Downloads\invoice_2023-12.exe): succeeded
	//   quarantine file C:\Users\alex.wu\Downloads\invoice_2023-12.exe: succeeded
	// consistent: true
}
