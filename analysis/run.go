package analysis

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/migreplay/migreplay/analysis/decide"
	"github.com/migreplay/migreplay/fit"
	"github.com/migreplay/migreplay/internal/fault"
	"github.com/migreplay/migreplay/replay"
	"github.com/migreplay/migreplay/schema"
)

// Config is one `migreplay analyze` run: each field is one of its flags
// (named in the comment), holding what the user gave. Start from
// DefaultConfig: Run refuses a value out of range, "" and 0 included,
// rather than replacing it with a default. The nil pointers are the
// settings whose default is each policy's own.
type Config struct {
	Lake string // --lake: a lake written by migreplay ingest

	// The which-VM-to-migrate prediction, also each decision's cost of a
	// move and the replay column of the class predictions.
	Policy      string  // --policy: replay stop rule (replay.Policies)
	Bandwidth   string  // --bandwidth: link line rate with its unit (replay.ParseRate), > 0
	DirtyPerCPU float64 // --dirty-per-cpu: page writes/s of one fully busy vCPU, > 0

	// Measured migrations per workload class.
	ClassModel string   // --class-model: time against memory, a registered fit model
	QMPGuest   []string // --qmp-guest: QMPHOST=SARHOST, the sar host inside the guest a QMP host migrated

	// Migration decisions (DecideConfig).
	Decide    string   // --decide: "all", "none" or registered policy names, comma-separated
	HostCPUs  []string // --host-cpus: HOST=N, or N for every host not named; none: Domain-0's VCPUS
	NICMbit   float64  // --nic-mbit: every host's NIC, Mbit/s, > 0
	IDC       string   // --idc: CSV file src,dst,mbit_s of inter-domain traffic; "": unknown, taken as 0
	DestHosts []string // --dest-hosts: hosts that can take guests besides the lake's
	// --threshold-cpu and --threshold-net (% of the host's CPUs, of its
	// NIC), --threshold-swap (swap-page writes/s), --ar-k, --ar-n,
	// --ar-window: nil keeps each policy's own; one set reaches every policy.
	ThresholdCPUPct, ThresholdNetPct, ThresholdSwap *float64
	ARK, ARN, ARWindow                              *int
}

// DefaultConfig is analyze's defaults: Xen's stop rule over a 1 Gbit/s
// link, 5000 page writes/s per busy vCPU (the CPU-to-dirty-rate
// assumption to calibrate), a linear class model, every policy, 1 Gbit/s
// NICs.
func DefaultConfig() Config {
	return Config{Lake: "lake", Policy: "xen-legacy", Bandwidth: "1Gbit/s", DirtyPerCPU: 5000, ClassModel: "linear",
		Decide: "all", NICMbit: 1000}
}

// UsageError is a Config that cannot run: a value out of range, a name
// not registered, a lake with nothing to analyze. InputError is a lake
// whose traces a decision policy cannot read as they are (a host whose
// domains use more CPUs than the count it was given). `migreplay analyze`
// exits 2 on both.
type UsageError = fault.Usage

// InputError: see UsageError.
type InputError = fault.Input

func usage(format string, args ...any) error { return &UsageError{Err: fmt.Errorf(format, args...)} }

// settings is a checked Config in the library's own terms.
type settings struct {
	vm     VMConfig
	model  fit.Model
	decide DecideConfig
	qmp    QMPConfig
}

// check turns c into settings, refusing what cannot run.
func (c Config) check() (settings, error) {
	var s settings
	bw, err := replay.ParseRate(c.Bandwidth)
	switch {
	case err != nil:
		return s, usage("--bandwidth: %v", err)
	case !(bw > 0) || math.IsInf(bw, 0):
		return s, usage("--bandwidth %s: want > 0", c.Bandwidth)
	case !(c.DirtyPerCPU > 0) || math.IsInf(c.DirtyPerCPU, 0):
		return s, usage("--dirty-per-cpu %g: want > 0 page writes/s", c.DirtyPerCPU)
	case !(c.NICMbit > 0) || math.IsInf(c.NICMbit, 0):
		return s, usage("--nic-mbit %g: want > 0 Mbit/s", c.NICMbit)
	}
	if _, err := replay.ParsePolicy(c.Policy); err != nil {
		return s, usage("--policy: %v", err)
	}
	s.vm = VMConfig{Policy: c.Policy, Bandwidth: bw, DirtyPerCPU: c.DirtyPerCPU}
	// a lake that is not there, or holds none of the tables analyze reads,
	// is an error: an empty report would read as "no outages"
	if st, err := os.Stat(c.Lake); err != nil || !st.IsDir() {
		return s, usage("--lake %s: no such folder (write one with migreplay ingest --out %s)", c.Lake, c.Lake)
	}
	if !hasTable(c.Lake, "ping_reply") && !hasTable(c.Lake, "xentop_domain") && !hasTable(c.Lake, "qmp_migrate") {
		return s, usage("--lake %s: no table=ping_reply, table=xentop_domain or table=qmp_migrate folder in it: nothing to analyze (ingest ping, xentop or QEMU migration traces first)", c.Lake)
	}
	if s.model, err = fit.ParseModel(c.ClassModel); err != nil {
		return s, usage("--class-model: %v", err)
	}
	if s.decide, err = c.decideConfig(s.vm); err != nil {
		return s, err
	}
	s.qmp = QMPConfig{Guest: map[string]string{}}
	for _, v := range c.QMPGuest {
		a, b, found := strings.Cut(v, "=")
		if !found || a == "" || b == "" {
			return s, usage("--qmp-guest %q: want QMPHOST=SARHOST", v)
		}
		s.qmp.Guest[a] = b
	}
	return s, nil
}

// decideConfig is the decisions' part of c.
func (c Config) decideConfig(vm VMConfig) (DecideConfig, error) {
	d := DecideConfig{NICMbit: c.NICMbit, DestHosts: c.DestHosts, VM: vm, HostCPUs: map[string]float64{}}
	switch c.Decide {
	case "all":
		d.Policies = decide.Names()
	case "none":
		d.Policies = []string{}
	default:
		for _, n := range strings.Split(c.Decide, ",") {
			if _, err := decide.Lookup(strings.TrimSpace(n)); err != nil {
				return d, usage("--decide: %v", err)
			}
			d.Policies = append(d.Policies, strings.TrimSpace(n))
		}
	}
	for _, v := range c.HostCPUs {
		h, n, found := strings.Cut(v, "=")
		if !found {
			h, n = "", v
		}
		x, err := strconv.ParseFloat(n, 64)
		if err != nil || x <= 0 {
			return d, usage("--host-cpus %q: want HOST=N or N with N > 0", v)
		}
		d.HostCPUs[h] = x
	}
	if c.IDC != "" {
		tr, err := ReadTraffic(c.IDC)
		if err != nil {
			return d, usage("--idc: %v", err)
		}
		d.Traffic, d.TrafficName = tr, filepath.Base(c.IDC)
	}
	pct := func(v *float64) *float64 {
		if v == nil {
			return nil
		}
		x := *v / 100
		return &x
	}
	d.Override = decide.Override{CPU: pct(c.ThresholdCPUPct), Net: pct(c.ThresholdNetPct), Swap: c.ThresholdSwap,
		K: c.ARK, N: c.ARN, Window: c.ARWindow}
	return d, nil
}

// DecideHelp lists the registered policies with their one-line help, for
// --decide's.
func DecideHelp() string {
	var help []string
	for _, s := range decide.Specs() {
		help = append(help, fmt.Sprintf("%s (%s)", s.Name, s.Help))
	}
	return strings.Join(help, "; ")
}

// Result is every analysis of a lake: the rows of the analysis_* tables,
// and how many decision points each host had.
type Result struct {
	Outages    []schema.PingOutage      `json:"ping_outages"`
	Migrations []schema.Migration       `json:"migrations"`
	VMs        []schema.VMCandidate     `json:"vms"`
	QMP        []schema.QMPMigration    `json:"qmp_migrations"`
	Classes    []schema.ClassPrediction `json:"class_predictions"`
	Decisions  []schema.Decision        `json:"decisions"`
	Points     map[string]int           `json:"decision_points"`

	vm       VMConfig // what the prediction assumed, for the text report
	policies []string // the decision policies run, in order
}

// Run checks cfg, then reads the lake and runs every analysis its tables
// allow: ping outages (ping_reply); xentop migrations, paired between
// hosts, and the which-VM ranking (xentop_domain); QMP migrations
// (qmp_migrate); the class predictions of every measured migration; and
// the decisions of cfg's policies (xentop_domain). Errors: *UsageError,
// *InputError, ctx's, or one reading the lake.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	s, err := cfg.check()
	if err != nil {
		return nil, err
	}
	res := &Result{vm: s.vm, policies: s.decide.Policies}
	if hasTable(cfg.Lake, "ping_reply") {
		if res.Outages, err = PingOutages(cfg.Lake); err != nil {
			return nil, err
		}
	}
	if hasTable(cfg.Lake, "xentop_domain") {
		err := EachXentop(cfg.Lake, func(x *Xentop) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			res.Migrations = append(res.Migrations, x.Migrations()...)
			vms, err := x.VMs(s.vm)
			res.VMs = append(res.VMs, vms...)
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	res.Migrations = PairMigrations(res.Migrations)
	if hasTable(cfg.Lake, "qmp_migrate") {
		if res.QMP, err = QMPMigrations(cfg.Lake, s.qmp); err != nil {
			return nil, err
		}
	}
	if res.Classes, err = ClassPredictions(res.Migrations, res.QMP, s.model, s.vm); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if hasTable(cfg.Lake, "xentop_domain") && len(s.decide.Policies) > 0 {
		d, err := Decide(cfg.Lake, s.decide)
		if err != nil {
			return nil, &InputError{Err: err}
		}
		res.Decisions, res.Points = d.Decisions, d.Points
	}
	return res, nil
}

// hasTable reports whether the lake has a folder for table.
func hasTable(lake, table string) bool {
	_, err := os.Stat(filepath.Join(lake, "table="+table))
	return err == nil
}
