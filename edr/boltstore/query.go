package boltstore

import (
	"bytes"
	"cmp"
	"context"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/blockmode/blockmode/edr"
)

// cursorTime formats t as the time part of edr.Cursor does.
func cursorTime(t time.Time) string {
	return receivedOf(edr.Cursor(edr.Record{Received: t}))
}

// plan is a query reduced to what the index entries can answer.
type plan struct {
	q        edr.Query
	from, to string // cursorTime of q.From and q.To; "" when zero
	statuses []edr.RecordStatus
}

func newPlan(q edr.Query) plan {
	p := plan{q: q}
	if !q.From.IsZero() {
		p.from = cursorTime(q.From)
	}
	if !q.To.IsZero() {
		p.to = cursorTime(q.To)
	}
	p.statuses = slices.Clone(q.Statuses)
	slices.Sort(p.statuses)
	p.statuses = slices.Compact(p.statuses)
	return p
}

// match reports whether a record with this index entry passes the query's
// filters and comes after its cursor: edr.Query.Matches, and
// Cursor(r) > q.After, on the entry alone.
func (p *plan) match(id string, e entry) bool {
	rt := e.received()
	switch {
	case p.from != "" && rt < p.from:
		return false
	case p.to != "" && rt >= p.to:
		return false
	case len(p.statuses) > 0 && !slices.Contains(p.statuses, e.status):
		return false
	case p.q.DeviceID != "" && e.device != p.q.DeviceID:
		return false
	case p.q.DetectionID != "" && id != p.q.DetectionID:
		return false
	case p.q.After != "" && e.cursor <= p.q.After:
		return false
	}
	return true
}

// hit is a matching record's id and cursor.
type hit struct{ id, cursor string }

// scan walks the index bucket b over the keys that start with prefix
// followed by a cursor, in cursor order, from the first cursor the query
// can want, and returns up to n hits (n < 0: all). Each candidate is
// checked against its entry in the "ids" bucket.
func (p *plan) scan(b, ids *bolt.Bucket, prefix []byte, n int) ([]hit, error) {
	start := p.from
	if p.q.After > start {
		start = p.q.After
	}
	var out []hit
	c := b.Cursor()
	for k, v := c.Seek(append(bytes.Clone(prefix), start...)); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		if n >= 0 && len(out) >= n {
			break
		}
		cursor := string(k[len(prefix):])
		if p.to != "" && receivedOf(cursor) >= p.to {
			break // the rest is later still
		}
		raw := ids.Get(v)
		if raw == nil {
			return nil, corrupt("index entry %q names record %q, which has no ids entry", k, v)
		}
		e, err := parseEntry(raw)
		if err != nil {
			return nil, corrupt("ids entry of %q: %v", v, err)
		}
		if p.match(string(v), e) {
			out = append(out, hit{id: string(v), cursor: e.cursor})
		}
	}
	return out, nil
}

// hits returns the first n hits of the query (n < 0: all) in query order,
// through the narrowest index: the id, the device, the statuses, or the
// time.
func (p *plan) hits(tx *bolt.Tx, n int) ([]hit, error) {
	ids := tx.Bucket(bucketIDs)
	switch {
	case p.q.DetectionID != "":
		raw := ids.Get([]byte(p.q.DetectionID))
		if raw == nil {
			return nil, nil
		}
		e, err := parseEntry(raw)
		if err != nil {
			return nil, corrupt("ids entry of %q: %v", p.q.DetectionID, err)
		}
		if !p.match(p.q.DetectionID, e) {
			return nil, nil
		}
		return []hit{{id: p.q.DetectionID, cursor: e.cursor}}, nil
	case p.q.DeviceID != "":
		return p.scan(tx.Bucket(bucketDevice), ids, devicePrefix(p.q.DeviceID), n)
	case len(p.statuses) > 0:
		// One ordered run per status; the first n of their union are among
		// the first n of each.
		var all []hit
		for _, st := range p.statuses {
			hs, err := p.scan(tx.Bucket(bucketStatus), ids, statusPrefix(st), n)
			if err != nil {
				return nil, err
			}
			all = append(all, hs...)
		}
		slices.SortFunc(all, func(a, b hit) int { return cmp.Compare(a.cursor, b.cursor) })
		if n >= 0 && len(all) > n {
			all = all[:n]
		}
		return all, nil
	}
	return p.scan(tx.Bucket(bucketReceived), ids, nil, n)
}

// Query answers q with the same results, order and pages as
// [edr.MemStore]: records ordered by Received then ID, at most q.Limit
// (default edr.DefaultLimit) per page, Next set when more follow. It reads
// only the index entries of the narrowest index (detection id, device,
// status, time range) and decodes only the records on the page.
func (s *Store) Query(ctx context.Context, q edr.Query) (edr.Page, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = edr.DefaultLimit
	}
	recs, more, err := s.query(ctx, q, limit)
	if err != nil {
		return edr.Page{}, err
	}
	page := edr.Page{Records: recs}
	if more {
		page.Next = edr.Cursor(recs[len(recs)-1])
	}
	return page, nil
}

// Pending lists the records in progress, in query order, through the
// status index.
func (s *Store) Pending(ctx context.Context) ([]edr.Record, error) {
	recs, _, err := s.query(ctx, edr.Query{Statuses: []edr.RecordStatus{edr.InProgress}}, -1)
	return recs, err
}

// query returns the first limit records of q (limit < 0: all), and
// whether more follow.
func (s *Store) query(ctx context.Context, q edr.Query, limit int) ([]edr.Record, bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, false, err
	}
	p := newPlan(q)
	n := limit
	if n >= 0 {
		n++ // one more, to know whether a next page exists
	}
	var (
		hs   []hit
		data [][]byte
		more bool
	)
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		if hs, err = p.hits(tx, n); err != nil {
			return err
		}
		if more = limit >= 0 && len(hs) > limit; more {
			hs = hs[:limit]
		}
		recs := tx.Bucket(bucketRecords)
		data = make([][]byte, len(hs))
		for i, h := range hs {
			if data[i] = bytes.Clone(recs.Get([]byte(h.id))); data[i] == nil {
				return corrupt("index names record %q, which is not stored", h.id)
			}
		}
		return nil
	})
	if err != nil {
		return nil, false, wrap(err)
	}
	var out []edr.Record
	for i, d := range data {
		r, err := decode(hs[i].id, d)
		if err != nil {
			return nil, false, err
		}
		out = append(out, r)
	}
	return out, more, nil
}
