package mode

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// setter stores one property's value into a struct of type T.
type setter[T any] func(*T, prop) error

// fieldTable maps the lower-cased property name to its setter. Properties
// not in the table are kept as JSON in the struct's Extra map.
type fieldTable[T any] map[string]setter[T]

// decoded is what every parsed struct shares: the form, the properties
// reported and the untyped ones.
type decoded struct {
	form     Form
	reported []string
	extra    map[string]json.RawMessage
	// partial holds the errors that leave the rest of the result usable:
	// lists the console shortened.
	partial []error
}

// sharedFields are properties both cmdlets print; they do not show which
// cmdlet an input came from.
var sharedFields = map[string]bool{"computerid": true, "pscomputername": true}

// decode stores the document's properties into v. A document that holds
// none of the properties the table knows (beyond the shared ones) is not
// this cmdlet's output: what is the error's text.
func decode[T any](doc *document, fields fieldTable[T], v *T, what string) (decoded, error) {
	d := decoded{form: doc.form, reported: make([]string, 0, len(doc.props))}
	known := false
	for _, p := range doc.props {
		d.reported = append(d.reported, p.name)
		key := strings.ToLower(p.name)
		set, ok := fields[key]
		known = known || (ok && !sharedFields[key])
		if !ok {
			if d.extra == nil {
				d.extra = make(map[string]json.RawMessage)
			}
			d.extra[p.name] = p.asJSON()
			continue
		}
		if err := set(v, p); err != nil {
			if errors.Is(err, ErrTruncatedList) {
				d.partial = append(d.partial, err)
				continue
			}
			return d, err
		}
	}
	if !known {
		return d, newParseError("", "", 0, fmt.Errorf("%w: none of the properties of %s", ErrFormat, what))
	}
	return d, nil
}

func has(reported []string, name string) bool {
	for _, r := range reported {
		if strings.EqualFold(r, name) {
			return true
		}
	}
	return false
}

func boolField[T any](f func(*T) *Bool) setter[T] {
	return func(t *T, p prop) (err error) { *f(t), err = p.asBool(); return err }
}

func stringField[T any](f func(*T) *string) setter[T] {
	return func(t *T, p prop) (err error) { *f(t), _, err = p.asString(); return err }
}

func versionField[T any](f func(*T) *Version) setter[T] {
	return func(t *T, p prop) (err error) { *f(t), err = p.asVersion(); return err }
}

func stringsField[T any](f func(*T) *[]string) setter[T] {
	return func(t *T, p prop) (err error) { *f(t), _, err = p.asStrings(); return err }
}

// enumField reads an enumeration that the platform encodes as a small
// integer n; the Go value is n+1, so that the zero value means "not
// reported". names[0] is the name of the zero value; the text forms may
// also give the name instead of the number.
func enumField[T any, E ~uint8](f func(*T) *E, names []string) setter[T] {
	return func(t *T, p prop) error {
		if p.isNull() {
			*f(t) = 0
			return nil
		}
		if p.isText() {
			s := strings.TrimSpace(p.text)
			for i, n := range names[1:] {
				if strings.EqualFold(s, n) {
					*f(t) = E(i + 1)
					return nil
				}
			}
		}
		n, _, err := p.asInt()
		if err != nil {
			return err
		}
		if n < 0 || n >= int64(len(names)-1) {
			return p.rangeError(strconv.FormatInt(n, 10), fmt.Sprintf("documented values are 0 to %d", len(names)-2))
		}
		*f(t) = E(n + 1)
		return nil
	}
}
