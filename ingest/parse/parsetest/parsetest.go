// Package parsetest drains any parser into comparable values and runs the
// golden-folder tests every ingest/<format> package shares:
//
//	testdata/<case>/input.txt   the trace (a real capture says which tool and version made it)
//	testdata/<case>/options.json optional parse.Options overrides (start, interval_ms, year, host, lenient)
//	testdata/<case>/want.jsonl  one line per record: {"table":..., "row":{...}}, then a stats line
//	testdata/<case>/want.err    the strict-mode error, when the input must fail
//
// `go test ./ingest/... -update` rewrites the want files from the code.
package parsetest

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/migreplay/migreplay/ingest/parse"
	"github.com/migreplay/migreplay/schema"
)

var update = flag.Bool("update", false, "rewrite golden want files")

// New builds a parser; every ingest/<format> package's NewParser fits after
// wrapping: func(r io.Reader, o parse.Options) parse.Parser { return xentop.NewParser(r, o) }.
type New func(io.Reader, parse.Options) parse.Parser

// Result is a drained parser.
type Result struct {
	Rows    []schema.Row
	Rejects []*parse.ParseError
	Stats   parse.Stats
	Err     error
	// NotUTF8 names the first string a record held that is not valid
	// UTF-8 ("table.column = %q"), "" when there is none: Parquet's STRING
	// columns must be UTF-8 (DuckDB refuses a file that breaks the rule).
	NotUTF8 string
}

// Drain runs p to the end, copying each record (Record's struct is reused).
func Drain(newp New, input []byte, opt parse.Options) Result {
	var res Result
	if opt.Lenient {
		prev := opt.OnReject
		opt.OnReject = func(e *parse.ParseError) {
			res.Rejects = append(res.Rejects, e)
			if prev != nil {
				prev(e)
			}
		}
	}
	p := newp(bytes.NewReader(input), opt)
	for p.Next() {
		rec := p.Record()
		if res.NotUTF8 == "" {
			res.NotUTF8 = NotUTF8(rec)
		}
		res.Rows = append(res.Rows, Clone(rec))
	}
	res.Err = p.Err()
	res.Stats = p.Stats()
	return res
}

// NotUTF8 names the first string field of rec (string, *string, []string)
// that is not valid UTF-8, as "table.column = %q", or returns "".
func NotUTF8(rec schema.Row) string {
	v := reflect.ValueOf(rec)
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	for i := 0; i < v.NumField(); i++ {
		name, _ := schema.ParquetTag(v.Type().Field(i))
		f := v.Field(i)
		if f.Kind() == reflect.Pointer && !f.IsNil() {
			f = f.Elem()
		}
		var strs []string
		switch {
		case f.Kind() == reflect.String:
			strs = []string{f.String()}
		case f.Kind() == reflect.Slice && f.Type().Elem().Kind() == reflect.String:
			for j := 0; j < f.Len(); j++ {
				strs = append(strs, f.Index(j).String())
			}
		}
		for _, s := range strs {
			if !utf8.ValidString(s) {
				return fmt.Sprintf("%s.%s = %q", rec.TableName(), name, s)
			}
		}
	}
	return ""
}

// Clone snapshots a row's values, what its pointers point to included, as
// JSON: a snapshot that holds when the parser reuses that memory
// (parse.Options.Reuse).
//
// A time JSON cannot write (a year outside 0-9999: a ping -D stamp of
// 700000000000 is the year 24151) is written as "@<Unix microseconds>", the
// struct's other fields as json.Marshal writes them: such a record is the
// parser's to judge, not a reason for the harness to panic.
func Clone(r schema.Row) schema.Row {
	b, err := json.Marshal(r)
	if err != nil {
		b = marshalWide(r)
	}
	return jsonRow{table: r.TableName(), raw: b}
}

// marshalWide writes rec's fields in order, named as json.Marshal names
// them, but a time.Time (or *time.Time) as "@<Unix microseconds>".
func marshalWide(rec schema.Row) []byte {
	v := reflect.ValueOf(rec)
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	var b bytes.Buffer
	b.WriteByte('{')
	for i := 0; i < v.NumField(); i++ {
		f, sf := v.Field(i), v.Type().Field(i)
		key, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if key == "-" {
			continue
		}
		if key == "" {
			key = sf.Name
		}
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		name, _ := json.Marshal(key)
		b.Write(name)
		b.WriteByte(':')
		if t, ok := f.Interface().(time.Time); ok {
			fmt.Fprintf(&b, `"@%d"`, t.UnixMicro())
			continue
		}
		if t, ok := f.Interface().(*time.Time); ok && t != nil {
			fmt.Fprintf(&b, `"@%d"`, t.UnixMicro())
			continue
		}
		val, err := json.Marshal(f.Interface())
		if err != nil {
			panic(fmt.Sprintf("parsetest: marshal %T.%s: %v", rec, v.Type().Field(i).Name, err))
		}
		b.Write(val)
	}
	b.WriteByte('}')
	return b.Bytes()
}

type jsonRow struct {
	table string
	raw   json.RawMessage
}

func (j jsonRow) TableName() string            { return j.table }
func (j jsonRow) MarshalJSON() ([]byte, error) { return j.raw, nil }

// Lines renders a Result as golden JSON lines.
func (r Result) Lines() []byte {
	var b bytes.Buffer
	for _, row := range r.Rows {
		line, _ := json.Marshal(struct {
			Table string     `json:"table"`
			Row   schema.Row `json:"row"`
		}{row.TableName(), row})
		b.Write(line)
		b.WriteByte('\n')
	}
	for _, e := range r.Rejects {
		line, _ := json.Marshal(struct {
			Reject string `json:"reject"`
		}{e.Error()})
		b.Write(line)
		b.WriteByte('\n')
	}
	st, _ := json.Marshal(struct {
		Stats parse.Stats `json:"stats"`
	}{r.Stats})
	b.Write(st)
	b.WriteByte('\n')
	return b.Bytes()
}

type fileOptions struct {
	Host       string `json:"host"`
	Start      string `json:"start"` // RFC 3339
	IntervalMS int64  `json:"interval_ms"`
	Year       int    `json:"year"`
	Lenient    bool   `json:"lenient"`
	TZ         string `json:"tz"`
}

// Options reads dir/options.json (absent: zero options) into parse.Options.
func Options(t testing.TB, dir string) parse.Options {
	t.Helper()
	opt := parse.Options{File: filepath.Join(dir, "input.txt")}
	b, err := os.ReadFile(filepath.Join(dir, "options.json"))
	if errors.Is(err, os.ErrNotExist) {
		return opt
	}
	if err != nil {
		t.Fatal(err)
	}
	var fo fileOptions
	if err := json.Unmarshal(b, &fo); err != nil {
		t.Fatalf("%s/options.json: %v", dir, err)
	}
	opt.Host, opt.Year, opt.Lenient = fo.Host, fo.Year, fo.Lenient
	if fo.Start != "" {
		if opt.Start, err = time.Parse(time.RFC3339Nano, fo.Start); err != nil {
			t.Fatalf("%s/options.json start: %v", dir, err)
		}
	}
	opt.Interval = time.Duration(fo.IntervalMS) * time.Millisecond
	if fo.TZ != "" {
		if opt.Location, err = time.LoadLocation(fo.TZ); err != nil {
			t.Fatal(err)
		}
	}
	return opt
}

// Golden walks testdata/*/input.txt and compares each case with its want
// files. It also checks the line accounting: after a strict run without
// error, and after a lenient run always, Data+Reject+Structure == Lines.
func Golden(t *testing.T, newp New) {
	dirs, _ := filepath.Glob("testdata/*/input.txt")
	if len(dirs) == 0 {
		t.Fatal("no testdata/*/input.txt")
	}
	for _, in := range dirs {
		dir := filepath.Dir(in)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			input, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			opt := Options(t, dir)
			res := Drain(newp, input, opt)
			if res.Err == nil || opt.Lenient {
				CheckBalanced(t, res.Stats)
			}
			if res.NotUTF8 != "" {
				t.Errorf("a record holds a string that is not UTF-8: %s", res.NotUTF8)
			}
			gotLines := res.Lines()
			var gotErr []byte
			if res.Err != nil {
				gotErr = []byte(res.Err.Error() + "\n")
			}
			compare(t, filepath.Join(dir, "want.jsonl"), gotLines)
			compare(t, filepath.Join(dir, "want.err"), gotErr)
			// Lenient mode never fails on a bad line and still balances.
			lopt := opt
			lopt.Lenient = true
			lres := Drain(newp, input, lopt)
			if lres.Err != nil && !isReadErr(lres.Err) {
				t.Errorf("lenient run failed: %v", lres.Err)
			}
			CheckBalanced(t, lres.Stats)
			// Reusing what records point to changes no record.
			ropt := opt
			ropt.Reuse = true
			SameWithReuse(t, res, Drain(newp, input, ropt))
		})
	}
}

// SameWithReuse fails t unless a run with parse.Options.Reuse (got) gave
// the records, error and counts of the same run without it (want).
func SameWithReuse(t testing.TB, want, got Result) {
	t.Helper()
	if !bytes.Equal(got.Lines(), want.Lines()) {
		t.Errorf("with Options.Reuse the records differ:\n%s", diff(string(want.Lines()), string(got.Lines())))
	}
	if fmt.Sprint(got.Err) != fmt.Sprint(want.Err) || got.Stats != want.Stats {
		t.Errorf("with Options.Reuse: error %v, stats %+v; without: %v, %+v", got.Err, got.Stats, want.Err, want.Stats)
	}
}

func isReadErr(err error) bool {
	var pe *parse.ParseError
	return !errors.As(err, &pe)
}

// CheckBalanced fails t unless every line is accounted for.
func CheckBalanced(t testing.TB, s parse.Stats) {
	t.Helper()
	if !s.Balanced() {
		t.Errorf("line accounting: data %d + reject %d + structure %d != lines %d",
			s.Data, s.Reject, s.Structure, s.Lines)
	}
}

func compare(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if len(got) == 0 {
			_ = os.Remove(path)
			return
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		want = nil
	} else if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (run with -update to rewrite):\n%s", path, diff(string(want), string(got)))
	}
}

func diff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return fmt.Sprintf("first difference at line %d:\nwant: %s\ngot:  %s", i+1, a, b)
		}
	}
	return ""
}

// Fuzz checks the parser invariants on arbitrary input: it never panics, in
// lenient mode it never stops on a bad line, every line is accounted for,
// and every string it hands on (records, and rejects as the rejects table
// stores them) is valid UTF-8. Call it from a FuzzXxx target's f.Fuzz body.
func Fuzz(t *testing.T, newp New, data []byte) {
	opt := parse.Options{File: "fuzz", Lenient: true, Year: 2026,
		Start: time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC), Interval: time.Second}
	res := Drain(newp, data, opt)
	if res.Err != nil && !isReadErr(res.Err) {
		t.Fatalf("lenient run stopped: %v", res.Err)
	}
	CheckBalanced(t, res.Stats)
	if int64(len(res.Rejects)) != res.Stats.Reject {
		t.Fatalf("%d rejects reported, %d counted", len(res.Rejects), res.Stats.Reject)
	}
	if res.NotUTF8 != "" {
		t.Fatalf("a record holds a string that is not UTF-8: %s", res.NotUTF8)
	}
	for _, e := range res.Rejects {
		if s := NotUTF8(parse.Reject(e)); s != "" {
			t.Fatalf("a reject holds a string that is not UTF-8: %s", s)
		}
	}
	ropt := opt
	ropt.Reuse = true
	SameWithReuse(t, res, Drain(newp, data, ropt))
	opt.Lenient = false
	if res := Drain(newp, data, opt); res.NotUTF8 != "" { // strict: must not panic either
		t.Fatalf("strict: a record holds a string that is not UTF-8: %s", res.NotUTF8)
	}
}

// AddSeeds adds to a fuzz target's corpus every file matching glob that
// keep accepts (nil: all) and, from each, the inputs issue 9 asks fuzzing
// to cover:
// cut short (the last line without its newline; cut in the middle of its
// last line), not UTF-8 (a Latin-1 byte in a middle line; a character cut
// inside its UTF-8 sequence), and coloured as sysstat's S_COLORS=always
// colours sar (SGR escapes around each value).
func AddSeeds(f *testing.F, glob string, keep func(input []byte) bool) {
	files, _ := filepath.Glob(glob)
	if len(files) == 0 {
		f.Fatalf("no seeds match %s", glob)
	}
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		if keep != nil && !keep(b) {
			continue
		}
		for _, v := range Variants(b) {
			f.Add(v)
		}
	}
}

// Variants is b and the variants AddSeeds adds.
func Variants(b []byte) [][]byte {
	out := [][]byte{b}
	trimmed := bytes.TrimRight(b, "\n")
	if len(trimmed) == 0 {
		return out
	}
	out = append(out, trimmed)                     // no final newline
	last := bytes.LastIndexByte(trimmed, '\n') + 1 // start of the last line
	out = append(out, b[:last+(len(trimmed)-last)/2])
	lines := bytes.SplitAfter(b, []byte("\n"))
	mid := len(lines) / 2
	at := len(bytes.Join(lines[:mid], nil)) + len(lines[mid])/2
	insert := func(s string) []byte { return append(append(bytes.Clone(b[:at]), s...), b[at:]...) }
	out = append(out, insert("\xe9"), insert("\xe2\x86 "))
	out = append(out, sgr.ReplaceAll(b, []byte("\x1b[34;1m$1\x1b[0m")))
	return out
}

// sgr finds the values sysstat colours: a run of spaces and the value after
// it, after a line's first field.
var sgr = regexp.MustCompile(`( +[-0-9.,a-z%]+)`)

// MergeHosts makes, from one host's sadf -d or -p output (fields split by
// sep, the host first and the timestamp third), what a monitoring system's
// export of two hosts looks like: the same output under the host name
// other (second), and both merged by time (merged): each run of lines of
// one timestamp, then the same run under other. Header, comment and blank
// lines stay once, in place.
func MergeHosts(in []byte, sep, other string) (second, merged []byte) {
	lines := strings.SplitAfter(string(in), "\n")
	stamp := func(l string) string {
		if f := strings.SplitN(l, sep, 4); !strings.HasPrefix(l, "#") && len(f) == 4 {
			return f[2]
		}
		return ""
	}
	host := ""
	for _, l := range lines {
		if stamp(l) != "" {
			host = strings.SplitN(l, sep, 2)[0]
			break
		}
	}
	rename := func(l string) string {
		if host != "" && strings.HasPrefix(l, host+sep) {
			return other + l[len(host):]
		}
		return l
	}
	var s, m strings.Builder
	for _, l := range lines {
		s.WriteString(rename(l))
	}
	for i := 0; i < len(lines); {
		j := i + 1
		for st := stamp(lines[i]); st != "" && j < len(lines) && stamp(lines[j]) == st; j++ {
		}
		for _, l := range lines[i:j] {
			m.WriteString(l)
		}
		if stamp(lines[i]) != "" {
			for _, l := range lines[i:j] {
				m.WriteString(rename(l))
			}
		}
		i = j
	}
	return []byte(s.String()), []byte(m.String())
}
