package detect

import "math/bits"

// nameTable finds a string among a fixed set of non-empty strings; it is
// built once and only read. It is an open-addressing hash table whose hash
// reads three bytes of a name (the first, the middle and the last) and its
// length, so a lookup costs a multiply and, usually, one string compare —
// less than a Go map, which hashes every byte. The table is at most a
// quarter full, so a name not in the set usually lands on an empty slot.
type nameTable struct {
	names []string
	slots []uint16 // 1 + index into names; 0 is an empty slot
	mult  uint32
	shift uint8
}

// tableMults are the multipliers newNameTable tries, keeping the one with
// the fewest probes over the set.
var tableMults = [...]uint32{0x9e3779b1, 0x85ebca6b, 0xc2b2ae35, 0x27d4eb2f, 0x165667b1, 0xd3a2646d, 0xfd7046c5, 0xb55a4f09}

// newNameTable returns a table of names, which must be non-empty, distinct
// and fewer than 1<<14.
func newNameTable(names []string) *nameTable {
	size := 16
	for size < 4*len(names) {
		size *= 2
	}
	t := &nameTable{names: names, shift: uint8(32 - bits.TrailingZeros(uint(size)))}
	var bestSlots []uint16
	bestMult, best := uint32(0), -1
	for _, m := range tableMults {
		t.mult = m
		slots, cost := t.fill(size)
		if best < 0 || cost < best {
			bestSlots, bestMult, best = slots, m, cost
		}
		if cost == len(names) {
			break
		}
	}
	t.slots, t.mult = bestSlots, bestMult
	return t
}

// fill places the names with t.mult in a new table of size slots, and
// returns it with the number of probes a lookup of every name takes.
func (t *nameTable) fill(size int) ([]uint16, int) {
	slots := make([]uint16, size)
	mask := uint32(size - 1)
	cost := 0
	for i, n := range t.names {
		h := t.hash(n)
		for {
			cost++
			if slots[h] == 0 {
				slots[h] = uint16(i + 1)
				break
			}
			h = (h + 1) & mask
		}
	}
	return slots, cost
}

// hash returns the home slot of a non-empty name.
func (t *nameTable) hash(name string) uint32 {
	n := len(name)
	return t.home(n, name[0], name[n>>1], name[n-1])
}

// home mixes a name's length and its first, middle and last bytes into its
// home slot.
func (t *nameTable) home(n int, first, mid, last byte) uint32 {
	x := uint32(n)<<24 ^ uint32(first)<<16 ^ uint32(mid)<<8 ^ uint32(last)
	return (x * t.mult) >> t.shift
}

// find returns the index in the set of the name b, or -1.
func (t *nameTable) find(b []byte) int {
	n := len(b)
	if n == 0 {
		return -1
	}
	h := t.home(n, b[0], b[n>>1], b[n-1])
	mask := uint32(len(t.slots) - 1)
	for {
		s := t.slots[h&mask]
		if s == 0 {
			return -1
		}
		if t.names[s-1] == string(b) {
			return int(s - 1)
		}
		h++
	}
}
