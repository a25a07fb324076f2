package ingest

import (
	"io"

	"github.com/migreplay/migreplay/ingest/parse"
	"github.com/migreplay/migreplay/schema"
)

// unknownFormat is used in lenient mode for a file no format recognises:
// every non-blank line is rejected with why (the line a read error cut,
// with that error), blank lines are structure.
func unknownFormat(why error) Format {
	return Format{Name: "unknown", New: func(r io.Reader, o parse.Options) parse.Parser {
		return &unknownParser{lines: parse.NewLines(r), opt: o, why: why}
	}}
}

type unknownParser struct {
	lines *parse.Lines
	opt   parse.Options
	why   error
	st    parse.Stats
}

func (u *unknownParser) Next() bool {
	for u.lines.Next() {
		u.st.Lines++
		b := u.lines.Bytes()
		bad := u.lines.Bad()
		if len(b) == 0 && bad == nil {
			u.st.Structure++
			continue
		}
		why := u.why
		if bad != nil && u.lines.Err() != nil {
			why = bad // the line a read error cut (a corrupt archive): that is its fault
		}
		u.st.Reject++
		if u.opt.OnReject != nil {
			u.opt.OnReject(&parse.ParseError{File: u.opt.File, Line: u.lines.Num(), Col: u.lines.BadCol(), Format: "unknown",
				Err: why, Raw: parse.Raw(b)})
		}
	}
	return false
}

func (u *unknownParser) Record() schema.Row { return nil }
func (u *unknownParser) Err() error         { return u.lines.Err() }
func (u *unknownParser) Stats() parse.Stats { return u.st }
