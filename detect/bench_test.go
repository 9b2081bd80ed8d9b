package detect

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"strconv"
	"testing"
	"time"
)

// benchStream returns n alerts as JSON lines (or as one JSON array), cycling
// through the real-shaped samples in testdata (about 3.5 KB each).
func benchStream(tb testing.TB, n int, array bool) []byte {
	tb.Helper()
	lines := bytes.Split(bytes.TrimSpace(mustRead(tb, "alerts.jsonl")), []byte("\n"))
	var buf bytes.Buffer
	if array {
		buf.WriteString("[\n")
	}
	for i := range n {
		if array && i > 0 {
			buf.WriteString(",\n")
		}
		buf.Write(lines[i%len(lines)])
		if !array {
			buf.WriteByte('\n')
		}
	}
	if array {
		buf.WriteString("\n]\n")
	}
	return buf.Bytes()
}

func mustRead(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// naiveAlert is the baseline: the same properties decoded by encoding/json
// into plain structs, with no round-trip preservation and no streaming
// error recovery.
type naiveAlert struct {
	ID                string          `json:"id"`
	CreatedDateTime   time.Time       `json:"createdDateTime"`
	FirstActivity     time.Time       `json:"firstActivityDateTime"`
	LastActivity      time.Time       `json:"lastActivityDateTime"`
	DetectionSource   string          `json:"detectionSource"`
	ServiceSource     string          `json:"serviceSource"`
	Category          string          `json:"category"`
	Severity          string          `json:"severity"`
	Title             string          `json:"title"`
	ThreatDisplayName string          `json:"threatDisplayName"`
	ThreatFamilyName  string          `json:"threatFamilyName"`
	Status            string          `json:"status"`
	Classification    string          `json:"classification"`
	Evidence          []naiveEvidence `json:"evidence"`
}

type naiveEvidence struct {
	ODataType              string       `json:"@odata.type"`
	CreatedDateTime        time.Time    `json:"createdDateTime"`
	Verdict                string       `json:"verdict"`
	RemediationStatus      string       `json:"remediationStatus"`
	DetectionStatus        string       `json:"detectionStatus"`
	MDEDeviceID            string       `json:"mdeDeviceId"`
	Roles                  []string     `json:"roles"`
	Tags                   []string     `json:"tags"`
	FileDetails            *naiveDetail `json:"fileDetails"`
	ProcessID              int64        `json:"processId"`
	ProcessCommandLine     string       `json:"processCommandLine"`
	ImageFile              *naiveDetail `json:"imageFile"`
	ProcessCreationTime    time.Time    `json:"processCreationDateTime"`
	ParentProcessID        int64        `json:"parentProcessId"`
	ParentProcessImageFile *naiveDetail `json:"parentProcessImageFile"`
}

type naiveDetail struct {
	FileName string `json:"fileName"`
	FilePath string `json:"filePath"`
	FileSize any    `json:"fileSize"` // number or, in one sample, a string
	SHA1     string `json:"sha1"`
	SHA256   string `json:"sha256"`
	Signer   string `json:"signer"`
	Issuer   string `json:"issuer"`
}

// BenchmarkDecodeStream measures Decoder.Next over a stream of alerts and
// reports detections/s; the baseline decodes the same JSON lines with
// encoding/json's Decoder into plain structs. Run with -cpu=1 for the
// one-core figure.
func BenchmarkDecodeStream(b *testing.B) {
	for _, bc := range []struct {
		name  string
		n     int
		array bool
	}{
		{"jsonl/N=100", 100, false},
		{"jsonl/N=10000", 10000, false},
		{"array/N=10000", 10000, true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			stream := benchStream(b, bc.n, bc.array)
			b.SetBytes(int64(len(stream)))
			b.ReportAllocs()
			total := 0
			cpu0, _ := processCPU()
			for b.Loop() {
				dec := NewDecoder(bytes.NewReader(stream), Options{})
				for {
					_, err := dec.Next()
					if err == io.EOF {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
					total++
				}
			}
			reportRate(b, total, cpu0)
		})
	}
	b.Run("baseline=encoding-json-structs/N=10000", func(b *testing.B) {
		stream := benchStream(b, 10000, false)
		b.SetBytes(int64(len(stream)))
		b.ReportAllocs()
		total := 0
		cpu0, _ := processCPU()
		for b.Loop() {
			dec := json.NewDecoder(bytes.NewReader(stream))
			for {
				var a naiveAlert
				err := dec.Decode(&a)
				if err == io.EOF {
					break
				}
				if err != nil {
					b.Fatal(err)
				}
				total++
			}
		}
		reportRate(b, total, cpu0)
	})
}

// reportRate reports detections per wall-clock second and, where the
// platform tells, per CPU second of the whole process (garbage collection
// included), which is the figure to trust on a loaded machine.
func reportRate(b *testing.B, total int, cpu0 time.Duration) {
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "detections/s")
	if cpu1, ok := processCPU(); ok && cpu1 > cpu0 {
		b.ReportMetric(float64(total)/(cpu1-cpu0).Seconds(), "detections/cpu-s")
	}
}

// BenchmarkUnmarshalDetection measures decoding one alert (the EDR sample:
// one device, one process, one file and three other evidence items, 4.5 KB
// compact) into a Detection, through json.Unmarshal and through Parse: the
// reference a decision benchmark compares against.
func BenchmarkUnmarshalDetection(b *testing.B) {
	var compact bytes.Buffer
	if err := json.Compact(&compact, mustRead(b, "edr_behavioral.json")); err != nil {
		b.Fatal(err)
	}
	data := compact.Bytes()
	b.Run("json.Unmarshal", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			var d Detection
			if err := json.Unmarshal(data, &d); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Parse", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Parse(data); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("baseline=encoding-json-structs", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			var a naiveAlert
			if err := json.Unmarshal(data, &a); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkMarshalDetection measures encoding a decoded alert back to JSON.
func BenchmarkMarshalDetection(b *testing.B) {
	var d Detection
	if err := json.Unmarshal(mustRead(b, "edr_behavioral.json"), &d); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		out, err := json.Marshal(d)
		if err != nil {
			b.Fatal(err)
		}
		n += len(out)
	}
	_ = strconv.Itoa(n)
}
