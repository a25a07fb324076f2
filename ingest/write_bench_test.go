package ingest_test

import (
	"bytes"
	"io"
	"reflect"
	"testing"

	"github.com/migreplay/migreplay/ingest/parse"
	"github.com/migreplay/migreplay/ingest/ping"
	"github.com/migreplay/migreplay/ingest/sadf"
	"github.com/migreplay/migreplay/ingest/xentop"
	"github.com/migreplay/migreplay/schema"
)

// benchRows parses a generated capture once and keeps a copy of every
// record, grouped by table, in input order.
func benchRows(b *testing.B, gen func(io.Writer) error, newp func(io.Reader, parse.Options) parse.Parser) (map[string][]schema.Row, int) {
	b.Helper()
	var in bytes.Buffer
	if err := gen(&in); err != nil {
		b.Fatal(err)
	}
	size := in.Len()
	p := newp(&in, parse.Options{File: "bench", Host: "bench"})
	out := map[string][]schema.Row{}
	for p.Next() {
		r := p.Record()
		v := reflect.New(reflect.TypeOf(r).Elem())
		v.Elem().Set(reflect.ValueOf(r).Elem())
		out[r.TableName()] = append(out[r.TableName()], v.Interface().(schema.Row))
	}
	if err := p.Err(); err != nil {
		b.Fatal(err)
	}
	return out, size
}

// benchWrite writes the rows of each table into one Parquet file in each
// iteration (to io.Discard): the write path alone, without parsing. SetBytes
// is the size of the text the rows came from, so MB/s compares with the
// parser benchmarks.
func benchWrite(b *testing.B, tables map[string][]schema.Row, size int) {
	b.SetBytes(int64(size))
	b.ReportAllocs()
	var n int64
	for b.Loop() {
		for _, rows := range tables {
			w := schema.TableOf(rows[0]).NewFileWriter(io.Discard, nil)
			for _, r := range rows {
				if err := w.Write(r); err != nil {
					b.Fatal(err)
				}
			}
			if err := w.Close(); err != nil {
				b.Fatal(err)
			}
			n += int64(len(rows))
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkWrite is the Parquet write path for the rows of 20 MB of each
// generated format (ping -D -O, sadf -d -A, xentop).
func BenchmarkWrite(b *testing.B) {
	b.Run("ping", func(b *testing.B) {
		t, n := benchRows(b, func(w io.Writer) error { return ping.Generate(w, 250_000, 1) },
			func(r io.Reader, o parse.Options) parse.Parser { return ping.NewParser(r, o) })
		benchWrite(b, t, n)
	})
	b.Run("sadf", func(b *testing.B) {
		t, n := benchRows(b, func(w io.Writer) error { return sadf.GenerateCSV(w, 20e6, 1) },
			func(r io.Reader, o parse.Options) parse.Parser { return sadf.NewCSVParser(r, o) })
		benchWrite(b, t, n)
	})
	b.Run("xentop", func(b *testing.B) {
		t, n := benchRows(b, func(w io.Writer) error { return xentop.Generate(w, 20e6, 1) },
			func(r io.Reader, o parse.Options) parse.Parser { return xentop.NewParser(r, o) })
		benchWrite(b, t, n)
	})
}
