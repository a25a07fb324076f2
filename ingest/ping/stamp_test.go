package ping

import (
	"testing"
	"time"
)

// parseStamp reads iputils' -D prefix, "[%lu.%06lu] " in ping_common.c
// (seconds and microseconds since 1970); other digit counts are read as a
// decimal fraction of a second, truncated to nanoseconds. The seconds and
// the fraction are read eight digits at a time (decimal.Digits): the
// cases cover runs shorter and longer than eight.
func TestParseStamp(t *testing.T) {
	for _, c := range []struct {
		in   string
		sec  int64
		nsec int64
		end  int
		ok   bool
	}{
		{"[1795305201.448244] 64", 1795305201, 448244000, 20, true},
		{"[1.5] x", 1, 500000000, 6, true},
		{"[1795305201] x", 1795305201, 0, 13, true},
		{"[1795305201.123456789] x", 1795305201, 123456789, 23, true},
		{"[1795305201.1234567891234] x", 1795305201, 123456789, 27, true},
		{"[253402300799.999999] x", 253402300799, 999999000, 22, true},
		{"[253402300800.0] x", 0, 0, 13, false},        // after year 9999
		{"[1234567890123456789.0] x", 0, 0, 20, false}, // 19 digits
		{"[1795305201.] x", 0, 0, 12, false},
		{"[1795305201.448244]x", 0, 0, 18, false},
		{"[1795305201.448244]", 0, 0, 18, false},
		{"[.5] x", 0, 0, 1, false},
	} {
		got, end, ok := parseStamp([]byte(c.in))
		if ok != c.ok || end != c.end || ok && !got.Equal(time.Unix(c.sec, c.nsec)) {
			t.Errorf("parseStamp(%q) = %v %d %v, want %v %d %v", c.in, got, end, ok, time.Unix(c.sec, c.nsec).UTC(), c.end, c.ok)
		}
	}
}
