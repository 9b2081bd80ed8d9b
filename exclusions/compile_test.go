package exclusions

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCompileRejects(t *testing.T) {
	tests := []struct {
		name string
		list List
		err  error
	}{
		// "You cannot use a wildcard in place of a drive letter."
		{"asterisk_drive_letter", paths(`*:\Data`), ErrWildcardDrive},
		{"question_mark_drive_letter", paths(`?:\Data`), ErrWildcardDrive},
		{"wildcard_unc_server", paths(`\\*\share\x`), ErrWildcardDrive},
		{"wildcard_unc_share", paths(`\\srv\sh*\x`), ErrWildcardDrive},
		{"wildcard_device_drive", paths(`\\?\*:\x`), ErrWildcardDrive},
		{"wildcard_device_unc_server", paths(`\\?\UNC\s?v\share\x`), ErrWildcardDrive},
		{"wildcard_drive_in_process_path", processes(`*:\tools\x.exe`), ErrWildcardDrive},
		// "You can only use a maximum of six wildcards per entry."
		{"seven_asterisks", paths(`C:\*\*\*\*\*\*\*`), ErrTooManyWildcards},
		{"seven_question_marks", paths(`C:\???????.txt`), ErrTooManyWildcards},
		{"variables_count_as_wildcards", paths(`%ProgramFiles%\*\*\*\*\*\*`), ErrTooManyWildcards},
		{"seven_wildcards_in_extension", extensions(`*?*?*?*`), ErrTooManyWildcards},
		// Image names allow no wildcards.
		{"wildcard_in_image_name", processes(`test*.exe`), ErrWildcardInImageName},
		{"question_mark_in_image_name", processes(`test?.exe`), ErrWildcardInImageName},
		// Only absolute paths.
		{"file_name_alone_in_path_list", paths(`Filename.exe`), ErrRelativePath},
		{"relative_folder", paths(`tools\bin`), ErrRelativePath},
		{"drive_relative_entry", paths(`C:tools`), ErrDriveRelative},
		{"root_relative_entry", paths(`\tools`), ErrRootRelative},
		{"empty_path_entry", paths(``), ErrEmpty},
		{"empty_process_entry", processes(``), ErrEmpty},
		{"empty_extension_entry", extensions(``), ErrEmpty},
		// Only system variables.
		{"user_variable", paths(`%USERNAME%\x`), ErrUnknownVariable},
		{"temp_variable", paths(`%TEMP%\x`), ErrUnknownVariable},
		{"user_variable_in_process", processes(`%HOMEPATH%\x.exe`), ErrUnknownVariable},
		// Segments whose reading is not documented.
		{"dotdot_segment", paths(`C:\a\..\b`), ErrDotSegment},
		{"dot_segment", paths(`C:\a\.\b`), ErrDotSegment},
		{"trailing_dot_segment", paths(`C:\temp.`), ErrTrailingDotOrSpace},
		{"trailing_space_segment", paths(`C:\temp \x`), ErrTrailingDotOrSpace},
		{"trailing_dot_image_name", processes(`test.exe.`), ErrTrailingDotOrSpace},
		{"colon_in_segment", paths(`C:\a\b:c`), ErrInvalidCharacter},
		{"control_character", paths("C:\\a\tb"), ErrControlCharacter},
		{"invalid_utf8", paths("C:\\\xfe"), ErrInvalidEncoding},
		{"volume_guid_root", paths(`\\?\Volume{b75e2c83-0000-0000-0000-602f00000000}\x`), ErrDevicePath},
		{"device_root", paths(`\\.\pipe\x`), ErrDevicePath},
		{"unc_without_share", paths(`\\server`), ErrInvalidRoot},
		// Extensions.
		{"multi_part_extension", extensions(`.ko.gz`), ErrInvalidExtension},
		{"extension_with_asterisk_dot", extensions(`*.log`), ErrInvalidExtension},
		{"dot_alone", extensions(`.`), ErrInvalidExtension},
		{"extension_with_separator", extensions(`a\b`), ErrInvalidExtension},
		{"extension_with_trailing_space", extensions(`log `), ErrTrailingDotOrSpace},
		// Contextual syntax belongs to ExclusionPath.
		{"contextual_process_entry", processes(`c:\x.exe\:{ScanTrigger:OnAccess}`), ErrContextSyntax},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Compile(tt.list, Options{})
			require.ErrorIs(t, err, tt.err)
			var ce *CompileError
			require.ErrorAs(t, err, &ce)
			require.Len(t, ce.Entries, 1)
			require.NotNil(t, m, "the matcher is returned beside the error")
			assert.Zero(t, m.Len())
		})
	}
}

func TestCompileAccepts(t *testing.T) {
	for _, tc := range []struct {
		name string
		list List
	}{
		{"six_wildcards", paths(`C:\*\*\*\*\*\*`)},
		{"six_wildcards_with_a_variable", paths(`%ProgramFiles%\*\*\*\*\*\x`)},
		{"unc_entry", paths(`\\server\share\folder`)},
		{"device_forms_of_drive_and_unc", paths(`\\?\C:\x`, `\\.\D:\y`, `\\?\UNC\srv\sh\z`)},
		{"forward_slashes", paths(`C:/tools/bin`)},
		{"extension_with_wildcards", extensions(`t?p`, `*`)},
		{"image_name_without_extension", processes(`agent`)},
		{"non_ascii_entry", paths(`C:\Users\José\Документы`)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Compile(tc.list, Options{})
			require.NoError(t, err)
			assert.Equal(t, len(tc.list.Paths)+len(tc.list.Extensions)+len(tc.list.Processes), m.Len())
		})
	}
}

func TestCompileBadEntryDoesNotHideGoodOnes(t *testing.T) {
	l := List{
		Paths:      []string{`C:\good`, `*:\bad`, `D:\also good`, `%USERNAME%\bad`},
		Extensions: []string{"log", ".ko.gz"},
		Processes:  []string{"ok.exe", "bad*.exe"},
	}
	m, err := Compile(l, Options{RemediationTrigger: OnAccess})
	require.NotNil(t, m)
	var ce *CompileError
	require.ErrorAs(t, err, &ce)
	type entry struct {
		Kind  Kind
		Index int
		Text  string
		Is    error
	}
	var got []entry
	for _, e := range ce.Entries {
		var is error
		for _, s := range []error{ErrWildcardDrive, ErrUnknownVariable, ErrInvalidExtension, ErrWildcardInImageName} {
			if errors.Is(e, s) {
				is = s
			}
		}
		got = append(got, entry{e.Kind, e.Index, e.Text, is})
	}
	want := []entry{
		{ExclusionPath, 1, `*:\bad`, ErrWildcardDrive},
		{ExclusionPath, 3, `%USERNAME%\bad`, ErrUnknownVariable},
		{ExclusionExtension, 1, `.ko.gz`, ErrInvalidExtension},
		{ExclusionProcess, 1, `bad*.exe`, ErrWildcardInImageName},
	}
	if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b error) bool { return a == b })); diff != "" {
		t.Errorf("bad entries (-want +got):\n%s", diff)
	}
	for _, s := range []error{ErrWildcardDrive, ErrUnknownVariable, ErrInvalidExtension, ErrWildcardInImageName} {
		assert.ErrorIs(t, err, s)
	}
	assert.NotErrorIs(t, err, ErrTooManyWildcards)
	var ee *EntryError
	require.ErrorAs(t, err, &ee)
	assert.Equal(t, ExclusionPath, ee.Kind)

	assert.Equal(t, 4, m.Len())
	assert.True(t, m.Match(`C:\good\x`).Excluded)
	assert.True(t, m.Match(`D:\also good\x`).Excluded)
	assert.True(t, m.Match(`E:\x.log`).Excluded)
	assert.True(t, m.MatchOpenedBy(`E:\x`, `C:\ok.exe`).Excluded)
	assert.True(t, m.Match(`E:\x`).Notes.Has(NotePartialList))

	msg := err.Error()
	assert.True(t, strings.HasPrefix(msg, "exclusions: 4 entries not loaded\n"), msg)
	assert.Contains(t, msg, `ExclusionPath[1] "*:\\bad": exclusions: wildcard in place of the drive letter`)
}

func TestCompileStrict(t *testing.T) {
	m, err := Compile(paths(`C:\good`, `*:\bad`), Options{Strict: true})
	assert.Nil(t, m)
	require.ErrorIs(t, err, ErrWildcardDrive)
	m, err = Compile(paths(`C:\good`), Options{Strict: true})
	require.NoError(t, err)
	assert.Equal(t, 1, m.Len())
}

func TestCompileInvalidOptions(t *testing.T) {
	for _, v := range []string{`C:\*`, `C:\%X%`, ``, "C:\\a\x00"} {
		_, err := Compile(List{}, Options{Env: map[string]string{"X": v}})
		require.ErrorIs(t, err, ErrInvalidOptions, "%q", v)
	}
}

func TestEmptyListExcludesNothing(t *testing.T) {
	m, err := Compile(List{}, Options{})
	require.NoError(t, err)
	got := m.Match(`C:\x.exe`)
	assert.False(t, got.Excluded)
	assert.Zero(t, got.Notes)
}

func TestVersionAndEnumStrings(t *testing.T) {
	assert.Equal(t, "4.18.2205.7", Version{4, 18, 2205, 7}.String())
	assert.Equal(t, -1, Version{4, 18, 2205, 6}.Compare(Version{4, 18, 2205, 7}))
	assert.Equal(t, 1, Version{4, 19, 0, 0}.Compare(Version{4, 18, 9999, 9}))
	assert.Equal(t, 0, Version{1, 1, 19300, 2}.Compare(Version{1, 1, 19300, 2}))
	assert.Equal(t, "ExclusionExtension", ExclusionExtension.String())
	assert.Equal(t, "", Kind(0).String())
	assert.Equal(t, "OnAccess", OnAccess.String())
	assert.Equal(t, "Unknown", UnknownTrigger.String())
	assert.Equal(t, "full", FullScan.String())
	assert.Equal(t, "high", SeverityHigh.String())
	assert.Equal(t, "short-name,stream", (NoteShortName | NoteStream).String())
	b, err := (NoteShortName | NoteStream).MarshalJSON()
	require.NoError(t, err)
	assert.JSONEq(t, `["short-name","stream"]`, string(b))
	assert.Len(t, noteNames, bitsLen(noteEnd)-1)
}

func bitsLen(n Notes) int {
	i := 0
	for n > 0 {
		n >>= 1
		i++
	}
	return i
}
