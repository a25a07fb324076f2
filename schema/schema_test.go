package schema_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/memory"
	"github.com/apache/arrow/go/v15/parquet/file"
	"github.com/apache/arrow/go/v15/parquet/pqarrow"

	"github.com/migreplay/migreplay/schema"
)

// Every registered table's Arrow schema must be exactly what Arrow's own
// Parquet reader (pqarrow) sees in a file written by schema's writer.
func TestArrowSchemaMatchesPqarrow(t *testing.T) {
	for _, tbl := range schema.Tables() {
		t.Run(tbl.Name, func(t *testing.T) {
			var buf bytes.Buffer
			fw := tbl.NewFileWriter(&buf, map[string]string{"k": "v"})
			if err := fw.Close(); err != nil {
				t.Fatal(err)
			}
			got := ReadArrowSchema(t, buf.Bytes())
			want := tbl.Arrow()
			if len(got.Fields()) != len(want.Fields()) {
				t.Fatalf("fields: pqarrow %d, schema %d\n%v\n%v", len(got.Fields()), len(want.Fields()), got, want)
			}
			for i, f := range want.Fields() {
				g := got.Field(i)
				if g.Name != f.Name || !arrow.TypeEqual(g.Type, f.Type) || g.Nullable != f.Nullable {
					t.Errorf("field %d: pqarrow %v, schema %v", i, g, f)
				}
			}
			kv := ReadMeta(t, buf.Bytes())
			if v := kv[schema.MetaSchemaVersion]; v != schema.Version {
				t.Errorf("schema version metadata = %q", v)
			}
			if v := kv["k"]; v != "v" {
				t.Errorf("caller metadata lost: %q", v)
			}
		})
	}
}

// Rows written come back unchanged through pqarrow, and the same rows give
// byte-identical files.
func TestRejectRoundTrip(t *testing.T) {
	rows := []schema.Reject{
		{File: "a.txt", Line: 3, Col: 7, Format: "xentop", Reason: "syntax error: x", Raw: "garbage"},
		{File: "a.txt", Line: 9, Format: "xentop", Reason: "binary data", Raw: "\x00"},
	}
	var a, b bytes.Buffer
	if err := schema.WriteRows(&a, rows, nil); err != nil {
		t.Fatal(err)
	}
	if err := schema.WriteRows(&b, rows, nil); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("same rows gave different bytes")
	}
	tbl := ReadArrowTable(t, a.Bytes())
	defer tbl.Release()
	if tbl.NumRows() != 2 {
		t.Fatalf("rows = %d", tbl.NumRows())
	}
}

// ReadArrowSchema reads a Parquet file's schema with pqarrow.
func ReadArrowSchema(t testing.TB, data []byte) *arrow.Schema {
	t.Helper()
	pf, err := file.NewParquetReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	s, err := fr.Schema()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// ReadArrowTable reads a whole Parquet file with pqarrow.
func ReadArrowTable(t testing.TB, data []byte) arrow.Table {
	t.Helper()
	tbl, err := pqarrow.ReadTable(context.Background(), bytes.NewReader(data), nil, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	return tbl
}

// ReadMeta returns a Parquet file's key-value metadata.
func ReadMeta(t testing.TB, data []byte) map[string]string {
	t.Helper()
	pf, err := file.NewParquetReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	kv := pf.MetaData().KeyValueMetadata()
	out := map[string]string{}
	for i, k := range kv.Keys() {
		out[k] = kv.Values()[i]
	}
	return out
}
