package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"unicode"
	"unicode/utf8"

	"github.com/blockmode/blockmode/exclusions"
)

// text writes human-readable output and keeps the first write error.
type text struct {
	w   io.Writer
	err error
}

func newText(w io.Writer) *text { return &text{w: w} }

// f prints, with every string argument cleaned of control characters.
func (t *text) f(format string, args ...any) {
	if t.err != nil {
		return
	}
	for i, a := range args {
		if s, ok := a.(string); ok {
			args[i] = clean(s)
		}
	}
	_, t.err = fmt.Fprintf(t.w, format, args...)
}

// clean escapes control characters (a path or a name from the input may
// hold terminal escape sequences, or line breaks that would forge lines)
// and invalid UTF-8, as Go quotes them.
func clean(s string) string {
	ok := true
	for _, r := range s {
		if r == utf8.RuneError || unicode.IsControl(r) {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	var b strings.Builder
	for i, r := range s {
		switch {
		case r == utf8.RuneError:
			if _, n := utf8.DecodeRuneInString(s[i:]); n == 1 {
				fmt.Fprintf(&b, `\x%02x`, s[i])
				continue
			}
			b.WriteRune(r)
		case unicode.IsControl(r):
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// table is an aligned table; cells are cleaned of control characters,
// which would break the alignment (and could forge rows).
type table struct {
	t  *text
	tw *tabwriter.Writer
}

func (t *text) table(header ...string) *table {
	tb := &table{t: t, tw: tabwriter.NewWriter(t.w, 0, 0, 2, ' ', 0)}
	tb.row(header...)
	return tb
}

func (tb *table) row(cells ...string) {
	if tb.t.err != nil {
		return
	}
	for i, c := range cells {
		cells[i] = clean(c)
		if cells[i] == "" {
			cells[i] = "-"
		}
	}
	_, tb.t.err = io.WriteString(tb.tw, strings.Join(cells, "\t")+"\n")
}

func (tb *table) flush() {
	if err := tb.tw.Flush(); err != nil && tb.t.err == nil {
		tb.t.err = err
	}
}

// ruleText names an exclusion entry for people: its list, index and text
// as listed, `ExclusionPath[2] C:\Tools\*`; "" for the zero Rule.
func ruleText(r exclusions.Rule) string {
	if r.Kind == 0 {
		return ""
	}
	return r.Kind.String() + "[" + strconv.Itoa(r.Index) + "] " + r.Text
}
