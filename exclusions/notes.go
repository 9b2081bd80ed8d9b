package exclusions

import (
	"encoding/json"
	"strings"
)

// Notes is a set of flags that say why an answer is what it is: what the
// canonical form of a path had to leave open, and which rules matched the
// path but could not be shown to apply. A note never turns "not excluded"
// into "excluded"; most of them explain a "not excluded".
type Notes uint32

// The notes. Their String names are given in parentheses.
const (
	// NoteShortName (short-name): a segment may be an 8.3 short name
	// ("PROGRA~1"). Short names cannot be resolved without the disk, so no
	// rule that would have to compare that segment (or anything below it) was
	// applied. A host can supply a [ShortNameResolver].
	NoteShortName Notes = 1 << iota
	// NoteShortNameResolved (short-name-resolved): the path held possible
	// short names and the host's [ShortNameResolver] expanded them; the
	// long form was compared.
	NoteShortNameResolved
	// NoteTrailingDotOrSpace (trailing-dot-or-space): a segment really ends
	// in a dot or a space (a name reported by the file system, or created
	// through \\?\). No exclusion entry has such a segment, and no rule that
	// would have to compare it was applied.
	NoteTrailingDotOrSpace
	// NoteUnnormalized (unnormalized): a \\?\ or \??\ path holds ".", "..",
	// "/" or an empty segment. Windows passes such a path on without
	// normalising it, so it does not name the file a reader would assume; it
	// was compared literally and no rule below the root was applied.
	NoteUnnormalized
	// NoteDots (dots): a typed path holds a segment made only of dots and
	// spaces ("...", ". ."), whose Win32 normalisation is not documented
	// consistently; no rule below the root was applied.
	NoteDots
	// NoteStream (stream): the path names an alternate data stream; the
	// stream belongs to the file, so the file's path and name were matched
	// and the stream is in [Canonical].Stream.
	NoteStream
	// NoteDefaultStream (default-stream): the path ended in "::$DATA", the
	// file's own (unnamed) data stream, which was removed.
	NoteDefaultStream
	// NoteStreamSyntax (stream-syntax): a colon in a folder name, or a
	// stream type other than $DATA ("::$INDEX_ALLOCATION"): the path does not
	// plainly name a file; no rule below the root was applied.
	NoteStreamSyntax
	// NoteDeviceRoot (device-root): the path is on a volume named by its GUID
	// (\\?\Volume{...}) or its NT device (\Device\HarddiskVolume3), which is
	// not mapped to a drive letter here; rules written for drive letters do
	// not match it. Extension rules still apply.
	NoteDeviceRoot
	// NoteRestricted (restricted): a contextual exclusion matched the path,
	// but one of its restrictions (path type, scan type, scan trigger,
	// process) could not be shown to hold for the remediation; see
	// [Result].Unapplied.
	NoteRestricted
	// NoteProcessNotOnAccess (process-not-on-access): an ExclusionProcess
	// entry matched the opening process, but process exclusions apply only to
	// on-access (real-time) scans and [Options].RemediationTrigger does not
	// say the remediation is one; see [Result].Unapplied.
	NoteProcessNotOnAccess
	// NoteProcessUnknown (process-unknown): a rule depends on the process
	// that opened the file, and none was given or its image path could not be
	// used (see [Result].Process and [Result].Err).
	NoteProcessUnknown
	// NotePartialList (partial-list): some entries of the list could not be
	// loaded (see the [*CompileError] from [Compile]); the antivirus may read
	// them differently, so "not excluded" is relative to the loaded rules.
	NotePartialList

	noteEnd
)

var noteNames = [...]string{
	"short-name",
	"short-name-resolved",
	"trailing-dot-or-space",
	"unnormalized",
	"dots",
	"stream",
	"default-stream",
	"stream-syntax",
	"device-root",
	"restricted",
	"process-not-on-access",
	"process-unknown",
	"partial-list",
}

// blockingNotes are the notes that forbid every rule below the root.
const blockingNotes = NoteUnnormalized | NoteDots | NoteStreamSyntax

// Has reports whether every note in x is in n.
func (n Notes) Has(x Notes) bool { return n&x == x }

// Names returns the names of the notes in n, in the order of the constants.
func (n Notes) Names() []string {
	var names []string
	for i, name := range noteNames {
		if n&(1<<i) != 0 {
			names = append(names, name)
		}
	}
	return names
}

// String returns the names of the notes joined by commas ("short-name,stream"),
// or "" for no notes.
func (n Notes) String() string { return strings.Join(n.Names(), ",") }

// MarshalJSON encodes the notes as an array of their names.
func (n Notes) MarshalJSON() ([]byte, error) {
	names := n.Names()
	if names == nil {
		names = []string{}
	}
	return json.Marshal(names)
}
