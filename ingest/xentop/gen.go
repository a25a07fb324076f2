package xentop

import (
	"bufio"
	"io"
	"math/rand/v2"
	"sort"
	"strconv"
)

// Generate writes a synthetic `xentop -b -f -v -x -d 3 | ts '%.s'` capture
// of at least size bytes (whole frames) for benchmarks and the memory test.
// The same seed gives the same bytes.
//
// The host runs Domain-0 and seven guests (one with a space in its name);
// every 240 frames guest app07 live-migrates to the same host (localhost
// migration): for 40 frames the paused receiver app07--incoming and the
// sender app07--migratedaway both appear, then the receiver takes the name
// back. Counters grow at random rates; column widths grow with the values
// as xentop's do.
func Generate(w io.Writer, size int64, seed int64) error {
	g := newGen(seed)
	bw := bufio.NewWriterSize(w, 1<<20)
	var n int64
	for frame := 0; n < size; frame++ {
		g.buf = g.frame(g.buf[:0], frame)
		if _, err := bw.Write(g.buf); err != nil {
			return err
		}
		n += int64(len(g.buf))
	}
	return bw.Flush()
}

type genVBD struct {
	dev                   int
	rd, wr, rsect, wsect  uint64
	rdRate, wrRate, sectK uint64
}

type genDom struct {
	name    string
	vcpus   int
	memK    uint64
	maxK    uint64 // 0: no limit
	cpuNs   uint64
	prevNs  uint64 // cpuNs one frame earlier
	vcpuNs  []uint64
	load    float64 // busy fraction of each vCPU
	nets    int
	tx, rx  uint64
	netRate uint64
	vbds    []genVBD
	paused  bool
}

type gen struct {
	rng    *rand.Rand
	doms   []*genDom
	app07  *genDom
	twin   *genDom // app07--incoming during a migration
	buf    []byte
	hostKB uint64
}

func newGen(seed int64) *gen {
	g := &gen{rng: rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15)), hostKB: 134217728}
	add := func(name string, vcpus int, memK uint64, nvbd int, nets int, load float64) *genDom {
		d := &genDom{name: name, vcpus: vcpus, memK: memK, maxK: memK + 1024, load: load, nets: nets,
			vcpuNs: make([]uint64, vcpus), netRate: uint64(g.rng.IntN(4<<20) + 1024)}
		for i := 0; i < vcpus; i++ {
			d.vcpuNs[i] = uint64(g.rng.Int64N(40000)) * 1e9
			d.cpuNs += d.vcpuNs[i]
		}
		for i := 0; i < nvbd; i++ {
			d.vbds = append(d.vbds, genVBD{dev: 768 + 64*i, rdRate: uint64(g.rng.IntN(400) + 1),
				wrRate: uint64(g.rng.IntN(900) + 1), sectK: uint64(g.rng.IntN(120) + 8),
				rd: uint64(g.rng.Int64N(1 << 24)), wr: uint64(g.rng.Int64N(1 << 24))})
			v := &d.vbds[len(d.vbds)-1]
			v.rsect, v.wsect = v.rd*v.sectK, v.wr*v.sectK
		}
		g.doms = append(g.doms, d)
		return d
	}
	dom0 := add("Domain-0", 16, 8388608, 0, 0, 0.15)
	dom0.maxK = 0
	add("web01", 4, 8388596, 2, 1, 0.3)
	add("web02", 4, 8388596, 2, 1, 0.25)
	add("db-primary", 8, 33554420, 2, 1, 0.6)
	add("cache 03", 2, 4194292, 1, 1, 0.1)
	add("Batch-Runner-long-name", 12, 16777204, 1, 1, 0.9)
	g.app07 = add("app07", 6, 12582900, 2, 1, 0.4)
	add("zz-monitor", 1, 1048564, 1, 1, 0.05)
	return g
}

const genDelay = 3 // seconds between frames (xentop -d 3)

// frame appends one frame: header, then each domain with its VCPUs and VBD
// lines, every line prefixed with a ts '%.s' stamp.
func (g *gen) frame(b []byte, frame int) []byte {
	switch phase := frame % 240; {
	case phase == 200:
		g.app07.name = "app07--migratedaway"
		g.twin = &genDom{name: "app07--incoming", vcpus: g.app07.vcpus, maxK: g.app07.maxK,
			vcpuNs: make([]uint64, g.app07.vcpus), nets: 1, paused: true,
			vbds: []genVBD{{dev: 51712, rdRate: 1, wrRate: 1, sectK: 8}}}
		g.doms = append(g.doms, g.twin)
	case phase > 200 && phase < 239:
		g.twin.memK += g.app07.memK / 40
	case phase == 239:
		// Switch-over: the sender goes away, the receiver takes the name.
		for i, d := range g.doms {
			if d == g.app07 {
				g.doms = append(g.doms[:i], g.doms[i+1:]...)
				break
			}
		}
		g.twin.name, g.twin.paused, g.twin.memK, g.twin.load = "app07", false, g.app07.memK, g.app07.load
		g.app07, g.twin = g.twin, nil
	}
	sort.Slice(g.doms, func(i, j int) bool { return caselessLess(g.doms[i].name, g.doms[j].name) })

	sec := int64(1795305201 + frame*genDelay)
	us := int64(g.rng.IntN(5000)) + 440000
	stamp := func(b []byte) []byte {
		us += int64(g.rng.IntN(40) + 3)
		b = strconv.AppendInt(b, sec+us/1e6, 10)
		b = append(b, '.')
		frac := us % 1e6
		for div := int64(1e5); div > 0; div /= 10 {
			b = append(b, byte('0'+frac/div%10))
		}
		return append(b, ' ')
	}

	// Advance counters, then size the wide columns as xentop does.
	var wName, wTx, wRx, wRd, wWr, wRs, wWs = 10, 8, 8, 8, 8, 10, 10
	widen := func(w *int, v uint64) {
		if n := digits(v + 1); n > *w {
			*w = n
		}
	}
	for _, d := range g.doms {
		d.prevNs = d.cpuNs
		if !d.paused {
			for i := range d.vcpuNs {
				ns := uint64(float64(genDelay*1e9) * d.load * (0.5 + g.rng.Float64()))
				d.vcpuNs[i] += ns
				d.cpuNs += ns
			}
			if d.nets > 0 {
				d.tx += d.netRate * uint64(g.rng.IntN(genDelay*2)+1)
				d.rx += d.netRate * uint64(g.rng.IntN(genDelay*3)+1)
			}
			for i := range d.vbds {
				v := &d.vbds[i]
				r, w := v.rdRate*uint64(g.rng.IntN(6)), v.wrRate*uint64(g.rng.IntN(6))
				v.rd, v.wr = v.rd+r, v.wr+w
				v.rsect, v.wsect = v.rsect+r*v.sectK, v.wsect+w*v.sectK
			}
		}
		if len(d.name) > wName {
			wName = len(d.name)
		}
		widen(&wTx, d.tx/1024)
		widen(&wRx, d.rx/1024)
		rd, wr, rs, ws := d.vbdTotals()
		widen(&wRd, rd)
		widen(&wWr, wr)
		widen(&wRs, rs)
		widen(&wWs, ws)
	}

	b = stamp(b)
	b = appendPad(b, []byte("NAME"), wName)
	for _, h := range []struct {
		s string
		w int
	}{{"STATE", 6}, {"CPU(sec)", 10}, {"CPU(%)", 6}, {"MEM(k)", 10}, {"MEM(%)", 6}, {"MAXMEM(k)", 10},
		{"MAXMEM(%)", 9}, {"VCPUS", 5}, {"NETS", 4}, {"NETTX(k)", wTx}, {"NETRX(k)", wRx}, {"VBDS", 4},
		{"VBD_OO", 8}, {"VBD_RD", wRd}, {"VBD_WR", wWr}, {"VBD_RSECT", wRs}, {"VBD_WSECT", wWs}, {"SSID", 4}} {
		b = append(b, ' ')
		b = appendPad(b, []byte(h.s), h.w)
	}
	b = append(b, '\n')

	var num [24]byte
	u := func(b []byte, v uint64, w int) []byte {
		b = append(b, ' ')
		return appendPad(b, strconv.AppendUint(num[:0], v, 10), w)
	}
	f := func(b []byte, v float64, w int) []byte {
		b = append(b, ' ')
		return appendPad(b, strconv.AppendFloat(num[:0], v, 'f', 1, 64), w)
	}
	for _, d := range g.doms {
		b = stamp(b)
		b = appendPad(b, []byte(d.name), wName)
		state := "--b---"
		if d.paused {
			state = "----p-"
		} else if g.rng.IntN(4) == 0 {
			state = "-----r"
		}
		b = append(b, ' ')
		b = append(b, state...)
		pct := 0.0 // xentop's first frame has no earlier sample
		if frame > 0 {
			pct = float64(d.cpuNs-d.prevNs) / (genDelay * 1e9) * 100
		}
		b = u(b, d.cpuNs/1e9, 10)
		b = f(b, pct, 6)
		b = u(b, d.memK, 10)
		b = f(b, float64(d.memK)/float64(g.hostKB)*100, 6)
		if d.maxK == 0 {
			b = append(b, "   no limit       n/a"...)
		} else {
			b = u(b, d.maxK, 10)
			b = f(b, float64(d.maxK)/float64(g.hostKB)*100, 9)
		}
		rd, wr, rs, ws := d.vbdTotals()
		var oo uint64
		b = u(b, uint64(d.vcpus), 5)
		b = u(b, uint64(d.nets), 4)
		b = u(b, d.tx/1024, wTx)
		b = u(b, d.rx/1024, wRx)
		b = u(b, uint64(len(d.vbds)), 4)
		b = u(b, oo, 8)
		b = u(b, rd, wRd)
		b = u(b, wr, wWr)
		b = u(b, rs, wRs)
		b = u(b, ws, wWs)
		b = u(b, 0, 4)
		b = append(b, '\n')

		b = stamp(b)
		b = append(b, "VCPUs(sec): "...)
		for i, ns := range d.vcpuNs {
			if i != 0 && i%5 == 0 {
				b = append(b, '\n')
				b = stamp(b)
				b = append(b, "        "...)
			}
			b = append(b, ' ')
			b = appendPad(b, strconv.AppendUint(num[:0], uint64(i), 10), 2)
			b = append(b, ": "...)
			b = appendPad(b, strconv.AppendUint(num[:0], ns/1e9, 10), 10)
			b = append(b, 's')
		}
		b = append(b, '\n')
		for _, v := range d.vbds {
			b = stamp(b)
			b = append(b, "VBD Tapdisk3 "...)
			b = appendPad(b, strconv.AppendUint(num[:0], uint64(v.dev), 10), 4)
			b = append(b, " ["...)
			b = appendPad(b, strconv.AppendUint(num[:0], uint64(v.dev>>8), 16), 2)
			b = append(b, ':')
			b = appendPad(b, strconv.AppendUint(num[:0], uint64(v.dev&0xff), 16), 2)
			b = append(b, "]  OO: "...)
			b = appendPad(b, []byte("0"), 8)
			b = append(b, "   RD: "...)
			b = appendPad(b, strconv.AppendUint(num[:0], v.rd, 10), 8)
			b = append(b, "   WR: "...)
			b = appendPad(b, strconv.AppendUint(num[:0], v.wr, 10), 8)
			b = append(b, "   RSECT: "...)
			b = appendPad(b, strconv.AppendUint(num[:0], v.rsect, 10), 10)
			b = append(b, "   WSECT: "...)
			b = appendPad(b, strconv.AppendUint(num[:0], v.wsect, 10), 10)
			b = append(b, '\n')
		}
	}
	return b
}

func (d *genDom) vbdTotals() (rd, wr, rs, ws uint64) {
	for _, v := range d.vbds {
		rd, wr, rs, ws = rd+v.rd, wr+v.wr, rs+v.rsect, ws+v.wsect
	}
	return
}

// appendPad appends s right-aligned in width w.
func appendPad(b, s []byte, w int) []byte {
	for i := len(s); i < w; i++ {
		b = append(b, ' ')
	}
	return append(b, s...)
}

func digits(v uint64) int {
	n := 1
	for v >= 10 {
		v /= 10
		n++
	}
	return n
}
