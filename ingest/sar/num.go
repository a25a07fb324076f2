package sar

import (
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/migreplay/migreplay/ingest/parse"
)

// Decimal reads the numbers of one input and tracks its decimal mark.
//
// sysstat formats numbers with the locale's decimal mark and no digit
// grouping: "2.54" in C/en_US, "2,54" in de_DE/fr_FR. Neither mark can
// appear in the other locale's numbers, so the first fractional number
// fixes the mark and a number with the other mark later is an error
// (ErrLocale), never a silent misread.
type Decimal struct {
	Mark byte // '.' or ','; 0 until a fractional number has been read
}

var errMixedMarks = errors.New("mixed decimal marks")

// pow10 holds the exactly representable powers of ten.
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// Float parses b. Plain decimals ("-12.34", at most 19 digits) take a fast
// path: the digits as an integer m < 2^53 divided by 10^k with k ≤ 22 is one
// correctly rounded IEEE operation on exact operands, so the result equals
// strconv.ParseFloat's. Anything else goes to strconv.ParseFloat.
func (d *Decimal) Float(b []byte) (float64, error) {
	i, neg := 0, false
	if len(b) > 0 && b[0] == '-' {
		neg, i = true, 1
	}
	var m uint64
	start := i
	for i < len(b) && b[i]-'0' < 10 {
		m = m*10 + uint64(b[i]-'0')
		i++
	}
	digits, frac := i-start, 0
	if i < len(b) && (b[i] == '.' || b[i] == ',') {
		mark := b[i]
		i++
		fs := i
		for i < len(b) && b[i]-'0' < 10 {
			m = m*10 + uint64(b[i]-'0')
			i++
		}
		frac = i - fs
		if frac == 0 {
			return d.slow(b)
		}
		if mark != d.Mark {
			if err := d.see(mark); err != nil {
				return 0, err
			}
		}
	}
	digits += frac
	if i != len(b) || digits == 0 || digits > 19 || m > 1<<53 || frac >= len(pow10) {
		return d.slow(b)
	}
	v := float64(m)
	if frac > 0 {
		v /= pow10[frac]
	}
	if neg {
		v = -v
	}
	return v, nil
}

func (d *Decimal) see(mark byte) error {
	if d.Mark == 0 {
		d.Mark = mark
		return nil
	}
	if d.Mark != mark {
		return fmt.Errorf("%w: %w: %q after %q earlier in the file; rerun sar/sadf with LC_ALL=C",
			parse.ErrLocale, errMixedMarks, mark, d.Mark)
	}
	return nil
}

// slow handles exponents, nan/inf and long numbers with strconv, after
// mapping a decimal comma to a point.
func (d *Decimal) slow(b []byte) (float64, error) {
	var buf [64]byte
	if len(b) == 0 || len(b) > len(buf) {
		return 0, fmt.Errorf("%w: %q is not a number", parse.ErrSyntax, parse.Raw(b))
	}
	s := buf[:len(b)]
	copy(s, b)
	for i, c := range s {
		if c == '.' || c == ',' {
			if err := d.see(c); err != nil {
				return 0, err
			}
			s[i] = '.'
		}
	}
	v, err := strconv.ParseFloat(string(s), 64)
	if err != nil {
		return 0, fmt.Errorf("%w: %q is not a number", parse.ErrSyntax, parse.Raw(b))
	}
	return v, nil
}

// Human reads a value sar -h/--human printed with a unit suffix, in the
// unit of its column (see ColUnit): "82.9%" in a percentage column is 82.9;
// a size suffix B, k, M, G, T, P counts bytes in powers of 1024 (sysstat's
// cprintf_unit divides by 1024 until the value is below 1024: kbbuffers
// 260172 prints as 254.1M), so "254.1M" in a KiB column is 254.1·1024 =
// 260198.4 and "25.7B" is 25.7/1024. sar rounds these to one decimal
// itself: the value stored is what the text says (254.1M, not the 260172
// the plain report prints); integer columns get it rounded to the nearest
// unit. A suffix the column's unit cannot take is an error.
func (d *Decimal) Human(b []byte, unit Unit, isInt bool) (float64, error) {
	if len(b) < 2 {
		return 0, fmt.Errorf("%w: %q is not a number", parse.ErrSyntax, parse.Raw(b))
	}
	exp := 0 // power of 1024 of the suffix, in bytes
	switch b[len(b)-1] {
	case '%':
		if unit != UnitPct {
			return 0, fmt.Errorf("%w: %q has a %% sign in a column that is not a percentage", parse.ErrSyntax, parse.Raw(b))
		}
		return d.Float(b[:len(b)-1])
	case 'B':
	case 'k':
		exp = 1
	case 'M':
		exp = 2
	case 'G':
		exp = 3
	case 'T':
		exp = 4
	case 'P':
		exp = 5
	default:
		return 0, fmt.Errorf("%w: %q is not a number", parse.ErrSyntax, parse.Raw(b))
	}
	switch unit {
	case UnitKB:
		exp--
	case UnitMB:
		exp -= 2
	default:
		return 0, fmt.Errorf("%w: %q has a size suffix (sar -h) in a column that is not a size in kB or MB", parse.ErrSyntax, parse.Raw(b))
	}
	v, err := d.Float(b[:len(b)-1])
	if err != nil {
		return 0, err
	}
	v *= math.Pow(1024, float64(exp)) // exact: a power of two
	if isInt {
		v = math.Round(v)
	}
	return v, nil
}

// hasSuffix reports whether b ends in a sar -h unit suffix after a digit.
func hasSuffix(b []byte) bool {
	n := len(b)
	return n >= 2 && b[n-2]-'0' < 10 && isUnitSuffix(b[n-1])
}

// isUnitSuffix reports whether c is one of sar -h's suffixes: % B k M G T P.
func isUnitSuffix(c byte) bool {
	switch c {
	case '%', 'B', 'k', 'M', 'G', 'T', 'P':
		return true
	}
	return false
}

// Int parses an integer column's value; it must have no fraction.
// The result is returned as a float64 holding the exact integer (|v| < 2^53).
func (d *Decimal) Int(b []byte) (float64, error) {
	i, neg := 0, false
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		neg = b[0] == '-'
		i = 1
	}
	if i == len(b) || len(b)-i > 16 {
		return 0, fmt.Errorf("%w: %q is not an integer", parse.ErrSyntax, parse.Raw(b))
	}
	var m int64
	for ; i < len(b); i++ {
		c := b[i]
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("%w: %q is not an integer", parse.ErrSyntax, parse.Raw(b))
		}
		m = m*10 + int64(c-'0')
	}
	if neg {
		m = -m
	}
	return float64(m), nil
}

// arena hands out pointers for nullable fields from chunks it never
// rewrites, so a row's pointers stay valid after the row struct is reused,
// at one allocation per chunk instead of one per field.
type arena struct {
	f []float64
	i []int64
}

const arenaChunk = 1024

func (a *arena) F(v float64) *float64 {
	if len(a.f) == cap(a.f) {
		a.f = make([]float64, 0, arenaChunk)
	}
	a.f = append(a.f, v)
	return &a.f[len(a.f)-1]
}

func (a *arena) I(v float64) *int64 {
	if len(a.i) == cap(a.i) {
		a.i = make([]int64, 0, arenaChunk)
	}
	if v > math.MaxInt64 || v < math.MinInt64 {
		v = 0 // unreachable: Int accepts at most 16 digits
	}
	a.i = append(a.i, int64(v))
	return &a.i[len(a.i)-1]
}
