package exclusions

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// findingIDs returns "id/severity" for each finding.
func findingIDs(fs []Finding) []string {
	var ids []string
	for _, f := range fs {
		ids = append(ids, f.ID+"/"+f.Severity.String())
	}
	return ids
}

// TestLintFolders covers the folder locations of "Common mistakes to avoid
// when defining exclusions" (defender-docs,
// common-exclusion-mistakes-microsoft-defender-antivirus.md), every form
// the page lists.
func TestLintFolders(t *testing.T) {
	tests := []struct {
		entry string
		want  []string
	}{
		{`%systemdrive%`, []string{"whole-drive/high"}},
		{`C:`, []string{"whole-drive/high"}},
		{`C:\`, []string{"whole-drive/high"}},
		{`C:\*`, []string{"whole-drive/high"}},
		{`D:\`, []string{"whole-drive/high"}},
		{`\\server\share`, []string{"whole-drive/high"}},
		{`%ProgramFiles%\Java`, []string{"risky-folder/high"}},
		{`C:\Program Files\Java`, []string{"risky-folder/high"}},
		{`%ProgramFiles%\Contoso\`, []string{"program-folder/medium"}},
		{`C:\Program Files\Contoso\`, []string{"program-folder/medium"}},
		{`%ProgramFiles(x86)%\Contoso\`, []string{"program-folder/medium"}},
		{`C:\Program Files (x86)\Contoso\`, []string{"program-folder/medium"}},
		{`C:\Temp`, []string{"temp-folder/high"}},
		{`C:\Temp\`, []string{"temp-folder/high"}},
		{`C:\Temp\*`, []string{"temp-folder/high"}},
		{`C:\Users\`, []string{"risky-folder/high", "temp-folder/high"}},
		{`C:\Users\*`, []string{"risky-folder/high"}},
		{`C:\Users\alice\AppData\Local\Temp\`, []string{"temp-folder/high"}},
		{`C:\Users\alice\AppData\LocalLow\Temp\`, []string{"temp-folder/high"}},
		{`C:\Users\*\AppData\Local\Temp`, []string{"temp-folder/high"}},
		// "Note the following important exceptions for SharePoint".
		{`C:\Users\ServiceAccount\AppData\Local\Temp`, []string{"temp-folder/low"}},
		{`C:\Users\Default\AppData\Local\Temp`, []string{"temp-folder/low"}},
		{`%Windir%\Prefetch`, []string{"risky-folder/high"}},
		{`C:\Windows\Prefetch`, []string{"risky-folder/high"}},
		{`C:\Windows\Prefetch\`, []string{"risky-folder/high"}},
		{`C:\Windows\Prefetch\*`, []string{"risky-folder/high"}},
		{`%Windir%\System32\Spool`, []string{"risky-folder/high"}},
		{`C:\Windows\System32\Spool`, []string{"risky-folder/high"}},
		{`C:\Windows\System32\CatRoot2`, []string{"risky-folder/high"}},
		{`%Windir%\Temp`, []string{"temp-folder/high"}},
		{`C:\Windows\Temp`, []string{"temp-folder/high"}},
		{`C:\Windows\Temp\`, []string{"temp-folder/high"}},
		{`C:\Windows\Temp\*`, []string{"temp-folder/high"}},
		// Folders above the listed ones cover them.
		{`C:\Windows`, []string{"risky-folder/high", "temp-folder/high"}},
		{`C:\Program Files`, []string{"risky-folder/high", "program-folder/medium"}},
		// Paths inside a temporary folder are user-writable too.
		{`C:\Windows\Temp\MyApp`, []string{"temp-folder/high"}},
		{`C:\Users\bob\AppData\Local\Temp\x\*.tmp`, []string{"temp-folder/high"}},
		// Specific files and application subfolders are fine.
		{`C:\Program Files\Contoso\Filename.exe`, nil},
		{`C:\Program Files\Contoso\Logs`, nil},
		{`D:\SQLData\*.mdf`, nil},
		{`C:\Windows\System32\Spool2`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.entry, func(t *testing.T) {
			got := Lint(paths(tt.entry))
			for _, f := range got {
				assert.NotContains(t, f.Reason, "ExampleName")
			}
			assert.Equal(t, tt.want, findingIDs(got), "%v", got)
			for _, f := range got {
				assert.Equal(t, Rule{Kind: ExclusionPath, Text: tt.entry}, f.Entry)
				assert.NotContains(t, f.Reason, "\n")
			}
		})
	}
}

// TestLintExtensions covers the page's file extensions.
func TestLintExtensions(t *testing.T) {
	for _, e := range lintExtensions {
		t.Run(e, func(t *testing.T) {
			want := "risky-extension/high"
			if e == "gif" || e == "jpg" || e == "jpeg" || e == "png" {
				want = "risky-extension/low" // "You can choose to exclude file types, such as .gif, .jpg, .jpeg, or .png if ..."
			}
			assert.Equal(t, []string{want}, findingIDs(Lint(extensions("."+e))))
			assert.Equal(t, []string{want}, findingIDs(Lint(extensions(strings.ToUpper(e)))))
		})
	}
	t.Run("wildcard_extension_matching_a_risky_one", func(t *testing.T) {
		fs := Lint(extensions("e*"))
		require.Equal(t, []string{"risky-extension/high"}, findingIDs(fs))
		assert.Contains(t, fs[0].Reason, ".exe")
	})
	t.Run("harmless_extension", func(t *testing.T) {
		assert.Empty(t, Lint(extensions(".mdf", "ldf", ".log")))
	})
}

// TestLintProcesses covers the page's processes, and "Using just the file
// name in the exclusion list".
func TestLintProcesses(t *testing.T) {
	for _, p := range lintProcesses {
		t.Run(p, func(t *testing.T) {
			assert.Equal(t, []string{"risky-process/high", "image-name-only/medium"}, findingIDs(Lint(processes(p))))
			assert.Equal(t, []string{"risky-process/high"}, findingIDs(Lint(processes(`C:\Windows\System32\`+strings.ToUpper(p)))))
		})
	}
	t.Run("wildcard_process_path_matching_a_risky_one", func(t *testing.T) {
		assert.Equal(t, []string{"risky-process/high"}, findingIDs(Lint(processes(`C:\*\power*.exe`))))
	})
	t.Run("image_name_alone", func(t *testing.T) {
		assert.Equal(t, []string{"image-name-only/medium"}, findingIDs(Lint(processes("MyProcess.exe"))))
	})
	t.Run("full_path_process_is_fine", func(t *testing.T) {
		assert.Empty(t, Lint(processes(`C:\Program Files\Contoso\svc.exe`)))
	})
	t.Run("process_run_from_temp", func(t *testing.T) {
		// Any process there, the risky ones included.
		assert.Equal(t, []string{"risky-process/high", "temp-folder/high"}, findingIDs(Lint(processes(`C:\Windows\Temp\*`))))
		assert.Equal(t, []string{"temp-folder/high"}, findingIDs(Lint(processes(`C:\Temp\tools\x.exe`))))
	})
	t.Run("path_entry_naming_a_risky_process_image", func(t *testing.T) {
		assert.Equal(t, []string{"risky-process/high"}, findingIDs(Lint(paths(`C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe`))))
	})
	t.Run("file_name_alone_in_path_list", func(t *testing.T) {
		assert.Equal(t, []string{"file-name-only/high"}, findingIDs(Lint(paths("Filename.exe"))))
	})
	t.Run("fully_qualified_file_is_fine", func(t *testing.T) {
		assert.Empty(t, Lint(paths(`C:\program files\contoso\Filename.exe`)))
	})
}

// TestLintVariables covers "Using incorrect environment variables as
// wildcards".
func TestLintVariables(t *testing.T) {
	tests := []struct {
		entry string
		want  []string
	}{
		{`%USERNAME%\x`, []string{"user-variable/medium"}},
		{`%TEMP%\x`, []string{"user-variable/medium"}},
		{`%HOMEDRIVE%%HOMEPATH%\x`, []string{"user-variable/medium", "user-variable/medium"}},
		{`%APPDATA%\Contoso`, []string{"profile-variable/medium"}},
		{`%LOCALAPPDATA%\Contoso`, []string{"profile-variable/medium"}},
		{`%USERPROFILE%\Contoso`, []string{"profile-variable/medium"}},
		{`%ProgramData%\Contoso\cache`, nil},
		{`%PUBLIC%\Contoso`, nil},
		{`C:\100%\x`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.entry, func(t *testing.T) {
			assert.Equal(t, tt.want, findingIDs(Lint(paths(tt.entry))))
		})
	}
	t.Run("process_entry_variables", func(t *testing.T) {
		assert.Equal(t, []string{"user-variable/medium"}, findingIDs(Lint(processes(`%TEMP%\x.exe`))))
	})
}

func TestLintShortName(t *testing.T) {
	assert.Equal(t, []string{"short-name/low"}, findingIDs(Lint(paths(`C:\PROGRA~1\Contoso\x.exe`))))
}

func TestLintReport(t *testing.T) {
	got := Lint(List{
		Paths:      []string{`C:\Program Files\Contoso\app.exe`, `C:\Windows\Temp`},
		Extensions: []string{".mdf", ".exe"},
		Processes:  []string{"cmd.exe"},
	})
	want := []Finding{
		{ID: LintTempFolder, Severity: SeverityHigh, Entry: Rule{Kind: ExclusionPath, Text: `C:\Windows\Temp`, Index: 1},
			Reason: `covers C:\Windows\Temp, a temporary folder any user can write to`},
		{ID: LintRiskyExtension, Severity: SeverityHigh, Entry: Rule{Kind: ExclusionExtension, Text: `.exe`, Index: 1},
			Reason: `excludes every .exe file, a file type used in attacks`},
		{ID: LintRiskyProcess, Severity: SeverityHigh, Entry: Rule{Kind: ExclusionProcess, Text: `cmd.exe`},
			Reason: `excludes files opened by cmd.exe, a process used in attacks`},
		{ID: LintImageNameOnly, Severity: SeverityMedium, Entry: Rule{Kind: ExclusionProcess, Text: `cmd.exe`},
			Reason: `an image name alone matches cmd.exe run from any folder; give the full path`},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Lint mismatch (-want +got):\n%s", diff)
	}
	assert.Equal(t, `high temp-folder ExclusionPath[1] "C:\\Windows\\Temp": covers C:\Windows\Temp, a temporary folder any user can write to`, got[0].String())
}
