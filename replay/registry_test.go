package replay

import (
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
)

// Every registered policy and model is built by its name (and aliases)
// into a value that reports that name, and every Param of a model can be
// tuned by name.
func TestRegistryRoundTrip(t *testing.T) {
	for _, want := range []string{"qemu", "simgrid", "xen-legacy", "xen-v2"} {
		if !slices.Contains(Policies(), want) {
			t.Errorf("policies %v lack %s", Policies(), want)
		}
	}
	for _, s := range PolicySpecs() {
		for _, name := range append([]string{s.Name, strings.ToUpper(s.Name)}, s.Aliases...) {
			p, err := NewPolicy(name, nil)
			if err != nil || p.Name() != s.Name {
				t.Errorf("NewPolicy(%q) = %v, %v", name, p, err)
			}
		}
		if s.Help == "" || s.New == nil {
			t.Errorf("policy %s: no help or constructor", s.Name)
		}
	}
	tr, _ := NewTrace([]float64{0, 1}, []float64{100, 300})
	for _, s := range ModelSpecs() {
		m, err := NewModel(s.Name, ModelArgs{Rate: 1000, Trace: tr})
		if err != nil || m.Name() != s.Name {
			t.Fatalf("NewModel(%q) = %v, %v", s.Name, m, err)
		}
		for _, p := range append([]Param{{Name: "rate"}}, s.Params...) {
			if _, err := Tune(m, p.Name, 0.5); err != nil {
				t.Errorf("%s: Tune(%q): %v", s.Name, p.Name, err)
			}
		}
		if _, err := Tune(m, "colour", 1); !errors.Is(err, ErrNoParam) {
			t.Errorf("%s: Tune(colour): %v", s.Name, err)
		}
	}
	if _, err := NewPolicy("vmware", nil); err == nil || !strings.Contains(err.Error(), "(want qemu, simgrid, ") {
		t.Errorf("unknown policy: %v", err)
	}
}

// Options given by name become the Config the engine runs, and each
// given 0 that Config would read as its default is refused with its
// range (OptionError names the option).
func TestNewConfig(t *testing.T) {
	c, err := NewConfig(Values{"memory": "1GiB", "bandwidth": "10Gbit/s", "mtu": "9000", "cpu-cap": "0.5",
		"max-bandwidth": "none", "state-time": "0", "postcopy-after": "2", "policy": "xen", "xen-rate-adapt": "true",
		"dirty-model": "hotcold", "dirty-rate": "2500", "hot-share": "0.2"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := Config{Memory: 1 << 30, Bandwidth: 1.25e9, MTU: 9000, CPUCap: 0.5, MaxBandwidth: -1, StateTime: -1,
		Postcopy: true, PostcopyAfter: 2, Policy: XenLegacy{RateAdapt: true}, DirtyModel: HotCold{Rate: 2500, HotShare: 0.2}, Seed: 1}
	if c != want {
		t.Errorf("got  %+v\nwant %+v", c, want)
	}
	// nothing given: Config's zero value (the defaults), seed 1, QEMU, uniform
	if c, err := NewConfig(nil, nil); err != nil || c != (Config{Seed: 1, Policy: QEMU{}, DirtyModel: Uniform{}}) {
		t.Errorf("no options: %+v %v", c, err)
	}
	for name, text := range map[string]string{
		"memory": "0", "page-size": "0", "bandwidth": "0bit/s", "mtu": "0", "max-bandwidth": "0", "cpu-cap": "0",
		"cpu-rate": "0", "downtime-limit": "0s", "timeout": "0s", "postcopy-after": "-1", "zero-share": "1",
		"dirty-rate": "-1", "hot-share": "0", "zipf-s": "0", "guest-cpu": "0", "working-set": "0",
	} {
		v := Values{name: text, "dirty-model": map[string]string{"hot-share": "hotcold", "zipf-s": "zipf", "guest-cpu": "cpu", "working-set": "cpu"}[name]}
		if v["dirty-model"] == "" {
			delete(v, "dirty-model")
		}
		_, err := NewConfig(v, nil)
		var oe *OptionError
		if !errors.As(err, &oe) || oe.Name != name || !errors.Is(err, ErrConfig) {
			t.Errorf("%s %s: %v", name, text, err)
		}
		for _, o := range Options() {
			if o.Name == name && o.Check(text) == nil && o.set != nil {
				t.Errorf("Options()'s %s accepts %s", name, text)
			}
		}
	}
}

// A policy registered from outside the built-in files is dispatched,
// swept and listed like the built-in ones (through the Policy interface).
func TestRegisterPolicy(t *testing.T) {
	registerTwoRounds.Do(func() {
		RegisterPolicy(PolicySpec{Name: "test-two-rounds", Help: "stops after two live rounds (a test's)", Reasons: []string{"two rounds"},
			New: func(Values) (Policy, error) { return twoRounds{}, nil }})
	})
	s, err := ParseSweep(Config{Memory: 16 << 20, DirtyRate: 1000}, []string{"policy=test-two-rounds,xen-v2"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, analytic := range []bool{false, true} {
		s.Analytic = analytic
		rs, err := s.Run(t.Context())
		if err != nil || len(rs) != 2 || rs[0].Result.Policy != "test-two-rounds" || rs[0].Result.Rounds != 2 || rs[0].Result.StopReason != "two rounds" {
			t.Errorf("analytic %v: %+v %v", analytic, rs, err)
		}
	}
	if !slices.Contains(StopReasons(), "two rounds") || !strings.Contains(Options()[len(configOptions)].Help, "test-two-rounds (stops after two live rounds") {
		t.Errorf("stop reasons %v; policy help %q", StopReasons(), Options()[len(configOptions)].Help)
	}
}

var registerTwoRounds sync.Once

type twoRounds struct{}

func (twoRounds) Name() string             { return "test-two-rounds" }
func (twoRounds) Defaults() PolicyDefaults { return PolicyDefaults{} }
func (twoRounds) Begin(Env) Controller     { return new(twoRoundsRun) }

type twoRoundsRun struct{ n int }

func (*twoRoundsRun) Plan(int64) RoundPlan { return RoundPlan{} }
func (c *twoRoundsRun) After(*Round) Decision {
	if c.n++; c.n == 2 {
		return Decision{Action: StopAndCopy, Reason: "two rounds"}
	}
	return Decision{}
}

// Every stop rule a built-in policy can fire is declared by a spec.
func TestStopReasonsDeclared(t *testing.T) {
	for v, r := range verdictReasons {
		if v != int(vContinue) && !slices.Contains(StopReasons(), r) {
			t.Errorf("verdict %q is no policy's Reason", r)
		}
	}
}
