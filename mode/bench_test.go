package mode

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// naiveParseVersion is the baseline: split on dots and convert each part.
func naiveParseVersion(s string) (Version, bool) {
	parts := strings.Split(strings.TrimSpace(s), ".")
	if len(parts) != 4 {
		return Version{}, false
	}
	var n [4]uint32
	for i, p := range parts {
		x, err := strconv.ParseUint(p, 10, 32)
		if err != nil {
			return Version{}, false
		}
		n[i] = uint32(x)
	}
	return Version{n[0], n[1], n[2], n[3]}, true
}

func BenchmarkParseVersion(b *testing.B) {
	b.Run("impl=blockmode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := ParseVersion("4.18.24090.11"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=naive-split", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, ok := naiveParseVersion("4.18.24090.11"); !ok {
				b.Fatal("parse")
			}
		}
	})
}

// BenchmarkParseStatus reads real-shaped Get-MpComputerStatus JSON beside
// a plain encoding/json decode of the same bytes into a map, the least a
// caller would do by hand.
func BenchmarkParseStatus(b *testing.B) {
	for _, name := range []string{"ps51-edr-block-mode.json", "ps7-normal.json", "formatlist-edr-block-mode.txt"} {
		in, err := os.ReadFile(filepath.Join("testdata", "status", name))
		if err != nil {
			b.Fatal(err)
		}
		b.Run("file="+name+"/impl=blockmode", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(in)))
			for b.Loop() {
				if _, err := ParseStatus(bytes.NewReader(in)); err != nil {
					b.Fatal(err)
				}
			}
		})
		if strings.HasSuffix(name, ".json") {
			b.Run("file="+name+"/impl=json-map", func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(len(in)))
				for b.Loop() {
					var m map[string]any
					if err := json.Unmarshal(in, &m); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
