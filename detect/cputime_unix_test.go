//go:build unix

package detect

import (
	"syscall"
	"time"
)

// processCPU returns the CPU time (user + system) this process has used, so
// that a benchmark can report a rate per CPU second, which other load on a
// shared machine does not distort the way it distorts wall time.
func processCPU() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
