package parse

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"iter"
	"unicode/utf8"
)

// MaxLine is the longest line a parser accepts (4 MiB). Longer lines are
// consumed to their end and reported as ErrTooLong, so one runaway line never
// costs more than this much memory.
const MaxLine = 4 << 20

// Lines reads a stream line by line for parsers: it strips "\n" and "\r\n",
// counts lines (1-based), and flags lines that are not text (NUL bytes:
// ErrBinary; bytes that are not UTF-8: ErrNotUTF8), longer than MaxLine
// (ErrTooLong) or cut short (a last line without a newline: ErrCutShort)
// without losing its place. Every string migreplay stores must be valid
// UTF-8 (Parquet's STRING type; DuckDB refuses a file holding one that is
// not), so a line that is not UTF-8 is never parsed: parsers reject it, and
// the rejects table keeps its exact bytes (see Reject).
//
// A last line without a newline is served with Bad() == ErrCutShort: the
// tools migreplay reads (sysstat, iputils, BusyBox and BSD ping, xentop)
// end every line with a newline, so such a line is most likely a file cut
// mid-line, and its last value may be a prefix of what was printed (95.96
// read as 95). A parser rejects it unless its grammar proves the line whole
// (a unit or closing token after the last value). A line that is not text
// is flagged so even when it is also the last: ErrBinary and ErrNotUTF8
// win over ErrCutShort.
//
// When the reader fails (a compressed stream that turns out corrupt, an I/O
// error), the line being read is served once more, possibly empty, with
// Bad() == the read error: the parser rejects it like any bad line (a
// partial line is never read as data), and Next then returns false with
// Err() == that error.
type Lines struct {
	r    *bufio.Reader
	line []byte
	big  []byte
	n    int
	err  error
	bad  error // per-line problem: ErrTooLong, ErrBinary, ErrNotUTF8, ErrCutShort or a read error
	col  int   // 1-based column of the fault for ErrBinary and ErrNotUTF8, else 0
	// The buffered input is checked a block of whole lines at a time
	// (bytes.IndexByte and utf8.Valid run at tens of GB/s on a block, a
	// few on one short line): the next good bytes from the read position
	// hold no NUL and are valid UTF-8, so their lines need no check of
	// their own; the next dirty bytes hold a fault somewhere, so their
	// lines are checked one by one.
	good, dirty int
}

// NewLines wraps r. A 256 KiB buffer serves nearly every line without copying.
func NewLines(r io.Reader) *Lines {
	return &Lines{r: bufio.NewReaderSize(r, 256<<10)}
}

// Next advances to the next line. It returns false at EOF or after the line
// a read error cut (see Err).
func (l *Lines) Next() bool {
	if l.err != nil {
		return false
	}
	l.bad, l.col = nil, 0
	b, err := l.r.ReadSlice('\n')
	known := err == nil && len(b) <= l.good
	switch {
	case known:
		l.good -= len(b)
	case err == nil && len(b) <= l.dirty:
		l.dirty -= len(b)
	default:
		l.good, l.dirty = 0, 0
	}
	if err == bufio.ErrBufferFull {
		l.big = append(l.big[:0], b...)
		for err == bufio.ErrBufferFull {
			b, err = l.r.ReadSlice('\n')
			if len(l.big) <= MaxLine {
				l.big = append(l.big, b...)
			}
		}
		if len(l.big) > MaxLine {
			l.bad = ErrTooLong
			l.big = l.big[:runeCut(l.big, MaxRawReject)]
		}
		b = l.big
	}
	switch {
	case err == nil:
	case err == io.EOF && len(b) == 0 && l.bad == nil:
		l.err = io.EOF
		return false
	case err == io.EOF:
		l.err = io.EOF // last line without newline: serve it, stop next time
		if l.bad == nil {
			l.bad = ErrCutShort
		}
	default:
		// The stream broke inside this line (or before its first byte):
		// serve what arrived, flagged with the reason, then stop.
		l.err, l.bad = err, err
	}
	l.n++
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
		if n := len(b); n > 0 && b[n-1] == '\r' {
			b = b[:n-1]
		}
	}
	if !known && (l.bad == nil || l.bad == ErrCutShort) {
		l.text(b)
	}
	if !known && err == nil && l.dirty == 0 {
		// check the whole lines buffered after this one
		rest, _ := l.r.Peek(l.r.Buffered())
		block := rest[:bytes.LastIndexByte(rest, '\n')+1]
		if bytes.IndexByte(block, 0) < 0 && utf8.Valid(block) {
			l.good = len(block)
		} else {
			l.dirty = len(block)
		}
	}
	l.line = b
	return true
}

// text flags b when it is not text: ErrBinary at its first NUL, else
// ErrNotUTF8 at its first byte that does not belong to a valid UTF-8
// sequence.
func (l *Lines) text(b []byte) {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		l.bad, l.col = ErrBinary, i+1
		return
	}
	if !utf8.Valid(b) {
		l.bad, l.col = ErrNotUTF8, InvalidUTF8(b)+1
	}
}

// InvalidUTF8 is the offset of the first byte of b that does not belong to a
// valid UTF-8 sequence, or -1 when b is valid UTF-8.
func InvalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return -1
}

// Bytes is the current line without its line end. It is valid until the
// next call to Next.
func (l *Lines) Bytes() []byte { return l.line }

// Num is the current line's 1-based number.
func (l *Lines) Num() int { return l.n }

// Bad is non-nil when the current line is unusable as text (ErrTooLong,
// ErrBinary, ErrNotUTF8), may be incomplete (ErrCutShort), or was cut by a
// read error (that error); parsers reject such lines. It returns the
// sentinel itself (or the read error), so parsers may compare with ==.
func (l *Lines) Bad() error { return l.bad }

// BadCol is the 1-based byte column of the current line's fault: its first
// NUL (ErrBinary) or its first byte that is not UTF-8 (ErrNotUTF8); 0 for
// the other faults and for good lines.
func (l *Lines) BadCol() int { return l.col }

// Err is the read error that stopped Next, nil at a clean EOF.
func (l *Lines) Err() error {
	if errors.Is(l.err, io.EOF) {
		return nil
	}
	return l.err
}

// Raw caps b at MaxRawReject bytes for a reject's raw text, cutting on a
// UTF-8 character boundary (a cut inside a character would make valid text
// invalid). The bytes are kept as they are, valid UTF-8 or not: Reject
// makes the stored column valid.
func Raw(b []byte) string {
	return string(b[:runeCut(b, MaxRawReject)])
}

// runeCut is the length of b capped at n, moved back (by at most three
// bytes) so that it does not split a UTF-8 sequence.
func runeCut(b []byte, n int) int {
	if len(b) <= n {
		return len(b)
	}
	for k := n; k > 0 && k > n-utf8.UTFMax; k-- {
		if utf8.RuneStart(b[k]) {
			return k
		}
	}
	return n
}

// HeadLines yields the first max non-blank lines of head (the first bytes of
// an input, as format detection sees them: possibly cut mid-line), without
// their line ends ("\n", "\r\n"); a UTF-8 byte order mark before the first
// line is dropped. Every Detect function walks its input's head with it, so
// they agree on what a line is.
func HeadLines(head []byte, max int) iter.Seq[[]byte] {
	return func(yield func([]byte) bool) {
		head = bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
		for n := 0; len(head) > 0 && n < max; {
			line := head
			if i := bytes.IndexByte(head, '\n'); i >= 0 {
				line, head = head[:i], head[i+1:]
			} else {
				head = nil
			}
			line = bytes.TrimRight(line, "\r")
			if len(bytes.TrimSpace(line)) == 0 {
				continue
			}
			n++
			if !yield(line) {
				return
			}
		}
	}
}
