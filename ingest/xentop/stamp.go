package xentop

import (
	"bytes"
	"fmt"
	"time"

	"github.com/migreplay/migreplay/ingest/parse"
)

// stampKind is the timestamp prefix a collector put before every line. A
// file's kind is fixed by its first header line; every later line must carry
// a prefix of the same shape (moreutils ts prefixes every line it is fed).
type stampKind uint8

const (
	stampUnknown  stampKind = iota // no header seen yet
	stampNone                      // bare xentop output
	stampEpoch                     // ts '%s' 1795305201, ts '%.s' 1795305201.448244
	stampISO                       // 2026-11-21T23:52:03[.frac][Z|±hh:mm|±hhmm]
	stampISOSpace                  // 2026-11-21 23:52:03[.frac][zone] (two tokens)
	stampTS                        // moreutils ts default "%b %d %H:%M:%S": Nov 21 23:52:03
)

func (k stampKind) String() string {
	switch k {
	case stampEpoch:
		return "epoch (ts '%s' / '%.s')"
	case stampISO, stampISOSpace:
		return "ISO 8601"
	case stampTS:
		return "ts default (Mon DD HH:MM:SS)"
	}
	return "none"
}

// tokens is how many space-separated tokens the prefix has.
func (k stampKind) tokens() int {
	switch k {
	case stampEpoch, stampISO:
		return 1
	case stampISOSpace:
		return 2
	case stampTS:
		return 3
	}
	return 0
}

// span is a token's [start, end) byte range.
type span struct{ s, e int }

// fields appends the space-separated tokens of b to dst.
func fields(b []byte, dst []span) []span {
	i := 0
	for {
		for i < len(b) && (b[i] == ' ' || b[i] == '\t') {
			i++
		}
		if i == len(b) {
			return dst
		}
		s := i
		for i < len(b) && b[i] != ' ' && b[i] != '\t' {
			i++
		}
		dst = append(dst, span{s, i})
	}
}

func isDigit(c byte) bool { return c-'0' <= 9 }

func isLetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

// classify names the kind of the prefix tokens toks of line.
func classify(line []byte, toks []span) (stampKind, bool) {
	tok := func(i int) []byte { return line[toks[i].s:toks[i].e] }
	switch len(toks) {
	case 0:
		return stampNone, true
	case 1:
		t := tok(0)
		if isEpoch(t) {
			return stampEpoch, true
		}
		if len(t) >= 19 && isDate(t[:10]) && t[10] == 'T' {
			return stampISO, true
		}
	case 2:
		if t := tok(0); len(t) == 10 && isDate(t) && len(tok(1)) >= 8 && isDigit(tok(1)[0]) {
			return stampISOSpace, true
		}
	case 3:
		if _, ok := month(tok(0)); ok && len(tok(1)) <= 2 && isDigit(tok(1)[0]) && len(tok(2)) >= 8 {
			return stampTS, true
		}
	}
	return stampUnknown, false
}

func isEpoch(t []byte) bool {
	if len(t) == 0 || !isDigit(t[0]) {
		return false
	}
	dot := false
	for _, c := range t {
		switch {
		case isDigit(c):
		case c == '.' && !dot:
			dot = true
		default:
			return false
		}
	}
	return t[len(t)-1] != '.'
}

func isDate(t []byte) bool {
	return len(t) == 10 && t[4] == '-' && t[7] == '-' &&
		isDigit(t[0]) && isDigit(t[1]) && isDigit(t[2]) && isDigit(t[3]) &&
		isDigit(t[5]) && isDigit(t[6]) && isDigit(t[8]) && isDigit(t[9])
}

var months = [12]string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}

func month(t []byte) (time.Month, bool) {
	if len(t) != 3 {
		return 0, false
	}
	for i, m := range months {
		if t[0]|0x20 == m[0] && t[1]|0x20 == m[1] && t[2]|0x20 == m[2] {
			return time.Month(i + 1), true
		}
	}
	return 0, false
}

// skipStamp returns where the xentop text starts after an n-token prefix:
// the tokens (spaces between them), then one space. A line holding only the
// stamp (a blank line fed to ts) ends there. first checks the first byte.
func skipStamp(line []byte, n int, first func(byte) bool) (int, bool) {
	if len(line) == 0 || !first(line[0]) {
		return 0, false
	}
	if n == 1 {
		i := bytes.IndexByte(line, ' ')
		if i < 0 {
			return len(line), true
		}
		return i + 1, true
	}
	i := 0
	for t := 0; t < n; t++ {
		if t > 0 {
			if i >= len(line) || line[i] != ' ' {
				return 0, false
			}
			for i < len(line) && line[i] == ' ' {
				i++
			}
		}
		s := i
		for i < len(line) && line[i] != ' ' {
			i++
		}
		if i == s {
			return 0, false
		}
	}
	if i == len(line) {
		return i, true
	}
	return i + 1, true
}

// firstByte is the cheap shape check skipStamp applies per kind.
func (k stampKind) firstByte() func(byte) bool {
	if k == stampTS {
		return isLetter
	}
	return isDigit
}

// stampTime parses the prefix tokens of a header line (kind k).
func (p *Parser) stampTime(k stampKind, line []byte, toks []span) (time.Time, int, error) {
	tok := func(i int) []byte { return line[toks[i].s:toks[i].e] }
	switch k {
	case stampEpoch:
		t := tok(0)
		var sec, us int64
		i := 0
		for ; i < len(t) && t[i] != '.'; i++ {
			sec = sec*10 + int64(t[i]-'0')
		}
		if i > 12 { // beyond year 33658: not a Unix time in seconds
			return time.Time{}, toks[0].s, parse.Errorf(parse.ErrSyntax, "epoch timestamp %q out of range (expected seconds since 1970)", t)
		}
		if i < len(t) {
			frac := t[i+1:]
			for j := 0; j < 6; j++ {
				us *= 10
				if j < len(frac) {
					us += int64(frac[j] - '0')
				}
			}
		}
		return time.Unix(sec, us*1000).UTC(), 0, nil
	case stampISO:
		t := tok(0)
		return p.isoTime(t[:10], t[11:], toks[0].s)
	case stampISOSpace:
		return p.isoTime(tok(0), tok(1), toks[0].s)
	case stampTS:
		m, _ := month(tok(0))
		d, ok := atoi(tok(1))
		if !ok || d < 1 || d > 31 {
			return time.Time{}, toks[1].s, parse.Errorf(parse.ErrSyntax, "bad day %q in timestamp", tok(1))
		}
		if p.opt.Year == 0 {
			return time.Time{}, toks[0].s, parse.Errorf(parse.ErrNoTime,
				"timestamp %q has no year: pass --year (the year the trace starts in)", line[toks[0].s:toks[2].e])
		}
		// ts stamps carry no year: start in --year and move to the next
		// year whenever the month goes backwards (Dec → Jan).
		if p.tsMonth != 0 && m < p.tsMonth {
			p.tsYearAdd++
		}
		p.tsMonth = m
		h, mi, s, ns, rest, err := clock(tok(2))
		if err != nil || len(rest) != 0 {
			return time.Time{}, toks[2].s, parse.Errorf(parse.ErrSyntax, "bad time of day %q in timestamp", tok(2))
		}
		tm := time.Date(p.opt.Year+p.tsYearAdd, m, d, h, mi, s, ns, p.opt.Loc())
		if tm.Day() != d {
			return time.Time{}, toks[1].s, parse.Errorf(parse.ErrSyntax, "no such date %s %d", tok(0), d)
		}
		return tm.UTC(), 0, nil
	}
	return time.Time{}, 0, parse.Errorf(parse.ErrSyntax, "unrecognised timestamp prefix")
}

// isoTime parses date "YYYY-MM-DD" and clock "HH:MM:SS[.frac][Z|±hh[:mm]|±hhmm]".
// A time without a zone is local time in opt.Loc().
func (p *Parser) isoTime(date, clk []byte, col int) (time.Time, int, error) {
	y, _ := atoi(date[:4])
	mo, _ := atoi(date[5:7])
	d, _ := atoi(date[8:10])
	h, mi, s, ns, rest, err := clock(clk)
	if err != nil {
		return time.Time{}, col, parse.Errorf(parse.ErrSyntax, "bad ISO 8601 timestamp %q: %v", clk, err)
	}
	loc := p.opt.Loc()
	off, zoned := 0, false
	switch {
	case len(rest) == 0:
	case len(rest) == 1 && (rest[0] == 'Z' || rest[0] == 'z'):
		zoned = true
	case rest[0] == '+' || rest[0] == '-':
		z := rest[1:]
		var zh, zm int
		var ok bool
		switch {
		case len(z) == 2:
			zh, ok = atoi(z)
		case len(z) == 4:
			zh, ok = atoi(z[:2])
			if ok {
				zm, ok = atoi(z[2:])
			}
		case len(z) == 5 && z[2] == ':':
			zh, ok = atoi(z[:2])
			if ok {
				zm, ok = atoi(z[3:])
			}
		}
		if !ok || zh > 23 || zm > 59 {
			return time.Time{}, col, parse.Errorf(parse.ErrSyntax, "bad zone offset %q in timestamp", rest)
		}
		off, zoned = (zh*60+zm)*60, true
		if rest[0] == '-' {
			off = -off
		}
	default:
		return time.Time{}, col, parse.Errorf(parse.ErrSyntax, "bad ISO 8601 timestamp: trailing %q", rest)
	}
	if zoned {
		loc = time.UTC
	}
	tm := time.Date(y, time.Month(mo), d, h, mi, s, ns, loc)
	if mo < 1 || mo > 12 || tm.Day() != d {
		return time.Time{}, col, parse.Errorf(parse.ErrSyntax, "no such date %s", date)
	}
	return tm.Add(-time.Duration(off) * time.Second).UTC(), 0, nil
}

// clock parses "HH:MM:SS[.frac]" (fraction truncated to µs) and returns the rest.
func clock(b []byte) (h, m, s, ns int, rest []byte, err error) {
	if len(b) < 8 || b[2] != ':' || b[5] != ':' {
		return 0, 0, 0, 0, nil, fmt.Errorf("want HH:MM:SS")
	}
	var ok1, ok2, ok3 bool
	h, ok1 = atoi(b[:2])
	m, ok2 = atoi(b[3:5])
	s, ok3 = atoi(b[6:8])
	if !ok1 || !ok2 || !ok3 || h > 23 || m > 59 || s > 60 {
		return 0, 0, 0, 0, nil, fmt.Errorf("want HH:MM:SS")
	}
	rest = b[8:]
	if len(rest) > 0 && (rest[0] == '.' || rest[0] == ',') {
		i := 1
		us := 0
		for ; i < len(rest) && isDigit(rest[i]); i++ {
			if i <= 6 {
				us = us*10 + int(rest[i]-'0')
			}
		}
		if i == 1 {
			return 0, 0, 0, 0, nil, fmt.Errorf("empty fraction of a second")
		}
		for j := i; j <= 6; j++ {
			us *= 10
		}
		ns = us * 1000
		rest = rest[i:]
	}
	return h, m, s, ns, rest, nil
}

// atoi parses a short unsigned decimal.
func atoi(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 9 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if !isDigit(c) {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}
