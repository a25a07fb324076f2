package schema

import (
	"time"
	"unsafe"
)

// A FileWriter copies a row whole: the row and the numbers, booleans and
// times its pointer fields point to (not what a *string points to: strings
// are never reused, and neither is a *string's target; nor a []byte's
// bytes). The copies of the pointed-to values live in the batch's
// pointees, which go back to a pool once the batch is encoded (or
// spilled), so that a parser may hand out every row's numbers from the
// same few words (parse.Options.Reuse) and the batches hold no pointer into
// the parser's memory: a run's parse then allocates nothing per row, and
// the collector has next to nothing to do (sar and ping used to allocate a
// word for each number of each row, and the batches kept those words alive
// until encoded).
type pointees struct {
	words slab[uint64] // values of 1 to 8 bytes: no pointers, never scanned
	times slab[time.Time]
}

// slab hands out runs of elements from chunks that never move, so
// pointers to them stay valid while it grows; reset takes them back for
// reuse. The first chunks are small (a file may get a few rows only, and
// a source may have thousands of files), the rest 512 elements (or a run)
// each.
type slab[E any] struct {
	chunks [][]E
	i, k   int // the next element: chunks[i][k]
}

// take hands out n contiguous elements.
func (s *slab[E]) take(n int) []E {
	if s.i < len(s.chunks) && s.k+n > len(s.chunks[s.i]) {
		s.i, s.k = s.i+1, 0
	}
	if s.i == len(s.chunks) {
		size := 512
		if len(s.chunks) < 5 {
			size = 16 << len(s.chunks)
		}
		s.chunks = append(s.chunks, make([]E, max(size, n)))
	}
	e := s.chunks[s.i][s.k : s.k+n : s.k+n]
	s.k += n
	return e
}

func (s *slab[E]) reset() { s.i, s.k = 0, 0 }

func (p *pointees) reset() {
	p.words.reset()
	p.times.reset()
}

// wordField is a pointer field to a value of 1 to 8 bytes without
// pointers: its offset in the row, and the value's size.
type wordField struct {
	off  uintptr
	size uintptr
}

// rehome points the number, bool and time pointer fields of the row at
// row (a batch's copy) at copies in p of what they point to.
func (l *layout) rehome(p *pointees, row unsafe.Pointer) {
	if len(l.words) > 0 {
		ws := p.words.take(len(l.words))
		for j, f := range l.words {
			q := unsafe.Add(row, f.off)
			src := *(*unsafe.Pointer)(q)
			if src == nil {
				continue
			}
			dst := unsafe.Pointer(&ws[j])
			switch f.size {
			case 8:
				*(*uint64)(dst) = *(*uint64)(src)
			case 4:
				*(*uint32)(dst) = *(*uint32)(src)
			case 2:
				*(*uint16)(dst) = *(*uint16)(src)
			default:
				*(*uint8)(dst) = *(*uint8)(src)
			}
			*(*unsafe.Pointer)(q) = dst
		}
	}
	for _, off := range l.times {
		q := unsafe.Add(row, off)
		src := *(*unsafe.Pointer)(q)
		if src == nil {
			continue
		}
		t := &p.times.take(1)[0]
		*t = *(*time.Time)(src)
		*(*unsafe.Pointer)(q) = unsafe.Pointer(t)
	}
}
