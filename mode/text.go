package mode

import (
	"errors"
	"fmt"
	"strings"
)

// parseTextDocument reads one of the console text forms: the list form
// ("Name : Value" lines), the table form (header, dashes, one row) or the
// output of "sc query windefend".
// skipped is the number of lines before s in the input, for line numbers.
func parseTextDocument(s string, skipped int) (*document, error) {
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	doc, err := parseTextLines(lines)
	if err != nil {
		var pe *ParseError
		if errors.As(err, &pe) && pe.Line > 0 {
			pe.Line += skipped
		}
		return nil, err
	}
	for i := range doc.props {
		doc.props[i].line += skipped
	}
	return doc, nil
}

func parseTextLines(lines []string) (*document, error) {
	first := -1
	for i, l := range lines {
		if strings.TrimSpace(l) != "" {
			first = i
			break
		}
	}
	// parseDocument has already rejected empty input.
	head := strings.TrimSpace(lines[first])
	switch {
	case strings.HasPrefix(head, "SERVICE_NAME:") || strings.HasPrefix(head, "[SC]"):
		return parseServiceQuery(lines)
	case isDashLine(nextNonBlank(lines, first+1)):
		return parseTable(lines, first)
	}
	return parseList(lines)
}

func nextNonBlank(lines []string, from int) string {
	for _, l := range lines[from:] {
		if strings.TrimSpace(l) != "" {
			return l
		}
	}
	return ""
}

// isDashLine reports whether l is the rule under a table header: runs of
// dashes separated by spaces.
func isDashLine(l string) bool {
	t := strings.TrimSpace(l)
	if t == "" {
		return false
	}
	for i := 0; i < len(t); i++ {
		if t[i] != '-' && t[i] != ' ' {
			return false
		}
	}
	return true
}

// parseList reads the Format-List form: each property on a line of its own,
// "Name<padding> : Value", values too long for the console wrapped onto
// following lines indented to the value column.
func parseList(lines []string) (*document, error) {
	doc := &document{form: FormList}
	seen := make(map[string]bool)
	objects := 0
	prevBlank := true
	// The widest line shows the console's width: only a word longer than
	// a line is split at the very end of one.
	width := 0
	for _, l := range lines {
		width = max(width, len(strings.TrimRight(l, " \t")))
	}
	prevLen := 0
	// The value being built: continuation lines are appended to a builder,
	// so that a value wrapped over many lines costs linear time.
	var value strings.Builder
	flush := func() {
		if n := len(doc.props); n > 0 {
			doc.props[n-1].text = strings.TrimRight(value.String(), " \t")
		}
		value.Reset()
	}
	for i, l := range lines {
		lineNo := i + 1
		if strings.TrimSpace(l) == "" {
			prevBlank = true
			continue
		}
		if l[0] == ' ' || l[0] == '\t' {
			// A continuation of the previous value.
			if prevBlank || len(doc.props) == 0 {
				return nil, newParseError("", l, lineNo, fmt.Errorf("%w: indented line without a property before it", ErrSyntax))
			}
			v := value.String()
			var first, last byte
			if v != "" {
				first, last = v[0], v[len(v)-1]
			}
			value.WriteString(wrapSeparator(first, last, prevLen >= width))
			value.WriteString(strings.TrimLeft(l, " \t"))
			prevLen = len(strings.TrimRight(l, " \t"))
			continue
		}
		name, val, ok := splitListLine(l)
		if !ok {
			return nil, newParseError("", l, lineNo, fmt.Errorf("%w: expected \"Name : Value\"", ErrSyntax))
		}
		if prevBlank {
			objects++
			if objects > 1 {
				return nil, newParseError("", "", lineNo, fmt.Errorf("%w: the list holds more than one object; pass one device's output", ErrMultipleObjects))
			}
		}
		prevBlank = false
		prevLen = len(strings.TrimRight(l, " \t"))
		key := strings.ToLower(name)
		if seen[key] {
			return nil, newParseError(name, "", lineNo, ErrDuplicateField)
		}
		seen[key] = true
		flush()
		doc.props = append(doc.props, prop{name: name, line: lineNo, form: FormList})
		value.WriteString(val)
	}
	flush()
	return doc, nil
}

// splitListLine splits "Name   : Value" into its name and value. The name
// is one word; the value may be empty.
func splitListLine(l string) (name, value string, ok bool) {
	colon := strings.IndexByte(l, ':')
	if colon <= 0 {
		return "", "", false
	}
	name = strings.TrimRight(l[:colon], " \t")
	if name == "" || strings.ContainsAny(name, " \t") {
		return "", "", false
	}
	value = l[colon+1:]
	if value != "" {
		if value[0] != ' ' {
			return "", "", false
		}
		value = value[1:]
	}
	return name, value, true
}

// wrapSeparator says what goes between a value and the next line it was
// wrapped onto, given the value's first and last bytes so far.
// Format-List wraps at word boundaries, leaving the space that ended the
// line's last word at its end, and splits a word only when it is longer
// than a line, at the console's full width. Output redirected to a file
// keeps the space, and the parts join as they are. Copying from a console
// drops trailing spaces: a line that stops short of the full width then
// ended at a space, and one is put back. (A value whose every wrap was at
// a space of the widest line cannot be told from a split word; the JSON
// form has no such doubt.) In a list, "{a, b, c}", a line that ends with
// the comma between two items was wrapped at the space after it.
func wrapSeparator(first, last byte, full bool) string {
	switch {
	case last == ' ':
		return ""
	case first == '{' && last == ',':
		return " "
	case full:
		return ""
	}
	return " "
}

// col is a run of dashes under a table header.
type col struct{ start, end int }

// parseTable reads the table form: a header row, a row of dashes whose runs
// give the column positions, and exactly one row of values.
func parseTable(lines []string, first int) (*document, error) {
	header := lines[first]
	dashIdx := first + 1
	for strings.TrimSpace(lines[dashIdx]) == "" {
		dashIdx++
	}
	dashes := lines[dashIdx]
	var cols []col
	for i := 0; i < len(dashes); {
		if dashes[i] != '-' {
			i++
			continue
		}
		j := i
		for j < len(dashes) && dashes[j] == '-' {
			j++
		}
		cols = append(cols, col{i, j})
		i = j
	}
	var rows []int
	for i := dashIdx + 1; i < len(lines); i++ {
		if strings.TrimSpace(lines[i]) != "" {
			rows = append(rows, i)
		}
	}
	if len(rows) == 0 {
		return nil, newParseError("", "", dashIdx+1, fmt.Errorf("%w: table has no row of values", ErrSyntax))
	}
	if len(rows) > 1 {
		return nil, newParseError("", "", rows[1]+1, fmt.Errorf("%w: the table holds more than one row; pass one device's output", ErrMultipleObjects))
	}
	row := lines[rows[0]]
	doc := &document{form: FormTable}
	names, values := tableCells(header, starts(cols)), tableCells(row, starts(cols))
	seen := make(map[string]bool)
	for i, name := range names {
		if name == "" || strings.ContainsAny(name, " \t") {
			return nil, newParseError("", name, first+1, fmt.Errorf("%w: table header is not a property name", ErrSyntax))
		}
		key := strings.ToLower(name)
		if seen[key] {
			return nil, newParseError(name, "", first+1, ErrDuplicateField)
		}
		seen[key] = true
		doc.props = append(doc.props, prop{name: name, text: values[i], line: rows[0] + 1, form: FormTable})
	}
	return doc, nil
}

// tableCells cuts a table line into one cell per column. starts are the
// positions of the runs of dashes, which are as wide as the header, not
// the column: a left-aligned value may run past its dashes to the right,
// and a right-aligned one (numbers, booleans) past them to the left. The
// console puts one space between columns, so the boundary before column i
// is the last space before column i's dashes.
func tableCells(l string, starts []int) []string {
	cells := make([]string, len(starts))
	from := 0
	for i := range starts {
		to := len(l)
		if i+1 < len(starts) {
			to = min(starts[i+1], len(l))
			// Walk left from the next column's start to the separator.
			for j := to - 1; j > from; j-- {
				if l[j] == ' ' {
					to = j
					break
				}
			}
		}
		if from < to {
			cells[i] = strings.TrimSpace(l[from:to])
		}
		from = min(to, len(l))
	}
	return cells
}

func starts(cols []col) []int {
	s := make([]int, len(cols))
	for i, c := range cols {
		s[i] = c.start
	}
	return s
}
