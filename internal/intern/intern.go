// Package intern shares the Go strings of byte strings that repeat (host,
// domain and device names, JSON keys), so that a parser or a column reader
// allocates each distinct value once instead of once per occurrence.
package intern

// Pool maps byte strings to shared strings. It holds at most Max entries
// (DefaultMax when zero; values past that are still returned, just not
// kept), so input of unique strings cannot grow it without bound. The zero
// value is ready to use.
type Pool struct {
	Max int
	m   map[string]string
}

// DefaultMax is the number of entries a Pool with Max 0 keeps.
const DefaultMax = 1 << 14

// String returns b as a string, the same one every time b's bytes recur.
func (p *Pool) String(b []byte) string {
	if v, ok := p.m[string(b)]; ok { // no allocation for the lookup
		return v
	}
	v := string(b)
	if p.m == nil {
		p.m = make(map[string]string)
	}
	max := p.Max
	if max == 0 {
		max = DefaultMax
	}
	if len(p.m) < max {
		p.m[v] = v
	}
	return v
}
