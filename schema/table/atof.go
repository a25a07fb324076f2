package table

import (
	"encoding/binary"
	"math"
	"math/big"
	"math/bits"
	"strconv"
	"unsafe"
)

// pow10 holds the powers of ten that float64 represents exactly.
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// parseFloat is strconv.ParseFloat(b, 64) with a fast path for the plain
// decimals of CSV files, [-+]digits[.digits][(e|E)[-+]digits] with at most
// 19 significant digits (an integer m) and a decimal exponent k: when
// m ≤ 2^53 and |k| ≤ 22, m and 10^|k| are exact float64s and one IEEE
// multiplication or division rounds m·10^k correctly (Clinger 1990); else,
// for |k| ≤ 60, Eisel and Lemire's algorithm (as in Go's strconv, with its
// table of 128-bit powers of ten built at init) rounds it correctly or
// gives up. ParseFloat's own digit loop was half of reading a numeric CSV.
// Everything the fast path does not take (more digits, hex, inf, nan,
// underscores, errors, a halfway case) goes to ParseFloat; a test checks
// the two agree bit for bit.
func parseFloat(b []byte) (float64, error) {
	if f, ok := fastFloat(b); ok {
		return f, nil
	}
	return strconv.ParseFloat(unsafe.String(unsafe.SliceData(b), len(b)), 64)
}

func fastFloat(b []byte) (float64, bool) {
	i, neg := 0, false
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		neg = b[0] == '-'
		i++
	}
	lead := i
	for i < len(b) && b[i] == '0' {
		i++
	}
	var m uint64
	nd, exp := 0, 0 // significant digits in m; decimal exponent
	j := i
	m, nd, i = digits(b, i, m, nd)
	if nd > 19 {
		return 0, false
	}
	sawDigit := i > lead
	if i < len(b) && b[i] == '.' {
		i++
		if nd == 0 { // 0.000…: zeros before the first significant digit
			z := i
			for i < len(b) && b[i] == '0' {
				i++
			}
			exp -= i - z
			sawDigit = sawDigit || i > z
		}
		j = i
		m, nd, i = digits(b, i, m, nd)
		if nd > 19 {
			return 0, false
		}
		exp -= i - j
		sawDigit = sawDigit || i > j
	}
	if !sawDigit {
		return 0, false
	}
	if i < len(b) {
		if b[i] != 'e' && b[i] != 'E' {
			return 0, false
		}
		i++
		eneg := false
		if i < len(b) && (b[i] == '-' || b[i] == '+') {
			eneg = b[i] == '-'
			i++
		}
		if i == len(b) {
			return 0, false
		}
		e := 0
		for ; i < len(b); i++ {
			c := b[i]
			if c < '0' || c > '9' || e > 1000 {
				return 0, false
			}
			e = e*10 + int(c-'0')
		}
		if eneg {
			e = -e
		}
		exp += e
	}
	if m > 1<<53 || exp > 22 || exp < -22 {
		return eiselLemire64(m, exp, neg)
	}
	f := float64(m)
	switch {
	case m == 0:
	case exp == 0:
	case exp > 0 && exp <= 22:
		f *= pow10[exp]
	case exp < 0 && exp >= -22:
		f /= pow10[-exp]
	default:
		return 0, false
	}
	if neg {
		f = -f
	}
	return f, true
}

// digits appends the decimal digits of b from i to m (nd of them so far),
// eight at a time where it can (the SWAR steps of Lemire's "Parsing
// series of integers with SIMD"); it stops at the first non-digit, or
// returns nd > 19 when m would overflow.
func digits(b []byte, i int, m uint64, nd int) (uint64, int, int) {
	for len(b)-i >= 8 && nd <= 11 {
		v := binary.LittleEndian.Uint64(b[i:])
		if (v&0xF0F0F0F0F0F0F0F0)|(((v+0x0606060606060606)&0xF0F0F0F0F0F0F0F0)>>4) != 0x3333333333333333 {
			break
		}
		v = (v & 0x0F0F0F0F0F0F0F0F) * 2561 >> 8
		v = (v & 0x00FF00FF00FF00FF) * 6553601 >> 16
		v = (v & 0x0000FFFF0000FFFF) * 42949672960001 >> 32
		m = m*100000000 + v
		nd += 8
		i += 8
	}
	for ; i < len(b); i++ {
		c := b[i] - '0'
		if c > 9 {
			break
		}
		if nd == 19 {
			return m, 20, i
		}
		m = m*10 + uint64(c)
		nd++
	}
	return m, nd, i
}

// powers of ten 10^q, q in [minPow10, maxPow10], as 128-bit mantissas
// (hi word's top bit set), rounded down: Go's detailedPowersOfTen on a
// smaller range.
const minPow10, maxPow10 = -60, 60

var pow10x128 = func() (t [maxPow10 - minPow10 + 1][2]uint64) {
	for q := minPow10; q <= maxPow10; q++ {
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
		t[q-minPow10] = [2]uint64{lo.Uint64(), v.Uint64()}
	}
	return t
}()

// eiselLemire64 is Go's strconv.eiselLemire64 (BSD licence) on the table
// above: man·10^exp10 correctly rounded, or false when it cannot tell.
func eiselLemire64(man uint64, exp10 int, neg bool) (float64, bool) {
	if man == 0 {
		if neg {
			return math.Copysign(0, -1), true
		}
		return 0, true
	}
	if exp10 < minPow10 || exp10 > maxPow10 {
		return 0, false
	}
	p := pow10x128[exp10-minPow10]
	clz := bits.LeadingZeros64(man)
	man <<= uint(clz)
	const bias = 1023
	retExp2 := uint64(217706*exp10>>16+64+bias) - uint64(clz)
	xHi, xLo := bits.Mul64(man, p[1])
	if xHi&0x1FF == 0x1FF && xLo+man < man {
		yHi, yLo := bits.Mul64(man, p[0])
		mergedHi, mergedLo := xHi, xLo+yHi
		if mergedLo < xLo {
			mergedHi++
		}
		if mergedHi&0x1FF == 0x1FF && mergedLo+1 == 0 && yLo+man < man {
			return 0, false
		}
		xHi, xLo = mergedHi, mergedLo
	}
	msb := xHi >> 63
	retMantissa := xHi >> (msb + 9)
	retExp2 -= 1 ^ msb
	if xLo == 0 && xHi&0x1FF == 0 && retMantissa&3 == 1 {
		return 0, false
	}
	retMantissa += retMantissa & 1
	retMantissa >>= 1
	if retMantissa>>53 > 0 {
		retMantissa >>= 1
		retExp2++
	}
	if retExp2-1 >= 0x7FF-1 {
		return 0, false
	}
	b := retExp2<<52 | retMantissa&(1<<52-1)
	if neg {
		b |= 1 << 63
	}
	return math.Float64frombits(b), true
}
