// Package exclusions decides whether Microsoft Defender Antivirus would
// leave a file alone because of its antivirus exclusions, which EDR in block
// mode honours: an excluded artifact is not remediated.
//
// # What it owns
//
//   - The three exclusion lists as Get-MpPreference reports them
//     (ExclusionPath, ExclusionExtension, ExclusionProcess; see [List]),
//     with their wildcards (* and ?), system environment variables as the
//     antivirus service (LocalSystem) sees them, and contextual exclusions
//     ("PATH\:{PathType:file,ScanTrigger:OnAccess,Process:"..."}").
//   - Windows path canonicalisation ([Canonicalize]): drive, UNC and DOS
//     device paths, separators, "." and "..", trailing dots and spaces,
//     alternate data streams, 8.3 short names, with the provenance of the
//     path (typed by a person, or reported by the file system).
//   - A compiled [Matcher] ([Compile]) that answers "excluded? by which
//     rule? which canonical path was compared? what was left open?" in a
//     few hundred nanoseconds without allocating, for lists of any size.
//   - [Lint]: the risky exclusions listed in "Common mistakes to avoid when
//     defining exclusions".
//
// It does not read the lists from a device (the mode package parses
// Get-MpPreference output), decide whether to remediate (the remediate
// package), or handle EDR indicators (custom allow indicators are not
// honoured by block mode). It does not know the automatic exclusions of
// Windows Server roles (Get-MpPreference does not show them), how local and
// Group Policy lists are merged, reparse points, mapped drives, or the
// Linux and macOS exclusion formats.
//
// # The rules, and the safe reading
//
// The rules come from Microsoft's pages "Configure custom exclusions based
// on file extension and folder location", "Configure exclusions for files
// opened by processes", "Configure contextual file and folder exclusions"
// and "File path formats on Windows systems". Where a page is silent or
// ambiguous, this package takes the reading under which fewer files are
// excluded, because a wrong "excluded" leaves malware in place: the answer
// is "not excluded", and [Result].Notes says why. In particular:
//
//   - An ExclusionPath entry whose last segment has no wildcard is a file,
//     or a folder with everything below it. A last segment with a wildcard
//     is a file-name part: it matches names in the last folder named and
//     nothing below them ("C:\Temp\*" covers C:\Temp\x.exe, not
//     C:\Temp\sub\x.exe). A "*" folder segment is exactly one folder level.
//   - An ExclusionProcess entry given by full path matches that image path
//     exactly (wildcards allowed); it does not cover processes in folders
//     below it. Process exclusions apply to on-access scans only, so they
//     stop a remediation only if [Options].RemediationTrigger says it is
//     one (the documentation does not say).
//   - Contextual restrictions must all hold; a restriction that depends on
//     the scan type, the scan trigger or the opening process holds only if
//     [Options] says the remediation has that type or trigger. Contextual
//     entries load only on platform 4.18.2205.7 and engine 1.1.19300.2 or
//     later, given in [Options]; otherwise they are reported, not guessed.
//   - Names compare the way NTFS compares them: character by character,
//     with a simple one-to-one upper-case mapping (no locale rules, no full
//     case folding: "ß" is not "SS"), and conservatively, since the $UpCase
//     table of a volume depends on the Windows release that formatted it. A
//     character is mapped only if unicode.ToUpper maps it and
//     unicode.ToLower maps the result back, and both lie in blocks whose
//     case pairs every such table has (Latin, IPA, Greek, Cyrillic,
//     Armenian, Latin and Greek extended, Roman numerals, circled and
//     full-width letters). So "ı" is not "I", "ſ" is not "S" (Windows does
//     not map them to ASCII), "İ" is not "I", "µ" is not "Μ", "ς" is not
//     "Σ", and characters outside the Basic Multilingual Plane are
//     compared exactly (NTFS maps UTF-16 code units, not surrogate pairs).
//   - A path that may hold an 8.3 short name, a name that really ends in a
//     dot or space, a \\?\ path with "." or ".." segments, or a colon
//     outside a plain stream suffix is never excluded by a rule that would
//     have to compare the doubtful part.
//   - Entries Microsoft does not document a meaning for (a multi-part
//     extension such as ".ko.gz", a segment ending in a dot or space, a
//     "." or ".." segment, a user environment variable, more than six
//     wildcards counting each %VARIABLE%) are reported by [Compile] and
//     not loaded; the other entries still load.
//
// # Concurrency
//
// A [Matcher] is immutable and safe for concurrent use. [Compile],
// [Canonicalize] and [Lint] are pure functions.
package exclusions
