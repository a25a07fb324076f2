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
	// recent holds short strings by a hash of their bytes, so that names
	// that alternate (the hosts of a merged sadf -d export, row by row)
	// are found without the map's hashing and probing.
	recent [64]string
}

// maxRecent is the longest string recent holds.
const maxRecent = 32

// DefaultMax is the number of entries a Pool with Max 0 keeps.
const DefaultMax = 1 << 14

// String returns b as a string, the same one every time b's bytes recur.
func (p *Pool) String(b []byte) string {
	slot := -1
	if len(b) <= maxRecent {
		h := uint32(len(b))
		for _, c := range b {
			h = h*31 + uint32(c)
		}
		slot = int(h & 63)
		if v := p.recent[slot]; v == string(b) { // no allocation
			return v
		}
	}
	if v, ok := p.m[string(b)]; ok { // no allocation for the lookup
		if slot >= 0 {
			p.recent[slot] = v
		}
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
	if slot >= 0 {
		p.recent[slot] = v
	}
	return v
}
