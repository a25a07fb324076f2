package replay

import (
	"math"
	"testing"
	"time"
)

// Config.Timeout holds inside a round: a round that would end after
// setup + timeout is cut there and the migration gives up ("timeout", not
// converged) at exactly that time, reporting what was sent by then
// (doc.go). Both engines.

// An 8 GiB guest over a 1 bit/s link: the first round alone would take
// 2,097,152 pages × 4,104 B ÷ (0.125 B/s × 1460/1538) ≈ 7.3e10 s. Before
// the cut it ran to its end and then converged ("converged yes" after
// 9.07e9 s on the command line's run). In an hour the link carries
// 3600 × 0.11866 ≈ 427 B: not one whole page.
func TestTimeoutCutsTheFirstRound(t *testing.T) {
	cfg := Config{Bandwidth: 1.0 / 8, Seed: 1}
	for _, engine := range []string{"page", "analytic"} {
		res := replayWith(t, engine, cfg)
		if res.Converged || res.StopReason != "timeout" || res.TotalTime != 3600 || res.Rounds != 1 || res.PagesSent != 0 ||
			res.Downtime != 0 || res.Syncs != 1 {
			t.Errorf("%s: %+v", engine, summary(res))
		}
		if r := res.Log; engine == "page" && (len(r) != 1 || r[0].Duration != 3600 || r[0].PendingAfter != res.Pages) {
			t.Errorf("page: log %+v", r)
		}
	}
}

// A 1 GiB idle guest over 1 Gbit/s (goodput 125e6 × 1460/1538 =
// 118,660,598.18 B/s) needs 262,144 × 4,104 B ÷ that = 9.0665 s for its
// first pass; a 5 s timeout cuts it. By hand (python3, float64): page-level,
// the pages whose 4,104 B fit in 5 s × the goodput = 593,302,990.9 B:
// 144,567 of them (593,302,968 B), 117,577 left pending, so QEMU's
// expected downtime, 117,577 × 4,096 B ÷ the goodput (its formula: pages
// × page size ÷ bandwidth, no state), is 4.058595687 s; analytic, pro rata 5/9.0665 of the pass: 144,567.006
// pages (rounded 144,567) and 593,302,990 B. No sync ends the cut round:
// syncs = 1 (setup's).
func TestTimeoutCutByHand(t *testing.T) {
	cfg := Config{Memory: 1 << 30, Timeout: 5 * time.Second, Policy: QEMU{}, Seed: 1}
	goodput := 125e6 * 1460 / 1538
	page := replayWith(t, "page", cfg)
	if page.TotalTime != 5 || page.PagesSent != 144567 || page.Bytes != 144567*4104 || page.Log[0].PendingAfter != 117577 ||
		page.Syncs != 1 || page.Converged || page.StopReason != "timeout" {
		t.Errorf("page: %+v", summary(page))
	}
	if want := 117577 * 4096.0 / goodput; math.Abs(page.ExpectedDowntime-want) > 1e-9 {
		t.Errorf("page: expected downtime %g, want %g", page.ExpectedDowntime, want)
	}
	an := replayWith(t, "analytic", cfg)
	if an.TotalTime != 5 || an.PagesSent != 144567 || an.Bytes != int64(5*goodput) || an.Syncs != 1 || an.Converged || an.StopReason != "timeout" {
		t.Errorf("analytic: %+v", summary(an))
	}
}

// A stop-and-copy that would end after the deadline is cut there too: a
// 64 MiB idle guest's first pass takes 0.566 s, Xen v2 then stops (no
// page dirty) and the state term alone is 10 s; with a 5 s timeout the
// migration gives up at 5 s, the guest resumes on the source. The same for
// a post-copy switch-over; once the guest runs on the destination, the
// push is not cut (a post-copy cannot be abandoned).
func TestTimeoutCutsStopAndSwitchOver(t *testing.T) {
	base := Config{Memory: 64 << 20, Policy: XenV2{}, StateTime: 10 * time.Second, Timeout: 5 * time.Second, Seed: 1}
	post := base
	post.Policy, post.Postcopy, post.PostcopyAfter = QEMU{}, true, 0
	for _, engine := range []string{"page", "analytic"} {
		res := replayWith(t, engine, base)
		if res.Converged || res.StopReason != "timeout" || res.TotalTime != 5 || res.Rounds != 1 || res.Syncs != 3 || res.Downtime != 0 {
			t.Errorf("%s stop-and-copy: %+v", engine, summary(res))
		}
		if engine == "page" && (len(res.Log) != 2 || res.Log[1].Phase != "stop-copy" || res.Log[1].Start+res.Log[1].Duration != 5) {
			t.Errorf("page: log %+v", res.Log)
		}
		res = replayWith(t, engine, post)
		if res.Converged || res.Postcopy || res.StopReason != "timeout" || res.TotalTime != 5 {
			t.Errorf("%s switch-over: %+v", engine, summary(res))
		}
		push := Config{Memory: 1 << 30, Postcopy: true, DirtyRate: 1000, Timeout: time.Second, Seed: 1}
		res = replayWith(t, engine, push)
		if !res.Converged || !res.Postcopy || res.StopReason != "postcopy" || res.TotalTime < 9 {
			t.Errorf("%s push: %+v", engine, summary(res))
		}
	}
}

// Over every policy, model and a range of links and timeouts: nothing ends
// after setup + timeout but a post-copy push; a migration that gave up on
// the timeout did so at exactly setup + timeout; and the link was busy
// until then, so the bytes sent are the stream rate × the live time within
// a page per round (whole pages only) — the page-level engine sends whole
// pages, the analytic path pro rata — unless the policy caps the rate of
// its rounds (Xen's rate adaptation).
func TestPropertyTimeoutHolds(t *testing.T) {
	for _, pol := range allPolicies() {
		for _, m := range allModels(60000) {
			for _, bw := range []float64{1, 125e6} {
				for _, to := range []time.Duration{700 * time.Millisecond, 20 * time.Second} {
					cfg := Config{Memory: 256 << 20, Policy: pol, DirtyModel: m, Bandwidth: bw, SetupTime: 30 * time.Millisecond,
						Timeout: to, Seed: 3}
					for _, engine := range []string{"page", "analytic"} {
						res := replayWith(t, engine, cfg)
						deadline := 0.03 + to.Seconds()
						if res.TotalTime > deadline {
							t.Errorf("%s %s/%s bw %g timeout %v: total %g s past the deadline", engine, pol.Name(), m.Name(), bw, to, res.TotalTime)
						}
						if res.StopReason != "timeout" {
							continue
						}
						rate, _, _ := Rate(cfg)
						live := deadline - 0.03
						busy := !(pol == XenLegacy{RateAdapt: true}) // else the rounds run below the stream rate
						if res.Converged || res.TotalTime != deadline || res.Downtime != 0 || float64(res.Bytes) > rate*live+1 ||
							busy && float64(res.Bytes) < rate*live-float64(res.Rounds+1)*4104 {
							t.Errorf("%s %s/%s bw %g timeout %v: %+v (rate × time %g B)", engine, pol.Name(), m.Name(), bw, to, summary(res), rate*live)
						}
					}
				}
			}
		}
	}
}

func replayWith(t *testing.T, engine string, cfg Config) Result {
	t.Helper()
	run := Run
	if engine == "analytic" {
		run = Analytic
	}
	res, err := run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// summary is res without its log, for messages.
func summary(res Result) Result {
	res.Log = nil
	return res
}
