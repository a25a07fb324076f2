// Package decimal reads the decimal numbers traces and CSV files print,
// exactly: every float it returns is the one strconv.ParseFloat returns
// for the same digits, bit for bit (a fuzz test checks it), without
// converting the bytes to a string on the common path.
//
// The form is the decimal one only: an optional sign, digits with an
// optional point ("1", "1.", ".5", "-0.028"), then an optional exponent
// ("1e5", "2.5E-3"). NaN, infinities, hexadecimal floats and digit
// underscores, which ParseFloat also takes, are not numbers here: no tool
// whose output migreplay reads prints them.
//
// Entry points: Parse and ParseMark read a whole token (ParseMark also
// takes sysstat's decimal comma), Scan reads a number at the start of
// text and says where it ends, Exact turns digits a hot loop has already
// read into their float, and Digits, Uint and ScanUint read unsigned
// integers.
//
// The float path: a significand of at most 19 digits m and a power of ten
// k give m·10^k in one correctly rounded IEEE operation when m ≤ 2^53 and
// |k| ≤ 22 (both operands exact: Clinger 1990); else Eisel and Lemire's
// algorithm (as in Go's strconv) rounds it correctly or gives up; what
// neither takes (more than 19 digits, a halfway case, |k| > 60) goes to
// strconv.ParseFloat.
package decimal

import (
	"encoding/binary"
	"math"
	"math/bits"
	"strconv"
)

// pow10 holds the powers of ten that float64 represents exactly.
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// pow10u holds the powers of ten below 2^64.
var pow10u = [...]uint64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19}

// Exact returns m/10^frac, the float64 nearest to it, when m ≤ 2^53 and
// 0 ≤ frac ≤ 22: both operands are exact and one division rounds, so it is
// what strconv.ParseFloat returns for the digits of m with frac of them
// after the point. ok is false outside that range. It inlines: hot loops
// that read digits themselves finish with it.
func Exact(m uint64, frac int) (v float64, ok bool) {
	if frac < 0 {
		return 0, false
	}
	return clinger(m, -frac, false)
}

// clinger is m·10^exp, negated when neg, when m ≤ 2^53 and |exp| ≤ 22: one
// correctly rounded operation on exact operands (Clinger 1990).
func clinger(m uint64, exp int, neg bool) (float64, bool) {
	if m > 1<<53 || exp < -22 || exp > 22 {
		return 0, false
	}
	f := float64(m)
	if exp < 0 {
		f /= pow10[-exp]
	} else {
		f *= pow10[exp]
	}
	if neg {
		f = -f
	}
	return f, true
}

// Parse returns the value of the decimal number b (see the package
// comment for the form), as strconv.ParseFloat(string(b), 64) does. ok is
// false when b is not a decimal number, or one out of float64's range
// (1e400; ParseFloat's ErrRange).
func Parse(b []byte) (v float64, ok bool) {
	v, _, ok = parse(b, false)
	return v, ok
}

// ParseMark is Parse where the point may also be a decimal comma, as
// sysstat prints numbers in de_DE or fr_FR ("2,54"). mark is the point b
// held, '.' or ',', or 0 when it had none; the caller decides whether it
// agrees with the rest of the file's numbers.
func ParseMark(b []byte) (v float64, mark byte, ok bool) {
	return parse(b, true)
}

// Scan reads an unsigned decimal without exponent, digits with an
// optional point and fraction ("123", "0.028"), at b[i:] and returns its
// value and the index after it; the bytes after it are the caller's. ok is
// false when b[i] is not a digit, a point is not followed by a digit, or
// the value is out of float64's range.
func Scan(b []byte, i int) (v float64, end int, ok bool) {
	m, nd, nf, mark, end := Plain(b, i, false)
	if nd == nf || mark != 0 && nf == 0 {
		return 0, end, false
	}
	if nd <= 15 {
		// m < 10^15 < 2^53 and nf ≤ 15: clinger's exact case, without
		// number's calls (a ping reply's time= goes here)
		return float64(m) / pow10[nf], end, true
	}
	// the number is b[i:end]: number reads it from its start
	v, ok = number(b[i:end], 0, m, nd, -nf, false, 0)
	return v, end, ok
}

// Plain reads digits with an optional point and fraction at b[i:]
// ("1048564", "0.8", "5.", ".5"), no sign, no exponent, as one integer m
// of nd digits, nf of them after the point, and returns the point it read
// (mark: '.', or ',' too when comma is set, as sysstat prints in de_DE; 0
// without one) and the index after them. m is exact when nd ≤ 19, and
// Exact(m, nf) is then the number's value when one division gives it.
func Plain(b []byte, i int, comma bool) (m uint64, nd, nf int, mark byte, end int) {
	m, end = Run(b, i, 0)
	nd = end - i
	if end < len(b) && (b[end] == '.' || comma && b[end] == ',') {
		mark = b[end]
		fs := end + 1
		m, end = Run(b, fs, m)
		nf = end - fs
		nd += nf
	}
	return
}

// Run appends the decimal digits at b[i:] to m (m·10 + digit, each) and
// returns it with the index of the first byte that is not a digit; m stays
// exact while it has at most 19 digits. A byte at a time and small enough
// to inline, for the short runs of a number's parts (a hot loop reads the
// integer part of a token, then its fraction); Digits reads long runs
// eight bytes at a time.
func Run(b []byte, i int, m uint64) (uint64, int) {
	for i < len(b) {
		d := b[i] - '0'
		if d > 9 {
			break
		}
		m = m*10 + uint64(d)
		i++
	}
	return m, i
}

// parse reads a whole token: [sign] digits [point digits] [exponent].
func parse(b []byte, comma bool) (float64, byte, bool) {
	i, neg := 0, false
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		neg, i = b[0] == '-', 1
	}
	m, nd, nf, mark, end := Plain(b, i, comma)
	if nd == 0 {
		return 0, 0, false
	}
	exp := -nf
	if end < len(b) {
		e, ok := exponent(b[end:])
		if !ok {
			return 0, 0, false
		}
		exp += e
	}
	if nd <= 19 {
		if v, ok := clinger(m, exp, neg); ok {
			return v, mark, true
		}
	}
	v, ok := number(b, i, m, nd, exp, neg, mark)
	return v, mark, ok
}

// exponent reads b, "e" or "E", an optional sign and digits, to its end.
func exponent(b []byte) (int, bool) {
	if len(b) < 2 || b[0] != 'e' && b[0] != 'E' {
		return 0, false
	}
	i, neg := 1, false
	if b[1] == '-' || b[1] == '+' {
		neg, i = b[1] == '-', 2
	}
	if i == len(b) {
		return 0, false
	}
	e := 0
	for ; i < len(b); i++ {
		if b[i]-'0' > 9 {
			return 0, false
		}
		if e < 1e6 { // beyond, the value is 0 or out of range: strconv says which
			e = e*10 + int(b[i]-'0')
		}
	}
	if neg {
		e = -e
	}
	return e, true
}

// number is the value of a decimal already read: m, its nd digits (exact
// when nd ≤ 19) times 10^exp, negated when neg; b is its text, the digits
// starting at b[i] with point mark, for when the fast paths cannot tell.
func number(b []byte, i int, m uint64, nd, exp int, neg bool, mark byte) (float64, bool) {
	if nd > 19 { // leading zeros may leave 19 significant digits or fewer
		m, nd = significand(b, i, mark == ',')
	}
	if nd <= 19 {
		if f, ok := clinger(m, exp, neg); ok {
			return f, true
		}
		if f, ok := eiselLemire64(m, exp, neg); ok {
			return f, true
		}
	}
	return slow(b, mark)
}

// significand reads digits [point [digits]] at b[i:], the point being '.',
// or ',' too when comma is set, and returns the number of its significant
// digits (leading zeros dropped, before the point or after it) and, when
// there are at most 19, their value m: the decimal is m·10^−(digits after
// the point).
func significand(b []byte, i int, comma bool) (m uint64, nd int) {
	for i < len(b) && b[i] == '0' {
		i++
	}
	m, j := Digits(b, i)
	nd = j - i
	i = j
	if i < len(b) && (b[i] == '.' || comma && b[i] == ',') {
		i++
		if nd == 0 { // 0.000…: zeros before the first significant digit
			for i < len(b) && b[i] == '0' {
				i++
			}
		}
		f, j := Digits(b, i)
		if n := j - i; nd+n <= 19 {
			m = m*pow10u[n] + f
		}
		nd += j - i
	}
	return m, nd
}

// slow is strconv.ParseFloat on b, a decimal in the form above whose
// point is mark; a range error is not a number.
func slow(b []byte, mark byte) (float64, bool) {
	s := string(b)
	if mark == ',' {
		c := []byte(s)
		for i, x := range c {
			if x == ',' {
				c[i] = '.'
			}
		}
		s = string(c)
	}
	v, err := strconv.ParseFloat(s, 64)
	return v, err == nil
}

// Digits reads the decimal digits at b[i:] and returns their value and the
// index of the first byte that is not one. The value is exact when there
// are fewer than 20 digits (else it has wrapped). Eight bytes at a time: a
// byte is a digit when neither b-'0' nor b+0x46 sets its top bit (ASCII
// only); the digits are then combined in three multiplications (the
// simdjson "eight digits" method), after shifting a shorter run to the top
// so the missing leading digits read as zeros.
func Digits(b []byte, i int) (uint64, int) {
	var n uint64
	for i+8 <= len(b) {
		v := binary.LittleEndian.Uint64(b[i:])
		a := v - 0x3030303030303030
		nd := (a | (v + 0x4646464646464646) | v) & 0x8080808080808080
		if nd == 0 {
			n = n*1e8 + eightDigits(a)
			i += 8
			continue
		}
		if k := bits.TrailingZeros64(nd) >> 3; k > 0 {
			n = n*pow10u[k] + eightDigits(a<<(64-8*k))
			i += k
		}
		return n, i
	}
	return Run(b, i, n)
}

// eightDigits combines 8 digit values (0–9, the most significant in the
// lowest byte) into their number.
func eightDigits(a uint64) uint64 {
	a = (a * 10) + (a >> 8)
	a = ((a & 0x000000FF000000FF) * (100 + (1000000 << 32))) + (((a >> 16) & 0x000000FF000000FF) * (1 + (10000 << 32)))
	return a >> 32
}

// ScanUint reads the unsigned decimal at b[i:] and returns its value and
// the index of the first byte after its digits. ok is false when there is
// no digit, or the value does not fit in 64 bits.
func ScanUint(b []byte, i int) (v uint64, end int, ok bool) {
	v, end = Digits(b, i)
	if end-i < 20 {
		return v, end, end > i
	}
	v, ok = Uint(b[i:end]) // 20 digits or more: v may have wrapped
	return v, end, ok
}

// Uint parses b, decimal digits only, as strconv.ParseUint(string(b), 10,
// 64) does: ok is false for anything else or a value of 2^64 or more.
func Uint(b []byte) (uint64, bool) {
	for len(b) > 20 && b[0] == '0' {
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 20 {
		return 0, false
	}
	var n uint64
	if len(b) < 20 { // at most 19 digits: below 2^64
		n, j := Digits(b, 0)
		return n, j == len(b)
	}
	for _, c := range b {
		d := c - '0'
		if d > 9 {
			return 0, false
		}
		hi, lo := bits.Mul64(n, 10)
		if hi != 0 {
			return 0, false
		}
		n = lo + uint64(d)
		if n < lo {
			return 0, false
		}
	}
	return n, true
}

// powers of ten 10^q, q in [minPow10, maxPow10], as 128-bit mantissas
// (hi word's top bit set), rounded down: Go's detailedPowersOfTen on a
// smaller range, computed at init.
const minPow10, maxPow10 = -60, 60

var pow10x128 = func() (t [maxPow10 - minPow10 + 1][2]uint64) {
	for q := minPow10; q <= maxPow10; q++ {
		t[q-minPow10] = pow10Mantissa(q)
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
