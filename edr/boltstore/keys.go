package boltstore

import (
	"encoding/binary"
	"errors"
	"strings"

	"github.com/blockmode/blockmode/edr"
)

// The buckets. Every key and value is described in the package doc.
var (
	bucketMeta     = []byte("meta")
	bucketRecords  = []byte("records")
	bucketIDs      = []byte("ids")
	bucketReceived = []byte("received")
	bucketStatus   = []byte("status")
	bucketDevice   = []byte("device")

	keyFormat = []byte("format")
)

// Format is the value of the "format" key in the "meta" bucket: the
// layout of the file. Open refuses a file with another format.
const Format = "blockmode/boltstore v1"

// allBuckets lists the buckets Open creates, in that order.
var allBuckets = [][]byte{bucketMeta, bucketRecords, bucketIDs, bucketReceived, bucketStatus, bucketDevice}

// entry is what the indexes know of a record: the fields a query filters
// on. Its encoded form is the value of the record's key in the "ids"
// bucket, so that a replace finds the old index keys without decoding the
// old record.
type entry struct {
	status edr.RecordStatus
	device string
	cursor string // edr.Cursor(r): the fixed-width Received, "\x00", the id
}

func entryOf(r edr.Record) entry {
	return entry{status: r.Status, device: r.DeviceID, cursor: edr.Cursor(r)}
}

// received returns the time part of the cursor: the fixed-width UTC
// Received, which orders as the times do.
func (e entry) received() string { return receivedOf(e.cursor) }

func receivedOf(cursor string) string {
	if i := strings.IndexByte(cursor, 0); i >= 0 {
		return cursor[:i]
	}
	return cursor
}

// receivedKey is the record's key in the "received" bucket: the cursor.
func (e entry) receivedKey() []byte { return []byte(e.cursor) }

// statusKey is the record's key in the "status" bucket: one byte of
// status, then the cursor.
func (e entry) statusKey() []byte { return append(statusPrefix(e.status), e.cursor...) }

func statusPrefix(s edr.RecordStatus) []byte { return []byte{byte(s)} }

// deviceKey is the record's key in the "device" bucket: the device id
// with its length in front (a uvarint), then the cursor. The length makes
// one device's prefix never a prefix of another's, whatever bytes device
// ids hold.
func (e entry) deviceKey() []byte { return append(devicePrefix(e.device), e.cursor...) }

func devicePrefix(device string) []byte {
	b := binary.AppendUvarint(make([]byte, 0, binary.MaxVarintLen64+len(device)), uint64(len(device)))
	return append(b, device...)
}

// marshal encodes the entry: the status byte, the device with its length
// in front (a uvarint), the cursor.
func (e entry) marshal() []byte {
	b := make([]byte, 0, 1+binary.MaxVarintLen64+len(e.device)+len(e.cursor))
	b = append(b, byte(e.status))
	b = binary.AppendUvarint(b, uint64(len(e.device)))
	b = append(b, e.device...)
	return append(b, e.cursor...)
}

var errBadEntry = errors.New("malformed index entry")

func parseEntry(b []byte) (entry, error) {
	if len(b) < 1 {
		return entry{}, errBadEntry
	}
	e := entry{status: edr.RecordStatus(b[0])}
	n, k := binary.Uvarint(b[1:])
	if k <= 0 || uint64(len(b)-1-k) < n {
		return entry{}, errBadEntry
	}
	b = b[1+k:]
	e.device, e.cursor = string(b[:n]), string(b[n:])
	return e, nil
}
