package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/migreplay/migreplay/ingest"
	"github.com/migreplay/migreplay/ingest/xentop"
)

// TestMain lets a test run this binary's main in a child process
// (MIGREPLAY_TEST_MAIN=1, arguments after "--"), so a test can kill it.
func TestMain(m *testing.M) {
	if os.Getenv("MIGREPLAY_TEST_MAIN") == "1" {
		args := os.Args
		for i, a := range args {
			if a == "--" {
				args = args[i+1:]
				break
			}
		}
		// as the real binary sees them: the provenance's command line
		// comes from os.Args
		os.Args = append([]string{"migreplay"}, args...)
		ctx, stop := signalContext()
		code := run(ctx, args, os.Stdout, os.Stderr)
		stop()
		os.Exit(code)
	}
	os.Exit(m.Run())
}

func parquetFiles(t *testing.T, root string) []string {
	var out []string
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".parquet") {
			out = append(out, p)
		}
		return nil
	})
	return out
}

// SIGINT in the middle of a file stops the ingest: exit code 130 and no
// file under --out. The capture comes through a pipe on stdin, so the
// signal surely arrives mid-file: after more rows than one writer batch,
// before the end of the input.
func TestInterruptedIngestCommitsNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	var capture bytes.Buffer
	if err := xentop.Generate(&capture, 8<<20, 1); err != nil {
		t.Fatal(err)
	}
	data := capture.Bytes()
	out := filepath.Join(t.TempDir(), "lake")
	var stderr bytes.Buffer
	cmd := exec.Command(os.Args[0], "-test.run=^$", "--", "ingest", "-", "--out", out)
	cmd.Env = append(os.Environ(), "MIGREPLAY_TEST_MAIN=1")
	cmd.Stderr = &stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	half := len(data) / 2
	if _, err := stdin.Write(data[:half]); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	_, _ = stdin.Write(data[half:]) // the child may have stopped reading
	stdin.Close()
	err = cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != 130 {
		t.Fatalf("exit code %d (%v), want 130; stderr: %s", code, err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "interrupted") {
		t.Errorf("stderr does not say it was interrupted: %s", stderr.String())
	}
	if files := parquetFiles(t, out); len(files) != 0 {
		t.Errorf("interrupted ingest left %d parquet files: %v", len(files), files)
	}
}

// Killing the ingest at any moment leaves no partial file visible: only
// whole, committed *.parquet files ever appear under --out. The child is
// SIGKILLed at several points of a run over a generated xentop capture.
func TestKilledIngestLeavesNoPartialFile(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "h.xentop.txt")
	f, err := os.Create(in)
	if err != nil {
		t.Fatal(err)
	}
	if err := xentop.Generate(f, 20<<20, 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	for _, after := range []time.Duration{50 * time.Millisecond, 300 * time.Millisecond, 800 * time.Millisecond} {
		out := filepath.Join(dir, "lake-"+after.String())
		cmd := exec.Command(os.Args[0], "-test.run=^$", "--", "ingest", in, "--out", out)
		cmd.Env = append(os.Environ(), "MIGREPLAY_TEST_MAIN=1")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(after)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
		if files := parquetFiles(t, out); len(files) != 0 && !cmd.ProcessState.Success() {
			t.Errorf("killed after %v: %d parquet files visible: %v", after, len(files), files)
		}
		// A rerun into the same --out completes and commits whole files.
		var stderr bytes.Buffer
		re := exec.Command(os.Args[0], "-test.run=^$", "--", "ingest", in, "--out", out)
		re.Env = append(os.Environ(), "MIGREPLAY_TEST_MAIN=1")
		re.Stderr = &stderr
		if err := re.Run(); err != nil {
			t.Fatalf("rerun after kill: %v: %s", err, stderr.String())
		}
		if len(parquetFiles(t, out)) == 0 {
			t.Error("rerun wrote nothing")
		}
	}
}

// --jobs changes how many sources are ingested at once, not what is
// written: the same lake, byte for byte, with 1 and 3 jobs (the flag is
// left out of the provenance's command line, as are --memory-limit-mib,
// --shard and --json).
func TestIngestJobsSameBytes(t *testing.T) {
	in := t.TempDir()
	for k := range 5 {
		f, err := os.Create(filepath.Join(in, "host"+string(rune('a'+k))+".xentop"))
		if err != nil {
			t.Fatal(err)
		}
		if err := xentop.Generate(f, 300_000, int64(k+1)); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	out := filepath.Join(t.TempDir(), "lake")
	var lakes [2]map[string][]byte
	for i, args := range [][]string{{"--jobs", "1"}, {"--jobs=3", "--json", "--memory-limit-mib", "300"}} {
		os.RemoveAll(out)
		cmd := exec.Command(os.Args[0], append(append([]string{"--", "ingest"}, args...), in, "--out", out)...)
		cmd.Env = append(os.Environ(), "MIGREPLAY_TEST_MAIN=1")
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, b)
		}
		lakes[i] = map[string][]byte{}
		for _, p := range parquetFiles(t, out) {
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			lakes[i][p] = b
		}
	}
	if len(lakes[0]) < 15 || len(lakes[0]) != len(lakes[1]) {
		t.Fatalf("%d files with one job, %d with three", len(lakes[0]), len(lakes[1]))
	}
	for p, b := range lakes[0] {
		if !bytes.Equal(b, lakes[1][p]) {
			t.Errorf("%s differs (or is missing) with --jobs 3", p)
		}
	}
}

// Flags given with a value that means nothing are refused, never replaced
// by a default or ignored (exit 2, one line).
func TestIngestFlagRanges(t *testing.T) {
	in := filepath.Join("..", "..", "datasets", "traces", "vm.sar_u.txt")
	out := t.TempDir()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"ingest", "--out", out, "--jobs", "0", in}, "--jobs 0: want 1 or more"},
		{[]string{"ingest", "--out", out, "--year", "0", in}, "--year 0: want a year"},
		{[]string{"ingest", "--out", out, "--interval", "0s", "--start", "2026-11-21T00:00:00Z", in}, "--interval 0s: want > 0"},
		{[]string{"ingest", "--out", out, "--interval", "3s", in}, "--interval applies with --start"},
		{[]string{"ingest", "--out", out, "--memory-limit-mib", "-1", in}, "--memory-limit-mib -1: want ≥ 0"},
		{[]string{"generate", "--format", "ping", "--size", "0"}, "--size 0: want > 0"},
	} {
		var stdout, errb bytes.Buffer
		code := run(t.Context(), c.args, &stdout, &errb)
		if code != 2 || !strings.Contains(errb.String(), c.want) {
			t.Errorf("%v: exit %d %q; want 2 and %q", c.args, code, errb.String(), c.want)
		}
	}
}

// The progress bar's rows/s figure: a hand-checked value per suffix.
func TestSICount(t *testing.T) {
	for v, want := range map[float64]string{0: "0", 950: "950", 12_345: "12.3k", 4_104_115: "4.1M", 2.5e9: "2.5G"} {
		if got := siCount(v); got != want {
			t.Errorf("siCount(%g) = %q, want %q", v, got, want)
		}
	}
}

// A lenient run over a corrupt archive prints that file's failure under the
// table, and the --json summary carries it; strict, exit code 2 and the
// archive's message.
func TestIngestSummaryShowsFailedFile(t *testing.T) {
	var capture bytes.Buffer
	if err := xentop.Generate(&capture, 64<<10, 1); err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(capture.Bytes())
	zw.Close()
	in := filepath.Join(t.TempDir(), "h.xentop.gz")
	if err := os.WriteFile(in, gz.Bytes()[:gz.Len()/2], 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"ingest", "--lenient", "--out", t.TempDir(), in}, &out, &errOut); code != 0 {
		t.Fatalf("lenient: exit %d: %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "FAILED "+in+": corrupt gzip archive: the compressed stream ends at byte ") {
		t.Errorf("summary:\n%s", out.String())
	}
	out.Reset()
	if code := run(context.Background(), []string{"ingest", "--lenient", "--json", "--out", t.TempDir(), in}, &out, &errOut); code != 0 {
		t.Fatalf("--json: exit %d", code)
	}
	var sum ingest.Summary
	if err := json.Unmarshal(out.Bytes(), &sum); err != nil || !strings.HasPrefix(sum.Files[0].Error, "corrupt gzip archive") {
		t.Errorf("--json: %v %+v", err, sum.Files)
	}
	snakeCase(t, out.String()) // the per-file stats and totals included
	if !strings.Contains(out.String(), `"rejects": `) {
		t.Errorf("--json without the rejects count:\n%s", out.String())
	}
	errOut.Reset()
	if code := run(context.Background(), []string{"ingest", "--out", t.TempDir(), in}, &out, &errOut); code != 2 ||
		!strings.Contains(errOut.String(), in+": corrupt gzip archive") {
		t.Errorf("strict: exit %d: %s", code, errOut.String())
	}
}
