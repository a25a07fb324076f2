package replay

import (
	"context"
	"fmt"
	"math"
	"math/bits"
)

// Round is one round of a replayed migration. Its JSON keys are
// replay_round's column names (schema/README.md, with the units).
type Round struct {
	Index        int     `json:"round"`               // 1-based
	Phase        string  `json:"phase"`               // "precopy", "stop-copy" or "postcopy"
	Start        float64 `json:"start_s"`             // seconds since the migration started
	Duration     float64 `json:"duration_s"`          // seconds
	Pending      int64   `json:"pages_pending"`       // pages pending when the round began
	PagesSent    int64   `json:"pages_sent"`          // pages sent in full
	ZeroPages    int64   `json:"zero_pages"`          // zero pages sent as markers
	PagesSkipped int64   `json:"pages_skipped"`       // pages deferred to the next round (Xen legacy skip)
	PagesLeft    int64   `json:"pages_left"`          // pending pages left unsent when the round ended (QEMU's tail)
	PagesDirtied int64   `json:"pages_dirtied"`       // distinct pages the guest wrote during the round
	Writes       int64   `json:"writes"`              // page writes drawn during the round
	Bytes        int64   `json:"bytes"`               // stream bytes sent
	Rate         float64 `json:"rate"`                // stream rate during the round, bytes/s
	Throttle     float64 `json:"throttle"`            // share of time the guest was kept off the CPU
	PendingAfter int64   `json:"pages_pending_after"` // pages pending when the round ended
	RemoteFaults int64   `json:"remote_faults"`       // post-copy: pages fetched on demand
}

// Result is a replayed migration. Its JSON keys are replay_run's column
// names where it has one (schema/README.md, with the units).
type Result struct {
	Policy    string  `json:"policy"`
	Model     string  `json:"dirty_model"`
	Pages     int64   `json:"pages"`           // guest pages
	PageSize  int64   `json:"page_size_bytes"` // bytes
	Rate      float64 `json:"stream_rate"`     // stream rate before policy caps, bytes/s
	RateBound string  `json:"rate_bound"`      // what bounds Rate: "link", "cpu" or "limit"

	TotalTime float64 `json:"total_time_s"` // seconds, setup to resume (post-copy: to the last page)
	// Downtime is the pause (QEMU's downtime): seconds from stopping the
	// guest to resuming it on the destination, the last pending pages and
	// the CPU and device state at the stop-and-copy's rate plus the state
	// time (0 when not converged).
	Downtime float64 `json:"downtime_s"`
	// ExpectedDowntime is QEMU's expected-downtime as QEMU computes it
	// (migration_update_counters): the pages pending at the last bitmap
	// sync × page size ÷ the stream's rate then (the last live round's),
	// without device state. For a converged pre-copy that is the estimate
	// QEMU switched over on (below the downtime limit by its rule), where
	// Downtime is the pause itself; for one that did not converge, what
	// stopping at the end would have cost by that estimate.
	ExpectedDowntime float64 `json:"expected_downtime_s"`
	Bytes            int64   `json:"bytes_sent"` // stream bytes sent
	PagesSent        int64   `json:"pages_sent"` // pages sent in full, all rounds
	ZeroPages        int64   `json:"zero_pages"` // zero-page markers sent
	Rounds           int     `json:"rounds"`     // live pre-copy rounds (the stop-and-copy round excluded)
	// Syncs counts dirty-bitmap syncs as QEMU's dirty-sync-count does: one
	// at setup, one ending each live round, one at completion (Rounds + 2).
	Syncs       int     `json:"syncs"`
	Converged   bool    `json:"converged"`
	StopReason  string  `json:"stop_reason"`
	MaxThrottle float64 `json:"max_throttle"`

	// Post-copy (Config.Postcopy).
	Postcopy     bool    `json:"postcopy"`
	PostcopyTime float64 `json:"postcopy_time_s"` // seconds from resume on the destination to the last page
	RemoteFaults int64   `json:"remote_faults"`   // pages the guest faulted on and fetched on demand
	StallTime    float64 `json:"stall_time_s"`    // seconds the guest waited on remote faults

	Log []Round `json:"log"` // the rounds, stop-and-copy and post-copy ones included
}

// Run replays one migration. See RunContext.
func Run(cfg Config) (Result, error) { return RunContext(context.Background(), cfg) }

// RunContext replays one migration page by page, checking ctx between
// rounds. The same Config (Seed included) gives the same Result.
func RunContext(ctx context.Context, cfg Config) (Result, error) {
	p, err := resolve(cfg)
	if err != nil {
		return Result{}, err
	}
	e := newEngine(p)
	if err := e.run(ctx); err != nil {
		return Result{}, err
	}
	return e.res, nil
}

type engine struct {
	p           *params
	model       DirtyModel
	r           *RNG
	send, dirty *Bitmap
	ever        *Bitmap // pages written since the start (only with zero pages)
	zlo         int64   // first zero page
	pending     int64
	pos         int64 // an InTurn trace's next page (Trace.markFrom)
	t           float64
	throttle    float64
	res         Result
}

func newEngine(p *params) *engine {
	e := &engine{
		p:     p,
		model: p.dirty(),
		r:     NewRNG(p.seed),
		send:  NewBitmap(p.pages),
		dirty: NewBitmap(p.pages),
		zlo:   p.pages - p.zeroPages,
	}
	if p.zeroPages > 0 {
		e.ever = NewBitmap(p.pages)
	}
	e.send.SetAll()
	e.pending = p.pages
	e.res = Result{
		Policy: p.policy.Name(), Model: e.model.Name(),
		Pages: p.pages, PageSize: p.pageSize, Rate: p.rate,
	}
	e.res.RateBound = p.bound()
	return e
}

// zeroMask is the mask of word wi's pages that are in the zero region and
// have not been written since the start.
func (e *engine) zeroMask(wi int) uint64 {
	if e.ever == nil {
		return 0
	}
	base := int64(wi) << 6
	if base+64 <= e.zlo {
		return 0
	}
	m := ^e.ever.w[wi]
	if base < e.zlo {
		m &= ^uint64(0) << uint64(e.zlo-base)
	}
	return m
}

func (e *engine) run(ctx context.Context) error {
	p := e.p
	env := Env{
		Pages: p.pages, PageSize: p.pageSize, PageBytes: p.pageBytes, Rate: p.rate, FinalRate: p.finalRate,
		MaxBandwidth: p.maxBW, DowntimeLimit: p.limit, AutoConverge: p.autoConv,
	}
	var ctrl controller
	ctrl.begin(p.policy, env)
	e.t = p.setup
	deadline := p.deadline()
	finalCap := 0.0
	switched := false // the last round ended at the post-copy request (its sync is the switch's)
	for {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("replay: %w", err)
		}
		if p.postcopy && (switched || p.postAt > 0 && e.t >= p.postAt || p.postAt == 0 && e.res.Rounds == p.postAfter) {
			e.postcopy(deadline, switched)
			return nil
		}
		if e.res.Rounds >= p.maxRounds {
			e.giveUp(reasonRoundLimit)
			return nil
		}
		if e.t >= deadline {
			e.giveUp(reasonTimeout)
			return nil
		}
		plan := ctrl.Plan(e.pending)
		rate := p.rate
		if plan.RateCap > 0 {
			rate = min(rate, plan.RateCap)
		}
		var rd Round
		var cut bool
		if plan.Skip {
			rd, cut = e.roundBatched(rate, plan.Spread, deadline)
		} else {
			rd, cut, switched = e.roundOneShot(rate, &plan, deadline)
		}
		e.res.Rounds++
		rd.Index = e.res.Rounds
		e.account(&rd)
		if cut {
			// the round reached the deadline: no sync ends it
			e.giveUp(reasonTimeout)
			e.res.Syncs = e.res.Rounds
			return nil
		}
		dec := ctrl.After(&e.res.Log[len(e.res.Log)-1])
		e.throttle = min(max(dec.Throttle, 0), qemuThrottleMax)
		e.res.MaxThrottle = max(e.res.MaxThrottle, e.throttle)
		switch dec.Action {
		case StopAndCopy:
			finalCap = dec.FinalRateCap
			e.res.StopReason = dec.Reason
			e.stopAndCopy(finalCap, deadline)
			return nil
		case GiveUp:
			e.giveUp(dec.Reason)
			return nil
		}
	}
}

func (e *engine) account(rd *Round) {
	e.res.Log = append(e.res.Log, *rd)
	e.res.Bytes += rd.Bytes
	e.res.PagesSent += rd.PagesSent
	e.res.ZeroPages += rd.ZeroPages
	e.res.RemoteFaults += rd.RemoteFaults
}

// running is the share of time the guest's writes run: 1 − the throttle,
// or 1 for a series measured under the migration's own throttle
// (Trace.Throttled: its rates already include it).
func (e *engine) running() float64 {
	if tr, ok := e.model.(*Trace); ok && tr.Throttled {
		return 1
	}
	return 1 - e.throttle
}

// guestWrites draws and marks the guest's writes during [t, t+dt).
func (e *engine) guestWrites(b *Bitmap, dt, run float64) int64 {
	if dt <= 0 || run <= 0 {
		return 0
	}
	w := poisson(e.r, e.model.Writes(e.t, e.t+dt)*run)
	if w > 0 {
		if tr, ok := e.model.(*Trace); ok {
			if pos, ok := tr.markFrom(b, e.pos, w); ok {
				e.pos = pos
				return w
			}
		}
		e.model.Mark(b, w, e.r)
	}
	return w
}

// roundOneShot sends the pending pages in address order (all of them, or
// until a chunk boundary leaves fewer than plan.StopBelow: see RoundPlan),
// while the guest writes; then pending = unsent tail ∪ written. A round
// that would pass a post-copy request (Config.PostcopyAt) ends at the first
// chunk boundary at or after it (switched reports it). A round that would
// end after deadline is cut there: it sends the pages that fit before it
// (cut reports it).
func (e *engine) roundOneShot(rate float64, plan *RoundPlan, deadline float64) (rd Round, cut, switched bool) {
	p := e.p
	rd = Round{Phase: "precopy", Start: e.t, Pending: e.pending, Rate: rate, Throttle: e.throttle}
	end, sent, zeros := e.cut(plan, rate)
	bytes := float64(sent-zeros)*p.pageBytes + float64(zeros)*ZeroPageBytes
	rd.Duration = bytes / rate
	if at := p.postAt; p.postcopy && at > e.t && e.t+rd.Duration > at {
		chunk := max(plan.ChunkBytes, p.pageBytes)
		end, sent, zeros = e.prefix(math.Ceil((at-e.t)*rate/chunk) * chunk)
		bytes = float64(sent-zeros)*p.pageBytes + float64(zeros)*ZeroPageBytes
		rd.Duration = bytes / rate
		switched = true
	}
	if e.t+rd.Duration > deadline {
		cut = true
		end, sent, zeros = e.prefix((deadline - e.t) * rate)
		bytes = float64(sent-zeros)*p.pageBytes + float64(zeros)*ZeroPageBytes
		rd.Duration = deadline - e.t
	}
	rd.ZeroPages = zeros
	rd.PagesSent = sent - zeros
	rd.PagesLeft = e.pending - sent
	rd.Bytes = int64(bytes)
	rd.Writes = e.guestWrites(e.dirty, rd.Duration, e.running())
	e.t += rd.Duration
	if cut {
		e.t = deadline
	}
	rd.PagesDirtied = e.dirty.Count()
	if e.ever != nil {
		e.ever.Or(e.dirty)
	}
	if rd.PagesLeft > 0 {
		wi := int(end >> 6)
		if end&63 != 0 {
			e.dirty.w[wi] |= e.send.w[wi] &^ (^uint64(0) >> uint64(64-end&63))
			wi++
		}
		for ; wi < len(e.send.w); wi++ {
			e.dirty.w[wi] |= e.send.w[wi]
		}
	}
	e.swap()
	rd.PendingAfter = e.pending
	return rd, cut, switched
}

// cut walks the pending pages in address order and returns the page index
// before which the round's pages lie, how many pages that is and how many
// of them are zero pages. With plan.StopBelow > 0 the walk is cut into
// chunks of plan.ChunkBytes stream bytes and ends after the first chunk
// leaving fewer than StopBelow pages unsent (as raised by then, at rate:
// RoundPlan.StopRises); the check also runs before the first chunk.
func (e *engine) cut(plan *RoundPlan, rate float64) (cut, sent, zeros int64) {
	p := e.p
	remaining := e.pending
	if plan.StopBelow <= 0 {
		return p.pages, remaining, e.zerosPending()
	}
	stopBelow := plan.StopBelow
	if plan.StopRises > 0 {
		stopBelow = plan.stopBelowAt(e.t)
	}
	if float64(remaining) < stopBelow {
		return 0, 0, 0
	}
	chunkBytes := max(plan.ChunkBytes, p.pageBytes)
	var b float64
	next := chunkBytes
	for wi, s := range e.send.w {
		if s == 0 {
			continue
		}
		zm := s & e.zeroMask(wi)
		nz := int64(bits.OnesCount64(zm))
		n := int64(bits.OnesCount64(s))
		wb := float64(n-nz)*p.pageBytes + float64(nz)*ZeroPageBytes
		if b+wb < next {
			b += wb
			remaining -= n
			sent += n
			zeros += nz
			continue
		}
		for m := s; m != 0; m &= m - 1 {
			bit := m & -m
			if zm&bit != 0 {
				b += ZeroPageBytes
				zeros++
			} else {
				b += p.pageBytes
			}
			remaining--
			sent++
			if b >= next {
				if plan.StopRises > 0 {
					stopBelow = plan.stopBelowAt(e.t + b/rate)
				}
				if float64(remaining) < stopBelow {
					return int64(wi)<<6 + int64(bits.TrailingZeros64(bit)) + 1, sent, zeros
				}
				for next <= b {
					next += chunkBytes
				}
			}
		}
	}
	return p.pages, sent, zeros
}

// prefix walks the pending pages in address order and returns the page
// index before which lie those whose stream bytes fit in budget, how many
// pages that is and how many of them are zero pages (a page that does not
// fit whole is not sent).
func (e *engine) prefix(budget float64) (end, sent, zeros int64) {
	p := e.p
	var b float64
	for wi, s := range e.send.w {
		if s == 0 {
			continue
		}
		zm := s & e.zeroMask(wi)
		nz := int64(bits.OnesCount64(zm))
		n := int64(bits.OnesCount64(s))
		if wb := float64(n-nz)*p.pageBytes + float64(nz)*ZeroPageBytes; b+wb <= budget {
			b += wb
			sent += n
			zeros += nz
			continue
		}
		for m := s; m != 0; m &= m - 1 {
			bit := m & -m
			c := p.pageBytes
			if zm&bit != 0 {
				c = ZeroPageBytes
			}
			if b+c > budget {
				return int64(wi)<<6 + int64(bits.TrailingZeros64(bit)), sent, zeros
			}
			b += c
			sent++
			if zm&bit != 0 {
				zeros++
			}
		}
	}
	return p.pages, sent, zeros
}

// roundBatched sends the pending pages in 1024-page batches, skipping pages
// written again since the round began (they stay dirty for the next
// round), with the guest writing between batches. With spread, batch g is
// the 16 words g, g+G, g+2G, … (G = words/16): 64-page runs strided across
// memory, as Xen legacy's rotated pfn order spreads its batches. A round
// that would end after deadline is cut there: the batch in flight sends
// the pages that fit before it, in its order, and every page not sent stays
// pending (cut reports it).
func (e *engine) roundBatched(rate float64, spread bool, deadline float64) (rd Round, cut bool) {
	p := e.p
	rd = Round{Phase: "precopy", Start: e.t, Pending: e.pending, Rate: rate, Throttle: e.throttle}
	nw := len(e.send.w)
	const per = 16
	groups := (nw + per - 1) / per
	run := e.running()
	sw, dw := e.send.w, e.dirty.w
	for g := 0; g < groups; g++ {
		var pages, zeros, skipped int64
		for j := 0; j < per; j++ {
			wi := g*per + j
			if spread {
				wi = g + j*groups
			}
			if wi >= nw {
				break
			}
			s := sw[wi]
			if s == 0 {
				continue
			}
			d := dw[wi]
			m := s &^ d
			skipped += int64(bits.OnesCount64(s & d))
			pages += int64(bits.OnesCount64(m))
			if e.ever != nil {
				zeros += int64(bits.OnesCount64(m & e.zeroMask(wi) &^ d))
			}
		}
		rd.PagesSkipped += skipped
		if pages == 0 {
			continue
		}
		bytes := float64(pages-zeros)*p.pageBytes + float64(zeros)*ZeroPageBytes
		dt := bytes / rate
		if e.t+dt > deadline {
			cut = true
			pages, zeros, bytes = e.batchPrefix(g, groups, spread, (deadline-e.t)*rate)
			dt = deadline - e.t
		}
		rd.Writes += e.guestWrites(e.dirty, dt, run)
		e.t += dt
		rd.Duration += dt
		rd.PagesSent += pages - zeros
		rd.ZeroPages += zeros
		rd.Bytes += int64(bytes)
		if cut {
			e.t = deadline
			break
		}
	}
	rd.PagesDirtied = e.dirty.Count()
	if e.ever != nil {
		e.ever.Or(e.dirty)
	}
	e.swap()
	rd.PendingAfter = e.pending
	return rd, cut
}

// batchPrefix sends, of batch g's pages (not yet written again), those
// whose stream bytes fit in budget, in the batch's word and bit order, and
// keeps every other page of the round pending (marks it dirty): the rest
// of batch g and the batches after it. It returns the pages sent, the zero
// pages among them and their bytes.
func (e *engine) batchPrefix(g, groups int, spread bool, budget float64) (pages, zeros int64, b float64) {
	p := e.p
	sw, dw := e.send.w, e.dirty.w
	full := false
	for h := g; h < groups; h++ {
		for j := 0; j < 16; j++ {
			wi := h*16 + j
			if spread {
				wi = h + j*groups
			}
			if wi >= len(sw) {
				break
			}
			m := sw[wi] &^ dw[wi]
			zm := m & e.zeroMask(wi)
			for ; m != 0 && !full; m &= m - 1 {
				bit := m & -m
				c := p.pageBytes
				if zm&bit != 0 {
					c = ZeroPageBytes
				}
				if b+c > budget {
					full = true
					break
				}
				b += c
				pages++
				if zm&bit != 0 {
					zeros++
				}
			}
			dw[wi] |= m // not sent: pending
		}
		full = true // batches after g send nothing
	}
	return pages, zeros, b
}

// swap makes the written pages the pending set and clears the log.
func (e *engine) swap() {
	e.send, e.dirty = e.dirty, e.send
	e.dirty.Clear()
	e.pending = e.send.Count()
}

func (e *engine) zerosPending() int64 {
	if e.ever == nil {
		return 0
	}
	var z int64
	for wi := int(e.zlo >> 6); wi < len(e.send.w); wi++ {
		z += int64(bits.OnesCount64(e.send.w[wi] & e.zeroMask(wi)))
	}
	return z
}

// stopAndCopy pauses the guest and sends every pending page, with the CPU
// and device state: Downtime = (pending pages' bytes + StateBytes) ÷ the
// stop-and-copy's rate + StateTime, where that rate is the stream rate, or
// for a policy that lifts its limit at the stop (QEMU) the rate the link
// and the CPU allow, capped by rateCap when > 0. ExpectedDowntime is QEMU's
// estimate of the same pause (see expected). A stop-and-copy that would end
// after deadline is cut there: it sends the pages that fit before it
// (address order), the migration gives up and the guest resumes on the
// source.
func (e *engine) stopAndCopy(rateCap, deadline float64) {
	p := e.p
	rate := p.finalRate
	if rateCap > 0 {
		rate = min(rate, rateCap)
	}
	zeros := e.zerosPending()
	rd := Round{Index: e.res.Rounds + 1, Phase: "stop-copy", Start: e.t, Pending: e.pending, Rate: rate,
		ZeroPages: zeros, PagesSent: e.pending - zeros}
	bytes := float64(rd.PagesSent)*p.pageBytes + float64(zeros)*ZeroPageBytes + p.stateBytes
	rd.Duration = bytes/rate + p.state
	e.res.ExpectedDowntime = e.expected(e.pending)
	if e.t+rd.Duration > deadline {
		_, sent, zeros := e.prefix((deadline - e.t) * rate)
		rd.ZeroPages, rd.PagesSent = zeros, sent-zeros
		rd.Bytes = int64(float64(sent-zeros)*p.pageBytes + float64(zeros)*ZeroPageBytes)
		rd.Duration = deadline - e.t
		rd.PendingAfter = e.pending - sent
		e.account(&rd)
		e.t, e.pending = deadline, rd.PendingAfter
		e.giveUp(reasonTimeout)
		e.res.Syncs = e.res.Rounds + 2 // the stop's sync happened
		return
	}
	rd.Bytes = int64(bytes)
	e.account(&rd)
	e.t += rd.Duration
	e.pending = 0
	e.res.Downtime = rd.Duration
	e.res.TotalTime = e.t
	e.res.Converged = true
	e.res.Syncs = e.res.Rounds + 2
}

// expected is QEMU's expected-downtime (migration_update_counters): the
// bytes pending at the last bitmap sync, pending pages × page size
// (dirty_bytes_last_sync), over the bandwidth the stream last measured,
// the last live round's rate (the stream rate before any round). No device
// state, no zero-page discount: QEMU counts neither.
func (e *engine) expected(pending int64) float64 {
	rate := e.p.rate
	if n := len(e.res.Log); n > 0 && e.res.Log[n-1].Rate > 0 {
		rate = e.res.Log[n-1].Rate
	}
	return float64(pending) * float64(e.p.pageSize) / rate
}

func (e *engine) giveUp(reason string) {
	e.res.StopReason = reason
	e.res.Converged = false
	e.res.TotalTime = e.t
	e.res.Syncs = e.res.Rounds + 1
	e.res.ExpectedDowntime = e.expected(e.pending)
}
