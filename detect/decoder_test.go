package detect

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// step is one result of Decoder.Next, reduced for comparison.
type step struct {
	ID   string // the detection's ID, or "" for an error
	Line int    // LineError/StreamError line
	Err  string // "line", "stream" or "" — the error's type
	Is   error  // a sentinel the error wraps, if checked
}

// run decodes the whole stream and returns its steps (io.EOF excluded).
func run(t *testing.T, r io.Reader, opts Options) ([]step, *Decoder) {
	t.Helper()
	dec := NewDecoder(r, opts)
	var out []step
	for range 1000 {
		d, err := dec.Next()
		if err == io.EOF {
			return out, dec
		}
		var le *LineError
		var se *StreamError
		switch {
		case err == nil:
			require.NotNil(t, d)
			out = append(out, step{ID: d.ID})
		case errors.As(err, &le):
			require.Nil(t, d)
			out = append(out, step{Line: le.Line, Err: "line", Is: sentinel(err)})
		case errors.As(err, &se):
			require.Nil(t, d)
			out = append(out, step{Line: se.Line, Err: "stream", Is: sentinel(err)})
			// A fatal error is sticky.
			_, again := dec.Next()
			require.Equal(t, err, again)
			return out, dec
		default:
			t.Fatalf("untyped error %T: %v", err, err)
		}
	}
	t.Fatal("stream did not end")
	return nil, nil
}

// sentinel returns the package sentinel err wraps.
func sentinel(err error) error {
	for _, s := range []error{ErrMissingField, ErrType, ErrValue, ErrSyntax, ErrNotObject, ErrTooLong, ErrEncoding, io.ErrUnexpectedEOF} {
		if errors.Is(err, s) {
			return s
		}
	}
	return nil
}

func cmpSteps(t *testing.T, want, got []step) {
	t.Helper()
	if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b error) bool { return a == b })); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

var sampleIDs = []step{
	{ID: "da638390671234567890_1126483905"},
	{ID: "da638391023456789012_-587211345"},
	{ID: "da638391554433221100_1877665544"},
	{ID: "da638392110987654321_-1412553087"},
	{ID: "ad5e8a3c7b1f2d4e6a8c0e2f4a6c8e0f"},
}

func TestDecoder_readsEachFormat(t *testing.T) {
	tests := []struct {
		file   string
		format Format
	}{
		{"alerts.jsonl", FormatJSONLines},
		{"alerts_array.json", FormatArray},
		{"graph_list.json", FormatGraphList},
	}
	for _, tt := range tests {
		t.Run(tt.file+"_is_detected_as_"+tt.format.String(), func(t *testing.T) {
			steps, dec := run(t, bytes.NewReader(mustRead(t, tt.file)), Options{})
			cmpSteps(t, sampleIDs, steps)
			assert.Equal(t, tt.format, dec.Format())
		})
		t.Run(tt.file+"_one_byte_at_a_time", func(t *testing.T) {
			steps, dec := run(t, iotest.OneByteReader(bytes.NewReader(mustRead(t, tt.file))), Options{})
			cmpSteps(t, sampleIDs, steps)
			assert.Equal(t, tt.format, dec.Format())
		})
	}
	t.Run("the_stream_decodes_to_the_same_detections_as_the_single_files", func(t *testing.T) {
		dec := NewDecoder(bytes.NewReader(mustRead(t, "graph_list.json")), Options{})
		for _, name := range samples {
			got, err := dec.Next()
			require.NoError(t, err)
			if diff := cmp.Diff(decodeSample(t, name), got, ignoreOrig); diff != "" {
				t.Errorf("%s (-file +stream):\n%s", name, diff)
			}
		}
	})
}

func TestDecoder_malformedLineIsReportedAndTheStreamGoesOn(t *testing.T) {
	steps, _ := run(t, bytes.NewReader(mustRead(t, "malformed.jsonl")), Options{})
	cmpSteps(t, []step{
		{ID: "da638391023456789012_-587211345"},
		// line 2 is empty and skipped
		{Line: 3, Err: "line", Is: ErrSyntax},       // truncated line
		{ID: "da638392110987654321_-1412553087"},    // line 4
		{Line: 5, Err: "line", Is: ErrMissingField}, // no id
		{Line: 6, Err: "line", Is: ErrNotObject},    // [1,2,3]
		{Line: 7, Err: "line", Is: ErrValue},        // processId "not-a-pid"
		{ID: "ad5e8a3c7b1f2d4e6a8c0e2f4a6c8e0f"},    // line 8, CRLF
	}, steps)

	dec := NewDecoder(bytes.NewReader(mustRead(t, "malformed.jsonl")), Options{})
	var fieldErrs []string
	for _, err := range dec.All() {
		var fe *FieldError
		if errors.As(err, &fe) {
			fieldErrs = append(fieldErrs, fe.Field)
		}
	}
	assert.Equal(t, []string{"id", "evidence[1].processId"}, fieldErrs, "field errors inside line errors name the field")
}

func TestDecoder_jsonLines(t *testing.T) {
	ok := func(id string) string { return `{"id":"` + id + `"}` }
	tests := []struct {
		name string
		in   string
		opts Options
		want []step
	}{
		{"empty_input_is_an_empty_stream", "", Options{}, nil},
		{"blank_lines_are_skipped", "\n\n  \t\r\n" + ok("a") + "\n\n" + ok("b"), Options{}, []step{{ID: "a"}, {ID: "b"}}},
		{"the_last_line_needs_no_newline", ok("a") + "\n" + ok("b"), Options{}, []step{{ID: "a"}, {ID: "b"}}},
		{"CRLF_line_ends_are_accepted", ok("a") + "\r\n" + ok("b") + "\r\n", Options{}, []step{{ID: "a"}, {ID: "b"}}},
		{"a_UTF-8_byte_order_mark_is_skipped", "\xEF\xBB\xBF" + ok("a") + "\n", Options{}, []step{{ID: "a"}}},
		{"a_line_longer_than_the_limit_is_skipped_and_the_stream_goes_on",
			ok("a") + "\n" + `{"id":"b","pad":"` + strings.Repeat("x", 200) + `"}` + "\n" + ok("c") + "\n",
			Options{MaxRecordBytes: 64}, []step{{ID: "a"}, {Line: 2, Err: "line", Is: ErrTooLong}, {ID: "c"}}},
		{"a_line_longer_than_the_read_buffer_is_read_whole",
			`{"id":"a","pad":"` + strings.Repeat("x", 3*readBufSize) + `"}` + "\n" + ok("b"),
			Options{}, []step{{ID: "a"}, {ID: "b"}}},
		{"two_objects_on_one_line_are_a_bad_line", ok("a") + ok("b") + "\n" + ok("c"), Options{},
			[]step{{Line: 1, Err: "line", Is: ErrSyntax}, {ID: "c"}}},
		{"a_pretty-printed_object_is_not_JSON_lines", "{\n\"id\":\"a\"\n}\n", Options{},
			[]step{{Line: 1, Err: "line", Is: ErrSyntax}, {Line: 2, Err: "line", Is: ErrSyntax}, {Line: 3, Err: "line", Is: ErrSyntax}}},
		{"a_line_that_is_not_JSON_at_all", "hello\n" + ok("a"), Options{}, []step{{Line: 1, Err: "line", Is: ErrSyntax}, {ID: "a"}}},
		{"a_single_alert_object_on_one_line", ok("a"), Options{}, []step{{ID: "a"}}},
		{"forced_JSON_lines_reads_an_array_line_as_a_bad_record", "[" + ok("a") + "]\n" + ok("b"), Options{Format: FormatJSONLines},
			[]step{{Line: 1, Err: "line", Is: ErrNotObject}, {ID: "b"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			steps, _ := run(t, strings.NewReader(tt.in), tt.opts)
			cmpSteps(t, tt.want, steps)
		})
	}
}

func TestDecoder_arrays(t *testing.T) {
	ok := func(id string) string { return `{"id":"` + id + `"}` }
	tests := []struct {
		name string
		in   string
		opts Options
		want []step
	}{
		{"an_empty_array", " [ ] ", Options{}, nil},
		{"a_pretty-printed_array", "[\n  " + ok("a") + ",\n  " + ok("b") + "\n]\n", Options{}, []step{{ID: "a"}, {ID: "b"}}},
		{"a_bad_element_is_reported_with_its_line_and_the_stream_goes_on",
			"[\n" + ok("a") + ",\n{\"id\": 7},\n{\"id\" \"x\"},\n" + ok("d") + "\n]",
			Options{}, []step{{ID: "a"}, {Line: 3, Err: "line", Is: ErrType}, {Line: 4, Err: "line", Is: ErrSyntax}, {ID: "d"}}},
		{"an_element_that_is_not_an_object", `[1,"x",null,` + ok("a") + `]`, Options{},
			[]step{{Line: 1, Err: "line", Is: ErrNotObject}, {Line: 1, Err: "line", Is: ErrNotObject}, {Line: 1, Err: "line", Is: ErrNotObject}, {ID: "a"}}},
		{"an_element_longer_than_the_limit_is_skipped",
			"[" + ok("a") + ",\n" + `{"id":"b","pad":"` + strings.Repeat("]", 200) + `"}` + ",\n" + ok("c") + "]",
			Options{MaxRecordBytes: 64}, []step{{ID: "a"}, {Line: 2, Err: "line", Is: ErrTooLong}, {ID: "c"}}},
		{"brackets_and_escapes_inside_strings_do_not_end_an_element",
			`[{"id":"a","t":"}]\"{["},` + ok("b") + `]`, Options{}, []step{{ID: "a"}, {ID: "b"}}},
		{"arrays_one_after_another_are_one_stream", "[" + ok("a") + "]\n[" + ok("b") + "]", Options{}, []step{{ID: "a"}, {ID: "b"}}},
		{"a_missing_comma_ends_the_stream", "[" + ok("a") + "\n" + ok("b") + "]", Options{},
			[]step{{ID: "a"}, {Line: 2, Err: "stream", Is: ErrSyntax}}},
		{"a_trailing_comma_ends_the_stream", "[" + ok("a") + ",]", Options{},
			[]step{{ID: "a"}, {Line: 1, Err: "stream", Is: ErrSyntax}}},
		{"data_after_the_array_ends_the_stream", "[" + ok("a") + "]\n" + ok("b"), Options{},
			[]step{{ID: "a"}, {Line: 2, Err: "stream", Is: ErrSyntax}}},
		{"a_truncated_array_ends_the_stream", "[" + ok("a") + ",\n" + `{"id":"b"`, Options{},
			[]step{{ID: "a"}, {Line: 2, Err: "stream", Is: io.ErrUnexpectedEOF}}},
		{"a_missing_closing_bracket_ends_the_stream", "[" + ok("a"), Options{},
			[]step{{ID: "a"}, {Line: 1, Err: "stream", Is: io.ErrUnexpectedEOF}}},
		{"forced_array_on_JSON_lines_ends_the_stream", ok("a") + "\n", Options{Format: FormatArray},
			[]step{{Line: 1, Err: "stream", Is: ErrSyntax}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			steps, _ := run(t, strings.NewReader(tt.in), tt.opts)
			cmpSteps(t, tt.want, steps)
		})
	}
}

func TestDecoder_graphListResponses(t *testing.T) {
	ok := func(id string) string { return `{"id":"` + id + `"}` }
	tests := []struct {
		name   string
		in     string
		opts   Options
		want   []step
		format Format
	}{
		{"value_without_annotations", `{"value":[` + ok("a") + `]}`, Options{}, []step{{ID: "a"}}, FormatGraphList},
		{"annotations_before_and_after_value_are_skipped",
			`{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#security/alerts_v2","@odata.count":2,"value":[` + ok("a") + `,` + ok("b") + `],"@odata.nextLink":"https://graph.microsoft.com/v1.0/security/alerts_v2?$skip=2"}`,
			Options{}, []step{{ID: "a"}, {ID: "b"}}, FormatGraphList},
		{"an_empty_page", `{"@odata.context":"x","value":[]}`, Options{}, nil, FormatGraphList},
		{"pages_one_after_another_are_one_stream", `{"value":[` + ok("a") + "]}\n" + `{"value":[` + ok("b") + "]}\n", Options{}, []step{{ID: "a"}, {ID: "b"}}, FormatGraphList},
		{"a_single_alert_with_an_odata_type_is_JSON_lines",
			`{"@odata.type":"#microsoft.graph.security.alert","id":"a"}`, Options{}, []step{{ID: "a"}}, FormatJSONLines},
		{"a_single_GET_response_with_a_context_is_JSON_lines",
			`{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#security/alerts_v2/$entity","id":"a"}`, Options{}, []step{{ID: "a"}}, FormatJSONLines},
		{"an_alert_whose_property_is_named_value_but_is_not_an_array",
			`{"value":"x","id":"a"}`, Options{}, []step{{ID: "a"}}, FormatJSONLines},
		{"forced_list_format_with_a_non_array_value_ends_the_stream",
			`{"value":{}}`, Options{Format: FormatGraphList}, []step{{Line: 1, Err: "stream", Is: ErrSyntax}}, FormatGraphList},
		{"a_bad_alert_inside_value_is_a_line_error", `{"value":[{"id":1},` + ok("b") + `]}`, Options{},
			[]step{{Line: 1, Err: "line", Is: ErrType}, {ID: "b"}}, FormatGraphList},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			steps, dec := run(t, strings.NewReader(tt.in), tt.opts)
			cmpSteps(t, tt.want, steps)
			assert.Equal(t, tt.format, dec.Format())
		})
	}
}

func TestDecoder_fatalConditions(t *testing.T) {
	t.Run("UTF-16_input_is_refused", func(t *testing.T) {
		steps, _ := run(t, strings.NewReader("\xFF\xFE{\x00"), Options{})
		cmpSteps(t, []step{{Line: 1, Err: "stream", Is: ErrEncoding}}, steps)
	})
	t.Run("a_reader_error_ends_the_stream", func(t *testing.T) {
		boom := errors.New("disk on fire")
		r := io.MultiReader(strings.NewReader(`{"id":"a"}`+"\n"), iotest.ErrReader(boom))
		dec := NewDecoder(r, Options{})
		d, err := dec.Next()
		require.NoError(t, err)
		assert.Equal(t, "a", d.ID)
		_, err = dec.Next()
		assert.ErrorIs(t, err, boom)
		var se *StreamError
		assert.ErrorAs(t, err, &se)
	})
}

func TestDecoder_memoryStaysBoundedByTheRecordLimit(t *testing.T) {
	const limit = 1 << 16
	// A 16 MiB line, then a good one: the decoder must not hold the long
	// line, only skip it.
	long := io.MultiReader(strings.NewReader(`{"id":"a","pad":"`), &repeatReader{b: 'x', n: 16 << 20}, strings.NewReader("\"}\n{\"id\":\"b\"}\n"))
	steps, dec := run(t, long, Options{MaxRecordBytes: limit})
	cmpSteps(t, []step{{Line: 1, Err: "line", Is: ErrTooLong}, {ID: "b"}}, steps)
	assert.LessOrEqual(t, cap(dec.rec), 2*(limit+readBufSize))

	arr := io.MultiReader(strings.NewReader(`[{"id":"a","pad":"`), &repeatReader{b: 'x', n: 16 << 20}, strings.NewReader(`"},{"id":"b"}]`))
	steps, dec = run(t, arr, Options{MaxRecordBytes: limit})
	cmpSteps(t, []step{{Line: 1, Err: "line", Is: ErrTooLong}, {ID: "b"}}, steps)
	assert.LessOrEqual(t, cap(dec.rec), 2*(limit+readBufSize))
}

// repeatReader yields n copies of b.
type repeatReader struct {
	b byte
	n int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, io.EOF
	}
	n := min(len(p), r.n)
	for i := range n {
		p[i] = r.b
	}
	r.n -= n
	return n, nil
}

func TestDecoder_All(t *testing.T) {
	f, err := os.Open("testdata/malformed.jsonl")
	require.NoError(t, err)
	defer f.Close()
	var ids []string
	bad := 0
	for d, err := range NewDecoder(f, Options{}).All() {
		if err != nil {
			bad++
			continue
		}
		ids = append(ids, d.ID)
	}
	assert.Len(t, ids, 3)
	assert.Equal(t, 4, bad)

	t.Run("stops_after_a_fatal_error", func(t *testing.T) {
		n := 0
		for _, err := range NewDecoder(strings.NewReader(`[{"id":"a"} {"id":"b"}]`), Options{}).All() {
			n++
			if n == 2 {
				assert.ErrorIs(t, err, ErrSyntax)
			}
		}
		assert.Equal(t, 2, n)
	})
	t.Run("the_caller_may_stop_early", func(t *testing.T) {
		n := 0
		for range NewDecoder(bytes.NewReader(mustRead(t, "alerts.jsonl")), Options{}).All() {
			n++
			break
		}
		assert.Equal(t, 1, n)
	})
}

func TestFormat_String(t *testing.T) {
	assert.Equal(t, "auto", FormatAuto.String())
	assert.Equal(t, "jsonl", FormatJSONLines.String())
	assert.Equal(t, "array", FormatArray.String())
	assert.Equal(t, "graphlist", FormatGraphList.String())
	assert.Equal(t, "Format(9)", Format(9).String())
}

// TestDecoder_NextRecord frames every sample stream with NextRecord and
// parses the records out of order of framing: the results are those of
// Next, and a record's data is not overwritten by later reads.
func TestDecoder_NextRecord(t *testing.T) {
	files := []string{"alerts.jsonl", "alerts_array.json", "graph_list.json", "malformed.jsonl"}
	for _, name := range files {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile("testdata/" + name)
			require.NoError(t, err)
			want := decodeAll(t, bytes.NewReader(data))
			require.NotEmpty(t, want)
			got := decodeRecords(t, iotest.HalfReader(bytes.NewReader(data)))
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("NextRecord then Parse differs from Next (-Next +NextRecord):\n%s", d)
			}
		})
	}
	t.Run("too_long_is_the_records_own_error", func(t *testing.T) {
		dec := NewDecoder(strings.NewReader(`{"id":"`+strings.Repeat("x", 100)+`"}`+"\n"+`{"id":"b"}`), Options{MaxRecordBytes: 50})
		_, err := dec.NextRecord()
		var le *LineError
		require.ErrorAs(t, err, &le)
		assert.Equal(t, 1, le.Line)
		assert.ErrorIs(t, err, ErrTooLong)
		rec, err := dec.NextRecord()
		require.NoError(t, err)
		assert.Equal(t, 2, rec.Line)
		d, err := rec.Parse()
		require.NoError(t, err)
		assert.Equal(t, "b", d.ID)
	})
}
