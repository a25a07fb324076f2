package table

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

// parseFloat equals strconv.ParseFloat bit for bit, value and error, on
// the forms CSV writers print (pandas' shortest repr, %.6f, %e, integers)
// and on edge cases, those decimal.Parse leaves to ParseFloat included.
func TestParseFloatEqualsStrconv(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 3))
	cases := []string{"0", "-0", "+0", "0.0", "-0.000", "1", "1.", ".5", "-.5", "1e5", "1E-5", "1e+22", "1e23", "1e-22", "1e-23",
		"9007199254740992", "9007199254740993", "123456789012345678901", "0.1", "0.30000000000000004", "00012.5000",
		"1e", "1e+", "e5", ".", "-", "+", "", "1.2.3", "1,5", "inf", "-Inf", "NaN", "0x1p3", "1_000", " 1", "1 ",
		"1e400", "-1e-400", "4.9e-324", "1.7976931348623157e308", "56.0639462230231", "14.411334829680907"}
	for range 100000 {
		v := math.Exp(100*rng.Float64()-50) * float64(1-2*rng.IntN(2))
		cases = append(cases, strconv.FormatFloat(v, 'g', -1, 64), fmt.Sprintf("%.6f", v), fmt.Sprintf("%e", v),
			strconv.FormatFloat(v, 'f', -1, 64), fmt.Sprint(rng.Int64N(1<<60)), fmt.Sprintf("%.17g", v), fmt.Sprintf("%.19e", v))
	}
	for _, s := range cases {
		got, gerr := parseFloat([]byte(s))
		want, werr := strconv.ParseFloat(s, 64)
		if math.Float64bits(got) != math.Float64bits(want) && !(math.IsNaN(got) && math.IsNaN(want)) || (gerr == nil) != (werr == nil) {
			t.Errorf("%q: %v %v, strconv %v %v", s, got, gerr, want, werr)
		}
	}
}
