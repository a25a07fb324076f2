package replay

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ErrUnit is returned (wrapped) by the unit parsers for a malformed or
// unknown unit.
var ErrUnit = errors.New("bad quantity")

var sizeUnits = map[string]float64{
	"": 1, "b": 1, "byte": 1, "bytes": 1,
	"k": 1e3, "kb": 1e3, "m": 1e6, "mb": 1e6, "g": 1e9, "gb": 1e9, "t": 1e12, "tb": 1e12,
	"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40,
	"ki": 1 << 10, "mi": 1 << 20, "gi": 1 << 30, "ti": 1 << 40,
}

// ParseSize parses a byte count such as "8GiB", "4KiB", "512MB", "1500B" or
// "4096". Binary prefixes (KiB, MiB, GiB, TiB) are powers of 1024, decimal
// ones (kB, MB, GB, TB) powers of 1000; case does not matter.
func ParseSize(s string) (int64, error) {
	v, unit, err := splitNumber(s)
	if err != nil {
		return 0, err
	}
	m, ok := sizeUnits[strings.ToLower(unit)]
	if !ok {
		return 0, fmt.Errorf("%w: %q: unknown size unit %q (use B, KiB, MiB, GiB, kB, MB, GB)", ErrUnit, s, unit)
	}
	x := v * m
	if x < 0 || x > math.MaxInt64/2 {
		return 0, fmt.Errorf("%w: %q out of range", ErrUnit, s)
	}
	return int64(math.Round(x)), nil
}

// ParseRate parses a data rate and returns it in bytes per second. The case
// of b/B matters: b is bits, B bytes. Bit units take decimal prefixes, as link
// rates do ("1Gbit/s", "1Gb/s", "100Mbps", "650Mbit/s"); byte units take
// decimal ("125MB/s", "1GB/s") or binary ("128MiB/s") prefixes. "/s" or "ps"
// may follow; a bare number is bytes/s.
func ParseRate(s string) (float64, error) {
	v, unit, err := splitNumber(s)
	if err != nil {
		return 0, err
	}
	bad := fmt.Errorf("%w: %q: unknown rate unit (use e.g. 1Gbit/s, 100Mbps, 128MiB/s, 125MB/s)", ErrUnit, s)
	u := unit
	switch {
	case strings.HasSuffix(u, "/s"):
		u = strings.TrimSuffix(u, "/s")
	case strings.HasSuffix(u, "ps"):
		u = strings.TrimSuffix(u, "ps")
	}
	if u == "" {
		return v, nil
	}
	prefix, binary := 1.0, false
	if len(u) > 1 {
		switch u[0] {
		case 'k', 'K':
			prefix = 1e3
		case 'm', 'M':
			prefix = 1e6
		case 'g', 'G':
			prefix = 1e9
		case 't', 'T':
			prefix = 1e12
		}
		if prefix != 1 {
			u = u[1:]
			if strings.HasPrefix(u, "i") {
				binary, u = true, u[1:]
				prefix = map[float64]float64{1e3: 1 << 10, 1e6: 1 << 20, 1e9: 1 << 30, 1e12: 1 << 40}[prefix]
			}
		}
	}
	switch u {
	case "b", "bit", "bits":
		if binary {
			return 0, bad
		}
		return v * prefix / 8, nil
	case "B", "byte", "bytes", "Byte", "Bytes":
		return v * prefix, nil
	}
	return 0, bad
}

func splitNumber(s string) (float64, string, error) {
	t := strings.TrimSpace(s)
	i := 0
	for i < len(t) && (t[i] >= '0' && t[i] <= '9' || t[i] == '.' || t[i] == '-' || t[i] == '+' || t[i] == 'e' && i > 0 && i+1 < len(t) && (t[i+1] >= '0' && t[i+1] <= '9' || t[i+1] == '-')) {
		i++
	}
	if i == 0 {
		return 0, "", fmt.Errorf("%w: %q: no number", ErrUnit, s)
	}
	v, err := strconv.ParseFloat(t[:i], 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, "", fmt.Errorf("%w: %q: bad number", ErrUnit, s)
	}
	if v < 0 {
		return 0, "", fmt.Errorf("%w: %q: negative", ErrUnit, s)
	}
	return v, strings.TrimSpace(t[i:]), nil
}

// FormatBytes renders n bytes with a binary prefix ("8.00 GiB").
func FormatBytes(n float64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB"}
	i := 0
	for math.Abs(n) >= 1024 && i < len(units)-1 {
		n /= 1024
		i++
	}
	if i == 0 {
		return fmt.Sprintf("%.0f B", n)
	}
	return fmt.Sprintf("%.2f %s", n, units[i])
}
