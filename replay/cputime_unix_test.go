//go:build unix

package replay

import "syscall"

// cpuSeconds is the process's user + system CPU time. Benchmarks report
// CPU time per operation besides wall time, because the machines they run
// on are often shared: on a loaded host ns/op grows with the load while
// CPU time per operation does not.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
