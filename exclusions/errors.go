package exclusions

import (
	"errors"
	"strconv"
	"strings"
)

// Sentinel errors for paths that cannot be put in canonical form. They are
// returned wrapped in a [*PathError] by [Canonicalize], and wrapped in an
// [*EntryError] when an exclusion entry has the same fault.
var (
	// ErrEmpty: the path or entry is empty.
	ErrEmpty = errors.New("exclusions: empty path")
	// ErrControlCharacter: the path holds NUL or another control character
	// (U+0000 to U+001F), which no Windows file name may contain.
	ErrControlCharacter = errors.New("exclusions: NUL or control character in path")
	// ErrInvalidCharacter: the path holds one of < > " | ? * where a file
	// name is expected (wildcards are only meaningful in exclusion entries).
	ErrInvalidCharacter = errors.New("exclusions: character not allowed in a Windows file name")
	// ErrInvalidEncoding: the path is not valid UTF-8.
	ErrInvalidEncoding = errors.New("exclusions: path is not valid UTF-8")
	// ErrRelativePath: the path is relative to the current directory
	// ("2018\January.xlsx", "..\x"); only absolute paths are matched.
	ErrRelativePath = errors.New("exclusions: relative path")
	// ErrDriveRelative: the path names a drive but not its root
	// ("C:Projects\x"), so it depends on that drive's current directory.
	ErrDriveRelative = errors.New("exclusions: drive-relative path")
	// ErrRootRelative: the path starts with one separator ("\Program
	// Files\x"), so it depends on the current drive.
	ErrRootRelative = errors.New("exclusions: path relative to the root of the current drive")
	// ErrTooLong: the path is longer than 32,767 UTF-16 code units, the
	// longest path Windows can handle.
	ErrTooLong = errors.New("exclusions: path longer than 32,767 characters")
	// ErrDevicePath: a DOS device path (\\.\, \\?\, \??\) that names no
	// drive letter, UNC share, volume GUID or \Device\ volume, for example
	// \\.\PhysicalDrive0 or \\.\pipe\x.
	ErrDevicePath = errors.New("exclusions: device path that names no file-system volume")
	// ErrInvalidRoot: a UNC path without both a server and a share name.
	ErrInvalidRoot = errors.New("exclusions: UNC path without server and share")
)

// Sentinel errors for exclusion entries that [Compile] cannot load. They
// are returned wrapped in an [*EntryError] inside a [*CompileError].
var (
	// ErrWildcardDrive: a wildcard stands for the drive letter (or for the
	// server or share of a UNC path). The documentation forbids it.
	ErrWildcardDrive = errors.New("exclusions: wildcard in place of the drive letter")
	// ErrTooManyWildcards: more than six wildcards in one entry. Each * and
	// ? counts, and so does each %VARIABLE%, which the documentation lists
	// among the wildcards.
	ErrTooManyWildcards = errors.New("exclusions: more than six wildcards in one entry")
	// ErrWildcardInImageName: an ExclusionProcess entry that is an image
	// name alone (no folder) holds a wildcard, which is not allowed.
	ErrWildcardInImageName = errors.New("exclusions: wildcard in a process image name")
	// ErrUnknownVariable: the entry uses an environment variable that is not
	// in the system (LocalSystem) environment; it is not expanded and the
	// entry is not loaded.
	ErrUnknownVariable = errors.New("exclusions: environment variable not in the system environment")
	// ErrDotSegment: the entry holds a "." or ".." segment, whose meaning to
	// the antivirus is not documented.
	ErrDotSegment = errors.New("exclusions: . or .. segment in an entry")
	// ErrTrailingDotOrSpace: a segment of the entry ends in a dot or a space.
	// Win32 would strip it from a typed path, while a file can really have
	// such a name; which reading the antivirus takes is not documented.
	ErrTrailingDotOrSpace = errors.New("exclusions: entry segment ends in a dot or space")
	// ErrInvalidExtension: an ExclusionExtension entry holds a separator, a
	// colon, or a dot after its leading dot (".ko.gz": how a multi-part
	// extension is matched on Windows is not documented).
	ErrInvalidExtension = errors.New("exclusions: invalid file extension")
	// ErrContextSyntax: the contextual part of an entry (\:{...}) does not
	// follow the documented syntax; types and values are case-sensitive.
	ErrContextSyntax = errors.New("exclusions: invalid contextual exclusion syntax")
	// ErrContextUnsupported: the entry is a contextual exclusion but the
	// platform is older than 4.18.2205.7 or the engine older than
	// 1.1.19300.2, or their versions were not given in [Options].
	ErrContextUnsupported = errors.New("exclusions: contextual exclusion needs platform 4.18.2205.7 and engine 1.1.19300.2")
	// ErrInvalidOptions: the [Options] themselves are unusable (for example
	// an environment variable whose value holds a wildcard).
	ErrInvalidOptions = errors.New("exclusions: invalid options")
)

// PathError records a path that could not be put in canonical form.
type PathError struct {
	Path string // the path as given
	Err  error  // one of the sentinel errors above, possibly wrapped
}

// Error returns "exclusions: <reason>: <path>".
func (e *PathError) Error() string {
	return e.Err.Error() + ": " + strconv.Quote(e.Path)
}

// Unwrap returns the underlying sentinel error.
func (e *PathError) Unwrap() error { return e.Err }

// EntryError records one exclusion entry that could not be loaded.
type EntryError struct {
	Kind  Kind   // the list the entry is in
	Index int    // its position in that list, from 0
	Text  string // the entry as listed
	Err   error  // why; wraps one of the sentinel errors
}

// Error returns a one-line description naming the list, the position, the
// entry and the reason.
func (e *EntryError) Error() string {
	return e.Kind.String() + "[" + strconv.Itoa(e.Index) + "] " + strconv.Quote(e.Text) + ": " + e.Err.Error()
}

// Unwrap returns the reason.
func (e *EntryError) Unwrap() error { return e.Err }

// CompileError lists every entry [Compile] could not load. Unless
// [Options].Strict is set, Compile returns it together with a Matcher that
// holds all the other entries.
type CompileError struct {
	Entries []*EntryError
}

// Error lists the bad entries, one per line after the first.
func (e *CompileError) Error() string {
	var b strings.Builder
	b.WriteString("exclusions: ")
	b.WriteString(strconv.Itoa(len(e.Entries)))
	if len(e.Entries) == 1 {
		b.WriteString(" entry not loaded")
	} else {
		b.WriteString(" entries not loaded")
	}
	for _, ee := range e.Entries {
		b.WriteString("\n\t")
		b.WriteString(ee.Error())
	}
	return b.String()
}

// Unwrap returns the entry errors, so that errors.Is and errors.As see every
// reason (errors.Is(err, ErrWildcardDrive) reports whether any entry had a
// wildcard drive).
func (e *CompileError) Unwrap() []error {
	errs := make([]error, len(e.Entries))
	for i, ee := range e.Entries {
		errs[i] = ee
	}
	return errs
}
