package replay

import (
	"math"
	"math/bits"
)

// postcopy switches to post-copy with the pages now pending (all of memory
// for pure post-copy, Config.PostcopyAfter = 0). synced says the last live
// round ended at the post-copy request (Config.PostcopyAt), its bitmap
// sync being the switch's own.
//
// The model (QEMU's postcopy-ram, as described in MODELS.md):
//
//   - Switch-over: the guest pauses while its CPU and device state and the
//     dirty bitmap (pages/8 bytes, from which the destination learns which
//     pages to discard) are sent. Downtime = (state bytes + pages/8) ÷ the
//     stop-and-copy's rate (QEMU lifts max-bandwidth for it, as for a
//     pre-copy stop) + state time. The switch syncs the dirty bitmap once
//     (QEMU's discard bitmap); no sync follows.
//   - Degraded window: the guest runs on the destination while the source
//     pushes the pending pages in address order, in steps of
//     max(1024, pages/256) pages. A page the guest touches before it has
//     arrived is a remote fault: fetched on demand ahead of the push (its
//     bytes take link time), and the vCPU waits FaultLatency plus the page's
//     transfer. Faulted pages leave the pending set. The guest's share of
//     running time in a step is 1 − (its stall in the previous step ÷ the
//     step's length), at least 5 %.
//   - Touched pages are the dirty model's writes and Config.ReadRate's
//     reads, on the pages the model writes (Mark): a read of a page not
//     yet arrived faults as a write does. A fault on a page of the chunk
//     being pushed in the same step is counted as a fault.
//   - Total time ends when the last page has arrived; PostcopyTime is the
//     degraded window, StallTime the summed waits.
//   - Config.Timeout: a switch-over that would end after deadline is cut
//     there (the bytes that fit are sent), the migration gives up and the
//     guest resumes on the source. Once the guest runs on the destination
//     the migration cannot be abandoned: the push is not cut.
func (e *engine) postcopy(deadline float64, synced bool) {
	p := e.p
	bitmapBytes := float64(p.pages)/8 + p.stateBytes
	down := p.state + bitmapBytes/p.finalRate
	e.res.ExpectedDowntime = e.expected(e.pending)
	sw := Round{Index: e.res.Rounds + 1, Phase: "stop-copy", Start: e.t, Duration: down,
		Pending: e.pending, PendingAfter: e.pending, Rate: p.finalRate, Bytes: int64(bitmapBytes)}
	if e.t+down > deadline {
		sw.Duration = deadline - e.t
		sw.Bytes = int64(min(bitmapBytes, sw.Duration*p.finalRate))
		e.account(&sw)
		e.t = deadline
		e.giveUp(reasonTimeout)
		e.res.Syncs = e.res.Rounds + 2 // the switch-over's sync happened
		if synced {
			e.res.Syncs--
		}
		return
	}
	e.res.Postcopy = true
	e.account(&sw)
	e.t += down
	e.res.Downtime = down
	start := e.t

	acc := NewBitmap(p.pages)
	chunk := max(1024, p.pages/256)
	nw := len(e.send.w)
	cursor := 0
	run := 1.0
	index := sw.Index
	for e.pending > 0 && cursor < nw {
		// the next chunk of pending pages, in address order
		end := cursor
		var planned, zeros int64
		for end < nw && planned < chunk {
			planned += int64(bits.OnesCount64(e.send.w[end]))
			zeros += int64(bits.OnesCount64(e.send.w[end] & e.zeroMask(end)))
			end++
		}
		dt := (float64(planned-zeros)*p.pageBytes + float64(zeros)*ZeroPageBytes) / p.rate
		index++
		rd := Round{Index: index, Phase: "postcopy", Start: e.t, Pending: e.pending, Rate: p.rate, Throttle: 1 - run}
		rd.Writes = e.guestWrites(acc, dt, run)
		rd.PagesDirtied = acc.Count()
		if p.readRate > 0 && dt > 0 {
			if rds := poisson(e.r, p.readRate*dt*run); rds > 0 {
				e.model.Mark(acc, rds, e.r)
			}
		}
		// remote faults: touched pages not yet on the destination
		var faults, faultZeros int64
		if rd.Writes > 0 || p.readRate > 0 {
			for wi, a := range acc.w {
				if a == 0 {
					continue
				}
				f := a & e.send.w[wi]
				if f != 0 {
					faults += int64(bits.OnesCount64(f))
					faultZeros += int64(bits.OnesCount64(f & e.zeroMask(wi)))
					e.send.w[wi] &^= f
				}
			}
			acc.Clear()
		}
		// background push of what is left of the chunk
		var pushed, pushedZeros int64
		for wi := cursor; wi < end; wi++ {
			pushed += int64(bits.OnesCount64(e.send.w[wi]))
			pushedZeros += int64(bits.OnesCount64(e.send.w[wi] & e.zeroMask(wi)))
			e.send.w[wi] = 0
		}
		cursor = end
		fullPages := pushed - pushedZeros + faults - faultZeros
		zeroPages := pushedZeros + faultZeros
		bytes := float64(fullPages)*p.pageBytes + float64(zeroPages)*ZeroPageBytes
		rd.Duration = bytes / p.rate
		rd.Bytes = int64(bytes)
		rd.PagesSent, rd.ZeroPages, rd.RemoteFaults = fullPages, zeroPages, faults
		stall := float64(faults) * (p.fault + p.pageBytes/p.rate)
		e.res.StallTime += stall
		if rd.Duration > 0 {
			run = math.Max(0.05, 1-stall/rd.Duration)
		}
		e.t += rd.Duration
		e.pending -= pushed + faults
		rd.PendingAfter = e.pending
		e.account(&rd)
	}
	e.res.PostcopyTime = e.t - start
	e.res.TotalTime = e.t
	e.res.Converged = true
	e.res.StopReason = reasonPostcopy
	e.res.Syncs = e.res.Rounds + 2
	if synced {
		e.res.Syncs--
	}
}
