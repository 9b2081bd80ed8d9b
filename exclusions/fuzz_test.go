package exclusions

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// canonicalSeeds are the documentation's paths and the tricky forms.
var canonicalSeeds = []string{
	`C:\Documents\Newsletters\Summer2018.pdf`, `\Program Files\Custom Utilities\StringFinder.exe`, `2018\January.xlsx`,
	`..\Publications\TravelBrochure.pdf`, `C:Projects\apilibrary\apilibrary.sln`, `\\system07\C$\`, `\\Server2\Share\Test\Foo.txt`,
	`\\.\C:\Test\Foo.txt`, `\\?\C:\Test\Foo.txt`, `\\.\Volume{b75e2c83-0000-0000-0000-602f00000000}\Test\Foo.txt`,
	`\\?\UNC\Server\Share\Test\Foo.txt`, `\\?\server1\e:\utilities\\filecomparer\`, `\\127.0.0.1\c$\temp\test-file.txt`,
	`COM1.TXT\file1.txt`, `C:/a//b/./c/../d`, `C:\dir.\x. `, `\\?\C:\a\..\b`, `\??\C:\x`, `C:\x.txt:payload.exe:$DATA`,
	`C:\x.txt::$DATA`, `C:\dir::$INDEX_ALLOCATION\x`, `C:\PROGRA~1\x`, "C:\\a\x00b", `\Device\HarddiskVolume3\x`,
	`\\?\GLOBALROOT\Device\HarddiskVolume3\x`, `C:\...\x`, `C:\Users\José\𐐨.txt`, `//?/C:/x`, `C:\`,
}

func FuzzCanonicalize(f *testing.F) {
	for _, s := range canonicalSeeds {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, path string, typed bool) {
		src := FileSystem
		if typed {
			src = Typed
		}
		c, err := Canonicalize(path, src)
		var ends segEnds
		if fast := (Canonical{}); canonicalFast(&fast, path, src, false, &ends) {
			slow, serr := canonicalSlow(path, src, false)
			if serr != nil || slow != fast {
				t.Fatalf("fast %+v and slow %+v (%v) disagree on %q", fast, slow, serr, path)
			}
			checkEnds(t, &fast, &ends)
		}
		if err == nil {
			var withEnds Canonical
			ends = segEnds{}
			if canonicalizeInto(&withEnds, path, src, false, &ends) != nil || withEnds != c {
				t.Fatalf("canonicalizeInto with ends gives %+v, want %+v", withEnds, c)
			}
			checkEnds(t, &c, &ends)
		}
		if err != nil {
			if c != (Canonical{}) {
				t.Fatalf("error %v with a non-zero result", err)
			}
			return
		}
		if !utf8.ValidString(c.Path) || c.rootLen == 0 || c.rootLen >= len(c.Path) || c.Path[c.rootLen] != '\\' {
			t.Fatalf("bad canonical path %q (root %d) from %q", c.Path, c.rootLen, path)
		}
		if len(c.Path) > len(path)+1 {
			t.Fatalf("canonical %q longer than %q", c.Path, path)
		}
		for i := 0; i < len(c.Path); i++ {
			if c.Path[i] < 0x20 {
				t.Fatalf("control character in %q", c.Path)
			}
		}
		if c.doubt < 0 || c.doubt > c.nseg {
			t.Fatalf("doubt %d outside [0, %d]", c.doubt, c.nseg)
		}
		segs := 0
		if rest := c.Path[c.rootLen+1:]; rest != "" {
			segs = strings.Count(rest, `\`) + 1
		}
		if segs != c.nseg {
			t.Fatalf("%q: %d segments, recorded %d", c.Path, segs, c.nseg)
		}
		if c.Notes&blockingNotes != 0 {
			return
		}
		if strings.Contains(c.Path, `\\`) || strings.Contains(c.Path, `/`) || strings.Contains(c.Path[c.rootLen:], `\.\`) ||
			strings.Contains(c.Path[c.rootLen:], `\..\`) || strings.HasSuffix(c.Path, `\.`) || strings.HasSuffix(c.Path, `\..`) {
			if !strings.HasPrefix(c.Path, `\\`) || strings.Contains(c.Path[2:], `\\`) {
				t.Fatalf("non-canonical segment in %q from %q", c.Path, path)
			}
		}
		if strings.ContainsAny(c.Path[c.rootLen:], `:*?"<>|`) {
			t.Fatalf("character %q should not survive in %q", c.Path, path)
		}
		// Canonical form is a fixed point.
		again, err := Canonicalize(c.String(), FileSystem)
		if err != nil || again.Path != c.Path || again.Stream != c.Stream || again.nseg != c.nseg {
			t.Fatalf("not a fixed point: %q -> %q (%q) -> %+v %v", path, c.String(), c.Path, again, err)
		}
	})
}

// refFuzzable reports whether the reference matcher reads this entry the
// way Compile does (it knows no variables and no device prefixes).
func refFuzzable(s string) bool {
	s = strings.ReplaceAll(s, "/", `\`)
	return !strings.Contains(s, "%") && !strings.HasPrefix(s, `\\?\`) && !strings.HasPrefix(s, `\\.\`) &&
		!strings.HasPrefix(s, `\??\`) && !strings.HasPrefix(s, `\\?`) && !strings.HasPrefix(s, `\\.`)
}

func FuzzMatch(f *testing.F) {
	f.Add(`c:\test\sample`, ".test", "test.exe", `C:\TEST\Sample\sub\y.dll`, `c:\sample\test.exe`, uint8(1))
	f.Add(`C:\somepath\*\Data`, "log", `C:\*\*\MyProcess.exe`, `C:\somepath\Archives\Data\x.txt`, `C:\a\b\MyProcess.exe`, uint8(1))
	f.Add(`C:\MyData\my?.zip`, "t?p", `c:\test\sample\*`, `C:\MyData\my1.zip:ads`, `c:\test\sample\x.exe`, uint8(0))
	f.Add(`c:\data\*\marked\date*`, "*", "MyProcess.exe", `c:\data\final\marked\date1.txt`, `E:\MyProcess.exe`, uint8(1))
	f.Add(`C:\Program Files\Contoso`, "exe", `C:\tools\x.exe`, `C:\PROGRA~1\Contoso\x.exe`, `C:\tools\x.exe`, uint8(1))
	f.Add(`\\srv\share\tools`, ".tmp", "a.exe", `\\?\UNC\srv\share\tools\x.exe`, `\\?\C:\a\..\a.exe`, uint8(1))
	f.Add(`C:\dir\evil.exe`, "exe", "evil.exe", `C:\dir\evil.exe.`, `C:\dir\evil.exe `, uint8(1))
	f.Add(`C:`, "é", "ſ.exe", `c:\ı\x`, `C:\S.exe`, uint8(1))
	f.Fuzz(func(t *testing.T, pathRule, ext, proc, path, procPath string, flags uint8) {
		l := List{Paths: []string{pathRule}, Extensions: []string{ext}, Processes: []string{proc}}
		opts := Options{}
		if flags&1 != 0 {
			opts.RemediationTrigger = OnAccess
		}
		m, err := Compile(l, opts)
		if m == nil {
			t.Fatalf("no matcher: %v", err)
		}
		res := m.MatchOpenedBy(path, procPath)
		if res.Excluded {
			checkExcludedIsReal(t, l, res)
		}
		if res.Err != nil && res.Path.Path == "" && res.Excluded {
			t.Fatalf("bad path %q excluded", path)
		}
		if !refFuzzable(pathRule) || !refFuzzable(proc) {
			return
		}
		rules := refCompile(t, l, err)
		checkAgainstReference(t, m, rules, path, procPath, opts.RemediationTrigger == OnAccess)
	})
}

// checkExcludedIsReal checks, independently of the index, that the
// canonical path (or process) really falls under the rule reported.
func checkExcludedIsReal(t *testing.T, l List, res Result) {
	t.Helper()
	c := &res.Path
	switch res.Rule.Kind {
	case ExclusionPath:
		r, err := (&compiler{env: upperEnv(DefaultEnv())}).parsePattern(l.Paths[res.Rule.Index])
		if err != nil {
			t.Fatalf("excluded by an entry that does not parse: %v", err)
		}
		if len(r.parts) > c.doubt || !refEqual(r.root, c.Root()) {
			t.Fatalf("%q excluded by %q beyond its certain segments", c.Path, res.Rule.Text)
		}
		segs := strings.Split(c.Path[c.rootLen+1:], `\`)
		for i, pt := range r.parts {
			if !refPart(pt.text, segs[i]) {
				t.Fatalf("%q excluded by %q: segment %q does not match %q", c.Path, res.Rule.Text, segs[i], pt.text)
			}
		}
	case ExclusionExtension:
		name := c.Name()
		if c.nseg > c.doubt || !strings.Contains(name, ".") || !refPart(strings.TrimPrefix(l.Extensions[res.Rule.Index], "."), name[strings.LastIndexByte(name, '.')+1:]) {
			t.Fatalf("%q excluded by extension %q", c.Path, res.Rule.Text)
		}
	case ExclusionProcess:
		if res.Process.Path == "" || res.Process.nseg > res.Process.doubt {
			t.Fatalf("excluded by a process rule without a certain process: %+v", res)
		}
	default:
		t.Fatalf("excluded without a rule: %+v", res)
	}
}

func upperEnv(env map[string]string) map[string]string {
	u := map[string]string{}
	for k, v := range env {
		u[upperString(k)] = v
	}
	return u
}
