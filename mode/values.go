package mode

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The converters below read one property's value, whatever form it came
// from. Each returns present=false for a value the platform did not report
// (JSON null, or an empty text value), and a *ParseError naming the
// property for a value of the wrong type.

func (p prop) typeError(want string) error {
	v := p.text
	if !p.isText() {
		v = string(p.raw)
	}
	return newParseError(p.name, v, p.line, fmt.Errorf("%w: want %s", ErrType, want))
}

func (p prop) rangeError(v string, detail string) error {
	return newParseError(p.name, v, p.line, fmt.Errorf("%w: %s", ErrRange, detail))
}

func (p prop) isNull() bool {
	if p.isText() {
		return strings.TrimSpace(p.text) == ""
	}
	return bytes.Equal(p.raw, []byte("null"))
}

func (p prop) asString() (string, bool, error) {
	if p.isNull() {
		return "", false, nil
	}
	if p.isText() {
		return strings.TrimSpace(p.text), true, nil
	}
	var s string
	if err := json.Unmarshal(p.raw, &s); err != nil {
		return "", false, p.typeError("a string")
	}
	return s, true, nil
}

func (p prop) asBool() (Bool, error) {
	if p.isNull() {
		return Unset, nil
	}
	if p.isText() {
		switch strings.ToLower(strings.TrimSpace(p.text)) {
		case "true":
			return True, nil
		case "false":
			return False, nil
		}
		return Unset, p.typeError("True or False")
	}
	switch string(p.raw) {
	case "true":
		return True, nil
	case "false":
		return False, nil
	}
	return Unset, p.typeError("a boolean")
}

// asInt reads an integer. PowerShell prints enumerations and counters as
// JSON numbers and as decimal text.
func (p prop) asInt() (int64, bool, error) {
	if p.isNull() {
		return 0, false, nil
	}
	s := strings.TrimSpace(p.text)
	if !p.isText() {
		var n json.Number
		if p.raw[0] == '"' || json.Unmarshal(p.raw, &n) != nil {
			return 0, false, p.typeError("an integer")
		}
		s = n.String()
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, false, p.typeError("an integer")
	}
	return n, true, nil
}

func (p prop) asVersion() (Version, error) {
	s, ok, err := p.asString()
	if err != nil || !ok {
		return Version{}, err
	}
	v, verr := parseVersion(s)
	if verr != nil {
		return Version{}, newParseError(p.name, s, p.line, fmt.Errorf("%w: %s", ErrInvalidVersion, verr))
	}
	return v, nil
}

func (p prop) asMode() (Mode, error) {
	s, ok, err := p.asString()
	if err != nil || !ok {
		return Unknown, err
	}
	m, merr := ParseMode(s)
	if merr != nil {
		return Unknown, newParseError(p.name, s, p.line, ErrUnknownMode)
	}
	return m, nil
}

// textTimeLayouts are the layouts a console prints dates in: the en-US
// default first, then the round-trip form. Other cultures' layouts are not
// guessed.
var textTimeLayouts = []string{
	"1/2/2006 3:04:05 PM",
	"2006-01-02 15:04:05",
	time.RFC3339Nano,
	"2006-01-02T15:04:05.9999999",
}

// asTime reads a date. Windows PowerShell 5.1 writes "\/Date(1700000000000)\/"
// (milliseconds since the Unix epoch, UTC, optionally followed by the
// local offset, "+0100", which does not change the instant); PowerShell 7
// writes ISO 8601 with or without an offset (without one, the time is
// taken as UTC); the console prints the en-US form "11/14/2023 10:13:20 PM"
// in local time, read in the Parser's Location (UTC unless set), because
// the console does not say the zone.
func (p prop) asTime() (time.Time, bool, error) {
	s, ok, err := p.asString()
	if err != nil || !ok {
		return time.Time{}, false, err
	}
	if strings.HasPrefix(s, "/Date(") && strings.HasSuffix(s, ")/") {
		body := s[len("/Date(") : len(s)-len(")/")]
		if i := strings.LastIndexAny(body, "+-"); i > 0 {
			body = body[:i]
		}
		ms, err := strconv.ParseInt(body, 10, 64)
		t := time.UnixMilli(ms).UTC()
		if err != nil || t.Year() < 1 || t.Year() > 9999 {
			return time.Time{}, false, p.typeError("a date")
		}
		return t, true, nil
	}
	loc := p.loc
	if loc == nil {
		loc = time.UTC
	}
	for _, layout := range textTimeLayouts {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, true, nil
		}
	}
	return time.Time{}, false, p.typeError("a date")
}

// listEllipses are how the console marks a list it shortened.
var listEllipses = []string{"...", "…"}

// asStrings reads a list. ConvertTo-Json writes an empty list as null, one
// item as a bare string and more as an array; the console writes
// "{a, b, c}" and, past $FormatEnumerationLimit items, "{a, b, c, d...}",
// which is an error wrapping ErrTruncatedList.
func (p prop) asStrings() ([]string, bool, error) {
	if p.isNull() {
		return nil, true, nil
	}
	if !p.isText() {
		switch p.raw[0] {
		case '"':
			var s string
			if err := json.Unmarshal(p.raw, &s); err != nil {
				return nil, false, p.typeError("a string or a list of strings")
			}
			return []string{s}, true, nil
		case '[':
			var list []*string
			if err := json.Unmarshal(p.raw, &list); err != nil {
				return nil, false, p.typeError("a list of strings")
			}
			out := make([]string, 0, len(list))
			for _, s := range list {
				if s != nil {
					out = append(out, *s)
				}
			}
			return out, true, nil
		}
		return nil, false, p.typeError("a string or a list of strings")
	}
	s := strings.TrimSpace(p.text)
	if !strings.HasPrefix(s, "{") {
		return []string{s}, true, nil
	}
	if !strings.HasSuffix(s, "}") {
		return nil, false, newParseError(p.name, s, p.line, fmt.Errorf("%w: list without its closing brace", ErrSyntax))
	}
	body := s[1 : len(s)-1]
	for _, e := range listEllipses {
		if strings.HasSuffix(body, e) {
			return nil, false, newParseError(p.name, s, p.line, fmt.Errorf("%w: the console shows at most $FormatEnumerationLimit items; use ConvertTo-Json", ErrTruncatedList))
		}
	}
	if strings.TrimSpace(body) == "" {
		return nil, true, nil
	}
	items := strings.Split(body, ", ")
	for i := range items {
		items[i] = strings.TrimSpace(items[i])
	}
	return items, true, nil
}

// asJSON returns the value as JSON: the raw value for the JSON form, a JSON
// string for the text forms.
func (p prop) asJSON() json.RawMessage {
	if !p.isText() {
		return p.raw
	}
	b, _ := json.Marshal(strings.TrimSpace(p.text)) // a string always marshals
	return b
}
