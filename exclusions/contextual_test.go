package exclusions

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ctxOpts are Options on the first platform and engine that support
// contextual exclusions, with the given remediation context.
func ctxOpts(trigger ScanTrigger, scan ScanType) Options {
	return Options{Platform: Version{4, 18, 2205, 7}, Engine: Version{1, 1, 19300, 2}, RemediationTrigger: trigger, RemediationScanType: scan}
}

// TestMatchContextual covers every example of "Configure contextual file and
// folder exclusions" (defender-docs,
// configure-contextual-file-folder-exclusions-microsoft-defender-antivirus.md).
func TestMatchContextual(t *testing.T) {
	const (
		fileOnAccess = `c:\documents\design.doc\:{PathType:file,ScanTrigger:OnAccess}`
		byWinword    = `c:\documents\design.doc\:{Process:"winword.exe"}`
		docOnDemand  = `c:\*\*.doc\:{PathType:file,ScanTrigger:OnDemand}`
		byOfficePath = `c:\documents\design.doc\:{Process:"C:\Program Files*\Microsoft Office\root\Office??\winword.exe"}`
		folderOnly   = `C:\documents\*\:{PathType:folder}`
		mdbFileOnly  = `C:\documents\*.mdb\:{PathType:file}`
		fullScan     = `C:\documents\:{ScanType:full}`
		quickScan    = `C:\program.exe\:{ScanType:quick}`
		quickFile    = `C:\program.exe\:{ScanType:quick,PathType:file}`
		onAccessDir  = `c:\documents\:{ScanTrigger:OnAccess}`
		threeProcs   = `c:\documents\design.doc\:{Process:"winword.exe", Process:"msaccess.exe", Process:"C:\Program Files*\Microsoft Office\root\Office??\winword.exe"}`
		twoTriggers  = `c:\documents\:{ScanTrigger:OnAccess,ScanTrigger:OnDemand}`
		winword      = `C:\Program Files\Microsoft Office\root\Office16\WINWORD.EXE`
	)
	restricted := NoteRestricted
	runMatchCases(t, []matchCase{
		{name: "file_on_access_applies_on_access", list: paths(fileOnAccess), opts: ctxOpts(OnAccess, 0),
			q: file(`c:\documents\design.doc`), excluded: true, rule: pathRule(0, fileOnAccess)},
		{name: "file_on_access_not_shown_for_unknown_trigger", list: paths(fileOnAccess), opts: ctxOpts(0, 0),
			q: file(`c:\documents\design.doc`), notes: restricted},
		{name: "file_on_access_not_for_on_demand", list: paths(fileOnAccess), opts: ctxOpts(OnDemand, 0),
			q: file(`c:\documents\design.doc`), notes: restricted},
		{name: "file_restriction_does_not_cover_below_a_folder_of_that_name", list: paths(fileOnAccess), opts: ctxOpts(OnAccess, 0),
			q: file(`c:\documents\design.doc\inner.txt`), notes: restricted},
		{name: "process_restriction_applies_to_opening_process", list: paths(byWinword), opts: ctxOpts(OnAccess, 0),
			q: opened(`c:\documents\design.doc`, winword), excluded: true},
		{name: "process_restriction_other_process", list: paths(byWinword), opts: ctxOpts(OnAccess, 0),
			q: opened(`c:\documents\design.doc`, `C:\Program Files\Microsoft Office\root\Office16\EXCEL.EXE`), notes: restricted},
		{name: "process_restriction_without_process", list: paths(byWinword), opts: ctxOpts(OnAccess, 0),
			q: file(`c:\documents\design.doc`), notes: restricted | NoteProcessUnknown},
		{name: "process_restriction_needs_on_access", list: paths(byWinword), opts: ctxOpts(0, 0),
			q: opened(`c:\documents\design.doc`, winword), notes: restricted},
		{name: "wildcard_path_on_demand", list: paths(docOnDemand), opts: ctxOpts(OnDemand, 0),
			q: file(`c:\docs\report.doc`), excluded: true},
		{name: "wildcard_path_on_demand_needs_one_level", list: paths(docOnDemand), opts: ctxOpts(OnDemand, 0), q: file(`c:\report.doc`)},
		{name: "wildcard_path_on_demand_not_in_subfolders", list: paths(docOnDemand), opts: ctxOpts(OnDemand, 0), q: file(`c:\docs\sub\report.doc`)},
		{name: "process_path_with_wildcards", list: paths(byOfficePath), opts: ctxOpts(OnAccess, 0),
			q: opened(`c:\documents\design.doc`, `C:\Program Files (x86)\Microsoft Office\root\Office16\winword.exe`), excluded: true},
		{name: "process_path_with_wildcards_needs_two_characters", list: paths(byOfficePath), opts: ctxOpts(OnAccess, 0),
			q: opened(`c:\documents\design.doc`, `C:\Program Files\Microsoft Office\root\Office1\winword.exe`), notes: restricted},
		{name: "folder_restriction_covers_folder_contents", list: paths(folderOnly), opts: ctxOpts(0, 0),
			q: file(`C:\documents\projects\plan.txt`), excluded: true},
		{name: "folder_restriction_covers_deeper_contents", list: paths(folderOnly), opts: ctxOpts(0, 0),
			q: file(`C:\documents\projects\2024\plan.txt`), excluded: true},
		{name: "folder_restriction_covers_the_folder_target", list: paths(folderOnly), opts: ctxOpts(0, 0),
			q: Query{Path: `C:\documents\projects`, Folder: true}, excluded: true},
		{name: "folder_restriction_does_not_apply_to_file_target", list: paths(folderOnly), opts: ctxOpts(0, 0),
			q: file(`C:\documents\plan.txt`), notes: restricted},
		{name: "file_restriction_applies_to_file", list: paths(mdbFileOnly), opts: ctxOpts(0, 0),
			q: file(`C:\documents\orders.mdb`), excluded: true},
		{name: "file_restriction_applies_to_folder_target_as_documented", list: paths(mdbFileOnly), opts: ctxOpts(0, 0),
			q: Query{Path: `C:\documents\orders.mdb`, Folder: true}, excluded: true},
		{name: "file_restriction_does_not_reach_below", list: paths(mdbFileOnly), opts: ctxOpts(0, 0),
			q: file(`C:\documents\orders.mdb\x.txt`)},
		{name: "scan_type_full_applies_to_full_remediation", list: paths(fullScan), opts: ctxOpts(0, FullScan),
			q: file(`C:\documents\a\b.txt`), excluded: true},
		{name: "scan_type_full_not_shown_by_default", list: paths(fullScan), opts: ctxOpts(0, 0),
			q: file(`C:\documents\a\b.txt`), notes: restricted},
		{name: "scan_type_quick", list: paths(quickScan), opts: ctxOpts(0, QuickScan), q: file(`C:\program.exe`), excluded: true},
		{name: "scan_type_quick_not_for_full", list: paths(quickScan), opts: ctxOpts(0, FullScan), q: file(`C:\program.exe`), notes: restricted},
		{name: "scan_type_quick_also_covers_folder_of_that_name", list: paths(quickScan), opts: ctxOpts(0, QuickScan),
			q: file(`C:\program.exe\inner.dll`), excluded: true},
		{name: "scan_type_quick_file_only", list: paths(quickFile), opts: ctxOpts(0, QuickScan), q: file(`C:\program.exe`), excluded: true},
		{name: "scan_type_quick_file_only_not_below", list: paths(quickFile), opts: ctxOpts(0, QuickScan),
			q: file(`C:\program.exe\inner.dll`), notes: restricted},
		{name: "scan_trigger_on_access_folder", list: paths(onAccessDir), opts: ctxOpts(OnAccess, 0),
			q: file(`c:\documents\sub\x.txt`), excluded: true},
		{name: "scan_trigger_on_access_folder_not_for_bm", list: paths(onAccessDir), opts: ctxOpts(BM, 0),
			q: file(`c:\documents\sub\x.txt`), notes: restricted},
		// "Conditions inside {} MUST be true": the documented example with
		// three Process conditions therefore needs one process to match all
		// three, which no process does. The page's own wording suggests
		// "any of them" was meant; the safe, literal reading is kept.
		{name: "several_process_conditions_must_all_hold", list: paths(threeProcs), opts: ctxOpts(OnAccess, 0),
			q: opened(`c:\documents\design.doc`, winword), notes: restricted},
		{name: "two_scan_triggers_never_hold", list: paths(twoTriggers), opts: ctxOpts(OnAccess, 0),
			q: file(`c:\documents\x.txt`), notes: restricted},
		{name: "unrestricted_rule_wins_over_restricted_one", list: paths(fileOnAccess, `c:\documents`), opts: ctxOpts(0, 0),
			q: file(`c:\documents\design.doc`), excluded: true, rule: pathRule(1, `c:\documents`)},
	})
	t.Run("unapplied_rule_is_named", func(t *testing.T) {
		m, err := Compile(paths(fileOnAccess), ctxOpts(0, 0))
		require.NoError(t, err)
		got := m.Lookup(context.Background(), file(`c:\documents\design.doc`))
		assert.Equal(t, pathRule(0, fileOnAccess), got.Unapplied)
	})
}

func TestCompileContextual(t *testing.T) {
	const entry = `c:\documents\:{ScanTrigger:OnAccess}`
	for _, tc := range []struct {
		name             string
		platform, engine Version
		err              error
	}{
		{"minimum_platform_and_engine_load_it", Version{4, 18, 2205, 7}, Version{1, 1, 19300, 2}, nil},
		{"newer_platform_and_engine_load_it", Version{4, 18, 24090, 11}, Version{1, 1, 24090, 11}, nil},
		{"older_platform_is_reported_not_guessed", Version{4, 18, 2205, 6}, Version{1, 1, 19300, 2}, ErrContextUnsupported},
		{"older_engine_is_reported_not_guessed", Version{4, 18, 2205, 7}, Version{1, 1, 19300, 1}, ErrContextUnsupported},
		{"unknown_versions_are_reported", Version{}, Version{}, ErrContextUnsupported},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Compile(paths(entry, `c:\plain`), Options{Platform: tc.platform, Engine: tc.engine})
			require.NotNil(t, m)
			assert.True(t, m.Match(`c:\plain\x`).Excluded, "the plain entry always loads")
			if tc.err == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tc.err)
			assert.True(t, m.Match(`c:\plain\x`).Notes.Has(NotePartialList))
		})
	}
	for _, tc := range []struct{ name, entry string }{
		{"type_names_are_case_sensitive", `c:\docs\:{pathtype:file}`},
		{"values_are_case_sensitive", `c:\docs\:{PathType:File}`},
		{"trigger_values_are_case_sensitive", `c:\docs\:{ScanTrigger:onaccess}`},
		{"unknown_type", `c:\docs\:{Owner:me}`},
		{"unknown_scan_type", `c:\docs\:{ScanType:resource}`},
		{"empty_braces", `c:\docs\:{}`},
		{"empty_item", `c:\docs\:{PathType:file,}`},
		{"missing_colon", `c:\docs\:{PathType}`},
		{"unclosed_brace", `c:\docs\:{PathType:file`},
		{"process_must_be_quoted", `c:\docs\:{Process:winword.exe}`},
		{"unterminated_quote", `c:\docs\:{Process:"winword.exe}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Compile(paths(tc.entry), ctxOpts(0, 0))
			require.ErrorIs(t, err, ErrContextSyntax)
		})
	}
	t.Run("process_image_name_in_restriction_allows_no_wildcard", func(t *testing.T) {
		_, err := Compile(paths(`c:\docs\:{Process:"win*.exe"}`), ctxOpts(0, 0))
		require.ErrorIs(t, err, ErrWildcardInImageName)
	})
}
