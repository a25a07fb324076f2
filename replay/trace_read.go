package replay

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// TraceError locates a problem in a dirty-rate trace file.
type TraceError struct {
	File string
	Line int // 1-based
	Col  int // 1-based byte column, 0 when unknown
	Err  error
}

func (e *TraceError) Error() string {
	if e.Col > 0 {
		return fmt.Sprintf("%s:%d:%d: %v", e.File, e.Line, e.Col, e.Err)
	}
	return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
}

func (e *TraceError) Unwrap() error { return e.Err }

// TraceRule is the one interval convention of dirty-rate series, as the
// command's help and the package documentation state it.
const TraceRule = "a rate holds from its time stamp until the next one (the last one holds on); a rate measured over the interval that ends at its time stamp (sar, QEMU's dirty-pages-rate) belongs at the previous time stamp."

// ReadTraceCSV reads a dirty-rate series: one sample per line, "time,rate"
// with time in seconds (any origin; shifted to start at 0) and rate in page
// writes per second; commas, semicolons, tabs or spaces separate; a first
// line that does not start with a number is a header; blank lines and
// lines starting with # are skipped. name is used in error messages. The
// interval convention is the Trace's, TraceRule: a rate holds from its
// time stamp until the next.
func ReadTraceCSV(r io.Reader, name string) (*Trace, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var ts, rs []float64
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		f := strings.FieldsFunc(text, func(c rune) bool { return c == ',' || c == ';' || c == '\t' || c == ' ' })
		if len(ts) == 0 && len(f) > 0 {
			if _, err := strconv.ParseFloat(f[0], 64); err != nil {
				continue // header
			}
		}
		if len(f) != 2 {
			return nil, &TraceError{name, line, 1, fmt.Errorf("%w: want 2 fields (time s, rate pages/s), got %d", ErrTrace, len(f))}
		}
		t, err := strconv.ParseFloat(f[0], 64)
		if err != nil {
			return nil, &TraceError{name, line, 1, fmt.Errorf("%w: time %q is not a number", ErrTrace, f[0])}
		}
		v, err := strconv.ParseFloat(f[1], 64)
		if err != nil {
			return nil, &TraceError{name, line, strings.Index(text, f[1]) + 1, fmt.Errorf("%w: rate %q is not a number", ErrTrace, f[1])}
		}
		if len(ts) > 0 && !(t > ts[len(ts)-1]) {
			return nil, &TraceError{name, line, 1, fmt.Errorf("%w: time %g does not increase", ErrTrace, t)}
		}
		ts = append(ts, t)
		rs = append(rs, v)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(ts) == 0 {
		return nil, &TraceError{name, line, 0, fmt.Errorf("%w: no samples", ErrTrace)}
	}
	t0 := ts[0]
	for i := range ts {
		ts[i] -= t0
	}
	t, err := NewTrace(ts, rs)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return t, nil
}
