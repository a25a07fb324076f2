package pqwrite

import (
	"encoding/binary"
	"math/bits"
	"unsafe"
)

// appendPacked bit-packs v, w bits per value, least significant bit
// first (Parquet's bit-packed order for the RLE/bit-packing hybrid and for
// DELTA_BINARY_PACKED miniblocks). Every value must be below 2^w. It writes
// ceil(len(v)·w/8) bytes.
func appendPacked[U uint8 | uint32 | uint64](dst []byte, v []U, w uint) []byte {
	if w == 0 {
		return dst
	}
	var acc uint64
	var n uint // bits held in acc, < 64
	for _, u := range v {
		x := uint64(u)
		acc |= x << n
		n += w
		if n >= 64 {
			dst = binary.LittleEndian.AppendUint64(dst, acc)
			n -= 64
			acc = 0
			if n > 0 {
				acc = x >> (w - n)
			}
		}
	}
	for ; n > 0; n -= min(n, 8) {
		dst = append(dst, byte(acc))
		acc >>= 8
	}
	return dst
}

// appendHybrid encodes v with the RLE/bit-packing hybrid at bit width w
// (no length prefix): runs of 8 or more equal values become RLE runs, the
// rest bit-packed groups of 8. Only the final group is padded (with
// zeros); readers stop at the page's value count.
func appendHybrid[U uint8 | uint32](dst []byte, v []U, w uint) []byte {
	n := len(v)
	lit := 0 // first value not yet written
	for i := 0; i < n; {
		x := v[i]
		j := i + 1
		for j < n && v[j] == x {
			j++
		}
		if j-i >= 8 {
			// A literal run must hold a multiple of 8 values: lend it the
			// head of this run if what remains is still worth a run.
			if pad := (8 - (i-lit)%8) % 8; pad > 0 {
				if j-i-pad < 8 {
					i = j
					continue
				}
				i += pad
			}
			if i > lit {
				dst = appendLiteral(dst, v[lit:i], w)
			}
			dst = binary.AppendUvarint(dst, uint64(j-i)<<1)
			for k := uint(0); k < w; k += 8 {
				dst = append(dst, byte(uint64(x)>>k))
			}
			lit = j
		}
		i = j
	}
	if lit < n {
		dst = appendLiteral(dst, v[lit:], w)
	}
	return dst
}

func appendLiteral[U uint8 | uint32](dst []byte, v []U, w uint) []byte {
	groups := (len(v) + 7) / 8
	dst = binary.AppendUvarint(dst, uint64(groups)<<1|1)
	start := len(dst)
	dst = appendPacked(dst, v, w)
	for want := start + groups*int(w); len(dst) < want; {
		dst = append(dst, 0)
	}
	return dst
}

// DELTA_BINARY_PACKED layout: blocks of 128 deltas in 4 miniblocks of 32.
const (
	deltaBlock     = 128
	deltaMiniblock = 32
	deltaMinis     = deltaBlock / deltaMiniblock
)

// appendDelta encodes v as DELTA_BINARY_PACKED. Deltas are taken in the
// column's own width with wrap-around (int32 for INT32 columns), as readers
// undo them.
func appendDelta[T int32 | int64, U uint32 | uint64](dst []byte, v []T) []byte {
	dst = binary.AppendUvarint(dst, deltaBlock)
	dst = binary.AppendUvarint(dst, deltaMinis)
	dst = binary.AppendUvarint(dst, uint64(len(v)))
	if len(v) == 0 {
		return binary.AppendVarint(dst, 0)
	}
	dst = binary.AppendVarint(dst, int64(v[0]))
	var d [deltaBlock]U
	prev := v[0]
	for i := 1; i < len(v); i += deltaBlock {
		m := min(deltaBlock, len(v)-i)
		minD := v[i] - prev
		for k, x := range v[i : i+m] {
			dd := x - prev
			prev = x
			d[k] = U(dd)
			minD = min(minD, dd)
		}
		dst = binary.AppendVarint(dst, int64(minD))
		wpos := len(dst)
		dst = append(dst, 0, 0, 0, 0)
		for k := m; k < deltaBlock; k++ {
			d[k] = U(minD) // packs as zero
		}
		for b := 0; b*deltaMiniblock < m; b++ {
			mb := d[b*deltaMiniblock : (b+1)*deltaMiniblock]
			var or U
			for k := range mb {
				mb[k] -= U(minD)
				or |= mb[k]
			}
			w := bitLen(or)
			dst[wpos+b] = byte(w)
			dst = appendPacked(dst, mb, w)
		}
	}
	return dst
}

func bitLen[U uint8 | uint32 | uint64](x U) uint { return uint(bits.Len64(uint64(x))) }

// appendPlain appends fixed-width values in PLAIN encoding (little endian).
func appendPlain[T int32 | int64 | float64 | uint32 | uint64](dst []byte, v []T) []byte {
	if len(v) == 0 {
		return dst
	}
	return append(dst, unsafe.Slice((*byte)(unsafe.Pointer(&v[0])), len(v)*int(unsafe.Sizeof(v[0])))...)
}

func appendPlainStrings(dst []byte, v []string) []byte {
	for _, s := range v {
		dst = binary.LittleEndian.AppendUint32(dst, uint32(len(s)))
		dst = append(dst, s...)
	}
	return dst
}

func appendPlainBools(dst []byte, v []bool) []byte {
	var acc byte
	for i, b := range v {
		if b {
			acc |= 1 << (i & 7)
		}
		if i&7 == 7 {
			dst = append(dst, acc)
			acc = 0
		}
	}
	if len(v)&7 != 0 {
		dst = append(dst, acc)
	}
	return dst
}

func init() {
	// PLAIN is little endian; appendPlain copies memory as is.
	x := uint16(1)
	if *(*byte)(unsafe.Pointer(&x)) != 1 {
		panic("pqwrite: big-endian hosts are not supported")
	}
}
