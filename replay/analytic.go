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
// with λ ≥ 1), the remaining whole rounds up to Config.Timeout are
// extrapolated instead of iterated, so every configuration costs O(rounds
// to converge). A round (or stop-and-copy, or post-copy switch-over) that
// would end after setup + Timeout is cut there pro rata of its pages and
// bytes, as the page-level engine cuts it page by page (see the package
// documentation).
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
		Pages: p.pages, PageSize: p.pageSize, PageBytes: p.pageBytes, Rate: p.rate, FinalRate: p.finalRate,
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
	// one uniform term (uniform, CPU and trace models): At written out below
	one := dc.k == 1 && dc.terms[0].S > 0
	// a measured series is read round by round (its rate changes), and one
	// measured under the migration's own throttle is not throttled again
	tr, _ := p.model.(*Trace)
	trEnd := math.Inf(-1) // when the dirty rate stops changing
	switch {
	case tr != nil && tr.Repeat:
		trEnd = math.Inf(1)
	case tr != nil:
		trEnd = tr.Times[len(tr.Times)-1]
	}
	oneS, oneAL := dc.terms[0].S, dc.terms[0].A*dc.terms[0].L
	n := float64(p.pages)
	invN := 1 / n
	pb := p.pageBytes
	// mean dirty rate over the first pass
	first := (float64(p.pages-p.zeroPages)*pb + float64(p.zeroPages)*ZeroPageBytes) / p.rate
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
	extrapolate := ctrl.kind != kindXenLegacy && ctrl.kind != kindXenV2 // the Xen loops have round caps
	// the round's rate and chunk, and their inverses, change only with the plan
	rate, invRate := p.rate, 1/p.rate
	chunkBytes, chunk, invChunk := 0.0, 1.0, 1.0
	deadline := p.deadline()
	switched := false // the last round ended at the post-copy request
	for {
		if p.postcopy && (switched || p.postAt > 0 && t >= p.postAt || p.postAt == 0 && res.Rounds == p.postAfter) {
			if tr != nil { // the series' rate from the switch on
				dRate = tr.Writes(t, t+1)
			}
			analyticPostcopy(p, &dc, &res, t, pending, zeros, dRate, deadline, rate)
			if switched {
				res.Syncs-- // the round's sync was the switch's
			}
			return res
		}
		if res.Rounds >= p.maxRounds || t >= deadline {
			reason := reasonTimeout
			if res.Rounds >= p.maxRounds {
				reason = reasonRoundLimit
			}
			analyticGiveUp(p, &res, reason, t, pending, rate)
			return res
		}
		plan := &ctrl.plan
		if !ctrl.planned {
			ctrl.plan = ctrl.Plan(round(pending))
		}
		r := p.rate
		if plan.RateCap > 0 {
			r = min(r, plan.RateCap)
		}
		if r != rate {
			rate, invRate = r, 1/r
		}
		tail := 0.0
		if plan.StopBelow > 0 {
			tail = pending
			stopBelow := plan.StopBelow
			if plan.StopRises > 0 {
				stopBelow = plan.stopBelowAt(t)
			}
			// The whole count of pages is compared, as the policy's After
			// will compare it (comparing the fraction instead let a round
			// send nothing yet not stop, forever).
			if float64(round(pending)) >= stopBelow {
				// chunks of c pages until fewer than StopBelow remain; the
				// zero pages (top of memory, first round) cost nearly
				// nothing, so a chunk reaching them sweeps them all
				if plan.ChunkBytes != chunkBytes {
					chunkBytes = plan.ChunkBytes
					chunk = fmax(chunkBytes/pb, 1)
					invChunk = 1 / chunk
				}
				nz := pending - fmin(zeros, pending)
				k := fmax(math.Floor((pending-stopBelow)*invChunk)+1, 1)
				if plan.StopRises > 0 {
					k = risingChunks(plan, pending, chunk, chunk*pb/rate, t, k)
				}
				tail = fmax(pending-k*chunk, 0)
				if zeros > 0 && k*chunk >= nz {
					tail = 0
				}
			}
		}
		run := 1 - throttle
		if tr != nil && tr.Throttled {
			run = 1
		}
		sent := pending - tail
		z := fmin(zeros, sent)
		bytes := (sent-z)*pb + z*ZeroPageBytes
		dt := bytes * invRate
		skipped := 0.0
		if plan.Skip && dt > 0 {
			// A pending page sent at x·T is skipped if written in [0, x·T):
			// sent share f(T) = ∫₀¹ (1 − Distinct(D·x·T·run)/M) dx
			// (Simpson), with T itself shortened by the skips: T = dt·f(T).
			// One secant step from the line through (0, 1) and (dt, f(dt))
			// solves it: T = dt/(2 − f(dt)), exact for a linear f and, f
			// being convex, a little long otherwise: +1.1 % of T* when the
			// round's writes come to 0.7·M on a uniform guest, +0.2 % at
			// 0.35·M, where two plain iterations T ← dt·f(T) (the former
			// method, one more evaluation of f) were +1.7 % and +0.3 %.
			h, e := dc.Pair(dRate * dt * run)
			f := 1 - (4*h+e)*(invN/6)
			share := 1 / (2 - f) // T/dt
			skipped = sent * (1 - share)
			sent -= skipped
			z = fmin(zeros, sent)
			bytes = (sent-z)*pb + z*ZeroPageBytes
			dt = bytes * invRate
		}
		if at := p.postAt; p.postcopy && at > t && t+dt > at {
			// a post-copy request: the round ends at the first chunk
			// boundary at or after it, pro rata of its pages
			c := fmax(plan.ChunkBytes, pb)
			if b := math.Ceil((at-t)*rate/c) * c; b < bytes {
				f := b / bytes
				tail = pending - (sent+skipped)*f
				sent, skipped, z, bytes = sent*f, skipped*f, z*f, b
				dt = bytes * invRate
			}
			switched = true
		}
		cut := t+dt > deadline
		if cut {
			// the round is cut at the deadline: pro rata of its pages and
			// bytes; what it did not reach stays pending
			f := (deadline - t) / dt
			tail = pending - (sent+skipped)*f
			sent, skipped, z, bytes = sent*f, skipped*f, z*f, bytes*f
			dt = deadline - t
		}
		writes := dRate * dt * run
		if tr != nil {
			writes = tr.Writes(t, t+dt) * run
		}
		var dirtied float64
		switch {
		case !one:
			dirtied = dc.At(writes)
		case writes > 0:
			dirtied = -oneS * math.Expm1(writes*oneAL)
		}
		after := fmin(tail+dirtied*(1-tail*invN), n)
		res.Rounds++
		full, zp, ib := round(sent-z), round(z), int64(bytes)
		res.Bytes += ib
		res.PagesSent += full
		res.ZeroPages += zp
		zeros -= z
		start := t
		t += dt
		if cut {
			pending = after
			analyticGiveUp(p, &res, reasonTimeout, deadline, pending, rate)
			res.Syncs = res.Rounds // no sync ends the cut round
			return res
		}
		var v verdict
		var dec Decision
		switch ctrl.kind { // the built-in policies read a few figures, not a Round
		case kindQEMU:
			pa := round(after)
			v = ctrl.qemu.after(res.Rounds, t, rate, pa, pa-round(tail), ib)
			throttle = ctrl.qemu.throttle
		case kindXenLegacy:
			v = ctrl.xenLegacy.after(full+zp, round(skipped), round(dirtied), dt)
		case kindXenV2:
			v = ctrl.xenV2.after(round(after))
		case kindSimGrid:
			v = ctrl.simGrid.after(ib, dt, rate, round(after))
		default:
			rd := Round{
				Index: res.Rounds, Phase: "precopy", Start: start, Duration: dt,
				Pending: round(pending), PagesSent: full, ZeroPages: zp,
				PagesLeft: round(tail), PagesSkipped: round(skipped), PagesDirtied: round(dirtied), Writes: round(writes),
				Bytes: ib, Rate: rate, Throttle: throttle, PendingAfter: round(after),
			}
			dec = ctrl.After(&rd)
			throttle = dec.Throttle
			if dec.Action == StopAndCopy {
				v = vThreshold // any stop; the reason is dec's
			}
		}
		throttle = fmin(fmax(throttle, 0), qemuThrottleMax)
		res.MaxThrottle = fmax(res.MaxThrottle, throttle)
		pending = after
		if ctrl.kind == kindOther && dec.Action == GiveUp {
			analyticGiveUp(p, &res, dec.Reason, t, pending, rate)
			return res
		}
		if v != vContinue {
			fr := p.finalRate
			if ctrl.kind == kindOther {
				res.StopReason = dec.Reason
				if dec.FinalRateCap > 0 {
					fr = fmin(fr, dec.FinalRateCap)
				}
			} else {
				res.StopReason = verdictReasons[v]
				if ctrl.kind == kindXenLegacy && ctrl.xenLegacy.RateAdapt {
					fr = fmin(fr, ctrl.xenLegacy.finalCap())
				}
			}
			fb := pending*pb + p.stateBytes
			res.ExpectedDowntime = pending * float64(p.pageSize) * invRate
			if t+fb/fr+p.state > deadline {
				// the stop-and-copy is cut at the deadline: the pages
				// that fit are sent, the guest resumes on the source
				ram := fmin(pending*pb, (deadline-t)*fr)
				res.Bytes += int64(ram)
				res.PagesSent += int64(math.Round(ram / pb))
				analyticGiveUp(p, &res, reasonTimeout, deadline, pending-ram/pb, rate)
				res.ExpectedDowntime = pending * float64(p.pageSize) * invRate
				res.Syncs = res.Rounds + 2 // the stop's sync happened
				return res
			}
			res.Bytes += int64(fb)
			res.PagesSent += int64(math.Round(pending))
			res.Downtime = fb/fr + p.state
			res.TotalTime = t + res.Downtime
			res.Converged = true
			res.Syncs = res.Rounds + 2
			return res
		}
		// fixed point: nothing changes any more, so a Steady policy will not
		// stop before the timeout (QEMU and SimGrid have no round cap)
		if extrapolate && zeros == 0 && t >= trEnd && throttle == prevThrottle && math.Abs(pending-prevPending) < 0.5 && dt > 0 && ctrl.steady() {
			left := p.timeout - (t - p.setup)
			if left > 0 {
				k := math.Floor(left / dt)
				more := int(min(k, float64(p.maxRounds-res.Rounds)))
				res.Rounds += more
				res.Bytes += int64(float64(more) * bytes)
				res.PagesSent += int64(float64(more) * (sent - z))
				t += float64(more) * dt // the next round is cut at the deadline
			}
		}
		prevPending, prevThrottle = pending, throttle
	}
}

// risingChunks is the number of chunks (of chunk pages, ct seconds each)
// a pass starting at t with pending pages sends under a rising threshold
// (RoundPlan.StopRises): the least k ≥ 1 with pending − k·chunk below the
// threshold in force at t + k·ct. k0 is the answer under the threshold at
// t; the threshold only rises, so the answer is at most k0.
func risingChunks(plan *RoundPlan, pending, chunk, ct, t, k0 float64) float64 {
	s, at := plan.stopBelowAt(t), plan.StopRiseAt
	for n := 0; n < plan.StopRises; n, at = n+1, at+plan.StopRiseEvery {
		if at <= t {
			continue // already in s
		}
		// chunks ending before the rise at 'at' see s
		kEnd := math.Ceil((at-t)/ct) - 1
		if k := fmax(math.Floor((pending-s)/chunk)+1, 1); k <= kEnd {
			return k
		}
		s += plan.StopRise
		// the first chunk ending at or after the rise sees the raised s
		if k := fmax(math.Floor((pending-s)/chunk)+1, kEnd+1); k < k0 {
			if next := at + plan.StopRiseEvery; n+1 == plan.StopRises || t+k*ct < next {
				return k
			}
		}
	}
	return fmax(math.Floor((pending-s)/chunk)+1, 1)
}

// analyticGiveUp ends a migration that did not converge at time t with
// pending pages still to send, the stream last at rate.
func analyticGiveUp(p *params, res *Result, reason string, t, pending, rate float64) {
	res.StopReason = reason
	res.TotalTime = t
	res.Syncs = res.Rounds + 1
	res.ExpectedDowntime = pending * float64(p.pageSize) / rate
}

func analyticPostcopy(p *params, dc *distinctCurve, res *Result, t, pending, zeros, dRate, deadline, rate float64) {
	sw := float64(p.pages)/8 + p.stateBytes
	down := p.state + sw/p.finalRate
	if t+down > deadline {
		// the switch-over is cut at the deadline (see engine.postcopy)
		res.Bytes += int64(fmin(sw, (deadline-t)*p.finalRate))
		analyticGiveUp(p, res, reasonTimeout, deadline, pending, rate)
		res.Syncs = res.Rounds + 2
		return
	}
	res.Postcopy = true
	res.Downtime, res.ExpectedDowntime = down, pending*float64(p.pageSize)/rate
	res.Bytes += int64(sw)
	t += down
	z := min(zeros, pending)
	window := ((pending-z)*p.pageBytes + z*ZeroPageBytes) / p.rate
	n := float64(p.pages)
	// pages touched (written, or read: Config.ReadRate) during the window,
	// each pending one faults if touched before its push: on average half
	// of the window
	touched := dc.At((dRate + p.readRate) * window / 2)
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
	res.StopReason = reasonPostcopy
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

// fmin and fmax are min and max for numbers known not to be NaN: plain
// comparisons, where the built-ins' NaN and signed-zero rules cost a dozen
// instructions each on the analytic path's hot loop.
func fmin(a, b float64) float64 {
	if a < b {
		return a
	}
	return b
}

func fmax(a, b float64) float64 {
	if a > b {
		return a
	}
	return b
}

// round rounds a non-negative count to the nearest integer.
func round(x float64) int64 { return int64(x + 0.5) }
