package sar

import (
	"bytes"
	"fmt"

	"github.com/migreplay/migreplay/ingest/parse"
)

// Colours: with S_COLORS=always (or a terminal and S_COLORS=auto) sar wraps
// names and values in ANSI SGR sequences, ESC [ params m (sysstat's
// expected.sar-always: "\x1b[34;1m      2.15\x1b[0m"). A line holding ESC is
// read as the plain text those sequences decorate; any other escape
// sequence, or an ESC that does not complete one, is an error at its column.
// Columns in errors count bytes of the line as it is in the file, escape
// sequences included, so an editor's byte column finds the spot.

const esc = 0x1b

// sgrCut records one removed sequence: at is its offset in the stripped
// line, total the bytes removed up to and including it.
type sgrCut struct{ at, total int }

// stripSGR appends line without its SGR sequences to dst[:0] and records
// each removal in cuts[:0]. On a sequence that is not SGR it returns the
// 1-based column of its ESC in line and an error.
func stripSGR(dst []byte, cuts []sgrCut, line []byte) ([]byte, []sgrCut, int, error) {
	dst, cuts = dst[:0], cuts[:0]
	removed := 0
	for i := 0; i < len(line); {
		j := bytes.IndexByte(line[i:], esc)
		if j < 0 {
			dst = append(dst, line[i:]...)
			break
		}
		dst = append(dst, line[i:i+j]...)
		i += j
		n := sgrLen(line[i:])
		if n == 0 {
			end := min(len(line), i+8)
			return dst, cuts, i + 1, parse.Errorf(parse.ErrSyntax,
				"escape sequence %q is not a colour (SGR, ESC [ ... m): only sar's S_COLORS colours are read; rerun sar with S_COLORS=never",
				parse.Raw(line[i:end]))
		}
		removed += n
		cuts = append(cuts, sgrCut{at: len(dst), total: removed})
		i += n
	}
	return dst, cuts, 0, nil
}

// sgrLen is the length of the SGR sequence b starts with (ESC '[', digits,
// ';' or ':', then 'm'), 0 when b does not start with one.
func sgrLen(b []byte) int {
	if len(b) < 3 || b[0] != esc || b[1] != '[' {
		return 0
	}
	for i := 2; i < len(b); i++ {
		switch c := b[i]; {
		case c >= '0' && c <= '9' || c == ';' || c == ':':
		case c == 'm':
			return i + 1
		default:
			return 0
		}
	}
	return 0
}

// rawCol maps a 1-based column of the stripped line back to the line read;
// a column on a character right after a removed sequence lands on that
// character, past the sequence.
func rawCol(cuts []sgrCut, col int) int {
	if col <= 0 {
		return col
	}
	add := 0
	for _, c := range cuts {
		if c.at > col-1 {
			break
		}
		add = c.total
	}
	return col + add
}

// headerControl refuses a header whose names hold a control character: a
// header is column names, and a name with one is a mangled line (an escape
// sequence of another kind), not a header to resolve and read rows with.
func headerControl(toks [][]byte) error {
	for _, t := range toks {
		for _, c := range t {
			if c < 0x20 || c == 0x7f {
				return fmt.Errorf("%w: control character %q in a header line", parse.ErrSyntax, c)
			}
		}
	}
	return nil
}

// onlySGR reports whether line holds SGR sequences and blanks only. sar
// 12.6 prints the reset after the newline of a row that ends in a coloured
// name ("/dev/sda6\n\x1b[0m"), so such a report ends in a line of just
// "\x1b[0m" without a newline: it holds no value that could be cut short.
func onlySGR(line []byte) bool {
	if bytes.IndexByte(line, esc) < 0 {
		return false
	}
	plain, _, _, err := stripSGR(nil, nil, line)
	return err == nil && len(bytes.Trim(plain, " \t")) == 0
}
