package mode

import (
	"fmt"
	"strings"
)

// parseTextDocument reads one of the console text forms: the list form
// ("Name : Value" lines), the table form (header, dashes, one row) or the
// output of "sc query windefend".
func parseTextDocument(s string) (*document, error) {
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
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
			last := &doc.props[len(doc.props)-1]
			last.text = joinWrapped(last.text, strings.TrimLeft(l, " \t"))
			continue
		}
		name, value, ok := splitListLine(l)
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
		key := strings.ToLower(name)
		if seen[key] {
			return nil, newParseError(name, "", lineNo, ErrDuplicateField)
		}
		seen[key] = true
		doc.props = append(doc.props, prop{name: name, text: value, line: lineNo, form: FormList})
	}
	for i := range doc.props {
		doc.props[i].text = strings.TrimRight(doc.props[i].text, " \t")
	}
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

// joinWrapped joins a value with the next line it was wrapped onto. The
// console wraps at word boundaries and keeps the space at the end of the
// first line, but copying from a console usually drops trailing spaces; a
// list item that ended with "," is therefore rejoined with ", ".
func joinWrapped(prev, next string) string {
	if strings.HasPrefix(prev, "{") && strings.HasSuffix(prev, ",") {
		return prev + " " + next
	}
	return prev + next
}

// parseTable reads the table form: a header row, a row of dashes whose runs
// give the column positions, and exactly one row of values.
func parseTable(lines []string, first int) (*document, error) {
	header := lines[first]
	dashIdx := first + 1
	for strings.TrimSpace(lines[dashIdx]) == "" {
		dashIdx++
	}
	dashes := lines[dashIdx]
	type col struct{ start, end int }
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
	cell := func(l string, c col, last bool) string {
		if c.start >= len(l) {
			return ""
		}
		end := len(l)
		if !last && c.end+1 < len(l) {
			// A cell runs up to the start of the next column.
			end = c.end + 1
		}
		return strings.TrimSpace(l[c.start:end])
	}
	doc := &document{form: FormTable}
	seen := make(map[string]bool)
	for i, c := range cols {
		last := i == len(cols)-1
		name := cell(header, c, last)
		if name == "" || strings.ContainsAny(name, " \t") {
			return nil, newParseError("", name, first+1, fmt.Errorf("%w: table header is not a property name", ErrSyntax))
		}
		key := strings.ToLower(name)
		if seen[key] {
			return nil, newParseError(name, "", first+1, ErrDuplicateField)
		}
		seen[key] = true
		doc.props = append(doc.props, prop{name: name, text: cell(row, c, last), line: rows[0] + 1, form: FormTable})
	}
	return doc, nil
}
