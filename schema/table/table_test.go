package table

import (
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/migreplay/migreplay/schema"
	"github.com/migreplay/migreplay/schema/lake"
)

type testRow struct {
	Class string   `parquet:"class,dict,zstd"`
	Cap   int64    `parquet:"cap,zstd"`
	Time  float64  `parquet:"time_s,zstd"`
	Down  *float64 `parquet:"down_s,optional,zstd"`
	Small int32    `parquet:"small,zstd"`
	Flag  bool     `parquet:"flag,zstd"`
	Ratio float32  `parquet:"ratio,zstd"`
}

func writeParquet(t *testing.T, path string, rows []testRow) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := parquet.NewGenericWriter[testRow](f, parquet.MaxRowsPerRowGroup(3), parquet.PageBufferSize(64))
	if _, err := w.Write(rows); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
}

func ptr(v float64) *float64 { return &v }

func testRows() []testRow {
	return []testRow{
		{"cpu", 10, 100.5, ptr(0.5), 1, true, 0.25},
		{"cpu", 50, 20, nil, 2, false, 0.5},
		{"mem", 60, 17, ptr(0.125), 3, true, 1.5},
		{"mem", 70, 17.25, nil, 4, false, 2},
		{"disk", 80, 16, ptr(1), 5, true, 3},
	}
}

// A Parquet file is read generically, column by column, across several row
// groups and pages, dictionary-encoded and nullable columns included.
func TestReadParquetFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "runs.parquet")
	rows := testRows()
	writeParquet(t, p, rows)
	tbl, err := Read(p, []string{"class", "cap", "time_s", "down_s", "small", "flag", "ratio"})
	if err != nil {
		t.Fatal(err)
	}
	if tbl.Rows != len(rows) {
		t.Fatalf("rows %d", tbl.Rows)
	}
	cls, _, err := tbl.Strings("class")
	if err != nil {
		t.Fatal(err)
	}
	caps, _, _ := tbl.Floats("cap")
	times, _, _ := tbl.Floats("time_s")
	down, valid, _ := tbl.Floats("down_s")
	small, _, _ := tbl.Floats("small")
	flag, _, _ := tbl.Floats("flag")
	ratio, _, _ := tbl.Floats("ratio")
	for i, r := range rows {
		if cls[i] != r.Class || caps[i] != float64(r.Cap) || times[i] != r.Time || small[i] != float64(r.Small) ||
			ratio[i] != float64(r.Ratio) || (flag[i] == 1) != r.Flag {
			t.Errorf("row %d: %s %v %v %v %v %v", i, cls[i], caps[i], times[i], small[i], flag[i], ratio[i])
		}
		if valid[i] != (r.Down != nil) || (r.Down != nil && down[i] != *r.Down) {
			t.Errorf("row %d: down %v valid %v", i, down[i], valid[i])
		}
	}
	if _, _, err := tbl.Floats("class"); err == nil {
		t.Error("text column read as numbers")
	}
	if _, err := Read(p, []string{"nope"}); err == nil || !strings.Contains(err.Error(), "time_s") {
		t.Errorf("missing column: %v", err)
	}
	all, err := Read(p, nil)
	if err != nil || len(all.Names()) != 7 {
		t.Fatalf("all columns: %v %v", all.Names(), err)
	}
}

// A lake folder: files in path order, _tmp skipped, Hive keys as text
// columns (escaped values undone, the default partition is null).
func TestReadLakeFolder(t *testing.T) {
	root := t.TempDir()
	rows := testRows()
	writeParquet(t, filepath.Join(root, "host=a%2Fb", "date=2011-05-01", "part-1.parquet"), rows[:2])
	writeParquet(t, filepath.Join(root, "host=c", "date=__HIVE_DEFAULT_PARTITION__", "part-2.parquet"), rows[2:])
	writeParquet(t, filepath.Join(root, "_tmp", "part-3.parquet"), rows) // uncommitted: skipped
	tbl, err := Read(root, []string{"time_s", "host", "date"})
	if err != nil {
		t.Fatal(err)
	}
	if tbl.Rows != 5 {
		t.Fatalf("rows %d (the _tmp file must be skipped)", tbl.Rows)
	}
	host, _, _ := tbl.Strings("host")
	date, dv, _ := tbl.Strings("date")
	times, _, _ := tbl.Floats("time_s")
	if strings.Join(host, ",") != "a/b,a/b,c,c,c" || date[0] != "2011-05-01" || dv[4] || times[4] != 16 {
		t.Errorf("host %v date %v %v times %v", host, date, dv, times)
	}
}

// A partition key the files also store as a column (the lake keeps host
// in both) is one column, read from the files, when every column is asked
// for; it used to be read twice, which failed the row count check.
func TestReadLakeKeyAlsoAColumn(t *testing.T) {
	root := t.TempDir()
	type hostRow struct {
		Host string  `parquet:"host"`
		V    float64 `parquet:"v"`
	}
	p := filepath.Join(root, "host=h1", "date=2026-11-21", "part-1.parquet")
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := parquet.Write(f, []hostRow{{"h1", 1}, {"h1", 2}}); err != nil {
		t.Fatal(err)
	}
	f.Close()
	tbl, err := Read(root, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(tbl.Names(), ","); got != "host,v,date" || tbl.Rows != 2 {
		t.Fatalf("names %s, rows %d", got, tbl.Rows)
	}
	host, _, _ := tbl.Strings("host")
	if strings.Join(host, ",") != "h1,h1" {
		t.Errorf("host %v", host)
	}
}

// MissingAsNull: a column one file lacks is null for its rows, whichever
// file comes first; a column no file has stays absent; without the option
// a missing column is an error naming the file.
func TestReadFilesMissingAsNull(t *testing.T) {
	root := t.TempDir()
	type narrow struct {
		V float64 `parquet:"v"`
	}
	type wide struct {
		V float64 `parquet:"v"`
		W *int64  `parquet:"w,optional"`
		S string  `parquet:"s"`
	}
	seven := int64(7)
	write := func(name string, rows any) string {
		p := filepath.Join(root, name)
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		switch r := rows.(type) {
		case []narrow:
			err = parquet.Write(f, r)
		case []wide:
			err = parquet.Write(f, r)
		}
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	a := write("a.parquet", []narrow{{1}, {2}})
	b := write("b.parquet", []wide{{3, &seven, "x"}, {4, nil, "y"}})
	for _, files := range [][]string{{a, b}, {b, a}} {
		tbl, err := ReadFilesWith(root, files, []string{"v", "w", "s", "nope"}, Options{MissingAsNull: true})
		if err != nil {
			t.Fatal(err)
		}
		v, _, _ := tbl.Floats("v")
		w, wok, _ := tbl.Floats("w")
		s, sok, _ := tbl.Strings("s")
		got := fmt.Sprint(v, w, wok, s, sok)
		want := map[string]string{
			a: "[1 2 3 4] [0 0 7 0] [false false true false] [  x y] [false false true true]",
			b: "[3 4 1 2] [7 0 0 0] [true false false false] [x y  ] [true true false false]",
		}[files[0]]
		if tbl.Rows != 4 || got != want {
			t.Errorf("files %v: %d rows, %s, want %s", files, tbl.Rows, got, want)
		}
		if _, err := tbl.Column("nope"); err == nil {
			t.Error("a column no file has must stay absent")
		}
	}
	if _, err := ReadFiles(root, []string{b, a}, []string{"v", "w"}); err == nil || !strings.Contains(err.Error(), "a.parquet: no column \"w\"") {
		t.Errorf("without MissingAsNull: %v", err)
	}
}

// The lake written by schema/lake reads back: rows of a registered table.
func TestReadLakeWrittenBySchema(t *testing.T) {
	root := t.TempDir()
	rows := []schema.Reject{{File: "a.txt", Line: 3, Col: 7, Format: "xentop", Reason: "x", Raw: "r"},
		{File: "b.txt", Line: 9, Format: "sar", Reason: "y", Raw: "s"}}
	if _, err := lake.WriteTable(root, rows, nil); err != nil {
		t.Fatal(err)
	}
	tbl, err := Read(filepath.Join(root, "table=rejects"), []string{"file", "line"})
	if err != nil {
		t.Fatal(err)
	}
	files, _, _ := tbl.Strings("file")
	lines, _, _ := tbl.Floats("line")
	if strings.Join(files, ",") != "a.txt,b.txt" || lines[0] != 3 || lines[1] != 9 {
		t.Errorf("%v %v", files, lines)
	}
}

func TestReadCSV(t *testing.T) {
	p := filepath.Join(t.TempDir(), "m.csv")
	data := "\xef\xbb\xbfclass, cap ,time_s,note\ncpu,10,100.5,a\ncpu,50,,b\n\"mem, big\",60,1.7e1,c\n"
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	tbl, err := Read(p, []string{"class", "cap", "time_s"})
	if err != nil {
		t.Fatal(err)
	}
	caps, _, err := tbl.Floats("cap")
	if err != nil {
		t.Fatal(err)
	}
	times, tv, _ := tbl.Floats("time_s")
	cls, _, _ := tbl.Strings("class")
	if caps[2] != 60 || times[0] != 100.5 || tv[1] || times[2] != 17 || cls[2] != "mem, big" {
		t.Errorf("caps %v times %v %v class %v", caps, times, tv, cls)
	}
	// A non-number says file:line:col.
	_, _, err = tbl.Floats("class")
	if err == nil || !strings.Contains(err.Error(), "m.csv:2:1") {
		t.Errorf("text column: %v", err)
	}
	if _, err := Read(p, []string{"missing"}); err == nil || !strings.Contains(err.Error(), "m.csv:1") {
		t.Errorf("missing column: %v", err)
	}
	bad := filepath.Join(t.TempDir(), "bad.csv")
	os.WriteFile(bad, []byte("a,b\n1,2\n3\n"), 0o644)
	var pe *csv.ParseError
	if _, err := Read(bad, nil); err == nil || !errors.As(err, &pe) {
		t.Errorf("short row: %v", err)
	}
}

// GroupByKey: groups in order of the unescaped value (a%2Fb is "a/b",
// before "c"), files in their order; a file without the key below root
// makes the split impossible.
func TestGroupByKey(t *testing.T) {
	root := t.TempDir()
	rows := testRows()
	c1 := filepath.Join(root, "host=c", "date=2011-05-01", "part-1.parquet")
	ab := filepath.Join(root, "host=a%2Fb", "date=2011-05-02", "part-2.parquet")
	c2 := filepath.Join(root, "host=c", "date=2011-05-03", "part-3.parquet")
	for _, p := range []string{c1, ab, c2} {
		writeParquet(t, p, rows[:1])
	}
	files, err := ListFiles(root)
	if err != nil {
		t.Fatal(err)
	}
	vals, groups, ok, err := GroupByKey(root, files, "host")
	if err != nil || !ok || fmt.Sprint(vals) != "[a/b c]" || fmt.Sprint(groups) != fmt.Sprint([][]string{{ab}, {c1, c2}}) {
		t.Errorf("%v %v %v %v", vals, groups, ok, err)
	}
	loose := filepath.Join(root, "part-0.parquet")
	writeParquet(t, loose, rows[:1])
	if _, _, ok, err := GroupByKey(root, append(files, loose), "host"); ok || err != nil {
		t.Errorf("a file outside host=: ok %v, err %v", ok, err)
	}
}

// RowGroups gives, row group after row group, the rows ReadFiles gives:
// a lake of several files of several row groups, with a Hive key.
func TestRowGroupsConcatenateToReadFiles(t *testing.T) {
	root := t.TempDir()
	var rows []schema.Reject
	for i := range 3*schema.RowGroupRows + 5 {
		rows = append(rows, schema.Reject{File: fmt.Sprintf("f%d", i%7), Line: int64(i), Format: "x", Raw: strings.Repeat("r", i%5)})
	}
	if _, err := lake.WriteTable(root, rows[:2*schema.RowGroupRows+1], nil); err != nil {
		t.Fatal(err)
	}
	if _, err := lake.WriteTable(root, rows[2*schema.RowGroupRows+1:], nil); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(root, "table=rejects")
	files, err := ListFiles(dir)
	if err != nil || len(files) != 2 {
		t.Fatalf("%d files, %v", len(files), err)
	}
	cols := []string{"file", "line", "raw"}
	whole, err := ReadFiles(root, files, append(cols, "table"))
	if err != nil {
		t.Fatal(err)
	}
	var gotF, gotR []string
	var gotL []float64
	groups := 0
	it := RowGroups(root, files, append(cols, "table"))
	defer it.Close()
	for it.Next() {
		groups++
		tb := it.Columns()
		f, _, _ := tb.Strings("file")
		l, _, _ := tb.Floats("line")
		r, _, _ := tb.Strings("raw")
		tn, _, _ := tb.Strings("table")
		if len(f) != tb.Rows || len(tn) != tb.Rows || tn[0] != "rejects" {
			t.Fatalf("row group %d: %d rows, %d files, key %v", groups, tb.Rows, len(f), tn[:1])
		}
		gotF, gotL, gotR = append(gotF, f...), append(gotL, l...), append(gotR, r...)
	}
	if err := it.Err(); err != nil {
		t.Fatal(err)
	}
	wf, _, _ := whole.Strings("file")
	wl, _, _ := whole.Floats("line")
	wr, _, _ := whole.Strings("raw")
	if groups != 5 || !slices.Equal(gotF, wf) || !slices.Equal(gotL, wl) || !slices.Equal(gotR, wr) {
		t.Errorf("%d row groups, %d rows; ReadFiles: %d rows (or other values)", groups, len(gotL), len(wl))
	}
	if it := RowGroups(root, files, []string{"nope"}); it.Next() || it.Err() == nil {
		t.Error("a column no file has: no error")
	}
}
