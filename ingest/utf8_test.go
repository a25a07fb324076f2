package ingest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"

	"github.com/migreplay/migreplay/ingest/parse"
	"github.com/migreplay/migreplay/ingest/parse/parsetest"
	"github.com/migreplay/migreplay/ingest/sadf"
	"github.com/migreplay/migreplay/schema"
)

// Every parser rejects a line that is not UTF-8: in each golden input that
// parses strictly, a Latin-1 byte (0xe9, é) put in the middle of a line
// makes the strict run fail at that line (at that byte, for the line
// parsers), and the lenient run reject that line, with no record holding a
// string that is not UTF-8.
func TestEveryParserRejectsNotUTF8(t *testing.T) {
	inputs, _ := filepath.Glob("*/testdata/*/input.txt")
	if len(inputs) < 50 {
		t.Fatalf("only %d testdata inputs", len(inputs))
	}
	tried := map[string]int{}
	for _, in := range inputs {
		b, err := os.ReadFile(in)
		if err != nil {
			t.Fatal(err)
		}
		format, err := pick("", b[:min(len(b), headSize)])
		if err != nil || format.Name == saFormat {
			continue
		}
		newp := func(r io.Reader, o parse.Options) parse.Parser { return format.New(r, o) }
		opt := parsetest.Options(t, filepath.Dir(in))
		opt.Lenient = false
		if parsetest.Drain(newp, b, opt).Err != nil {
			continue // inputs that must fail: the line would not be reached
		}
		lines := bytes.SplitAfter(b, []byte("\n"))
		for k := 0; k < len(lines) && k < 40; k++ {
			line := bytes.TrimRight(lines[k], "\r\n")
			if len(bytes.TrimSpace(line)) == 0 {
				continue
			}
			at := len(bytes.Join(lines[:k], nil)) + len(line)/2
			bad := append(append(bytes.Clone(b[:at]), 0xe9), b[at:]...)
			tried[format.Name]++

			opt.Lenient = false
			res := parsetest.Drain(newp, bad, opt)
			var pe *parse.ParseError
			json := format.Name == sadf.FormatJSON || format.Name == "qmp"
			switch {
			case !errors.As(res.Err, &pe):
				t.Errorf("%s line %d: strict: %v", in, k+1, res.Err)
			case !json && (pe.Line != k+1 || pe.Col != len(line)/2+1 || !errors.Is(pe, parse.ErrNotUTF8)):
				t.Errorf("%s line %d: strict: %v (col %d)", in, k+1, res.Err, pe.Col)
			case res.NotUTF8 != "":
				t.Errorf("%s line %d: strict: %s", in, k+1, res.NotUTF8)
			}

			opt.Lenient = true
			res = parsetest.Drain(newp, bad, opt)
			rejected := false
			for _, e := range res.Rejects {
				rejected = rejected || e.Line == k+1
			}
			// (a minified sadf -j is one line, data for the elements
			// before the fault: it counts as data, see sadf.JSONParser)
			minified := format.Name == sadf.FormatJSON && len(lines) == 1
			if !rejected && !minified || res.NotUTF8 != "" || !res.Stats.Balanced() {
				t.Errorf("%s line %d: lenient: rejected %v, %s, %+v", in, k+1, rejected, res.NotUTF8, res.Stats)
			}
		}
	}
	for _, f := range Formats() {
		if f != saFormat && f != "kv" && tried[f] == 0 {
			t.Errorf("no input of format %s tried", f)
		}
	}
	t.Logf("lines tried per format: %v", tried)
}

// checkLakeUTF8 reads every Parquet file under root back with parquet-go
// and fails t for any value of a STRING column, or any key-value metadata,
// that is not valid UTF-8. It returns the files and string values read,
// and the rows of table=rejects.
func checkLakeUTF8(t *testing.T, root string) (files, values, rejects int64) {
	t.Helper()
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".parquet") {
			return err
		}
		files++
		osf, err := os.Open(p)
		if err != nil {
			return err
		}
		defer osf.Close()
		st, _ := osf.Stat()
		pf, err := parquet.OpenFile(osf, st.Size())
		if err != nil {
			return err
		}
		if strings.Contains(p, "table=rejects") {
			rejects += pf.NumRows()
		}
		for _, kv := range pf.Metadata().KeyValueMetadata {
			if !utf8.ValidString(kv.Key) || !utf8.ValidString(kv.Value) {
				t.Errorf("%s: metadata %q = %q is not UTF-8", p, kv.Key, kv.Value)
			}
		}
		for _, col := range pf.Root().Columns() {
			lt := col.Type().LogicalType()
			if lt == nil {
				continue
			}
			if _, ok := lt.Value.(*format.StringType); !ok {
				continue
			}
			pages := col.Pages()
			for {
				pg, err := pages.ReadPage()
				if err == io.EOF {
					break
				}
				if err != nil {
					return err
				}
				vals := make([]parquet.Value, pg.NumValues())
				n, err := pg.Values().ReadValues(vals)
				if err != nil && err != io.EOF {
					return err
				}
				for _, v := range vals[:n] {
					values++
					if !v.IsNull() && !utf8.Valid(v.ByteArray()) {
						t.Errorf("%s: column %s holds %q, not UTF-8", p, col.Name(), v.ByteArray())
					}
				}
			}
			pages.Close()
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files, values, rejects
}

func readRejects(t *testing.T, root string) []schema.Reject {
	t.Helper()
	paths, _ := filepath.Glob(filepath.Join(root, "table=rejects", "*.parquet"))
	var out []schema.Reject
	for _, p := range paths {
		rows, err := parquet.ReadFile[schema.Reject](p)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, rows...)
	}
	return out
}

// A file name that is not UTF-8 cannot name the host: strict, an error
// asking for --host; lenient, that file's failure with every line a
// reject; with --host, it ingests, its path written with \xHH in the file
// column and the provenance metadata. A --host that is not UTF-8 is refused.
func TestFileNameNotUTF8(t *testing.T) {
	in := t.TempDir()
	bad := write(t, in, "h\xff.kv", "KV 1795305201 1\nKV oops 2\n")
	_, err := Run(context.Background(), Config{Out: t.TempDir()}, []string{bad})
	if !errors.Is(err, ErrBadInput) || !strings.Contains(err.Error(), "--host") {
		t.Fatalf("strict: %v", err)
	}

	out := t.TempDir()
	sum, err := Run(context.Background(), Config{Out: out, Lenient: true}, []string{bad})
	if err != nil {
		t.Fatal(err)
	}
	if f := sum.Files[0]; !strings.Contains(f.Error, "--host") || f.Stats.Lines != 2 || f.Stats.Reject != 2 || f.Host != "" {
		t.Errorf("lenient: %+v", f)
	}
	checkLakeUTF8(t, out)
	want := filepath.Join(in, `h\xff.kv`)
	for _, r := range readRejects(t, out) {
		if r.File != want || !strings.Contains(r.Reason, "--host") {
			t.Errorf("reject %+v", r)
		}
	}

	out = t.TempDir()
	cfg := Config{Out: out, Lenient: true, Host: "h", Command: "migreplay ingest --host h " + bad}
	if sum, err = Run(context.Background(), cfg, []string{bad}); err != nil {
		t.Fatal(err)
	}
	if f := sum.Files[0]; f.Error != "" || f.Stats.Data != 1 || f.Stats.Reject != 1 || f.Host != "h" {
		t.Errorf("--host: %+v", f)
	}
	if files, _, _ := checkLakeUTF8(t, out); files != 2 {
		t.Errorf("%d files", files)
	}
	if r := readRejects(t, out); len(r) != 1 || r[0].File != want {
		t.Errorf("rejects %+v", r)
	}
	for _, w := range sum.Written {
		if w.Source != want { // the source's identity: its path, invalid bytes as \xHH
			t.Errorf("written %+v", w)
		}
		osf, _ := os.Open(filepath.Join(out, w.Path))
		st, _ := osf.Stat()
		pf, err := parquet.OpenFile(osf, st.Size())
		if err != nil {
			t.Fatal(err)
		}
		if src, _ := pf.Lookup(schema.MetaSource); src != want {
			t.Errorf("%s: source %q", w.Path, src)
		}
		if cmd, _ := pf.Lookup(schema.MetaCommand); cmd != `migreplay ingest --host h `+want {
			t.Errorf("%s: command %q", w.Path, cmd)
		}
		osf.Close()
	}

	// A rerun of the changed source replaces its own files (its manifest
	// is found again).
	write(t, in, "h\xff.kv", "KV 1795391700 3\n")
	if sum, err = Run(context.Background(), cfg, []string{bad}); err != nil {
		t.Fatal(err)
	}
	if files := listFiles(t, out); len(files) != 1 || !strings.Contains(files[0], "date=2026-11-22") {
		t.Errorf("after the rerun: %v", files)
	}

	if _, err := Run(context.Background(), Config{Out: t.TempDir(), Host: "h\xff"}, []string{bad}); !errors.Is(err, ErrBadInput) {
		t.Errorf("--host not UTF-8: %v", err)
	}
}

func utf16LE(s string, bom bool) string {
	var b strings.Builder
	if bom {
		b.WriteString("\xff\xfe")
	}
	for _, c := range []byte(s) {
		b.WriteByte(c)
		b.WriteByte(0)
	}
	return b.String()
}

// Input that is not UTF-8 text says what it is and what to do: UTF-16
// (how to convert it), binary data (where its first NUL is), text in
// another encoding (where its first such byte is).
func TestNotTextMessages(t *testing.T) {
	in := t.TempDir()
	be := strings.NewReplacer("\x00", "").Replace(utf16LE(good, false))
	var beb strings.Builder
	for _, c := range []byte(be) {
		beb.WriteByte(0)
		beb.WriteByte(c)
	}
	for _, c := range []struct{ name, content, want string }{
		{"le-bom.txt", utf16LE(good, true), "UTF-16LE text: migreplay reads UTF-8; convert it with `iconv -f UTF-16 -t UTF-8 FILE > FILE.utf8`"},
		{"le.txt", utf16LE(good, false), "UTF-16LE text: migreplay reads UTF-8; convert it with `iconv -f UTF-16LE -t UTF-8 FILE > FILE.utf8`"},
		{"be.txt", beb.String(), "UTF-16BE text: migreplay reads UTF-8; convert it with `iconv -f UTF-16BE -t UTF-8 FILE > FILE.utf8`"},
		{"elf.bin", "\x7fELF\x02\x01\x01\x00\x00\x00garbage\n", "binary data (a NUL at byte 8), not a text trace"},
		{"latin1.txt", "caf\xe9 cr\xe8me\n", "format not recognised, and not UTF-8 text (byte 0xe9 at 4)"},
	} {
		p := write(t, in, c.name, c.content)
		_, err := Run(context.Background(), Config{Out: t.TempDir()}, []string{p})
		if !errors.Is(err, ErrBadInput) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v", c.name, err)
		}
		if !strings.HasPrefix(c.name, "le") {
			continue
		}
		// a forced format does not read UTF-16 either
		if _, err = Run(context.Background(), Config{Out: t.TempDir(), Format: "ping"}, []string{p}); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s --format ping: %v", c.name, err)
		}
		out := t.TempDir()
		sum, err := Run(context.Background(), Config{Out: out, Lenient: true}, []string{p})
		if err != nil {
			t.Fatal(err)
		}
		if st := sum.Files[0].Stats; st.Reject == 0 || !st.Balanced() {
			t.Errorf("%s lenient: %+v", c.name, st)
		}
		for _, r := range readRejects(t, out) {
			if !strings.HasPrefix(r.Reason, "UTF-16LE text") {
				t.Errorf("%s: reject %+v", c.name, r)
			}
		}
		checkLakeUTF8(t, out)
	}
}

// junkInputs writes into dir the inputs issue 9 found going wrong: binary
// junk, a Latin-1 byte in a line of every text format (from golden inputs),
// UTF-16, a line of é cut at 4,096 bytes, a line longer than MaxLine, gzip
// and zstd archives cut short or with a flipped byte, and a file name that
// is not UTF-8.
func junkInputs(t *testing.T, dir string) {
	t.Helper()
	junk := make([]byte, 64<<10)
	x := uint64(1)
	for i := range junk { // xorshift: the same junk every run
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		junk[i] = byte(x)
	}
	write(t, dir, "junk.bin", string(junk))
	latin1 := func(golden, name, after string) {
		b, err := os.ReadFile(golden)
		if err != nil {
			t.Fatal(err)
		}
		i := bytes.Index(b, []byte(after))
		if i < 0 {
			t.Fatalf("%s: no %q", golden, after)
		}
		i += len(after)
		write(t, dir, name, string(b[:i])+"\xe9"+string(b[i:]))
	}
	latin1("ping/testdata/sample_iputils_basic/input.txt", "vm.ping.txt", "64 bytes from 127.0")
	latin1("xentop/testdata/crlf/input.txt", "host-x.xentop.txt", "Domain")
	latin1("sar/testdata/sar_u/input.txt", "vm.sar.txt", "Linux")
	latin1("sadf/testdata/sadf_j_u_restart_comment/input.txt", "vm.sadf.json", `"com": "migration`)
	latin1("sadf/testdata/sadf_d_u/input.txt", "vm.sadf.csv", "\nvm")
	latin1("qmp/testdata/migration_realistic/input.txt", "kvm.qmp.jsonl", `"status": "act`)
	write(t, dir, "utf16.txt", utf16LE(good, true))
	write(t, dir, "long-e.ping.txt", "PING 127.0.0.1 (127.0.0.1) 56(84) bytes of data.\nx"+strings.Repeat("é", 3000)+"\xff\n")
	write(t, dir, "too-long.txt", "KV 1795305201 1\n"+strings.Repeat("\xe9", parse.MaxLine+1)+"\n")
	text := []byte(strings.Repeat(good, 200))
	gz, zs := gzipBytes(text), zstdBytes(text)
	write(t, dir, "cut.kv.gz", string(gz[:len(gz)/2]))
	write(t, dir, "flip.kv.gz", string(flip(gz, len(gz)/3)))
	write(t, dir, "cut.kv.zst", string(zs[:len(zs)/2]))
	write(t, dir, "h\xff.kv", good)
}

// The whole-run check of issue 9: every corpus file (../shared/corpus: jc's
// ping fixtures, sysstat's sa files and expected outputs, the XCP-ng xentop
// captures) and the junk above, in one lenient run: it lands, every file's
// lines are accounted for, the rejects table holds a row per rejected line,
// and every STRING column and metadata value of the lake reads back as
// valid UTF-8 with parquet-go. To have DuckDB read it all too:
//
//	MIGREPLAY_WHOLE_RUN_LAKE=/tmp/wl go test -run TestWholeRunLakeIsUTF8Clean ./ingest
//	NODE_PATH=$PWD/.scratch/duckdb/node_modules node scripts/duckdb_read_all.mjs /tmp/wl
//
// (the node setup is scripts/integration.sh's).
func TestWholeRunLakeIsUTF8Clean(t *testing.T) {
	if testing.Short() {
		t.Skip("reads the whole corpus")
	}
	ref := loadCorpus(t)
	// every corpus file: the binary sa files sadf refuses (reference:
	// sadf -d's exit code) are that file's failure in a lenient run
	inputs := []string{filepath.Join(sharedCorpus, "jc"), filepath.Join(sharedCorpus, "xentop"), filepath.Join(sharedCorpus, "sysstat")}
	refused := map[string]bool{}
	for _, e := range ref.SysstatBinary.Files {
		if e.Sadf.RC != 0 && e.Sadf.RC != 1 { // 1: no CPU activity to print, the file itself is fine
			refused[filepath.Base(e.Path)] = true
		}
	}
	junk := t.TempDir()
	junkInputs(t, junk)
	inputs = append(inputs, junk)

	out := os.Getenv("MIGREPLAY_WHOLE_RUN_LAKE")
	if out == "" {
		out = t.TempDir()
	}
	sum, err := Run(context.Background(), Config{Out: out, Lenient: true, Jobs: 2, Command: "test",
		Start: time.Date(2026, 11, 21, 23, 52, 3, 0, time.UTC), Interval: 3 * time.Second}, inputs)
	if err != nil {
		t.Fatal(err)
	}
	failed := map[string]bool{}
	for _, f := range sum.Files {
		if !f.Stats.Balanced() {
			t.Errorf("%s: %+v", f.Path, f.Stats)
		}
		if f.Error != "" {
			failed[filepath.Base(f.Path)] = true
		}
	}
	for _, name := range []string{"cut.kv.gz", "flip.kv.gz", "cut.kv.zst", "h\xff.kv"} {
		if !failed[name] {
			t.Errorf("%s: no failure in the summary", name)
		}
	}
	rejected := map[string]bool{}
	for _, r := range readRejects(t, out) {
		rejected[filepath.Base(r.File)] = true
	}
	for name := range refused {
		if !failed[name] && !rejected[name] {
			t.Errorf("%s (sadf refuses it): neither a failure in the summary nor a reject", name)
		}
	}
	files, values, rejects := checkLakeUTF8(t, out)
	if rejects != sum.Totals.Reject || files < 100 || values < 1000 {
		t.Errorf("%d files, %d string values, %d rejects rows for %d rejected lines", files, values, rejects, sum.Totals.Reject)
	}
	var exact, long int
	for _, r := range readRejects(t, out) {
		if r.RawBytes != nil {
			exact++
			if parse.EscapeInvalid(string(r.RawBytes)) != r.Raw {
				t.Errorf("%s:%d: raw %q is not raw_bytes escaped", r.File, r.Line, r.Raw)
			}
		}
		if strings.HasSuffix(r.File, "long-e.ping.txt") && r.Line == 2 {
			long++
			if r.RawBytes != nil || r.Raw != "x"+strings.Repeat("é", 2047) { // cut before the é byte 4,096 splits
				t.Errorf("long line: raw %d bytes, raw_bytes %d", len(r.Raw), len(r.RawBytes))
			}
		}
	}
	if exact == 0 || long != 1 {
		t.Errorf("%d rejects with raw_bytes, %d long lines", exact, long)
	}
	t.Logf("%d inputs, %d files, %d string values read back, %+v", len(sum.Files), files, values, sum.Totals)
}
