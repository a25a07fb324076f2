package fitrun

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/migreplay/migreplay/fit"
	"github.com/migreplay/migreplay/schema"
)

// writeCSV writes x,y rows (and a class column when classes is not nil).
func writeCSV(t testing.TB, x, y []float64, classes []string) string {
	t.Helper()
	var b strings.Builder
	if classes != nil {
		b.WriteString("class,")
	}
	b.WriteString("x,y\n")
	for i := range x {
		if classes != nil {
			b.WriteString(classes[i] + ",")
		}
		fmt.Fprintf(&b, "%v,%v\n", x[i], y[i])
	}
	p := filepath.Join(t.TempDir(), "xy.csv")
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// powerData draws n points like bench/fit.sh's: Dom0 caps 10…100 %,
// y = 700·x^−0.85 with 5 % log-normal noise.
func powerData(n int, seed uint64) (x, y []float64) {
	rng := rand.New(rand.NewPCG(seed, 0))
	x, y = make([]float64, n), make([]float64, n)
	for i := range x {
		x[i] = 10 + 90*rng.Float64()
		y[i] = 700 * math.Pow(x[i], -0.85) * math.Exp(0.05*rng.NormFloat64())
	}
	return x, y
}

// Every registered model fits in the fits table: its parameters, all of
// them, come back from the row it maps to (the registry's parameter count
// against schema.FitParamCols).
func TestEveryModelFitsTheTable(t *testing.T) {
	if p := fit.MaxParams(); p > schema.FitParamCols {
		t.Fatalf("a registered model has %d parameters, the fits table holds %d", p, schema.FitParamCols)
	}
	x, y := powerData(40, 3)
	for _, s := range fit.Specs() {
		rep, err := fit.Evaluate(s.Name, x, y, nil, fit.Config{})
		if err != nil {
			t.Fatalf("%s: %v", s.Name, err)
		}
		row := fitRow("c", rep, true, Config{X: "x", Y: "y", In: "in.csv"})
		for j, p := range rep.Fit.Params {
			v, se, lo, hi, ok := row.Param(j)
			if !ok || v != p.Value || se != p.SE || lo != p.Lo || hi != p.Hi {
				t.Errorf("%s parameter %s: row %v %v %v %v %v, fit %+v", s.Name, p.Name, v, se, lo, hi, ok, p)
			}
		}
		if _, _, _, _, ok := row.Param(s.Params); ok {
			t.Errorf("%s: parameter %d set, the model has %d", s.Name, s.Params, s.Params)
		}
		if row.Model != string(s.Name) || row.Formula != s.Formula || row.Params != int64(s.Params) || row.Space != string(s.Space) {
			t.Errorf("%s: row %+v", s.Name, row)
		}
	}
}

// poly5's parameters e and f reach the JSON and the text (cmd/fit.go used
// to drop every parameter after d).
func TestPoly5KeepsEveryParameter(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var x, y []float64
	for i := range 30 {
		v := float64(i) / 3
		x = append(x, v)
		y = append(y, 1+v-0.5*v*v+0.1*math.Pow(v, 3)-0.01*math.Pow(v, 4)+0.0005*math.Pow(v, 5)+0.01*rng.NormFloat64())
	}
	out, err := Run(context.Background(), Config{In: writeCSV(t, x, y, nil), X: "x", Y: "y", Model: "poly5"})
	if err != nil {
		t.Fatal(err)
	}
	want, err := fit.FitPoly(x, y, nil, 5)
	if err != nil {
		t.Fatal(err)
	}
	var js bytes.Buffer
	if err := out.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	var got struct{ Fits []map[string]any }
	if err := json.Unmarshal(js.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	f := got.Fits[0]
	if f["e"] != want.Params[4].Value || f["f"] != want.Params[5].Value || f["f_hi"] != want.Params[5].Hi || f["g"] != nil {
		t.Errorf("e %v f %v f_hi %v g %v; fit e %v f %v", f["e"], f["f"], f["f_hi"], f["g"], want.Params[4].Value, want.Params[5].Value)
	}
	var txt bytes.Buffer
	if err := out.WriteText(&txt); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(txt.String(), fmt.Sprintf("f=%.4g [", want.Params[5].Value)) {
		t.Errorf("text lacks f:\n%s", txt.String())
	}
}

// Per-point hold-out rows: written for classes of at most 100 points
// unless told, for all with PointsAlways, for none with PointsNever; the
// summary columns are filled either way.
func TestHoldoutRowsRule(t *testing.T) {
	x, y := powerData(250, 5)
	classes := make([]string, len(x))
	for i := range classes {
		classes[i] = "big"
		if i < 100 {
			classes[i] = "small"
		}
	}
	in := writeCSV(t, x, y, classes)
	for _, c := range []struct {
		rule       fit.PointsRule
		small, big int
	}{{fit.PointsAuto, 95, 0}, {fit.PointsAlways, 95, 145}, {fit.PointsNever, 0, 0}} {
		out, err := Run(context.Background(), Config{In: in, X: "x", Y: "y", By: "class", Fit: fit.Config{HoldoutPoints: c.rule}})
		if err != nil {
			t.Fatal(err)
		}
		rows := map[string]int{}
		for _, p := range out.Predictions {
			if p.Source == "holdout" {
				rows[p.Class]++
			}
		}
		if rows["small"] != c.small || rows["big"] != c.big {
			t.Errorf("rule %d: holdout rows %v, want small %d big %d", c.rule, rows, c.small, c.big)
		}
		for _, f := range out.Fits {
			if f.HoldoutMAE == nil || f.HoldoutTrain == nil || *f.HoldoutTrain != 5 {
				t.Errorf("rule %d class %s: no hold-out summary", c.rule, f.Class)
			}
		}
	}
}

// Typed errors: a bad model is a UsageError, a missing column an
// InputError naming the flag, a failed class a ClassesError.
func TestTypedErrors(t *testing.T) {
	x, y := powerData(20, 1)
	in := writeCSV(t, x, y, nil)
	_, err := Run(context.Background(), Config{In: in, X: "x", Y: "y", Model: "spline"})
	if _, ok := err.(*UsageError); !ok {
		t.Errorf("bad model: %T %v", err, err)
	}
	_, err = Run(context.Background(), Config{In: in, X: "nope", Y: "y"})
	if e, ok := err.(*InputError); !ok || !strings.HasPrefix(e.Error(), "--x: ") {
		t.Errorf("missing column: %T %v", err, err)
	}
	y[3] = -1 // power takes ln y
	out, err := Run(context.Background(), Config{In: writeCSV(t, x, y, nil), X: "x", Y: "y"})
	if err != nil {
		t.Fatal(err)
	}
	if e, ok := out.Err().(*ClassesError); !ok || e.Failed != 1 || e.Classes != 1 {
		t.Errorf("failed class: %T %v", out.Err(), out.Err())
	}
}
