//go:build !unix

package replay

// cpuSeconds is unavailable here: benchmarks then report no CPU figures.
func cpuSeconds() float64 { return 0 }
