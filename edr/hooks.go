package edr

import (
	"context"
	"errors"

	"github.com/blockmode/blockmode/remediate"
)

// The host hooks: the few things only the host can do. Each is a one-method
// interface, each is optional (a missing hook gives a recorded "not
// supported by host" outcome), and each takes a context the engine cancels
// on its per-action timeout or on shutdown. The engine, not the hook, owns
// timeouts, retries and recovery: a hook does its one attempt and returns.
//
// A hook that can fail in a way worth retrying (the file is locked, the
// service is busy) returns an error for which [IsTemporary] is true, for
// example one wrapped with [Temporary]; any other error is final.

// ProcessStopper stops a running process.
type ProcessStopper interface {
	StopProcess(ctx context.Context, a remediate.Action) error
}

// Quarantiner moves a file into quarantine and returns an id by which
// [Restorer] can bring it back. The id must not be empty: a quarantine
// that returns no error and no id is recorded as failed, since it can be
// neither verified nor undone.
type Quarantiner interface {
	Quarantine(ctx context.Context, a remediate.Action) (quarantineID string, err error)
}

// Restorer restores a quarantined file: the action center's undo.
type Restorer interface {
	Restore(ctx context.Context, quarantineID string, a remediate.Action) error
}

// Notifier is told of every finished record, after it is stored, with the
// same timeout and panic recovery as any hook. Its failure is logged and
// does not change the record.
type Notifier interface {
	Notify(ctx context.Context, r Record) error
}

// Hooks are the host's hooks; any may be nil.
type Hooks struct {
	StopProcess ProcessStopper
	Quarantine  Quarantiner
	Restore     Restorer
	Notify      Notifier
}

// temporaryError marks an error as worth retrying.
type temporaryError struct{ err error }

func (t temporaryError) Error() string   { return t.err.Error() }
func (t temporaryError) Unwrap() error   { return t.err }
func (t temporaryError) Temporary() bool { return true }

// Temporary marks err as temporary: the engine retries the action, with
// backoff, up to its limit. Temporary(nil) is nil.
func Temporary(err error) error {
	if err == nil {
		return nil
	}
	return temporaryError{err}
}

// IsTemporary reports whether err, or an error it wraps, has a
// Temporary() bool method that returns true; the first such method found
// decides. The engine's own timeout errors say false: a hook that ran out
// of time is not retried.
func IsTemporary(err error) bool {
	var t interface{ Temporary() bool }
	return errors.As(err, &t) && t.Temporary()
}
