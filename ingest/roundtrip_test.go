package ingest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/memory"
	"github.com/apache/arrow/go/v15/parquet/pqarrow"

	"github.com/migreplay/migreplay/ingest/parse"
	"github.com/migreplay/migreplay/schema"
	"github.com/migreplay/migreplay/schema/lake"
)

// roundTripInputs are the bundled traces plus every parser's golden inputs.
func roundTripInputs(t *testing.T) []string {
	var in []string
	for _, g := range []string{"../datasets/traces/*", "*/testdata/*/input.txt"} {
		m, _ := filepath.Glob(g)
		in = append(in, m...)
	}
	var keep []string
	for _, p := range in {
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() && !strings.HasSuffix(p, ".md") {
			keep = append(keep, p)
		}
	}
	if len(keep) == 0 {
		t.Skip("no inputs yet")
	}
	return keep
}

// Every file the ingest writes, read back with Arrow's own Parquet reader
// (pqarrow), holds exactly the records the parser produced for that source,
// table and partition, in order.
func TestLakeRoundTripThroughPqarrow(t *testing.T) {
	start := time.Date(2026, 11, 21, 23, 52, 3, 0, time.UTC)
	for _, in := range roundTripInputs(t) {
		t.Run(strings.ReplaceAll(in, "/", "_"), func(t *testing.T) {
			out := t.TempDir()
			cfg := Config{Out: out, Lenient: true, Start: start, Interval: 3 * time.Second, Year: 2026}
			sum, err := Run(context.Background(), cfg, []string{in})
			if err != nil {
				t.Fatal(err)
			}
			if len(sum.Files) != 1 {
				t.Fatalf("files %d", len(sum.Files))
			}
			want := parsedByFile(t, in, sum.Files[0], cfg)
			for _, w := range sum.Written {
				got := readBack(t, filepath.Join(out, w.Path))
				dir := filepath.ToSlash(filepath.Dir(w.Path))
				if !reflect.DeepEqual(got, want[dir]) {
					t.Errorf("%s: pqarrow read %d rows, parser gave %d; first difference: %s",
						w.Path, len(got), len(want[dir]), firstDiff(got, want[dir]))
				}
				delete(want, dir)
			}
			for dir, rows := range want {
				t.Errorf("%d parsed rows for %s were not written", len(rows), dir)
			}
		})
	}
}

// parsedByFile parses path again with the format the ingest chose and
// groups the records (as JSON-normalised column maps) by partition dir.
func parsedByFile(t *testing.T, path string, fs FileSummary, cfg Config) map[string][]any {
	t.Helper()
	var format Format
	for _, f := range formats {
		if f.Name == fs.Format {
			format = f
		}
	}
	if format.New == nil {
		t.Skipf("format %q not registered", fs.Format)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text, _, closeDec := decompress(bytes.NewReader(raw))
	defer closeDec()
	out := map[string][]any{}
	opt := parse.Options{File: path, Host: fs.Host, Lenient: true, Start: cfg.Start, Interval: cfg.Interval,
		Year: cfg.Year, OnReject: func(e *parse.ParseError) {
			rej := parse.Reject(e)
			dir := filepath.ToSlash(lake.Dir(schema.TableOf(rej), "", time.Time{}))
			out[dir] = append(out[dir], normalise(t, columns(rej)))
		}}
	p := format.New(bufio.NewReader(text), opt)
	for p.Next() {
		rec := p.Record()
		var host string
		var tm time.Time
		if pp, ok := rec.(schema.Partitioner); ok {
			host, tm = pp.Partition()
		}
		dir := filepath.ToSlash(lake.Dir(schema.TableOf(rec), host, tm))
		out[dir] = append(out[dir], normalise(t, columns(rec)))
	}
	if err := p.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// columns maps a row to {parquet column: value} with Arrow's JSON forms.
func columns(r schema.Row) map[string]any {
	v := reflect.ValueOf(r).Elem()
	m := map[string]any{}
	for i := 0; i < v.NumField(); i++ {
		name, _ := schema.ParquetTag(v.Type().Field(i))
		if name == "-" {
			continue
		}
		f := v.Field(i)
		if f.Kind() == reflect.Pointer {
			if f.IsNil() {
				m[name] = nil
				continue
			}
			f = f.Elem()
		}
		if tm, ok := f.Interface().(time.Time); ok {
			m[name] = tm.UTC().Format("2006-01-02 15:04:05.999999999")
			continue
		}
		m[name] = f.Interface()
	}
	return m
}

func readBack(t *testing.T, path string) []any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := pqarrow.ReadTable(context.Background(), bytes.NewReader(data), nil, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		t.Fatalf("pqarrow: %s: %v", path, err)
	}
	defer tbl.Release()
	var rows []any
	tr := array.NewTableReader(tbl, 4096)
	defer tr.Release()
	for tr.Next() {
		rec := tr.Record()
		for i := 0; i < int(rec.NumRows()); i++ {
			m := map[string]any{}
			for c := 0; c < int(rec.NumCols()); c++ {
				m[rec.ColumnName(c)] = rec.Column(c).GetOneForMarshal(i)
			}
			rows = append(rows, normalise(t, m))
		}
	}
	return rows
}

// normalise round-trips v through JSON with numbers kept as text, so that
// uint64 counters compare exactly and int/float widths do not matter.
func normalise(t *testing.T, v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var out any
	if err := d.Decode(&out); err != nil && err != io.EOF {
		t.Fatal(err)
	}
	return out
}

func firstDiff(a, b []any) string {
	for i := 0; i < len(a) && i < len(b); i++ {
		if !reflect.DeepEqual(a[i], b[i]) {
			x, _ := json.Marshal(a[i])
			y, _ := json.Marshal(b[i])
			return "row " + strconv.Itoa(i) + "\n  read:   " + string(x) + "\n  parsed: " + string(y)
		}
	}
	return "lengths differ"
}
