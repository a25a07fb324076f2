package sadf

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"
)

// GenerateCSV writes sadf -d -A-like output of at least size bytes to w,
// the same for the same seed: one host ("vm") sampled every 10 s, an hour per
// section, each section holding the activities sadf -d prints one after
// the other, each under its own "# hostname;interval;timestamp;..." header:
// cpu (-u ALL -P ALL, 4 CPUs: 5 rows per sample), process and context
// switches, paging, memory (-r), queue, network devices (3 interfaces) and
// disks (2). Values are plausible (CPU shares add up to 100, memory in
// KiB), printed with two decimals as sadf does. The last section stops at
// the first sample boundary past size.
func GenerateCSV(w io.Writer, size int64, seed int64) error {
	return GenerateCSVHosts(w, size, seed, 1, false)
}

// GenerateCSVHosts is GenerateCSV for hosts hosts (named vm01, vm02, …;
// "vm" when there is one), each with its own seeded values, as a
// monitoring system's merged export prints them: each section's activity
// under one header, the hosts' rows interleaved by time. Each host samples
// every 10 s at its own second (a seeded offset of 0–9 s), so every
// sample round lists the hosts in the order of their offsets. The output
// stops at the first round boundary past size.
//
// With byHost the same rows come host after host instead: each host's
// export whole (its own headers), as `cat` of one file per host. Each
// host's rows are the same, in the same order, in both layouts.
func GenerateCSVHosts(w io.Writer, size int64, seed int64, hosts int, byHost bool) error {
	if hosts < 1 {
		return fmt.Errorf("sadf: generate %d hosts: want at least 1", hosts)
	}
	if !byHost {
		_, err := genCSV(w, size, -1, seed, hosts, -1)
		return err
	}
	// the rounds the interleaved layout would print, then each host's
	rounds, err := genCSV(io.Discard, size, -1, seed, hosts, -1)
	if err != nil {
		return err
	}
	for h := range hosts {
		if _, err := genCSV(w, -1, rounds, seed, hosts, h); err != nil {
			return err
		}
	}
	return nil
}

// genCSV writes sample rounds (a round: one activity's rows at one sample
// of every host, or of host only when only ≥ 0) until size bytes are
// written (size ≥ 0) or maxRounds rounds (maxRounds ≥ 0), and returns how
// many rounds it wrote.
func genCSV(w io.Writer, size, maxRounds, seed int64, hosts, only int) (int64, error) {
	g := &gen{w: bufio.NewWriterSize(w, 1<<20)}
	type host struct {
		index  int
		name   string
		offset int64
		rng    *rand.Rand
	}
	hs := make([]host, hosts)
	offsets := rand.New(rand.NewPCG(uint64(seed), 0x5ad5c5f1))
	for h := range hs {
		hs[h] = host{index: h, name: "vm", rng: rand.New(rand.NewPCG(uint64(seed), uint64(seed)^0x9e3779b97f4a7c15^uint64(h)))}
		if hosts > 1 {
			hs[h].name = fmt.Sprintf("vm%0*d", len(strconv.Itoa(hosts)), h+1)
			hs[h].offset = offsets.Int64N(10)
		}
	}
	// a round lists the hosts by the second they sample at
	slices.SortStableFunc(hs, func(a, b host) int { return cmp.Compare(a.offset, b.offset) })
	if only >= 0 {
		hs = slices.DeleteFunc(hs, func(x host) bool { return x.index != only })
	}
	start := time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC).Unix()
	const perSection = 360
	var rounds int64
	more := func() bool {
		return g.err == nil && (size < 0 || g.n < size) && (maxRounds < 0 || rounds < maxRounds)
	}
	for sec := int64(0); more(); sec++ {
		t0 := start + sec*3600
		for a := 0; a < len(genActivities) && more(); a++ {
			act := genActivities[a]
			g.line(act.header)
			for i := int64(1); i <= perSection; i++ {
				for _, h := range hs {
					g.rng = h.rng
					g.stamp(h.name, t0+i*10+h.offset)
					act.rows(g)
				}
				rounds++
				if !more() {
					break
				}
			}
		}
	}
	if g.err != nil {
		return rounds, g.err
	}
	return rounds, g.w.Flush()
}

type gen struct {
	w   *bufio.Writer
	rng *rand.Rand // the current host's
	n   int64
	err error
	buf []byte
	ts  []byte // "vm;10;2026-11-21 00:00:10 UTC;"
}

func (g *gen) line(s string) {
	if g.err != nil {
		return
	}
	k, err := g.w.WriteString(s)
	g.n += int64(k) + 1
	g.err = err
	if err == nil {
		g.err = g.w.WriteByte('\n')
	}
}

func (g *gen) stamp(host string, sec int64) {
	g.ts = append(append(g.ts[:0], host...), ";10;"...)
	g.ts = time.Unix(sec, 0).UTC().AppendFormat(g.ts, "2006-01-02 15:04:05")
	g.ts = append(g.ts, " UTC;"...)
}

// row starts a row with the stamp and label; add values with f/i, end with end.
func (g *gen) row(label string) {
	g.buf = append(g.buf[:0], g.ts...)
	if label != "" {
		g.buf = append(g.buf, label...)
		g.buf = append(g.buf, ';')
	}
}

func (g *gen) f(v float64) { g.buf = append(strconv.AppendFloat(g.buf, v, 'f', 2, 64), ';') }
func (g *gen) i(v int64)   { g.buf = append(strconv.AppendInt(g.buf, v, 10), ';') }

func (g *gen) end() {
	if g.err != nil {
		return
	}
	g.buf[len(g.buf)-1] = '\n'
	k, err := g.w.Write(g.buf)
	g.n += int64(k)
	g.err = err
}

type genActivity struct {
	header string
	rows   func(*gen)
}

var genActivities = []genActivity{
	{"# hostname;interval;timestamp;CPU;%usr;%nice;%sys;%iowait;%steal;%irq;%soft;%guest;%gnice;%idle", func(g *gen) {
		for c := -1; c < 4; c++ {
			g.row(strconv.Itoa(c))
			usr, sys, iow, st, soft, guest := g.rng.Float64()*40, g.rng.Float64()*15, g.rng.Float64()*5, g.rng.Float64()*2, g.rng.Float64(), g.rng.Float64()*20
			r := func(v float64) float64 { return float64(int64(v*100)) / 100 }
			usr, sys, iow, st, soft, guest = r(usr), r(sys), r(iow), r(st), r(soft), r(guest)
			g.f(usr)
			g.f(0)
			g.f(sys)
			g.f(iow)
			g.f(st)
			g.f(0)
			g.f(soft)
			g.f(guest)
			g.f(0)
			g.f(100 - usr - sys - iow - st - soft - guest)
			g.end()
		}
	}},
	{"# hostname;interval;timestamp;proc/s;cswch/s", func(g *gen) {
		g.row("")
		g.f(g.rng.Float64() * 10)
		g.f(500 + g.rng.Float64()*20000)
		g.end()
	}},
	{"# hostname;interval;timestamp;pgpgin/s;pgpgout/s;fault/s;majflt/s;pgfree/s;pgscank/s;pgscand/s;pgsteal/s;%vmeff", func(g *gen) {
		g.row("")
		g.f(g.rng.Float64() * 100)
		g.f(g.rng.Float64() * 1000)
		g.f(g.rng.Float64() * 5000)
		g.f(0)
		g.f(g.rng.Float64() * 20000)
		g.f(0)
		g.f(0)
		g.f(0)
		g.f(0)
		g.end()
	}},
	{"# hostname;interval;timestamp;kbmemfree;kbavail;kbmemused;%memused;kbbuffers;kbcached;kbcommit;%commit;kbactive;kbinact;kbdirty", func(g *gen) {
		const total = 24 << 20
		free := int64(total/2 + g.rng.IntN(total/4))
		used := int64(total) - free - 1<<20
		g.row("")
		g.i(free)
		g.i(free + 1<<19)
		g.i(used)
		g.f(float64(used*10000/total) / 100)
		g.i(65732)
		g.i(800000 + g.rng.Int64N(100000))
		g.i(used + 1<<18)
		g.f(float64((used+1<<18)*10000/total) / 100)
		g.i(g.rng.Int64N(1 << 20))
		g.i(g.rng.Int64N(1 << 20))
		g.i(g.rng.Int64N(1 << 16))
		g.end()
	}},
	{"# hostname;interval;timestamp;runq-sz;plist-sz;ldavg-1;ldavg-5;ldavg-15;blocked", func(g *gen) {
		g.row("")
		g.i(g.rng.Int64N(8))
		g.i(200 + g.rng.Int64N(50))
		g.f(g.rng.Float64() * 4)
		g.f(g.rng.Float64() * 3)
		g.f(g.rng.Float64() * 2)
		g.i(g.rng.Int64N(2))
		g.end()
	}},
	{"# hostname;interval;timestamp;IFACE;rxpck/s;txpck/s;rxkB/s;txkB/s;rxcmp/s;txcmp/s;rxmcst/s;%ifutil", func(g *gen) {
		for _, ifc := range [...]string{"lo", "eth0", "vif1.0"} {
			g.row(ifc)
			rx, tx := g.rng.Float64()*50000, g.rng.Float64()*50000
			g.f(rx)
			g.f(tx)
			g.f(rx * 1.4)
			g.f(tx * 1.4)
			g.f(0)
			g.f(0)
			g.f(g.rng.Float64())
			g.f(g.rng.Float64() * 60)
			g.end()
		}
	}},
	{"# hostname;interval;timestamp;DEV;tps;rkB/s;wkB/s;dkB/s;areq-sz;aqu-sz;await;%util", func(g *gen) {
		for _, d := range [...]string{"vda", "vdb"} {
			g.row(d)
			g.f(g.rng.Float64() * 500)
			g.f(g.rng.Float64() * 20000)
			g.f(g.rng.Float64() * 20000)
			g.f(0)
			g.f(g.rng.Float64() * 64)
			g.f(g.rng.Float64() * 2)
			g.f(g.rng.Float64() * 5)
			g.f(g.rng.Float64() * 100)
			g.end()
		}
	}},
}
