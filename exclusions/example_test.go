package exclusions_test

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/blockmode/blockmode/exclusions"
	"github.com/blockmode/blockmode/mode"
)

// Compile a list and ask about the files a detection names.
func Example() {
	m, err := exclusions.Compile(exclusions.List{
		Paths:      []string{`%ProgramData%\Contoso\Cache`, `C:\MyData\*.txt`},
		Extensions: []string{".mdf"},
	}, exclusions.Options{})
	if err != nil {
		panic(err)
	}
	for _, p := range []string{
		`C:\ProgramData\Contoso\Cache\blob\x.bin`,
		`C:\MyData\notes.txt`,
		`C:\MyData\sub\notes.txt`,
		`D:\SQL\orders.MDF`,
	} {
		fmt.Println(m.Match(p))
	}
	// Output:
	// excluded by ExclusionPath[0] "%ProgramData%\\Contoso\\Cache": "C:\\ProgramData\\Contoso\\Cache\\blob\\x.bin"
	// excluded by ExclusionPath[1] "C:\\MyData\\*.txt": "C:\\MyData\\notes.txt"
	// not excluded: "C:\\MyData\\sub\\notes.txt"
	// excluded by ExclusionExtension[0] ".mdf": "D:\\SQL\\orders.MDF"
}

// Read the lists from Get-MpPreference output (here as Windows PowerShell
// 5.1's ConvertTo-Json prints it: a one-element list becomes a plain
// string), compile them, and ask about a path.
func Example_getMpPreference() {
	const out = `{
    "ExclusionExtension":  ".mdf",
    "ExclusionPath":  [
                          "%ProgramData%\\Contoso\\Agent\\Cache",
                          "C:\\Program Files\\Contoso Backup\\*",
                          "D:\\R\u0026D\\Builds",
                          "*:\\Scratch"
                      ],
    "ExclusionProcess":  null
}`
	prefs, err := mode.ParsePreferences(strings.NewReader(out))
	if err != nil {
		panic(err)
	}
	m, err := exclusions.Compile(exclusions.List{
		Paths:      prefs.ExclusionPath,
		Extensions: prefs.ExclusionExtension,
		Processes:  prefs.ExclusionProcess,
	}, exclusions.Options{})
	var ce *exclusions.CompileError
	if errors.As(err, &ce) {
		for _, e := range ce.Entries {
			fmt.Println("not loaded:", e)
		}
	}
	r := m.Match(`D:\R&D\Builds\nightly\setup.exe`)
	fmt.Println(r.Excluded, r.Rule)
	r = m.Match(`C:\Program Files\Contoso Backup\bin\agent.exe`)
	fmt.Println(r.Excluded, r.Notes)
	// Output:
	// not loaded: ExclusionPath[3] "*:\\Scratch": exclusions: wildcard in place of the drive letter
	// true ExclusionPath[2] "D:\\R&D\\Builds"
	// false partial-list
}

// A bad entry is reported with its list, position and reason, and the
// other entries still load.
func ExampleCompile() {
	m, err := exclusions.Compile(exclusions.List{
		Paths:     []string{`C:\Tools`, `%USERNAME%\Downloads`, `C:\*\*\*\*\*\*\*`},
		Processes: []string{`setup*.exe`},
	}, exclusions.Options{})
	fmt.Println(err)
	fmt.Println(errors.Is(err, exclusions.ErrTooManyWildcards), m.Len())
	// Output:
	// exclusions: 3 entries not loaded
	// 	ExclusionPath[1] "%USERNAME%\\Downloads": exclusions: environment variable not in the system environment: %USERNAME%
	// 	ExclusionPath[2] "C:\\*\\*\\*\\*\\*\\*\\*": exclusions: more than six wildcards in one entry (7)
	// 	ExclusionProcess[0] "setup*.exe": exclusions: wildcard in a process image name
	// true 1
}

// In every doubtful case the answer is "not excluded", and the notes say
// why.
func ExampleMatcher_Match() {
	m, err := exclusions.Compile(exclusions.List{
		Paths: []string{`C:\Program Files\Contoso`, `C:\Reports\summary.txt`},
	}, exclusions.Options{})
	if err != nil {
		panic(err)
	}
	for _, p := range []string{
		`C:\Reports\summary.txt:payload.exe`, // a stream of an excluded file
		`C:\PROGRA~1\Contoso\agent.exe`,      // maybe Program Files, maybe not
		`C:\Reports\summary.txt.`,            // a different file, with a real trailing dot
		`\\?\C:\Program Files\Contoso\..\..\Windows\evil.exe`,
	} {
		r := m.Match(p)
		fmt.Printf("%v %q stream=%q [%s]\n", r.Excluded, r.Path.Path, r.Path.Stream, r.Notes)
	}
	// Output:
	// true "C:\\Reports\\summary.txt" stream="payload.exe" [stream]
	// false "C:\\PROGRA~1\\Contoso\\agent.exe" stream="" [short-name]
	// false "C:\\Reports\\summary.txt." stream="" [trailing-dot-or-space]
	// false "C:\\Program Files\\Contoso\\..\\..\\Windows\\evil.exe" stream="" [unnormalized]
}

// Process exclusions apply to on-access scans only. Whether a block-mode
// remediation counts as one is not documented, so by default they do not
// stop it; a host that knows better says so in the options.
func ExampleMatcher_MatchOpenedBy() {
	l := exclusions.List{Processes: []string{`C:\Program Files\Contoso\backup.exe`}}
	for _, trigger := range []exclusions.ScanTrigger{exclusions.UnknownTrigger, exclusions.OnAccess} {
		m, err := exclusions.Compile(l, exclusions.Options{RemediationTrigger: trigger})
		if err != nil {
			panic(err)
		}
		r := m.MatchOpenedBy(`D:\Data\ledger.db`, `C:\Program Files\Contoso\backup.exe`)
		fmt.Printf("%v: excluded=%v notes=[%s] unapplied=[%s]\n", trigger, r.Excluded, r.Notes, r.Unapplied)
	}
	// Output:
	// Unknown: excluded=false notes=[process-not-on-access] unapplied=[ExclusionProcess[0] "C:\\Program Files\\Contoso\\backup.exe"]
	// OnAccess: excluded=true notes=[] unapplied=[]
}

// A contextual exclusion loads only on a platform that supports it, and
// applies only when its restrictions can be shown to hold.
func ExampleMatcher_Lookup() {
	m, err := exclusions.Compile(exclusions.List{
		Paths: []string{`c:\documents\design.doc\:{Process:"winword.exe"}`},
	}, exclusions.Options{
		Platform:           exclusions.Version{Major: 4, Minor: 18, Build: 24090, Revision: 11},
		Engine:             exclusions.Version{Major: 1, Minor: 1, Build: 24090, Revision: 11},
		RemediationTrigger: exclusions.OnAccess,
	})
	if err != nil {
		panic(err)
	}
	for _, proc := range []string{`C:\Program Files\Microsoft Office\root\Office16\WINWORD.EXE`, `C:\Users\Public\evil.exe`} {
		r := m.Lookup(context.Background(), exclusions.Query{Path: `C:\Documents\design.doc`, Process: proc})
		fmt.Printf("excluded=%v notes=[%s]\n", r.Excluded, r.Notes)
	}
	// Output:
	// excluded=true notes=[]
	// excluded=false notes=[restricted]
}

// Canonicalize shows the one form the matcher compares.
func ExampleCanonicalize() {
	for _, p := range []struct {
		path string
		src  exclusions.Provenance
	}{
		{`C:/Users//Public/./Documents/../report.txt`, exclusions.FileSystem},
		{`\\?\UNC\fileserver\share\tools\x.exe`, exclusions.FileSystem},
		{`C:\Temp\notes.txt. `, exclusions.Typed},
		{`C:\Temp\notes.txt. `, exclusions.FileSystem},
		{`C:Projects\x.sln`, exclusions.Typed},
	} {
		c, err := exclusions.Canonicalize(p.path, p.src)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("%q root=%q notes=[%s]\n", c.Path, c.Root(), c.Notes)
	}
	// Output:
	// "C:\\Users\\Public\\report.txt" root="C:" notes=[]
	// "\\\\fileserver\\share\\tools\\x.exe" root="\\\\fileserver\\share" notes=[]
	// "C:\\Temp\\notes.txt" root="C:" notes=[]
	// "C:\\Temp\\notes.txt. " root="C:" notes=[trailing-dot-or-space]
	// exclusions: drive-relative path: "C:Projects\\x.sln"
}

// Lint flags the exclusions Microsoft's common-mistakes page warns about.
func ExampleLint() {
	for _, f := range exclusions.Lint(exclusions.List{
		Paths:      []string{`C:\Windows\Temp`, `%APPDATA%\Contoso`, `D:\SQLData`},
		Extensions: []string{".ps1"},
		Processes:  []string{"powershell.exe"},
	}) {
		fmt.Println(f)
	}
	// Output:
	// high temp-folder ExclusionPath[0] "C:\\Windows\\Temp": covers C:\Windows\Temp, a temporary folder any user can write to
	// medium profile-variable ExclusionPath[1] "%APPDATA%\\Contoso": %APPDATA% resolves to the LocalSystem profile (C:\Windows\system32\config\systemprofile\Appdata\Roaming), not to a signed-in user's
	// high risky-extension ExclusionExtension[0] ".ps1": excludes every .ps1 file, a file type used in attacks
	// high risky-process ExclusionProcess[0] "powershell.exe": excludes files opened by powershell.exe, a process used in attacks
	// medium image-name-only ExclusionProcess[0] "powershell.exe": an image name alone matches powershell.exe run from any folder; give the full path
}
