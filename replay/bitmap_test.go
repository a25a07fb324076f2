package replay

import (
	"math/rand/v2"
	"testing"
)

// The bitmap must agree with a plain []bool under random operations.
func TestBitmapAgainstBools(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int64{1, 63, 64, 65, 1000, 4097} {
		b := NewBitmap(n)
		ref := make([]bool, n)
		for op := 0; op < 300; op++ {
			switch r.IntN(3) {
			case 0:
				i := r.Int64N(n)
				b.Set(i)
				ref[i] = true
			case 1:
				lo := r.Int64N(n + 1)
				hi := lo + r.Int64N(n-lo+1)
				b.SetRange(lo, hi)
				for i := lo; i < hi; i++ {
					ref[i] = true
				}
			case 2:
				if r.IntN(10) == 0 {
					b.Clear()
					clear(ref)
				}
			}
			lo := r.Int64N(n + 1)
			hi := lo + r.Int64N(n-lo+1)
			var want, all int64
			for i, v := range ref {
				if v {
					all++
					if int64(i) >= lo && int64(i) < hi {
						want++
					}
				}
				if b.Test(int64(i)) != v {
					t.Fatalf("n=%d op %d: Test(%d) = %v, want %v", n, op, i, !v, v)
				}
			}
			if got := b.CountRange(lo, hi); got != want {
				t.Fatalf("n=%d: CountRange(%d,%d) = %d, want %d", n, lo, hi, got, want)
			}
			if got := b.Count(); got != all {
				t.Fatalf("n=%d: Count = %d, want %d", n, got, all)
			}
			// select: the k-th set page
			if all > 0 {
				k := r.Int64N(all)
				wi, before := b.selectWord(k)
				pos := int64(wi)<<6 + int64(nthSetInWord(b.w[wi], int(k-before)))
				var seen int64 = -1
				for i, v := range ref {
					if v {
						seen++
						if seen == k {
							if int64(i) != pos {
								t.Fatalf("select(%d) = %d, want %d", k, pos, i)
							}
							break
						}
					}
				}
			}
		}
		// bits past Len stay zero
		b.SetAll()
		if b.Count() != n {
			t.Fatalf("SetAll: Count = %d, want %d", b.Count(), n)
		}
	}
}
