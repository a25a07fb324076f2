package replay

import (
	"errors"
	"testing"
)

// Expected values are hand calculations from the unit definitions
// (binary prefixes 2^10, decimal 10^3; 8 bits per byte).
func TestParseSize(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int64
	}{
		{"8GiB", 8 << 30}, {"4KiB", 4096}, {"4096", 4096}, {"512MB", 512e6}, {"1500B", 1500},
		{"1.5GiB", 3 << 29}, {"2 mib", 2 << 20}, {"1TiB", 1 << 40},
	} {
		got, err := ParseSize(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "GiB", "8 parsecs", "-1GiB", "1e400"} {
		if _, err := ParseSize(bad); !errors.Is(err, ErrUnit) {
			t.Errorf("ParseSize(%q) error = %v, want ErrUnit", bad, err)
		}
	}
}

func TestParseRate(t *testing.T) {
	for _, c := range []struct {
		in   string
		want float64 // bytes/s
	}{
		{"1Gbit/s", 125e6}, {"1Gb/s", 125e6}, {"100Mbps", 12.5e6}, {"650Mbit/s", 81.25e6},
		{"128MiB/s", 128 << 20}, {"125MB/s", 125e6}, {"1GB/s", 1e9}, {"10Gbit", 1.25e9},
		{"1000", 1000}, {"8bit/s", 1}, {"1KiB/s", 1024},
	} {
		got, err := ParseRate(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseRate(%q) = %g, %v; want %g", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"fast", "1Gibit/s", "1Gfoo", "1 furlong/s"} {
		if _, err := ParseRate(bad); !errors.Is(err, ErrUnit) {
			t.Errorf("ParseRate(%q) error = %v, want ErrUnit", bad, err)
		}
	}
}
