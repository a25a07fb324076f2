package replay

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/migreplay/migreplay/schema"
)

// Stop policies and dirty models are registered by name, as
// database/sql.Register and image.RegisterFormat do: each implementation's
// own file calls RegisterPolicy or RegisterModel once, with its name, a
// one-line help, its options (Params) and a constructor. Name lookup
// (NewPolicy, NewModel), the command line's flags and help, sweeps of the
// policy, and the schema's description of the replay_run columns that name
// them (schema/README.md) read the registry; nothing else lists the names.

// Param is an option of a registered policy or dirty model beyond Config's
// fields. Its Name is the option's command-line flag ("migreplay replay
// --<Name>"), its key in a --config file, and its key in Values; options of
// the same name in several models are one flag.
type Param struct {
	Name string
	Kind ParamKind
	// Help says what the option is, its unit, its valid range and its
	// default, in one line (the command line prefixes the owners' names).
	Help string
}

// ParamKind says how an option's text reads.
type ParamKind uint8

const (
	FloatParam    ParamKind = iota // a number
	IntParam                       // an integer
	BoolParam                      // true or false; given without a value on the command line
	DurationParam                  // a Go duration: 300ms, 1.5s, 10m
)

// Values are option values as text, by Param name, as given on the command
// line or in a --config file. A name that is absent was not given, and the
// option keeps its default. A value that is given is taken as given: an
// option whose zero (or negative) value is meaningless rejects it with its
// valid range, it never falls back to the default.
type Values map[string]string

// OptionError says which option (by name, see Options) was refused, its
// text (empty when the option itself is out of place) and why: Reason says
// what is wanted ("want a share in (0, 1]"). It unwraps to ErrConfig and
// to Reason.
type OptionError struct {
	Name, Value string
	Reason      error
}

func (e *OptionError) Error() string {
	if e.Value == "" {
		return fmt.Sprintf("%s: %v", e.Name, e.Reason)
	}
	return fmt.Sprintf("%s %s: %v", e.Name, e.Value, e.Reason)
}
func (e *OptionError) Unwrap() []error { return []error{ErrConfig, e.Reason} }

// optErr is an OptionError for option name given as value (any printable).
func optErr(name string, value any, format string, a ...any) error {
	return &OptionError{Name: name, Value: fmt.Sprint(value), Reason: fmt.Errorf(format, a...)}
}

// Float returns option name as a number and whether it was given.
func (v Values) Float(name string) (float64, bool, error) {
	s, ok := v[name]
	if !ok {
		return 0, false, nil
	}
	x, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		return 0, true, optErr(name, strconv.Quote(s), "not a number")
	}
	return x, true, nil
}

// Int returns option name as an integer and whether it was given.
func (v Values) Int(name string) (int, bool, error) {
	s, ok := v[name]
	if !ok {
		return 0, false, nil
	}
	x, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return 0, true, optErr(name, strconv.Quote(s), "not an integer")
	}
	return x, true, nil
}

// Bool returns option name as a boolean (false when not given).
func (v Values) Bool(name string) (bool, error) {
	s, ok := v[name]
	if !ok {
		return false, nil
	}
	b, err := strconv.ParseBool(strings.TrimSpace(s))
	if err != nil {
		return false, optErr(name, strconv.Quote(s), "want true or false")
	}
	return b, nil
}

// Duration returns option name as a duration and whether it was given.
func (v Values) Duration(name string) (time.Duration, bool, error) {
	s, ok := v[name]
	if !ok {
		return 0, false, nil
	}
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		return 0, true, optErr(name, strconv.Quote(s), "not a duration (e.g. 300ms, 10s)")
	}
	return d, true, nil
}

// Share returns option name, a share in (0, 1], and whether it was given.
func (v Values) Share(name string) (float64, bool, error) {
	x, ok, err := v.Float(name)
	if err == nil && ok && !(x > 0 && x <= 1) {
		err = optErr(name, x, "want a share in (0, 1]")
	}
	return x, ok, err
}

// Positive returns option name, a number > 0 and ≤ max, and whether it
// was given.
func (v Values) Positive(name string, max float64) (float64, bool, error) {
	x, ok, err := v.Float(name)
	if err == nil && ok && !(x > 0 && x <= max) {
		err = optErr(name, x, "want (0, %g]", max)
	}
	return x, ok, err
}

// PolicySpec registers a stop policy.
type PolicySpec struct {
	Name    string   // as Policy.Name returns it: the command line's and replay_run's name
	Aliases []string // other names NewPolicy accepts ("kvm" for qemu)
	Help    string   // one line
	Params  []Param  // the policy's options
	// Reasons are the Decision.Reason values the policy gives when it
	// stops (replay_run.stop_reason).
	Reasons []string
	// New returns the policy with the options given in v (none: its
	// defaults). It may read Config-level options too: QEMU's downtime
	// ramp starts at "downtime-limit".
	New func(v Values) (Policy, error)
}

// ModelArgs are what a registered dirty model is built from.
type ModelArgs struct {
	// Rate is the guest's page writes per second (--dirty-rate; the cpu
	// model: per fully busy CPU). RateGiven says whether it was given: a
	// trace keeps its own rates unless it was.
	Rate      float64
	RateGiven bool
	// Trace is the measured dirty-rate series (--dirty-trace), for models
	// that replay one.
	Trace *Trace
	// Values holds the model's options that were given.
	Values Values
}

// ModelSpec registers a dirty model.
type ModelSpec struct {
	Name   string  // as DirtyModel.Name returns it
	Help   string  // one line
	Params []Param // the model's options
	New    func(a ModelArgs) (DirtyModel, error)
}

// The schema's reference (schema/README.md) lists the registered names in
// replay_run's policy, dirty_model and stop_reason columns.
var (
	_ = schema.DocText("replay.policies", func() string { return orList(Policies()) })
	_ = schema.DocText("replay.models", func() string { return orList(Models()) })
	_ = schema.DocText("replay.stop_reasons", func() string { return strings.Join(StopReasons(), ", ") })
)

// orList joins names as "a, b or c".
func orList(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

var registry struct {
	sync.RWMutex
	policies []PolicySpec
	models   []ModelSpec
}

// RegisterPolicy adds a stop policy to the registry (from the policy's
// own file, at init). It panics when the name or an alias is taken.
func RegisterPolicy(s PolicySpec) PolicySpec {
	registry.Lock()
	defer registry.Unlock()
	for _, o := range registry.policies {
		for _, n := range append([]string{s.Name}, s.Aliases...) {
			if o.Name == n || slices.Contains(o.Aliases, n) {
				panic("replay: policy " + n + " registered twice")
			}
		}
	}
	registry.policies = append(registry.policies, s)
	slices.SortFunc(registry.policies, func(a, b PolicySpec) int { return strings.Compare(a.Name, b.Name) })
	return s
}

// RegisterModel adds a dirty model to the registry (from the model's own
// file, at init). It panics when the name is taken.
func RegisterModel(s ModelSpec) ModelSpec {
	registry.Lock()
	defer registry.Unlock()
	for _, o := range registry.models {
		if o.Name == s.Name {
			panic("replay: dirty model " + s.Name + " registered twice")
		}
	}
	registry.models = append(registry.models, s)
	slices.SortFunc(registry.models, func(a, b ModelSpec) int { return strings.Compare(a.Name, b.Name) })
	return s
}

// PolicySpecs lists the registered policies by name.
func PolicySpecs() []PolicySpec {
	registry.RLock()
	defer registry.RUnlock()
	return slices.Clone(registry.policies)
}

// ModelSpecs lists the registered dirty models by name.
func ModelSpecs() []ModelSpec {
	registry.RLock()
	defer registry.RUnlock()
	return slices.Clone(registry.models)
}

// Policies lists the registered policies' names.
func Policies() []string {
	var out []string
	for _, s := range PolicySpecs() {
		out = append(out, s.Name)
	}
	return out
}

// Models lists the registered dirty models' names.
func Models() []string {
	var out []string
	for _, s := range ModelSpecs() {
		out = append(out, s.Name)
	}
	return out
}

// NewPolicy returns the registered policy called name (or one of its
// aliases; case does not matter) with the options given in v.
func NewPolicy(name string, v Values) (Policy, error) {
	for _, s := range PolicySpecs() {
		if strings.EqualFold(s.Name, name) || slices.ContainsFunc(s.Aliases, func(a string) bool { return strings.EqualFold(a, name) }) {
			return s.New(v)
		}
	}
	return nil, fmt.Errorf("%w: unknown policy %q (want %s)", ErrConfig, name, strings.Join(Policies(), ", "))
}

// ParsePolicy returns the registered policy called name with its defaults.
func ParsePolicy(name string) (Policy, error) { return NewPolicy(name, nil) }

// NewModel builds the registered dirty model called name ("" is uniform).
func NewModel(name string, a ModelArgs) (DirtyModel, error) {
	if name == "" {
		name = "uniform"
	}
	for _, s := range ModelSpecs() {
		if s.Name == name {
			return s.New(a)
		}
	}
	return nil, fmt.Errorf("%w: unknown dirty model %q (want %s)", ErrConfig, name, strings.Join(Models(), ", "))
}

// StopReasons lists every stop_reason a replay can give: the registered
// policies' Reasons and the engine's own (postcopy, timeout, round limit).
func StopReasons() []string {
	var out []string
	for _, s := range PolicySpecs() {
		for _, r := range s.Reasons {
			if !slices.Contains(out, r) {
				out = append(out, r)
			}
		}
	}
	return append(out, reasonPostcopy, reasonTimeout, reasonRoundLimit)
}

// The engine's own stop reasons.
const (
	reasonPostcopy   = "postcopy"
	reasonTimeout    = "timeout"
	reasonRoundLimit = "round limit"
)

// A Tuner is a dirty model whose rate and options can be changed by name:
// "rate" (page writes/s, as ModelArgs.Rate) and the names of its Params.
// Sweeps of the dirty rate and calibration (working set, hot share) use it.
// Tune returns ErrNoParam (wrapped) for a name the model does not have.
type Tuner interface {
	Tune(name string, v float64) (DirtyModel, error)
}

// ErrNoParam is returned (wrapped) by Tune for a parameter the model lacks.
var ErrNoParam = fmt.Errorf("%w: no such dirty model parameter", ErrConfig)

func noParam(m DirtyModel, name string) error {
	return fmt.Errorf("%w: %s has no %q", ErrNoParam, m.Name(), name)
}

// Tune returns m with parameter name set to v (see Tuner).
func Tune(m DirtyModel, name string, v float64) (DirtyModel, error) {
	if t, ok := m.(Tuner); ok {
		return t.Tune(name, v)
	}
	return nil, noParam(m, name)
}

// WithRate returns m with its rate set to rate page writes/s (for CPU: at
// 100 % of a CPU; for Trace: every sample scaled so the mean is rate).
func WithRate(m DirtyModel, rate float64) (DirtyModel, error) { return Tune(m, "rate", rate) }
