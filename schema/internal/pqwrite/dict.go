package pqwrite

import (
	"strings"
	"unsafe"
)

// dict64 maps 64-bit keys (int64, uint64 and float64 bits, int32 widened)
// to their dictionary index, in insertion order: open addressing with
// linear probing on a power-of-two table kept at most half full.
type dict64 struct {
	slots []int32 // index+1; 0 is empty
	keys  []uint64
	shift uint
}

func (d *dict64) reset() {
	clear(d.slots)
	d.keys = d.keys[:0]
}

// index returns k's index and whether k is new.
func (d *dict64) index(k uint64) (int32, bool) {
	if 2*len(d.keys) >= len(d.slots) {
		d.grow()
	}
	mask := uint64(len(d.slots) - 1)
	h := (k * 0x9e3779b97f4a7c15) >> d.shift
	for {
		s := d.slots[h]
		if s == 0 {
			d.keys = append(d.keys, k)
			d.slots[h] = int32(len(d.keys))
			return int32(len(d.keys) - 1), true
		}
		if d.keys[s-1] == k {
			return s - 1, false
		}
		h = (h + 1) & mask
	}
}

func (d *dict64) grow() {
	n := max(1024, 2*len(d.slots))
	d.slots = make([]int32, n)
	d.shift = 64
	for m := n; m > 1; m >>= 1 {
		d.shift--
	}
	mask := uint64(n - 1)
	for i, k := range d.keys {
		h := (k * 0x9e3779b97f4a7c15) >> d.shift
		for d.slots[h] != 0 {
			h = (h + 1) & mask
		}
		d.slots[h] = int32(i + 1)
	}
}

// dictStr is the dictionary of a string column. Keys are cloned: a row's
// string may share memory with a larger buffer of the parser.
//
// Parsers intern their repeating strings (host, domain and device names),
// so the same value mostly arrives as the same string data: a small cache
// keyed by the data pointer answers those without hashing the bytes. A
// cache entry holds its string, so the memory cannot be reused for another
// value while the entry lives.
type dictStr struct {
	m     map[string]int32
	keys  []string
	bytes int // PLAIN size of the dictionary page
	cache [256]strEntry
}

type strEntry struct {
	s string
	i int32
}

func (d *dictStr) reset() {
	clear(d.m)
	d.keys = d.keys[:0]
	d.bytes = 0
	d.cache = [256]strEntry{}
}

func (d *dictStr) index(s string) (int32, bool) {
	p := uintptr(unsafe.Pointer(unsafe.StringData(s)))
	e := &d.cache[(p>>3^p>>11)&255]
	if len(e.s) == len(s) && unsafe.StringData(e.s) == unsafe.StringData(s) && e.i > 0 {
		return e.i - 1, false
	}
	i, ok := d.m[s]
	if !ok {
		if d.m == nil {
			d.m = map[string]int32{}
		}
		s = strings.Clone(s)
		i = int32(len(d.keys))
		d.keys = append(d.keys, s)
		d.m[s] = i
		d.bytes += 4 + len(s)
	}
	*e = strEntry{s, i + 1}
	return i, !ok
}
