package parse

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"iter"
	"strings"
	"unicode/utf8"
)

// MaxLine is the longest line a parser accepts (4 MiB). Longer lines are
// consumed to their end and reported as ErrTooLong, so one runaway line never
// costs more than this much memory.
const MaxLine = 4 << 20

// Lines reads a stream line by line for parsers: it strips "\n" and "\r\n",
// counts lines (1-based), and flags lines holding NUL bytes, longer than
// MaxLine, or cut short (a last line without a newline) without losing its
// place.
//
// A last line without a newline is served with Bad() == ErrCutShort: the
// tools migreplay reads (sysstat, iputils, BusyBox and BSD ping, xentop)
// end every line with a newline, so such a line is most likely a file cut
// mid-line, and its last value may be a prefix of what was printed (95.96
// read as 95). A parser rejects it unless its grammar proves the line whole
// (a unit or closing token after the last value).
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
		if l.bad == nil {
			l.bad = ErrCutShort
		}
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
// ErrBinary) or may be incomplete (ErrCutShort); parsers reject such lines.
func (l *Lines) Bad() error { return l.bad }

// Err is the read error that stopped Next, nil at a clean EOF.
func (l *Lines) Err() error {
	if errors.Is(l.err, io.EOF) {
		return nil
	}
	return l.err
}

// Raw caps b for a reject's raw text, as valid UTF-8: bytes that are not
// are replaced by U+FFFD (the rejects table's raw column is a Parquet
// string, and Parquet strings are UTF-8).
func Raw(b []byte) string {
	if len(b) > MaxRawReject {
		b = b[:MaxRawReject]
	}
	if utf8.Valid(b) {
		return string(b)
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
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
