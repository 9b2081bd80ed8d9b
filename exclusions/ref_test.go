package exclusions

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

// This file holds a simple reference matcher, written from the rules in
// the package documentation without any index, and a property test that
// checks the compiled Matcher against it on random rules and paths.

// refUpper is the case mapping, written out again from its documentation.
func refUpper(r rune) rune {
	switch {
	case r >= 'a' && r <= 'z':
		return r - 32
	case r < 0x80, r > 0xFFFF, r == 'ı', r == 'ſ':
		return r
	}
	u := unicode.ToUpper(r)
	if unicode.ToLower(u) != r {
		return r
	}
	old := func(c rune) bool {
		for _, rg := range [][2]rune{{0xC0, 0x587}, {0x1E00, 0x1FFF}, {0x2160, 0x217F}, {0x24B6, 0x24E9}, {0xFF21, 0xFF5A}} {
			if c >= rg[0] && c <= rg[1] {
				return true
			}
		}
		return false
	}
	if old(r) && old(u) {
		return u
	}
	return r
}

func refEqual(a, b string) bool {
	ra, rb := []rune(a), []rune(b)
	if len(ra) != len(rb) {
		return false
	}
	for i := range ra {
		if refUpper(ra[i]) != refUpper(rb[i]) {
			return false
		}
	}
	return true
}

// refGlob is the textbook recursive matcher.
func refGlob(p, n []rune) bool {
	if len(p) == 0 {
		return len(n) == 0
	}
	switch p[0] {
	case '*':
		for i := 0; i <= len(n); i++ {
			if refGlob(p[1:], n[i:]) {
				return true
			}
		}
		return false
	case '?':
		return len(n) > 0 && n[0] <= 0xFFFF && refGlob(p[1:], n[1:])
	}
	return len(n) > 0 && refUpper(n[0]) == refUpper(p[0]) && refGlob(p[1:], n[1:])
}

func refPart(pat, seg string) bool {
	if strings.ContainsAny(pat, "*?") {
		return refGlob([]rune(pat), []rune(seg))
	}
	return refEqual(pat, seg)
}

// refRule is an entry as the reference reads it (no variables, no
// contextual restrictions: the generator makes none).
type refRule struct {
	kind  Kind
	index int
	image string   // process image name
	ext   string   // extension
	root  string   // path root
	parts []string // path segments
	ok    bool     // the reference would load it
}

func refParse(kind Kind, index int, text string) refRule {
	r := refRule{kind: kind, index: index}
	if text == "" || !utf8.ValidString(text) || utf16Len(text) > 32767 || strings.IndexFunc(text, func(c rune) bool { return c < 0x20 }) >= 0 {
		return r
	}
	wild := strings.Count(text, "*") + strings.Count(text, "?")
	if kind == ExclusionExtension {
		e := strings.TrimPrefix(text, ".")
		r.ext = e
		r.ok = e != "" && !strings.ContainsAny(e, `.\/:<>"|`) && !strings.HasSuffix(e, " ") && wild <= 6
		return r
	}
	if kind == ExclusionProcess && !strings.ContainsAny(text, `\/:%`) {
		r.image = text
		r.ok = wild == 0 && !strings.HasSuffix(text, ".") && !strings.HasSuffix(text, " ") && !strings.ContainsAny(text, `<>"|`)
		return r
	}
	text = strings.ReplaceAll(text, "/", `\`)
	if wild > 6 || strings.Contains(text, `\:{`) {
		return r
	}
	isLetter := func(b byte) bool { return b >= 'A' && b <= 'Z' || b >= 'a' && b <= 'z' }
	var rest string
	switch {
	case len(text) == 2 && isLetter(text[0]) && text[1] == ':':
		r.root = text
	case len(text) >= 3 && isLetter(text[0]) && text[1] == ':' && text[2] == '\\':
		r.root, rest = text[:2], text[3:]
	case strings.HasPrefix(text, `\\`):
		p := strings.SplitN(text[2:], `\`, 3)
		if len(p) < 2 || p[0] == "" || p[1] == "" || p[0] == "." || p[0] == ".." || p[0] == "?" || p[1] == "." || p[1] == ".." ||
			strings.ContainsAny(p[0]+p[1], `:<>"|?*`) {
			return r
		}
		r.root = `\\` + p[0] + `\` + p[1]
		if len(p) == 3 {
			rest = p[2]
		}
	default:
		return r
	}
	for seg := range strings.SplitSeq(rest, `\`) {
		if seg == "" {
			continue
		}
		if seg == "." || seg == ".." || strings.HasSuffix(seg, ".") || strings.HasSuffix(seg, " ") || strings.ContainsAny(seg, `:<>"|`) {
			return r
		}
		r.parts = append(r.parts, seg)
	}
	r.ok = true
	return r
}

// refPath is a path split as the reference needs it.
type refPath struct {
	root  string
	segs  []string
	doubt int // first segment no rule may use
}

func refSplit(c Canonical) refPath {
	p := refPath{root: c.Root()}
	if rest := c.Path[len(p.root)+1:]; rest != "" {
		p.segs = strings.Split(rest, `\`)
	}
	p.doubt = len(p.segs)
	if c.Notes&(NoteUnnormalized|NoteDots|NoteStreamSyntax) != 0 {
		p.doubt = 0
	}
	for i, s := range p.segs {
		if i < p.doubt && (strings.HasSuffix(s, ".") || strings.HasSuffix(s, " ") || mayBeShortName(s)) {
			p.doubt = i
		}
	}
	return p
}

// matches reports whether a path or process pattern matches p; exact
// patterns (process paths, wildcard last parts) must cover all of p.
func (r refRule) matches(p refPath, exactOnly bool) bool {
	k := len(r.parts)
	if !refEqual(r.root, p.root) || k > len(p.segs) || k > p.doubt {
		return false
	}
	lastWild := k > 0 && strings.ContainsAny(r.parts[k-1], "*?")
	if (exactOnly || lastWild) && k != len(p.segs) {
		return false
	}
	for i := range k {
		if !refPart(r.parts[i], p.segs[i]) {
			return false
		}
	}
	return true
}

// refAnswer is what the reference decides: the rule that excludes the
// file (per the documented preference), or ok false.
type refAnswer struct {
	ok   bool
	rule refRule
}

func refMatch(rules []refRule, c Canonical, proc *Canonical, onAccess bool) refAnswer {
	p := refSplit(c)
	var best refAnswer
	better := func(r refRule) bool {
		if !best.ok {
			return true
		}
		k1, k2 := len(r.parts), len(best.rule.parts)
		w1, w2 := slices.ContainsFunc(r.parts, isWild), slices.ContainsFunc(best.rule.parts, isWild)
		return k1 < k2 || k1 == k2 && (!w1 && w2 || w1 == w2 && r.index < best.rule.index)
	}
	for _, r := range rules {
		if r.ok && r.kind == ExclusionPath && r.matches(p, false) && better(r) {
			best = refAnswer{true, r}
		}
	}
	if best.ok {
		return best
	}
	name := ""
	if n := len(p.segs); n > 0 && n <= p.doubt {
		name = p.segs[n-1]
	}
	if dot := strings.LastIndexByte(name, '.'); dot >= 0 {
		ext := name[dot+1:]
		for _, r := range rules {
			if r.ok && r.kind == ExclusionExtension && refPart(r.ext, ext) && (!best.ok || r.index < best.rule.index) {
				best = refAnswer{true, r}
			}
		}
	}
	if best.ok || proc == nil || !onAccess || proc.Stream != "" {
		return best
	}
	pp := refSplit(*proc)
	if len(pp.segs) == 0 || pp.doubt < len(pp.segs) {
		return best
	}
	for _, r := range rules {
		if !r.ok || r.kind != ExclusionProcess {
			continue
		}
		hit := r.image != "" && refEqual(r.image, pp.segs[len(pp.segs)-1]) || r.image == "" && r.matches(pp, true)
		if hit && (!best.ok || r.index < best.rule.index) {
			best = refAnswer{true, r}
		}
	}
	return best
}

func isWild(s string) bool { return strings.ContainsAny(s, "*?") }

// gen makes random paths and rules from a small alphabet full of the
// characters that matter: case pairs NTFS does and does not fold, non-BMP
// characters, dots, spaces and tildes.
type gen struct{ r *rand.Rand }

func newGen(seed uint64) *gen { return &gen{rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))} }

var genPieces = []string{"a", "A", "b", "B", "é", "É", "ı", "I", "i", "İ", "ſ", "s", "S", "ß", "𐐨", "𐐀", "µ", "Μ", "ǅ", "Ǆ",
	"~1", ".", " ", "x", "1", "tmp", "TMP", "exe", "Data", "data"}

func (g *gen) pick(xs []string) string { return xs[g.r.IntN(len(xs))] }

func (g *gen) name() string {
	var b strings.Builder
	for range 1 + g.r.IntN(3) {
		b.WriteString(g.pick(genPieces))
	}
	return b.String()
}

func (g *gen) path() string {
	var b strings.Builder
	switch g.r.IntN(10) {
	case 0:
		b.WriteString(`\\srv\sh`)
	case 1:
		b.WriteString(`\\?\C:`)
	case 2:
		b.WriteString(`//SRV/SH`)
	case 3:
		b.WriteString("c:")
	case 4:
		b.WriteString("D:")
	default:
		b.WriteString("C:")
	}
	n := g.r.IntN(6)
	for range n {
		b.WriteString(g.pick([]string{`\`, `\`, `\`, `/`, `\\`}))
		switch g.r.IntN(12) {
		case 0:
			b.WriteString(".")
		case 1:
			b.WriteString("..")
		default:
			b.WriteString(g.name())
		}
	}
	if n == 0 {
		b.WriteString(`\`)
	}
	switch g.r.IntN(12) {
	case 0:
		b.WriteString(":s")
	case 1:
		b.WriteString("::$DATA")
	case 2:
		b.WriteString(`\`)
	}
	return b.String()
}

// asciiPath makes plain ASCII drive paths of all lengths, the shape the
// fast path handles.
func (g *gen) asciiPath() string {
	const chars = "abcXYZ019 .-_~:\\/*"
	var b strings.Builder
	b.WriteString(g.pick([]string{"C:\\", "d:\\", "C:\\"}))
	for range g.r.IntN(40) {
		if g.r.IntN(6) == 0 {
			b.WriteByte(chars[g.r.IntN(len(chars))])
		} else {
			b.WriteByte("abcdefghAB"[g.r.IntN(10)])
		}
	}
	return b.String()
}

func (g *gen) globName() string {
	s := g.name()
	if g.r.IntN(2) == 0 {
		i := g.r.IntN(len(s) + 1)
		for i > 0 && i < len(s) && (s[i]&0xC0) == 0x80 {
			i--
		}
		s = s[:i] + g.pick([]string{"*", "?", "*", "??"}) + s[i:]
	}
	return s
}

func (g *gen) rulePath(process bool) string {
	var b strings.Builder
	b.WriteString(g.pick([]string{"C:", "C:", "c:", "D:", `\\srv\sh`, `\\SRV\SH`}))
	n := 1 + g.r.IntN(4)
	if !process && g.r.IntN(30) == 0 {
		n = 0 // a whole drive: rare, or it hides everything else
	}
	for range n {
		b.WriteByte('\\')
		switch g.r.IntN(5) {
		case 0:
			b.WriteString("*")
		case 1:
			b.WriteString(g.globName())
		default:
			b.WriteString(g.name())
		}
	}
	if n == 0 && g.r.IntN(2) == 0 {
		b.WriteByte('\\')
	}
	return b.String()
}

func (g *gen) list() List {
	var l List
	for range g.r.IntN(12) {
		l.Paths = append(l.Paths, g.rulePath(false))
	}
	for range g.r.IntN(4) {
		l.Extensions = append(l.Extensions, g.pick([]string{"", "."})+g.pick([]string{"tmp", "TMP", "exe", "é", "É", "t?p", "*", "e*", "a.b", "ı"}))
	}
	for range g.r.IntN(4) {
		if g.r.IntN(2) == 0 {
			l.Processes = append(l.Processes, g.name())
		} else {
			l.Processes = append(l.Processes, g.rulePath(true))
		}
	}
	return l
}

// refCompile parses l with the reference and checks that Compile loaded
// exactly the entries the reference loads.
func refCompile(t testing.TB, l List, cerr error) []refRule {
	var rules []refRule
	for i, s := range l.Paths {
		rules = append(rules, refParse(ExclusionPath, i, s))
	}
	for i, s := range l.Extensions {
		rules = append(rules, refParse(ExclusionExtension, i, s))
	}
	for i, s := range l.Processes {
		rules = append(rules, refParse(ExclusionProcess, i, s))
	}
	rejected := map[Rule]bool{}
	if ce, ok := cerr.(*CompileError); ok {
		for _, e := range ce.Entries {
			rejected[Rule{Kind: e.Kind, Index: e.Index, Text: e.Text}] = true
		}
	} else {
		require.NoError(t, cerr)
	}
	for _, r := range rules {
		var text string
		switch r.kind {
		case ExclusionPath:
			text = l.Paths[r.index]
		case ExclusionExtension:
			text = l.Extensions[r.index]
		default:
			text = l.Processes[r.index]
		}
		require.Equal(t, r.ok, !rejected[Rule{Kind: r.kind, Index: r.index, Text: text}], "%v[%d] %q", r.kind, r.index, text)
	}
	return rules
}

// checkAgainstReference asks m and the reference about one path, and
// reports whether the file is excluded.
func checkAgainstReference(t testing.TB, m *Matcher, rules []refRule, path, process string, onAccess bool) bool {
	res := m.MatchOpenedBy(path, process)
	if res.Err != nil && res.Path.Path == "" {
		require.False(t, res.Excluded, "%q: excluded despite %v", path, res.Err)
		return false
	}
	var proc *Canonical
	if res.Process.Path != "" {
		proc = &res.Process
	}
	want := refMatch(rules, res.Path, proc, onAccess)
	require.Equal(t, want.ok, res.Excluded, "path %q process %q canonical %q: want %v, got %v", path, process, res.Path.Path, want, res)
	if want.ok {
		require.Equal(t, Rule{Kind: want.rule.kind, Index: want.rule.index, Text: res.Rule.Text}, res.Rule, "path %q", path)
	}
	return res.Excluded
}

func TestMatchAgreesWithReference(t *testing.T) {
	g := newGen(42)
	lists, queries := 3000, 40
	if testing.Short() {
		lists = 300
	}
	asked, excluded := 0, 0
	for range lists {
		l := g.list()
		onAccess := g.r.IntN(2) == 0
		opts := Options{}
		if onAccess {
			opts.RemediationTrigger = OnAccess
		}
		m, err := Compile(l, opts)
		require.NotNil(t, m)
		rules := refCompile(t, l, err)
		for range queries {
			proc := ""
			if g.r.IntN(2) == 0 {
				proc = g.path()
			}
			asked++
			if checkAgainstReference(t, m, rules, g.path(), proc, onAccess) {
				excluded++
			}
			// Paths built from the rules themselves hit far more often.
			if len(l.Paths) > 0 {
				p := strings.NewReplacer("*", g.name(), "?", "a").Replace(g.pick(l.Paths))
				asked++
				if checkAgainstReference(t, m, rules, p+g.pick([]string{"", `\x`, `\` + g.name()}), proc, onAccess) {
					excluded++
				}
			}
		}
	}
	t.Logf("%d queries, %d excluded", asked, excluded)
	require.Greater(t, excluded, asked/10, "the generator should exercise hits")
}
