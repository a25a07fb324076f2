package qmp_test

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/migreplay/migreplay/ingest/parse"
	"github.com/migreplay/migreplay/ingest/parse/parsetest"
	"github.com/migreplay/migreplay/ingest/qmp"
	"github.com/migreplay/migreplay/schema"
)

func newParser(r io.Reader, o parse.Options) parse.Parser { return qmp.NewParser(r, o) }

// Golden cases: each testdata/<case>/source.txt says where the input comes
// from (migration_realistic is written by its make.py). The want files were
// generated with -update and checked against the inputs by hand.
func TestGolden(t *testing.T) { parsetest.Golden(t, newParser) }

func drain(t *testing.T, in []byte, opt parse.Options) ([]schema.QMPMigrate, parse.Stats) {
	t.Helper()
	p := qmp.NewParser(bytes.NewReader(in), opt)
	var rows []schema.QMPMigrate
	for p.Next() {
		rows = append(rows, *p.Record().(*schema.QMPMigrate))
	}
	if err := p.Err(); err != nil {
		t.Fatal(err)
	}
	return rows, p.Stats()
}

// The realistic migration's invariants, stated in its make.py, hold on the
// parsed rows: transferred = precopy + downtime + postcopy bytes,
// normal-bytes = normal·page-size, transferred = normal·4104 + duplicate·9,
// dirty-sync-count never decreases, times and total-time grow by 700 ms,
// and the run ends completed with a downtime.
func TestRealisticMigration(t *testing.T) {
	in, err := os.ReadFile("testdata/migration_realistic/input.txt")
	if err != nil {
		t.Fatal(err)
	}
	rows, st := drain(t, in, parse.Options{Host: "kvm-src"})
	if len(rows) != 21 || st.Data != 21 || st.Records != 21 || !st.Balanced() {
		t.Fatalf("%d rows, stats %+v", len(rows), st)
	}
	for i, r := range rows {
		tr := *r.RAMTransferred
		if tr != *r.RAMPrecopyBytes+*r.RAMDowntimeBytes+*r.RAMPostcopyBytes ||
			*r.RAMNormalBytes != *r.RAMNormal**r.RAMPageSize ||
			tr != *r.RAMNormal*4104+*r.RAMDuplicate*9 {
			t.Errorf("poll %d: byte counters disagree: %+v", i, r)
		}
		if r.Poll != int64(i) || r.Host != "kvm-src" {
			t.Errorf("poll %d: poll %d host %q", i, r.Poll, r.Host)
		}
		if i == 0 {
			continue
		}
		p := rows[i-1]
		if *r.RAMDirtySyncCount < *p.RAMDirtySyncCount || r.Time.Sub(*p.Time) != 700*time.Millisecond {
			t.Errorf("poll %d: sync %d after %d, time step %v", i, *r.RAMDirtySyncCount, *p.RAMDirtySyncCount, r.Time.Sub(*p.Time))
		}
		if i > 1 && i < 20 && (*r.TotalTimeMs-*p.TotalTimeMs != 700 || *r.Status != "active" || r.DowntimeMs != nil) {
			t.Errorf("poll %d: total-time %d after %d, status %s", i, *r.TotalTimeMs, *p.TotalTimeMs, *r.Status)
		}
	}
	last := rows[20]
	if *last.Status != "completed" || last.DowntimeMs == nil || *last.RAMRemaining != 0 || *last.RAMDirtySyncCount != 5 {
		t.Errorf("last poll %+v", last)
	}
	if *rows[0].Status != "setup" || rows[0].TotalTimeMs != nil || !rows[0].Time.Equal(time.UnixMicro(1795305600_250000)) {
		t.Errorf("first poll %+v", rows[0])
	}
}

// Times: each form of wrapped_forms/input.txt decodes to the instant the
// line states (worked out by hand; Europe/Paris is UTC+1 in November).
func TestWrappedTimes(t *testing.T) {
	in, err := os.ReadFile("testdata/wrapped_forms/input.txt")
	if err != nil {
		t.Fatal(err)
	}
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip("no tzdata:", err)
	}
	rows, _ := drain(t, in, parse.Options{Location: paris})
	want := []int64{ // µs since the epoch
		1795305600_000000, 1795305600_500000, 1795305601_000250, 1795305601_500000,
		time.Date(2026, 11, 21, 9, 0, 3, 250e6, time.UTC).UnixMicro(),
		time.Date(2026, 11, 21, 9, 0, 3, 750e6, time.UTC).UnixMicro(),
		1795305604_250000, 1795305604_750000, 1795305605_250000,
	}
	if len(rows) != len(want)+1 {
		t.Fatalf("%d rows", len(rows))
	}
	for i, w := range want {
		if rows[i].Time == nil || rows[i].Time.UnixMicro() != w {
			t.Errorf("row %d: time %v, want %v", i, rows[i].Time, time.UnixMicro(w).UTC())
		}
	}
	if rows[len(want)].Time != nil {
		t.Errorf("bare poll without timestamp got time %v", rows[len(want)].Time)
	}
}

func TestDetect(t *testing.T) {
	yes := map[string]string{
		"jsonl":   `{"timestamp": 1795305600.25, "return": {"status": "setup", "ram": {"total": 1}}}`,
		"pretty":  "[\n  {\n    \"status\": \"active\",\n    \"total-time\": 5,\n",
		"traffic": `{"QMP": {"version": {}}}` + "\n" + `{"return": {"status": "active", "ram": {}}}`,
	}
	for name, s := range yes {
		if !qmp.Detect([]byte(s)) {
			t.Errorf("%s: not detected", name)
		}
	}
	no := map[string]string{
		"empty":   "",
		"sadf -j": `{"sysstat": {"hosts": [{"statistics": [{"status": "x", "ram": 1, "total-time": 2}]}]}}`,
		"sar":     "Linux 6.1.0-13-amd64 (bookworm) \t11/21/2026 \t_x86_64_\t(2 CPU)\n",
		"xentop":  "      NAME  STATE   CPU(sec) CPU(%)\n",
		"ping":    "PING 127.0.0.1 (127.0.0.1) 56(84) bytes of data.\n",
		"other":   `{"status": "ok", "items": []}`,
	}
	for name, s := range no {
		if qmp.Detect([]byte(s)) {
			t.Errorf("%s: detected as qmp", name)
		}
	}
}

// The strict error of a bad pretty-printed poll points at the bad value.
func TestStrictError(t *testing.T) {
	in, err := os.ReadFile("testdata/bad_value/input.txt")
	if err != nil {
		t.Fatal(err)
	}
	res := parsetest.Drain(newParser, in, parse.Options{File: "m.json"})
	var pe *parse.ParseError
	if !errors.As(res.Err, &pe) || pe.Line != 5 || pe.Col != 16 || !errors.Is(res.Err, parse.ErrSyntax) {
		t.Fatalf("got %v", res.Err)
	}
	if got := res.Err.Error(); got != "m.json:5:16: syntax error: ram.total: want a number" {
		t.Errorf("message %q", got)
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

// writePolls writes n JSON-lines polls in the wrapped form of
// migration_realistic (numbers advance with the poll index).
func writePolls(w io.Writer, n int) error {
	bw := bufio.NewWriterSize(w, 256<<10)
	var b []byte
	for i := 0; i < n; i++ {
		k := int64(i)
		b = append(b[:0], `{"timestamp": `...)
		b = strconv.AppendFloat(b, 1795305600.25+0.1*float64(i), 'f', 2, 64)
		b = append(b, `, "return": {"status": "active", "setup-time": 12, "total-time": `...)
		b = strconv.AppendInt(b, 100*k, 10)
		b = append(b, `, "expected-downtime": 413, "ram": {"transferred": `...)
		b = strconv.AppendInt(b, 11_750_000*k, 10)
		b = append(b, `, "remaining": `...)
		b = strconv.AppendInt(b, 4312006656-(k%300)*11_750_000, 10)
		b = append(b, `, "total": 4312006656, "duplicate": 736915, "skipped": 0, "normal": `...)
		b = strconv.AppendInt(b, 2863*k, 10)
		b = append(b, `, "normal-bytes": `...)
		b = strconv.AppendInt(b, 2863*4096*k, 10)
		b = append(b, `, "dirty-pages-rate": 7181, "mbps": 935.164, "dirty-sync-count": `...)
		b = strconv.AppendInt(b, 1+k/50, 10)
		b = append(b, `, "page-size": 4096, "multifd-bytes": 0, "pages-per-second": 28630, "precopy-bytes": `...)
		b = strconv.AppendInt(b, 11_750_000*k, 10)
		b = append(b, `, "downtime-bytes": 0, "postcopy-bytes": 0, "dirty-sync-missed-zero-copy": 0}}}`+"\n"...)
		if _, err := bw.Write(b); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// benchInput is ≥100 MB of JSON-lines polls (200,000 polls of ~550 bytes),
// generated once per process.
func benchInput(b *testing.B) string {
	return parsetest.BenchFile(b, "polls.jsonl", func(w io.Writer) error { return writePolls(w, 200_000) })
}

// BenchmarkParse parses ≥100 MB of JSON-lines polls from a file: MB/s,
// lines/s and MB per CPU-second (see parsetest.BenchParse for comparing runs).
func BenchmarkParse(b *testing.B) {
	parsetest.BenchParse(b, benchInput(b), func(r io.Reader, o parse.Options) parse.Parser { return qmp.NewParser(r, o) })
}

// writePolls' output parses strictly into one row per line.
func TestWritePolls(t *testing.T) {
	var buf bytes.Buffer
	if err := writePolls(&buf, 1000); err != nil {
		t.Fatal(err)
	}
	rows, st := drain(t, buf.Bytes(), parse.Options{})
	if len(rows) != 1000 || st.Data != 1000 || !qmp.Detect(buf.Bytes()) || strings.Count(buf.String(), "\n") != 1000 {
		t.Fatalf("%d rows, stats %+v", len(rows), st)
	}
}

// Line accounting on small inputs, counted by hand: a line is data if it
// holds part of a poll, a reject if any object on it is bad, structure
// otherwise; every bad line is reported once.
func TestAccounting(t *testing.T) {
	cases := []struct {
		name, in                      string
		rows, data, reject, structure int64
		skipped                       int64
	}{
		{"two polls on a line", `{"status":"a"} {"status":"b"}` + "\n", 2, 1, 0, 0, 0},
		{"good and bad on a line", `{"status":"a"} {"foo":1}` + "\n", 1, 0, 1, 0, 0},
		{"bad then good on a line", `{"foo":1},{"status":"a"}` + "\n", 1, 0, 1, 0, 0},
		{"object across lines, next starts on its last line", "[{\"status\":\"a\",\n\"total-time\":1}, {\"status\":\n\"b\"}]\n", 2, 3, 0, 0, 0},
		{"skipped and poll on a line", `{"event":"X"} {"status":"a"}` + "\n", 1, 1, 0, 0, 0},
		{"skipped alone", `{"QMP":{}}` + "\n\n", 0, 0, 0, 2, 1},
		{"bad multi-line then good", "{\"status\":\n1}\n{\"status\":\"a\"}\n", 1, 1, 2, 0, 0},
		{"garbage after a poll", `{"status":"a"} x` + "\n", 1, 0, 1, 0, 0},
		{"stray ]", "]\n{\"status\":\"a\"}\n", 1, 1, 1, 0, 0},
		{"unclosed at EOF", "{\"status\":\"a\",\n\"ram\": {\n", 0, 0, 2, 0, 0},
		{"deep nesting", strings.Repeat("[", 100) + `{"status":"a"}` + strings.Repeat("]", 100) + "\n", 1, 1, 0, 0, 0},
		{"too deep object", `{"status":"a","x":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + "}\n", 0, 0, 1, 0, 0},
	}
	for _, c := range cases {
		res := parsetest.Drain(newParser, []byte(c.in), parse.Options{Lenient: true})
		st := res.Stats
		if res.Err != nil || int64(len(res.Rows)) != c.rows || st.Data != c.data || st.Reject != c.reject ||
			st.Structure != c.structure || st.Skipped != c.skipped || int64(len(res.Rejects)) != st.Reject || !st.Balanced() {
			t.Errorf("%s: err %v, %d rows, %d reports, stats %+v", c.name, res.Err, len(res.Rows), len(res.Rejects), st)
		}
	}
}

// A line longer than parse.MaxLine is rejected as ErrTooLong; an object
// open across it is rejected with it, and the lines after are parsed.
func TestTooLongLine(t *testing.T) {
	long := `{"status": "active", "error-desc": "` + strings.Repeat("x", parse.MaxLine) + `"}`
	in := []byte(`{"status": "active"}` + "\n" + long + "\n" + `{"status": "active",` + "\n" + long + "\n" + `{"status": "completed"}` + "\n")
	res := parsetest.Drain(newParser, in, parse.Options{File: "f"})
	if !errors.Is(res.Err, parse.ErrTooLong) || !strings.HasPrefix(res.Err.Error(), "f:2: ") {
		t.Fatalf("strict: %v", res.Err)
	}
	res = parsetest.Drain(newParser, in, parse.Options{File: "f", Lenient: true})
	st := res.Stats
	if res.Err != nil || len(res.Rows) != 2 || st.Reject != 3 || st.Data != 2 || !st.Balanced() || len(res.Rejects) != 3 {
		t.Fatalf("lenient: %v %d rows %+v", res.Err, len(res.Rows), st)
	}
}
