package edrtest_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/blockmode/blockmode/detect"
	"github.com/blockmode/blockmode/edr"
	"github.com/blockmode/blockmode/edr/edrtest"
)

// TestMain fails the run if any test leaves a goroutine behind.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// harness is an engine over a fake host and a fake clock.
type harness struct {
	clock *edrtest.Clock
	host  *edrtest.Host
	cfg   edr.Config
	eng   *edr.Engine
}

// newHarness starts an engine on a fresh fake host; edit may change the
// configuration first. The engine is closed at the end of the test, and
// then none of the goroutines started since newHarness may be left.
func newHarness(t *testing.T, edit func(*edr.Config, *edrtest.Host)) *harness {
	t.Helper()
	others := goleak.IgnoreCurrent() // goroutines of another harness in the same test
	h := &harness{clock: new(edrtest.Clock)}
	h.host = &edrtest.Host{Clock: h.clock}
	h.cfg = edrtest.Config(h.clock, h.host)
	if edit != nil {
		edit(&h.cfg, h.host)
	}
	eng, err := edr.New(h.cfg)
	require.NoError(t, err)
	h.eng = eng
	t.Cleanup(func() {
		h.close(t)
		goleak.VerifyNone(t, others)
	})
	return h
}

func (h *harness) close(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	require.NoError(t, h.eng.Close(ctx))
}

func (h *harness) handle(t *testing.T, id string, evidence ...detect.Evidence) edr.Record {
	t.Helper()
	rec, err := h.eng.Handle(context.Background(), edrtest.Detection(id, evidence...))
	require.NoError(t, err)
	return rec
}
