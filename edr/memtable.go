package edr

// recordTable is a MemStore shard's records by id: a hash table with open
// addressing and linear probing, in one flat array of slots, at most half
// full. A lookup reads the slots from the id's home slot on, usually one
// cache line of four (a lookup of an id that is not there reads 2.5 slots
// on average when the table is half full, 1.5 when a third full). The
// store's records are looked up, stored and dropped one or more times for
// each detection, mostly cold, and a Go map reaches its slots through a
// header, a directory and a table, each a cache miss of its own.
//
// Deleting shifts the slots after the deleted one back (no tombstones),
// so the table never degrades however many records come and go. The
// hashes are the store's, from a per-store random seed, so that ids an
// attacker chooses cannot be made to collide; records with equal hashes
// are still told apart by id. Its zero value is an empty table. Callers
// hold the shard's lock.
type recordTable struct {
	slots []recordSlot // nil, or a power of two long
	n     int          // the slots in use
}

// recordSlot is a record with its id's hash; rec is nil in an empty slot.
type recordSlot struct {
	hash uint64
	rec  *Record
}

// tableHashShift drops the bits of a hash that chose the shard (see
// MemStore.shard), so that the slots a shard's records hash to are
// spread over its table.
const tableHashShift = 6

// home returns the first slot a hash's record may be in.
func (t *recordTable) home(hash uint64) int {
	return int(hash>>tableHashShift) & (len(t.slots) - 1)
}

// get returns the record with the id, whose hash is hash, or nil.
func (t *recordTable) get(hash uint64, id string) *Record {
	if t.n == 0 {
		return nil
	}
	mask := len(t.slots) - 1
	for i := t.home(hash); ; i = (i + 1) & mask {
		sl := &t.slots[i]
		if sl.rec == nil {
			return nil
		}
		if sl.hash == hash && sl.rec.ID == id {
			return sl.rec
		}
	}
}

// insert adds rec, whose id's hash is hash and which is not in the table.
func (t *recordTable) insert(hash uint64, rec *Record) {
	if (t.n+1)*2 > len(t.slots) { // at most half full
		t.grow()
	}
	t.place(hash, rec)
	t.n++
}

// place puts rec in the first empty slot from its home on.
func (t *recordTable) place(hash uint64, rec *Record) {
	mask := len(t.slots) - 1
	i := t.home(hash)
	for t.slots[i].rec != nil {
		i = (i + 1) & mask
	}
	t.slots[i] = recordSlot{hash, rec}
}

// grow doubles the table (to 8 slots, the first time).
func (t *recordTable) grow() {
	old := t.slots
	t.slots = make([]recordSlot, max(8, 2*len(old)))
	for _, sl := range old {
		if sl.rec != nil {
			t.place(sl.hash, sl.rec)
		}
	}
}

// remove takes rec, whose id's hash is hash, out of the table, and reports
// whether it was there. It finds rec by identity, reading no record.
func (t *recordTable) remove(hash uint64, rec *Record) bool {
	if t.n == 0 || rec == nil {
		return false
	}
	mask := len(t.slots) - 1
	i := t.home(hash)
	for t.slots[i].rec != rec {
		if t.slots[i].rec == nil {
			return false
		}
		i = (i + 1) & mask
	}
	// Shift back each record after the hole that may move into it: one
	// whose home is not cyclically within (hole, its slot].
	for j := (i + 1) & mask; t.slots[j].rec != nil; j = (j + 1) & mask {
		if h := t.home(t.slots[j].hash); (j-h)&mask >= (j-i)&mask {
			t.slots[i] = t.slots[j]
			i = j
		}
	}
	t.slots[i] = recordSlot{}
	t.n--
	return true
}

// all calls f with each record in the table, in no particular order.
func (t *recordTable) all(f func(*Record)) {
	for _, sl := range t.slots {
		if sl.rec != nil {
			f(sl.rec)
		}
	}
}
