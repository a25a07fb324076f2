package decide

import (
	"math"
	"strings"
	"testing"
	"time"
)

// Seed 003's worked cases (003_*.txt, section 4.2.1), rebuilt from its
// tables. The tables give each guest's workload type, SPECweb2005 Support
// sessions, group, memory and initial host, and the text gives the cluster:
// one Pentium 4 per node, 2 GB of RAM, gigabit NICs (L478–480). How we
// read them:
//
//   - Table 4.2 (L515–526; the OCR split the header "Sessions" as
//     "Sociona"): PM1 runs VM1 (server, 55 sessions, group 1), VM2
//     (database, 55, group 1), VM3 (server+database, 50, group 2), VM4
//     (server+database, 60, group 3); PM2 runs VM5 (database, 55, group 5)
//     and VM6 (server+database, 100, group 4); PM3 runs VM7 (server, 55,
//     group 5). All guests have 256 MB. The text (L528) confirms VM1/VM2
//     form group 1 and VM5 talks to VM7 on PM3. (L530 says VM1 "only
//     processes 50 sessions": the table says 55; 50 is VM3's. We keep the
//     table.)
//   - Table 4.3 (L546–553): PM1 runs VM1 (server, 85, group 1), VM2
//     (database, 85, group 1), VM3 (server, 80, group 2); PM2 runs VM4
//     (database, 80, group 2). All 256 MB (L555).
//
// The paper gives no per-guest utilisation, only that PM1 is CPU-overloaded
// in both (L530, L557). We model each guest's load from its sessions with
// per-session figures of our own (below): a server tier costs far more CPU
// than SPECweb's database tier (the BeSim back end), a server tier carries
// the clients' traffic, and the two tiers of a group exchange traffic that
// is IDC on one host and NIC traffic across hosts; a server+database guest
// keeps that exchange inside itself. Domain-0 is not modelled. With them
// PM1 runs at 94 % (table 4.2) and 92 % (table 4.3) of its CPU, over the
// 85 % threshold (L500) and under 100 %, as the paper's overloads are.
// TestSeed003Robust checks that the choices do not hinge on the figures.
type sessionModel struct {
	serverCPU, dbCPU float64 // CPUs per session
	client, tiers    float64 // NIC shares per session: client traffic of a server tier; server↔database traffic
}

var defaultSessions = sessionModel{serverCPU: 0.0055, dbCPU: 0.0002, client: 0.003, tiers: 0.002}

type guest struct {
	name, tier string // "server", "database" or "both"
	sessions   float64
	group      int
	host       string
}

const nic = 125e6 // gigabit, bytes/s

func (m sessionModel) cluster(guests []guest, hosts ...string) (map[string]*Host, Traffic) {
	hs := map[string]*Host{}
	for _, n := range hosts {
		hs[n] = &Host{Name: n, CPUs: 1, MemBytes: 2 << 30, UsedMem: 512 << 20, NICBps: nic}
	}
	tr := Traffic{}
	for _, g := range guests {
		d := Domain{Name: g.name, MemBytes: 256 << 20, PredOK: true}
		switch g.tier {
		case "server":
			d.BusyCPUs = g.sessions * m.serverCPU
			d.NetBps = g.sessions * (m.client + m.tiers) * nic
		case "database":
			d.BusyCPUs = g.sessions * m.dbCPU
			d.NetBps = g.sessions * m.tiers * nic
		case "both":
			d.BusyCPUs = g.sessions * (m.serverCPU + m.dbCPU)
			d.NetBps = g.sessions * m.client * nic
		}
		h := hs[g.host]
		h.Domains = append(h.Domains, d)
		h.BusyCPUs += d.BusyCPUs
		h.UsedMem += d.MemBytes
	}
	// group members on different tiers talk: the server's sessions set the rate
	for _, a := range guests {
		for _, b := range guests {
			if a.name < b.name && a.group == b.group && a.tier != b.tier {
				s := a.sessions
				if b.tier == "server" {
					s = b.sessions
				}
				tr.Add(a.name, b.name, s*m.tiers*nic)
			}
		}
	}
	return hs, tr
}

var table42 = []guest{
	{"VM1", "server", 55, 1, "PM1"}, {"VM2", "database", 55, 1, "PM1"}, {"VM3", "both", 50, 2, "PM1"},
	{"VM4", "both", 60, 3, "PM1"}, {"VM5", "database", 55, 5, "PM2"}, {"VM6", "both", 100, 4, "PM2"},
	{"VM7", "server", 55, 5, "PM3"},
}

var table43 = []guest{
	{"VM1", "server", 85, 1, "PM1"}, {"VM2", "database", 85, 1, "PM1"}, {"VM3", "server", 80, 2, "PM1"},
	{"VM4", "database", 80, 2, "PM2"},
}

func state(m sessionModel, guests []guest, hosts ...string) *State {
	hs, tr := m.cluster(guests, hosts...)
	s := &State{Source: hs["PM1"], Traffic: tr}
	for _, n := range hosts[1:] {
		s.Others = append(s.Others, hs[n])
	}
	// the configuration runs for the whole experiment: a steady load, five
	// samples of it (the AR(1) detector's k of n needs a history)
	for range 5 {
		s.History = append(s.History, Sample{CPU: s.Source.CPU(), Net: s.Source.Net(tr)})
	}
	return s
}

func decide(t *testing.T, name string, s *State) Decision {
	t.Helper()
	spec, err := Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	p, err := spec.New(spec.Defaults)
	if err != nil {
		t.Fatal(err)
	}
	d, ok := p.Decide(s)
	if !ok {
		t.Fatalf("%s did not trigger (host CPU %.3f)", name, s.Source.CPU())
	}
	return d
}

// Sandpiper chooses VM1 in both cases (L530 "Sandpiper migrates VM1 to
// PM3, the physical machine with the lightest load"; L557 "Sandpiper
// selects VM1 as the victim"); the IDC-aware policy VM4 in table 4.2 (L530;
// it lands on PM3, L530: "VM4 causes heavier network interference with
// group 5 (i.e., VM 7) on PM3") and VM3 to PM2 in table 4.3 (L557).
func TestSeed003Tables(t *testing.T) {
	checkSeed003(t, defaultSessions, true)
}

func checkSeed003(t *testing.T, m sessionModel, verbose bool) {
	t.Helper()
	for _, c := range []struct {
		table            string
		guests           []guest
		hosts            []string
		sandVM, sandDest string
		idcVM, idcDest   string
		minCPU, maxCPU   float64
	}{
		{"4.2", table42, []string{"PM1", "PM2", "PM3"}, "VM1", "PM3", "VM4", "PM3", 0.85, 1},
		{"4.3", table43, []string{"PM1", "PM2"}, "VM1", "PM2", "VM3", "PM2", 0.85, 1},
	} {
		s := state(m, c.guests, c.hosts...)
		if cpu := s.Source.CPU(); cpu <= c.minCPU || cpu >= c.maxCPU {
			t.Errorf("table %s: PM1 CPU %.3f, want an overload in (%.2f, %.2f)", c.table, cpu, c.minCPU, c.maxCPU)
		}
		sp := decide(t, "sandpiper", s)
		if sp.VM != c.sandVM || sp.Dest != c.sandDest || !strings.HasPrefix(sp.Trigger, "cpu ") {
			t.Errorf("table %s, model %+v: sandpiper chose %s → %q (%s), want %s → %s; %+v", c.table, m, sp.VM, sp.Dest, sp.Trigger, c.sandVM, c.sandDest, sp.Alternatives)
		}
		for _, name := range []string{"idc", "hotspot-ar1"} {
			d := decide(t, name, s)
			if d.VM != c.idcVM || d.Dest != c.idcDest || d.Action != "migrate" {
				t.Errorf("table %s, model %+v: %s chose %s → %q, want %s → %s; %+v", c.table, m, name, d.VM, d.Dest, c.idcVM, c.idcDest, d.Alternatives)
			}
		}
		if verbose {
			t.Logf("table %s: PM1 CPU %.1f %%; sandpiper %s → %s (VSR %.4g); idc %s → %s", c.table, 100*s.Source.CPU(), sp.VM, sp.Dest, sp.Score, c.idcVM, c.idcDest)
		}
	}
}

// The choices hold when each per-session figure is a fifth lower or higher
// (3⁴ = 81 models), as long as PM1 stays overloaded and under 100 % (the
// models where it does not are skipped: the paper says it is overloaded).
func TestSeed003Robust(t *testing.T) {
	n := 0
	for _, a := range []float64{0.8, 1, 1.2} {
		for _, b := range []float64{0.8, 1, 1.2} {
			for _, c := range []float64{0.8, 1, 1.2} {
				for _, d := range []float64{0.8, 1, 1.2} {
					m := sessionModel{defaultSessions.serverCPU * a, defaultSessions.dbCPU * b, defaultSessions.client * c, defaultSessions.tiers * d}
					ok := true
					for _, g := range [][]guest{table42, table43} {
						if cpu := state(m, g, "PM1", "PM2", "PM3").Source.CPU(); cpu <= 0.85 || cpu >= 1 {
							ok = false
						}
					}
					if ok {
						n++
						checkSeed003(t, m, false)
					}
				}
			}
		}
	}
	if n < 20 {
		t.Errorf("only %d of 81 models overload PM1 in both tables", n)
	}
	t.Logf("%d of 81 models overload PM1 in both tables; the choices hold in each", n)
}

// Seed 002 (002_*.txt): "the total CPU usage by the active domains crosses
// sixty five percent" (L216) → "the one with the least total migration
// time, in case total migration time is less[ equal] the VM with lesser
// downtime" (L211), and its preference "first [...] Livermore loops then
// Linpack followed by Dhrystone" (L211). Table 5's times are not in the
// text, so the predicted times below are ours, ordered as that preference.
func TestSeed002Threshold(t *testing.T) {
	mk := func(busy float64, doms ...Domain) *State {
		return &State{Source: &Host{Name: "host", CPUs: 4, BusyCPUs: busy, Domains: doms}}
	}
	lloops := Domain{Name: "lloops", BusyCPUs: 0.9, PredOK: true, PredTotalS: 11, PredDowntimeS: 0.30}
	linpack := Domain{Name: "linpack", BusyCPUs: 0.9, PredOK: true, PredTotalS: 12, PredDowntimeS: 0.20}
	dhry := Domain{Name: "dhrystone", BusyCPUs: 0.9, PredOK: true, PredTotalS: 13, PredDowntimeS: 0.10}
	spec, _ := Lookup("seed002")
	if spec.Defaults.CPU != 0.65 {
		t.Fatalf("seed002 threshold %v, want 0.65 (L216)", spec.Defaults.CPU)
	}
	p, _ := spec.New(spec.Defaults)
	// 2.6 of 4 CPUs = 65 %: not above the threshold
	if d, ok := p.Decide(mk(2.6, lloops, linpack, dhry)); ok {
		t.Errorf("at exactly 65 %% it triggered: %+v", d)
	}
	d, ok := p.Decide(mk(2.7, dhry, linpack, lloops))
	if !ok || d.VM != "lloops" || d.Trigger != "cpu 67.5 % > 65.0 %" || d.Dest != "" || !strings.Contains(d.DestNote, "unknown") {
		t.Errorf("67.5 %%: %+v", d)
	}
	if len(d.Alternatives) != 3 || d.Alternatives[1].VM != "linpack" || d.Alternatives[2].VM != "dhrystone" {
		t.Errorf("alternatives %+v, want the paper's order lloops, linpack, dhrystone", d.Alternatives)
	}
	// equal total times: the least downtime wins
	tie := linpack
	tie.PredTotalS = lloops.PredTotalS
	if d, _ := p.Decide(mk(3, lloops, tie, dhry)); d.VM != "linpack" {
		t.Errorf("tie on total time went to %s, want linpack (less downtime)", d.VM)
	}
	// a destination is named when another host can take the guest
	other := &Host{Name: "b", CPUs: 4, BusyCPUs: 1}
	busy := &Host{Name: "a", CPUs: 4, BusyCPUs: 3.5}
	s := mk(3, lloops, linpack)
	s.Others = []*Host{busy, other}
	if d, _ := p.Decide(s); d.Dest != "b" {
		t.Errorf("destination %q, want b (a would be over 65 %%)", d.Dest)
	}
}

// AR1 by hand: u = 1, 2, 3, 4 has μ = 2.5, deviations −1.5, −0.5, 0.5,
// 1.5; Σ lag-1 products = 0.75 − 0.25 + 0.75 = 1.25, Σ squares = 5, so
// φ = 0.25 and the next value is 2.5 + 0.25·1.5 = 2.875.
func TestAR1(t *testing.T) {
	next, mu, phi := AR1([]float64{1, 2, 3, 4})
	if math.Abs(next-2.875) > 1e-15 || mu != 2.5 || phi != 0.25 {
		t.Errorf("AR1 = %v, %v, %v; want 2.875, 2.5, 0.25", next, mu, phi)
	}
	if next, _, phi := AR1([]float64{0.9, 0.9, 0.9}); next != 0.9 || phi != 0 {
		t.Errorf("constant series: %v %v", next, phi)
	}
	if next, _, _ := AR1(nil); !math.IsNaN(next) {
		t.Errorf("empty series predicts %v", next)
	}
}

// A lone peak over 85 % makes "idc" act (the current value is over) but
// not "hotspot-ar1" (L460: "An instantaneous system overload would not be
// regarded as a hotspot"); a sustained overload makes both act.
func TestHotspotAR1(t *testing.T) {
	s := state(defaultSessions, table43, "PM1", "PM2")
	t0 := time.Unix(0, 0)
	hist := func(cpus ...float64) []Sample {
		var h []Sample
		for i, c := range cpus {
			h = append(h, Sample{Time: t0.Add(time.Duration(10*i) * time.Second), CPU: c})
		}
		return h
	}
	mustPolicy := func(name string) Policy {
		spec, _ := Lookup(name)
		p, err := spec.New(spec.Defaults)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	idc, ar := mustPolicy("idc"), mustPolicy("hotspot-ar1")
	s.History = hist(0.5, 0.52, 0.49, 0.51, 0.5, 0.5, 0.95)
	if _, ok := idc.Decide(s); !ok {
		t.Error("idc ignored a current value of 95 %")
	}
	if d, ok := ar.Decide(s); ok {
		t.Errorf("hotspot-ar1 acted on a lone peak: %s", d.Trigger)
	}
	s.History = hist(0.5, 0.6, 0.7, 0.8, 0.88, 0.9, 0.92)
	d, ok := ar.Decide(s)
	if !ok || d.VM != "VM3" || !strings.Contains(d.Trigger, "3 of last 5 over") {
		t.Errorf("sustained overload: %v %+v", ok, d)
	}
	// 2 of the last 5 over: not enough
	s.History = hist(0.5, 0.6, 0.7, 0.8, 0.84, 0.9, 0.92)
	if d, ok := ar.Decide(s); ok {
		t.Errorf("2 of 5 over: acted (%s)", d.Trigger)
	}
}

// Memory overload is met with a 32 MB grant first (L360–364, L583), and
// with a migration once no grant fits (the guests are at their MAXMEM).
func TestIDCMemoryGrant(t *testing.T) {
	s := state(defaultSessions, table43, "PM1", "PM2")
	swap := 400.0
	s.Source.BusyCPUs = 0.5 // no CPU overload: memory only
	s.History = []Sample{{CPU: 0.5, Swap: &swap}}
	d := decide(t, "idc", s)
	if d.Action != "grant-memory" || d.GrantBytes != 32<<20 || !strings.HasPrefix(d.Trigger, "swap writes 400/s > 150/s") {
		t.Errorf("grant: %+v", d)
	}
	for i := range s.Source.Domains {
		s.Source.Domains[i].MaxMemBytes = s.Source.Domains[i].MemBytes
	}
	if d := decide(t, "idc", s); d.Action != "migrate" {
		t.Errorf("no grant possible: %+v", d)
	}
}

func TestRegistry(t *testing.T) {
	want := []string{"hotspot-ar1", "idc", "sandpiper", "seed002"}
	if got := Names(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("Names() = %v, want %v", got, want)
	}
	if _, err := Lookup("nope"); err == nil || !strings.Contains(err.Error(), "have hotspot-ar1, idc, sandpiper, seed002") {
		t.Errorf("Lookup(nope): %v", err)
	}
	spec, _ := Lookup("idc")
	cpu := 1.5
	if _, err := spec.New(spec.Defaults.Apply(Override{CPU: &cpu})); err == nil {
		t.Error("a CPU threshold of 150 % was accepted")
	}
}
