package replay

import (
	"context"
	"math"
)

// Analytic predicts a migration from expected values, the fast path for
// sweeps: the geometric model of Liu et al. (HPDC 2011) and Clark et al.
// (2005), under the same policy controllers (stop rules, rate adaptation,
// QEMU's pass tail and auto-converge) as the page-level engine.
//
// With memory M pages, stream rate R (pages/s of page-plus-header bytes)
// and dirty rate D (page writes/s, the model's mean over the first pass),
// round i sends d_i pages in t_i = d_i/R and the guest dirties
// d_{i+1} = Distinct(D·t_i·run) pages (run = 1 − throttle), the model's
// expected number of distinct pages among that many writes. While few pages
// are hit twice, Distinct(w) ≈ w, so d_i = M·λ^i with λ = D/R, and n live
// rounds plus the stop-and-copy round send V = M·(1 − λ^(n+1))/(1 − λ)
// pages, Liu et al.'s series; the downtime is d_n/R + the state term.
// Saturation (the dirty set cannot outgrow the pages the model reaches)
// bends the series where it matters. QEMU's tail t is carried, overlapping
// the new dirty pages at random: d_{i+1} = t + Distinct(·)·(1 − t/M).
//
// Xen's skip of re-dirtied pages is taken in expectation: a pending page
// sent at fraction x of the round is skipped if written before, so the
// round sends a share ∫₀¹ (1 − Distinct(D·x·T)/M) dx of its pages (treating
// pending pages as random pages: for hot sets this underestimates skips).
// Not modelled: the order of writes within a round, and randomness. Under uniform
// dirtying the page-level engine agrees within a few percent (see the
// tests); elsewhere it is the reference. Zero pages shrink the first round
// only. Post-copy uses the same switch-over and push model as the engine,
// with expected faults = pages touched before they are pushed (touches
// uniform over memory at rate D, each pending page arriving on average
// half-way through the window).
//
// When the pending pages stop shrinking (a fixed point: QEMU or SimGrid
// with λ ≥ 1), the remaining rounds up to Config.Timeout are extrapolated
// instead of iterated, so every configuration costs O(rounds to converge).
func Analytic(cfg Config) (Result, error) {
	var p params
	if err := p.resolve(&cfg); err != nil {
		return Result{}, err
	}
	return analytic(&p), nil
}

func analytic(p *params) Result {
	res := Result{
		Policy: p.policy.Name(), Model: "uniform",
		Pages: p.pages, PageSize: p.pageSize, Rate: p.rate, RateBound: p.bound(),
	}
	env := Env{
		Pages: p.pages, PageSize: p.pageSize, PageBytes: p.pageBytes, Rate: p.rate,
		MaxBandwidth: p.maxBW, DowntimeLimit: p.limit, AutoConverge: p.autoConv,
	}
	var ctrl controller
	ctrl.begin(p.policy, env)
	var dc distinctCurve
	if p.model != nil {
		res.Model = p.model.Name()
		dc.init(p.model, p.pages)
	} else {
		dc.terms, dc.k, dc.more = p.uniform.distinctTerms(p.pages)
	}
	n := float64(p.pages)
	// mean dirty rate over the first pass
	first := (float64(p.pages-p.zeroPages)*p.pageBytes + float64(p.zeroPages)*ZeroPageBytes) / p.rate
	var dRate float64
	switch {
	case p.model == nil && first > 0:
		dRate = p.uniform.Writes(0, first) / first
	case p.model == nil:
		dRate = p.uniform.Writes(0, 1)
	case first > 0:
		dRate = p.model.Writes(0, first) / first
	default:
		dRate = p.model.Writes(0, 1)
	}
	t := p.setup
	pending := n
	zeros := float64(p.zeroPages)
	throttle := 0.0
	prevPending, prevThrottle := -1.0, -1.0
	extrapolate := res.Policy == "qemu" || res.Policy == "simgrid"
	for {
		if p.postcopy && res.Rounds == p.postAfter {
			analyticPostcopy(p, &dc, &res, t, pending, zeros, dRate)
			return res
		}
		if res.Rounds >= p.maxRounds || t-p.setup >= p.timeout {
			res.StopReason = "timeout"
			if res.Rounds >= p.maxRounds {
				res.StopReason = "round limit"
			}
			res.TotalTime = t
			res.Syncs = res.Rounds + 1
			res.ExpectedDowntime = (pending*p.pageBytes+p.stateBytes)/p.rate + p.state
			return res
		}
		plan := ctrl.plan
		if !ctrl.planned {
			plan = ctrl.Plan(round(pending))
		}
		rate := p.rate
		if plan.RateCap > 0 {
			rate = min(rate, plan.RateCap)
		}
		tail := 0.0
		if plan.StopBelow > 0 {
			tail = pending
			// The whole count of pages is compared, as the policy's After
			// will compare it (comparing the fraction instead let a round
			// send nothing yet not stop, forever).
			if float64(round(pending)) >= plan.StopBelow {
				// chunks of c pages until fewer than StopBelow remain; the
				// zero pages (top of memory, first round) cost nearly
				// nothing, so a chunk reaching them sweeps them all
				c := max(plan.ChunkBytes/p.pageBytes, 1)
				nz := pending - min(zeros, pending)
				k := max(math.Floor((pending-plan.StopBelow)/c)+1, 1)
				tail = max(pending-k*c, 0)
				if zeros > 0 && k*c >= nz {
					tail = 0
				}
			}
		}
		run := 1 - throttle
		sent := pending - tail
		z := min(zeros, sent)
		bytes := (sent-z)*p.pageBytes + z*ZeroPageBytes
		dt := bytes / rate
		skipped := 0.0
		if plan.Skip && dt > 0 {
			// A pending page sent at x·T is skipped if written in [0, x·T):
			// sent share f = ∫₀¹ (1 − Distinct(D·x·T·run)/M) dx (Simpson),
			// with T itself shortened by the skips: a few fixed-point steps.
			T := dt
			for k := 0; k < 2; k++ {
				h, e := dc.Pair(dRate * T * run)
				f := 1 - (4*(h/n)+e/n)/6
				T = dt * f
			}
			skipped = sent * (1 - T/dt)
			sent -= skipped
			z = min(zeros, sent)
			bytes = (sent-z)*p.pageBytes + z*ZeroPageBytes
			dt = bytes / rate
		}
		writes := dRate * dt * run
		dirtied := dc.At(writes)
		after := min(tail+dirtied*(1-tail/n), n)
		rd := Round{
			Index: res.Rounds + 1, Phase: "precopy", Start: t, Duration: dt,
			Pending: round(pending), PagesSent: round(sent - z), ZeroPages: round(z),
			PagesLeft: round(tail), PagesSkipped: round(skipped), PagesDirtied: round(dirtied), Writes: round(writes),
			Bytes: int64(bytes), Rate: rate, Throttle: throttle, PendingAfter: round(after),
		}
		res.Rounds++
		res.Bytes += rd.Bytes
		res.PagesSent += rd.PagesSent
		res.ZeroPages += rd.ZeroPages
		zeros -= z
		t += dt
		var dec Decision
		switch ctrl.kind { // controller.After, dispatched here: one call fewer
		case kindQEMU:
			dec = ctrl.qemu.After(&rd)
		case kindXenLegacy:
			dec = ctrl.xenLegacy.After(&rd)
		case kindXenV2:
			dec = ctrl.xenV2.After(&rd)
		case kindSimGrid:
			dec = ctrl.simGrid.After(&rd)
		default:
			dec = ctrl.After(&rd)
		}
		throttle = min(max(dec.Throttle, 0), qemuThrottleMax)
		res.MaxThrottle = max(res.MaxThrottle, throttle)
		pending = after
		switch dec.Action {
		case StopAndCopy:
			fr := p.rate
			if dec.FinalRateCap > 0 {
				fr = min(fr, dec.FinalRateCap)
			}
			fb := pending*p.pageBytes + p.stateBytes
			res.Bytes += int64(fb)
			res.PagesSent += int64(math.Round(pending))
			res.Downtime = fb/fr + p.state
			res.ExpectedDowntime = res.Downtime
			res.TotalTime = t + res.Downtime
			res.Converged = true
			res.StopReason = dec.Reason
			res.Syncs = res.Rounds + 2
			return res
		case GiveUp:
			res.StopReason = dec.Reason
			res.TotalTime = t
			res.Syncs = res.Rounds + 1
			res.ExpectedDowntime = (pending*p.pageBytes+p.stateBytes)/p.rate + p.state
			return res
		}
		// fixed point: nothing changes any more, so the policy will not stop
		// before the timeout (QEMU and SimGrid have no round cap)
		if extrapolate && zeros == 0 && throttle == prevThrottle && math.Abs(pending-prevPending) < 0.5 && dt > 0 && ctrl.steady() {
			left := p.timeout - (t - p.setup)
			if left > 0 {
				k := math.Floor(left / dt)
				more := int(min(k, float64(p.maxRounds-res.Rounds)))
				res.Rounds += more
				res.Bytes += int64(float64(more) * bytes)
				res.PagesSent += int64(float64(more) * (sent - z))
				t += float64(more) * dt
				if t-p.setup < p.timeout && res.Rounds < p.maxRounds {
					t = p.setup + p.timeout
				}
			}
		}
		prevPending, prevThrottle = pending, throttle
	}
}

func analyticPostcopy(p *params, dc *distinctCurve, res *Result, t, pending, zeros, dRate float64) {
	res.Postcopy = true
	sw := float64(p.pages)/8 + p.stateBytes
	down := p.state + sw/p.rate
	res.Downtime, res.ExpectedDowntime = down, down
	res.Bytes += int64(sw)
	t += down
	z := min(zeros, pending)
	window := ((pending-z)*p.pageBytes + z*ZeroPageBytes) / p.rate
	n := float64(p.pages)
	// pages touched during the window, each pending one faults if touched
	// before its push: on average half of the window
	touched := dc.At(dRate * window / 2)
	faults := touched * pending / n
	stall := faults * (p.fault + p.pageBytes/p.rate)
	res.Bytes += int64((pending-z)*p.pageBytes + z*ZeroPageBytes)
	res.PagesSent += int64(pending - z)
	res.ZeroPages += int64(z)
	res.RemoteFaults = int64(math.Round(faults))
	res.StallTime = stall
	res.PostcopyTime = window
	res.TotalTime = t + window
	res.Converged = true
	res.StopReason = "postcopy"
	res.Syncs = res.Rounds + 2
}

// AnalyticContext is Analytic for callers holding a context (it checks ctx
// once: a single configuration takes microseconds).
func AnalyticContext(ctx context.Context, cfg Config) (Result, error) {
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	return Analytic(cfg)
}

// round rounds a non-negative count to the nearest integer.
func round(x float64) int64 { return int64(x + 0.5) }
