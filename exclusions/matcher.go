package exclusions

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Rule identifies one exclusion entry: its list, its text as listed, and its
// position in the list. The zero Rule means "no rule".
type Rule struct {
	Kind  Kind   `json:"kind,omitempty"`
	Text  string `json:"text,omitempty"`
	Index int    `json:"index"`
}

// String returns `ExclusionPath[3] "C:\Temp"`, or "" for the zero Rule.
func (r Rule) String() string {
	if r.Kind == 0 {
		return ""
	}
	return r.Kind.String() + "[" + strconv.Itoa(r.Index) + "] " + strconv.Quote(r.Text)
}

// Query is a question for [Matcher.Lookup]: would the antivirus leave this
// file alone?
type Query struct {
	// Path is the file (or folder) asked about.
	Path string
	// Source is the provenance of Path; the zero value is FileSystem, as
	// for detection evidence.
	Source Provenance
	// Folder says Path names a folder. It matters only for PathType
	// restrictions; by default the path names a file.
	Folder bool
	// Process is the image path of the process that opened the file, or ""
	// if none is known. ExclusionProcess entries and Process restrictions
	// need it.
	Process string
	// ProcessSource is the provenance of Process.
	ProcessSource Provenance
}

// Result is the answer of a [Matcher]: whether the file is excluded, by
// which rule, which canonical form was compared, and what was left open.
// When the answer is "not excluded", building it allocates nothing (for a
// valid path without short names to resolve).
type Result struct {
	// Excluded reports whether the antivirus would treat that very file as
	// excluded. In every doubtful case it is false, and Notes say why.
	Excluded bool `json:"excluded"`
	// Rule is the rule that excludes the file (zero when not excluded).
	// When several apply, Rule is from the first list of ExclusionPath,
	// ExclusionExtension, ExclusionProcess that has one; among path rules it
	// is the one that names the fewest segments (the broadest), then a
	// rule without wildcards, then the lowest index; among the others, the
	// lowest index.
	Rule Rule `json:"rule"`
	// Unapplied is a rule that matched the path but could not be shown to
	// cover the remediation (a restricted contextual exclusion, or a
	// process exclusion outside on-access scans), or the zero Rule.
	Unapplied Rule `json:"unapplied"`
	// Path is the canonical form of the path compared, with its stream.
	Path Canonical `json:"path"`
	// Process is the canonical form of the process image compared, if a
	// process was given and could be canonicalised.
	Process Canonical `json:"process"`
	// Notes are the path's notes and the matcher's.
	Notes Notes `json:"notes"`
	// Err is set when the path (or the process image) could not be
	// canonicalised, or a short-name resolver failed. A bad path is never
	// excluded; a bad process image only disables the rules that need it.
	Err error `json:"-"`
}

// String returns a one-line account of the result.
func (r Result) String() string {
	var b strings.Builder
	switch {
	case r.Excluded:
		b.WriteString("excluded by ")
		b.WriteString(r.Rule.String())
	case r.Err != nil && r.Path.Path == "":
		b.WriteString("not excluded: ")
		b.WriteString(r.Err.Error())
		return b.String()
	default:
		b.WriteString("not excluded")
	}
	b.WriteString(": ")
	b.WriteString(strconv.Quote(r.Path.String()))
	if r.Unapplied.Kind != 0 {
		b.WriteString("; not applied: ")
		b.WriteString(r.Unapplied.String())
	}
	if r.Notes != 0 {
		b.WriteString(" [")
		b.WriteString(r.Notes.String())
		b.WriteString("]")
	}
	if r.Err != nil {
		b.WriteString("; ")
		b.WriteString(r.Err.Error())
	}
	return b.String()
}

// slot is one entry of the open-addressing index: a key (0 means empty)
// and the run of rule ids stored under it in Matcher.ids.
type slot struct {
	key    uint64
	off, n uint32
}

// depthSet is a set of segment depths.
type depthSet struct {
	low  uint64 // depths 0-63
	deep bool   // any depth from 64
}

func (s *depthSet) add(d int) {
	if d < 64 {
		s.low |= 1 << d
	} else {
		s.deep = true
	}
}

func (s depthSet) has(d int) bool {
	if d < 64 {
		return s.low&(1<<d) != 0
	}
	return s.deep
}

// Salts that keep the keys of the different indexes apart in the one map.
const (
	saltPathLit  = 0x243f6a8885a308d3
	saltPathAnch = 0x13198a2e03707344
	saltExt      = 0xa4093822299f31d0
	saltImage    = 0x082efa98ec4e6c89
	saltProcLit  = 0x452821e638d01377
	saltProcAnch = 0xbe5466cf34e90c6c
)

// Matcher answers whether a file is excluded. It is immutable once
// compiled and safe for concurrent use.
//
// Design: rules are classified once, as in ripgrep's globset. Path rules
// without wildcards, extensions, image names and full process paths
// without wildcards are found by hash look-ups: one per ancestor of the
// path (its root, then each longer prefix), one for its extension, one for
// the process image name and one for the image path. Wildcard rules are
// bucketed by their rarest literal segment and its depth
// (`C:\Users\*\AppData\Local\App9\*.tmp` by "App9" at depth 4), so a query
// tries only the rules whose anchor equals one of its own segments; the
// few wildcard rules without any literal segment are tried on every query.
// A small bit set in front of the hash map turns most misses into one
// memory read. Every candidate found through a hash is compared in full.
type Matcher struct {
	rules  []*rule
	ids    []int32
	slots  []slot // linear probing from the key's high bits, at most half full
	sshift uint   // 64 - log2(len(slots))
	filter []uint64
	fshift uint // 64 - log2(bits in filter)

	pathGeneral []int32 // wildcard path rules without a literal segment
	procGeneral []int32 // same for process paths
	extGlobs    []int32 // extensions with wildcards

	rootRules   bool     // some path rule is a whole drive or share
	litDepth    int      // literal path rules have at most this many segments
	pathAnchors depthSet // depths that anchor some wildcard path rule
	procAnchors depthSet
	hasExt      bool
	hasImage    bool
	hasProcLit  bool
	hasProcs    bool // any ExclusionProcess rule

	trigger  ScanTrigger
	scanType ScanType
	resolver ShortNameResolver
	partial  bool
}

// Compile loads the lists. Each bad entry is reported in a [*CompileError]
// (its list, index, text and reason, with errors.Is-able sentinels); unless
// opts.Strict is set, Compile then returns the Matcher of all the other
// entries together with that error, so that a bad entry never hides the
// good ones. The only other error is one wrapping [ErrInvalidOptions].
func Compile(l List, opts Options) (*Matcher, error) {
	c, err := newCompiler(opts)
	if err != nil {
		return nil, err
	}
	m := &Matcher{trigger: opts.RemediationTrigger, scanType: opts.RemediationScanType, resolver: opts.ShortNames}
	var bad []*EntryError
	add := func(kind Kind, i int, text string, r *rule, err error) {
		if err != nil {
			bad = append(bad, &EntryError{Kind: kind, Index: i, Text: text, Err: err})
			return
		}
		m.rules = append(m.rules, r)
	}
	for i, t := range l.Paths {
		r, err := c.pathRule(t, i)
		add(ExclusionPath, i, t, r, err)
	}
	for i, t := range l.Extensions {
		r, err := c.extensionRule(t, i)
		add(ExclusionExtension, i, t, r, err)
	}
	for i, t := range l.Processes {
		r, err := c.processRule(t, i)
		add(ExclusionProcess, i, t, r, err)
	}
	m.build()
	if len(bad) > 0 {
		ce := &CompileError{Entries: bad}
		if opts.Strict {
			return nil, ce
		}
		m.partial = true
		return m, ce
	}
	return m, nil
}

// Len returns the number of rules loaded.
func (m *Matcher) Len() int { return len(m.rules) }

// literalKey is the hash of a pattern's root and literal parts.
func literalKey(p *pattern) uint64 {
	h := hashFold(p.root)
	for _, pt := range p.parts {
		h = combine(h, hashFold(pt.pat))
	}
	return h
}

// build indexes the rules.
func (m *Matcher) build() {
	keys := map[uint64][]int32{}
	put := func(key uint64, id int) {
		if key == 0 {
			key = 1 // 0 marks an empty slot
		}
		keys[key] = append(keys[key], int32(id))
	}

	// Anchors: count how often each (depth, literal) occurs among wildcard
	// rules, then anchor each rule on its rarest one.
	freq := map[uint64]int{}
	anchorOf := func(r *rule) []uint64 {
		var hs []uint64
		for d, pt := range r.parts {
			if pt.wild {
				hs = append(hs, 0)
				continue
			}
			hs = append(hs, anchorHash(hashFold(pt.pat), d))
		}
		return hs
	}
	for _, r := range m.rules {
		if r.ext || r.image || !r.wild {
			continue
		}
		for d, h := range anchorOf(r) {
			if !r.parts[d].wild {
				freq[h]++
			}
		}
	}
	for id, r := range m.rules {
		switch {
		case r.ext:
			m.hasExt = true
			if r.wild {
				m.extGlobs = append(m.extGlobs, int32(id))
			} else {
				put(keyOf(hashFold(r.extPat), saltExt), id)
			}
		case r.image:
			m.hasImage, m.hasProcs = true, true
			put(keyOf(hashFold(r.canon), saltImage), id)
		case r.literal:
			if r.Kind == ExclusionProcess {
				m.hasProcLit, m.hasProcs = true, true
				put(keyOf(literalKey(&r.pattern), saltProcLit), id)
				continue
			}
			if len(r.parts) == 0 {
				m.rootRules = true
			}
			m.litDepth = max(m.litDepth, len(r.parts))
			put(keyOf(literalKey(&r.pattern), saltPathLit), id)
		default: // wildcard pattern
			hs := anchorOf(r)
			best := -1
			for d, h := range hs {
				if r.parts[d].wild {
					continue
				}
				if best < 0 || freq[h] < freq[hs[best]] || freq[h] == freq[hs[best]] {
					best = d
				}
			}
			proc := r.Kind == ExclusionProcess
			m.hasProcs = m.hasProcs || proc
			switch {
			case best < 0 && proc:
				m.procGeneral = append(m.procGeneral, int32(id))
			case best < 0:
				m.pathGeneral = append(m.pathGeneral, int32(id))
			case proc:
				m.procAnchors.add(best)
				put(keyOf(hs[best], saltProcAnch), id)
			default:
				m.pathAnchors.add(best)
				put(keyOf(hs[best], saltPathAnch), id)
			}
		}
	}

	logSlots := uint(4)
	for 1<<logSlots < len(keys)*2 {
		logSlots++
	}
	m.slots = make([]slot, 1<<logSlots)
	m.sshift = 64 - logSlots
	smask := uint64(len(m.slots) - 1)
	sorted := slices.Sorted(func(yield func(uint64) bool) {
		for k := range keys {
			if !yield(k) {
				return
			}
		}
	})
	for _, k := range sorted {
		ids := keys[k]
		i := k >> m.sshift
		for m.slots[i].key != 0 {
			i = (i + 1) & smask
		}
		m.slots[i] = slot{key: k, off: uint32(len(m.ids)), n: uint32(len(ids))}
		m.ids = append(m.ids, ids...)
	}
	// The bit set: at least 16 bits per key, a power of two.
	logBits := uint(10)
	for 1<<logBits < len(keys)*16 {
		logBits++
	}
	m.filter = make([]uint64, 1<<(logBits-6))
	m.fshift = 64 - logBits
	for k := range keys {
		b := k >> m.fshift
		m.filter[b>>6] |= 1 << (b & 63)
	}
}

// maybe reports whether anything may be stored under key: the bit-set test
// of lookup, small enough to be inlined in front of probe. (Keys 0 and 1
// share a bit.)
func (m *Matcher) maybe(key uint64) bool {
	b := key >> m.fshift
	return m.filter[b>>6]&(1<<(b&63)) != 0
}

// lookup returns the rule ids stored under key.
func (m *Matcher) lookup(key uint64) []int32 {
	if !m.maybe(key) {
		return nil
	}
	return m.probe(key)
}

// probe is lookup without the bit-set test, for a key that passed it.
func (m *Matcher) probe(key uint64) []int32 {
	if key == 0 {
		key = 1
	}
	smask := uint64(len(m.slots) - 1)
	for i := key >> m.sshift; ; i = (i + 1) & smask {
		s := &m.slots[i]
		if s.key == key {
			return m.ids[s.off : s.off+s.n]
		}
		if s.key == 0 {
			return nil
		}
	}
}

// Match reports whether the file at path, as reported by the file system
// (detection evidence), is excluded. It is Lookup with no context and no
// process.
func (m *Matcher) Match(path string) (res Result) {
	m.answer(context.Background(), &Query{Path: path}, &res)
	return res
}

// MatchOpenedBy reports whether the file at path, opened by the process
// whose image is processImage, is excluded: by its own path or extension,
// or by an ExclusionProcess entry (which applies only if
// [Options].RemediationTrigger is OnAccess, see [NoteProcessNotOnAccess]).
// Both paths are taken as reported by the file system.
func (m *Matcher) MatchOpenedBy(path, processImage string) (res Result) {
	m.answer(context.Background(), &Query{Path: path, Process: processImage}, &res)
	return res
}

// pick keeps the best rule found so far.
type pick struct {
	id    int32 // -1: none
	k     int   // number of segments the rule names
	wild  bool
	index int
}

func (p *pick) offer(id int32, k int, wild bool, index int) {
	if p.id < 0 || k < p.k || k == p.k && (p.wild && !wild || p.wild == wild && index < p.index) {
		*p = pick{id: id, k: k, wild: wild, index: index}
	}
}

// eval carries one query through the matcher.
type eval struct {
	q      *Query
	proc   *Canonical // nil if no usable process
	res    *Result
	best   pick
	notApp *rule // first rule that matched but did not apply
}

func (e *eval) unapplied(r *rule, n Notes) {
	e.res.Notes |= n
	if e.notApp == nil {
		e.notApp = r
	}
}

// Lookup answers q. ctx is passed to the [ShortNameResolver], if any.
func (m *Matcher) Lookup(ctx context.Context, q Query) (res Result) {
	m.answer(ctx, &q, &res)
	return res
}

// answer is Lookup writing into *res, which must be zero.
func (m *Matcher) answer(ctx context.Context, q *Query, res *Result) {
	if m.partial {
		res.Notes |= NotePartialList
	}
	c := &res.Path
	var ends segEnds
	if !canonicalFast(c, q.Path, q.Source, false, &ends) {
		if err := canonicalSlowInto(c, q.Path, q.Source, false, &ends); err != nil {
			res.Err = err
			return
		}
	}
	if c.Notes&NoteShortName != 0 && c.Notes&blockingNotes == 0 && m.resolver != nil {
		*c = m.resolve(ctx, *c, res)
		ends.scan(c)
	}
	res.Notes |= c.Notes
	e := eval{q: q, res: res, best: pick{id: -1}}
	if q.Process != "" {
		pc := &res.Process
		if err := canonicalizeInto(pc, q.Process, q.ProcessSource, false, nil); err != nil {
			if res.Err == nil {
				res.Err = err
			}
		} else {
			if pc.Notes&NoteShortName != 0 && pc.Notes&blockingNotes == 0 && m.resolver != nil {
				*pc = m.resolve(ctx, *pc, res)
			}
			e.proc = pc
		}
	}
	m.matchPaths(c, &ends, &e)
	if e.best.id < 0 {
		m.matchExtension(c, &e)
	}
	if e.best.id < 0 && m.hasProcs {
		switch {
		case e.proc == nil:
			res.Notes |= NoteProcessUnknown
		default:
			var p pick
			p.id = -1
			m.matchProcess(e.proc, &p)
			if p.id >= 0 {
				r := m.rules[p.id]
				if m.trigger == OnAccess {
					e.best = p
				} else {
					e.unapplied(r, NoteProcessNotOnAccess)
				}
			}
		}
	}
	if e.best.id >= 0 {
		res.Excluded = true
		res.Rule = m.rules[e.best.id].Rule
	}
	if e.notApp != nil {
		res.Unapplied = e.notApp.Rule
	}
}

// resolve expands short names with the host's resolver. On failure it
// keeps c, whose short-name note keeps the doubt.
func (m *Matcher) resolve(ctx context.Context, c Canonical, res *Result) Canonical {
	long, err := m.resolver.LongPath(ctx, c.Path)
	if err != nil {
		if res.Err == nil {
			res.Err = fmt.Errorf("exclusions: short-name resolver: %w", err)
		}
		return c
	}
	lc, err := canonicalize(long, FileSystem, true)
	if err != nil || lc.nseg != c.nseg || !equalFold(lc.Root(), c.Root()) || lc.Stream != "" || lc.Notes&blockingNotes != 0 {
		if res.Err == nil {
			res.Err = fmt.Errorf("exclusions: short-name resolver: %q is not a long form of %q", long, c.Path)
		}
		return c
	}
	lc.Stream = c.Stream
	lc.Source = c.Source
	lc.Notes |= c.Notes&(NoteStream|NoteDefaultStream|NoteDeviceRoot) | NoteShortNameResolved
	return lc
}

// nextSeg returns the end of the segment that starts at pos. Segments are
// short, so a plain loop beats a call to strings.IndexByte.
func nextSeg(path string, pos int) int {
	for ; pos < len(path); pos++ {
		if path[pos] == '\\' {
			return pos
		}
	}
	return len(path)
}

// matchPaths tries the ExclusionPath rules. ends holds the segment ends of
// c.
func (m *Matcher) matchPaths(c *Canonical, ends *segEnds, e *eval) {
	for _, id := range m.pathGeneral {
		m.tryPattern(id, c, e)
	}
	s := c.Path
	var h uint64
	if c.rootLen == 2 && s[0]|s[1] < utf8.RuneSelf { // a drive, "C:"
		h = (fnvOffset ^ upper8(uint64(s[0])|uint64(s[1])<<8)) * fnvPrime
	} else {
		h = hashSeg(s, 0, c.rootLen)
	}
	if k := keyOf(h, saltPathLit); m.rootRules && m.maybe(k) {
		m.tryLiteral(k, 0, c, c.rootLen, e)
	}
	limit := min(c.nseg, c.doubt)
	pos := c.rootLen + 1
	for d := 0; d < limit; d++ {
		if e.best.id >= 0 && e.best.k <= d {
			return // nothing found from here on names fewer segments
		}
		lit, anch := d < m.litDepth, m.pathAnchors.has(d)
		var end int
		if d < len(ends) {
			end = int(ends[d])
		} else {
			end = nextSeg(c.Path, pos)
		}
		if !lit && !anch {
			if d >= m.litDepth && m.pathAnchors.low>>d == 0 && !m.pathAnchors.deep {
				return
			}
			pos = end + 1
			continue
		}
		// hashSeg(s, pos, end), with its common case written out here.
		var sh uint64
		if n := uint(end - pos); n-1 < 15 && pos+16 <= len(s) {
			x, y := load8(s, pos), load8(s, pos+8)
			if n < 8 {
				x, y = x&(1<<(8*n)-1), 0
			} else {
				y &= 1<<(8*(n-8)) - 1
			}
			if (x|y)&high8 == 0 {
				sh = (fnvOffset ^ upper8(x)) * fnvPrime
				if n > 8 {
					sh = (sh ^ upper8(y)) * fnvPrime
				}
			} else {
				sh = hashRange(s, pos, end)
			}
		} else {
			sh = hashSeg(s, pos, end)
		}
		if lit {
			h = combine(h, sh)
			if k := keyOf(h, saltPathLit); m.maybe(k) {
				m.tryLiteral(k, d+1, c, end, e)
			}
		}
		if k := keyOf(anchorHash(sh, d), saltPathAnch); anch && m.maybe(k) {
			for _, id := range m.lookup(k) {
				m.tryPattern(id, c, e)
			}
		}
		pos = end + 1
	}
}

// tryLiteral checks the literal path rules stored under key (which passed
// maybe) against the first k segments of c, which end at end.
func (m *Matcher) tryLiteral(key uint64, k int, c *Canonical, end int, e *eval) {
	if end < len(c.Path) && c.Path[end] != '\\' {
		return // not the end of a segment
	}
	for _, id := range m.probe(key) {
		r := m.rules[id]
		if len(r.parts) != k || !equalFold(c.Path[:end], r.canon) {
			continue
		}
		exact := k == c.nseg
		if !exact && !r.descend {
			continue
		}
		if r.restrict != nil && !m.holds(r.restrict, exact, e) {
			e.unapplied(r, NoteRestricted)
			continue
		}
		e.best.offer(id, k, false, r.Index)
	}
}

// tryPattern checks one wildcard path rule.
func (m *Matcher) tryPattern(id int32, c *Canonical, e *eval) {
	r := m.rules[id]
	exact, ok := matchPattern(r, c)
	if !ok {
		return
	}
	if r.restrict != nil && !m.holds(r.restrict, exact, e) {
		e.unapplied(r, NoteRestricted)
		return
	}
	e.best.offer(id, len(r.parts), true, r.Index)
}

// matchPattern reports whether the rule's root and parts match the first
// segments of c, and whether they cover all of c (exact). Segments from
// c.doubt on are never compared.
func matchPattern(r *rule, c *Canonical) (exact, ok bool) {
	k := len(r.parts)
	if k > c.nseg || k > c.doubt || !r.descend && k != c.nseg {
		return false, false
	}
	if !equalFold(c.Root(), r.root) {
		return false, false
	}
	pos := c.rootLen + 1
	for i := range k {
		end := nextSeg(c.Path, pos)
		seg := c.Path[pos:end]
		pt := &r.parts[i]
		if pt.wild {
			if !pt.match(seg) {
				return false, false
			}
		} else if !equalFold(seg, pt.pat) {
			return false, false
		}
		pos = end + 1
	}
	return k == c.nseg, true
}

// matchExtension tries the ExclusionExtension rules on the file name.
func (m *Matcher) matchExtension(c *Canonical, e *eval) {
	if !m.hasExt || c.nseg == 0 || c.nseg > c.doubt {
		return
	}
	start := c.rootLen + 1 // where the name begins
	if c.nseg > 1 {
		start = strings.LastIndexByte(c.Path, '\\') + 1
	}
	dot := len(c.Path) - 1
	for dot >= start && c.Path[dot] != '.' {
		dot--
	}
	if dot < start {
		return
	}
	ext := c.Path[dot+1:]
	for _, id := range m.lookup(keyOf(hashRange(c.Path, len(c.Path)-len(ext), len(c.Path)), saltExt)) {
		r := m.rules[id]
		if r.ext && !r.wild && equalFold(ext, r.canon) {
			e.best.offer(id, 0, false, r.Index)
		}
	}
	for _, id := range m.extGlobs {
		r := m.rules[id]
		if globMatch(r.extPat, ext) {
			e.best.offer(id, 0, false, r.Index)
		}
	}
}

// matchProcess tries the ExclusionProcess rules on a process image path.
func (m *Matcher) matchProcess(pc *Canonical, p *pick) {
	if pc.Stream != "" || pc.nseg == 0 || pc.nseg > pc.doubt {
		return // the image name itself is in doubt
	}
	if m.hasImage {
		name := pc.Name()
		for _, id := range m.lookup(keyOf(hashFold(name), saltImage)) {
			r := m.rules[id]
			if r.image && equalFold(name, r.canon) {
				p.offer(id, 0, false, r.Index)
			}
		}
	}
	for _, id := range m.procGeneral {
		if _, ok := matchPattern(m.rules[id], pc); ok {
			p.offer(id, 0, false, m.rules[id].Index)
		}
	}
	h := hashFold(pc.Root())
	pos := pc.rootLen + 1
	for d := range pc.nseg {
		end := nextSeg(pc.Path, pos)
		sh := hashRange(pc.Path, pos, end)
		h = combine(h, sh)
		if m.procAnchors.has(d) {
			for _, id := range m.lookup(keyOf(anchorHash(sh, d), saltProcAnch)) {
				if _, ok := matchPattern(m.rules[id], pc); ok {
					p.offer(id, 0, false, m.rules[id].Index)
				}
			}
		}
		pos = end + 1
	}
	if m.hasProcLit {
		for _, id := range m.lookup(keyOf(h, saltProcLit)) {
			r := m.rules[id]
			if !r.image && r.literal && equalFold(pc.Path, r.canon) {
				p.offer(id, 0, false, r.Index)
			}
		}
	}
}

// procMatches reports whether a process rule (of ExclusionProcess or of a
// Process restriction) matches the process image pc.
func procMatches(r *rule, pc *Canonical) bool {
	if pc.Stream != "" || pc.nseg == 0 || pc.nseg > pc.doubt {
		return false
	}
	if r.image {
		return equalFold(pc.Name(), r.canon)
	}
	_, ok := matchPattern(r, pc)
	return ok
}

// holds reports whether a contextual restriction can be shown to hold for
// the remediation. exact says the rule matched the path itself (not one of
// its folders).
func (m *Matcher) holds(rs *restriction, exact bool, e *eval) bool {
	for _, pt := range rs.pathTypes {
		switch pt {
		case pathTypeFile:
			// The exclusion names a file: it covers the target itself (the
			// documentation adds that a folder target is covered too),
			// never what lies below a folder of that name.
			if !exact {
				return false
			}
		case pathTypeFolder:
			// The exclusion names a folder: it covers what lies below it,
			// and the target itself only if the target is a folder.
			if exact && !e.q.Folder {
				return false
			}
		}
	}
	for _, st := range rs.scanTypes {
		if m.scanType != st {
			return false
		}
	}
	for _, tr := range rs.triggers {
		if m.trigger != tr {
			return false
		}
	}
	if len(rs.procs) > 0 {
		// "only if it's scanned (on-access) due to it being accessed by a
		// process": the remediation must count as on-access, and the
		// opening process must match every Process condition.
		if m.trigger != OnAccess {
			return false
		}
		if e.proc == nil {
			e.res.Notes |= NoteProcessUnknown
			return false
		}
		for _, pr := range rs.procs {
			if !procMatches(pr, e.proc) {
				return false
			}
		}
	}
	return true
}
