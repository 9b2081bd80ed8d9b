package detect_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/blockmode/blockmode/detect"
)

// Decode a stream of alerts — here JSON lines with a broken line in the
// middle — one at a time. A bad record is reported with its line number and
// the stream goes on.
func ExampleDecoder() {
	stream := strings.NewReader(`{"id":"da001","severity":"high","detectionSource":"microsoftDefenderForEndpoint","title":"Suspicious process"}
{"id":"da002","severity":
{"id":"da003","severity":"informational","detectionSource":"microsoftDefenderForEndpoint","title":"Suspicious PowerShell command line"}
`)
	dec := detect.NewDecoder(stream, detect.Options{})
	for {
		d, err := dec.Next()
		if err == io.EOF {
			break
		}
		var lineErr *detect.LineError
		if errors.As(err, &lineErr) {
			fmt.Printf("line %d skipped: malformed: %v\n", lineErr.Line, errors.Is(err, detect.ErrSyntax))
			continue
		}
		if err != nil {
			fmt.Println("stream broken:", err)
			break
		}
		fmt.Printf("%s %s %s %q\n", d.ID, d.Source, d.Severity, d.Title)
	}
	fmt.Println("format:", dec.Format())
	// Output:
	// da001 microsoftDefenderForEndpoint high "Suspicious process"
	// line 2 skipped: malformed: true
	// da003 microsoftDefenderForEndpoint informational "Suspicious PowerShell command line"
	// format: jsonl
}

// Inspect the evidence of an EDR alert: the process that ran and the file
// it was started from, with what block mode needs to act on them.
func ExampleEvidence() {
	data, err := os.ReadFile("testdata/edr_behavioral.json")
	if err != nil {
		panic(err)
	}
	var d detect.Detection
	if err := json.Unmarshal(data, &d); err != nil {
		panic(err)
	}
	fmt.Println("device:", d.DeviceID, "status:", d.Status)
	for _, ev := range d.Evidence {
		switch ev := ev.(type) {
		case *detect.ProcessEvidence:
			fmt.Printf("process %d %s (%s), parent %d %s\n",
				ev.ProcessID, ev.Image.FullPath(), ev.DetectionStatus, ev.ParentID, ev.ParentImage.Name)
		case *detect.FileEvidence:
			fmt.Printf("file %s sha256=%.12s... size=%d signer=%q\n",
				ev.File.FullPath(), ev.File.SHA256, ev.File.Size, ev.File.Signer)
		case *detect.OtherEvidence:
			fmt.Println("other", strings.TrimPrefix(ev.Type, "#microsoft.graph.security."))
		}
	}
	// Output:
	// device: 1e5bc9d7e413ddd7902c2932e418702b84d0cc07 status: detected
	// other deviceEvidence
	// process 9412 C:\Users\alex.wu\Downloads\invoice_2023-12.exe (detected), parent 5168 explorer.exe
	// file C:\Users\alex.wu\Downloads\invoice_2023-12.exe sha256=4d2f7c9a1b3e... size=1482752 signer=""
	// other userEvidence
	// other ipEvidence
	// other urlEvidence
}

// Decode one alert, change it, and write it back: the properties this
// package does not model, and the ones left alone, come out as they went in.
func ExampleDetection_MarshalJSON() {
	in := `{"id":"da004","severity":"medium","incidentId":"41207","resolvedDateTime":null,"futureField":{"x":1}}`
	var d detect.Detection
	if err := json.Unmarshal([]byte(in), &d); err != nil {
		panic(err)
	}
	d.Severity = detect.SeverityHigh
	out, err := json.Marshal(d)
	if err != nil {
		panic(err)
	}
	fmt.Println(string(out))
	// Output:
	// {"id":"da004","severity":"high","incidentId":"41207","resolvedDateTime":null,"futureField":{"x":1}}
}

// A missing required property is a *FieldError that names it.
func ExampleFieldError() {
	var d detect.Detection
	err := json.Unmarshal([]byte(`{"title":"no id"}`), &d)
	var fe *detect.FieldError
	if errors.As(err, &fe) {
		fmt.Println(fe.Field, errors.Is(err, detect.ErrMissingField))
	}
	// Output:
	// id true
}
