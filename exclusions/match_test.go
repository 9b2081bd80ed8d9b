package exclusions

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// matchCase is one question to a compiled list.
type matchCase struct {
	name     string
	list     List
	opts     Options
	q        Query
	excluded bool
	rule     Rule  // checked when not zero
	notes    Notes // must all be present
}

func runMatchCases(t *testing.T, cases []matchCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Compile(tt.list, tt.opts)
			require.NoError(t, err)
			got := m.Lookup(context.Background(), tt.q)
			require.NoError(t, got.Err)
			assert.Equal(t, tt.excluded, got.Excluded, "%s", got)
			if tt.rule.Kind != 0 {
				assert.Equal(t, tt.rule, got.Rule)
			}
			if !tt.excluded {
				assert.Equal(t, Rule{}, got.Rule)
			}
			assert.True(t, got.Notes.Has(tt.notes), "notes %q lack %q", got.Notes, tt.notes)
		})
	}
}

func paths(p ...string) List      { return List{Paths: p} }
func extensions(e ...string) List { return List{Extensions: e} }
func processes(p ...string) List  { return List{Processes: p} }
func file(p string) Query         { return Query{Path: p} }
func opened(p, proc string) Query { return Query{Path: p, Process: proc} }
func pathRule(i int, text string) Rule {
	return Rule{Kind: ExclusionPath, Text: text, Index: i}
}

var onAccess = Options{RemediationTrigger: OnAccess}

// TestMatch covers "Configure custom exclusions based on file extension and
// folder location" (defender-docs,
// configure-extension-file-exclusions-microsoft-defender-antivirus.md): the
// table of examples, the wildcard table and its notes.
func TestMatch(t *testing.T) {
	runMatchCases(t, []matchCase{
		// Table "examples of exclusions based on file extension and folder
		// location".
		{name: "extension_with_dot_matches_anywhere", list: extensions(".test"), q: file(`C:\a\b\file.test`), excluded: true,
			rule: Rule{Kind: ExclusionExtension, Text: ".test"}},
		{name: "extension_without_dot_matches_anywhere", list: extensions("test"), q: file(`D:\x.test`), excluded: true},
		{name: "extension_matches_unc_paths", list: extensions("test"), q: file(`\\srv\share\deep\x.TEST`), excluded: true},
		{name: "extension_is_case_insensitive", list: extensions(".TeSt"), q: file(`C:\x.tEsT`), excluded: true},
		{name: "extension_is_the_whole_last_extension", list: extensions(".test"), q: file(`C:\x.testing`)},
		{name: "extension_is_the_last_one_only", list: extensions(".test"), q: file(`C:\x.test.exe`)},
		{name: "extension_of_dotted_folder_does_not_count", list: extensions(".test"), q: file(`C:\dir.test\x.txt`)},
		{name: "folder_exclusion_covers_files_in_it", list: paths(`c:\test\sample`), q: file(`c:\test\sample\x.txt`), excluded: true,
			rule: pathRule(0, `c:\test\sample`)},
		{name: "folder_exclusion_covers_subfolders", list: paths(`c:\test\sample`), q: file(`C:\TEST\Sample\sub\deeper\y.dll`), excluded: true},
		{name: "folder_exclusion_covers_the_folder_itself", list: paths(`c:\test\sample`), q: Query{Path: `c:\test\sample`, Folder: true}, excluded: true},
		{name: "folder_exclusion_is_not_a_name_prefix", list: paths(`c:\test\sample`), q: file(`c:\test\samples\x.txt`)},
		{name: "folder_exclusion_does_not_cover_its_parent", list: paths(`c:\test\sample`), q: file(`c:\test\x.txt`)},
		{name: "folder_exclusion_with_trailing_separator", list: paths(`c:\test\sample\`), q: file(`c:\test\sample\x.txt`), excluded: true},
		{name: "file_exclusion_covers_that_file", list: paths(`c:\sample\sample.test`), q: file(`c:\sample\sample.test`), excluded: true},
		{name: "file_exclusion_does_not_cover_a_sibling", list: paths(`c:\sample\sample.test`), q: file(`c:\sample\other.test`)},
		{name: "file_exclusion_of_a_process_image", list: paths(`c:\test\process.exe`), q: file(`c:\test\process.exe`), excluded: true},
		// "Don't exclude mapped network drives. Specify the actual network
		// path": UNC paths are real paths; drive letters are not mapped.
		{name: "unc_folder_exclusion_covers_unc_file", list: paths(`\\fileserver\share\tools`), q: file(`\\FILESERVER\share\tools\a.exe`), excluded: true},
		{name: "unc_exclusion_does_not_cover_a_mapped_drive", list: paths(`\\fileserver\share\tools`), q: file(`Z:\tools\a.exe`)},
		{name: "drive_exclusion_does_not_cover_loopback_unc", list: paths(`C:\temp`), q: file(`\\localhost\c$\temp\a.exe`)},
		// Table "wildcards".
		{name: "asterisk_in_file_name_matches_in_last_folder", list: paths(`C:\MyData\*.txt`), q: file(`C:\MyData\notes.txt`), excluded: true},
		{name: "asterisk_in_file_name_does_not_reach_subfolders", list: paths(`C:\MyData\*.txt`), q: file(`C:\MyData\sub\notes.txt`)},
		{name: "asterisk_in_file_name_checks_the_rest", list: paths(`C:\MyData\*.txt`), q: file(`C:\MyData\notes.txt.exe`)},
		{name: "asterisk_folder_matches_one_level_archives", list: paths(`C:\somepath\*\Data`), q: file(`C:\somepath\Archives\Data\x.txt`), excluded: true},
		{name: "asterisk_folder_includes_subfolders", list: paths(`C:\somepath\*\Data`), q: file(`C:\somepath\Authorized\Data\sub\x.txt`), excluded: true},
		{name: "asterisk_folder_needs_exactly_one_level", list: paths(`C:\somepath\*\Data`), q: file(`C:\somepath\a\b\Data\x.txt`)},
		{name: "asterisk_folder_needs_a_level", list: paths(`C:\somepath\*\Data`), q: file(`C:\somepath\Data\x.txt`)},
		{name: "two_asterisk_folders_primary_denied", list: paths(`C:\Serv\*\*\Backup`), q: file(`C:\Serv\Primary\Denied\Backup\x.bak`), excluded: true},
		{name: "two_asterisk_folders_secondary_allowed", list: paths(`C:\Serv\*\*\Backup`), q: file(`C:\Serv\Secondary\Allowed\Backup\sub\x.bak`), excluded: true},
		{name: "two_asterisk_folders_need_two_levels", list: paths(`C:\Serv\*\*\Backup`), q: file(`C:\Serv\Primary\Backup\x.bak`)},
		{name: "question_mark_in_file_name", list: paths(`C:\MyData\my?.zip`), q: file(`C:\MyData\my1.zip`), excluded: true},
		{name: "question_mark_is_exactly_one_character", list: paths(`C:\MyData\my?.zip`), q: file(`C:\MyData\my12.zip`)},
		{name: "question_mark_is_not_zero_characters", list: paths(`C:\MyData\my?.zip`), q: file(`C:\MyData\my.zip`)},
		{name: "question_mark_as_folder", list: paths(`C:\somepath\?\Data`), q: file(`C:\somepath\P\Data\x`), excluded: true},
		{name: "question_mark_folder_includes_subfolders", list: paths(`C:\somepath\?\Data`), q: file(`C:\somepath\P\Data\sub\x`), excluded: true},
		{name: "question_mark_in_folder_name", list: paths(`C:\somepath\test0?\Data`), q: file(`C:\somepath\test01\Data\x`), excluded: true},
		{name: "question_mark_in_folder_name_one_character", list: paths(`C:\somepath\test0?\Data`), q: file(`C:\somepath\test012\Data\x`)},
		{name: "environment_variable_allusersprofile", list: paths(`%ALLUSERSPROFILE%\CustomLogFiles`),
			q: file(`C:\ProgramData\CustomLogFiles\Folder1\file1.txt`), excluded: true},
		{name: "mix_and_match_variable_asterisk_question_mark", list: paths(`%PROGRAMFILES%\Contoso*\v?\bin\contoso.exe`),
			q: file(`c:\Program Files\Contoso Labs\v1\bin\contoso.exe`), excluded: true},
		{name: "mix_and_match_needs_the_file_name", list: paths(`%PROGRAMFILES%\Contoso*\v?\bin\contoso.exe`),
			q: file(`c:\Program Files\Contoso Labs\v1\bin\other.exe`)},
		// "If you mix a file exclusion argument with a folder exclusion
		// argument, the rules stop at the file argument match in the
		// matched folder".
		{name: "file_argument_after_folder_wildcard_final", list: paths(`c:\data\*\marked\date*`), q: file(`c:\data\final\marked\date1.txt`), excluded: true},
		{name: "file_argument_after_folder_wildcard_review", list: paths(`c:\data\*\marked\date*`), q: file(`c:\data\review\marked\dates.xlsx`), excluded: true},
		{name: "file_argument_does_not_look_in_subfolders", list: paths(`c:\data\*\marked\date*`), q: file(`c:\data\final\marked\sub\date1.txt`)},
		{name: "file_argument_does_not_enter_matching_folder", list: paths(`c:\data\*\marked\date*`), q: file(`c:\data\final\marked\date2024\x.txt`)},
		// Extension and path lists together: path rules are reported first.
		{name: "path_rule_is_reported_before_extension_rule", list: List{Paths: []string{`C:\Logs`}, Extensions: []string{"log"}},
			q: file(`C:\Logs\a.log`), excluded: true, rule: pathRule(0, `C:\Logs`)},
		{name: "broadest_path_rule_is_reported", list: paths(`C:\a\b`, `C:\a`, `C:\a\b\c.txt`),
			q: file(`C:\a\b\c.txt`), excluded: true, rule: pathRule(1, `C:\a`)},
		{name: "whole_drive_exclusion_covers_everything_on_it", list: paths(`D:\`), q: file(`D:\x\y.exe`), excluded: true},
		{name: "drive_letter_alone_is_the_whole_drive", list: paths(`D:`), q: file(`D:\x\y.exe`), excluded: true},
		{name: "system_drive_variable_is_the_whole_drive", list: paths(`%SystemDrive%`), q: file(`c:\x\y.exe`), excluded: true},
		{name: "whole_drive_exclusion_is_per_drive", list: paths(`D:\`), q: file(`C:\x\y.exe`)},
		{name: "drive_asterisk_covers_files_at_the_root", list: paths(`C:\*`), q: file(`C:\x.exe`), excluded: true},
		{name: "drive_asterisk_is_a_file_name_part", list: paths(`C:\*`), q: file(`C:\dir\x.exe`)},
	})
}

// TestMatchEnvironmentTable checks every row of the table "System
// environment variables" (same page): each variable, and each variable
// with a path after it, expands to the documented LocalSystem path.
func TestMatchEnvironmentTable(t *testing.T) {
	table := [][2]string{
		{`%APPDATA%`, `C:\Windows\system32\config\systemprofile\Appdata\Roaming`},
		{`%APPDATA%\Microsoft\Internet Explorer\Quick Launch`, `C:\Windows\System32\config\systemprofile\AppData\Roaming\Microsoft\Internet Explorer\Quick Launch`},
		{`%APPDATA%\Microsoft\Windows\Start Menu`, `C:\Windows\System32\config\systemprofile\AppData\Roaming\Microsoft\Windows\Start Menu`},
		{`%APPDATA%\Microsoft\Windows\Start Menu\Programs`, `C:\Windows\System32\config\systemprofile\AppData\Roaming\Microsoft\Windows\Start Menu\Programs`},
		{`%LOCALAPPDATA%`, `C:\WINDOWS\system32\config\systemprofile\AppData\Local`},
		{`%ProgramData%`, `C:\ProgramData`},
		{`%ProgramFiles%`, `C:\Program Files`},
		{`%ProgramFiles%\Common Files`, `C:\Program Files\Common Files`},
		{`%ProgramFiles%\Windows Sidebar\Gadgets`, `C:\Program Files\Windows Sidebar\Gadgets`},
		{`%ProgramFiles(x86)%`, `C:\Program Files (x86)`},
		{`%ProgramFiles(x86)%\Common Files`, `C:\Program Files (x86)\Common Files`},
		{`%SystemDrive%`, `C:`},
		{`%SystemDrive%\Program Files`, `C:\Program Files`},
		{`%SystemDrive%\Program Files (x86)`, `C:\Program Files (x86)`},
		{`%SystemDrive%\Users`, `C:\Users`},
		{`%SystemDrive%\Users\Public`, `C:\Users\Public`},
		{`%SystemRoot%`, `C:\Windows`},
		{`%windir%`, `C:\Windows`},
		{`%windir%\Fonts`, `C:\Windows\Fonts`},
		{`%windir%\Resources`, `C:\Windows\Resources`},
		{`%windir%\resources\0409`, `C:\Windows\resources\0409`},
		{`%windir%\system32`, `C:\Windows\System32`},
		{`%ALLUSERSPROFILE%`, `C:\ProgramData`},
		{`%ALLUSERSPROFILE%\Application Data`, `C:\ProgramData\Application Data`},
		{`%ALLUSERSPROFILE%\Documents`, `C:\ProgramData\Documents`},
		{`%ALLUSERSPROFILE%\Documents\My Music\Sample Music`, `C:\ProgramData\Documents\My Music\Sample Music`},
		{`%ALLUSERSPROFILE%\Documents\My Music`, `C:\ProgramData\Documents\My Music`},
		{`%ALLUSERSPROFILE%\Documents\My Pictures`, `C:\ProgramData\Documents\My Pictures`},
		{`%ALLUSERSPROFILE%\Documents\My Pictures\Sample Pictures`, `C:\ProgramData\Documents\My Pictures\Sample Pictures`},
		{`%ALLUSERSPROFILE%\Documents\My Videos`, `C:\ProgramData\Documents\My Videos`},
		{`%ALLUSERSPROFILE%\Microsoft\Windows\DeviceMetadataStore`, `C:\ProgramData\Microsoft\Windows\DeviceMetadataStore`},
		{`%ALLUSERSPROFILE%\Microsoft\Windows\GameExplorer`, `C:\ProgramData\Microsoft\Windows\GameExplorer`},
		{`%ALLUSERSPROFILE%\Microsoft\Windows\Ringtones`, `C:\ProgramData\Microsoft\Windows\Ringtones`},
		{`%ALLUSERSPROFILE%\Microsoft\Windows\Start Menu`, `C:\ProgramData\Microsoft\Windows\Start Menu`},
		{`%ALLUSERSPROFILE%\Microsoft\Windows\Start Menu\Programs`, `C:\ProgramData\Microsoft\Windows\Start Menu\Programs`},
		{`%ALLUSERSPROFILE%\Microsoft\Windows\Start Menu\Programs\Administrative Tools`, `C:\ProgramData\Microsoft\Windows\Start Menu\Programs\Administrative Tools`},
		{`%ALLUSERSPROFILE%\Microsoft\Windows\Start Menu\Programs\StartUp`, `C:\ProgramData\Microsoft\Windows\Start Menu\Programs\StartUp`},
		{`%ALLUSERSPROFILE%\Microsoft\Windows\Templates`, `C:\ProgramData\Microsoft\Windows\Templates`},
		{`%ALLUSERSPROFILE%\Start Menu`, `C:\ProgramData\Start Menu`},
		{`%ALLUSERSPROFILE%\Start Menu\Programs`, `C:\ProgramData\Start Menu\Programs`},
		{`%ALLUSERSPROFILE%\Start Menu\Programs\Administrative Tools`, `C:\ProgramData\Start Menu\Programs\Administrative Tools`},
		{`%ALLUSERSPROFILE%\Templates`, `C:\ProgramData\Templates`},
		{`%LOCALAPPDATA%\Microsoft\Windows\ConnectedSearch\Templates`, `C:\Windows\System32\config\systemprofile\AppData\Local\Microsoft\Windows\ConnectedSearch\Templates`},
		{`%LOCALAPPDATA%\Microsoft\Windows\History`, `C:\Windows\System32\config\systemprofile\AppData\Local\Microsoft\Windows\History`},
		{`%PUBLIC%`, `C:\Users\Public`},
		{`%PUBLIC%\AccountPictures`, `C:\Users\Public\AccountPictures`},
		{`%PUBLIC%\Desktop`, `C:\Users\Public\Desktop`},
		{`%PUBLIC%\Documents`, `C:\Users\Public\Documents`},
		{`%PUBLIC%\Downloads`, `C:\Users\Public\Downloads`},
		{`%PUBLIC%\Music\Sample Music`, `C:\Users\Public\Music\Sample Music`},
		{`%PUBLIC%\Music\Sample Playlists`, `C:\Users\Public\Music\Sample Playlists`},
		{`%PUBLIC%\Pictures\Sample Pictures`, `C:\Users\Public\Pictures\Sample Pictures`},
		{`%PUBLIC%\RecordedTV.library-ms`, `C:\Users\Public\RecordedTV.library-ms`},
		{`%PUBLIC%\Videos`, `C:\Users\Public\Videos`},
		{`%PUBLIC%\Videos\Sample Videos`, `C:\Users\Public\Videos\Sample Videos`},
		{`%USERPROFILE%`, `C:\Windows\system32\config\systemprofile`},
		{`%USERPROFILE%\AppData\Local`, `C:\Windows\system32\config\systemprofile\AppData\Local`},
		{`%USERPROFILE%\AppData\LocalLow`, `C:\Windows\system32\config\systemprofile\AppData\LocalLow`},
		{`%USERPROFILE%\AppData\Roaming`, `C:\Windows\system32\config\systemprofile\AppData\Roaming`},
	}
	for _, row := range table {
		t.Run(row[0], func(t *testing.T) {
			m, err := Compile(paths(row[0]), Options{})
			require.NoError(t, err)
			require.Equal(t, 1, m.Len())
			assert.True(t, equalFold(m.rules[0].canon, row[1]), "%s expands to %s, want %s", row[0], m.rules[0].canon, row[1])
			got := m.Match(row[1] + `\file.txt`)
			assert.True(t, got.Excluded, "%s", got)
		})
	}
	t.Run("user_profile_variables_do_not_reach_a_users_profile", func(t *testing.T) {
		m, err := Compile(paths(`%USERPROFILE%\Downloads`, `%APPDATA%\App`, `%LOCALAPPDATA%\App`), Options{})
		require.NoError(t, err)
		for _, p := range []string{`C:\Users\alice\Downloads\x.exe`, `C:\Users\alice\AppData\Roaming\App\x.exe`, `C:\Users\alice\AppData\Local\App\x.exe`} {
			assert.False(t, m.Match(p).Excluded, p)
		}
	})
	t.Run("host_environment_replaces_defaults", func(t *testing.T) {
		env := DefaultEnv()
		env["ProgramFiles"] = `D:\Apps`
		m, err := Compile(paths(`%programfiles%\Contoso`), Options{Env: env})
		require.NoError(t, err)
		assert.True(t, m.Match(`D:\Apps\Contoso\x.exe`).Excluded)
		assert.False(t, m.Match(`C:\Program Files\Contoso\x.exe`).Excluded)
	})
	t.Run("percent_that_starts_no_variable_is_literal", func(t *testing.T) {
		m, err := Compile(paths(`C:\100%\files`, `C:\a%%b`), Options{})
		require.NoError(t, err)
		assert.True(t, m.Match(`C:\100%\files\x`).Excluded)
		assert.True(t, m.Match(`C:\a%%b\x`).Excluded)
	})
}

// TestMatchProcess covers "Configure exclusions for files opened by
// processes" (defender-docs,
// configure-process-opened-file-exclusions-microsoft-defender-antivirus.md):
// the table of examples, "Image name vs full path", and the wildcard table.
func TestMatchProcess(t *testing.T) {
	procRule := func(i int, text string) Rule { return Rule{Kind: ExclusionProcess, Text: text, Index: i} }
	runMatchCases(t, []matchCase{
		// Table "Examples of process exclusions".
		{name: "image_name_matches_in_any_folder_sample", list: processes("test.exe"), opts: onAccess,
			q: opened(`D:\data\report.docx`, `c:\sample\test.exe`), excluded: true, rule: procRule(0, "test.exe")},
		{name: "image_name_matches_in_any_folder_internal", list: processes("test.exe"), opts: onAccess,
			q: opened(`D:\data\report.docx`, `d:\internal\files\test.exe`), excluded: true},
		{name: "image_name_is_the_whole_name", list: processes("test.exe"), opts: onAccess,
			q: opened(`D:\data\report.docx`, `c:\sample\mytest.exe`)},
		{name: "folder_asterisk_matches_test", list: processes(`c:\test\sample\*`), opts: onAccess,
			q: opened(`D:\x.dat`, `c:\test\sample\test.exe`), excluded: true},
		{name: "folder_asterisk_matches_test2", list: processes(`c:\test\sample\*`), opts: onAccess,
			q: opened(`D:\x.dat`, `c:\test\sample\test2.exe`), excluded: true},
		{name: "folder_asterisk_matches_utility", list: processes(`c:\test\sample\*`), opts: onAccess,
			q: opened(`D:\x.dat`, `c:\test\sample\utility.exe`), excluded: true},
		{name: "folder_asterisk_does_not_reach_subfolders", list: processes(`c:\test\sample\*`), opts: onAccess,
			q: opened(`D:\x.dat`, `c:\test\sample\sub\utility.exe`)},
		{name: "full_path_matches_only_that_process", list: processes(`c:\test\process.exe`), opts: onAccess,
			q: opened(`D:\x.dat`, `C:\Test\Process.exe`), excluded: true},
		{name: "full_path_does_not_match_same_name_elsewhere", list: processes(`c:\test\process.exe`), opts: onAccess,
			q: opened(`D:\x.dat`, `c:\other\process.exe`)},
		{name: "full_path_literal_does_not_act_as_folder", list: processes(`c:\test`), opts: onAccess,
			q: opened(`D:\x.dat`, `c:\test\process.exe`)},
		{name: "powershell_snippet_internal_test", list: processes(`c:\internal\test.exe`), opts: onAccess,
			q: opened(`C:\any\file.txt`, `c:\internal\test.exe`), excluded: true},
		// "Image name vs full path".
		{name: "image_name_matches_myprocess_in_other_folder", list: processes("MyProcess.exe"), opts: onAccess,
			q: opened(`C:\x.txt`, `C:\MyOtherFolder\MyProcess.exe`), excluded: true},
		{name: "image_name_matches_removable_media", list: processes("MyProcess.exe"), opts: onAccess,
			q: opened(`C:\x.txt`, `E:\MyProcess.exe`), excluded: true},
		// Table "wildcards in the process exclusion list".
		{name: "wildcard_myfolder_asterisk_myprocess", list: processes(`C:\MyFolder\*`), opts: onAccess,
			q: opened(`C:\x.txt`, `C:\MyFolder\MyProcess.exe`), excluded: true},
		{name: "wildcard_myfolder_asterisk_anotherprocess", list: processes(`C:\MyFolder\*`), opts: onAccess,
			q: opened(`C:\x.txt`, `C:\MyFolder\AnotherProcess.exe`), excluded: true},
		{name: "wildcard_two_folders_myfolder1_myfolder2", list: processes(`C:\*\*\MyProcess.exe`), opts: onAccess,
			q: opened(`C:\x.txt`, `C:\MyFolder1\MyFolder2\MyProcess.exe`), excluded: true},
		{name: "wildcard_two_folders_myfolder3_myfolder4", list: processes(`C:\*\*\MyProcess.exe`), opts: onAccess,
			q: opened(`C:\x.txt`, `C:\MyFolder3\MyFolder4\MyProcess.exe`), excluded: true},
		{name: "wildcard_two_folders_need_two_levels", list: processes(`C:\*\*\MyProcess.exe`), opts: onAccess,
			q: opened(`C:\x.txt`, `C:\MyFolder1\MyProcess.exe`)},
		{name: "wildcard_folder_and_name_myotherfolder", list: processes(`C:\*\MyFolder\My*.exe`), opts: onAccess,
			q: opened(`C:\x.txt`, `C:\MyOtherFolder\MyFolder\MyProcess.exe`), excluded: true},
		{name: "wildcard_folder_and_name_anotherfolder", list: processes(`C:\*\MyFolder\My*.exe`), opts: onAccess,
			q: opened(`C:\x.txt`, `C:\AnotherFolder\MyFolder\MyOtherProcess.exe`), excluded: true},
		{name: "question_marks_myprocess42", list: processes(`C:\MyFolder\MyProcess??.exe`), opts: onAccess,
			q: opened(`C:\x.txt`, `C:\MyFolder\MyProcess42.exe`), excluded: true},
		{name: "question_marks_myprocessaa", list: processes(`C:\MyFolder\MyProcess??.exe`), opts: onAccess,
			q: opened(`C:\x.txt`, `C:\MyFolder\MyProcessAA.exe`), excluded: true},
		{name: "question_marks_myprocessf5", list: processes(`C:\MyFolder\MyProcess??.exe`), opts: onAccess,
			q: opened(`C:\x.txt`, `C:\MyFolder\MyProcessF5.exe`), excluded: true},
		{name: "question_marks_need_two_characters", list: processes(`C:\MyFolder\MyProcess??.exe`), opts: onAccess,
			q: opened(`C:\x.txt`, `C:\MyFolder\MyProcess4.exe`)},
		{name: "environment_variable_in_process_path", list: processes(`%ALLUSERSPROFILE%\MyFolder\MyProcess.exe`), opts: onAccess,
			q: opened(`C:\x.txt`, `C:\ProgramData\MyFolder\MyProcess.exe`), excluded: true},
		// "These types of exclusions are for files that are opened by
		// processes and not the processes themselves."
		{name: "process_exclusion_does_not_exclude_the_process_image", list: processes("test.exe"), opts: onAccess,
			q: file(`c:\sample\test.exe`), notes: NoteProcessUnknown},
		// "The exclusions only apply to always-on real-time protection and
		// monitoring": a remediation not known to be on-access is not
		// stopped by a process exclusion (the safe default).
		{name: "process_exclusion_needs_on_access_trigger", list: processes("test.exe"),
			q: opened(`D:\x.dat`, `c:\sample\test.exe`), notes: NoteProcessNotOnAccess},
		{name: "process_exclusion_not_for_on_demand", list: processes("test.exe"), opts: Options{RemediationTrigger: OnDemand},
			q: opened(`D:\x.dat`, `c:\sample\test.exe`), notes: NoteProcessNotOnAccess},
		{name: "process_in_alternate_stream_is_doubtful", list: processes("test.exe"), opts: onAccess,
			q: opened(`D:\x.dat`, `c:\sample\host.txt:test.exe`)},
		{name: "process_with_short_name_is_doubtful", list: processes(`C:\Program Files\Contoso\test.exe`), opts: onAccess,
			q: opened(`D:\x.dat`, `C:\PROGRA~1\Contoso\test.exe`)},
		{name: "path_rule_is_reported_before_process_rule", list: List{Paths: []string{`D:\`}, Processes: []string{"test.exe"}}, opts: onAccess,
			q: opened(`D:\x.dat`, `c:\sample\test.exe`), excluded: true, rule: pathRule(0, `D:\`)},
	})
	t.Run("unapplied_process_rule_is_reported", func(t *testing.T) {
		m, err := Compile(processes("test.exe"), Options{})
		require.NoError(t, err)
		got := m.MatchOpenedBy(`D:\x.dat`, `c:\sample\test.exe`)
		assert.False(t, got.Excluded)
		assert.Equal(t, Rule{Kind: ExclusionProcess, Text: "test.exe"}, got.Unapplied)
		assert.Contains(t, got.String(), "not applied")
	})
	t.Run("bad_process_path_disables_only_process_rules", func(t *testing.T) {
		m, err := Compile(List{Paths: []string{`D:\`}, Processes: []string{"test.exe"}}, onAccess)
		require.NoError(t, err)
		got := m.MatchOpenedBy(`D:\x.dat`, `test.exe`)
		assert.True(t, got.Excluded)
		assert.ErrorIs(t, got.Err, ErrRelativePath)
		got = m.MatchOpenedBy(`E:\x.dat`, `test.exe`)
		assert.False(t, got.Excluded)
		assert.True(t, got.Notes.Has(NoteProcessUnknown))
	})
}

// TestMatchCanonicalForms checks the security rule: never "excluded"
// unless the antivirus would treat that very file as excluded.
func TestMatchCanonicalForms(t *testing.T) {
	runMatchCases(t, []matchCase{
		{name: "mixed_separators_and_dot_segments_are_normalised", list: paths(`C:\Tools`), q: file(`C:/Temp/../Tools//./x.exe`), excluded: true},
		{name: "dotdot_escaping_an_excluded_folder_is_not_excluded", list: paths(`C:\Excluded`), q: file(`C:\Excluded\..\evil.exe`)},
		{name: "dot_device_path_is_normalised", list: paths(`C:\Tools`), q: file(`\\.\C:\Tools\x.exe`), excluded: true},
		{name: "question_device_path_matches_when_plain", list: paths(`C:\Tools`), q: file(`\\?\C:\Tools\x.exe`), excluded: true},
		{name: "unnormalised_question_path_is_not_excluded", list: paths(`C:\Excluded`), q: file(`\\?\C:\Excluded\..\evil.exe`), notes: NoteUnnormalized},
		{name: "unnormalised_question_path_still_on_excluded_drive", list: paths(`C:\`), q: file(`\\?\C:\a\..\b.exe`), excluded: true},
		{name: "question_unc_matches_unc_exclusion", list: paths(`\\srv\share\tools`), q: file(`\\?\UNC\srv\share\tools\x.exe`), excluded: true},
		{name: "nt_prefix_path_matches", list: paths(`C:\Tools`), q: file(`\??\C:\Tools\x.exe`), excluded: true},
		{name: "volume_guid_path_is_not_mapped_to_a_drive", list: paths(`C:\Tools`),
			q: file(`\\?\Volume{b75e2c83-0000-0000-0000-602f00000000}\Tools\x.exe`), notes: NoteDeviceRoot},
		{name: "nt_device_path_is_not_mapped_to_a_drive", list: paths(`C:\Tools`), q: file(`\Device\HarddiskVolume3\Tools\x.exe`), notes: NoteDeviceRoot},
		{name: "extension_rule_applies_on_device_root", list: extensions("log"), q: file(`\Device\HarddiskVolume3\x.log`), excluded: true},
		{name: "reported_trailing_dot_does_not_match_file_exclusion", list: paths(`C:\dir\evil.exe`), q: file(`C:\dir\evil.exe.`), notes: NoteTrailingDotOrSpace},
		{name: "reported_trailing_space_does_not_match_file_exclusion", list: paths(`C:\dir\evil.exe`), q: file(`C:\dir\evil.exe `), notes: NoteTrailingDotOrSpace},
		{name: "reported_trailing_dot_does_not_match_wildcard", list: paths(`C:\dir\*.exe*`), q: file(`C:\dir\evil.exe.`)},
		{name: "reported_trailing_dot_folder_does_not_match", list: paths(`C:\dir`), q: file(`C:\dir.\evil.exe`)},
		{name: "reported_trailing_dot_below_excluded_folder_is_excluded", list: paths(`C:\dir`), q: file(`C:\dir\evil.exe.`), excluded: true},
		{name: "typed_trailing_dot_is_trimmed_like_win32", list: paths(`C:\dir\evil.exe`), q: Query{Path: `C:\dir\evil.exe.`, Source: Typed}, excluded: true},
		{name: "typed_trailing_dot_in_question_path_is_real", list: paths(`C:\dir\evil.exe`), q: Query{Path: `\\?\C:\dir\evil.exe.`, Source: Typed}},
		{name: "extension_rule_ignores_name_with_trailing_dot", list: extensions("exe"), q: file(`C:\dir\evil.exe.`)},
		{name: "named_stream_belongs_to_excluded_file", list: paths(`C:\dir\x.txt`), q: file(`C:\dir\x.txt:payload.exe`), excluded: true, notes: NoteStream},
		{name: "named_stream_name_is_never_matched", list: paths(`C:\dir\payload.exe`), q: file(`C:\dir\x.txt:payload.exe`), notes: NoteStream},
		{name: "named_stream_extension_is_never_matched", list: extensions("exe"), q: file(`C:\dir\x.txt:payload.exe`)},
		{name: "named_stream_file_extension_is_matched", list: extensions("txt"), q: file(`C:\dir\x.txt:payload.exe`), excluded: true},
		{name: "default_data_stream_is_the_file", list: paths(`C:\dir\x.exe`), q: file(`C:\dir\x.exe::$DATA`), excluded: true, notes: NoteDefaultStream},
		{name: "index_allocation_in_folder_is_not_excluded", list: paths(`C:\dir\*\x.exe`), q: file(`C:\dir\a::$INDEX_ALLOCATION\x.exe`), notes: NoteStreamSyntax},
		{name: "short_name_without_resolver_is_not_excluded", list: paths(`C:\Program Files\Contoso`), q: file(`C:\PROGRA~1\Contoso\x.exe`), notes: NoteShortName},
		{name: "short_name_literal_in_entry_does_not_match_either", list: paths(`C:\PROGRA~1\Contoso`), q: file(`C:\PROGRA~1\Contoso\x.exe`), notes: NoteShortName},
		{name: "short_name_below_excluded_folder_is_excluded", list: paths(`C:\Tools`), q: file(`C:\Tools\LONGNA~1\x.exe`), excluded: true},
		{name: "short_file_name_does_not_match_extension", list: extensions("exe"), q: file(`C:\Tools\LONGNA~1.EXE`), notes: NoteShortName},
	})
	t.Run("invalid_path_reports_error", func(t *testing.T) {
		m, err := Compile(paths(`C:\`), Options{})
		require.NoError(t, err)
		got := m.Match(`relative\x.exe`)
		assert.False(t, got.Excluded)
		assert.ErrorIs(t, got.Err, ErrRelativePath)
		assert.Contains(t, got.String(), "relative path")
		got = m.Match("C:\\a\x00.exe")
		assert.False(t, got.Excluded, "a path with a control character is never excluded")
		assert.ErrorIs(t, got.Err, ErrControlCharacter)
	})
}

// resolverFunc adapts a function to ShortNameResolver.
type resolverFunc func(ctx context.Context, path string) (string, error)

func (f resolverFunc) LongPath(ctx context.Context, path string) (string, error) { return f(ctx, path) }

func TestMatchShortNameResolver(t *testing.T) {
	long := resolverFunc(func(_ context.Context, p string) (string, error) {
		switch p {
		case `C:\PROGRA~1\Contoso\x.exe`:
			return `C:\Program Files\Contoso\x.exe`, nil
		case `C:\PROGRA~1\Other\x.exe`:
			return `C:\Program Files\x.exe`, nil // not the same shape
		}
		return "", errors.New("disk unavailable")
	})
	m, err := Compile(paths(`C:\Program Files\Contoso`), Options{ShortNames: long})
	require.NoError(t, err)
	t.Run("resolved_short_name_is_compared_in_long_form", func(t *testing.T) {
		got := m.Match(`C:\PROGRA~1\Contoso\x.exe:ads`)
		assert.True(t, got.Excluded)
		assert.Equal(t, `C:\Program Files\Contoso\x.exe`, got.Path.Path)
		assert.Equal(t, "ads", got.Path.Stream)
		assert.True(t, got.Notes.Has(NoteShortNameResolved|NoteStream))
	})
	t.Run("resolver_error_keeps_the_doubt", func(t *testing.T) {
		got := m.Match(`C:\PROGRA~1\Unknown\x.exe`)
		assert.False(t, got.Excluded)
		assert.True(t, got.Notes.Has(NoteShortName))
		assert.ErrorContains(t, got.Err, "disk unavailable")
	})
	t.Run("resolver_answer_of_another_shape_is_refused", func(t *testing.T) {
		got := m.Match(`C:\PROGRA~1\Other\x.exe`)
		assert.False(t, got.Excluded)
		assert.ErrorContains(t, got.Err, "not a long form")
	})
	t.Run("resolver_is_not_called_without_short_names", func(t *testing.T) {
		got := m.Match(`C:\Program Files\Contoso\y.exe`)
		assert.True(t, got.Excluded)
		assert.NoError(t, got.Err)
	})
}

func TestMatchDoesNotAllocate(t *testing.T) {
	m, err := Compile(List{
		Paths:      []string{`C:\Program Files\Contoso`, `C:\Users\*\AppData\Local\App9\*.tmp`, `D:\data\x.bin`},
		Extensions: []string{"log", "t?p"},
		Processes:  []string{"test.exe", `C:\tools\*.exe`},
	}, onAccess)
	require.NoError(t, err)
	for _, tc := range []struct{ path, proc string }{
		{`C:\Users\alice\AppData\Local\Temp\setup\payload.exe`, ""},
		{`C:\Program Files\Contoso\bin\x.dll`, ""},
		{`C:\Users\alice\AppData\Local\App9\cache.tmp`, ""},
		{`E:\x\y.log`, ""},
		{`E:\x\y.dat`, `C:\tools\a.exe`},
		{`E:\x\y.dat`, `C:\other\b.exe`},
	} {
		allocs := testing.AllocsPerRun(200, func() { _ = m.MatchOpenedBy(tc.path, tc.proc) })
		assert.Zero(t, allocs, "%s %s", tc.path, tc.proc)
	}
}

func TestResultJSONForm(t *testing.T) {
	m, err := Compile(paths(`C:\Tools`), Options{})
	require.NoError(t, err)
	got := m.Match(`C:\Tools\x.exe:ads`)
	want := Result{Excluded: true, Rule: pathRule(0, `C:\Tools`), Notes: NoteStream}
	if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b Canonical) bool { return true })); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
	assert.Equal(t, `excluded by ExclusionPath[0] "C:\\Tools": "C:\\Tools\\x.exe:ads" [stream]`, got.String())
}

func TestResultMarshalsToJSON(t *testing.T) {
	m, err := Compile(paths(`C:\Tools`), Options{})
	require.NoError(t, err)
	b, err := json.Marshal(m.Match(`C:\Tools\x.exe:ads`))
	require.NoError(t, err)
	assert.JSONEq(t, `{"excluded":true,
		"rule":{"kind":"ExclusionPath","text":"C:\\Tools","index":0},
		"unapplied":{"index":0},
		"path":{"path":"C:\\Tools\\x.exe","stream":"ads","source":"FileSystem","notes":["stream"]},
		"process":{"path":"","source":"FileSystem"},
		"notes":["stream"]}`, string(b))
}
