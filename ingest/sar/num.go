package sar

import (
	"errors"
	"fmt"
	"math"

	"github.com/migreplay/migreplay/ingest/parse"
	"github.com/migreplay/migreplay/internal/decimal"
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

// Float parses b, a decimal with either mark (decimal.ParseMark: exact,
// an optional sign and exponent; NaN, infinities, hexadecimal and digit
// underscores are not numbers), and checks its mark against the file's.
func (d *Decimal) Float(b []byte) (float64, error) {
	v, mark, ok := decimal.ParseMark(b)
	if !ok {
		return 0, fmt.Errorf("%w: %q is not a number", parse.ErrSyntax, parse.Raw(b))
	}
	if mark != d.Mark && mark != 0 {
		if err := d.see(mark); err != nil {
			return 0, err
		}
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

// Int parses an integer column's value, an optional sign and digits
// (decimal.Uint); it must have no fraction. The result is returned as a
// float64 holding the exact integer: beyond 2^53, where a float64 no longer
// holds every integer, it is an error.
func (d *Decimal) Int(b []byte) (float64, error) {
	u := b
	if len(u) > 0 && (u[0] == '-' || u[0] == '+') {
		u = u[1:]
	}
	m, ok := decimal.Uint(u)
	if !ok || m > 1<<53 {
		return 0, fmt.Errorf("%w: %q is not an integer", parse.ErrSyntax, parse.Raw(b))
	}
	if b[0] == '-' {
		return float64(-int64(m)), nil // "-0" is 0, as an integer
	}
	return float64(m), nil
}

// arena hands out pointers for nullable fields from chunks it never
// rewrites, so a row's pointers stay valid after the row struct is reused,
// at one allocation per chunk instead of one per field; with Sink.Reuse,
// Sink.Reset rewinds it and the chunk is rewritten.
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
		v = 0 // unreachable: Int accepts at most 2^53
	}
	a.i = append(a.i, int64(v))
	return &a.i[len(a.i)-1]
}
