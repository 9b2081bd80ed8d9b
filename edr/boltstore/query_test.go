package boltstore

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"

	"github.com/blockmode/blockmode/edr"
)

// stores returns a MemStore (the reference) and a Store holding the same
// records, some of them written several times with different keys.
func stores(t *testing.T) (*edr.MemStore, *Store, []edr.Record) {
	t.Helper()
	mem, bolt := new(edr.MemStore), open(t, Options{NoSync: true})
	rng := rand.New(rand.NewPCG(1, 2))
	devices := []string{"", "dev-a", "dev-b", "dev-a\x00b", "d"}
	statuses := edr.RecordStatuses()
	var recs []edr.Record
	put := func(r edr.Record) {
		require.NoError(t, mem.Put(ctx, r))
		require.NoError(t, bolt.Put(ctx, r))
	}
	for i := range 240 {
		// Times repeat (ties broken by id), come in other zones, and have
		// nanoseconds.
		at := alertTime.Add(time.Duration(rng.IntN(60)) * time.Minute)
		switch i % 7 {
		case 0:
			at = at.In(time.FixedZone("CET", 3600))
		case 1:
			at = at.Add(time.Duration(rng.IntN(1000)) * time.Nanosecond)
		}
		id := fmt.Sprintf("det-%03d", rng.IntN(1000))
		if i%11 == 0 {
			id = fmt.Sprintf("det-%d\x00x", i) // ids may hold any byte
		}
		r := record(t, id, devices[rng.IntN(len(devices))], statuses[rng.IntN(len(statuses))], at)
		if i%3 == 0 { // an earlier version with other keys, replaced
			old := record(t, id, devices[rng.IntN(len(devices))], edr.InProgress, at.Add(-time.Hour))
			put(old)
		}
		put(r)
	}
	page, err := mem.Query(ctx, edr.Query{Limit: 10000})
	require.NoError(t, err)
	recs = page.Records
	require.NoError(t, bolt.Check(ctx))
	return mem, bolt, recs
}

// queryCases are the queries both stores answer. Each is also paged
// through to its end.
func queryCases(recs []edr.Record) map[string]edr.Query {
	mid := recs[len(recs)/2]
	return map[string]edr.Query{
		"all, default limit":            {},
		"all, one per page":             {Limit: 1},
		"all, seven per page":           {Limit: 7},
		"all, larger page than records": {Limit: 1000},
		"from":                          {From: alertTime.Add(20 * time.Minute)},
		"to":                            {To: alertTime.Add(20 * time.Minute), Limit: 9},
		"from and to":                   {From: alertTime.Add(10 * time.Minute), To: alertTime.Add(11 * time.Minute)},
		"from equals a received time":   {From: mid.Received, Limit: 5},
		"to equals a received time":     {To: mid.Received, Limit: 50},
		"empty range":                   {From: alertTime.Add(time.Hour), To: alertTime},
		"range before everything":       {To: alertTime.Add(-2 * time.Hour)},
		"from in another zone":          {From: alertTime.Add(30 * time.Minute).In(time.FixedZone("PST", -8*3600)), Limit: 13},
		"one status":                    {Statuses: []edr.RecordStatus{edr.Blocked}, Limit: 3},
		"in progress":                   {Statuses: []edr.RecordStatus{edr.InProgress}},
		"several statuses":              {Statuses: []edr.RecordStatus{edr.Failed, edr.Prevented, edr.Undone}, Limit: 4},
		"repeated status":               {Statuses: []edr.RecordStatus{edr.Excluded, edr.Excluded}, Limit: 2},
		"unknown status":                {Statuses: []edr.RecordStatus{0, 99}},
		"status and time":               {Statuses: []edr.RecordStatus{edr.Detected, edr.WouldBlock}, From: alertTime.Add(15 * time.Minute), To: alertTime.Add(45 * time.Minute), Limit: 3},
		"device":                        {DeviceID: "dev-a", Limit: 6},
		"device with a NUL":             {DeviceID: "dev-a\x00b", Limit: 6},
		"device that is a prefix":       {DeviceID: "d"},
		"unknown device":                {DeviceID: "dev-z"},
		"device and statuses":           {DeviceID: "dev-b", Statuses: []edr.RecordStatus{edr.Blocked, edr.PartiallyRemediated, edr.InProgress}, Limit: 2},
		"device and time":               {DeviceID: "dev-b", From: alertTime.Add(5 * time.Minute), To: alertTime.Add(50 * time.Minute), Limit: 4},
		"detection id":                  {DetectionID: mid.ID},
		"detection id with a NUL":       {DetectionID: recs[0].ID},
		"detection id, other device":    {DetectionID: mid.ID, DeviceID: "nope"},
		"detection id, out of range":    {DetectionID: mid.ID, To: mid.Received},
		"unknown detection id":          {DetectionID: "nope"},
		"after a cursor":                {After: edr.Cursor(mid), Limit: 8},
		"after the last cursor":         {After: edr.Cursor(recs[len(recs)-1])},
		"after a cursor of no record":   {After: edr.Cursor(edr.Record{ID: "zzz", Received: mid.Received}), Limit: 8},
		"after a bare time":             {After: "2026-11-29T09:30:00", Limit: 8},
		"after something silly":         {After: "~", Limit: 8},
		"after NUL":                     {After: "\x00", Limit: 8},
		"after, with device":            {After: edr.Cursor(mid), DeviceID: mid.DeviceID, Limit: 3},
		"after, with status":            {After: edr.Cursor(mid), Statuses: []edr.RecordStatus{mid.Status}, Limit: 3},
		"after, before from":            {After: edr.Cursor(recs[0]), From: mid.Received, Limit: 3},
		"detection id after its cursor": {DetectionID: mid.ID, After: edr.Cursor(mid)},
	}
}

// TestQueryAnswersAsMemStore: the same queries, pages and cursors from the
// bbolt store as from the in-memory reference.
func TestQueryAnswersAsMemStore(t *testing.T) {
	mem, bolt, recs := stores(t)
	require.Greater(t, len(recs), 150)
	for name, q := range queryCases(recs) {
		t.Run(name, func(t *testing.T) {
			comparePages(t, mem, bolt, q)
		})
	}
	t.Run("pending", func(t *testing.T) {
		want, err := mem.Pending(ctx)
		require.NoError(t, err)
		got, err := bolt.Pending(ctx)
		require.NoError(t, err)
		require.NotEmpty(t, want)
		if d := cmp.Diff(want, got, recordOpts); d != "" {
			t.Errorf("Pending differs (-mem +bolt):\n%s", d)
		}
	})
}

// TestRandomQueriesAnswerAsMemStore compares random combinations of
// filters.
func TestRandomQueriesAnswerAsMemStore(t *testing.T) {
	mem, bolt, recs := stores(t)
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range 300 {
		var q edr.Query
		if rng.IntN(3) == 0 {
			q.From = alertTime.Add(time.Duration(rng.IntN(70)-5) * time.Minute)
		}
		if rng.IntN(3) == 0 {
			q.To = alertTime.Add(time.Duration(rng.IntN(70)-5) * time.Minute)
		}
		for range rng.IntN(3) {
			q.Statuses = append(q.Statuses, edr.RecordStatus(rng.IntN(11)))
		}
		if rng.IntN(3) == 0 {
			q.DeviceID = []string{"dev-a", "dev-b", "d", "dev-a\x00b", "x"}[rng.IntN(5)]
		}
		if rng.IntN(8) == 0 {
			q.DetectionID = recs[rng.IntN(len(recs))].ID
		}
		if rng.IntN(3) == 0 {
			q.After = edr.Cursor(recs[rng.IntN(len(recs))])
		}
		q.Limit = rng.IntN(25)
		comparePages(t, mem, bolt, q)
		if t.Failed() {
			t.Fatalf("query %d: %#v", i, q)
		}
	}
}

// comparePages pages through q on both stores and compares every page.
func comparePages(t *testing.T, mem *edr.MemStore, bolt *Store, q edr.Query) {
	t.Helper()
	for n := 0; ; n++ {
		want, err := mem.Query(ctx, q)
		require.NoError(t, err)
		got, err := bolt.Query(ctx, q)
		require.NoError(t, err)
		if d := cmp.Diff(want, got, recordOpts); d != "" {
			t.Fatalf("page %d differs (-mem +bolt):\n%s", n, d)
		}
		if want.Next == "" {
			return
		}
		require.Less(t, n, 1000, "paging does not end")
		q.After = want.Next
	}
}
