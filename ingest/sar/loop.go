package sar

import (
	"io"

	"github.com/migreplay/migreplay/ingest/parse"
	"github.com/migreplay/migreplay/schema"
)

// LineKind is what one line of a sar-family input turned out to be.
type LineKind int

// Line kinds a line function reports to Loop.
const (
	KindStructure LineKind = iota // banner, header, blank, Average: row, repeated event
	KindData                      // a row or event: its records are in the Sink
	KindSkipped                   // a record dropped on purpose (sadc's interval-0 records)
)

// Loop is the line loop the sar text and sadf -d parsers share: it reads
// lines, hands each to the parser's line function (which fills Sink), keeps
// the line accounting, and reports bad lines — the first stops the run in
// strict mode, each goes to OnReject in lenient mode. A parser embeds Loop
// and gets Next, Record, Err and Stats from it.
type Loop struct {
	Sink Sink
	// WholeCut, when set, is asked about a last line without a newline
	// (parse.ErrCutShort): a line it accepts is read as a whole line. sar
	// text sets it to accept a line of colour resets only, which sar 12.6
	// prints after the newline of a row ending in a coloured name.
	WholeCut func(line []byte) bool

	lines  *parse.Lines
	opt    parse.Options
	format string
	line   func([]byte) (LineKind, int, error)
	stats  parse.Stats
	err    error
	done   bool
	rec    schema.Row
}

// Init starts the loop on r. line parses one line (without its line end)
// and returns its kind, or the 1-based column and error of a bad line.
func (l *Loop) Init(r io.Reader, opt parse.Options, format string, line func([]byte) (LineKind, int, error)) {
	l.lines, l.opt, l.format, l.line = parse.NewLines(r), opt, format, line
	l.Sink.Reuse = opt.Reuse
}

// Next advances to the next record.
func (l *Loop) Next() bool {
	if l.rec = l.Sink.Pop(); l.rec != nil {
		return true
	}
	l.Sink.Reset()
	for l.err == nil && !l.done {
		if !l.lines.Next() {
			l.done = true
			l.err = l.lines.Err()
			break
		}
		l.stats.Lines++
		line := l.lines.Bytes()
		if bad := l.lines.Bad(); bad != nil && !(bad == parse.ErrCutShort && l.WholeCut != nil && l.WholeCut(line)) {
			l.reject(line, l.lines.BadCol(), bad)
			continue
		}
		kind, col, err := l.line(line)
		if err != nil {
			l.Sink.Reset()
			l.reject(line, col, err)
			continue
		}
		n := l.Sink.Len()
		switch {
		case kind == KindSkipped:
			l.stats.Structure++
			l.stats.Skipped++
		case kind == KindData && n > 0:
			l.stats.Data++
			l.stats.Records += int64(n)
		default:
			l.stats.Structure++
		}
		if l.rec = l.Sink.Pop(); l.rec != nil {
			return true
		}
	}
	return false
}

func (l *Loop) reject(line []byte, col int, err error) {
	pe := &parse.ParseError{File: l.opt.File, Line: l.lines.Num(), Col: col, Format: l.format, Err: err, Raw: parse.Raw(line)}
	if !l.opt.Reject(&l.stats, pe) {
		l.err = pe
	}
}

// Record is the current record: a pointer to one of schema's sar row types,
// valid until the next call to Next.
func (l *Loop) Record() schema.Row { return l.rec }

// Err is the error that stopped the parser, nil at a clean end.
func (l *Loop) Err() error { return l.err }

// Stats is the line accounting so far.
func (l *Loop) Stats() parse.Stats { return l.stats }

// Options are the parse options the loop was started with.
func (l *Loop) Options() *parse.Options { return &l.opt }
