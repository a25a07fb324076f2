package parse

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// MaxLine is the longest line a parser accepts (4 MiB). Longer lines are
// consumed to their end and reported as ErrTooLong, so one runaway line never
// costs more than this much memory.
const MaxLine = 4 << 20

// Lines reads a stream line by line for parsers: it strips "\n" and "\r\n",
// counts lines (1-based), accepts a last line without a newline, and flags
// lines holding NUL bytes or longer than MaxLine without losing its place.
type Lines struct {
	r    *bufio.Reader
	line []byte
	big  []byte
	n    int
	err  error
	bad  error // per-line problem: ErrTooLong or ErrBinary
}

// NewLines wraps r. A 256 KiB buffer serves nearly every line without copying.
func NewLines(r io.Reader) *Lines {
	return &Lines{r: bufio.NewReaderSize(r, 256<<10)}
}

// Next advances to the next line. It returns false at EOF or on a read error.
func (l *Lines) Next() bool {
	if l.err != nil {
		return false
	}
	l.bad = nil
	b, err := l.r.ReadSlice('\n')
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
			l.big = l.big[:MaxRawReject]
		}
		b = l.big
	}
	if err != nil && err != io.EOF {
		l.err = err
		return false
	}
	if len(b) == 0 && err == io.EOF {
		l.err = io.EOF
		return false
	}
	if err == io.EOF {
		l.err = io.EOF // last line without newline: serve it, stop next time
	}
	l.n++
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
		if n := len(b); n > 0 && b[n-1] == '\r' {
			b = b[:n-1]
		}
	}
	if l.bad == nil && bytes.IndexByte(b, 0) >= 0 {
		l.bad = ErrBinary
	}
	l.line = b
	return true
}

// Bytes is the current line without its line end. It is valid until the
// next call to Next.
func (l *Lines) Bytes() []byte { return l.line }

// Num is the current line's 1-based number.
func (l *Lines) Num() int { return l.n }

// Bad is non-nil when the current line is unusable as text (ErrTooLong,
// ErrBinary); parsers reject such lines.
func (l *Lines) Bad() error { return l.bad }

// Err is the read error that stopped Next, nil at a clean EOF.
func (l *Lines) Err() error {
	if errors.Is(l.err, io.EOF) {
		return nil
	}
	return l.err
}

// Raw caps b for a reject's raw text.
func Raw(b []byte) string {
	if len(b) > MaxRawReject {
		b = b[:MaxRawReject]
	}
	return string(b)
}
