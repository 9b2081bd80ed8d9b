package detect

import (
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"time"
)

// kind is the JSON shape of a modelled property.
type kind uint8

const (
	kString   kind = iota // String, or an enumeration (a string type)
	kTime                 // DateTimeOffset
	kInt                  // Int64
	kStrings              // String collection
	kDetails              // microsoft.graph.security.fileDetails
	kEvidence             // alertEvidence collection
	kType                 // the @odata.type of a typed evidence item
)

// maxFields bounds the number of modelled properties of one type (a bit set
// of that width tracks which were seen).
const maxFields = 32

// field describes one modelled property of T: its Graph name, its shape, and
// where it lives in T.
type field[T any] struct {
	name     string
	kind     kind
	required bool
	str      func(*T) *string
	tm       func(*T) *time.Time
	num      func(*T) *int64
	strs     func(*T) *[]string
	det      func(*T) *FileDetails
	ev       func(*T) *[]Evidence
	// common, for a kString property, says its values recur (enumerations,
	// categories, signers), so decoding looks them up in the interned set.
	common bool
	// derive, for a kString property, gives the value implied by the other
	// properties when this one is absent from the input.
	derive func(*T) string
	// typeName, for kType, is written for a value built in Go.
	typeName string
}

// schema maps a JSON object to T and back. Properties it does not model go
// to T's Extra map; T also keeps the object it was decoded from (orig), so
// that encoding can reproduce unchanged values byte for byte, in their
// original order, including nulls and the exact spelling of timestamps.
type schema[T any] struct {
	fields []field[T]
	index  map[string]int
	// names finds a field by name in input, faster than index.
	names *nameTable
	extra func(*T) *map[string]json.RawMessage
	orig  func(*T) *[]byte
	// extraHint sizes a new Extra map: how many unmodelled properties an
	// object of this type usually has.
	extraHint int
}

func newSchema[T any](extraHint int, extra func(*T) *map[string]json.RawMessage, orig func(*T) *[]byte, fields ...field[T]) *schema[T] {
	if len(fields) > maxFields {
		panic("detect: too many fields in schema")
	}
	s := &schema[T]{fields: fields, index: make(map[string]int, len(fields)), extra: extra, orig: orig, extraHint: extraHint}
	names := make([]string, len(fields))
	for i, f := range fields {
		s.index[f.name] = i
		names[i] = f.name
	}
	s.names = newNameTable(names)
	return s
}

// isKnown reports whether name is a modelled property.
func (s *schema[T]) isKnown(name string) bool {
	_, ok := s.index[name]
	return ok
}

// errBadJSON reports, inside the decoders, input that is not valid JSON.
// parseRecord turns it into a syntax error for the whole record.
var errBadJSON = errors.New("detect: invalid JSON")

// decodeAt decodes the JSON object that starts at b[i] == '{' into dst
// (which must be zero), checking as it goes that the object is valid JSON,
// and returns the index just past it. depth is the number of containers
// open around the object, itself included (1 for a top-level object). dst
// keeps references into b.
func (s *schema[T]) decodeAt(b []byte, i, depth int, dst *T) (int, error) {
	start := i
	var seen uint64
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		i++
	} else {
		for {
			if i >= len(b) || b[i] != '"' {
				return -1, errBadJSON
			}
			ke, plain := scanStringPlain(b, i)
			if ke < 0 {
				return -1, errBadJSON
			}
			key := b[i+1 : ke-1]
			if !plain {
				k, _ := unescape(key)
				key = []byte(k)
			}
			i = skipSpace(b, ke)
			if i >= len(b) || b[i] != ':' {
				return -1, errBadJSON
			}
			i = skipSpace(b, i+1)
			var e int
			if fi := s.names.find(key); fi >= 0 {
				f := &s.fields[fi]
				var err error
				if e, err = s.decodeFieldAt(f, b, i, depth, dst); err != nil {
					if err == errBadJSON {
						return -1, err
					}
					return -1, prefix(f.name, err)
				}
				seen |= 1 << fi
			} else {
				if e = scanValueDepth(b, i, depth); e < 0 {
					return -1, errBadJSON
				}
				m := s.extra(dst)
				if *m == nil {
					*m = make(map[string]json.RawMessage, s.extraHint)
				}
				(*m)[intern(key)] = json.RawMessage(b[i:e:e])
			}
			i = skipSpace(b, e)
			if i < len(b) && b[i] == ',' {
				i = skipSpace(b, i+1)
				continue
			}
			if i < len(b) && b[i] == '}' {
				i++
				break
			}
			return -1, errBadJSON
		}
	}
	for fi := range s.fields {
		f := &s.fields[fi]
		if seen&(1<<fi) != 0 {
			continue
		}
		if f.required {
			return -1, newFieldError(f.name, nil, ErrMissingField)
		}
		if f.derive != nil {
			*f.str(dst) = f.derive(dst)
		}
	}
	*s.orig(dst) = b[start:i:i]
	return i, nil
}

// wrongType returns the error for a value of the wrong JSON type at b[i].
func wrongType(b []byte, i, depth int) error {
	e := scanValueDepth(b, i, depth)
	if e < 0 {
		return errBadJSON
	}
	return newFieldError("", b[i:e], ErrType)
}

// decodeFieldAt reads the value of one property, starting at b[i], and
// returns the index just past it. A returned *FieldError has a path relative
// to the property (possibly empty).
func (s *schema[T]) decodeFieldAt(f *field[T], b []byte, i, depth int, dst *T) (int, error) {
	if i >= len(b) {
		return -1, errBadJSON
	}
	switch f.kind {
	case kType:
		// Checked by the caller when it chose T; a duplicate is kept as is.
		e := scanValueDepth(b, i, depth)
		if e < 0 {
			return -1, errBadJSON
		}
		return e, nil
	case kString, kTime, kInt:
		var str string
		var e int
		switch c := b[i]; {
		case c == '"':
			var plain bool
			if e, plain = scanStringPlain(b, i); e < 0 {
				return -1, errBadJSON
			}
			if plain && f.common {
				str = intern(b[i+1 : e-1])
			} else if plain {
				str = string(b[i+1 : e-1])
			} else {
				str, _ = unescape(b[i+1 : e-1])
			}
		case c == 'n':
			if e = scanLiteral(b, i, "null"); e < 0 {
				return -1, errBadJSON
			}
			if f.required {
				return -1, newFieldError("", b[i:e], ErrMissingField)
			}
			// null is the zero value (and overrides an earlier duplicate).
			switch f.kind {
			case kString:
				*f.str(dst) = ""
			case kTime:
				*f.tm(dst) = time.Time{}
			case kInt:
				*f.num(dst) = 0
			}
			return e, nil
		case f.kind == kInt && (c == '-' || isDigit(c)):
			if e = scanNumber(b, i); e < 0 {
				return -1, errBadJSON
			}
			n, err := parseInt(b[i:e])
			if err != nil {
				return -1, newFieldError("", b[i:e], err)
			}
			*f.num(dst) = n
			return e, nil
		default:
			return -1, wrongType(b, i, depth)
		}
		switch f.kind {
		case kString:
			if f.required && str == "" {
				return -1, newFieldError("", b[i:e], ErrMissingField)
			}
			*f.str(dst) = str
		case kTime:
			t, err := parseTimeString(str)
			if err != nil {
				return -1, newFieldError("", b[i:e], err)
			}
			*f.tm(dst) = t
		case kInt:
			n, err := parseInt(b[i:e])
			if err != nil {
				return -1, newFieldError("", b[i:e], err)
			}
			*f.num(dst) = n
		}
		return e, nil
	case kStrings:
		switch b[i] {
		case 'n':
			*f.strs(dst) = nil
			return nullAt(b, i)
		case '[':
			return decodeStringsAt(b, i, depth, f.strs(dst))
		}
		return -1, wrongType(b, i, depth)
	case kDetails:
		d := f.det(dst)
		*d = FileDetails{}
		switch b[i] {
		case 'n':
			e, err := nullAt(b, i)
			if err == nil {
				d.orig = b[i:e:e]
			}
			return e, err
		case '{':
			e, err := detailsSchema.decodeAt(b, i, depth+1, d)
			d.cacheFullPath(err)
			return e, err
		}
		return -1, wrongType(b, i, depth)
	case kEvidence:
		switch b[i] {
		case 'n':
			*f.ev(dst) = nil
			return nullAt(b, i)
		case '[':
			return decodeEvidenceAt(b, i, depth+1, f.ev(dst))
		}
		return -1, wrongType(b, i, depth)
	}
	return -1, errBadJSON
}

// nullAt checks the literal null at b[i].
func nullAt(b []byte, i int) (int, error) {
	e := scanLiteral(b, i, "null")
	if e < 0 {
		return -1, errBadJSON
	}
	return e, nil
}

// decodeStringsAt reads an array of strings starting at b[i] == '['.
func decodeStringsAt(b []byte, i, depth int, dst *[]string) (int, error) {
	if depth+1 > maxDepth {
		return -1, errBadJSON
	}
	out := []string{}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == ']' {
		*dst = out
		return i + 1, nil
	}
	for n := 0; ; n++ {
		if i >= len(b) {
			return -1, errBadJSON
		}
		if b[i] != '"' {
			err := wrongType(b, i, depth+1)
			if fe, ok := err.(*FieldError); ok {
				fe.Field = "[" + strconv.Itoa(n) + "]"
			}
			return -1, err
		}
		e, plain := scanStringPlain(b, i)
		if e < 0 {
			return -1, errBadJSON
		}
		if plain {
			out = append(out, intern(b[i+1:e-1]))
		} else {
			str, _ := unescape(b[i+1 : e-1])
			out = append(out, str)
		}
		i = skipSpace(b, e)
		if i < len(b) && b[i] == ',' {
			i = skipSpace(b, i+1)
			continue
		}
		if i < len(b) && b[i] == ']' {
			*dst = out
			return i + 1, nil
		}
		return -1, errBadJSON
	}
}

// encode appends v as a JSON object. Members of the object v was decoded
// from come first, in their order; an unchanged modelled value is copied
// from the input as it was. Then come modelled properties that were absent
// and now have a value, then Extra entries that were not in the input, in
// name order. Extra entries named like a modelled property are ignored.
func (s *schema[T]) encode(buf []byte, v *T) ([]byte, error) {
	buf = append(buf, '{')
	n := 0
	var done uint64
	var err error
	extra := *s.extra(v)
	var written []string // unknown names already written
	if it, ok := newObjIter(*s.orig(v)); ok {
		// The last occurrence of a duplicated name is the one decoding kept.
		var last [maxFields][]byte
		for {
			k, val, ok := it.next()
			if !ok {
				break
			}
			if i := s.names.find(keyName(k)); i >= 0 {
				last[i] = val
			}
		}
		it, _ = newObjIter(*s.orig(v))
		for {
			k, _, ok := it.next()
			if !ok {
				break
			}
			name := keyName(k)
			if i := s.names.find(name); i >= 0 {
				if done&(1<<i) != 0 {
					continue
				}
				done |= 1 << i
				buf = member(buf, &n, s.fields[i].name)
				if buf, err = s.encodePresent(buf, &s.fields[i], last[i], v); err != nil {
					return nil, err
				}
				continue
			}
			nm := string(name)
			if slices.Contains(written, nm) {
				continue
			}
			written = append(written, nm)
			if raw, ok := extra[nm]; ok {
				buf = member(buf, &n, nm)
				buf = append(buf, raw...)
			}
		}
	}
	for i := range s.fields {
		if done&(1<<i) != 0 {
			continue
		}
		f := &s.fields[i]
		if !s.wantAbsent(f, v) {
			continue
		}
		buf = member(buf, &n, f.name)
		if buf, err = s.encodeValue(buf, f, v); err != nil {
			return nil, err
		}
	}
	var keys []string
	for k := range extra {
		if !slices.Contains(written, k) && !s.isKnown(k) {
			keys = append(keys, k)
		}
	}
	if len(keys) > 0 {
		slices.Sort(keys)
		for _, k := range keys {
			buf = member(buf, &n, k)
			buf = append(buf, extra[k]...)
		}
	}
	return append(buf, '}'), nil
}

// member appends the separator and the name of the next member.
func member(buf []byte, n *int, name string) []byte {
	if *n > 0 {
		buf = append(buf, ',')
	}
	*n++
	buf = appendString(buf, name)
	return append(buf, ':')
}

// encodePresent appends the value of a property that the input had, as raw.
func (s *schema[T]) encodePresent(buf []byte, f *field[T], raw []byte, v *T) ([]byte, error) {
	same := false
	switch f.kind {
	case kString:
		old, err := parseString(raw)
		same = err == nil && old == *f.str(v)
	case kTime:
		old, err := parseTime(raw)
		cur := *f.tm(v)
		same = err == nil && (sameTime(old, cur) || (old.IsZero() && cur.IsZero()))
		if !same && cur.IsZero() {
			return append(buf, "null"...), nil
		}
	case kInt:
		old, err := parseInt(raw)
		same = err == nil && old == *f.num(v)
	case kStrings:
		old, err := parseStrings(raw)
		cur := *f.strs(v)
		same = err == nil && slices.Equal(old, cur)
		if !same && cur == nil {
			return append(buf, "null"...), nil
		}
	case kEvidence:
		same = isNull(raw) && len(*f.ev(v)) == 0
	case kType:
		same = true
	}
	if same {
		return append(buf, raw...), nil
	}
	return s.encodeValue(buf, f, v)
}

// wantAbsent reports whether a property absent from the input (or a value
// built in Go) is to be written.
func (s *schema[T]) wantAbsent(f *field[T], v *T) bool {
	if f.required {
		return true
	}
	switch f.kind {
	case kString:
		if f.derive != nil {
			return *f.str(v) != f.derive(v)
		}
		return *f.str(v) != ""
	case kTime:
		return !f.tm(v).IsZero()
	case kInt:
		return *f.num(v) != 0
	case kStrings:
		return *f.strs(v) != nil
	case kDetails:
		return !f.det(v).IsZero()
	case kEvidence:
		return len(*f.ev(v)) > 0
	case kType:
		return true
	}
	return false
}

// encodeValue appends the current value of a property.
func (s *schema[T]) encodeValue(buf []byte, f *field[T], v *T) ([]byte, error) {
	switch f.kind {
	case kString:
		return appendString(buf, *f.str(v)), nil
	case kTime:
		return appendTime(buf, *f.tm(v)), nil
	case kInt:
		return strconv.AppendInt(buf, *f.num(v), 10), nil
	case kStrings:
		return appendStrings(buf, *f.strs(v)), nil
	case kDetails:
		return f.det(v).appendJSON(buf)
	case kEvidence:
		return appendEvidenceList(buf, *f.ev(v))
	case kType:
		return appendString(buf, f.typeName), nil
	}
	return buf, nil
}
