package exclusions

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
)

// The benchmarks of issue 4: a generated, realistic list (half folders, a
// fifth exact files, a fifth extensions, a tenth wildcards), a hit and a
// miss, at N = 100, 1,000 and 10,000 rules, beside a naive baseline that
// loops over every rule with a straightforward wildcard matcher.
//
//	go test ./exclusions -run='^$' -bench=. -benchtime=1s -count=5

var benchSizes = []int{100, 1000, 10000}

// benchList generates n entries. Rule i of each kind carries i in its
// names, so the queries below can aim at one.
func benchList(n int) List {
	var l List
	folders := []string{
		`C:\ProgramData\Vendor%d\Cache`,
		`C:\Program Files\App%d`,
		`D:\Data\Project%d`,
		`C:\Users\svc%d\AppData\Local\Agent`,
		`\\fs01\share\team%d\builds`,
	}
	files := []string{
		`C:\Program Files\App%d\bin\tool.exe`,
		`C:\Windows\System32\drivers\drv%d.sys`,
	}
	wild := []string{
		`C:\Users\*\AppData\Local\App%d\*.tmp`,
		`C:\Program Files*\Vendor%d\v?\bin\*.dll`,
		`D:\Builds\*\Job%d\out`,
	}
	for i := range n / 2 {
		l.Paths = append(l.Paths, fmt.Sprintf(folders[i%len(folders)], i))
	}
	for i := range n / 5 {
		l.Paths = append(l.Paths, fmt.Sprintf(files[i%len(files)], i))
	}
	for i := range n / 10 {
		l.Paths = append(l.Paths, fmt.Sprintf(wild[i%len(wild)], i))
	}
	for i := range n / 5 {
		l.Extensions = append(l.Extensions, fmt.Sprintf(".x%d", i))
	}
	return l
}

// benchQueries are the paths asked about, each with whether it is excluded.
func benchQueries(n int) []struct {
	name, path string
	excluded   bool
} {
	folder := n / 2 / 5 * 5 / 2 / 5 * 5 // a Vendor folder near the middle
	wild := n / 10 / 3 * 3 / 2 / 3 * 3  // an App wildcard near the middle
	return []struct {
		name, path string
		excluded   bool
	}{
		{"miss", `C:\Users\alice\AppData\Local\Temp\setup\payload.exe`, false},
		{"folder_hit", fmt.Sprintf(`C:\ProgramData\Vendor%d\Cache\data\blob.bin`, folder), true},
		{"wildcard_hit", fmt.Sprintf(`C:\Users\alice\AppData\Local\App%d\cache.tmp`, wild), true},
		{"exact_hit", fmt.Sprintf(`C:\Windows\System32\drivers\drv%d.sys`, 1), true},
		{"extension_hit", fmt.Sprintf(`E:\incoming\report.x%d`, n/10), true},
	}
}

// naive is the baseline: every rule, one after the other.
type naive struct{ rules []*rule }

func (nv *naive) match(path string) bool {
	c, err := Canonicalize(path, FileSystem)
	if err != nil {
		return false
	}
	name := c.Name()
	ext := ""
	if dot := strings.LastIndexByte(name, '.'); dot >= 0 {
		ext = name[dot+1:]
	}
	for _, r := range nv.rules {
		switch {
		case r.Kind == ExclusionPath:
			if _, ok := matchPattern(r, &c); ok {
				return true
			}
		case r.ext && ext != "":
			if globMatch(r.extPat, ext) {
				return true
			}
		}
	}
	return false
}

// benchMatchers compiles the benchmark lists once, before any timing, and
// collects the garbage compiling left behind.
func benchMatchers(b *testing.B) []*Matcher {
	var ms []*Matcher
	for _, n := range benchSizes {
		m, err := Compile(benchList(n), Options{})
		if err != nil {
			b.Fatal(err)
		}
		ms = append(ms, m)
	}
	runtime.GC()
	return ms
}

func BenchmarkMatch(b *testing.B) {
	for i, m := range benchMatchers(b) {
		n := benchSizes[i]
		for _, q := range benchQueries(n) {
			if got := m.Match(q.path); got.Excluded != q.excluded {
				b.Fatalf("N=%d %s: %v", n, q.name, got)
			}
			b.Run(fmt.Sprintf("N=%d/%s", n, q.name), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					m.Match(q.path)
				}
			})
		}
	}
}

func BenchmarkMatchNaive(b *testing.B) {
	for i, m := range benchMatchers(b) {
		n := benchSizes[i]
		nv := &naive{rules: m.rules}
		for _, q := range benchQueries(n) {
			if nv.match(q.path) != q.excluded {
				b.Fatalf("naive N=%d %s disagrees", n, q.name)
			}
			b.Run(fmt.Sprintf("N=%d/%s", n, q.name), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					nv.match(q.path)
				}
			})
		}
	}
}

func BenchmarkCompile(b *testing.B) {
	for _, n := range benchSizes {
		l := benchList(n)
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Compile(l, Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkCanonicalize(b *testing.B) {
	for _, p := range []struct{ name, path string }{
		{"canonical", `C:\Users\alice\AppData\Local\Temp\setup\payload.exe`},
		{"stream", `C:\Users\alice\x.txt:Zone.Identifier`},
		{"mixed_separators", `C:/Users//alice/./AppData/../x.exe`},
		{"device_unc", `\\?\UNC\fs01\share\team1\builds\x.exe`},
	} {
		b.Run(p.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Canonicalize(p.path, FileSystem); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestBenchmarkQueries keeps the benchmark's expectations true in the
// ordinary test run (compiled matcher and naive baseline agree).
func TestBenchmarkQueries(t *testing.T) {
	for _, n := range benchSizes {
		m, err := Compile(benchList(n), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if m.Len() != n {
			t.Fatalf("N=%d: %d rules", n, m.Len())
		}
		nv := &naive{rules: m.rules}
		for _, q := range benchQueries(n) {
			if got := m.Match(q.path); got.Excluded != q.excluded || nv.match(q.path) != q.excluded {
				t.Errorf("N=%d %s %s: %v", n, q.name, q.path, got)
			}
		}
	}
}
