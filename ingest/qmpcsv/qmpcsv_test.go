package qmpcsv_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/migreplay/migreplay/ingest/parse"
	"github.com/migreplay/migreplay/ingest/parse/parsetest"
	"github.com/migreplay/migreplay/ingest/qmp"
	"github.com/migreplay/migreplay/ingest/qmpcsv"
	"github.com/migreplay/migreplay/schema"
)

func newParser(r io.Reader, o parse.Options) parse.Parser { return qmpcsv.NewParser(r, o) }

// Golden cases: each testdata/<case>/source.txt says where the input comes
// from (real_*: lab migrations exported by lab/qemu/qmp2csv.py; the others
// written by hand). The want files were generated with -update and checked
// against the inputs by hand (units/source.txt works its values out).
func TestGolden(t *testing.T) { parsetest.Golden(t, newParser) }

// A CSV export reads back into the rows the JSON log gave: real_qmp_names
// and real_column_names were exported from lab logs by qmp2csv.py; the same
// logs, rebuilt here as JSON lines from the CSV's own cells, go through the
// JSON parser (ingest/qmp), and every row matches column for column.
func TestSameRowsAsJSON(t *testing.T) {
	for _, c := range []string{"real_qmp_names", "real_column_names"} {
		in, err := os.ReadFile(filepath.Join("testdata", c, "input.txt"))
		if err != nil {
			t.Fatal(err)
		}
		got := parsetest.Drain(newParser, in, parse.Options{})
		if got.Err != nil {
			t.Fatal(got.Err)
		}
		js := jsonFromCSV(t, in, c == "real_column_names")
		want := parsetest.Drain(func(r io.Reader, o parse.Options) parse.Parser { return qmp.NewParser(r, o) }, js, parse.Options{})
		if want.Err != nil {
			t.Fatal(want.Err)
		}
		if len(got.Rows) != len(want.Rows) || len(got.Rows) < 30 {
			t.Fatalf("%s: %d rows, JSON %d", c, len(got.Rows), len(want.Rows))
		}
		for i := range got.Rows {
			g, _ := json.Marshal(got.Rows[i])
			w, _ := json.Marshal(want.Rows[i])
			if !bytes.Equal(g, w) {
				t.Errorf("%s row %d:\n csv  %s\n json %s", c, i, g, w)
			}
		}
	}
}

// jsonFromCSV writes each CSV row as a QMP poll object: QMP names nest at
// their dot; column names are mapped back through the table's known pairs.
func jsonFromCSV(t *testing.T, in []byte, columns bool) []byte {
	t.Helper()
	back := map[string]string{"total_time_ms": "total-time", "expected_downtime_ms": "expected-downtime",
		"downtime_ms": "downtime", "setup_time_ms": "setup-time"}
	sc := bufio.NewScanner(bytes.NewReader(in))
	sc.Scan()
	head := strings.Split(sc.Text(), ",")
	var out bytes.Buffer
	for sc.Scan() {
		cells := strings.Split(sc.Text(), ",")
		top, ram := map[string]any{}, map[string]any{}
		for k, h := range head {
			v := cells[k]
			if v == "" {
				continue
			}
			if columns {
				if q, ok := back[h]; ok {
					h = q
				} else if r, ok := strings.CutPrefix(h, "ram_"); ok {
					h = "ram." + strings.ReplaceAll(r, "_", "-")
				}
			}
			var val any = json.RawMessage(v)
			if h == "status" || h == "time" || h == "timestamp" {
				val = v
			}
			if r, ok := strings.CutPrefix(h, "ram."); ok {
				ram[r] = val
			} else {
				top[h] = val
			}
		}
		if len(ram) > 0 {
			top["ram"] = ram
		}
		b, err := json.Marshal(top)
		if err != nil {
			t.Fatal(err)
		}
		out.Write(b)
		out.WriteByte('\n')
	}
	return out.Bytes()
}

// Every qmp_migrate column a poll fills can be named in a header, by its
// column name: the header of all of them reads, and each value lands in its
// column (found by the parquet tag, independently of the parser's table).
func TestEveryColumnByName(t *testing.T) {
	rt := reflect.TypeFor[schema.QMPMigrate]()
	var head, vals []string
	skip := map[string]bool{"host": true, "time": true, "poll": true, "other_fields": true,
		"libvirt_time_elapsed_ms": true, "libvirt_downtime_ms": true}
	for i := range rt.NumField() {
		name, _, _ := strings.Cut(rt.Field(i).Tag.Get("parquet"), ",")
		if skip[name] {
			continue
		}
		head = append(head, name)
		switch rt.Field(i).Type.Elem().Kind() {
		case reflect.String:
			vals = append(vals, "s"+fmt.Sprint(i))
		case reflect.Float64:
			vals = append(vals, fmt.Sprint(i)+".5")
		default:
			vals = append(vals, fmt.Sprint(i))
		}
	}
	in := strings.Join(head, ",") + "\n" + strings.Join(vals, ",") + "\n"
	res := parsetest.Drain(newParser, []byte(in), parse.Options{})
	if res.Err != nil || len(res.Rows) != 1 {
		t.Fatalf("%v, %d rows", res.Err, len(res.Rows))
	}
	b, _ := json.Marshal(res.Rows[0])
	var row map[string]any
	json.Unmarshal(b, &row)
	for k, h := range head {
		if got := fmt.Sprint(row[h]); got != vals[k] {
			t.Errorf("%s: %s, want %s", h, got, vals[k])
		}
	}
}

func TestDetect(t *testing.T) {
	dirs, _ := filepath.Glob("testdata/*/input.txt")
	for _, f := range dirs {
		in, _ := os.ReadFile(f)
		if !qmpcsv.Detect(in) {
			t.Errorf("%s: not detected", f)
		}
	}
	no := map[string]string{
		"empty":    "",
		"sadf -d":  "# hostname;interval;timestamp;CPU;%user;%nice;%system;%iowait;%steal;%idle\nbookworm;600;2026-11-21 10:10:00 UTC;-1;0.5;0.0;0.3;0.0;0.0;99.2\n",
		"qmp":      `{"timestamp": 1795305600.25, "return": {"status": "setup", "ram": {"total": 1}}}` + "\n",
		"one name": "time,status,foo\n1,active,2\n",
		"idc":      "vm,class,mem_mib,cpu\nweb1,web,2048,2\n",
		"xentop":   "      NAME  STATE   CPU(sec) CPU(%)\n",
	}
	for name, s := range no {
		if qmpcsv.Detect([]byte(s)) {
			t.Errorf("%s: detected as qmp-csv", name)
		}
	}
}

func FuzzParse(f *testing.F) {
	parsetest.AddSeeds(f, "testdata/*/input.txt", func(b []byte) bool { return len(b) < 64<<10 })
	f.Fuzz(func(t *testing.T, data []byte) { parsetest.Fuzz(t, newParser, data) })
}

func TestMain(m *testing.M) {
	code := m.Run()
	parsetest.CleanupBenchFiles()
	os.Exit(code)
}

// writeRows writes a header of QMP names and n rows of advancing values
// (the columns of a QEMU 10 poll, as qmp2csv.py exports them).
func writeRows(w io.Writer, n int) error {
	cw := &parsetest.CountWriter{W: w}
	fmt.Fprintln(cw, "timestamp,status,expected-downtime,setup-time,total-time,ram.total,ram.postcopy-requests,ram.dirty-sync-count,ram.multifd-bytes,ram.pages-per-second,ram.downtime-bytes,ram.page-size,ram.remaining,ram.postcopy-bytes,ram.mbps,ram.transferred,ram.dirty-sync-missed-zero-copy,ram.precopy-bytes,ram.duplicate,ram.dirty-pages-rate,ram.normal-bytes,ram.normal")
	for i := 0; i < n; i++ {
		fmt.Fprintf(cw, "%d.%06d,active,300,1,%d,1074003968,0,%d,0,7300,0,4096,%d,0,245.25,%d,0,%d,%d,6100,%d,%d\n",
			1796425400+i/10, i%10*100000, 100*i, 1+i/50, 1074003968-i*1000, 12_000_000*i, 12_000_000*i, 2000+i, 4096*2900*i, 2900*i)
	}
	return cw.Err
}

// BenchmarkParse parses ~100 MB of CSV rows (600,000 polls) from a file:
// MB/s, lines/s, records/s and MB per CPU-second (see parsetest.BenchParse
// for comparing two runs with benchstat).
func BenchmarkParse(b *testing.B) {
	path := parsetest.BenchFile(b, "polls.csv", func(w io.Writer) error { return writeRows(w, 600_000) })
	parsetest.BenchParse(b, path, newParser)
}

// writeRows' output parses strictly into one row per line.
func TestWriteRows(t *testing.T) {
	var buf bytes.Buffer
	if err := writeRows(&buf, 1000); err != nil {
		t.Fatal(err)
	}
	res := parsetest.Drain(newParser, buf.Bytes(), parse.Options{})
	if res.Err != nil || len(res.Rows) != 1000 || res.Stats.Data != 1000 || !qmpcsv.Detect(buf.Bytes()) {
		t.Fatalf("%v: %d rows %+v", res.Err, len(res.Rows), res.Stats)
	}
}
