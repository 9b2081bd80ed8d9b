package exclusions

import (
	"errors"
	"math/bits"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// canon is the comparable view of a Canonical.
type canon struct {
	Path, Root, Stream string
	Depth              int
	Notes              Notes
}

func viewOf(c Canonical) canon {
	return canon{Path: c.Path, Root: c.Root(), Stream: c.Stream, Depth: c.Depth(), Notes: c.Notes}
}

func TestCanonicalize(t *testing.T) {
	const vol = `Volume{b75e2c83-0000-0000-0000-602f00000000}`
	tests := []struct {
		name string
		in   string
		src  Provenance
		want canon
		err  error
	}{
		// The examples of "File path formats on Windows systems"
		// (dotnet/docs, docs/standard/io/file-path-formats.md), table
		// "Traditional DOS paths".
		{name: "dos_absolute_path_is_kept", in: `C:\Documents\Newsletters\Summer2018.pdf`,
			want: canon{Path: `C:\Documents\Newsletters\Summer2018.pdf`, Root: "C:", Depth: 3}},
		{name: "path_from_root_of_current_drive_is_rejected", in: `\Program Files\Custom Utilities\StringFinder.exe`, err: ErrRootRelative},
		{name: "path_relative_to_current_directory_is_rejected", in: `2018\January.xlsx`, err: ErrRelativePath},
		{name: "dotdot_relative_path_is_rejected", in: `..\Publications\TravelBrochure.pdf`, err: ErrRelativePath},
		{name: "absolute_path_to_file", in: `C:\Projects\apilibrary\apilibrary.sln`,
			want: canon{Path: `C:\Projects\apilibrary\apilibrary.sln`, Root: "C:", Depth: 3}},
		{name: "drive_relative_path_is_rejected", in: `C:Projects\apilibrary\apilibrary.sln`, err: ErrDriveRelative},
		// Table "UNC paths".
		{name: "unc_share_root", in: `\\system07\C$\`, want: canon{Path: `\\system07\C$\`, Root: `\\system07\C$`}},
		{name: "unc_file", in: `\\Server2\Share\Test\Foo.txt`,
			want: canon{Path: `\\Server2\Share\Test\Foo.txt`, Root: `\\Server2\Share`, Depth: 2}},
		// "DOS device paths".
		{name: "dot_device_path_becomes_drive_path", in: `\\.\C:\Test\Foo.txt`, want: canon{Path: `C:\Test\Foo.txt`, Root: "C:", Depth: 2}},
		{name: "question_device_path_becomes_drive_path", in: `\\?\C:\Test\Foo.txt`, want: canon{Path: `C:\Test\Foo.txt`, Root: "C:", Depth: 2}},
		{name: "volume_guid_dot_path_keeps_volume_root", in: `\\.\` + vol + `\Test\Foo.txt`,
			want: canon{Path: `\\?\` + vol + `\Test\Foo.txt`, Root: `\\?\` + vol, Depth: 2, Notes: NoteDeviceRoot}},
		{name: "volume_guid_question_path_keeps_volume_root", in: `\\?\` + vol + `\Test\Foo.txt`,
			want: canon{Path: `\\?\` + vol + `\Test\Foo.txt`, Root: `\\?\` + vol, Depth: 2, Notes: NoteDeviceRoot}},
		{name: "dot_unc_device_path_becomes_unc", in: `\\.\UNC\Server\Share\Test\Foo.txt`,
			want: canon{Path: `\\Server\Share\Test\Foo.txt`, Root: `\\Server\Share`, Depth: 2}},
		{name: "question_unc_device_path_becomes_unc", in: `\\?\UNC\Server\Share\Test\Foo.txt`,
			want: canon{Path: `\\Server\Share\Test\Foo.txt`, Root: `\\Server\Share`, Depth: 2}},
		// The page's `\\?\server1\e:\utilities\\filecomparer\` names no
		// volume this package can identify.
		{name: "device_path_without_volume_is_rejected", in: `\\?\server1\e:\utilities\\filecomparer\`, err: ErrDevicePath},
		// "Example: Ways to refer to the same file" (file-refs.cs).
		{name: "same_file_dos_path", in: `c:\temp\test-file.txt`, want: canon{Path: `c:\temp\test-file.txt`, Root: "c:", Depth: 2}},
		{name: "same_file_loopback_unc_is_not_mapped_to_drive", in: `\\127.0.0.1\c$\temp\test-file.txt`,
			want: canon{Path: `\\127.0.0.1\c$\temp\test-file.txt`, Root: `\\127.0.0.1\c$`, Depth: 2}},
		{name: "same_file_localhost_unc_is_not_mapped_to_drive", in: `\\LOCALHOST\c$\temp\test-file.txt`,
			want: canon{Path: `\\LOCALHOST\c$\temp\test-file.txt`, Root: `\\LOCALHOST\c$`, Depth: 2}},
		{name: "same_file_dot_device", in: `\\.\c:\temp\test-file.txt`, want: canon{Path: `c:\temp\test-file.txt`, Root: "c:", Depth: 2}},
		{name: "same_file_question_device", in: `\\?\c:\temp\test-file.txt`, want: canon{Path: `c:\temp\test-file.txt`, Root: "c:", Depth: 2}},
		{name: "same_file_dot_unc_device", in: `\\.\UNC\LOCALHOST\c$\temp\test-file.txt`,
			want: canon{Path: `\\LOCALHOST\c$\temp\test-file.txt`, Root: `\\LOCALHOST\c$`, Depth: 2}},
		// "Handle legacy devices" and "Apply the current directory".
		{name: "legacy_device_name_is_relative", in: `CON`, err: ErrRelativePath},
		{name: "legacy_device_with_file_is_relative", in: `COM1.TXT\file1.txt`, err: ErrRelativePath},
		{name: "legacy_device_path_names_no_volume", in: `\\.\CON`, err: ErrDevicePath},
		{name: "drive_relative_sources_is_rejected", in: `D:sources`, err: ErrDriveRelative},
		{name: "root_relative_utilities_is_rejected", in: `\utilities`, err: ErrRootRelative},
		{name: "current_directory_relative_is_rejected", in: `filecompare`, err: ErrRelativePath},
		{name: "drive_alone_is_drive_relative", in: `C:`, err: ErrDriveRelative},
		// "Canonicalize separators".
		{name: "forward_slashes_become_backslashes", in: `C:/Users/Public/x.txt`, want: canon{Path: `C:\Users\Public\x.txt`, Root: "C:", Depth: 3}},
		{name: "mixed_separators", in: `C:\Users/Public\x.txt`, want: canon{Path: `C:\Users\Public\x.txt`, Root: "C:", Depth: 3}},
		{name: "repeated_separators_collapse", in: `C:\\Users\\\Public//x.txt`, want: canon{Path: `C:\Users\Public\x.txt`, Root: "C:", Depth: 3}},
		{name: "forward_slash_unc", in: `//server/share/x`, want: canon{Path: `\\server\share\x`, Root: `\\server\share`, Depth: 1}},
		{name: "trailing_separator_goes", in: `C:\dir\`, want: canon{Path: `C:\dir`, Root: "C:", Depth: 1}},
		{name: "drive_root", in: `C:\`, want: canon{Path: `C:\`, Root: "C:"}},
		{name: "drive_root_with_extra_separator", in: `C:\\`, want: canon{Path: `C:\`, Root: "C:"}},
		// "Evaluate relative components".
		{name: "dot_and_dotdot_segments_are_resolved", in: `C:\a\.\b\..\c`, want: canon{Path: `C:\a\c`, Root: "C:", Depth: 2}},
		{name: "dotdot_never_goes_above_drive_root", in: `C:\..\..\x`, want: canon{Path: `C:\x`, Root: "C:", Depth: 1}},
		{name: "dotdot_never_goes_above_unc_share", in: `\\server\share\..\x`, want: canon{Path: `\\server\share\x`, Root: `\\server\share`, Depth: 1}},
		{name: "file_system_path_dotdot_resolved_too", in: `C:\excluded\..\evil.exe`, want: canon{Path: `C:\evil.exe`, Root: "C:", Depth: 1}},
		// "Trim characters", for typed paths.
		{name: "typed_folder_loses_one_trailing_dot", in: `C:\dir.\file`, src: Typed, want: canon{Path: `C:\dir\file`, Root: "C:", Depth: 2}},
		{name: "typed_last_segment_loses_trailing_dots_and_spaces", in: `C:\a\file.txt. .`, src: Typed,
			want: canon{Path: `C:\a\file.txt`, Root: "C:", Depth: 2}},
		{name: "typed_folder_keeps_trailing_space", in: `C:\dir \file`, src: Typed,
			want: canon{Path: `C:\dir \file`, Root: "C:", Depth: 2, Notes: NoteTrailingDotOrSpace}},
		{name: "typed_trailing_separator_keeps_space", in: `C:\dir \`, src: Typed,
			want: canon{Path: `C:\dir `, Root: "C:", Depth: 1, Notes: NoteTrailingDotOrSpace}},
		{name: "typed_folder_with_two_dots_keeps_one", in: `C:\a\dir..\x`, src: Typed,
			want: canon{Path: `C:\a\dir.\x`, Root: "C:", Depth: 3, Notes: NoteTrailingDotOrSpace}},
		{name: "typed_three_dots_segment_is_doubtful", in: `C:\...\x`, src: Typed,
			want: canon{Path: `C:\...\x`, Root: "C:", Depth: 2, Notes: NoteDots | NoteTrailingDotOrSpace}},
		{name: "file_system_trailing_dot_is_a_real_name", in: `C:\dir\evil.exe.`,
			want: canon{Path: `C:\dir\evil.exe.`, Root: "C:", Depth: 2, Notes: NoteTrailingDotOrSpace}},
		{name: "file_system_trailing_space_is_a_real_name", in: `C:\dir\evil.exe `,
			want: canon{Path: `C:\dir\evil.exe `, Root: "C:", Depth: 2, Notes: NoteTrailingDotOrSpace}},
		{name: "file_system_folder_dot_is_kept", in: `C:\dir.\x`,
			want: canon{Path: `C:\dir.\x`, Root: "C:", Depth: 2, Notes: NoteTrailingDotOrSpace}},
		// "Skip normalization": \\?\ paths are passed on as they are.
		{name: "question_path_is_not_normalised", in: `\\?\C:\a\..\b`,
			want: canon{Path: `C:\a\..\b`, Root: "C:", Depth: 3, Notes: NoteUnnormalized}},
		{name: "question_path_keeps_hidden_trailing_dot_even_when_typed", in: `\\?\C:\hidden.`, src: Typed,
			want: canon{Path: `C:\hidden.`, Root: "C:", Depth: 1, Notes: NoteTrailingDotOrSpace}},
		{name: "question_path_forward_slash_is_not_a_separator", in: `\\?\C:\x/y`,
			want: canon{Path: `C:\x/y`, Root: "C:", Depth: 1, Notes: NoteUnnormalized}},
		{name: "question_path_empty_segment_is_unnormalised", in: `\\?\C:\a\\b`,
			want: canon{Path: `C:\a\\b`, Root: "C:", Depth: 3, Notes: NoteUnnormalized}},
		{name: "question_path_trailing_separator_is_fine", in: `\\?\C:\a\`, want: canon{Path: `C:\a`, Root: "C:", Depth: 1}},
		{name: "nt_prefix_path", in: `\??\C:\Windows\x.exe`, want: canon{Path: `C:\Windows\x.exe`, Root: "C:", Depth: 2}},
		{name: "nt_prefix_unc", in: `\??\UNC\srv\sh\x`, want: canon{Path: `\\srv\sh\x`, Root: `\\srv\sh`, Depth: 1}},
		{name: "forward_slash_question_device_is_normalised", in: `//?/C:/x/../y`, want: canon{Path: `C:\y`, Root: "C:", Depth: 1}},
		{name: "globalroot_device_path", in: `\\?\GLOBALROOT\Device\HarddiskVolume3\Windows\x.exe`,
			want: canon{Path: `\Device\HarddiskVolume3\Windows\x.exe`, Root: `\Device\HarddiskVolume3`, Depth: 2, Notes: NoteDeviceRoot}},
		{name: "nt_device_path_from_file_system", in: `\Device\HarddiskVolume3\Windows\x.exe`,
			want: canon{Path: `\Device\HarddiskVolume3\Windows\x.exe`, Root: `\Device\HarddiskVolume3`, Depth: 2, Notes: NoteDeviceRoot}},
		{name: "nt_device_path_typed_is_root_relative", in: `\Device\HarddiskVolume3\x`, src: Typed, err: ErrRootRelative},
		// Streams.
		{name: "named_stream_belongs_to_the_file", in: `C:\dir\x.txt:payload.exe`,
			want: canon{Path: `C:\dir\x.txt`, Root: "C:", Stream: "payload.exe", Depth: 2, Notes: NoteStream}},
		{name: "named_stream_with_data_type", in: `C:\dir\x.txt:payload.exe:$DATA`,
			want: canon{Path: `C:\dir\x.txt`, Root: "C:", Stream: "payload.exe", Depth: 2, Notes: NoteStream}},
		{name: "default_data_stream_is_the_file", in: `C:\dir\x.txt::$DATA`,
			want: canon{Path: `C:\dir\x.txt`, Root: "C:", Depth: 2, Notes: NoteDefaultStream}},
		{name: "default_data_stream_lower_case", in: `C:\dir\x.txt::$data`,
			want: canon{Path: `C:\dir\x.txt`, Root: "C:", Depth: 2, Notes: NoteDefaultStream}},
		{name: "index_allocation_stream_is_doubtful", in: `C:\dir::$INDEX_ALLOCATION`,
			want: canon{Path: `C:\dir::$INDEX_ALLOCATION`, Root: "C:", Depth: 1, Notes: NoteStreamSyntax}},
		{name: "colon_in_folder_is_doubtful", in: `C:\dir::$INDEX_ALLOCATION\x.exe`,
			want: canon{Path: `C:\dir::$INDEX_ALLOCATION\x.exe`, Root: "C:", Depth: 2, Notes: NoteStreamSyntax}},
		{name: "empty_stream_name_is_doubtful", in: `C:\x.txt:`, want: canon{Path: `C:\x.txt:`, Root: "C:", Depth: 1, Notes: NoteStreamSyntax}},
		{name: "typed_stream_trailing_dot_trimmed", in: `C:\x.txt:s.`, src: Typed,
			want: canon{Path: `C:\x.txt`, Root: "C:", Stream: "s", Depth: 1, Notes: NoteStream}},
		// 8.3 short names.
		{name: "short_name_folder_is_flagged", in: `C:\PROGRA~1\Contoso\x.exe`,
			want: canon{Path: `C:\PROGRA~1\Contoso\x.exe`, Root: "C:", Depth: 3, Notes: NoteShortName}},
		{name: "short_name_file_is_flagged", in: `C:\x\LONGNA~1.EXE`, want: canon{Path: `C:\x\LONGNA~1.EXE`, Root: "C:", Depth: 2, Notes: NoteShortName}},
		{name: "lower_case_typed_short_name_is_flagged", in: `c:\progra~2\x`, src: Typed,
			want: canon{Path: `c:\progra~2\x`, Root: "c:", Depth: 2, Notes: NoteShortName}},
		{name: "tilde_without_digits_is_a_long_name", in: `C:\a~b\x`, want: canon{Path: `C:\a~b\x`, Root: "C:", Depth: 2}},
		{name: "tilde_name_with_space_is_a_long_name", in: `C:\my fi~1\x`, want: canon{Path: `C:\my fi~1\x`, Root: "C:", Depth: 2}},
		{name: "tilde_name_with_long_extension_is_a_long_name", in: `C:\repo~1.docx`, want: canon{Path: `C:\repo~1.docx`, Root: "C:", Depth: 1}},
		// Bad input.
		{name: "empty_path_is_rejected", in: ``, err: ErrEmpty},
		{name: "nul_is_rejected", in: "C:\\a\x00b", err: ErrControlCharacter},
		{name: "tab_is_rejected", in: "C:\\a\tb", err: ErrControlCharacter},
		{name: "newline_is_rejected", in: "C:\\a\nb", err: ErrControlCharacter},
		{name: "asterisk_is_rejected", in: `C:\a*b`, err: ErrInvalidCharacter},
		{name: "question_mark_is_rejected", in: `C:\a?b`, err: ErrInvalidCharacter},
		{name: "pipe_is_rejected", in: `C:\a|b`, err: ErrInvalidCharacter},
		{name: "invalid_utf8_is_rejected", in: "C:\\\xff", err: ErrInvalidEncoding},
		{name: "unc_without_share_is_rejected", in: `\\server`, err: ErrInvalidRoot},
		{name: "unc_with_empty_share_is_rejected", in: `\\server\`, err: ErrInvalidRoot},
		{name: "device_prefix_alone_is_rejected", in: `\\.\`, err: ErrDevicePath},
		{name: "pipe_device_is_rejected", in: `\\.\pipe\x`, err: ErrDevicePath},
		// Case is kept; non-ASCII passes through.
		{name: "non_ascii_names_are_kept", in: `C:\Users\José\Документы\𐐨.txt`,
			want: canon{Path: `C:\Users\José\Документы\𐐨.txt`, Root: "C:", Depth: 4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Canonicalize(tt.in, tt.src)
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err)
				var pe *PathError
				require.ErrorAs(t, err, &pe)
				assert.Equal(t, tt.in, pe.Path)
				return
			}
			require.NoError(t, err)
			if diff := cmp.Diff(tt.want, viewOf(got)); diff != "" {
				t.Errorf("Canonicalize(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
			assert.Equal(t, tt.src, got.Source)
		})
	}
}

func TestCanonicalizeLength(t *testing.T) {
	t.Run("path_of_32767_characters_is_accepted", func(t *testing.T) {
		p := `C:\` + strings.Repeat("a", maxPath-3)
		_, err := Canonicalize(p, FileSystem)
		require.NoError(t, err)
	})
	t.Run("path_of_32768_characters_is_rejected", func(t *testing.T) {
		p := `C:\` + strings.Repeat("a", maxPath-2)
		_, err := Canonicalize(p, FileSystem)
		require.ErrorIs(t, err, ErrTooLong)
	})
	t.Run("length_counts_utf16_code_units", func(t *testing.T) {
		// "é" is two bytes but one code unit: 16,000 of them fit.
		p := `C:\` + strings.Repeat("é", 16000)
		_, err := Canonicalize(p, FileSystem)
		require.NoError(t, err)
		// "𐐨" is four bytes and two code units.
		p = `C:\` + strings.Repeat("𐐨", 16383)
		_, err = Canonicalize(p, FileSystem)
		require.ErrorIs(t, err, ErrTooLong)
	})
}

func TestCanonicalizeDoesNotAllocateForCanonicalInput(t *testing.T) {
	for _, p := range []string{`C:\Users\alice\AppData\Local\Temp\setup\payload.exe`, `C:\x.txt:payload.exe`, `D:\`} {
		allocs := testing.AllocsPerRun(100, func() {
			c, err := Canonicalize(p, FileSystem)
			if err != nil || c.Path == "" {
				panic(p)
			}
		})
		assert.Zero(t, allocs, p)
	}
}

func TestCanonicalString(t *testing.T) {
	c, err := Canonicalize(`C:\dir\x.txt:payload.exe`, FileSystem)
	require.NoError(t, err)
	assert.Equal(t, `C:\dir\x.txt:payload.exe`, c.String())
	assert.Equal(t, "x.txt", c.Name())
	root, err := Canonicalize(`C:\`, FileSystem)
	require.NoError(t, err)
	assert.Equal(t, "", root.Name())
	assert.Equal(t, "FileSystem", FileSystem.String())
	assert.Equal(t, "Typed", Typed.String())
}

// TestCanonicalFastAgreesWithSlow checks the allocation-free paths against
// the general one on generated paths.
func TestCanonicalFastAgreesWithSlow(t *testing.T) {
	r := newGen(1)
	for i := range 40000 {
		p := r.path()
		if i%2 == 1 {
			p = r.asciiPath()
		}
		for _, src := range []Provenance{FileSystem, Typed} {
			var fast Canonical
			var ends segEnds
			if !canonicalFast(&fast, p, src, false, &ends) {
				continue
			}
			slow, err := canonicalSlow(p, src, false)
			require.NoError(t, err, p)
			require.Equal(t, slow, fast, "%q %v", p, src)
			checkEnds(t, &fast, &ends)
		}
	}
}

// checkEnds checks the segment ends recorded for c against splitting its
// path.
func checkEnds(t *testing.T, c *Canonical, ends *segEnds) {
	t.Helper()
	end := c.rootLen
	for d := 0; d < c.nseg; d++ {
		next := strings.IndexByte(c.Path[end+1:], '\\')
		if next < 0 {
			end = len(c.Path)
		} else {
			end += 1 + next
		}
		if d < len(ends) && int(ends[d]) != end {
			t.Fatalf("%q: segment %d ends at %d, recorded %d", c.Path, d, end, ends[d])
		}
	}
	if end != len(c.Path) && c.nseg > 0 {
		t.Fatalf("%q: %d segments end at %d", c.Path, c.nseg, end)
	}
}

// TestSegEnds checks the recorded segment ends on both paths of
// canonicalizeInto, and beyond the ends recorded.
func TestSegEnds(t *testing.T) {
	deep := `C:` + strings.Repeat(`\ab`, maxEnds+3) + `\x.txt`
	for _, p := range []string{
		`C:\`, `C:\a`, `C:\ab\c`, `C:\Users\alice\AppData\Local\Temp\payload.exe`, `C:\x.txt:ads`,
		`C:/a//b/./c/../d`, `\\server\share\dir\x.exe`, `\\?\C:\a\..\b`, `C:\Users\José\x`, deep, deep + `:s`,
		`C:\PROGRA~1\x\y`, `C:\.git\x`, `C:\a.\b`,
	} {
		var c Canonical
		var ends segEnds
		require.NoError(t, canonicalizeInto(&c, p, FileSystem, false, &ends), p)
		checkEnds(t, &c, &ends)
	}
}

// TestSpecial8 checks special8 on every pair of bytes at every pair of
// positions in a word of plain bytes: it flags every byte that is not
// plain, up to the first one of 0x80 or above (where canonicalFast gives
// up), and the lowest byte it flags is the first that is not plain or is
// one of the few plain bytes it may flag.
func TestSpecial8(t *testing.T) {
	extra := func(b byte) bool { return b == '^' || b == ';' || b == '=' }
	for i := range 8 {
		for j := i + 1; j < 8; j++ {
			for b1 := range 256 {
				for b2 := range 256 {
					w := [8]byte{'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'}
					w[i], w[j] = byte(b1), byte(b2)
					x := uint64(0)
					for k := 7; k >= 0; k-- {
						x = x<<8 | uint64(w[k])
					}
					m := special8(x)
					for k := range 8 {
						if fastClass[w[k]] != clsPlain && m&(0x80<<(8*k)) == 0 {
							t.Fatalf("%q: byte %d not flagged", w, k)
						}
						if w[k] >= 0x80 {
							break
						}
					}
					first := 8
					for k := range 8 {
						if fastClass[w[k]] != clsPlain || extra(w[k]) {
							first = k
							break
						}
					}
					if got := bits.TrailingZeros64(m) >> 3; got != first {
						t.Fatalf("%q: lowest flag at %d, want %d", w, got, first)
					}
				}
			}
		}
	}
}

func TestPathErrorMessage(t *testing.T) {
	_, err := Canonicalize(`x\y`, Typed)
	require.EqualError(t, err, `exclusions: relative path: "x\\y"`)
	assert.True(t, errors.Is(err, ErrRelativePath))
}
