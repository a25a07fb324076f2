package decimal

import (
	"math"
	"math/big"
)

// pow10Mantissa is 10^q as a 128-bit mantissa with the top bit of its high
// word set, rounded down, as {low word, high word}: an entry of Go's
// strconv detailedPowersOfTen.
func pow10Mantissa(q int) [2]uint64 {
	var v big.Int
	if q >= 0 {
		v.Exp(big.NewInt(10), big.NewInt(int64(q)), nil)
		if n := v.BitLen(); n <= 128 {
			v.Lsh(&v, uint(128-n))
		} else {
			v.Rsh(&v, uint(n-128))
		}
	} else {
		var d big.Int
		d.Exp(big.NewInt(10), big.NewInt(int64(-q)), nil)
		v.Lsh(big.NewInt(1), uint(127+d.BitLen()))
		v.Quo(&v, &d)
		if v.BitLen() < 128 {
			v.Lsh(big.NewInt(1), uint(128+d.BitLen()))
			v.Quo(&v, &d)
		}
	}
	var lo big.Int
	lo.And(&v, new(big.Int).SetUint64(math.MaxUint64))
	v.Rsh(&v, 64)
	return [2]uint64{lo.Uint64(), v.Uint64()}
}
