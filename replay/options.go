package replay

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Options by name: a replay's configuration as text, the way the command
// line's flags, a --config file's keys and a sweep's parameters give it.
// The names are Config's fields in kebab case (memory, bandwidth,
// downtime-limit, ...), plus the registered policies' and dirty models'
// Params; NewConfig reads them.
//
// An option that is absent keeps Config's zero value, and so its
// documented default. An option that is given is taken as given: where
// Config would read 0 (or a negative) as "the default" or "none", a 0 given
// is an error naming the valid range (memory 0, bandwidth 0, mtu 0,
// cpu-cap 0, downtime-limit 0, timeout 0, ...), except where 0 means
// something (state-time 0: no state cost; postcopy-after 0: pure
// post-copy).

// Option is one of Config's settings by name.
type Option struct {
	Param
	// Unit names the text's unit for people: "size", "rate", "name", or
	// the Kind's ("float", "int", "bool", "duration").
	Unit string
	set  func(c *Config, s string) error
}

// Check reads s as the option's value would be read and returns why it is
// refused (nil when it is not): the reason alone, for messages that already
// name the option and its text. A policy's or a dirty model's option is
// checked for its kind here, for its range when the policy or model is
// built.
func (o Option) Check(s string) error {
	var err error
	switch {
	case o.set != nil:
		err = o.set(&Config{}, s)
	case o.Name == OptPolicy:
		_, err = NewPolicy(s, nil)
	case o.Name == OptDirtyModel:
		if !slices.Contains(Models(), s) {
			err = optErr(o.Name, s, "unknown (want %s)", strings.Join(Models(), ", "))
		}
	default:
		v := Values{o.Name: s}
		switch o.Kind {
		case FloatParam:
			_, _, err = v.Float(o.Name)
		case IntParam:
			_, _, err = v.Int(o.Name)
		case BoolParam:
			_, err = v.Bool(o.Name)
		case DurationParam:
			_, _, err = v.Duration(o.Name)
		}
		if x, _, _ := v.Float(o.Name); err == nil && o.Name == OptDirtyRate && !(x >= 0 && x <= 1e15) {
			err = optErr(o.Name, s, "want ≥ 0 page writes/s")
		}
	}
	var oe *OptionError
	if errors.As(err, &oe) {
		return oe.Reason
	}
	return err
}

// sizeOption sets an int64 byte count that must be > 0 (want says what
// else the range is).
func sizeOption(name, help, want string, dst func(*Config) *int64) Option {
	return Option{Param: Param{Name: name, Kind: FloatParam, Help: help}, Unit: "size", set: func(c *Config, s string) error {
		v, err := ParseSize(s)
		if err != nil {
			return &OptionError{name, s, err}
		}
		if v <= 0 {
			return optErr(name, s, "want %s", want)
		}
		*dst(c) = v
		return nil
	}}
}

// rateOption sets a rate in bytes/s that must be > 0; with orNone, "none"
// (or "unlimited") sets −1, no limit.
func rateOption(name, help string, orNone bool, dst func(*Config) *float64) Option {
	return Option{Param: Param{Name: name, Kind: FloatParam, Help: help}, Unit: "rate", set: func(c *Config, s string) error {
		if orNone && (s == "none" || s == "unlimited") {
			*dst(c) = -1
			return nil
		}
		v, err := ParseRate(s)
		if err != nil {
			return &OptionError{name, s, err}
		}
		if !(v > 0) || math.IsInf(v, 0) {
			want := "> 0"
			if orNone {
				want += ", or none"
			}
			return optErr(name, s, "want %s", want)
		}
		*dst(c) = v
		return nil
	}}
}

// durationOption sets a duration that must be > 0, or ≥ 0 with zeroIs: a
// 0 given then becomes zeroIs (Config's "none").
func durationOption(name, help string, zeroIs *time.Duration, dst func(*Config) *time.Duration) Option {
	return Option{Param: Param{Name: name, Kind: DurationParam, Help: help}, Unit: "duration", set: func(c *Config, s string) error {
		v, err := time.ParseDuration(strings.TrimSpace(s))
		if err != nil {
			return optErr(name, strconv.Quote(s), "not a duration (e.g. 300ms, 10s, 1h)")
		}
		switch {
		case v == 0 && zeroIs != nil:
			v = *zeroIs
		case v < 0 && zeroIs != nil:
			return optErr(name, v, "want ≥ 0")
		case v <= 0 && zeroIs == nil:
			return optErr(name, v, "want > 0")
		}
		*dst(c) = v
		return nil
	}}
}

var none = time.Duration(-1)

// configOptions are Config's settings by name, in the order of the
// command line's help.
var configOptions = []Option{
	sizeOption("memory", "guest RAM (B, KiB, MiB, GiB, kB, MB, GB), one page to 64 TiB (default 8GiB)", "> 0, one page to 64 TiB", func(c *Config) *int64 { return &c.Memory }),
	sizeOption("page-size", "page size, a power of two from 512 B to 1 GiB (default 4KiB)", "a power of two from 512 B to 1 GiB", func(c *Config) *int64 { return &c.PageSize }),
	rateOption("bandwidth", "link line rate, bits (Gbit/s, Mbps) or bytes (MiB/s, MB/s) per second, > 0, or none: the link never limits, the CPU does (--cpu-rate) (default 1Gbit/s)", true, func(c *Config) *float64 { return &c.Bandwidth }),
	{Param: Param{Name: "mtu", Kind: IntParam, Help: "IP MTU in bytes, 41..65536; 40 B of IPv4+TCP headers per packet (default 1500)"}, Unit: "int", set: func(c *Config, s string) error {
		v, err := ParseSize(s)
		if err != nil || v <= ipTCPHeader || v > 1<<16 {
			return optErr("mtu", s, "want 41..65536 bytes (40 B go to IPv4+TCP headers; Linux needs ≥ 68)")
		}
		c.MTU = int(v)
		return nil
	}},
	rateOption("max-bandwidth", "hypervisor rate limit, > 0, or none for no limit (default: the policy's; QEMU 128MiB/s)", true, func(c *Config) *float64 { return &c.MaxBandwidth }),
	{Param: Param{Name: "cpu-cap", Kind: FloatParam, Help: "share of one CPU the sender may use (Dom0 cap), (0, 1] (default 1)"}, Unit: "float", set: func(c *Config, s string) error {
		v, err := shareText("cpu-cap", s)
		c.CPUCap = v
		return err
	}},
	rateOption("cpu-rate", "stream rate of one full CPU at MTU 1500, > 0, or none: the CPU never limits (default 1.25GB/s)", true, func(c *Config) *float64 { return &c.CPURate }),
	{Param: Param{Name: "zero-share", Kind: FloatParam, Help: "share of pages zero at the start (sent as markers), [0, 1) (default 0)"}, Unit: "float", set: func(c *Config, s string) error {
		v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil || !(v >= 0 && v < 1) {
			return optErr("zero-share", s, "want [0, 1)")
		}
		c.ZeroShare = v
		return nil
	}},
	durationOption("downtime-limit", "downtime limit, > 0 (default: QEMU 300ms, SimGrid 30ms; with --downtime-ramp its start, 150ms)", nil, func(c *Config) *time.Duration { return &c.DowntimeLimit }),
	{Param: Param{Name: "auto-converge", Kind: BoolParam, Help: "QEMU auto-converge throttling"}, Unit: "bool", set: func(c *Config, s string) (err error) {
		if c.AutoConverge, err = strconv.ParseBool(s); err != nil {
			return optErr("auto-converge", s, "want true or false")
		}
		return nil
	}},
	{Param: Param{Name: "postcopy-after", Kind: IntParam, Help: "switch to post-copy after N ≥ 0 live rounds (0: pure post-copy; default: pre-copy only)"}, Unit: "int", set: func(c *Config, s string) error {
		v, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || v < 0 {
			return optErr("postcopy-after", s, "want N ≥ 0 live rounds (leave it out for pre-copy only)")
		}
		c.Postcopy, c.PostcopyAfter = true, v
		return nil
	}},
	durationOption("postcopy-at", "request post-copy this long after the migration starts, > 0 (migrate-start-postcopy; QEMU switches after the iteration in progress; not with --postcopy-after)", nil, func(c *Config) *time.Duration {
		c.Postcopy = true
		return &c.PostcopyAt
	}),
	{Param: Param{Name: "read-rate", Kind: FloatParam, Help: "the guest's page reads per second on the dirty model's pages, ≥ 0: post-copy remote faults count reads with writes (default 0: QMP does not measure reads)"}, Unit: "float", set: func(c *Config, s string) error {
		v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil || !(v >= 0 && v <= 1e15) {
			return optErr("read-rate", s, "want ≥ 0 page reads/s")
		}
		c.ReadRate = v
		return nil
	}},
	durationOption("state-time", "stop-and-copy cost beyond RAM, ≥ 0 (default 10ms; 0: none)", &none, func(c *Config) *time.Duration { return &c.StateTime }),
	durationOption("timeout", "give up on a migration that has not converged, > 0 (default 1h)", nil, func(c *Config) *time.Duration { return &c.Timeout }),
	{Param: Param{Name: "seed", Kind: IntParam, Help: "PCG seed, ≥ 0 (default 1)"}, Unit: "int", set: func(c *Config, s string) error {
		v, err := strconv.ParseUint(strings.TrimSpace(s), 10, 64)
		if err != nil {
			return optErr("seed", s, "want an integer ≥ 0")
		}
		c.Seed = v
		return nil
	}},
}

// The options that choose a policy and a dirty model, and the rate.
const (
	OptPolicy     = "policy"
	OptDirtyModel = "dirty-model"
	OptDirtyRate  = "dirty-rate"
)

// shareText reads a share in (0, 1].
func shareText(name, s string) (float64, error) {
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || !(v > 0 && v <= 1) {
		return 0, optErr(name, s, "want a share in (0, 1]")
	}
	return v, nil
}

// Options lists every option NewConfig reads: Config's settings, then
// policy, dirty-model and dirty-rate, then the registered policies' and
// dirty models' Params (one per name; Help joins the owners' when they
// differ, "zipf: …; cpu: …").
func Options() []Option {
	out := append([]Option(nil), configOptions...)
	out = append(out,
		Option{Param: Param{Name: OptPolicy, Help: "stop policy: " + helpList(policyHelps()) + " (default qemu)"}, Unit: "name"},
		Option{Param: Param{Name: OptDirtyModel, Help: "dirty model: " + helpList(modelHelps()) + " (default uniform)"}, Unit: "name"},
		Option{Param: Param{Name: OptDirtyRate, Kind: FloatParam, Help: "the guest's dirty rate, page writes per second, ≥ 0 (the cpu model: per fully busy CPU; a trace: rescaled to this mean) (default 0, idle)"}, Unit: "float"},
	)
	type owned struct {
		p             Param
		owners, helps []string
	}
	var params []*owned
	byName := map[string]*owned{}
	add := func(owner string, p Param) {
		o := byName[p.Name]
		if o == nil {
			o = &owned{p: p}
			byName[p.Name] = o
			params = append(params, o)
		}
		o.owners, o.helps = append(o.owners, owner), append(o.helps, p.Help)
	}
	for _, s := range PolicySpecs() {
		for _, p := range s.Params {
			add(s.Name, p)
		}
	}
	for _, s := range ModelSpecs() {
		for _, p := range s.Params {
			add(s.Name, p)
		}
	}
	for _, o := range params {
		same := true
		for _, h := range o.helps {
			same = same && h == o.helps[0]
		}
		if same {
			o.p.Help = strings.Join(o.owners, "/") + ": " + o.helps[0]
		} else {
			parts := make([]string, len(o.owners))
			for i := range o.owners {
				parts[i] = o.owners[i] + ": " + o.helps[i]
			}
			o.p.Help = strings.Join(parts, "; ")
		}
		unit := [...]string{FloatParam: "float", IntParam: "int", BoolParam: "bool", DurationParam: "duration"}[o.p.Kind]
		out = append(out, Option{Param: o.p, Unit: unit})
	}
	return out
}

func policyHelps() [][2]string {
	var out [][2]string
	for _, s := range PolicySpecs() {
		out = append(out, [2]string{s.Name, s.Help})
	}
	return out
}

func modelHelps() [][2]string {
	var out [][2]string
	for _, s := range ModelSpecs() {
		out = append(out, [2]string{s.Name, s.Help})
	}
	return out
}

// helpList renders names with their help: "a (help), b (help)".
func helpList(items [][2]string) string {
	parts := make([]string, len(items))
	for i, it := range items {
		parts[i] = it[0] + " (" + it[1] + ")"
	}
	return strings.Join(parts, "; ")
}

// NewConfig builds a Config from options given by name (see Options):
// Config's settings, the policy (with its options) and the dirty model
// (with its options, the dirty rate and, for a model that replays one,
// the measured series tr). Options that are absent keep Config's zero
// value, its documented default; seed, absent, is 1.
func NewConfig(v Values, tr *Trace) (Config, error) {
	c := Config{Seed: 1}
	for _, o := range configOptions {
		s, ok := v[o.Name]
		if !ok {
			continue
		}
		if err := o.set(&c, s); err != nil {
			return Config{}, err
		}
	}
	var err error
	pol := v[OptPolicy]
	if pol == "" {
		pol = "qemu"
	}
	if c.Policy, err = NewPolicy(pol, v); err != nil {
		return Config{}, err
	}
	a := ModelArgs{Trace: tr, Values: v}
	if a.Rate, a.RateGiven, err = v.Float(OptDirtyRate); err != nil {
		return Config{}, err
	}
	if a.RateGiven && !(a.Rate >= 0 && a.Rate <= 1e15) {
		return Config{}, optErr(OptDirtyRate, a.Rate, "want ≥ 0 page writes/s")
	}
	model, ok := v[OptDirtyModel]
	if !ok && tr != nil {
		model = "trace"
	}
	if c.DirtyModel, err = NewModel(model, a); err != nil {
		return Config{}, err
	}
	return c, nil
}

// UnusedOptions returns an error naming a registered policy's or dirty
// model's option given in v that none of the policies and models named
// has: an option given is never silently ignored.
func UnusedOptions(v Values, policies, models []string) error {
	for _, c := range []struct {
		kind string
		used []string
		opts [][2]string // option, owner
	}{{OptPolicy, policies, policyParams()}, {OptDirtyModel, models, modelParams()}} {
		owners := map[string][]string{}
		var names []string
		for _, o := range c.opts {
			if _, ok := owners[o[0]]; !ok {
				names = append(names, o[0])
			}
			owners[o[0]] = append(owners[o[0]], o[1])
		}
		slices.Sort(names)
		for _, name := range names {
			if _, given := v[name]; !given {
				continue
			}
			if !slices.ContainsFunc(c.used, func(u string) bool { return slices.Contains(owners[name], u) }) {
				return &OptionError{Name: name, Reason: fmt.Errorf("applies to %s %s, not %s", c.kind, strings.Join(owners[name], ", "), strings.Join(c.used, ", "))}
			}
		}
	}
	return nil
}

func policyParams() (out [][2]string) {
	for _, s := range PolicySpecs() {
		for _, p := range s.Params {
			out = append(out, [2]string{p.Name, s.Name})
		}
	}
	return out
}

func modelParams() (out [][2]string) {
	for _, s := range ModelSpecs() {
		for _, p := range s.Params {
			out = append(out, [2]string{p.Name, s.Name})
		}
	}
	return out
}
