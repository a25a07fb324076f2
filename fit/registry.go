package fit

import (
	"fmt"
	"slices"
	"strings"
	"sync"
)

// ModelSpec describes one model. Each model registers its spec once, from
// its own file (linear.go, power.go, …), with Register; Fit, Predict, the
// cross-validations, Auto's candidates, ParseModel, the --help text of
// `migreplay fit` and the parameter columns of the fits table all read the
// registry, so adding a model touches its file and its test.
type ModelSpec struct {
	Name    Model
	Aliases []string // other names ParseModel accepts (poly1 for linear)
	Help    string   // one line for --help
	Formula string   // the model with its parameters, e.g. "y = a·x^b"
	Params  int      // number of fitted parameters p, named a, b, c, … in formula order
	Space   Space    // where least squares is done
	// PosX and PosY: the model takes ln x (ln y), so x (y) must be positive.
	PosX, PosY bool
	// Candidate is the model's place among Auto's candidates (1 first, the
	// tie-break order); 0 leaves it out.
	Candidate int

	// Fit fits the model to (x, y) with optional weights.
	Fit func(x, y, w []float64) (*Result, error)
	// Curve returns the fitted value at x in the fit space (ln y when Space
	// is SpaceLog) from the parameters as fitted (ln a for a log-space a),
	// and, when grad is not nil, sets grad[j] to its derivative with
	// respect to parameter j (the design row of a linear least-squares
	// model). x is finite and, when PosX, positive.
	Curve func(beta []float64, x float64, grad []float64) float64
	// EvalTo, when set, writes ŷ (on y) at every x into yhat, for passes
	// over many points (the hold-out summary above 65,536 points); it must
	// agree with Curve to rounding. Without it those passes call Curve.
	EvalTo func(beta []float64, yhat, x []float64)
	// RefitLOO marks a model without a closed-form leave-one-out: Fit
	// leaves Result.LOO nil and LeaveOneOut refits n times.
	RefitLOO bool
	// KFold, when set, computes k-fold cross-validation of a fit on many
	// points (more than refitMaxN) without refitting each training set
	// from scratch, with the same definitions as refitting (fold[i] is
	// point i's fold, 0 ≤ fold[i] < k); it must agree with refitting to
	// rounding (a test checks it for every model that sets it).
	KFold func(full *Result, x, y, w []float64, fold []int32, k int) (*CV, error)
}

var (
	regMu    sync.RWMutex
	registry = map[Model]*ModelSpec{}
	aliases  = map[string]Model{}
)

// Register adds a model. It panics on a programmer error: a duplicate or
// upper-case name, a missing Fit or Curve, fewer than one parameter.
func Register(s ModelSpec) {
	regMu.Lock()
	defer regMu.Unlock()
	if s.Name == "" || string(s.Name) != strings.ToLower(string(s.Name)) || s.Fit == nil || s.Curve == nil || s.Params < 1 {
		panic(fmt.Sprintf("fit: invalid model spec %q", s.Name))
	}
	if s.Space == "" {
		s.Space = SpaceY
	}
	names := append([]string{string(s.Name)}, s.Aliases...)
	for _, n := range names {
		if _, dup := registry[Model(n)]; dup {
			panic(fmt.Sprintf("fit: model %q registered twice", n))
		}
		if _, dup := aliases[n]; dup {
			panic(fmt.Sprintf("fit: model %q registered twice", n))
		}
	}
	sp := s
	registry[s.Name] = &sp
	for _, a := range s.Aliases {
		aliases[a] = s.Name
	}
}

// Spec returns the registered spec of m.
func Spec(m Model) (*ModelSpec, bool) {
	regMu.RLock()
	defer regMu.RUnlock()
	s, ok := registry[m]
	return s, ok
}

// Specs lists every registered model: Auto's candidates first in their
// order, then the others by name (poly4 … poly9 by degree).
func Specs() []*ModelSpec {
	regMu.RLock()
	out := make([]*ModelSpec, 0, len(registry))
	for _, s := range registry {
		out = append(out, s)
	}
	regMu.RUnlock()
	slices.SortFunc(out, func(a, b *ModelSpec) int {
		ca, cb := a.Candidate, b.Candidate
		switch {
		case ca != 0 && cb != 0 && ca != cb:
			return ca - cb
		case (ca != 0) != (cb != 0):
			return cb - ca // candidates first
		case len(a.Name) != len(b.Name) && strings.TrimRight(string(a.Name), "0123456789") == strings.TrimRight(string(b.Name), "0123456789"):
			return len(a.Name) - len(b.Name) // poly9 before poly10
		}
		return strings.Compare(string(a.Name), string(b.Name))
	})
	return out
}

// Models lists the models Auto chooses among, in tie-break order (the
// specs with a Candidate place).
func Models() []Model {
	var out []Model
	for _, s := range Specs() {
		if s.Candidate != 0 {
			out = append(out, s.Name)
		}
	}
	return out
}

// ParseModel accepts a registered model's name or alias, in any case.
func ParseModel(s string) (Model, error) {
	name := strings.ToLower(strings.TrimSpace(s))
	regMu.RLock()
	_, ok := registry[Model(name)]
	alias, isAlias := aliases[name]
	regMu.RUnlock()
	switch {
	case ok:
		return Model(name), nil
	case isAlias:
		return alias, nil
	}
	var names []string
	for _, sp := range Specs() {
		names = append(names, string(sp.Name))
	}
	return "", fmt.Errorf("fit: model %q (want %s): %w", s, strings.Join(names, ", "), ErrModel)
}

// spec is Spec for a model known to be registered (a Result's).
func (m Model) spec() *ModelSpec {
	s, ok := Spec(m)
	if !ok {
		panic(fmt.Sprintf("fit: model %q not registered", m))
	}
	return s
}

// NumParams is the number of fitted parameters p (0 for an unknown model).
func (m Model) NumParams() int {
	if s, ok := Spec(m); ok {
		return s.Params
	}
	return 0
}

// Space is where a model's least squares is done (SpaceY for an unknown
// model).
func (m Model) Space() Space {
	if s, ok := Spec(m); ok {
		return s.Space
	}
	return SpaceY
}

// Formula is the model written out, e.g. "y = a·x^b" ("" when unknown).
func (m Model) Formula() string {
	if s, ok := Spec(m); ok {
		return s.Formula
	}
	return ""
}

// MaxParams is the largest number of parameters of any registered model.
func MaxParams() int {
	p := 0
	for _, s := range Specs() {
		p = max(p, s.Params)
	}
	return p
}

// ParamName is the name of parameter j: a, b, c, …
func ParamName(j int) string { return string(rune('a' + j)) }
