// Package boltstore is the durable action history of an [edr.Engine]: the
// record of every detection the engine handled, what it decided and what
// each remediation action did (the Microsoft Defender portal shows the
// same history as the Action center). It keeps the records in one file
// with go.etcd.io/bbolt, an embedded, crash-safe B+tree database, and
// implements [edr.Store], [edr.Querier] and [edr.PendingLister].
//
// It owns the file: its layout, durability, group commit, the indexes
// and queries over them, and a consistency check. It does not own the
// records' meaning or the recovery after a crash: the record and its JSON
// form are edr's ([edr.Record]), and [edr.Engine.Recover] decides what to
// do with a record left in progress; this package only finds such records
// quickly and never loses one that was acknowledged.
//
// # Durability
//
// [Store.Put] returns once its transaction is committed: bbolt writes the
// changed pages and fsyncs (fdatasync) the file, then writes the meta page
// and fsyncs again. A record Put returned for survives the process being
// killed, and a power loss as far as the disk honours fsync; a Put that
// did not return may or may not be there, whole or not at all, never
// half. Options.NoSync skips the fsyncs and is for tests only.
//
// # Group commit
//
// One goroutine commits. A Put that finds it idle is committed at once,
// alone; the Puts that arrive while a commit is under way wait for the
// next one, which takes all of them (up to Options.MaxBatchSize). So a
// lone writer pays one commit per Put and many writers share commits,
// without a timer: the batch grows with the load. Options.MaxBatchDelay
// makes each transaction wait for more Puts. [Store.Stats] counts Puts
// and commits. (bbolt's own DB.Batch was measured and is not used: it cuts
// a batch when a timer fires, so a lone writer waits the whole delay on
// every Put; see BenchmarkPut.)
//
// # Write-ahead and recovery
//
// The engine writes a record in progress ([edr.InProgress]) before it
// calls the first hook, again after each action with its result, and a
// last time with the terminal status. After a crash, [Store.Pending] lists
// the records in progress (through the status index) and the engine
// resumes them: an action whose result is recorded is never run again;
// an action whose hook was running, or had returned but whose result was
// not yet committed, when the process died is run again. Remediation
// actions are therefore at-least-once: a host's hooks should treat
// "already quarantined" and "process already gone" as success. TestCrash
// checks all of this with SIGKILL.
//
// # File format
//
// One bbolt file, opened by one Store at a time (bbolt locks it). Its
// buckets, keys and values:
//
//	meta      "format"                             -> "blockmode/boltstore v1" ([Format])
//	records   id                                   -> the record's JSON form (edr.Record.MarshalJSON)
//	ids       id                                   -> status byte, uvarint len(device), device, cursor
//	received  cursor                               -> id
//	status    status byte, cursor                  -> id
//	device    uvarint len(device), device, cursor  -> id
//
// The cursor is [edr.Cursor] of the record: Received in UTC as a
// fixed-width string ("2006-01-02T15:04:05.000000000Z"), a NUL byte, and
// the id; its byte order is the order queries return records in, so each
// index is a range scan. The status byte is the [edr.RecordStatus] value.
// The device's length comes first so that one device's keys are never a
// prefix of another's. The "ids" entry is what the indexes know of a
// record: a Put that replaces a record deletes its old index entries in
// the same transaction without decoding the old record. [Store.Check]
// verifies that the records and the four other buckets agree.
//
// # Queries
//
// [Store.Query] gives the same results, order, pages and cursors as
// [edr.MemStore] (a test runs the same queries on both): it reads a
// detection id's record directly, or scans the device index, or the
// status index (one range per status, merged), or the time index, from
// the later of Query.From and Query.After; it filters on the index
// entries and decodes only the records of the page.
package boltstore
