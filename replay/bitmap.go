package replay

import "math/bits"

// Bitmap is a set of page numbers in [0, Len()), one bit per page packed in
// 64-bit words: the dirty log's own shape (KVM's and Xen's logs are bitmaps
// too). A 64 GiB guest of 4 KiB pages needs 2 MiB.
type Bitmap struct {
	w []uint64
	n int64
}

// NewBitmap returns an empty bitmap of n pages.
func NewBitmap(n int64) *Bitmap {
	return &Bitmap{w: make([]uint64, (n+63)/64), n: n}
}

// Len is the number of pages the bitmap covers.
func (b *Bitmap) Len() int64 { return b.n }

// Words exposes the backing words; bits past Len are always zero.
func (b *Bitmap) Words() []uint64 { return b.w }

// Set marks page i.
func (b *Bitmap) Set(i int64) { b.w[i>>6] |= 1 << (uint64(i) & 63) }

// Test reports whether page i is marked.
func (b *Bitmap) Test(i int64) bool { return b.w[i>>6]&(1<<(uint64(i)&63)) != 0 }

// Clear unmarks every page.
func (b *Bitmap) Clear() { clear(b.w) }

// SetAll marks every page.
func (b *Bitmap) SetAll() { b.SetRange(0, b.n) }

// SetRange marks pages [lo, hi).
func (b *Bitmap) SetRange(lo, hi int64) {
	if lo >= hi {
		return
	}
	lw, hw := lo>>6, (hi-1)>>6
	lm := ^uint64(0) << (uint64(lo) & 63)
	hm := ^uint64(0) >> (63 - (uint64(hi-1) & 63))
	if lw == hw {
		b.w[lw] |= lm & hm
		return
	}
	b.w[lw] |= lm
	for i := lw + 1; i < hw; i++ {
		b.w[i] = ^uint64(0)
	}
	b.w[hw] |= hm
}

// Count is the number of marked pages.
func (b *Bitmap) Count() int64 {
	var c int
	for _, w := range b.w {
		c += bits.OnesCount64(w)
	}
	return int64(c)
}

// CountRange is the number of marked pages in [lo, hi).
func (b *Bitmap) CountRange(lo, hi int64) int64 {
	if lo >= hi {
		return 0
	}
	lw, hw := lo>>6, (hi-1)>>6
	lm := ^uint64(0) << (uint64(lo) & 63)
	hm := ^uint64(0) >> (63 - (uint64(hi-1) & 63))
	if lw == hw {
		return int64(bits.OnesCount64(b.w[lw] & lm & hm))
	}
	c := bits.OnesCount64(b.w[lw]&lm) + bits.OnesCount64(b.w[hw]&hm)
	for _, w := range b.w[lw+1 : hw] {
		c += bits.OnesCount64(w)
	}
	return int64(c)
}

// Or sets b = b ∪ o (same length).
func (b *Bitmap) Or(o *Bitmap) {
	for i, w := range o.w {
		b.w[i] |= w
	}
}

// CopyFrom sets b = o (same length).
func (b *Bitmap) CopyFrom(o *Bitmap) { copy(b.w, o.w) }

// selectWord returns the index of the word holding the k-th marked page
// (0-based) and how many marked pages precede that word; k must be < Count.
func (b *Bitmap) selectWord(k int64) (word int, before int64) {
	for i, w := range b.w {
		c := int64(bits.OnesCount64(w))
		if before+c > k {
			return i, before
		}
		before += c
	}
	return len(b.w), before
}

// nthSetInWord returns the bit position of the j-th (0-based) set bit of w.
func nthSetInWord(w uint64, j int) int {
	for ; j > 0; j-- {
		w &= w - 1
	}
	return bits.TrailingZeros64(w)
}
