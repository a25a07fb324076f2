package ping

import (
	"bufio"
	"container/heap"
	"io"
	"math"
	"math/rand/v2"
	"strconv"
)

// Generate writes a synthetic `ping -D -O -n -i 0.01 10.0.0.2` session in
// iputils 20221126's exact format, for benchmarks and the jc comparison:
// replies echo replies (not counting the one duplicate), probes every 10 ms
// with a little send jitter, round-trip times log-normal around 0.25 ms with
// rare spikes up to ~400 ms (so every time= precision appears and slow
// replies arrive after later probes), a few outages of 5–40 probes (one per
// 250,000 replies, at least three) that -O reports as "no answer yet", rare
// single losses, icmp_seq wrapping at 65536, one (DUP!), and the closing
// statistics computed the way iputils' finish() does (integer microseconds).
// The same seed gives the same bytes.
func Generate(w io.Writer, replies int, seed int64) error {
	if replies < 1 {
		replies = 1
	}
	g := &gen{
		w:   bufio.NewWriterSize(w, 256<<10),
		rng: rand.New(rand.NewPCG(uint64(seed), 0x6a09e667f3bcc908)),
		min: math.MaxInt64,
	}
	g.outages(replies)
	dup := 1 + g.rng.IntN(replies)
	g.buf = append(g.buf, "PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.\n"...)

	const t0 = 1795305512_628954 // µs since the epoch
	const interval = 10_000      // µs
	var sent, received, lastSend int64
	for k := int64(1); received < int64(replies); k++ {
		send := t0 + (k-1)*interval + g.rng.Int64N(40)
		g.arrive(send, sent, dup)
		received = g.received
		if received >= int64(replies) {
			break
		}
		if k > 1 && !g.acked(k-1) {
			g.stamp(send)
			g.buf = append(g.buf, "no answer yet for icmp_seq="...)
			g.buf = strconv.AppendInt(g.buf, (k-1)%65536, 10)
			g.buf = append(g.buf, '\n')
		}
		sent, lastSend = k, send
		if !g.lost(k) {
			heap.Push(&g.pending, probe{seq: k, send: send, at: send + g.rtt()})
		}
		if err := g.flush(false); err != nil {
			return err
		}
	}
	g.arrive(math.MaxInt64, sent, dup)
	g.summary(sent, lastSend-t0)
	return g.flush(true)
}

type probe struct{ seq, send, at int64 } // times in µs since the epoch

type probes []probe

func (p probes) Len() int           { return len(p) }
func (p probes) Less(i, j int) bool { return p[i].at < p[j].at }
func (p probes) Swap(i, j int)      { p[i], p[j] = p[j], p[i] }
func (p *probes) Push(x any)        { *p = append(*p, x.(probe)) }
func (p *probes) Pop() any {
	old := *p
	x := old[len(old)-1]
	*p = old[:len(old)-1]
	return x
}

type gen struct {
	w       *bufio.Writer
	rng     *rand.Rand
	buf     []byte
	pending probes
	out     [][2]int64 // outage probe ranges [from, to]
	acks    map[int64]bool

	received, dups int64
	tsum, min, max int64
	tsum2          float64
	pipe           int64
}

// outages places max(3, replies/250000) outages of 5–40 probes.
func (g *gen) outages(replies int) {
	n := max(3, replies/250_000)
	step := int64(replies) / int64(n+1)
	for i := 1; i <= n; i++ {
		from := int64(i)*step + g.rng.Int64N(max(step/2, 1))
		g.out = append(g.out, [2]int64{from, from + 4 + g.rng.Int64N(36)})
	}
	g.acks = map[int64]bool{}
}

func (g *gen) lost(k int64) bool {
	for _, o := range g.out {
		if k >= o[0] && k <= o[1] {
			return true
		}
	}
	return g.rng.IntN(20_000) == 0
}

// acked reports whether probe k's reply was printed; it forgets older ones.
func (g *gen) acked(k int64) bool {
	ok := g.acks[k]
	delete(g.acks, k)
	return ok
}

// rtt draws a round-trip time in µs: log-normal around 250 µs, and one
// reply in a thousand 4–1600 times slower.
func (g *gen) rtt() int64 {
	v := 250 * math.Exp(0.3*g.rng.NormFloat64())
	if g.rng.IntN(1000) == 0 {
		v *= 4 + g.rng.Float64()*1600
	}
	return max(int64(v), 3)
}

// arrive prints every pending reply that arrives before t.
func (g *gen) arrive(t, sent int64, dup int) {
	for len(g.pending) > 0 && g.pending[0].at < t {
		p := heap.Pop(&g.pending).(probe)
		g.received++
		g.acks[p.seq] = true
		g.pipe = max(g.pipe, sent-p.seq+1)
		g.reply(p, "")
		if g.received == int64(dup) {
			g.dups++
			g.reply(probe{seq: p.seq, send: p.send, at: p.at + 7}, " (DUP!)")
		}
	}
}

// reply prints one reply line and accumulates finish()'s statistics.
func (g *gen) reply(p probe, suffix string) {
	trip := p.at - p.send
	g.tsum += trip
	g.tsum2 += float64(trip) * float64(trip)
	g.min, g.max = min(g.min, trip), max(g.max, trip)
	g.stamp(p.at)
	g.buf = append(g.buf, "64 bytes from 10.0.0.2: icmp_seq="...)
	g.buf = strconv.AppendInt(g.buf, p.seq%65536, 10)
	g.buf = append(g.buf, " ttl=64 time="...)
	g.buf = appendRTT(g.buf, trip)
	g.buf = append(g.buf, " ms"...)
	g.buf = append(g.buf, suffix...)
	g.buf = append(g.buf, '\n')
}

// appendRTT formats µs the way iputils' gather_statistics does.
func appendRTT(b []byte, us int64) []byte {
	switch {
	case us >= 100000-50:
		return strconv.AppendInt(b, (us+500)/1000, 10)
	case us >= 10000-5:
		return appendFixed(b, (us+50)/1000, ((us+50)%1000)/100, 1)
	case us >= 1000:
		return appendFixed(b, (us+5)/1000, ((us+5)%1000)/10, 2)
	default:
		return appendFixed(b, us/1000, us%1000, 3)
	}
}

// appendFixed appends "i.f" with f zero-padded to width digits.
func appendFixed(b []byte, i, f int64, width int) []byte {
	b = strconv.AppendInt(b, i, 10)
	b = append(b, '.')
	for d := int64(math.Pow10(width - 1)); d > 1 && f < d; d /= 10 {
		b = append(b, '0')
	}
	return strconv.AppendInt(b, f, 10)
}

// stamp prints iputils' -D prefix "[%lu.%06lu] ".
func (g *gen) stamp(us int64) {
	g.buf = append(g.buf, '[')
	g.buf = appendFixed(g.buf, us/1_000_000, us%1_000_000, 6)
	g.buf = append(g.buf, "] "...)
}

// summary prints finish()'s closing lines for a -i 0.01 run.
func (g *gen) summary(sent, elapsed int64) {
	b := g.buf
	b = append(b, "\n--- 10.0.0.2 ping statistics ---\n"...)
	b = strconv.AppendInt(b, sent, 10)
	b = append(b, " packets transmitted, "...)
	b = strconv.AppendInt(b, g.received, 10)
	b = append(b, " received"...)
	if g.dups > 0 {
		b = append(b, ", +"...)
		b = strconv.AppendInt(b, g.dups, 10)
		b = append(b, " duplicates"...)
	}
	loss := float32(float64(sent-g.received) * 100.0 / float64(sent))
	b = append(b, ", "...)
	b = strconv.AppendFloat(b, float64(loss), 'g', 6, 64)
	b = append(b, "% packet loss, time "...)
	b = strconv.AppendInt(b, (elapsed+500)/1000, 10)
	b = append(b, "ms\nrtt min/avg/max/mdev = "...)
	total := g.received + g.dups
	avg := g.tsum / total
	var variance int64
	if g.tsum < math.MaxInt32 {
		variance = int64((g.tsum2 - float64(g.tsum*g.tsum/total)) / float64(total))
	} else {
		variance = int64(g.tsum2/float64(total)) - avg*avg
	}
	mdev := isqrt(variance)
	for i, v := range []int64{g.min, avg, g.max, mdev} {
		if i > 0 {
			b = append(b, '/')
		}
		b = appendFixed(b, v/1000, v%1000, 3)
	}
	b = append(b, " ms"...)
	if g.pipe > 1 {
		b = append(b, ", pipe "...)
		b = strconv.AppendInt(b, g.pipe, 10)
	}
	g.buf = append(b, '\n')
}

// isqrt is iputils' llsqrt: integer Newton iteration, returning its last
// iterate (⌊√a⌋, or ⌊√a⌋+1 when a+1 is a perfect square: llsqrt(3) = 2).
func isqrt(a int64) int64 {
	prev, x := int64(math.MaxInt64), a
	if x > 0 {
		for x < prev {
			prev = x
			x = (x + a/x) / 2
		}
	}
	return x
}

func (g *gen) flush(force bool) error {
	if !force && len(g.buf) < 64<<10 {
		return nil
	}
	_, err := g.w.Write(g.buf)
	g.buf = g.buf[:0]
	if err != nil {
		return err
	}
	if force {
		return g.w.Flush()
	}
	return nil
}
