package exclusions

import (
	"fmt"
	"strings"
)

// maxWildcards is the documented limit of wildcards in one entry.
const maxWildcards = 6

// part is one segment of a path pattern.
type part struct {
	text string // as listed (after variable expansion)
	pat  string // text mapped by upper
	wild bool   // holds * or ?
	kind partKind
	lit  string // the literal of a partPrefix or partSuffix, mapped by upper
}

// partKind classifies a wildcard segment once, so that the common shapes
// are matched without the general glob matcher.
type partKind uint8

const (
	partGlob   partKind = iota // anything else: globMatch
	partAny                    // "*"
	partPrefix                 // "lit*"
	partSuffix                 // "*lit"
)

// newPart classifies one segment.
func newPart(text string) part {
	p := part{text: text, pat: upperString(text), wild: hasWildcard(text)}
	if !p.wild || strings.IndexByte(p.pat, '?') >= 0 || strings.Count(p.pat, "*") != 1 {
		return p
	}
	switch star := strings.IndexByte(p.pat, '*'); {
	case len(p.pat) == 1:
		p.kind = partAny
	case star == len(p.pat)-1:
		p.kind, p.lit = partPrefix, p.pat[:star]
	case star == 0:
		p.kind, p.lit = partSuffix, p.pat[1:]
	}
	return p
}

// match reports whether a path segment matches a wildcard part.
func (p *part) match(seg string) bool {
	switch p.kind {
	case partAny:
		return true
	case partPrefix:
		return len(seg) >= len(p.lit) && equalFold(seg[:len(p.lit)], p.lit)
	case partSuffix:
		return len(seg) >= len(p.lit) && equalFold(seg[len(seg)-len(p.lit):], p.lit)
	}
	return globMatch(p.pat, seg)
}

// pattern is a parsed path or process entry: a root and segments.
type pattern struct {
	root    string // canonical root: "C:", `\\server\share`
	parts   []part
	literal bool   // no segment holds a wildcard
	canon   string // root and parts joined by `\` (root alone if no parts)
}

// pathType is the value of a PathType restriction.
type pathType uint8

const (
	pathTypeFile pathType = iota + 1
	pathTypeFolder
)

// restriction holds the conditions of a contextual exclusion. All of them
// must hold ("Conditions inside {} MUST be true for the restriction to
// match"), so two different values of one type can never hold together.
type restriction struct {
	pathTypes []pathType
	scanTypes []ScanType
	triggers  []ScanTrigger
	procs     []*rule
}

// rule is one loaded entry.
type rule struct {
	Rule
	pattern
	descend  bool   // a path rule whose last part may be a folder: everything below matches
	image    bool   // an ExclusionProcess image name: canon is the name
	ext      bool   // an ExclusionExtension entry: canon is the extension, pat its upper form
	extPat   string // upper-mapped extension pattern
	wild     bool   // a wildcard anywhere
	restrict *restriction
}

// compiler holds what parsing an entry needs.
type compiler struct {
	env        map[string]string // upper-case names
	contextual bool
}

func newCompiler(opts Options) (*compiler, error) {
	env := opts.Env
	if env == nil {
		env = DefaultEnv()
	}
	c := &compiler{env: make(map[string]string, len(env))}
	for name, value := range env {
		if value == "" || strings.ContainsAny(value, "*?%") || checkText(value) != nil {
			return nil, fmt.Errorf("%w: environment variable %s has value %q, which is not a plain path", ErrInvalidOptions, name, value)
		}
		c.env[upperString(name)] = value
	}
	c.contextual = opts.Platform.Compare(contextualPlatform) >= 0 && opts.Engine.Compare(contextualEngine) >= 0
	return c, nil
}

// countWildcards counts * and ? in s.
func countWildcards(s string) int {
	return strings.Count(s, "*") + strings.Count(s, "?")
}

// expand replaces %NAME% references by their values. A % that does not
// start a reference (no closing %, an empty name, or a name with path
// characters) is kept as a literal character. It returns the expanded text
// and the number of references.
func (c *compiler) expand(s string) (string, int, error) {
	if strings.IndexByte(s, '%') < 0 {
		return s, 0, nil
	}
	var b strings.Builder
	n := 0
	for {
		i := strings.IndexByte(s, '%')
		if i < 0 {
			b.WriteString(s)
			break
		}
		j := strings.IndexByte(s[i+1:], '%')
		if j < 0 {
			b.WriteString(s)
			break
		}
		name := s[i+1 : i+1+j]
		if name == "" || strings.ContainsAny(name, `\/:*?"<>|`) {
			b.WriteString(s[:i+1])
			s = s[i+1:]
			continue
		}
		v, ok := c.env[upperString(name)]
		if !ok {
			return "", 0, fmt.Errorf("%w: %%%s%%", ErrUnknownVariable, name)
		}
		b.WriteString(s[:i])
		b.WriteString(v)
		n++
		s = s[i+j+2:]
	}
	return b.String(), n, nil
}

// rootHasWildcard reports whether a wildcard stands where the drive letter,
// or a UNC server or share, should be.
func rootHasWildcard(s string) bool {
	if len(s) >= 2 && s[1] == ':' {
		return s[0] == '*' || s[0] == '?'
	}
	if len(s) < 2 || !isSep(s[0]) || !isSep(s[1]) {
		return false
	}
	rest := s[2:]
	if len(s) >= 4 && (s[2] == '?' || s[2] == '.') && isSep(s[3]) {
		comp, after, _ := cutSep(s[4:], false)
		if !equalFold(comp, "UNC") {
			return hasWildcard(comp)
		}
		rest = after
	}
	server, after, _ := cutSep(rest, false)
	share, _, _ := cutSep(after, false)
	return hasWildcard(server) || hasWildcard(share)
}

// parsePattern parses the path part of an ExclusionPath or ExclusionProcess
// entry. Entries are typed by a person, but this package does not apply
// Win32's trimming to them: whether the antivirus does is not documented,
// so a segment that ends in a dot or space is an error (the entry is then
// reported, never read the broader way).
func (c *compiler) parsePattern(text string) (pattern, error) {
	if err := checkText(text); err != nil {
		return pattern{}, err
	}
	expanded, nvars, err := c.expand(text)
	if err != nil {
		return pattern{}, err
	}
	if countWildcards(text)+nvars > maxWildcards {
		return pattern{}, fmt.Errorf("%w (%d)", ErrTooManyWildcards, countWildcards(text)+nvars)
	}
	s := expanded
	if err := checkText(s); err != nil {
		return pattern{}, err
	}
	if rootHasWildcard(s) {
		return pattern{}, ErrWildcardDrive
	}
	if len(s) == 2 && isLetter(s[0]) && s[1] == ':' {
		// "C:" (or %SystemDrive%) stands for the whole drive: the
		// common-mistakes page lists `C:` beside `C:\`.
		return pattern{root: s, literal: true, canon: s}, nil
	}
	ri, err := splitRoot(s, Typed)
	if err != nil {
		return pattern{}, err
	}
	if ri.notes&NoteDeviceRoot != 0 {
		return pattern{}, fmt.Errorf("%w: volume GUID and \\Device\\ roots are not documented for exclusions", ErrDevicePath)
	}
	p := pattern{root: ri.root, literal: true}
	rest := ri.rest
	for rest != "" {
		comp, after, _ := cutSep(rest, false)
		rest = after
		switch {
		case comp == "":
			continue
		case comp == "." || comp == "..":
			return pattern{}, ErrDotSegment
		case dotty(comp):
			return pattern{}, fmt.Errorf("%w: %q", ErrTrailingDotOrSpace, comp)
		case strings.ContainsAny(comp, `:<>"|`):
			return pattern{}, ErrInvalidCharacter
		}
		pt := newPart(comp)
		p.literal = p.literal && !pt.wild
		p.parts = append(p.parts, pt)
	}
	var b strings.Builder
	b.WriteString(p.root)
	for _, pt := range p.parts {
		b.WriteByte('\\')
		b.WriteString(pt.text)
	}
	p.canon = b.String()
	return p, nil
}

// pathRule parses an ExclusionPath entry, with its contextual restrictions
// if any.
func (c *compiler) pathRule(text string, index int) (*rule, error) {
	if text == "" {
		return nil, ErrEmpty
	}
	body := text
	var rs *restriction
	if i := strings.Index(text, `\:{`); i >= 0 {
		if !strings.HasSuffix(text, "}") {
			return nil, fmt.Errorf("%w: the restriction does not end in }", ErrContextSyntax)
		}
		if !c.contextual {
			return nil, ErrContextUnsupported
		}
		var err error
		if rs, err = c.parseRestriction(text[i+3 : len(text)-1]); err != nil {
			return nil, err
		}
		body = text[:i]
	}
	p, err := c.parsePattern(body)
	if err != nil {
		return nil, err
	}
	r := &rule{Rule: Rule{Kind: ExclusionPath, Text: text, Index: index}, pattern: p, restrict: rs, wild: !p.literal}
	// A literal last part names a file, or a folder with everything below
	// it. A last part with a wildcard is a file-name part: it matches names
	// in the last folder named, and nothing below them ("the rules stop at
	// the file argument match in the matched folder"), unless the entry is
	// restricted to folders.
	r.descend = len(p.parts) == 0 || !p.parts[len(p.parts)-1].wild
	if rs != nil {
		for _, pt := range rs.pathTypes {
			if pt == pathTypeFolder {
				r.descend = true
			}
		}
	}
	return r, nil
}

// extensionRule parses an ExclusionExtension entry.
func (c *compiler) extensionRule(text string, index int) (*rule, error) {
	if err := checkText(text); err != nil {
		return nil, err
	}
	e := strings.TrimPrefix(text, ".")
	switch {
	case e == "":
		return nil, fmt.Errorf("%w: no extension", ErrInvalidExtension)
	case strings.ContainsAny(e, `\/:<>"|`):
		return nil, fmt.Errorf("%w: it holds a separator or a character not allowed in names", ErrInvalidExtension)
	case strings.IndexByte(e, '.') >= 0:
		return nil, fmt.Errorf("%w: a dot after the first character (how a multi-part extension such as .ko.gz is matched on Windows is not documented)", ErrInvalidExtension)
	case dotty(e):
		return nil, ErrTrailingDotOrSpace
	case countWildcards(e) > maxWildcards:
		return nil, ErrTooManyWildcards
	}
	return &rule{
		Rule:    Rule{Kind: ExclusionExtension, Text: text, Index: index},
		pattern: pattern{canon: e},
		ext:     true,
		extPat:  upperString(e),
		wild:    hasWildcard(e),
	}, nil
}

// isImageName reports whether a process entry is an image name alone.
func isImageName(text string) bool {
	return !strings.ContainsAny(text, `\/:%`)
}

// processRule parses an ExclusionProcess entry (or the value of a Process
// restriction): an image name alone, or a full path that allows wildcards as
// for paths. A full-path process rule matches the image path exactly; it
// does not reach into folders below.
func (c *compiler) processRule(text string, index int) (*rule, error) {
	if err := checkText(text); err != nil {
		return nil, err
	}
	if strings.Contains(text, `\:{`) {
		return nil, fmt.Errorf("%w: contextual restrictions are documented for ExclusionPath entries only", ErrContextSyntax)
	}
	r := &rule{Rule: Rule{Kind: ExclusionProcess, Text: text, Index: index}}
	if isImageName(text) {
		switch {
		case hasWildcard(text):
			return nil, ErrWildcardInImageName
		case dotty(text):
			return nil, ErrTrailingDotOrSpace
		case text == "." || text == "..":
			return nil, ErrDotSegment
		case strings.ContainsAny(text, `<>"|`):
			return nil, ErrInvalidCharacter
		}
		r.image = true
		r.canon = text
		return r, nil
	}
	p, err := c.parsePattern(text)
	if err != nil {
		return nil, err
	}
	r.pattern = p
	r.wild = !p.literal
	return r, nil
}

// parseRestriction parses the inside of {...}: comma-separated TypeName:value
// items. Types and values are case-sensitive, as documented.
func (c *compiler) parseRestriction(body string) (*restriction, error) {
	items, err := splitItems(body)
	if err != nil {
		return nil, err
	}
	rs := &restriction{}
	for _, it := range items {
		name, value, ok := strings.Cut(strings.TrimSpace(it), ":")
		if !ok {
			return nil, fmt.Errorf("%w: %q is not TypeName:value", ErrContextSyntax, it)
		}
		bad := fmt.Errorf("%w: %s cannot be %q (types and values are case-sensitive)", ErrContextSyntax, name, value)
		switch name {
		case "PathType":
			switch value {
			case "file":
				rs.pathTypes = append(rs.pathTypes, pathTypeFile)
			case "folder":
				rs.pathTypes = append(rs.pathTypes, pathTypeFolder)
			default:
				return nil, bad
			}
		case "ScanType":
			switch value {
			case "quick":
				rs.scanTypes = append(rs.scanTypes, QuickScan)
			case "full":
				rs.scanTypes = append(rs.scanTypes, FullScan)
			default:
				return nil, bad
			}
		case "ScanTrigger":
			switch value {
			case "OnDemand":
				rs.triggers = append(rs.triggers, OnDemand)
			case "OnAccess":
				rs.triggers = append(rs.triggers, OnAccess)
			case "BM":
				rs.triggers = append(rs.triggers, BM)
			default:
				return nil, bad
			}
		case "Process":
			if len(value) < 2 || value[0] != '"' || value[len(value)-1] != '"' {
				return nil, fmt.Errorf("%w: a Process value must be quoted", ErrContextSyntax)
			}
			pr, err := c.processRule(value[1:len(value)-1], 0)
			if err != nil {
				return nil, fmt.Errorf("process %s: %w", value, err)
			}
			rs.procs = append(rs.procs, pr)
		default:
			return nil, fmt.Errorf("%w: unknown type %q (known: PathType, ScanType, ScanTrigger, Process)", ErrContextSyntax, name)
		}
	}
	return rs, nil
}

// splitItems splits at commas outside double quotes.
func splitItems(body string) ([]string, error) {
	var items []string
	start, quoted := 0, false
	for i := 0; i < len(body); i++ {
		switch body[i] {
		case '"':
			quoted = !quoted
		case ',':
			if !quoted {
				items = append(items, body[start:i])
				start = i + 1
			}
		}
	}
	if quoted {
		return nil, fmt.Errorf("%w: unterminated quote", ErrContextSyntax)
	}
	items = append(items, body[start:])
	for _, it := range items {
		if strings.TrimSpace(it) == "" {
			return nil, fmt.Errorf("%w: empty restriction", ErrContextSyntax)
		}
	}
	return items, nil
}
