package ingest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"github.com/migreplay/migreplay/ingest/parse"
	"github.com/migreplay/migreplay/schema"
)

// testRow is a toy table for exercising the plumbing without a real format.
type testRow struct {
	Host  string    `parquet:"host,dict,zstd" doc:"host"`
	Time  time.Time `parquet:"time,timestamp(microsecond),zstd" doc:"time"`
	Value int64     `parquet:"value,zstd" doc:"value"`
}

func (*testRow) TableName() string                { return "ingest_test_kv" }
func (r *testRow) Partition() (string, time.Time) { return r.Host, r.Time }

var _ = schema.Register[testRow]("plumbing test table")

// kvParser reads "KV <epoch> <int>" lines; "#" lines are structure.
type kvParser struct {
	lines *parse.Lines
	opt   parse.Options
	st    parse.Stats
	row   testRow
	err   error
}

func (p *kvParser) Next() bool {
	for p.err == nil && p.lines.Next() {
		p.st.Lines++
		b := string(p.lines.Bytes())
		if b == "" && p.lines.Bad() == nil || strings.HasPrefix(b, "#") {
			p.st.Structure++
			continue
		}
		f := strings.Fields(b)
		var ts, v int64
		var err error
		if bad := p.lines.Bad(); bad != nil { // as every parser must
			err = bad
		} else if len(f) != 3 || f[0] != "KV" {
			err = parse.Errorf(parse.ErrSyntax, "want KV <epoch> <int>")
		} else if ts, err = strconv.ParseInt(f[1], 10, 64); err == nil {
			v, err = strconv.ParseInt(f[2], 10, 64)
		}
		if err != nil {
			pe := &parse.ParseError{File: p.opt.File, Line: p.lines.Num(), Col: 1, Format: "kv", Err: err, Raw: b}
			p.st.Reject++
			if !p.opt.Lenient {
				p.err = pe
				return false
			}
			p.opt.OnReject(pe)
			continue
		}
		p.st.Data++
		p.st.Records++
		p.row = testRow{Host: p.opt.Host, Time: time.Unix(ts, 0).UTC(), Value: v}
		return true
	}
	return false
}
func (p *kvParser) Record() schema.Row { return &p.row }
func (p *kvParser) Err() error {
	if p.err != nil {
		return p.err
	}
	return p.lines.Err()
}
func (p *kvParser) Stats() parse.Stats { return p.st }

func init() {
	formats = append(formats, Format{Name: "kv",
		Detect: func(h []byte) bool { return bytes.HasPrefix(h, []byte("KV ")) || bytes.HasPrefix(h, []byte("# kv")) },
		New: func(r io.Reader, o parse.Options) parse.Parser {
			return &kvParser{lines: parse.NewLines(r), opt: o}
		}})
}

func write(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func listFiles(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			rel, _ := filepath.Rel(root, p)
			if !strings.HasPrefix(rel, "_") { // the lake's bookkeeping
				out = append(out, filepath.ToSlash(rel))
			}
		}
		return nil
	})
	sort.Strings(out)
	return out
}

const good = "# kv trace\nKV 1795305201 1\nKV 1795305202 2\n\nKV 1795391700 3\n"

func TestRunPartitionsAndIsDeterministic(t *testing.T) {
	in := t.TempDir()
	write(t, in, "host-a.kv", good)
	var snaps [2][]string
	var data [2][][]byte
	for i := range snaps {
		out := t.TempDir()
		sum, err := Run(context.Background(), Config{Out: out}, []string{in})
		if err != nil {
			t.Fatal(err)
		}
		if st := sum.Totals; st.Lines != 5 || st.Data != 3 || st.Structure != 2 || !st.Balanced() {
			t.Errorf("stats %+v", st)
		}
		snaps[i] = listFiles(t, out)
		for _, f := range snaps[i] {
			b, _ := os.ReadFile(filepath.Join(out, f))
			data[i] = append(data[i], b)
		}
	}
	// 1795305201 is 2026-11-21 UTC; 1795391700 is 2026-11-22.
	if len(snaps[0]) != 2 || !strings.HasPrefix(snaps[0][0], "table=ingest_test_kv/host=host-a/date=2026-11-21/part-") ||
		!strings.HasPrefix(snaps[0][1], "table=ingest_test_kv/host=host-a/date=2026-11-22/part-") {
		t.Fatalf("files %v", snaps[0])
	}
	for i := range snaps[0] {
		if snaps[0][i] != snaps[1][i] || !bytes.Equal(data[0][i], data[1][i]) {
			t.Errorf("rerun differs: %s vs %s", snaps[0][i], snaps[1][i])
		}
	}
}

func TestStrictErrorLeavesNothing(t *testing.T) {
	in := t.TempDir()
	write(t, in, "a.kv", good)
	write(t, in, "b.kv", "KV 1795305201 1\nKV oops 2\n")
	out := t.TempDir()
	_, err := Run(context.Background(), Config{Out: out}, []string{in})
	if !errors.Is(err, ErrBadInput) {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(err.Error(), "b.kv:2:1:") {
		t.Errorf("error does not locate the line: %v", err)
	}
	if files := listFiles(t, out); len(files) != 0 {
		t.Errorf("strict failure left files: %v", files)
	}
}

// A run over many sources keeps only the current source's files open: with
// the descriptor limit at 64, 100 sources of two partitions each (200 part
// files) ingest. Before, every part file stayed open until the commit.
func TestManySourcesFewOpenFiles(t *testing.T) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Skip(err)
	}
	in := t.TempDir()
	for i := range 100 {
		write(t, in, fmt.Sprintf("h%03d.kv", i), good)
	}
	low := lim
	low.Cur = 64
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &low); err != nil {
		t.Skip(err)
	}
	sum, err := Run(context.Background(), Config{Out: t.TempDir()}, []string{in})
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Written) != 200 {
		t.Errorf("%d files written, want 200", len(sum.Written))
	}
}

// cancelAfter cancels a context once n bytes have been read through it,
// like a SIGINT arriving in the middle of a large file.
type cancelAfter struct {
	r      io.Reader
	n      int
	cancel context.CancelFunc
}

func (c *cancelAfter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p[:min(len(p), 64)])
	if c.n -= n; c.n <= 0 {
		c.cancel()
	}
	return n, err
}

// A run canceled mid-file stops reading, returns context.Canceled and
// commits nothing, after more than one batch of rows reached the writer's
// worker.
func TestCanceledMidFileLeavesNothing(t *testing.T) {
	var b strings.Builder
	for i := range 20000 {
		fmt.Fprintf(&b, "KV %d %d\n", 1795305201+i, i)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := t.TempDir()
	in := &cancelAfter{r: strings.NewReader(b.String()), n: b.Len() / 2, cancel: cancel}
	_, err := Run(ctx, Config{Out: out, Stdin: in}, []string{"-"})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if files := listFiles(t, out); len(files) != 0 {
		t.Errorf("canceled run left files: %v", files)
	}
}

func TestLenientRejectsAndUnknownFiles(t *testing.T) {
	in := t.TempDir()
	write(t, in, "b.kv", "KV 1795305201 1\nKV oops 2\n")
	write(t, in, "c.txt", "what is this\n\nnot a trace\n")
	write(t, in, "empty.txt", "")
	out := t.TempDir()
	sum, err := Run(context.Background(), Config{Out: out, Lenient: true}, []string{in})
	if err != nil {
		t.Fatal(err)
	}
	if st := sum.Totals; st.Lines != 5 || st.Data != 1 || st.Reject != 3 || st.Structure != 1 {
		t.Errorf("totals %+v", st)
	}
	var rejects int
	for _, f := range listFiles(t, out) {
		if strings.HasPrefix(f, "table=rejects/") {
			rejects++
		}
	}
	if rejects != 2 { // one rejects file per source with rejects
		t.Errorf("rejects files = %d", rejects)
	}
}

func TestCompressedInputs(t *testing.T) {
	in := t.TempDir()
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(good))
	zw.Close()
	write(t, in, "g.kv.gz", gz.String())
	enc, _ := zstd.NewWriter(nil)
	write(t, in, "z.kv.zst", string(enc.EncodeAll([]byte(good), nil)))
	sum, err := Run(context.Background(), Config{Out: t.TempDir()}, []string{in})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range sum.Files {
		if f.Format != "kv" || f.Stats.Data != 3 {
			t.Errorf("%s: %+v", f.Path, f)
		}
	}
	// A corrupt gzip names the file and says what to do.
	bad := gz.Bytes()[:len(gz.Bytes())/2]
	p := write(t, t.TempDir(), "bad.kv.gz", string(bad))
	_, err = Run(context.Background(), Config{Out: t.TempDir()}, []string{p})
	if err == nil || !strings.Contains(err.Error(), "bad.kv.gz") {
		t.Errorf("corrupt gzip: %v", err)
	}
}

func TestStdinAndHostFromPath(t *testing.T) {
	sum, err := Run(context.Background(), Config{Out: t.TempDir(), Stdin: strings.NewReader(good)}, []string{"-"})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Files[0].Host != "stdin" {
		t.Errorf("host %q", sum.Files[0].Host)
	}
	if h := hostFromPath("/x/host-a.xentop.out.gz"); h != "host-a" {
		t.Errorf("hostFromPath = %q", h)
	}
}

// TestShardsUnionIsTheSingleRun ingests the bundled traces as n shards
// running at once into one lake, as an array job does, and compares the
// lake with a single run's: the same Parquet files, byte for byte.
func TestShardsUnionIsTheSingleRun(t *testing.T) {
	inputs := []string{"../datasets/traces"}
	single := t.TempDir()
	if _, err := Run(context.Background(), Config{Out: single}, inputs); err != nil {
		t.Fatal(err)
	}
	want := lakeDigest(t, single)
	if len(want) < 24 {
		t.Fatalf("single run wrote %d files; the bundled traces give more", len(want))
	}
	for _, n := range []int{3, 4} {
		out := t.TempDir()
		errs := make(chan error, n)
		var owned [][]string
		for i := range n {
			// which inputs shard i reads
			var mine []string
			all, err := expand(inputs)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range all {
				id, err := sourceID(f.path)
				if err != nil {
					t.Fatal(err)
				}
				if (Shard{Index: i, Count: n}).OwnsKey(id) {
					mine = append(mine, f.path)
				}
			}
			owned = append(owned, mine)
			go func() {
				sum, err := Run(context.Background(), Config{Out: out, Shard: Shard{Index: i, Count: n}}, inputs)
				if err == nil && len(sum.Files) != len(mine) {
					err = fmt.Errorf("shard %d/%d read %d files, owns %d", i, n, len(sum.Files), len(mine))
				}
				errs <- err
			}()
		}
		for range n {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		if got := lakeDigest(t, out); !maps.Equal(got, want) {
			t.Errorf("%d shards: %d files differ from the single run's %d", n, len(got), len(want))
		}
		busy := 0
		for _, m := range owned {
			if len(m) > 0 {
				busy++
			}
		}
		// the 24 bundled paths give every shard some inputs, so the
		// shards really write into the lake at the same time
		if busy != n {
			t.Errorf("%d shards: only %d got inputs (%v)", n, busy, owned)
		}
	}
}

// lakeDigest maps each Parquet file of a lake outside _-prefixed
// bookkeeping folders to the SHA-256 of its bytes.
func lakeDigest(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, rel := range listFiles(t, root) {
		if strings.HasPrefix(rel, "_") || !strings.HasSuffix(rel, ".parquet") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(root, rel))
		if err != nil {
			t.Fatal(err)
		}
		out[rel] = fmt.Sprintf("%x", sha256.Sum256(b))
	}
	return out
}

func TestRerunReplacesItsOwnFiles(t *testing.T) {
	in, out := t.TempDir(), t.TempDir()
	src := write(t, in, "host-a.kv", good)
	other := write(t, in, "host-b.kv", "KV 1795305201 9\n")
	if _, err := Run(context.Background(), Config{Out: out}, []string{src, other}); err != nil {
		t.Fatal(err)
	}
	before := listFiles(t, out)
	// The source changes: one day fewer. Its old file for 2026-11-22 must go;
	// host-b's files must stay.
	write(t, in, "host-a.kv", "KV 1795305201 1\n")
	if _, err := Run(context.Background(), Config{Out: out}, []string{src}); err != nil {
		t.Fatal(err)
	}
	after := listFiles(t, out)
	var parquet []string
	for _, f := range after {
		if strings.HasSuffix(f, ".parquet") {
			parquet = append(parquet, f)
		}
	}
	if len(parquet) != 2 {
		t.Fatalf("before %v\nafter %v", before, after)
	}
	for _, f := range parquet {
		if strings.Contains(f, "date=2026-11-22") {
			t.Errorf("stale file kept: %s", f)
		}
	}
}

// Sources ingested several at a time (Config.Jobs) give the same files,
// byte for byte, and the same summary as one after another: every
// testdata input of every parser package, leniently, with --start,
// --interval and --year for the formats that need them.
func TestJobsSameOutput(t *testing.T) {
	inputs, _ := filepath.Glob("*/testdata/*/input.txt")
	if len(inputs) < 50 {
		t.Fatalf("only %d testdata inputs found", len(inputs))
	}
	in := t.TempDir()
	for _, p := range inputs {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		write(t, in, strings.ReplaceAll(filepath.Dir(p), string(filepath.Separator), "_")+".txt", string(b))
	}
	cfg := Config{Lenient: true, Start: time.Date(2026, 11, 21, 23, 52, 0, 0, time.UTC), Interval: 3 * time.Second, Year: 2026, Command: "test"}
	var sums [2]string
	var files [2][]string
	var data [2][][]byte
	for i, jobs := range []int{1, 4} {
		cfg.Out, cfg.Jobs = t.TempDir(), jobs
		sum, err := Run(context.Background(), cfg, []string{in})
		if err != nil {
			t.Fatalf("jobs %d: %v", jobs, err)
		}
		sums[i] = fmt.Sprintf("%+v", sum)
		files[i] = listFiles(t, cfg.Out)
		for _, f := range files[i] {
			b, _ := os.ReadFile(filepath.Join(cfg.Out, f))
			data[i] = append(data[i], b)
		}
	}
	if sums[0] != sums[1] {
		t.Errorf("summaries differ:\n1 job:  %s\n4 jobs: %s", sums[0], sums[1])
	}
	if len(files[0]) < 50 || strings.Join(files[0], "\n") != strings.Join(files[1], "\n") {
		t.Fatalf("%d files with 1 job, %d with 4", len(files[0]), len(files[1]))
	}
	for k := range files[0] {
		if !bytes.Equal(data[0][k], data[1][k]) {
			t.Errorf("%s differs", files[0][k])
		}
	}
}

// With several jobs, a strict run with two bad sources reports the first
// in input order, whichever fails first, and leaves nothing.
func TestJobsFirstErrorInInputOrder(t *testing.T) {
	in := t.TempDir()
	var many strings.Builder
	many.WriteString(good)
	for k := range 20000 {
		fmt.Fprintf(&many, "KV %d %d\n", 1795305201+k, k)
	}
	for k := range 6 {
		body := many.String()
		switch k {
		case 1:
			body += "KV oops 1\n" // fails last: after 20,000 good lines
		case 4:
			body = "KV oops 4\n" // fails first
		}
		write(t, in, fmt.Sprintf("s%d.kv", k), body)
	}
	for range 5 {
		out := t.TempDir()
		_, err := Run(context.Background(), Config{Out: out, Jobs: 3}, []string{in})
		if !errors.Is(err, ErrBadInput) || !strings.Contains(err.Error(), "s1.kv:") {
			t.Fatalf("err = %v, want s1.kv's", err)
		}
		if files := listFiles(t, out); len(files) != 0 {
			t.Fatalf("failed run left files: %v", files)
		}
	}
}

// Started reports how many sources run at once: never more than there are
// inputs (the CLI's heap limit is one job's budget times this, so a single
// 2 GB capture keeps one job's budget whatever --jobs says).
func TestStartedReportsEffectiveJobs(t *testing.T) {
	in := t.TempDir()
	one := write(t, in, "a.kv", good)
	write(t, in, "b.kv", good)
	write(t, in, "c.kv", good)
	for _, c := range []struct {
		jobs   int
		inputs []string
		want   int
	}{{4, []string{one}, 1}, {4, []string{in}, 3}, {2, []string{in}, 2}, {0, []string{in}, 1}} {
		got := -1
		cfg := Config{Out: t.TempDir(), Jobs: c.jobs, Started: func(n int) { got = n }}
		if _, err := Run(context.Background(), cfg, c.inputs); err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Errorf("jobs %d over %d inputs: Started(%d), want %d", c.jobs, len(c.inputs), got, c.want)
		}
	}
}
