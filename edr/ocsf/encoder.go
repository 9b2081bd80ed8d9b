package ocsf

import (
	"bytes"
	"encoding/json"
	"io"

	"github.com/blockmode/blockmode/edr"
)

// Encoder writes records as OCSF events in JSON lines: one compact JSON
// object per event, each followed by a newline. An Encoder is not safe for
// concurrent use.
type Encoder struct {
	w    io.Writer
	opts Options
	buf  bytes.Buffer
}

// NewEncoder returns an Encoder that writes to w.
func NewEncoder(w io.Writer, opts Options) *Encoder {
	return &Encoder{w: w, opts: opts}
}

// Encode writes the events of one record (see [Events]) with a single
// Write. A record that cannot be encoded writes nothing and returns its
// *RecordError, so that a caller can skip it (errors.Is(err,
// ErrNotTerminal)) and go on; an error from the writer is returned as is.
func (e *Encoder) Encode(r edr.Record) error {
	evs, err := Events(r, e.opts)
	if err != nil {
		return err
	}
	e.buf.Reset()
	enc := json.NewEncoder(&e.buf)
	enc.SetEscapeHTML(false)
	for _, ev := range evs {
		if err := enc.Encode(ev); err != nil {
			return err
		}
	}
	_, err = e.w.Write(e.buf.Bytes())
	return err
}
