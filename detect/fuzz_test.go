package detect

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"
)

// FuzzDecode feeds arbitrary bytes to the stream Decoder and to
// Detection.UnmarshalJSON. Properties:
//
//   - nothing panics, and the stream always ends;
//   - every error is typed: *LineError around ErrSyntax, ErrNotObject,
//     ErrTooLong or a *FieldError naming a field; or a sticky *StreamError;
//   - reading the stream one byte, or 13 bytes, at a time gives the same
//     results;
//   - the package's JSON validator agrees with json.Valid, and its string
//     decoding with encoding/json's;
//   - every decoded detection encodes to valid JSON that decodes again and
//     re-encodes to the same bytes;
//   - a single alert that decodes encodes to a document equal in meaning to
//     its input (nothing dropped, nothing changed).
func FuzzDecode(f *testing.F) {
	files, err := filepath.Glob("testdata/*.json*")
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{
		`{"id":"a"}`, `[]`, `{"value":[]}`, `{"@odata.count":1,"value":[{"id":"x"}]}`,
		`"\ud83d\ude00\u00e9\\\/\b\f\n\r\t\u0000"`, `"\ud800\u0041"`, "\"\xff\xfe\"",
		`{"id":"a","evidence":[{"verdict":"x","@odata.type":"#microsoft.graph.security.fileEvidence","fileDetails":null}]}`,
		`{"id":"a","i\u0064":"b","evidence":null,"mdeDeviceId":null,"detectionStatus":"blocked"}`,
		"[{\"id\":\"a\"}\n,\n{\"id\":1}\n,2]", "{\"id\":\"a\"}\r\n\r\n{\"id\":", "\xEF\xBB\xBF[", "[[[[[[[[[[",
		`{"id":"a","createdDateTime":"2023-12-04T09:18:43","evidence":[{"@odata.type":"#microsoft.graph.security.processEvidence","processId":"12","imageFile":{}}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		bulk := decodeAll(t, bytes.NewReader(data))
		slow := decodeAll(t, iotest.OneByteReader(bytes.NewReader(data)))
		if diff := cmp.Diff(bulk, slow); diff != "" {
			t.Fatalf("one byte at a time differs (-bulk +slow):\n%s", diff)
		}
		chunked := decodeAll(t, &chunkReader{r: bytes.NewReader(data), n: 13})
		if diff := cmp.Diff(bulk, chunked); diff != "" {
			t.Fatalf("13 bytes at a time differs (-bulk +chunked):\n%s", diff)
		}
		if diff := cmp.Diff(bulk, decodeRecords(t, bytes.NewReader(data))); diff != "" {
			t.Fatalf("NextRecord then Parse differs from Next (-Next +NextRecord):\n%s", diff)
		}

		if got, want := valid(data), json.Valid(data); got != want {
			t.Fatalf("valid() = %v, json.Valid = %v", got, want)
		}
		if tok := trimSpace(data); len(tok) > 0 && tok[0] == '"' && json.Valid(tok) {
			var want string
			if err := json.Unmarshal(tok, &want); err != nil {
				t.Fatal(err)
			}
			if got, ok := unquote(tok); !ok || got != want {
				t.Fatalf("unquote = %q, %v; encoding/json = %q", got, ok, want)
			}
		}

		var d Detection
		err := d.UnmarshalJSON(data)
		if !json.Valid(data) {
			if !errors.Is(err, ErrSyntax) {
				t.Fatalf("invalid JSON gave %v", err)
			}
			return
		}
		if err != nil {
			checkRecordError(t, err)
			return
		}
		if isNull(bytes.TrimSpace(data)) {
			return
		}
		out := checkReencode(t, &d)
		var want, got any
		dw := json.NewDecoder(bytes.NewReader(data))
		dw.UseNumber()
		dg := json.NewDecoder(bytes.NewReader(out))
		dg.UseNumber()
		if dw.Decode(&want) != nil || dg.Decode(&got) != nil {
			t.Fatal("generic decode failed")
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("round trip changed the alert (-in +out):\n%s\nin:  %s\nout: %s", diff, data, out)
		}
	})
}

// decodeAll runs a Decoder to the end, checking the properties of each
// result, and returns a description of each.
func decodeAll(t *testing.T, r io.Reader) []string {
	dec := NewDecoder(r, Options{MaxRecordBytes: 4096})
	var out []string
	for range 100000 {
		d, err := dec.Next()
		if err == io.EOF {
			if _, again := dec.Next(); again != io.EOF {
				t.Fatalf("after io.EOF: %v", again)
			}
			return out
		}
		var le *LineError
		var se *StreamError
		switch {
		case err == nil:
			if d == nil || d.ID == "" {
				t.Fatalf("detection without an ID: %#v", d)
			}
			checkReencode(t, d)
			out = append(out, "ok "+d.ID)
		case errors.As(err, &le):
			if d != nil || le.Line < 1 {
				t.Fatalf("bad LineError %v (detection %v)", err, d)
			}
			if !errors.Is(le.Err, ErrTooLong) {
				checkRecordError(t, le.Err)
			}
			out = append(out, err.Error())
		case errors.As(err, &se):
			if se.Line < 1 || !(errors.Is(err, ErrSyntax) || errors.Is(err, ErrEncoding) || errors.Is(err, io.ErrUnexpectedEOF)) {
				t.Fatalf("bad StreamError %v", err)
			}
			if _, again := dec.Next(); again != err {
				t.Fatalf("StreamError is not sticky: %v then %v", err, again)
			}
			return append(out, err.Error())
		default:
			t.Fatalf("untyped error %T: %v", err, err)
		}
	}
	t.Fatal("the stream did not end")
	return nil
}

// decodeRecords runs a Decoder to the end with NextRecord, parsing each
// record only after the next one has been framed (as a reader handing
// records to other goroutines does), and describes the results as
// decodeAll does.
func decodeRecords(t *testing.T, r io.Reader) []string {
	dec := NewDecoder(r, Options{MaxRecordBytes: 4096})
	var out []string
	var held []Record
	flush := func() {
		for _, rec := range held {
			d, err := rec.Parse()
			if err != nil {
				out = append(out, err.Error())
				continue
			}
			out = append(out, "ok "+d.ID)
		}
		held = held[:0]
	}
	for range 100000 {
		rec, err := dec.NextRecord()
		switch {
		case err == io.EOF:
			flush()
			return out
		case err == nil:
			held = append(held, rec)
			if len(held) == 3 {
				flush()
			}
			continue
		}
		flush()
		out = append(out, err.Error())
		var le *LineError
		if !errors.As(err, &le) {
			return out
		}
	}
	t.Fatal("the stream did not end")
	return nil
}

// chunkReader reads at most n bytes at a time, so that record boundaries,
// escapes and the eight-byte fast paths meet the ends of the read buffer.
type chunkReader struct {
	r io.Reader
	n int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	return c.r.Read(p[:min(len(p), c.n)])
}

// checkRecordError checks the error for one bad record.
func checkRecordError(t *testing.T, err error) {
	t.Helper()
	if errors.Is(err, ErrSyntax) || errors.Is(err, ErrNotObject) {
		return
	}
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field == "" ||
		!(errors.Is(err, ErrMissingField) || errors.Is(err, ErrType) || errors.Is(err, ErrValue)) {
		t.Fatalf("untyped record error %T: %v", err, err)
	}
}

// checkReencode encodes d, decodes the output and encodes again; the two
// encodings must be equal.
func checkReencode(t *testing.T, d *Detection) []byte {
	t.Helper()
	out, err := json.Marshal(d)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	var d2 Detection
	if err := json.Unmarshal(out, &d2); err != nil {
		t.Fatalf("re-decode of %s: %v", out, err)
	}
	out2, err := json.Marshal(&d2)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out, out2) {
		t.Fatalf("re-encoding differs:\n%s\n%s", out, out2)
	}
	if d2.ID != d.ID || d2.DeviceID != d.DeviceID || d2.Status != d.Status || len(d2.Evidence) != len(d.Evidence) {
		t.Fatalf("re-decoded detection differs: %+v vs %+v", d2, d)
	}
	return out
}
