package schema_test

import (
	"bytes"
	"io"
	"reflect"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/migreplay/migreplay/schema"
)

// FuzzRejectRoundTrip: any rejects written by schema's writer read back
// equal (parquet-go's own habit of fuzzing write→read), and a writer that
// spills them (SpillTo, Spill, Unspill) writes the same bytes.
func FuzzRejectRoundTrip(f *testing.F) {
	f.Add("a.txt", int64(1), int64(0), "xentop", "syntax error", "raw line", 3)
	f.Add("", int64(-1), int64(1<<40), "", "\x00\xff", "\n\r\t", 1)
	f.Fuzz(func(t *testing.T, file string, line, col int64, format, reason, raw string, n int) {
		n = 1 + (n&0xffff)%300
		rows := make([]schema.Reject, n)
		for i := range rows {
			rows[i] = schema.Reject{File: file, Line: line + int64(i), Col: col, Format: format, Reason: reason, Raw: raw[:len(raw)*i/n]}
			if i%3 == 1 { // raw_bytes: null, empty and non-empty
				rows[i].RawBytes = []byte(raw[len(raw)*i/n:])
			}
		}
		var buf bytes.Buffer
		if err := schema.WriteRows(&buf, rows, nil); err != nil {
			t.Fatal(err)
		}
		r := parquet.NewGenericReader[schema.Reject](bytes.NewReader(buf.Bytes()))
		got := make([]schema.Reject, n+1)
		k, err := r.Read(got)
		if err != nil && err != io.EOF {
			t.Fatal(err)
		}
		if k != n || !reflect.DeepEqual(got[:k], rows) {
			t.Fatalf("read %d of %d rows back, or they differ", k, n)
		}
		var out, spill bytes.Buffer
		w := schema.TableOf(&rows[0]).NewFileWriter(&out, nil)
		if err := w.SpillTo(&spill); err != nil {
			t.Fatal(err)
		}
		for i := range rows {
			if i == n/2 {
				if err := w.Spill(); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.Write(&rows[i]); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Unspill(&spill); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out.Bytes(), buf.Bytes()) {
			t.Fatalf("spilled and read back: %d bytes, written at once: %d, different", out.Len(), buf.Len())
		}
	})
}
