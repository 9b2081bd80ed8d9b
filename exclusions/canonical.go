package exclusions

import (
	"math/bits"
	"strings"
	"unicode/utf8"
)

// Provenance says where a path comes from, because Windows treats the two
// kinds differently: when it opens a path a person typed, Win32 first
// normalises it (and strips trailing dots and spaces), while a name reported
// by the file system is the real name, which may end in a dot or a space if
// the file was created through \\?\.
type Provenance uint8

const (
	// FileSystem marks a path reported by the file system or by a
	// detection's evidence: its names are taken as they are. It is the zero
	// value and the default for evidence.
	FileSystem Provenance = iota
	// Typed marks a path a person typed: Win32 normalisation applies, as it
	// does when such a path is opened (see [Canonicalize]).
	Typed
)

// String returns "FileSystem" or "Typed".
func (p Provenance) String() string {
	switch p {
	case FileSystem:
		return "FileSystem"
	case Typed:
		return "Typed"
	}
	return "Provenance(" + itoa(int(p)) + ")"
}

// MarshalText implements encoding.TextMarshaler.
func (p Provenance) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// maxPath is the longest path Windows handles, in UTF-16 code units.
const maxPath = 32767

// Canonical is a path in the one form the [Matcher] compares: an absolute
// path with a drive ("C:"), UNC ("\\server\share"), volume GUID
// ("\\?\Volume{...}") or NT device ("\Device\HarddiskVolume3") root,
// backslashes only, no empty, "." or ".." segments (except in a \\?\ path,
// see [NoteUnnormalized]), no trailing separator, and no stream suffix. Case
// is kept as given; comparisons ignore it the way NTFS does.
//
// The zero Canonical is not a path. Canonical values are produced by
// [Canonicalize] and by the [Matcher]; they are plain values, safe to copy.
type Canonical struct {
	// Path is the canonical path of the file, without any stream, for
	// example `C:\Users\Public\x.txt` or `\\server\share\dir`. A root alone
	// ends in a backslash (`C:\`).
	Path string `json:"path"`
	// Stream is the name of the alternate data stream the original path
	// named (`x.txt:payload.exe` gives "payload.exe"), or "" for the file's
	// own data.
	Stream string `json:"stream,omitempty"`
	// Source is the provenance the path was canonicalised under.
	Source Provenance `json:"source"`
	// Notes says what the canonical form leaves open (short names, trailing
	// dots or spaces, unnormalised \\?\ segments, streams, device roots).
	Notes Notes `json:"notes,omitempty"`

	rootLen int // len(Root())
	nseg    int // number of segments below the root
	doubt   int // rules may use segments [0, doubt) only; doubt <= nseg
}

// Root returns the root of the path: "C:", `\\server\share`,
// `\\?\Volume{...}` or `\Device\Name`.
func (c Canonical) Root() string { return c.Path[:c.rootLen] }

// Name returns the last segment of the path (the file name), or "" for a
// root.
func (c Canonical) Name() string {
	if c.nseg == 0 {
		return ""
	}
	return c.Path[strings.LastIndexByte(c.Path, '\\')+1:]
}

// Depth returns the number of segments below the root.
func (c Canonical) Depth() int { return c.nseg }

// String returns the path, followed by ":" and the stream name if there is
// a stream.
func (c Canonical) String() string {
	if c.Stream == "" {
		return c.Path
	}
	return c.Path + ":" + c.Stream
}

// Canonicalize puts path in canonical form, following Microsoft's "File
// path formats on Windows systems":
//
//   - Accepted roots: "C:\", "\\server\share\", the DOS device forms
//     "\\.\C:\", "\\?\C:\", "\??\C:\", "\\?\UNC\server\share\" (all turned
//     into the plain forms), "\\?\Volume{GUID}\" and
//     "\\?\GLOBALROOT\Device\Name\" (kept, see [NoteDeviceRoot]), and, for
//     [FileSystem] paths only, the NT form "\Device\Name\".
//   - Normalised paths (all but \\?\ and \??\): "/" becomes "\", runs of
//     separators collapse, "." segments go and ".." removes the segment
//     before it, never going above the root. For [Typed] paths, as Win32
//     does, a folder segment loses one trailing dot and the last segment
//     loses all trailing dots and spaces; a segment made only of dots and
//     spaces (other than "." and "..") is not documented consistently and
//     is flagged [NoteDots]. [FileSystem] names are never trimmed: a
//     segment that really ends in a dot or space is flagged
//     [NoteTrailingDotOrSpace].
//   - "\\?\" and "\??\" paths are not normalised by Windows; a ".", "..",
//     "/" or empty segment in one is kept as is and flagged
//     [NoteUnnormalized].
//   - A final "name:stream", "name:stream:$DATA" or "name::$DATA" names a
//     data stream of the file "name": the stream goes to
//     [Canonical].Stream. Any other colon below the root is flagged
//     [NoteStreamSyntax].
//   - A segment shaped like an 8.3 short name is flagged [NoteShortName].
//
// It returns a [*PathError] wrapping [ErrEmpty], [ErrControlCharacter],
// [ErrInvalidCharacter], [ErrInvalidEncoding], [ErrRelativePath],
// [ErrDriveRelative], [ErrRootRelative], [ErrTooLong], [ErrDevicePath] or
// [ErrInvalidRoot].
//
// Canonicalize does not allocate when path is already canonical and
// ASCII.
func Canonicalize(path string, src Provenance) (Canonical, error) {
	var c Canonical
	err := canonicalizeInto(&c, path, src, false, nil)
	return c, err
}

// canonicalize is Canonicalize; with longNames set, segments shaped like
// short names are taken as long names (the host resolved them).
func canonicalize(s string, src Provenance, longNames bool) (Canonical, error) {
	var c Canonical
	err := canonicalizeInto(&c, s, src, longNames, nil)
	return c, err
}

// canonicalizeInto is canonicalize writing into *c (zero on error), which
// saves copying the result on the hot path. If ends is not nil, it also
// records the segment ends of c there.
func canonicalizeInto(c *Canonical, s string, src Provenance, longNames bool, ends *segEnds) error {
	if canonicalFast(c, s, src, longNames, ends) {
		return nil
	}
	return canonicalSlowInto(c, s, src, longNames, ends)
}

// canonicalSlowInto is canonicalizeInto for a path canonicalFast did not
// take.
func canonicalSlowInto(c *Canonical, s string, src Provenance, longNames bool, ends *segEnds) error {
	slow, err := canonicalSlow(s, src, longNames)
	if err != nil {
		*c = Canonical{}
		return &PathError{Path: s, Err: err}
	}
	*c = slow
	if ends != nil {
		ends.scan(c)
	}
	return nil
}

func isSep(b byte) bool { return b == '\\' || b == '/' }

func isLetter(b byte) bool { return 'A' <= b&^0x20 && b&^0x20 <= 'Z' }

// dotty reports whether a segment ends in a dot or a space.
func dotty(seg string) bool {
	if seg == "" {
		return false
	}
	last := seg[len(seg)-1]
	return last == '.' || last == ' '
}

// mayBeShortName reports whether name is shaped like an 8.3 alias that
// Windows generates: at most one dot, a base of at most eight characters
// ending in "~" and digits, an extension of at most three characters, and
// none of the characters short names cannot hold.
func mayBeShortName(name string) bool {
	if len(name) > 4*12 {
		return false
	}
	tilde := strings.LastIndexByte(name, '~')
	if tilde < 0 {
		return false
	}
	base, ext := name, ""
	if dot := strings.IndexByte(name, '.'); dot >= 0 {
		base, ext = name[:dot], name[dot+1:]
		if strings.IndexByte(ext, '.') >= 0 || utf8.RuneCountInString(ext) > 3 {
			return false
		}
	}
	if tilde >= len(base) || utf8.RuneCountInString(base) > 8 {
		return false
	}
	digits := base[tilde+1:]
	if digits == "" {
		return false
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return false
		}
	}
	return !strings.ContainsAny(name, " +,;=[]")
}

// segmentDoubt reports what a segment leaves open.
func segmentDoubt(seg string, longNames bool) Notes {
	var n Notes
	if dotty(seg) && seg != "." && seg != ".." {
		n |= NoteTrailingDotOrSpace
	}
	if !longNames && mayBeShortName(seg) {
		n |= NoteShortName
	}
	return n
}

// Byte classes for canonicalFast.
const (
	clsPlain = iota
	clsSep   // '\'
	clsColon // ':'
	clsTilde // '~': the segment may be a short name
	clsOther // anything the fast path leaves to canonicalSlow
)

// fastClass is a read-only table of byte classes.
var fastClass = func() (t [256]uint8) {
	for b := range 256 {
		switch {
		case b == '\\':
			t[b] = clsSep
		case b == ':':
			t[b] = clsColon
		case b == '~':
			t[b] = clsTilde
		case b < 0x20 || b >= utf8.RuneSelf || strings.IndexByte(`/<>"|?*`, byte(b)) >= 0:
			t[b] = clsOther
		}
	}
	return t
}()

// Bits of canonicalFast's edges: a name that starts with a dot (or, for a
// typed path, a space), ends in a dot or a space, or holds a '~'.
const (
	edgeDot   = 1
	edgeSpace = 2
	edgeTilde = 4
)

// edgeClass gives the edge bit of the first or last byte of a name.
var edgeClass = [256]uint8{'.': edgeDot, ' ': edgeSpace}

// canonicalFast handles the common case without allocating: an ASCII path
// "X:\\a\\b\\c" that is already canonical, optionally followed by a stream. It
// reports false whenever anything needs more care, and canonicalSlow then
// gives the same answer as this function would have.
//
// It writes into *out only when it succeeds. If ends is not nil, it also
// records there where the segments of out.Path end (see [segEnds]).
func canonicalFast(out *Canonical, s string, src Provenance, longNames bool, ends *segEnds) bool {
	if len(s) < 3 || len(s) > maxPath || !isLetter(s[0]) || s[1] != ':' || s[2] != '\\' {
		return false
	}
	if len(s) == 3 {
		*out = Canonical{Path: s, Source: src, rootLen: 2}
		return true
	}
	first := uint8(edgeDot) // the edge bits that count at the start of a name
	if src == Typed {
		first |= edgeSpace
	}
	var edges uint8
	start, colon, seg := 3, -1, 0
	// Eight bytes at a time: special8 flags every byte that is not plain
	// (and a few that are), and only those are looked at, in order. The
	// loop makes no call, so that its variables stay in registers; the
	// folder names are checked after it if edges says one needs a closer
	// look.
	for i := 3; i < len(s); i += 8 {
		var m uint64
		switch {
		case i+8 <= len(s):
			m = special8(load8(s, i))
		case len(s) >= 8:
			// The last bytes: read the last eight, and drop the flags of
			// those already looked at (which, being looked at, are ASCII
			// and not control characters: a borrow from them can only
			// flag more bytes above).
			k := len(s) - 8
			m = special8(load8(s, k)) &^ (1<<(8*uint(i-k)) - 1)
			i = k
		default:
			m = special8(tail8(s, i)) & (1<<(8*uint(len(s)-i)) - 1)
		}
		for ; m != 0; m &= m - 1 {
			p := i + bits.TrailingZeros64(m)>>3
			switch fastClass[s[p]] {
			case clsPlain: // one of the few plain bytes special8 flags
			case clsSep:
				if p == start {
					return false // an empty name
				}
				edges |= edgeClass[s[start]]&first | edgeClass[s[p-1]]
				if ends != nil && seg < len(ends) {
					ends[seg] = int32(p)
				}
				seg++
				start = p + 1
			case clsColon:
				if colon < 0 {
					colon = p
				}
			case clsTilde:
				edges |= edgeTilde
			default:
				return false
			}
		}
	}
	if colon >= 0 && colon < start {
		return false // a colon in a folder name
	}
	if src == Typed && dotty(s) { // Win32 would trim the end of the path
		return false
	}
	var notes Notes
	doubt := -1
	tilde := edges&edgeTilde != 0 // fastSegment looks for short names only then
	if edges != 0 {
		// Check every folder name (those without edge bits pass).
		d, pos := 0, 3
		for end := pos; end < start; end++ {
			if s[end] != '\\' {
				continue
			}
			n, ok := fastSegment(s[pos:end], false, tilde, src, longNames)
			if !ok {
				return false
			}
			if n != 0 {
				notes |= n
				if doubt < 0 {
					doubt = d
				}
			}
			d++
			pos = end + 1
		}
	}
	stop := len(s)
	var stream string
	if colon >= 0 {
		name, ok := splitStream(s[colon+1:])
		if !ok {
			return false
		}
		if name == "" {
			notes |= NoteDefaultStream
		} else {
			notes |= NoteStream
		}
		stream = name
		stop = colon
	}
	n, ok := fastSegment(s[start:stop], true, tilde, src, longNames)
	if !ok {
		return false
	}
	if n != 0 {
		notes |= n
		if doubt < 0 {
			doubt = seg
		}
	}
	if ends != nil && seg < len(ends) {
		ends[seg] = int32(stop)
	}
	seg++
	if doubt < 0 {
		doubt = seg
	}
	// Every field, one by one: copying a composite literal built on the
	// stack would read back, in wide loads, words just written in narrow
	// stores, which stalls.
	out.Path, out.Stream, out.Source, out.Notes = s[:stop], stream, src, notes
	out.rootLen, out.nseg, out.doubt = 2, seg, doubt
	return true
}

// fastSegment checks one segment for canonicalFast and returns its notes.
// tilde says the segment may hold a '~'.
func fastSegment(seg string, last, tilde bool, src Provenance, longNames bool) (Notes, bool) {
	if seg == "" {
		return 0, false
	}
	first, end := seg[0], seg[len(seg)-1]
	if first == '.' && (len(seg) == 1 || len(seg) == 2 && end == '.') {
		return 0, false // "." or ".."
	}
	if src == Typed && (!last && end == '.' || (first == '.' || first == ' ') && onlyDotsAndSpaces(seg)) {
		return 0, false // Win32 removes a trailing dot from a folder name
	}
	var n Notes
	if end == '.' || end == ' ' {
		n |= NoteTrailingDotOrSpace
	}
	if tilde && !longNames && mayBeShortName(seg) {
		n |= NoteShortName
	}
	return n, true
}

// special8 flags, in their high bits, the bytes of x (eight bytes of a
// path, the first in the low byte) that canonicalFast must look at: every
// byte whose fastClass is not clsPlain, and also '^', ';' and '='. Each
// test below flags every byte it looks for; a borrow or carry running
// upwards can make it flag a plain byte above one it rightly flags, or
// miss one above a byte >= 0x80, which canonicalFast rejects first.
func special8(x uint64) uint64 {
	m := x | (x - 0x20*ones8) // bytes >= 0x80 or < 0x20
	t := (x ^ 0x5c*ones8) &^ (0x22 * ones8)
	m |= (t - ones8) &^ t                           // '\', '^', '|', '~'
	m |= (x + (0x80-':')*ones8) &^ (x + 0x40*ones8) // ':' to '?'
	t = (x | 0x08*ones8) ^ 0x2a*ones8
	m |= (t - ones8) &^ t // '"', '*'
	t = x ^ '/'*ones8
	m |= (t - ones8) &^ t
	return m & high8
}

// tail8 returns the bytes of s from i on, for s shorter than eight bytes,
// in the low bytes of a word whose other bytes are zero.
func tail8(s string, i int) uint64 {
	var x uint64
	for k := len(s) - 1; k >= i; k-- {
		x = x<<8 | uint64(s[k])
	}
	return x
}

// maxEnds is the number of segments whose ends a segEnds records.
const maxEnds = 16

// segEnds holds, for the first maxEnds segments of a canonical path, the
// index in Path where each ends (its separator, or len(Path) for the last
// one), so that the matcher need not search the path again. Entries from
// Canonical.nseg on are meaningless.
type segEnds [maxEnds]int32

// scan records the segment ends of c.
func (e *segEnds) scan(c *Canonical) {
	pos := c.rootLen + 1
	for d := 0; d < c.nseg && d < len(e); d++ {
		end := nextSeg(c.Path, pos)
		e[d] = int32(end)
		pos = end + 1
	}
}

// splitStream parses what follows the first colon of the last segment:
// "stream", "stream:$DATA" or ":$DATA". It returns the stream name ("" for
// the default stream) and reports whether the form is one of those.
func splitStream(rest string) (name string, ok bool) {
	name = rest
	if i := strings.IndexByte(rest, ':'); i >= 0 {
		name = rest[:i]
		if !equalFold(rest[i+1:], "$DATA") {
			return "", false
		}
	} else if name == "" {
		return "", false
	}
	return name, true
}

func onlyDotsAndSpaces(seg string) bool {
	if seg == "." || seg == ".." {
		return false
	}
	for i := 0; i < len(seg); i++ {
		if seg[i] != '.' && seg[i] != ' ' {
			return false
		}
	}
	return seg != ""
}

// utf16Len returns the number of UTF-16 code units s needs.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if r > 0xFFFF {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// checkText rejects invalid UTF-8, control characters and paths that are
// too long.
func checkText(s string) error {
	if s == "" {
		return ErrEmpty
	}
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			if b < 0x20 {
				return ErrControlCharacter
			}
			i++
			continue
		}
		r, w := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && w == 1 {
			return ErrInvalidEncoding
		}
		i += w
	}
	if len(s) > maxPath && utf16Len(s) > maxPath {
		return ErrTooLong
	}
	return nil
}

// rootKind tells how a path is rooted.
type rootInfo struct {
	root  string // canonical root
	rest  string // what follows the root and its separator
	raw   bool   // not normalised by Windows (\\?\, \??\, NT paths)
	notes Notes
}

// splitRoot identifies the kind of path and its root.
func splitRoot(s string, src Provenance) (rootInfo, error) {
	switch {
	case strings.HasPrefix(s, `\\?\`) || strings.HasPrefix(s, `\??\`):
		return deviceRoot(s[4:], true)
	case len(s) >= 3 && isSep(s[0]) && isSep(s[1]) && (s[2] == '?' || s[2] == '.') && (len(s) == 3 || isSep(s[3])):
		if len(s) <= 4 {
			return rootInfo{}, ErrDevicePath
		}
		return deviceRoot(s[4:], false)
	case len(s) >= 2 && isSep(s[0]) && isSep(s[1]):
		return uncRoot(s[2:], false)
	case len(s) >= 2 && isLetter(s[0]) && s[1] == ':':
		if len(s) == 2 || !isSep(s[2]) {
			return rootInfo{}, ErrDriveRelative
		}
		return rootInfo{root: s[:2], rest: s[3:]}, nil
	case isSep(s[0]):
		if src == FileSystem && len(s) > 8 && s[0] == '\\' && equalFold(s[1:8], `Device\`) {
			name, rest, _ := strings.Cut(s[8:], `\`)
			if !deviceName(name) {
				return rootInfo{}, ErrDevicePath
			}
			return rootInfo{root: `\Device\` + name, rest: rest, raw: true, notes: NoteDeviceRoot}, nil
		}
		return rootInfo{}, ErrRootRelative
	}
	return rootInfo{}, ErrRelativePath
}

// cutSep splits s at its first separator (only "\" when raw).
func cutSep(s string, raw bool) (before, after string, found bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' || !raw && s[i] == '/' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// deviceRoot parses what follows \\?\, \\.\ or \??\.
func deviceRoot(s string, raw bool) (rootInfo, error) {
	comp, rest, _ := cutSep(s, raw)
	switch {
	case len(comp) == 2 && isLetter(comp[0]) && comp[1] == ':':
		return rootInfo{root: comp, rest: rest, raw: raw}, nil
	case equalFold(comp, "UNC"):
		return uncRoot(rest, raw)
	case len(comp) > len("Volume{}") && equalFold(comp[:7], "Volume{") && comp[len(comp)-1] == '}' && deviceName(comp):
		return rootInfo{root: `\\?\` + comp, rest: rest, raw: raw, notes: NoteDeviceRoot}, nil
	case equalFold(comp, "GLOBALROOT"):
		dev, rest, _ := cutSep(rest, raw)
		name, rest, _ := cutSep(rest, raw)
		if !equalFold(dev, "Device") || !deviceName(name) {
			return rootInfo{}, ErrDevicePath
		}
		return rootInfo{root: `\Device\` + name, rest: rest, raw: raw, notes: NoteDeviceRoot}, nil
	}
	return rootInfo{}, ErrDevicePath
}

// deviceName reports whether s can name a device or volume.
func deviceName(s string) bool {
	return s != "" && s != "." && s != ".." && !strings.ContainsAny(s, `/:<>"|?*`)
}

// uncRoot parses "server\share\rest".
func uncRoot(s string, raw bool) (rootInfo, error) {
	server, rest, _ := cutSep(s, raw)
	share, rest, _ := cutSep(rest, raw)
	if server == "" || share == "" || server == "." || server == "?" {
		return rootInfo{}, ErrInvalidRoot
	}
	if strings.ContainsAny(server, `/:<>"|?*`) || strings.ContainsAny(share, `/:<>"|?*`) || share == "." || share == ".." || server == ".." {
		return rootInfo{}, ErrInvalidRoot
	}
	return rootInfo{root: `\\` + server + `\` + share, rest: rest, raw: raw}, nil
}

// canonicalSlow handles every path canonicalFast does not.
func canonicalSlow(s string, src Provenance, longNames bool) (Canonical, error) {
	if err := checkText(s); err != nil {
		return Canonical{}, err
	}
	ri, err := splitRoot(s, src)
	if err != nil {
		return Canonical{}, err
	}
	c := Canonical{Source: src, Notes: ri.notes}
	rest := ri.rest
	var segs []string
	if ri.raw {
		// Not normalised: split on "\" only and keep every component.
		comps := strings.Split(rest, `\`)
		for len(comps) > 0 && comps[len(comps)-1] == "" {
			comps = comps[:len(comps)-1] // "" or trailing separators
		}
		for _, comp := range comps {
			if comp == "" || comp == "." || comp == ".." || strings.IndexByte(comp, '/') >= 0 {
				c.Notes |= NoteUnnormalized
			}
			segs = append(segs, comp)
		}
	} else {
		endsWithSep := rest != "" && isSep(rest[len(rest)-1])
		for rest != "" {
			comp, after, found := cutSep(rest, false)
			rest = after
			switch comp {
			case "", ".":
				continue
			case "..":
				if len(segs) > 0 {
					segs = segs[:len(segs)-1]
				}
				continue
			}
			if src == Typed {
				last := !found || rest == ""
				switch {
				case onlyDotsAndSpaces(comp):
					c.Notes |= NoteDots
				case last && !endsWithSep:
					// Win32 strips trailing dots and spaces from the end of
					// a path that does not end in a separator.
					comp = strings.TrimRight(comp, ". ")
				case comp[len(comp)-1] == '.':
					// ... and one trailing dot from every other segment.
					comp = comp[:len(comp)-1]
				}
			}
			segs = append(segs, comp)
		}
	}
	for _, seg := range segs {
		if strings.ContainsAny(seg, `<>"|?*`) {
			return Canonical{}, ErrInvalidCharacter
		}
	}
	// Streams: only the last segment may name one.
	for i, seg := range segs {
		colon := strings.IndexByte(seg, ':')
		if colon < 0 {
			continue
		}
		if i < len(segs)-1 {
			c.Notes |= NoteStreamSyntax
			continue
		}
		name, ok := splitStream(seg[colon+1:])
		if !ok || colon == 0 || seg[:colon] == "." || seg[:colon] == ".." {
			c.Notes |= NoteStreamSyntax
			continue
		}
		if name == "" {
			c.Notes |= NoteDefaultStream
		} else {
			c.Notes |= NoteStream
		}
		c.Stream = name
		segs[i] = seg[:colon]
	}
	c.doubt = -1
	for i, seg := range segs {
		if n := segmentDoubt(seg, longNames); n != 0 {
			c.Notes |= n
			if c.doubt < 0 {
				c.doubt = i
			}
		}
	}
	c.nseg = len(segs)
	if c.doubt < 0 {
		c.doubt = c.nseg
	}
	if c.Notes&blockingNotes != 0 {
		c.doubt = 0
	}
	c.rootLen = len(ri.root)
	n := len(ri.root) + 1
	for _, seg := range segs {
		n += len(seg) + 1
	}
	var b strings.Builder
	b.Grow(n)
	b.WriteString(ri.root)
	if len(segs) == 0 {
		b.WriteByte('\\')
	}
	for _, seg := range segs {
		b.WriteByte('\\')
		b.WriteString(seg)
	}
	c.Path = b.String()
	if c.Path == s[:min(len(s), len(c.Path))] {
		c.Path = s[:len(c.Path)] // share the caller's memory
	}
	return c, nil
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	neg := n < 0
	if neg {
		n = -n
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}
