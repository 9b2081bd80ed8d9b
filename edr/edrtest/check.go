package edrtest

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/blockmode/blockmode/edr"
	"github.com/blockmode/blockmode/remediate"
)

// Want is what [CheckRecord] expects of a record. Zero fields are not
// checked; a slice, when set, must have one entry per action.
type Want struct {
	// Status is the record's status.
	Status edr.RecordStatus
	// Actions are the results of the record's actions, in order.
	Actions []edr.ActionResult
	// Kinds are the kinds of the record's actions, in order.
	Kinds []remediate.ActionKind
	// Attempts are the hook calls of each action; a negative entry is not
	// checked.
	Attempts []int
	// Errors are text each action's Error must contain; an empty entry is
	// not checked.
	Errors []string
	// Panics are text each action's Panic must contain (and then its Stack
	// must be set); an empty entry is not checked.
	Panics []string
	// Note is text the record's Note must contain.
	Note string
}

// maxReported bounds the problems a check reports one by one.
const maxReported = 50

// report collects problems and reports them all at once.
type report struct {
	problems []string
}

func (r *report) addf(format string, args ...any) {
	r.problems = append(r.problems, fmt.Sprintf(format, args...))
}

// flush reports every problem through t (up to maxReported, then a count)
// and says whether there was none.
func (r *report) flush(t testing.TB) bool {
	t.Helper()
	for i, p := range r.problems {
		if i == maxReported {
			t.Errorf("... and %d more problems", len(r.problems)-maxReported)
			break
		}
		t.Error(p)
	}
	return len(r.problems) == 0
}

// CheckRecord checks a record against want and against the rules every
// terminal record follows, and reports every mismatch through t at once
// (t.Error, not t.Fatal). It returns whether there was none.
//
// The rules: the status is terminal; the record is for its detection; its
// actions are the decision's, in order, each with a result; timestamps
// are in order; a succeeded action has an attempt and no error, and a
// succeeded quarantine an id; a failed action has an error; a panic has a
// stack; an action not supported by the host, or skipped, has no attempt;
// Blocked and Prevented mean every action succeeded; Failed means none
// did; WouldBlock only in audit mode, where no hook is called; Undone
// means a quarantine was restored and none is left; and a file whose
// process was not stopped is not quarantined.
func CheckRecord(t testing.TB, rec edr.Record, want Want) bool {
	t.Helper()
	var r report
	checkRecord(&r, rec, want)
	return r.flush(t)
}

func checkRecord(r *report, rec edr.Record, want Want) {
	p := func(format string, args ...any) { r.addf("record %s: "+format, append([]any{rec.ID}, args...)...) }
	act := func(i int) string { return fmt.Sprintf("action %d (%s)", i, rec.Actions[i].Action) }

	if want.Status != 0 && rec.Status != want.Status {
		p("status is %s, want %s%s", rec.Status, want.Status, why(rec))
	}
	if want.Actions != nil {
		if got := results(rec); !slices.Equal(got, want.Actions) {
			p("action results are %v, want %v", got, want.Actions)
		}
	}
	if want.Kinds != nil {
		kinds := make([]remediate.ActionKind, len(rec.Actions))
		for i, a := range rec.Actions {
			kinds[i] = a.Kind
		}
		if !slices.Equal(kinds, want.Kinds) {
			p("action kinds are %v, want %v", kinds, want.Kinds)
		}
	}
	perAction := func(name string, n int, f func(i int)) {
		if n == 0 {
			return
		}
		if n != len(rec.Actions) {
			p("want %d %s, one per action, and the record has %d actions", n, name, len(rec.Actions))
			return
		}
		for i := range n {
			f(i)
		}
	}
	perAction("attempts", len(want.Attempts), func(i int) {
		if w := want.Attempts[i]; w >= 0 && rec.Actions[i].Attempts != w {
			p("%s: %d attempts, want %d", act(i), rec.Actions[i].Attempts, w)
		}
	})
	perAction("errors", len(want.Errors), func(i int) {
		if w := want.Errors[i]; w != "" && !strings.Contains(rec.Actions[i].Error, w) {
			p("%s: error %q does not contain %q", act(i), rec.Actions[i].Error, w)
		}
	})
	perAction("panics", len(want.Panics), func(i int) {
		a := rec.Actions[i]
		if w := want.Panics[i]; w != "" {
			if !strings.Contains(a.Panic, w) {
				p("%s: panic %q does not contain %q", act(i), a.Panic, w)
			}
			if a.Stack == "" {
				p("%s: panicked with no stack recorded", act(i))
			}
		}
	})
	if want.Note != "" && !strings.Contains(rec.Note, want.Note) {
		p("note %q does not contain %q", rec.Note, want.Note)
	}

	// The rules every terminal record follows.
	if !rec.Status.Terminal() {
		p("status %s is not terminal", rec.Status)
	}
	switch {
	case rec.ID == "":
		p("no id")
	case rec.Detection == nil:
		p("no detection")
	case rec.Detection.ID != rec.ID:
		p("holds detection %s", rec.Detection.ID)
	}
	if rec.Revision < 1 {
		p("revision %d, want at least 1", rec.Revision)
	}
	if rec.Ruleset == "" {
		p("no ruleset")
	}
	switch {
	case rec.Finished.IsZero():
		p("no finish time")
	case rec.Finished.Before(rec.Received):
		p("finished (%s) before it was received (%s)", rec.Finished, rec.Received)
	}
	if !rec.Decided.IsZero() && rec.Decided.Before(rec.Received) {
		p("decided (%s) before it was received (%s)", rec.Decided, rec.Received)
	}
	if len(rec.Actions) != len(rec.Decision.Actions) {
		p("%d actions, and the decision plans %d", len(rec.Actions), len(rec.Decision.Actions))
	} else {
		for i, a := range rec.Actions {
			if a.Action != rec.Decision.Actions[i] {
				p("%s differs from the decision's: %s", act(i), rec.Decision.Actions[i])
			}
		}
	}
	ok := 0
	for i, a := range rec.Actions {
		switch a.Result {
		case edr.Pending:
			p("%s is still pending", act(i))
		case edr.Succeeded, edr.Restored:
			ok++
			if a.Attempts < 1 {
				p("%s %s with %d attempts", act(i), a.Result, a.Attempts)
			}
			if a.Error != "" && a.Result == edr.Succeeded {
				p("%s succeeded with error %q", act(i), a.Error)
			}
			if a.Kind == remediate.Quarantine && a.QuarantineID == "" {
				p("%s %s with no quarantine id", act(i), a.Result)
			}
			if a.Result == edr.Restored && a.Kind != remediate.Quarantine {
				p("%s is restored, and only a quarantine can be", act(i))
			}
		case edr.ActionFailed:
			if a.Error == "" {
				p("%s failed with no error", act(i))
			}
			if a.Attempts < 1 {
				p("%s failed with %d attempts", act(i), a.Attempts)
			}
		case edr.NotSupported, edr.Skipped:
			if a.Attempts != 0 {
				p("%s is %s and has %d attempts", act(i), a.Result, a.Attempts)
			}
		case edr.Cancelled:
			if a.Error == "" {
				p("%s cancelled with no error", act(i))
			}
		default:
			p("%s has result %s", act(i), a.Result)
		}
		if a.Panic != "" && (a.Stack == "" || a.Result != edr.ActionFailed) {
			p("%s panicked (%s) and is %s with a %d-byte stack", act(i), a.Panic, a.Result, len(a.Stack))
		}
		if !a.Started.IsZero() && a.Finished.Before(a.Started) {
			p("%s finished before it started", act(i))
		}
	}
	switch rec.Status {
	case edr.Blocked, edr.Prevented:
		if len(rec.Actions) == 0 || ok != len(rec.Actions) {
			p("is %s, and %d of %d actions succeeded", rec.Status, ok, len(rec.Actions))
		}
		if rec.Status == edr.Blocked && !slices.ContainsFunc(rec.Actions, func(a edr.ActionRecord) bool { return a.Kind == remediate.StopProcess }) {
			p("is blocked and stopped no process")
		}
	case edr.Failed:
		if ok != 0 {
			p("is failed, and %d actions succeeded", ok)
		}
	case edr.WouldBlock:
		if rec.Mode != edr.Audit {
			p("is %s in %s mode", rec.Status, rec.Mode)
		}
	case edr.Undone:
		restored := 0
		for i, a := range rec.Actions {
			switch {
			case a.Result == edr.Restored:
				restored++
			case a.Kind == remediate.Quarantine && a.Result == edr.Succeeded:
				p("is undone, and %s is still in quarantine", act(i))
			}
		}
		if restored == 0 {
			p("is undone and restored nothing")
		}
	}
	if rec.Mode == edr.Audit {
		for i, a := range rec.Actions {
			if a.Attempts != 0 || a.Result != edr.Skipped {
				p("audit mode, and %s is %s after %d attempts", act(i), a.Result, a.Attempts)
			}
		}
	}
	// A process that was not stopped is not quarantined.
	for _, s := range rec.Actions {
		if s.Kind != remediate.StopProcess || s.Result == edr.Succeeded || s.Result == edr.Pending || rec.Mode == edr.Audit {
			continue
		}
		for i, q := range rec.Actions {
			if q.Kind == remediate.Quarantine && (q.Result == edr.Succeeded || q.Result == edr.Restored) && strings.EqualFold(q.Path, s.Path) {
				p("%s succeeded, and process %d, whose image it is, was not stopped (%s)", act(i), s.ProcessID, s.Result)
			}
		}
	}
}

func results(rec edr.Record) []edr.ActionResult {
	out := make([]edr.ActionResult, len(rec.Actions))
	for i, a := range rec.Actions {
		out[i] = a.Result
	}
	return out
}

// why explains a record's status in a few words, for messages.
func why(rec edr.Record) string {
	var parts []string
	for i, a := range rec.Actions {
		s := fmt.Sprintf("action %d %s: %s", i, a.Kind, a.Result)
		if a.Error != "" {
			s += " (" + a.Error + ")"
		}
		parts = append(parts, s)
	}
	if len(parts) == 0 {
		parts = append(parts, "decision: "+rec.Decision.Verdict.String()+", "+rec.Decision.Reason)
	}
	return " [" + strings.Join(parts, "; ") + "]"
}

// settleTime bounds how long CheckHistory waits for hook calls still
// running (hooks the engine abandoned on a timeout, returning late).
const settleTime = 2 * time.Second

// CheckHistory checks an action history after a run: that every id (of
// the detections handed in; repeats are fine) has exactly one record,
// that each is terminal and passes [CheckRecord]'s rules, that the store
// holds no other record (when it is an [edr.Querier]), and, when host is
// not nil, that the host's calls match the records:
//
//   - each action has as many StopProcess or Quarantine calls as its
//     attempts, none when it was skipped, not supported, or in audit
//     mode, and no call is for an action no record holds;
//   - a succeeded action had exactly one successful call, a failed or
//     cancelled one none;
//   - a succeeded quarantine holds the id the successful call returned;
//   - a restored quarantine had exactly one successful Restore call with
//     its id, and no other Restore call succeeded;
//   - each record was notified once as terminal, with the status stored,
//     and an undone record once more, as undone (when the host was
//     notified of any record at all; never more than that);
//
// Calls are compared by hook and action, so two detections that plan the
// very same action (same device, process, path and evidence index) are
// checked together. CheckHistory waits up to two seconds for hook calls
// still running. It reports every problem through t at once and returns
// whether there was none.
func CheckHistory(t testing.TB, store edr.Store, host *Host, ids []string) bool {
	t.Helper()
	var r report
	checkHistory(&r, store, host, ids)
	return r.flush(t)
}

func checkHistory(r *report, store edr.Store, host *Host, ids []string) {
	ctx := context.Background()
	want := make(map[string]bool, len(ids))
	var recs []edr.Record
	for _, id := range ids {
		if want[id] {
			continue
		}
		want[id] = true
		rec, err := store.Get(ctx, id)
		switch {
		case errors.Is(err, edr.ErrNotFound):
			r.addf("detection %s has no record: it was lost", id)
			continue
		case err != nil:
			r.addf("detection %s: reading its record: %v", id, err)
			continue
		case rec.ID != id:
			r.addf("detection %s: the store returned record %s", id, rec.ID)
			continue
		}
		checkRecord(r, rec, Want{})
		recs = append(recs, rec)
	}
	if q, ok := store.(edr.Querier); ok {
		query := edr.Query{Limit: 10000}
		for {
			page, err := q.Query(ctx, query)
			if err != nil {
				r.addf("querying the history: %v", err)
				break
			}
			for _, rec := range page.Records {
				if !want[rec.ID] {
					r.addf("record %s (%s) is for no detection handed in", rec.ID, rec.Status)
				}
			}
			if page.Next == "" {
				break
			}
			query.After = page.Next
		}
	}
	if host != nil {
		checkCalls(r, recs, host)
	}
}

type callStats struct {
	calls, ok int
	ids       []string // quarantine ids returned by successful calls
	records   []string // records that planned the action
	attempts  int      // attempts the records count
	succeeded int      // actions the records say succeeded
	wantIDs   []string // quarantine ids the records hold
}

func checkCalls(r *report, recs []edr.Record, host *Host) {
	calls := host.Calls()
	for deadline := time.Now().Add(settleTime); time.Now().Before(deadline); {
		if !slices.ContainsFunc(calls, func(c Call) bool { return !c.Done }) {
			break
		}
		time.Sleep(10 * time.Millisecond)
		calls = host.Calls()
	}
	byAction := map[actionKey]*callStats{}
	stats := func(k actionKey) *callStats {
		s := byAction[k]
		if s == nil {
			s = new(callStats)
			byAction[k] = s
		}
		return s
	}
	restores := map[string][]Call{} // quarantine id -> Restore calls
	notified := map[string][]Call{} // record id -> Notify calls
	for _, c := range calls {
		if !c.Done {
			r.addf("call %s is still running %s after the run", c, settleTime)
		}
		switch c.Hook {
		case StopProcess, Quarantine:
			s := stats(actionKey{c.Hook, c.Action})
			s.calls++
			if c.Succeeded() {
				s.ok++
				if c.Hook == Quarantine {
					s.ids = append(s.ids, c.QuarantineID)
				}
			}
		case Restore:
			restores[c.QuarantineID] = append(restores[c.QuarantineID], c)
		case Notify:
			if c.Record != nil {
				notified[c.Record.ID] = append(notified[c.Record.ID], c)
			}
		}
	}
	restored := map[string]string{} // quarantine id -> record
	anyNotified := len(notified) > 0
	for _, rec := range recs {
		for _, a := range rec.Actions {
			hook := hookOf(a.Kind)
			if hook == 0 {
				continue
			}
			s := stats(actionKey{hook, a.Action})
			s.records = append(s.records, rec.ID)
			s.attempts += a.Attempts
			if a.Result == edr.Succeeded || a.Result == edr.Restored {
				s.succeeded++
				if hook == Quarantine {
					s.wantIDs = append(s.wantIDs, a.QuarantineID)
				}
			}
			if a.Result == edr.Restored {
				restored[a.QuarantineID] = rec.ID
			}
		}
		ns := notified[rec.ID]
		most := 1
		if rec.Status == edr.Undone {
			most = 2 // finished, then undone
		}
		switch {
		case len(ns) > most:
			r.addf("record %s was notified %d times", rec.ID, len(ns))
		case len(ns) == 0 && anyNotified:
			r.addf("record %s (%s) was never notified", rec.ID, rec.Status)
		}
		for _, n := range ns {
			switch got := n.Record.Status; {
			case !got.Terminal():
				r.addf("record %s was notified while %s", rec.ID, got)
			case got != rec.Status && rec.Status != edr.Undone:
				r.addf("record %s was notified as %s and is stored as %s", rec.ID, got, rec.Status)
			}
		}
	}
	type named struct {
		k    actionKey
		name string
	}
	keys := make([]named, 0, len(byAction))
	for k := range byAction {
		keys = append(keys, named{k, keyString(k)})
	}
	slices.SortFunc(keys, func(a, b named) int { return strings.Compare(a.name, b.name) })
	for _, n := range keys {
		k, what := n.k, n.name
		s := byAction[k]
		if len(s.records) == 0 {
			r.addf("%d %s calls for %s, and no record holds that action", s.calls, k.hook, what)
			continue
		}
		recsOf := "record " + strings.Join(s.records, ", ")
		if s.calls != s.attempts {
			r.addf("%s: %d %s calls, and %s counts %d attempts", what, s.calls, k.hook, recsOf, s.attempts)
		}
		if s.ok != s.succeeded {
			r.addf("%s: %d successful %s calls, and %s says %d succeeded", what, s.ok, k.hook, recsOf, s.succeeded)
		}
		if k.hook == Quarantine && s.ok == s.succeeded {
			got, want := slices.Sorted(slices.Values(s.ids)), slices.Sorted(slices.Values(s.wantIDs))
			if !slices.Equal(got, want) {
				r.addf("%s: the host returned quarantine ids %v, and %s holds %v", what, got, recsOf, want)
			}
		}
	}
	qids := make([]string, 0, len(restores))
	for id := range restores {
		qids = append(qids, id)
	}
	slices.Sort(qids)
	for _, id := range qids {
		ok := 0
		for _, c := range restores[id] {
			if c.Succeeded() {
				ok++
			}
		}
		rec, isRestored := restored[id]
		switch {
		case isRestored && ok != 1:
			r.addf("record %s: quarantine %s is restored, and %d Restore calls with it succeeded", rec, id, ok)
		case !isRestored && ok > 0:
			r.addf("quarantine %s: %d Restore calls succeeded, and no record says it is restored", id, ok)
		}
	}
	for _, id := range slices.Sorted(maps.Keys(restored)) {
		if rec := restored[id]; len(restores[id]) == 0 {
			r.addf("record %s: quarantine %s is restored, and the host was never asked to restore it", rec, id)
		}
	}
}

func keyString(k actionKey) string {
	a := k.a
	s := a.String()
	if a.DeviceID != "" {
		s += " on " + a.DeviceID
	}
	return fmt.Sprintf("%s (evidence %d)", s, a.Evidence)
}
