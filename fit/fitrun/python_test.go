package fitrun

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const python = "/usr/bin/python3"

// A million points through the whole path (the streaming CSV reader, the
// fit, k-fold and hold-out at scale) give numpy's coefficients: power's a
// and b equal np.polyfit on the logs within 1e-9 relative, power-nls's
// scipy curve_fit's within 1e-6 (its own xtol is 1.5e-8), poly3's (the
// blocked QR) np.polyfit(x, y, 3)'s within 1e-9. Python gets the same
// float64 values as a binary file (the CSV holds their shortest decimal
// form, which ReadFloatRows reads back exactly: schema/table's tests).
// Skipped without numpy and scipy unless MIGREPLAY_REQUIRE_PYTHON=1 (CI),
// which makes it fail.
func TestMillionPointsAgreeWithNumpy(t *testing.T) {
	if out, err := exec.Command(python, "-c", "import numpy, scipy").CombinedOutput(); err != nil {
		msg := fmt.Sprintf("needs %s with numpy and scipy (apt-get install python3-numpy python3-scipy): %v %s", python, err, out)
		if os.Getenv("MIGREPLAY_REQUIRE_PYTHON") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	if testing.Short() {
		t.Skip("a million points: not with -short")
	}
	x, y := powerData(1_000_000, 1)
	in := writeCSV(t, x, y, nil)
	bin := filepath.Join(t.TempDir(), "xy.f64")
	raw := make([]byte, 0, 16*len(x))
	for _, v := range append(append([]float64(nil), x...), y...) {
		raw = binary.LittleEndian.AppendUint64(raw, math.Float64bits(v))
	}
	if err := os.WriteFile(bin, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	script := `
import sys, numpy as np
from scipy.optimize import curve_fit
xy = np.fromfile(sys.argv[1], dtype="<f8")
x, y = xy[:len(xy) // 2], xy[len(xy) // 2:]
b, la = np.polyfit(np.log(x), np.log(y), 1)
popt, _ = curve_fit(lambda x, a, b: a * x ** b, x, y, p0=[np.exp(la), b])
c3 = np.polyfit(x, y, 3)[::-1]
print(repr(float(np.exp(la))), repr(float(b)), repr(float(popt[0])), repr(float(popt[1])), *[repr(float(v)) for v in c3])
`
	cmd := exec.Command(python, "-c", script, bin)
	cmd.Env = append(os.Environ(), "OPENBLAS_NUM_THREADS=1")
	raw, err := cmd.Output()
	if err != nil {
		t.Fatalf("python: %v", err)
	}
	var ref []float64
	for _, f := range strings.Fields(string(raw)) {
		v, err := strconv.ParseFloat(f, 64)
		if err != nil {
			t.Fatal(err)
		}
		ref = append(ref, v)
	}
	for i, c := range []struct {
		model string
		tol   float64
	}{{"power", 1e-9}, {"power-nls", 1e-6}, {"poly3", 1e-9}} {
		out, err := Run(context.Background(), Config{In: in, X: "x", Y: "y", Model: c.model})
		if err != nil {
			t.Fatal(err)
		}
		f := out.Fits[0]
		got := []float64{f.A, f.B}
		if f.D != nil {
			got = append(got, *f.C, *f.D)
		}
		for j, got := range got {
			want := ref[2*i+j]
			if e := math.Abs(got-want) / math.Abs(want); !(e <= c.tol) {
				t.Errorf("%s parameter %d: %.17g, python %.17g (rel %.2g > %g)", c.model, j, got, want, e, c.tol)
			}
		}
		if f.N != 1_000_000 || f.KFoldRMSE == nil || f.LOORMSE == nil && c.model == "power" || f.HoldoutMAE == nil || len(out.Predictions) != 0 {
			t.Errorf("%s: n %d, k-fold %v, loo %v, holdout %v, %d prediction rows", c.model, f.N, f.KFoldRMSE, f.LOORMSE, f.HoldoutMAE, len(out.Predictions))
		}
		if c.model == "poly3" {
			continue
		}
		// power-nls: leave-one-out would be a million refits; null, and why.
		if wantNote := c.model == "power-nls"; (f.LOORMSE == nil) != wantNote || strings.HasPrefix(f.Notes, "loo: leave-one-out of power-nls refits n = 1000000 times") != wantNote {
			t.Errorf("%s: loo %v, notes %q", c.model, f.LOORMSE, f.Notes)
		}
	}
}
