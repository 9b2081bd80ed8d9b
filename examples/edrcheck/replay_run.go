package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/blockmode/blockmode/detect"
	"github.com/blockmode/blockmode/remediate"
)

// Batching: records are framed in order, decided in parallel in batches,
// and written in order. At most maxInFlight batches exist at once, so
// memory is bounded by the batch limits whatever the input's length.
const (
	batchRecords = 256
	batchBytes   = 1 << 20
)

// The replay table's rows: fixed widths, since a stream cannot be measured
// before it is printed.
const (
	decisionRow = "%-34s %-21s %-20s %-10s %-21s %s\n"
	compareRow  = "%-34s %-21s %-21s %-30s %-30s %s\n"
)

// maxReportedErrors bounds the unreadable records reported one by one.
const maxReportedErrors = 20

// batch is a run of records, and what deciding them gave. Batches are
// reused: a run allocates maxInFlight of them.
type batch struct {
	seq   int
	recs  []framed
	out   bytes.Buffer  // formatted output lines
	enc   *json.Encoder // writes to out
	errs  []error       // the unreadable records, in order
	stats replayStats
}

// framed is one record as the framer found it: the record, or why it
// could not be framed (too long).
type framed struct {
	rec detect.Record
	err error
}

func newBatch() *batch {
	b := &batch{recs: make([]framed, 0, batchRecords), stats: newStats()}
	b.out.Grow(batchRecords * 512)
	b.enc = json.NewEncoder(&b.out)
	return b
}

// reset readies b for reuse.
func (b *batch) reset(seq int) {
	b.seq = seq
	clear(b.recs) // let the records' data go
	b.recs = b.recs[:0]
	b.out.Reset()
	clear(b.errs)
	b.errs = b.errs[:0]
	b.stats.reset()
}

// replayStats are the counts behind the summary.
type replayStats struct {
	Detections int            `json:"detections"`
	Verdicts   map[string]int `json:"verdicts"`
	Statuses   map[string]int `json:"statuses"`
	Different  int            `json:"different,omitempty"`
	// Changes groups the differences by what changed and why (--compare).
	changes map[changeKey]int
}

type changeKey struct{ change, because string }

func (s *replayStats) add(o *replayStats) {
	s.Detections += o.Detections
	s.Different += o.Different
	for k, v := range o.Verdicts {
		s.Verdicts[k] += v
	}
	for k, v := range o.Statuses {
		s.Statuses[k] += v
	}
	for k, v := range o.changes {
		s.changes[k] += v
	}
}

func newStats() replayStats {
	return replayStats{Verdicts: map[string]int{}, Statuses: map[string]int{}, changes: map[changeKey]int{}}
}

func (s *replayStats) reset() {
	s.Detections, s.Different = 0, 0
	clear(s.Verdicts)
	clear(s.Statuses)
	clear(s.changes)
}

// countingReader counts the bytes read, for the progress line.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

func (r *replay) run(ctx context.Context, in io.Reader, name string, e env) (int, error) {
	for _, w := range r.warnings {
		fmt.Fprintf(e.stderr, "edrcheck replay: warning: %s\n", w)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	counter := &countingReader{r: in}
	dec := detect.NewDecoder(counter, detect.Options{MaxRecordBytes: r.f.maxRecordBytes})

	workers := max(1, runtime.GOMAXPROCS(0))
	maxInFlight := 2*workers + 2
	jobs := make(chan *batch, maxInFlight)
	done := make(chan *batch, maxInFlight)
	var frameErr error // a fatal stream error; read after jobs is closed

	var done64 atomic.Int64 // detections decided, for the progress line
	// free holds the batches to reuse; a batch is a token to frame.
	free := make(chan *batch, maxInFlight)
	for range maxInFlight {
		free <- newBatch()
	}
	go func() { // the framer
		defer close(jobs)
		seq, size := 0, 0
		var b *batch
		take := func() bool {
			select {
			case b = <-free:
				b.reset(seq)
				seq++
				size = 0
				return true
			case <-ctx.Done():
				return false
			}
		}
		if !take() {
			return
		}
		for {
			if ctx.Err() != nil {
				return
			}
			rec, err := dec.NextRecord()
			if err == io.EOF {
				break
			}
			var le *detect.LineError
			switch {
			case errors.As(err, &le):
				// A record too long to frame: it keeps its place.
				b.recs = append(b.recs, framed{err: err})
			case err != nil:
				frameErr = err
				if len(b.recs) > 0 {
					jobs <- b
				}
				return
			default:
				b.recs = append(b.recs, framed{rec: rec})
				size += len(rec.Data)
			}
			if len(b.recs) >= batchRecords || size >= batchBytes {
				jobs <- b
				if !take() {
					return
				}
			}
		}
		if len(b.recs) > 0 {
			jobs <- b
		}
	}()

	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for b := range jobs {
				r.decideBatch(b)
				done64.Add(int64(len(b.recs)))
				done <- b
			}
		})
	}
	go func() { wg.Wait(); close(done) }()

	errOut := &stderrLine{w: e.stderr}
	stopProgress := r.progress(e, errOut, counter, sizeOf(in), &done64)
	defer stopProgress()

	// Write the batches in order.
	w := bufio.NewWriterSize(e.stdout, 64<<10)
	headed := r.f.asJSON // the table's header is printed with its first row
	header := func() {
		if headed {
			return
		}
		headed = true
		if r.f.compare {
			fmt.Fprintf(w, compareRow, "DETECTION", "TIME", "CHANGE", "CURRENT", "PROPOSED", "BECAUSE")
		} else {
			fmt.Fprintf(w, decisionRow, "DETECTION", "TIME", "VERDICT", "STATUS", "ACTIONS", "RULE")
		}
	}
	total := newStats()
	pending := map[int]*batch{}
	next, unreadable := 0, 0
	wrote := false // any detection's line
	var writeErr error
	for b := range done {
		pending[b.seq] = b
		for {
			b, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			next++
			if writeErr == nil && b.out.Len() > 0 {
				header()
				wrote = true
				_, writeErr = w.Write(b.out.Bytes())
				if writeErr != nil {
					cancel() // stdout is gone: stop reading
				}
			}
			for _, err := range b.errs {
				if unreadable < maxReportedErrors {
					errOut.printf("edrcheck replay: %s: %v\n", name, err)
				}
				unreadable++
			}
			total.add(&b.stats)
			free <- b
		}
	}
	stopProgress()
	if writeErr != nil {
		return 0, writeErr
	}
	if unreadable > maxReportedErrors {
		fmt.Fprintf(e.stderr, "edrcheck replay: %s: %d more unreadable records not shown\n", name, unreadable-maxReportedErrors)
	}
	var failure error
	switch {
	case frameErr != nil:
		failure = &inputError{file: name, err: fmt.Errorf("%w (the stream cannot be read past this point)", frameErr)}
	case ctx.Err() != nil:
		failure = ctx.Err()
	case unreadable > 0:
		failure = &inputError{file: name, err: fmt.Errorf("%d of %d records could not be read; the output is incomplete", unreadable, total.Detections+unreadable)}
	}
	if failure != nil {
		// Output already written must not pass for a complete replay:
		// it ends in an error line, where a complete one ends in the
		// summary.
		if headed && (r.f.asJSON || wrote) {
			r.incomplete(w, failure)
		}
		if err := w.Flush(); err != nil {
			return 0, err
		}
		return 0, failure
	}
	header()
	if err := r.summary(w, &total); err != nil {
		return 0, err
	}
	if err := w.Flush(); err != nil {
		return 0, err
	}
	if r.f.compare && total.Different > 0 {
		return exitFindings, nil
	}
	return exitOK, nil
}

// decideBatch parses and decides every record of b, and formats the
// output lines.
func (r *replay) decideBatch(b *batch) {
	for _, f := range b.recs {
		if f.err != nil {
			b.errs = append(b.errs, f.err)
			continue
		}
		det, err := f.rec.Parse()
		if err == nil {
			err = r.decideOne(b, f.rec.Line, det)
		}
		if err != nil {
			b.errs = append(b.errs, err)
		}
	}
}

// decideOne decides det, read from line; a detection that cannot be
// decided is an error.
func (r *replay) decideOne(b *batch, line int, det *detect.Detection) error {
	t := det.Time
	if r.at != nil {
		t = *r.at
	} else if t.IsZero() && (r.cur.hist != nil || r.prop.hist != nil) {
		return &detect.LineError{Line: line, Err: errors.New("field createdDateTime: missing: deciding under a settings history needs each detection's time (or --at)")}
	}
	b.stats.Detections++
	if !r.f.compare {
		d, bm := r.prop.decide(det, t)
		b.stats.Verdicts[d.Verdict.String()]++
		b.stats.Statuses[statusName(d)]++
		if r.f.asJSON {
			b.enc.Encode(decisionLine{Type: "decision", Line: line, At: t, BlockMode: bm, Decision: d})
			return nil
		}
		fmt.Fprintf(&b.out, decisionRow, clean(det.ID), timeText(t), d.Verdict, statusName(d), actionsText(d.Actions), d.Rule)
		return nil
	}
	cd, cbm := r.cur.decide(det, t)
	pd, pbm := r.prop.decide(det, t)
	b.stats.Verdicts[pd.Verdict.String()]++
	b.stats.Statuses[statusName(pd)]++
	change, because, differs := difference(cd, pd, cbm, pbm)
	if !differs {
		return nil
	}
	b.stats.Different++
	b.stats.changes[changeKey{change, because}]++
	if r.f.asJSON {
		b.enc.Encode(differenceLine{
			Type: "difference", DetectionID: det.ID, Line: line, At: t, Change: change, Because: because,
			Current: outcomeOf(cd, cbm), Proposed: outcomeOf(pd, pbm),
		})
		return nil
	}
	fmt.Fprintf(&b.out, compareRow, clean(det.ID), timeText(t), change,
		outcomeText(cd), outcomeText(pd), clean(because))
	return nil
}

// decisionLine is replay's JSON line for one detection.
type decisionLine struct {
	Type      string              `json:"type"` // "decision"
	Line      int                 `json:"line"` // the input line the detection starts on
	At        time.Time           `json:"at"`   // the instant block mode's state was taken at
	BlockMode remediate.BlockMode `json:"blockMode"`
	Decision  remediate.Decision  `json:"decision"`
}

// differenceLine is replay --compare's JSON line for one detection whose
// outcome differs.
type differenceLine struct {
	Type        string    `json:"type"` // "difference"
	DetectionID string    `json:"detectionId"`
	Line        int       `json:"line"`
	At          time.Time `json:"at"`
	Change      string    `json:"change"`
	Because     string    `json:"because"`
	Current     outcome   `json:"current"`
	Proposed    outcome   `json:"proposed"`
}

// outcome is a decision reduced to what a comparison shows.
type outcome struct {
	BlockMode bool               `json:"blockModeInEffect"`
	Verdict   remediate.Verdict  `json:"verdict"`
	Status    string             `json:"status"`
	Rule      string             `json:"rule"`
	Reason    string             `json:"reason"`
	Actions   []remediate.Action `json:"actions"`
}

func outcomeOf(d remediate.Decision, bm remediate.BlockMode) outcome {
	return outcome{BlockMode: bm.InEffect, Verdict: d.Verdict, Status: statusName(d), Rule: d.Rule, Reason: d.Reason, Actions: d.Actions}
}

func statusName(d remediate.Decision) string {
	if d.Status == "" {
		return "-"
	}
	return string(d.Status)
}

func timeText(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

// actionsText counts the actions by kind: "1 stop, 2 quarantine".
func actionsText(as []remediate.Action) string {
	if len(as) == 0 {
		return "-"
	}
	var stop, quarantine int
	for _, a := range as {
		switch a.Kind {
		case remediate.StopProcess:
			stop++
		case remediate.Quarantine:
			quarantine++
		}
	}
	var parts []string
	if stop > 0 {
		parts = append(parts, strconv.Itoa(stop)+" stop")
	}
	if quarantine > 0 {
		parts = append(parts, strconv.Itoa(quarantine)+" quarantine")
	}
	return strings.Join(parts, ", ")
}

func outcomeText(d remediate.Decision) string {
	return d.Verdict.String() + " (" + statusName(d) + ")"
}

func remediates(v remediate.Verdict) bool {
	return v == remediate.Remediate || v == remediate.PartialRemediate
}

// difference says whether two decisions on one detection differ, how,
// and why.
func difference(cur, prop remediate.Decision, cbm, pbm remediate.BlockMode) (change, because string, differs bool) {
	switch {
	case remediates(cur.Verdict) && !remediates(prop.Verdict):
		change = "no longer remediated"
	case !remediates(cur.Verdict) && remediates(prop.Verdict):
		change = "newly remediated"
	case !sameActions(cur.Actions, prop.Actions):
		change = "different actions"
	case cur.Verdict != prop.Verdict || cur.Status != prop.Status:
		change = "different outcome"
	default:
		return "", "", false
	}
	if cbm.InEffect != pbm.InEffect {
		if pbm.InEffect {
			return change, "because block mode is in effect", true
		}
		return change, "because block mode is not in effect (" + pbm.State + ")", true
	}
	for i := range min(len(cur.Items), len(prop.Items)) {
		ci, pi := cur.Items[i], prop.Items[i]
		if ci.Outcome == pi.Outcome && ci.Exclusion == pi.Exclusion {
			continue
		}
		switch {
		case pi.Exclusion.Kind != 0 && (ci.Exclusion.Kind == 0 || ci.Exclusion.Text != pi.Exclusion.Text):
			return change, "because of exclusion " + ruleText(pi.Exclusion), true
		case ci.Exclusion.Kind != 0 && pi.Exclusion.Kind == 0:
			return change, "because exclusion " + ruleText(ci.Exclusion) + " is removed", true
		}
	}
	return change, "by rule " + prop.Rule, true
}

func sameActions(a, b []remediate.Action) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Kind != b[i].Kind || a[i].Evidence != b[i].Evidence || a[i].Path != b[i].Path || a[i].ProcessID != b[i].ProcessID {
			return false
		}
	}
	return true
}

// errorLine is replay's last JSON line when the input could not be read
// to its end.
type errorLine struct {
	Type     string `json:"type"` // "error"
	Error    string `json:"error"`
	Complete bool   `json:"complete"` // always false
}

// incomplete ends output that was cut short by failure.
func (r *replay) incomplete(w io.Writer, failure error) {
	if r.f.asJSON {
		writeJSONLine(w, errorLine{Type: "error", Error: failure.Error()})
		return
	}
	newText(w).f("\nINCOMPLETE: %s\n", failure.Error())
}

// changePhrases say each change in a sentence.
var changePhrases = map[string]string{
	"no longer remediated": "would no longer be remediated",
	"newly remediated":     "would be remediated",
	"different actions":    "would be remediated with other actions",
	"different outcome":    "would have another outcome",
}

// summaryLine is replay's last JSON line.
type summaryLine struct {
	Type string `json:"type"` // "summary"
	replayStats
	Changes []changeCount `json:"changes,omitempty"`
}

type changeCount struct {
	Change  string `json:"change"`
	Because string `json:"because"`
	Count   int    `json:"count"`
}

func (s *replayStats) changeCounts() []changeCount {
	out := make([]changeCount, 0, len(s.changes))
	for k, n := range s.changes {
		out = append(out, changeCount{k.change, k.because, n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		if out[i].Change != out[j].Change {
			return out[i].Change < out[j].Change
		}
		return out[i].Because < out[j].Because
	})
	return out
}

func (r *replay) summary(w io.Writer, s *replayStats) error {
	if r.f.asJSON {
		return writeJSONLine(w, summaryLine{Type: "summary", replayStats: *s, Changes: s.changeCounts()})
	}
	t := newText(w)
	scenario := "under the device's settings"
	if r.proposed {
		scenario = "under the proposed settings"
	}
	t.f("\n%d detections replayed %s: %s; statuses: %s.\n", s.Detections, scenario, counts(s.Verdicts), counts(s.Statuses))
	if r.f.compare {
		if s.Different == 0 {
			t.f("No detection's outcome differs between the current and the proposed settings.\n")
		}
		for _, c := range s.changeCounts() {
			t.f("%d detection(s) %s %s.\n", c.Count, changePhrases[c.Change], c.Because)
		}
	}
	return t.err
}

// counts renders a count map as "remediate 3, detect only 1", largest
// first.
func counts(m map[string]int) string {
	if len(m) == 0 {
		return "none"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if m[keys[i]] != m[keys[j]] {
			return m[keys[i]] > m[keys[j]]
		}
		return keys[i] < keys[j]
	})
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + " " + strconv.Itoa(m[k])
	}
	return strings.Join(parts, ", ")
}

// stderrLine writes standard error for a run that may show a progress
// line there: a message first clears the progress line, so that the two
// never run together. It is safe for concurrent use.
type stderrLine struct {
	mu    sync.Mutex
	w     io.Writer
	shown bool // a progress line is on screen
}

// progress replaces the progress line with line.
func (l *stderrLine) progress(line string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprint(l.w, "\r\033[K"+line)
	l.shown = true
}

// clear removes the progress line, if shown.
func (l *stderrLine) clear() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.shown {
		fmt.Fprint(l.w, "\r\033[K")
		l.shown = false
	}
}

// printf writes a message on a line of its own.
func (l *stderrLine) printf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.shown {
		fmt.Fprint(l.w, "\r\033[K")
		l.shown = false
	}
	fmt.Fprintf(l.w, format, args...)
}

// progress shows a progress line on a terminal's standard error through
// l, from progressAfter on; the returned func clears it and may be called
// more than once.
func (r *replay) progress(e env, l *stderrLine, c *countingReader, size int64, n *atomic.Int64) func() {
	if !e.stderrTTY || r.f.noProgress {
		return func() {}
	}
	every, after := e.progressEvery, e.progressAfter
	if every <= 0 {
		every, after = 200*time.Millisecond, time.Second
	}
	stop := make(chan struct{})
	finished := make(chan struct{})
	start := time.Now()
	go func() {
		defer close(finished)
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				l.clear()
				return
			case now := <-tick.C:
				el := now.Sub(start)
				if el < after {
					continue
				}
				done := n.Load()
				line := fmt.Sprintf("replay: %d detections, %.0f/s", done, float64(done)/el.Seconds())
				if size > 0 {
					line += fmt.Sprintf(", %d%% of %s", 100*c.n.Load()/size, humanBytes(size))
				}
				l.progress(line)
			}
		}
	}()
	var once sync.Once
	return func() { once.Do(func() { close(stop); <-finished }) }
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d KiB", n>>10)
}
