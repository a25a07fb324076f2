package replay_test

import (
	"fmt"

	"github.com/migreplay/migreplay/replay"
)

// A 1 GiB guest writing 5,000 pages/s over 1 Gbit/s under QEMU's defaults,
// page by page and by the analytic path.
func ExampleRun() {
	cfg := replay.Config{Memory: 1 << 30, DirtyRate: 5000, Policy: replay.QEMU{}, Seed: 1}
	res, err := replay.Run(cfg)
	if err != nil {
		panic(err)
	}
	an, _ := replay.Analytic(cfg)
	fmt.Printf("page-level: %.2f s, %d live rounds, downtime %.0f ms, converged %v (%s)\n",
		res.TotalTime, res.Rounds, res.Downtime*1e3, res.Converged, res.StopReason)
	fmt.Printf("analytic:   %.2f s, %d live rounds, downtime %.0f ms\n", an.TotalTime, an.Rounds, an.Downtime*1e3)
	// Output:
	// page-level: 10.71 s, 3 live rounds, downtime 305 ms, converged true (threshold)
	// analytic:   10.70 s, 4 live rounds, downtime 304 ms
}
