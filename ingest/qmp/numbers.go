package qmp

import (
	"math/bits"
	"slices"
	"strings"
)

// Scale reads a plain decimal number (digits, an optional fraction, no sign
// or exponent) and multiplies it by mul exactly, rounding the product half
// to even to an integer: Scale("786.609", 1<<20) is 824819319 (the exact
// product is 824819318.784). ok is false for anything else, and when the
// result overflows int64.
func Scale(s []byte, mul uint64) (v int64, ok bool) { return ScaleDiv(s, mul, 1) }

// ScaleDiv is Scale of s·mul/div (div ≤ 10^6), rounded half to even.
func ScaleDiv(s []byte, mul, div uint64) (v int64, ok bool) {
	if len(s) == 0 || mul == 0 {
		return 0, false
	}
	var num, den uint64 = 0, div
	dot := false
	for _, c := range s {
		switch {
		case c == '.' && !dot:
			dot = true
			continue
		case c < '0' || c > '9':
			return 0, false
		}
		hi, lo := bits.Mul64(num, 10)
		if hi != 0 || lo > lo+uint64(c-'0') {
			return 0, false
		}
		num = lo + uint64(c-'0')
		if dot {
			if den > 1e12 {
				return 0, false
			}
			den *= 10
		}
	}
	if s[0] == '.' || s[len(s)-1] == '.' {
		return 0, false
	}
	hi, lo := bits.Mul64(num, mul)
	if hi >= den {
		return 0, false
	}
	q, r := bits.Div64(hi, lo, den)
	// round half to even: compare 2r with den without overflow
	if r > den-r || (r == den-r && q&1 == 1) {
		q++
	}
	if q > 1<<63-1 {
		return 0, false
	}
	return int64(q), true
}

// ParseInt reads a plain non-negative decimal integer; ok is false for
// anything else (signs, spaces, fractions, overflow).
func ParseInt(s []byte) (int64, bool) {
	if len(s) == 0 || len(s) > 19 {
		return 0, false
	}
	var v int64
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	if v < 0 {
		return 0, false
	}
	return v, true
}

// NameSets interns the other_fields values of a file's rows: rows with the
// same set of names share one string (up to 4096 distinct sets).
type NameSets map[string]*string

// Join sorts and de-duplicates names in place and returns them joined with
// commas, the string shared with the earlier rows of the same set.
func (m NameSets) Join(names []string) *string {
	slices.Sort(names)
	names = slices.Compact(names)
	key := strings.Join(names, ",")
	if s, ok := m[key]; ok {
		return s
	}
	s := &key
	if len(m) < 4096 {
		m[key] = s
	}
	return s
}
