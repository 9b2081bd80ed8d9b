package boltstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// ErrCorrupt reports a file whose records and indexes disagree, or whose
// pages bbolt finds inconsistent.
var ErrCorrupt = errors.New("boltstore: corrupt action history")

func corrupt(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrCorrupt, fmt.Sprintf(format, args...))
}

// maxProblems bounds the problems Check reports.
const maxProblems = 100

// Check reads the whole file and reports every inconsistency it finds, up
// to 100, joined in one error that wraps ErrCorrupt (nil when there is
// none): bbolt's own page check; every record decodes and is stored under
// its own ID; every record has exactly its entries in the "ids",
// "received", "status" and "device" buckets; and every index entry belongs
// to a stored record. It holds a read transaction for its whole run, which
// is proportional to the size of the file; writers are not blocked.
func (s *Store) Check(ctx context.Context) error {
	var problems []error
	report := func(err error) bool {
		problems = append(problems, err)
		return len(problems) < maxProblems
	}
	err := s.db.View(func(tx *bolt.Tx) error {
		for err := range tx.Check() { // drained to the end: its goroutine holds the tx
			if len(problems) < maxProblems {
				report(fmt.Errorf("%w: bbolt: %w", ErrCorrupt, err))
			}
		}
		if f := tx.Bucket(bucketMeta).Get(keyFormat); string(f) != Format {
			report(corrupt("format %q, want %q", f, Format))
		}
		ids := tx.Bucket(bucketIDs)
		indexes := []struct {
			name []byte
			key  func(entry) []byte
		}{
			{bucketReceived, entry.receivedKey},
			{bucketStatus, entry.statusKey},
			{bucketDevice, entry.deviceKey},
		}
		records := tx.Bucket(bucketRecords)
		nrec := 0
		err := records.ForEach(func(k, v []byte) error {
			nrec++
			if err := ctx.Err(); err != nil {
				return err
			}
			r, err := decode(string(k), bytes.Clone(v))
			if err != nil {
				if !report(fmt.Errorf("%w: %w", ErrCorrupt, err)) {
					return errEnough
				}
				return nil
			}
			if r.ID != string(k) {
				if !report(corrupt("record stored under %q has id %q", k, r.ID)) {
					return errEnough
				}
			}
			e := entryOf(r)
			if got := ids.Get(k); !bytes.Equal(got, e.marshal()) {
				if !report(corrupt("record %q: ids entry %q, want %q", k, got, e.marshal())) {
					return errEnough
				}
			}
			for _, ix := range indexes {
				if got := tx.Bucket(ix.name).Get(ix.key(e)); !bytes.Equal(got, k) {
					if !report(corrupt("record %q: no %s entry %q (found %q)", k, ix.name, ix.key(e), got)) {
						return errEnough
					}
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		nids := 0
		err = ids.ForEach(func(k, v []byte) error {
			nids++
			if records.Get(k) == nil && !report(corrupt("ids entry %q has no record", k)) {
				return errEnough
			}
			return nil
		})
		if err != nil {
			return err
		}
		if nids != nrec {
			report(corrupt("%d ids entries for %d records", nids, nrec))
		}
		for _, ix := range indexes {
			err := tx.Bucket(ix.name).ForEach(func(k, v []byte) error {
				raw := ids.Get(v)
				if raw == nil {
					if !report(corrupt("%s entry %q names %q, which is not stored", ix.name, k, v)) {
						return errEnough
					}
					return nil
				}
				e, err := parseEntry(raw)
				if err != nil {
					if !report(corrupt("ids entry of %q: %v", v, err)) {
						return errEnough
					}
					return nil
				}
				if want := ix.key(e); !bytes.Equal(k, want) && !report(corrupt("stale %s entry %q for %q (its key is %q)", ix.name, k, v, want)) {
					return errEnough
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil && !errors.Is(err, errEnough) {
		return wrap(err)
	}
	return errors.Join(problems...)
}

var errEnough = errors.New("enough problems")
