// Package parse holds the contract every trace parser under ingest/<format>/
// follows: the pull-iterator shape, the located ParseError, the options a
// parser takes and the line accounting it keeps.
//
// A parser is a pull iterator in the shape of bufio.Scanner:
//
//	p := xentop.NewParser(r, opts)
//	for p.Next() {
//		row := p.Record() // a pointer to one of schema's row types
//	}
//	if err := p.Err(); err != nil { ... }
//	st := p.Stats()
//
// The struct Record points to is reused by the next call to Next; the strings
// and pointers it holds are never reused, so copying the struct (*row) is a
// safe snapshot, unless Options.Reuse says the caller copies what the
// pointers point to as well.
//
// Line accounting: every input line ends up in exactly one of the counters
// Data, Reject or Structure, so Data+Reject+Structure == Lines whenever the
// parser has been drained (Next returned false), in strict or lenient mode.
// A line that yields several records (a sadf -d row, a JSON record spread
// over many lines counts its lines once) is still one line.
package parse

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/migreplay/migreplay/schema"
)

// Sentinel errors a ParseError unwraps to.
var (
	ErrSyntax      = errors.New("syntax error")
	ErrNoTime      = errors.New("no time for this record")
	ErrLocale      = errors.New("non-C locale")
	ErrUnsupported = errors.New("unsupported input")
	ErrTooLong     = errors.New("line too long")
	ErrBinary      = errors.New("binary data")
	ErrNotUTF8     = errors.New("not valid UTF-8 text (convert the file: iconv -f ITS-ENCODING -t UTF-8 FILE > FILE.utf8)")
	ErrCutShort    = errors.New("last line has no newline: the file may be cut short mid-line, and a value in it a prefix of what was printed (complete the file, or remove its last line)")
)

// ParseError says where a trace went wrong. It unwraps to one of the
// package's sentinels (or a strconv error wrapped in one).
type ParseError struct {
	File   string
	Line   int    // 1-based
	Col    int    // 1-based byte offset, 0 when unknown
	Format string // parser name, e.g. "xentop"
	Err    error
	Raw    string // the offending line (capped at MaxRawReject bytes)
}

// MaxRawReject caps the raw text kept for a rejected line.
const MaxRawReject = 4096

func (e *ParseError) Error() string {
	if e.Col > 0 {
		return fmt.Sprintf("%s:%d:%d: %v", e.File, e.Line, e.Col, e.Err)
	}
	return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
}

func (e *ParseError) Unwrap() error { return e.Err }

// Errorf builds a ParseError wrapping sentinel with a formatted detail.
func Errorf(sentinel error, format string, args ...any) error {
	return fmt.Errorf("%w: %s", sentinel, fmt.Sprintf(format, args...))
}

// Options configures a parser. The zero value means: strict, no default
// host, times only from the trace itself.
type Options struct {
	// File names the input in errors and provenance.
	File string
	// Host is the host the trace was collected on when the trace itself
	// does not say (xentop, ping, QMP). sar and sadf carry their own.
	Host string
	// Lenient sends bad lines to OnReject instead of stopping.
	Lenient bool
	// OnReject receives each bad line in lenient mode. It may be nil.
	OnReject func(*ParseError)
	// Start and Interval give record times when the trace has none
	// (xentop frames, ping replies without -D): record i gets
	// Start + i·Interval. Used only when Start is not zero.
	Start    time.Time
	Interval time.Duration
	// Year completes timestamps that have none (moreutils ts default
	// "%b %d %H:%M:%S"). Zero means: reject such stamps with a message
	// asking for --year.
	Year int
	// Location interprets local times without a zone (sadf -dT, ts
	// prefixes). Nil means UTC.
	Location *time.Location
	// Reuse says that each record is copied whole, the numbers, booleans
	// and times its pointer fields point to included, before the next
	// call to Next (ingest writes it to a schema.FileWriter, which does):
	// the parser may then hand out those of every record from the same
	// memory instead of fresh memory for each (ping and sar do), which
	// leaves the collector next to nothing to do. Without it, what a
	// record points to is never reused. Strings, the strings *string
	// fields point to and the bytes of []byte fields are never reused
	// either way.
	Reuse bool
}

// Reject books a bad line: in lenient mode it counts pe in st, hands it
// to OnReject and returns true (go on); in strict mode it returns false,
// and pe is the error that stops the run.
func (o *Options) Reject(st *Stats, pe *ParseError) bool {
	if !o.Lenient {
		return false
	}
	st.Reject++
	if o.OnReject != nil {
		o.OnReject(pe)
	}
	return true
}

// Loc returns the location local times are read in.
func (o *Options) Loc() *time.Location {
	if o.Location == nil {
		return time.UTC
	}
	return o.Location
}

// Stats is a parser's line accounting: Lines = Data + Reject + Structure.
// Its JSON keys (ingest --json, golden files) are the words of the text
// summary.
type Stats struct {
	Lines     int64 `json:"lines"`     // lines read
	Data      int64 `json:"data"`      // lines that produced records
	Reject    int64 `json:"rejects"`   // lines rejected (lenient mode)
	Structure int64 `json:"structure"` // headers, blanks, summaries, Average: rows, skipped artefacts
	Skipped   int64 `json:"skipped"`   // of Structure: records dropped on purpose (sadc interval-0 records)
	Records   int64 `json:"records"`   // records emitted (may exceed Data: one line, several records)
}

// Balanced reports whether every line is accounted for.
func (s Stats) Balanced() bool { return s.Data+s.Reject+s.Structure == s.Lines }

// Add accumulates t into s.
func (s *Stats) Add(t Stats) {
	s.Lines += t.Lines
	s.Data += t.Data
	s.Reject += t.Reject
	s.Structure += t.Structure
	s.Skipped += t.Skipped
	s.Records += t.Records
}

// Parser is what every ingest/<format> parser implements.
type Parser interface {
	Next() bool
	Record() schema.Row
	Err() error
	Stats() Stats
}

// Reject turns err (usually a *ParseError) into the rejects table's row.
// Every string column is valid UTF-8 (DuckDB refuses a STRING column that
// is not): file, format and reason go through EscapeInvalid, and so does
// raw, whose exact bytes then also go to raw_bytes (null when raw is
// exact).
func Reject(err *ParseError) *schema.Reject {
	r := &schema.Reject{
		File:   EscapeInvalid(err.File),
		Line:   int64(err.Line),
		Col:    int64(err.Col),
		Format: EscapeInvalid(err.Format),
		Reason: EscapeInvalid(err.Err.Error()),
		Raw:    EscapeInvalid(err.Raw),
	}
	if !utf8.ValidString(err.Raw) {
		r.RawBytes = []byte(err.Raw)
	}
	return r
}

// EscapeInvalid returns s as valid UTF-8: each byte that does not belong to
// a valid UTF-8 sequence becomes the four characters \xHH (0xff → \xff);
// valid text, backslashes included, is returned as it is. It is lossless
// unless s also holds a literal \x followed by two hex digits, which is
// why the rejects table keeps raw's exact bytes apart (raw_bytes).
func EscapeInvalid(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			b.WriteString(`\x`)
			b.WriteByte(hexDigits[s[i]>>4])
			b.WriteByte(hexDigits[s[i]&15])
		} else {
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

const hexDigits = "0123456789abcdef"
