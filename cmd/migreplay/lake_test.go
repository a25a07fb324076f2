package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/migreplay/migreplay/ingest"
	"github.com/migreplay/migreplay/ingest/xentop"
	"github.com/migreplay/migreplay/schema/lake"
	"github.com/migreplay/migreplay/schema/lake/laketest"
	"github.com/migreplay/migreplay/schema/table"
)

// child is this test binary running migreplay's main with args (see
// TestMain), with env added to its environment.
func child(env []string, args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], append([]string{"-test.run=^$", "--"}, args...)...)
	cmd.Env = append(append(os.Environ(), "MIGREPLAY_TEST_MAIN=1"), env...)
	return cmd
}

var snap = laketest.Snapshot

// reset makes dst a copy of the lake src (dst's path stays: the
// provenance's command line names --out, so a clean run's bytes depend on
// it).
func reset(t *testing.T, dst, src string) {
	t.Helper()
	if err := os.RemoveAll(dst); err != nil {
		t.Fatal(err)
	}
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
}

// killed reports whether cmd ended by SIGKILL.
func killed(cmd *exec.Cmd) bool {
	ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL
}

// lakeClean: nothing pending or staged, and 'migreplay lake check' finds
// nothing wrong.
func lakeClean(t *testing.T, root, what string) {
	t.Helper()
	var out bytes.Buffer
	if code := run(context.Background(), []string{"lake", "check", root}, &out, &out); code != 0 {
		t.Fatalf("%s: lake check exits %d:\n%s", what, code, out.String())
	}
	if _, err := os.Stat(filepath.Join(root, "_tmp")); !os.IsNotExist(err) {
		t.Fatalf("%s: _tmp left: %v", what, err)
	}
}

// withoutRuns is a snapshot less the run records.
func withoutRuns(s map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range s {
		if !strings.HasPrefix(k, "_manifests/runs/") {
			out[k] = v
		}
	}
	return out
}

// The real command is SIGKILLed before each step of its staging and commit
// in turn (MIGREPLAY_LAKE_FAULT=kill@N, honoured by test binaries only),
// in a run that adds a source, keeps one and replaces the files of a
// third. After 'migreplay lake recover' (odd steps) the lake is byte for
// byte the one before the run or the one after a clean run; the next
// ingest (even steps), which recovers first, ends in the clean run's lake.
func TestKilledIngestAtEveryStep(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "in")
	os.Mkdir(in, 0o755)
	gen := func(name string, seed int64) {
		f, err := os.Create(filepath.Join(in, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := xentop.Generate(f, 100_000, seed); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	gen("a.xentop", 1)
	gen("b.xentop", 2)
	l, before, after := filepath.Join(dir, "lake"), filepath.Join(dir, "before"), filepath.Join(dir, "after")
	args := []string{"ingest", in, "--out", l}
	if b, err := child(nil, args...).CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	reset(t, before, l)
	gen("a.xentop", 3) // changed: its files are replaced
	gen("c.xentop", 4) // new
	if b, err := child(nil, args...).CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	reset(t, after, l)
	snapBefore, snapAfter := snap(t, before), snap(t, after)
	if laketest.Diff(snapBefore, snapAfter) == "" {
		t.Fatal("the second run changed nothing")
	}
	var sawBefore, sawAfter int
	for n := 1; ; n++ {
		reset(t, l, before)
		cmd := child([]string{lake.FaultEnv + fmt.Sprintf("=kill@%d", n)}, args...)
		out, err := cmd.CombinedOutput()
		if err == nil {
			if n < 20 {
				t.Fatalf("the run has only %d steps", n-1)
			}
			t.Logf("%d steps", n-1)
			break // past the last step: a clean run
		}
		if !killed(cmd) {
			t.Fatalf("kill@%d: %v: %s", n, err, out)
		}
		what := fmt.Sprintf("killed before step %d", n)
		if n%2 == 1 {
			if b, err := child(nil, "lake", "recover", l).CombinedOutput(); err != nil {
				t.Fatalf("%s: lake recover: %v: %s", what, err, b)
			}
			got := snap(t, l)
			switch {
			case laketest.Diff(got, snapBefore) == "":
				sawBefore++
			case laketest.Diff(got, snapAfter) == "":
				sawAfter++
			default:
				t.Fatalf("%s: after recovery the lake is neither the one before (%s) nor after (%s)", what,
					laketest.Diff(snapBefore, got), laketest.Diff(snapAfter, got))
			}
			lakeClean(t, l, what)
			continue
		}
		if b, err := child(nil, args...).CombinedOutput(); err != nil {
			t.Fatalf("%s: the next ingest: %v: %s", what, err, b)
		}
		// the data and manifests are the clean run's; the history of
		// runs may hold one more (the killed run, finished by recovery)
		if d := laketest.Diff(withoutRuns(snapAfter), withoutRuns(snap(t, l))); d != "" {
			t.Fatalf("%s: the next ingest's lake is not the clean run's: %s", what, d)
		}
		lakeClean(t, l, what)
	}
	if sawBefore == 0 || sawAfter == 0 {
		t.Errorf("recovered to the state before %d times, after %d times: want both", sawBefore, sawAfter)
	}
}

// Kills at random instants of a longer run (mostly mid-parse, some in the
// commit) leave, after recovery, the empty lake or the clean run's.
func TestKilledIngestAtRandomTimes(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "in")
	os.Mkdir(in, 0o755)
	for k := range 4 {
		f, err := os.Create(filepath.Join(in, fmt.Sprintf("h%d.xentop", k)))
		if err != nil {
			t.Fatal(err)
		}
		if err := xentop.Generate(f, 2<<20, int64(k+1)); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	l := filepath.Join(dir, "lake")
	args := []string{"ingest", in, "--out", l, "--jobs", "2"}
	began := time.Now()
	if b, err := child(nil, args...).CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	took := time.Since(began)
	after := snap(t, l)
	rng := rand.New(rand.NewPCG(1, 2))
	var sawEmpty, sawAfter int
	for i := range 12 {
		os.RemoveAll(l)
		cmd := child(nil, args...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		delay := time.Duration(rng.Float64() * 1.2 * float64(took))
		time.Sleep(delay)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
		if b, err := child(nil, "lake", "recover", l).CombinedOutput(); err != nil {
			if _, serr := os.Stat(l); os.IsNotExist(serr) {
				sawEmpty++ // killed before it made the lake
				continue
			}
			t.Fatalf("kill %d after %v: lake recover: %v: %s", i, delay, err, b)
		}
		got := snap(t, l)
		switch {
		case len(got) == 0:
			sawEmpty++
		case laketest.Diff(got, after) == "":
			sawAfter++
		default:
			t.Fatalf("kill %d after %v: the lake is neither empty nor the clean run's: %s", i, delay, laketest.Diff(after, got))
		}
		lakeClean(t, l, fmt.Sprintf("kill %d after %v", i, delay))
	}
	t.Logf("run %v; %d kills left an empty lake, %d the clean run's", took, sawEmpty, sawAfter)
}

// slowReader holds its first byte back for a while: a source slow to give
// its first row (a collector still warming up).
type slowReader struct {
	r     io.Reader
	delay time.Duration
	once  sync.Once
}

func (s *slowReader) Read(p []byte) (int, error) {
	s.once.Do(func() { time.Sleep(s.delay) })
	return s.r.Read(p)
}

// 100 short ingests and a slow one write one lake at once: 90 from
// goroutines calling the library, 10 real processes, and the slow one a
// process whose stdin gives nothing for a while. None fails, and every
// source's rows are there once.
func TestConcurrentIngests(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	// ping -D -O replies, iputils (datasets/traces: 5 replies)
	tmpl, err := os.ReadFile("../../datasets/traces/vm.iputils_D.ping.txt")
	if err != nil {
		t.Fatal(err)
	}
	const replies = 5
	dir := t.TempDir()
	l := filepath.Join(dir, "lake")
	var paths []string
	for i := range 100 {
		p := filepath.Join(dir, fmt.Sprintf("h%03d.ping.txt", i))
		if err := os.WriteFile(p, tmpl, 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	slow := child(nil, "ingest", "-", "--host", "slow", "--out", l)
	slowIn, err := slow.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var slowOut bytes.Buffer
	slow.Stdout, slow.Stderr = &slowOut, &slowOut
	if err := slow.Start(); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 101)
	for i, p := range paths {
		if i < 10 {
			wg.Go(func() {
				if b, err := child(nil, "ingest", p, "--out", l).CombinedOutput(); err != nil {
					errs[i] = fmt.Errorf("%v: %s", err, b)
				}
			})
			continue
		}
		wg.Go(func() {
			_, errs[i] = ingest.Run(context.Background(), ingest.Config{Out: l}, []string{p})
		})
	}
	// one more slow source in this process, reading nothing for 300 ms;
	// other bytes than the slow process's stdin, which would be the same
	// source (stdin is named by its content)
	wg.Go(func() {
		_, errs[100] = ingest.Run(context.Background(), ingest.Config{Out: l, Host: "slow2",
			Stdin: &slowReader{r: bytes.NewReader(append(tmpl, '\n')), delay: 300 * time.Millisecond}}, []string{"-"})
	})
	wg.Wait()
	slowIn.Write(tmpl) // the slow process's first row comes after every short run is done
	slowIn.Close()
	if err := slow.Wait(); err != nil {
		t.Fatalf("slow ingest: %v: %s", err, slowOut.String())
	}
	for i, err := range errs {
		if err != nil {
			t.Errorf("ingest %d: %v", i, err)
		}
	}
	tbl, err := table.Read(filepath.Join(l, "table=ping_reply"), []string{"host"})
	if err != nil {
		t.Fatal(err)
	}
	hosts, _, err := tbl.Strings("host")
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, h := range hosts {
		count[h]++
	}
	for i := range 100 {
		if h := fmt.Sprintf("h%03d", i); count[h] != replies {
			t.Errorf("host %s: %d rows, want %d", h, count[h], replies)
		}
	}
	if count["slow"] != replies || count["slow2"] != replies || len(count) != 102 {
		t.Errorf("%d hosts; slow %d, slow2 %d rows", len(count), count["slow"], count["slow2"])
	}
	lakeClean(t, l, "after 102 concurrent runs")
	var rep lake.Report
	var out bytes.Buffer
	run(context.Background(), []string{"lake", "check", "--json", l}, &out, io.Discard)
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Runs != 102 || rep.Sources != 102 || !strings.Contains(out.String(), `"problems": []`) {
		t.Errorf("lake check: %d runs, %d sources, problems %v", rep.Runs, rep.Sources, rep.Problems)
	}
	snakeCase(t, out.String())
}
