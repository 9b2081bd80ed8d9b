package exclusions

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
)

// Severity grades a lint [Finding].
type Severity uint8

// The severities. The zero Severity is not used.
const (
	SeverityLow    Severity = iota + 1 // acceptable in documented circumstances
	SeverityMedium                     // broader than it needs to be, or not doing what it seems to
	SeverityHigh                       // the common-mistakes page says not to do this
)

// String returns "low", "medium" or "high".
func (s Severity) String() string {
	switch s {
	case SeverityLow:
		return "low"
	case SeverityMedium:
		return "medium"
	case SeverityHigh:
		return "high"
	}
	return "Severity(" + strconv.Itoa(int(s)) + ")"
}

// MarshalText implements encoding.TextMarshaler.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// The finding IDs [Lint] reports. They are stable: callers may branch on
// them.
const (
	// LintWholeDrive: a whole drive or share (C:, C:\, %SystemDrive%,
	// C:\*, \\server\share).
	LintWholeDrive = "whole-drive"
	// LintRiskyFolder: a folder the common-mistakes page lists
	// (C:\Program Files\Java, C:\Users, C:\Windows\Prefetch,
	// C:\Windows\System32\Spool, C:\Windows\System32\CatRoot2), or a folder
	// above one.
	LintRiskyFolder = "risky-folder"
	// LintTempFolder: a user-writable temporary folder (C:\Temp,
	// C:\Windows\Temp, C:\Users\<user>\AppData\Local\Temp,
	// C:\Users\<user>\AppData\LocalLow\Temp), a folder above one, or a path
	// inside one.
	LintTempFolder = "temp-folder"
	// LintProgramFolder: a whole application folder under Program Files
	// (the page's "C:\Program Files\Contoso\").
	LintProgramFolder = "program-folder"
	// LintRiskyExtension: an extension the page lists (.exe, .dll, .ps1,
	// ...), or a wildcard extension that matches one.
	LintRiskyExtension = "risky-extension"
	// LintRiskyProcess: a process the page lists (powershell.exe,
	// cmd.exe, ...), by image name or path.
	LintRiskyProcess = "risky-process"
	// LintImageNameOnly: an ExclusionProcess entry that is an image name
	// alone, which matches that name in any folder.
	LintImageNameOnly = "image-name-only"
	// LintFileNameOnly: an ExclusionPath entry that is a file name alone;
	// malware can carry the same name.
	LintFileNameOnly = "file-name-only"
	// LintUserVariable: an environment variable that is not a system one;
	// the antivirus runs as LocalSystem and does not see user variables.
	LintUserVariable = "user-variable"
	// LintProfileVariable: %APPDATA%, %LOCALAPPDATA% or %USERPROFILE%,
	// which resolve to the LocalSystem profile, not to a signed-in user's.
	LintProfileVariable = "profile-variable"
	// LintShortName: an 8.3 short name in an entry.
	LintShortName = "short-name"
)

// Finding is one risky exclusion found by [Lint].
type Finding struct {
	ID       string   `json:"id"`       // one of the Lint* constants
	Severity Severity `json:"severity"` // how bad
	Entry    Rule     `json:"entry"`    // the entry: list, text, index
	Reason   string   `json:"reason"`   // why, in one line
}

// String returns "high risky-process ExclusionProcess[0] "cmd.exe": reason".
func (f Finding) String() string {
	return f.Severity.String() + " " + f.ID + " " + f.Entry.String() + ": " + f.Reason
}

// The lists of "Common mistakes to avoid when defining exclusions"
// (Windows). Read-only.
var (
	lintFolders = []struct {
		path string // `*` stands for the page's <UserProfileName> or Contoso
		id   string
	}{
		{`C:\Program Files\Java`, LintRiskyFolder},
		{`C:\Program Files\*`, LintProgramFolder},
		{`C:\Program Files (x86)\*`, LintProgramFolder},
		{`C:\Temp`, LintTempFolder},
		{`C:\Users`, LintRiskyFolder},
		{`C:\Users\*\AppData\Local\Temp`, LintTempFolder},
		{`C:\Users\*\AppData\LocalLow\Temp`, LintTempFolder},
		{`C:\Windows\Prefetch`, LintRiskyFolder},
		{`C:\Windows\System32\Spool`, LintRiskyFolder},
		{`C:\Windows\System32\CatRoot2`, LintRiskyFolder},
		{`C:\Windows\Temp`, LintTempFolder},
	}
	lintExtensions = []string{
		"7z", "bat", "bin", "cab", "cmd", "com", "cpl", "dll", "exe", "fla", "gif", "gz", "hta", "inf",
		"java", "jar", "job", "jpeg", "jpg", "js", "ko", "ko.gz", "msi", "ocx", "png", "ps1", "py",
		"rar", "reg", "scr", "sys", "tar", "tmp", "url", "vbe", "vbs", "wsf", "zip",
	}
	// The page allows these "if your environment has a modern, up-to-date
	// software with a strict update policy".
	lintImageExtensions = []string{"gif", "jpg", "jpeg", "png"}
	lintProcesses       = []string{
		"AcroRd32.exe", "addinprocess.exe", "addinprocess32.exe", "addinutil.exe", "bash.exe",
		"bginfo.exe", "bitsadmin.exe", "cdb.exe", "csi.exe", "cmd.exe", "cscript.exe", "dbghost.exe",
		"dbgsvc.exe", "dnx.exe", "dotnet.exe", "excel.exe", "fsi.exe", "fsiAnyCpu.exe", "iexplore.exe",
		"java.exe", "kd.exe", "lxssmanager.dll", "msbuild.exe", "mshta.exe", "ntkd.exe", "ntsd.exe",
		"outlook.exe", "psexec.exe", "powerpnt.exe", "powershell.exe", "rcsi.exe", "svchost.exe",
		"schtasks.exe", "system.management.automation.dll", "windbg.exe", "winword.exe", "wmic.exe",
		"wscript.exe", "wuauclt.exe",
	}
	// The SharePoint exception: "Do exclude C:\Users\ServiceAccount\AppData\Local\Temp
	// or C:\Users\Default\AppData\Local\Temp when you use file-level antivirus
	// protection in SharePoint".
	lintSharePointUsers = []string{"Default", "ServiceAccount"}
	lintProfileVars     = []string{"APPDATA", "LOCALAPPDATA", "USERPROFILE"}
)

// Lint reports the risky entries of l, as listed in Microsoft's "Common
// mistakes to avoid when defining exclusions": the folders, extensions and
// processes it lists, process entries given by image name alone, path
// entries given by file name alone, user environment variables, whole
// drives and C:\*, and the user-writable temporary folders. It also flags
// the profile variables that resolve to the LocalSystem profile and 8.3
// short names. Variables are expanded with [DefaultEnv]. Entries that
// [Compile] rejects are linted as far as they can be read.
//
// Findings come in list order (paths, extensions, processes), then entry
// order.
func Lint(l List) []Finding {
	c, _ := newCompiler(Options{Platform: contextualPlatform, Engine: contextualEngine})
	var fs []Finding
	for i, t := range l.Paths {
		fs = c.lintEntry(fs, Rule{Kind: ExclusionPath, Text: t, Index: i})
	}
	for i, t := range l.Extensions {
		fs = lintExtension(fs, Rule{Kind: ExclusionExtension, Text: t, Index: i})
	}
	for i, t := range l.Processes {
		fs = c.lintEntry(fs, Rule{Kind: ExclusionProcess, Text: t, Index: i})
	}
	slices.SortStableFunc(fs, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(a.Entry.Kind, b.Entry.Kind), cmp.Compare(a.Entry.Index, b.Entry.Index))
	})
	return fs
}

// lintVariables flags user and profile variables.
func (c *compiler) lintVariables(fs []Finding, e Rule) []Finding {
	s := e.Text
	for {
		i := strings.IndexByte(s, '%')
		if i < 0 {
			return fs
		}
		j := strings.IndexByte(s[i+1:], '%')
		if j < 0 {
			return fs
		}
		name := s[i+1 : i+1+j]
		if name == "" || strings.ContainsAny(name, `\/:*?"<>|`) {
			s = s[i+1:]
			continue
		}
		s = s[i+j+2:]
		ref := "%" + name + "%"
		switch {
		case slices.ContainsFunc(lintProfileVars, func(v string) bool { return equalFold(v, name) }):
			fs = append(fs, Finding{LintProfileVariable, SeverityMedium, e,
				ref + " resolves to the LocalSystem profile (" + c.env[upperString(name)] + "), not to a signed-in user's"})
		case c.env[upperString(name)] == "":
			fs = append(fs, Finding{LintUserVariable, SeverityMedium, e,
				ref + " is not a system environment variable; the antivirus runs as LocalSystem and does not expand it as a user would"})
		}
	}
}

// lintEntry lints an ExclusionPath or ExclusionProcess entry.
func (c *compiler) lintEntry(fs []Finding, e Rule) []Finding {
	fs = c.lintVariables(fs, e)
	body := e.Text
	if i := strings.Index(body, `\:{`); i >= 0 && e.Kind == ExclusionPath {
		body = body[:i]
	}
	if isImageName(body) {
		if e.Kind == ExclusionPath {
			return append(fs, Finding{LintFileNameOnly, SeverityHigh, e,
				"a file name alone; malware can have the same name: give the fully qualified path"})
		}
		if name, ok := riskyProcess(body); ok {
			fs = append(fs, Finding{LintRiskyProcess, SeverityHigh, e,
				"excludes files opened by " + name + ", a process used in attacks"})
		}
		return append(fs, Finding{LintImageNameOnly, SeverityMedium, e,
			"an image name alone matches " + body + " run from any folder; give the full path"})
	}
	p, err := c.parsePattern(body)
	if err != nil {
		return fs
	}
	r := &rule{pattern: p, descend: e.Kind == ExclusionPath && (len(p.parts) == 0 || !p.parts[len(p.parts)-1].wild)}
	for _, pt := range p.parts {
		if !pt.wild && mayBeShortName(pt.text) {
			fs = append(fs, Finding{LintShortName, SeverityLow, e,
				pt.text + " may be an 8.3 short name; write the long name"})
			break
		}
	}
	if e.Kind == ExclusionProcess {
		if last := p.parts; len(last) > 0 {
			if name, ok := riskyProcessPattern(last[len(last)-1]); ok {
				fs = append(fs, Finding{LintRiskyProcess, SeverityHigh, e,
					"excludes files opened by " + name + ", a process used in attacks"})
			}
		}
		return lintTemp(fs, e, r, true)
	}
	if len(p.parts) == 0 || allStars(p.parts) {
		return append(fs, Finding{LintWholeDrive, SeverityHigh, e,
			"excludes the whole of " + p.root + `\` + "; never exclude a drive or share root"})
	}
	if last := p.parts[len(p.parts)-1]; !last.wild {
		if name, ok := riskyProcess(last.text); ok {
			fs = append(fs, Finding{LintRiskyProcess, SeverityHigh, e,
				"excludes the file " + name + ", a process used in attacks, from scanning"})
		}
	}
	var risky, program []string
	for _, f := range lintFolders {
		if f.id == LintTempFolder {
			continue
		}
		probe, ok := lintProbe(f.path, p)
		if !ok || f.id == LintProgramFolder && equalFold(probe.segment(1), "Java") {
			continue
		}
		if _, hit := matchPattern(r, &probe.c); hit {
			if f.id == LintRiskyFolder {
				risky = append(risky, probe.folder)
			} else {
				program = append(program, probe.folder)
			}
		}
	}
	if len(risky) > 0 {
		fs = append(fs, Finding{LintRiskyFolder, SeverityHigh, e,
			"covers " + strings.Join(risky, ", ") + ", which should not be excluded: malicious files can be dropped there"})
	}
	if len(program) > 0 {
		fs = append(fs, Finding{LintProgramFolder, SeverityMedium, e,
			"excludes the whole application folder " + strings.Join(program, ", ") + "; exclude specific files instead"})
	}
	return lintTemp(fs, e, r, false)
}

// lintTemp flags entries that cover, or lie inside, a temporary folder.
// For a process entry, "covers" means it matches processes run from there.
func lintTemp(fs []Finding, e Rule, r *rule, process bool) []Finding {
	var covered, inside []string
	sev := SeverityLow
	for _, f := range lintFolders {
		if f.id != LintTempFolder {
			continue
		}
		probe, ok := lintProbe(f.path, r.pattern)
		if !ok {
			continue
		}
		if _, hit := matchPattern(r, &probe.c); hit {
			covered = append(covered, probe.folder)
		} else if lintInside(f.path, r.pattern) {
			inside = append(inside, probe.folder)
		} else {
			continue
		}
		if user := probe.segment(1); !strings.HasPrefix(f.path, `C:\Users\`) ||
			!slices.ContainsFunc(lintSharePointUsers, func(u string) bool { return equalFold(u, user) }) {
			sev = SeverityHigh
		}
	}
	if len(covered)+len(inside) == 0 {
		return fs
	}
	what := "covers " + strings.Join(covered, ", ")
	switch {
	case len(covered) == 0 && process:
		what = "matches processes run from inside " + strings.Join(inside, ", ")
	case len(covered) == 0:
		what = "lies inside " + strings.Join(inside, ", ")
	case process:
		what = "matches processes run from " + strings.Join(covered, ", ")
	}
	reason := what + ", a temporary folder any user can write to"
	if sev == SeverityLow {
		reason += " (allowed only for file-level antivirus in SharePoint)"
	}
	return append(fs, Finding{LintTempFolder, sev, e, reason})
}

// lintProbeResult is a file directly inside one of the page's folders.
type lintProbeResult struct {
	folder string    // the folder as shown: placeholders filled in, or <name>
	c      Canonical // a file directly inside the folder
	segs   []string  // the folder's segments, placeholders filled in
}

// segment returns the folder's segment i (0 is the first below the root).
func (p lintProbeResult) segment(i int) string {
	if i+1 < len(p.segs) {
		return p.segs[i+1]
	}
	return ""
}

// lintProbe fills the placeholders of a page folder (`*`) with the entry's
// own segment at that position when it is literal, or with an example name,
// and returns a file directly inside that folder.
func lintProbe(folder string, p pattern) (lintProbeResult, bool) {
	if !equalFold(p.root, "C:") {
		return lintProbeResult{}, false
	}
	segs := strings.Split(folder, `\`)
	shown := slices.Clone(segs)
	for i, s := range segs {
		if s != "*" {
			continue
		}
		segs[i], shown[i] = "ExampleName", "<name>"
		if i-1 < len(p.parts) && !p.parts[i-1].wild {
			segs[i], shown[i] = p.parts[i-1].text, p.parts[i-1].text
		}
	}
	c, err := canonicalize(strings.Join(segs, `\`)+`\lint-probe.exe`, FileSystem, true)
	if err != nil {
		return lintProbeResult{}, false
	}
	return lintProbeResult{folder: strings.Join(shown, `\`), c: c, segs: segs}, true
}

// lintInside reports whether the literal beginning of an entry lies strictly
// inside a page folder.
func lintInside(folder string, p pattern) bool {
	fp, err := (&compiler{}).parsePattern(folder)
	if err != nil || !equalFold(p.root, fp.root) || len(p.parts) <= len(fp.parts) {
		return false
	}
	for i, fpt := range fp.parts {
		pt := p.parts[i]
		if pt.wild {
			return false
		}
		if fpt.wild {
			continue
		}
		if !equalFold(pt.text, fpt.text) {
			return false
		}
	}
	return true
}

func allStars(parts []part) bool {
	for _, pt := range parts {
		if pt.text != "*" {
			return false
		}
	}
	return true
}

// riskyProcess reports whether name is one of the page's processes.
func riskyProcess(name string) (string, bool) {
	for _, p := range lintProcesses {
		if equalFold(p, name) {
			return p, true
		}
	}
	return "", false
}

// riskyProcessPattern reports the page's processes a last path part
// matches.
func riskyProcessPattern(pt part) (string, bool) {
	if !pt.wild {
		return riskyProcess(pt.text)
	}
	var names []string
	for _, p := range lintProcesses {
		if globMatch(pt.pat, p) {
			names = append(names, p)
		}
	}
	return strings.Join(names, ", "), len(names) > 0
}

// lintExtension lints an ExclusionExtension entry.
func lintExtension(fs []Finding, e Rule) []Finding {
	ext := strings.TrimPrefix(e.Text, ".")
	pat := upperString(ext)
	var hits []string
	images := true
	for _, x := range lintExtensions {
		if equalFold(x, ext) || hasWildcard(ext) && globMatch(pat, x) {
			hits = append(hits, "."+x)
			images = images && slices.Contains(lintImageExtensions, x)
		}
	}
	if len(hits) == 0 {
		return fs
	}
	if images {
		return append(fs, Finding{LintRiskyExtension, SeverityLow, e,
			"excludes every " + strings.Join(hits, ", ") + " file; acceptable only with modern software under a strict update policy"})
	}
	return append(fs, Finding{LintRiskyExtension, SeverityHigh, e,
		"excludes every " + strings.Join(hits, ", ") + " file, a file type used in attacks"})
}
