package edr

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tableHash returns a hash whose home slot in a table of 8 or more slots
// is home.
func tableHash(home int) uint64 { return uint64(home) << tableHashShift }

// checkTable checks t against want, the records it must hold by id, with
// their hashes in hashes.
func checkTable(t *testing.T, tab *recordTable, want map[string]*Record, hashes map[string]uint64) {
	t.Helper()
	require.Equal(t, len(want), tab.n, "count")
	for id, h := range hashes {
		assert.Same(t, want[id], tab.get(h, id), "get %s", id)
	}
	seen := map[string]bool{}
	tab.all(func(r *Record) {
		assert.False(t, seen[r.ID], "%s listed twice", r.ID)
		seen[r.ID] = true
		assert.Same(t, want[r.ID], r, "all lists %s", r.ID)
	})
	assert.Len(t, seen, len(want), "all lists every record")
	if tab.n > 0 {
		assert.LessOrEqual(t, tab.n*2, len(tab.slots), "at most half full")
	}
}

func TestRecordTable(t *testing.T) {
	t.Run("the zero table is empty", func(t *testing.T) {
		var tab recordTable
		assert.Nil(t, tab.get(0, "a"))
		assert.False(t, tab.remove(0, &Record{ID: "a"}))
		tab.all(func(*Record) { t.Error("a record in the empty table") })
	})
	// Each case stores the ids at the given home slots (of a table of 8,
	// which holds up to 4), removes some, and checks the table after each
	// step: equal hashes, runs that wrap past the end, and removals that
	// must shift records back, or must not.
	for _, tc := range []struct {
		name   string
		homes  []int // of ids "0", "1", ...
		remove []int // ids, in order
	}{
		{"one", []int{3}, []int{0}},
		{"equal hashes", []int{2, 2, 2, 2}, []int{1, 0, 3, 2}},
		{"a run that wraps", []int{6, 6, 6, 7}, []int{0, 2, 1, 3}},
		{"a hole before records at home stays", []int{1, 2, 3}, []int{0, 1, 2}},
		{"a record moves back past its home's run", []int{1, 1, 2, 2}, []int{0, 2, 1, 3}},
		{"records from before the end move back past it", []int{6, 6, 7, 0}, []int{1, 0, 2, 3}},
		{"a record whose home is the hole moves into it", []int{5, 5, 5, 6}, []int{0, 1, 2, 3}},
		{"removing what is not there", []int{4, 4}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var tab recordTable
			want, hashes := map[string]*Record{}, map[string]uint64{}
			for i, home := range tc.homes {
				id := fmt.Sprint(i)
				rec := &Record{ID: id}
				tab.insert(tableHash(home), rec)
				want[id], hashes[id] = rec, tableHash(home)
				checkTable(t, &tab, want, hashes)
			}
			require.Len(t, tab.slots, 8, "the cases are laid out for 8 slots")
			assert.False(t, tab.remove(hashes["0"], &Record{ID: "0"}), "a record is found by identity, not id")
			assert.Nil(t, tab.get(hashes["0"]+1<<(tableHashShift+3), "0"), "nor by id alone, under another hash")
			for _, i := range tc.remove {
				id := fmt.Sprint(i)
				require.True(t, tab.remove(hashes[id], want[id]), "remove %s", id)
				assert.False(t, tab.remove(hashes[id], want[id]), "remove %s again", id)
				delete(want, id)
				checkTable(t, &tab, want, hashes)
			}
		})
	}
	t.Run("grows, and keeps every record", func(t *testing.T) {
		var tab recordTable
		want, hashes := map[string]*Record{}, map[string]uint64{}
		for i := range 1000 {
			id := fmt.Sprint(i)
			want[id], hashes[id] = &Record{ID: id}, uint64(i%37)*0x9e3779b97f4a7c15
			tab.insert(hashes[id], want[id])
		}
		checkTable(t, &tab, want, hashes)
		assert.Len(t, tab.slots, 2048)
	})
}

// FuzzRecordTable runs operations from the input against a table and a
// map, with hashes chosen to collide and to crowd the table's end, and
// checks after each that they agree.
func FuzzRecordTable(f *testing.F) {
	f.Add([]byte{0, 1, 0, 2, 0, 3, 1, 2, 2, 1})
	f.Add([]byte{0, 7, 0, 15, 0, 23, 0, 31, 1, 7, 1, 23, 0, 39, 1, 15})
	f.Fuzz(func(t *testing.T, ops []byte) {
		var tab recordTable
		want := map[string]*Record{}
		hashes := map[string]uint64{}
		for i := 0; i+1 < len(ops); i += 2 {
			k := int(ops[i+1] % 48)
			id := fmt.Sprint("k", k)
			// Eight home slots among 48 ids, some with equal hashes;
			// hashes differ in the bits above a small table's too.
			hashes[id] = tableHash(k%8) | uint64(k%3)<<40
			switch ops[i] % 3 {
			case 0:
				if want[id] == nil {
					want[id] = &Record{ID: id}
					tab.insert(hashes[id], want[id])
				}
			case 1:
				assert.Equal(t, want[id] != nil, tab.remove(hashes[id], want[id]))
				delete(want, id)
			case 2:
				assert.Same(t, want[id], tab.get(hashes[id], id))
			}
			checkTable(t, &tab, want, hashes)
			if t.Failed() {
				t.Fatalf("after op %d", i/2)
			}
		}
	})
}

// BenchmarkRecordTable looks ids up in recordTables and, beside them, in
// maps (which the store used before), n records spread over a store's
// shards by their hash: ids found (op=get-hit), ids not there
// (op=get-miss: the engine's first lookup of a new detection), and a
// removal with a re-insertion (op=remove-insert: the eviction and a new
// record). Each table operation hashes its id once, as the store does
// (a Put hashes once for the shard and the table; the eviction keeps
// each record's hash). At n=10000 (the engine benchmark's bound) the
// tables and maps stay in the cache, as they do not in the engine, whose
// work between two lookups evicts them; at n=1048576 the slots miss the
// cache but the maps' headers, directories and tables, which each lookup
// also reads, mostly do not.
func BenchmarkRecordTable(b *testing.B) {
	for _, n := range []int{10000, 1 << 20} {
		var s MemStore
		var tabs [memShards]recordTable
		var maps [memShards]map[string]*Record
		for i := range maps {
			maps[i] = make(map[string]*Record)
		}
		recs := make([]*Record, n)
		missing := make([]string, n)
		for i := range n {
			recs[i] = &Record{ID: fmt.Sprint("det-", i)}
			missing[i] = fmt.Sprint("new-", i)
			h := s.hash(recs[i].ID)
			tabs[h&(memShards-1)].insert(h, recs[i])
			maps[h&(memShards-1)][recs[i].ID] = recs[i]
		}
		// A fixed pseudo-random order, so that successive lookups land
		// far apart.
		order := make([]int, n)
		for i := range order {
			order[i] = int(uint64(i) * 0x9e3779b97f4a7c15 % uint64(n))
		}
		bench := func(op, impl string, f func(i int)) {
			b.Run(fmt.Sprintf("n=%d/op=%s/impl=%s", n, op, impl), func(b *testing.B) {
				for i := 0; b.Loop(); i++ {
					f(order[i%n])
				}
			})
		}
		bench("get-hit", "table", func(j int) {
			id := recs[j].ID
			h := s.hash(id)
			if tabs[h&(memShards-1)].get(h, id) == nil {
				b.Fatal("not found")
			}
		})
		bench("get-hit", "map", func(j int) {
			id := recs[j].ID
			if maps[s.hash(id)&(memShards-1)][id] == nil {
				b.Fatal("not found")
			}
		})
		bench("get-miss", "table", func(j int) {
			id := missing[j]
			h := s.hash(id)
			if tabs[h&(memShards-1)].get(h, id) != nil {
				b.Fatal("found")
			}
		})
		bench("get-miss", "map", func(j int) {
			id := missing[j]
			if maps[s.hash(id)&(memShards-1)][id] != nil {
				b.Fatal("found")
			}
		})
		bench("remove-insert", "table", func(j int) {
			r := recs[j]
			h := s.hash(r.ID)
			t := &tabs[h&(memShards-1)]
			t.remove(h, r)
			t.insert(h, r)
		})
		bench("remove-insert", "map", func(j int) {
			r := recs[j]
			m := maps[s.hash(r.ID)&(memShards-1)]
			delete(m, r.ID)
			m[r.ID] = r
		})
	}
}
