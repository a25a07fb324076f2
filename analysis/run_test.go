package analysis

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/migreplay/migreplay/analysis/decide"
)

// A Config reaches the policies as given: thresholds in % become shares,
// a threshold or k set to 0 is 0 (not the policy's default), nil keeps
// each policy's; --decide all is every registered policy, none is none.
func TestConfigDecide(t *testing.T) {
	zero, cpu, k := 0.0, 90.0, 0
	c := DefaultConfig()
	c.ThresholdCPUPct, c.ThresholdSwap, c.ARK = &cpu, &zero, &k
	c.HostCPUs = []string{"a=8", "4"}
	d, err := c.decideConfig(VMConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if *d.Override.CPU != 0.9 || *d.Override.Swap != 0 || *d.Override.K != 0 || d.Override.Net != nil || d.Override.N != nil {
		t.Errorf("override %+v", d.Override)
	}
	if !reflect.DeepEqual(d.Policies, decide.Names()) || !reflect.DeepEqual(d.HostCPUs, map[string]float64{"a": 8, "": 4}) || d.NICMbit != 1000 {
		t.Errorf("%v %v %v", d.Policies, d.HostCPUs, d.NICMbit)
	}
	c.Decide = "none"
	if d, _ := c.decideConfig(VMConfig{}); d.Policies == nil || len(d.Policies) != 0 {
		t.Errorf("none: %v", d.Policies)
	}
	c.Decide = "seed002, idc"
	if d, _ := c.decideConfig(VMConfig{}); !reflect.DeepEqual(d.Policies, []string{"seed002", "idc"}) {
		t.Errorf("list: %v", d.Policies)
	}
}

// Run refuses what cannot run with a *UsageError naming the flag, before
// reading the lake; a value given as 0 or "" is refused, never replaced
// by the default.
func TestRunUsageErrors(t *testing.T) {
	lake := t.TempDir()
	if err := os.Mkdir(filepath.Join(lake, "table=xentop_domain"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		set  func(*Config)
		want string
	}{
		{func(c *Config) { c.Bandwidth = "" }, "--bandwidth"},
		{func(c *Config) { c.Bandwidth = "0Gbit/s" }, "--bandwidth 0Gbit/s: want > 0"},
		{func(c *Config) { c.DirtyPerCPU = 0 }, "--dirty-per-cpu 0: want > 0"},
		{func(c *Config) { c.NICMbit = -1 }, "--nic-mbit -1: want > 0"},
		{func(c *Config) { c.Policy = "" }, "--policy"},
		{func(c *Config) { c.ClassModel = "" }, "--class-model"},
		{func(c *Config) { c.Decide = "" }, "--decide"},
		{func(c *Config) { c.Decide = "seed002,nope" }, `no policy "nope"`},
		{func(c *Config) { c.HostCPUs = []string{"a=0"} }, `--host-cpus "a=0"`},
		{func(c *Config) { c.QMPGuest = []string{"a"} }, `--qmp-guest "a": want QMPHOST=SARHOST`},
		{func(c *Config) { c.IDC = filepath.Join(lake, "none.csv") }, "--idc:"},
		{func(c *Config) { c.Lake = filepath.Join(lake, "none") }, "no such folder"},
		{func(c *Config) { c.Lake = t.TempDir() }, "nothing to analyze"},
	} {
		cfg := DefaultConfig()
		cfg.Lake = lake
		c.set(&cfg)
		_, err := Run(context.Background(), cfg)
		var ue *UsageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want a UsageError with %q", cfg, err, c.want)
		}
	}
}
