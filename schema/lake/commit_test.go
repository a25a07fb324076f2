package lake

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/migreplay/migreplay/schema"
	"github.com/migreplay/migreplay/schema/lake/laketest"
)

var snapshot = laketest.Snapshot

var diff = laketest.Diff

func equal(a, b map[string]string) bool { return diff(a, b) == "" }

// day is a UTC day of the scenario.
func day(d int) time.Time { return time.Date(2026, 11, 20+d, 12, 0, 0, 0, time.UTC) }

// scenario is a run as ingest makes one: per source, outage rows (a
// partitioned table: one file per host and day), each source's files
// tagged with its name and carrying it in their metadata, plus one rejects
// file (unpartitioned) that belongs to no source, as analyze's tables do.
type scenario struct {
	sources map[string][]schema.PingOutage // by source name
	sha     map[string]string              // content hash of a source; default: its name
	rejects []schema.Reject
}

// runA and runB are two runs into one lake: runB keeps source a's day-1
// file byte for byte (same rows), replaces its day-2 file by a day-3 one,
// changes b's rows, adds c, and writes another rejects file.
var (
	runA = scenario{sources: map[string][]schema.PingOutage{
		"a": {{Host: "a", Time: day(1), Lost: 1}, {Host: "a", Time: day(2), Lost: 2}},
		"b": {{Host: "b", Time: day(1), Lost: 3}},
	}, rejects: []schema.Reject{{File: "x", Line: 1, Reason: "A"}}}
	runB = scenario{sources: map[string][]schema.PingOutage{
		"a": {{Host: "a", Time: day(1), Lost: 1}, {Host: "a", Time: day(3), Lost: 4}},
		"b": {{Host: "b", Time: day(1), Lost: 5}},
		"c": {{Host: "c", Time: day(2), Lost: 6}},
	}, rejects: []schema.Reject{{File: "x", Line: 2, Reason: "B"}}}
)

func (sc scenario) run(root string) error {
	s, err := NewSet(root)
	if err != nil {
		return err
	}
	names := make([]string, 0, len(sc.sources))
	for n := range sc.sources {
		names = append(names, n)
	}
	sort.Strings(names)
	table := schema.TableOf(&schema.PingOutage{})
	for _, n := range names {
		files := map[string]*File{}
		for i := range sc.sources[n] {
			r := &sc.sources[n][i]
			dir := Dir(table, r.Host, r.Time)
			f := files[dir]
			if f == nil {
				if f, err = s.Create(table, dir, map[string]string{schema.MetaSource: n, schema.MetaCommand: "test"}); err != nil {
					s.Abort()
					return err
				}
				f.Source = n
				files[dir] = f
			}
			if err := f.Write(r); err != nil {
				s.Abort()
				return err
			}
		}
		sha := sc.sha[n]
		if sha == "" {
			sha = n
		}
		s.AddSource(Source{ID: "/src/" + n, Given: n, SHA256: sha})
	}
	if err := RowsOf(sc.rejects).add(s, map[string]string{schema.MetaCommand: "test"}); err != nil {
		s.Abort()
		return err
	}
	_, err = s.Commit()
	return err
}

// withFS runs f with fsys replaced by ff.
func withFS(ff fileSystem, f func()) {
	fsys = ff
	defer func() { fsys = osFS{} }()
	f()
}

// steps counts the file-system steps of runB after runA (the fault
// points), and returns the snapshots before and after runB.
func stepsOfRunB(t *testing.T) (n int64, before, after map[string]string) {
	root := t.TempDir()
	if err := runA.run(root); err != nil {
		t.Fatal(err)
	}
	before = snapshot(t, root)
	counter := &faultFS{next: osFS{}}
	withFS(counter, func() {
		if err := runB.run(root); err != nil {
			t.Fatal(err)
		}
	})
	after = snapshot(t, root)
	if equal(before, after) || len(after) < 10 {
		t.Fatalf("runB changed nothing: %s", diff(before, after))
	}
	return counter.n.Load(), before, after
}

// assertRecovered: after Recover (and whatever the failed run did), the
// lake is the one before the run or the one after a clean run, byte for
// byte; nothing is pending or staged, and Check finds nothing wrong.
func assertRecovered(t *testing.T, root string, before, after map[string]string, ranOK bool, what string) {
	t.Helper()
	if _, err := Recover(root); err != nil {
		t.Fatalf("%s: recover: %v", what, err)
	}
	got := snapshot(t, root)
	switch {
	case equal(got, after):
	case ranOK:
		t.Fatalf("%s: the run succeeded but the lake is not the clean run's: %s", what, diff(after, got))
	case !equal(got, before):
		t.Fatalf("%s: the lake is neither the one before (%s) nor after (%s)", what, diff(before, got), diff(after, got))
	}
	if names, _ := readDirNames(filepath.Join(root, filepath.FromSlash(pendingDir))); len(names) != 0 {
		t.Fatalf("%s: pending records left: %v", what, names)
	}
	rep, err := Check(root)
	if err != nil || len(rep.Problems) != 0 {
		t.Fatalf("%s: check: %v %v", what, err, rep.Problems)
	}
}

// Every step of a run's staging and commit fails in turn, as a file
// system does (a full disk, a name too long, a file where a folder should
// be, an I/O error): after recovery the lake is the one before the run or
// a clean run's, byte for byte. Then the same with every step from the
// failing one on failing (the disk stays full: undoing fails too and the
// commit stays pending until recovery).
func TestCommitFaultsLeaveBeforeOrAfter(t *testing.T) {
	n, before, after := stepsOfRunB(t)
	if n < 20 {
		t.Fatalf("only %d steps in runB", n)
	}
	lakeA := t.TempDir()
	if err := runA.run(lakeA); err != nil {
		t.Fatal(err)
	}
	var sawBefore, sawAfter, sawPending int
	for _, c := range []struct {
		e          syscall.Errno
		persistent bool
	}{{syscall.ENOSPC, false}, {syscall.ENAMETOOLONG, false}, {syscall.ENOTDIR, false}, {syscall.ENOSPC, true}} {
		e, persistent := c.e, c.persistent
		for k := int64(1); k <= n; k++ {
			what := fmt.Sprintf("%v at step %d of %d (persistent %v)", e, k, n, persistent)
			root := t.TempDir()
			if err := os.CopyFS(root, os.DirFS(lakeA)); err != nil {
				t.Fatal(err)
			}
			ff := &faultFS{next: osFS{}, At: k, Err: e}
			if persistent {
				ff.Until = 1 << 40
			}
			var err error
			withFS(ff, func() { err = runB.run(root) })
			// err is nil when the failing step is one a run may miss:
			// removing its staging folder or _tmp after the commit
			if err != nil && !errors.Is(err, e) {
				t.Fatalf("%s: error %v does not wrap the file system's", what, err)
			}
			if names, _ := readDirNames(filepath.Join(root, filepath.FromSlash(pendingDir))); len(names) > 0 {
				sawPending++
			}
			assertRecovered(t, root, before, after, err == nil, what)
			if equal(snapshot(t, root), before) {
				sawBefore++
			} else {
				sawAfter++
			}
		}
	}
	// Both outcomes happen: early faults leave the lake as it was, a
	// commit stuck half done is finished by recovery.
	if sawBefore == 0 || sawAfter == 0 || sawPending == 0 {
		t.Errorf("before %d, after %d, pending %d: some outcome never happened", sawBefore, sawAfter, sawPending)
	}
}

// Recovery itself fails at any of its steps (the disk still full): the
// commit stays pending, and a later recovery still ends in the state
// before or after the run.
func TestRecoveryFaults(t *testing.T) {
	n, before, after := stepsOfRunB(t)
	// a step late in the commit: the record is written, renames are under way
	var stuck string
	for k := n - 3; k > 0 && stuck == ""; k-- {
		root := t.TempDir()
		if err := runA.run(root); err != nil {
			t.Fatal(err)
		}
		withFS(&faultFS{next: osFS{}, At: k, Until: 1 << 40, Err: syscall.ENOSPC}, func() { _ = runB.run(root) })
		if names, _ := readDirNames(filepath.Join(root, filepath.FromSlash(pendingDir))); len(names) > 0 {
			stuck = root
		}
	}
	if stuck == "" {
		t.Fatal("no step leaves a pending commit")
	}
	good := t.TempDir()
	if err := os.CopyFS(good, os.DirFS(stuck)); err != nil {
		t.Fatal(err)
	}
	counter := &faultFS{next: osFS{}}
	withFS(counter, func() {
		if _, err := Recover(good); err != nil {
			t.Fatal(err)
		}
	})
	m := counter.n.Load()
	for j := int64(1); j <= m; j++ {
		root := t.TempDir()
		if err := os.CopyFS(root, os.DirFS(stuck)); err != nil {
			t.Fatal(err)
		}
		withFS(&faultFS{next: osFS{}, At: j, Err: syscall.EIO}, func() { _, _ = Recover(root) })
		assertRecovered(t, root, before, after, false, fmt.Sprintf("recovery failing at step %d of %d", j, m))
	}
}

// A run that dies leaves its staging folder; the next run removes it, but
// never the folder of a run still alive, in this process or another (the
// flock of _tmp/<run>/lock says which).
func TestStaleStagingRemovedLiveKept(t *testing.T) {
	root := t.TempDir()
	live, err := NewSet(root)
	if err != nil {
		t.Fatal(err)
	}
	defer live.Abort()
	liveRuns.Delete(live.id) // as if it ran in another process: only its flock says it lives
	defer liveRuns.Store(live.id, true)
	dead, err := NewSet(root)
	if err != nil {
		t.Fatal(err)
	}
	tbl := schema.TableOf(&schema.Reject{})
	for _, s := range []*Set{live, dead} {
		f, err := s.Create(tbl, Dir(tbl, "", time.Time{}), nil)
		if err != nil {
			t.Fatal(err)
		}
		_ = f.Write(&schema.Reject{File: s.id})
		if err := f.Finish(); err != nil {
			t.Fatal(err)
		}
	}
	dead.lock.Close() // the process dies: the kernel lets its lock go
	liveRuns.Delete(dead.id)
	rep, err := Check(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Problems) != 1 || rep.Problems[0].Kind != ProblemStale || rep.Problems[0].Path != tmpDir+"/"+dead.id {
		t.Fatalf("check: %v", rep.Problems)
	}
	r, err := Recover(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Removed) != 1 || r.Removed[0] != tmpDir+"/"+dead.id {
		t.Errorf("removed %v, want the dead run's folder only", r.Removed)
	}
	if _, err := os.Stat(live.stage); err != nil {
		t.Fatalf("the live run's staging folder went: %v", err)
	}
	if _, err := live.Commit(); err != nil {
		t.Fatalf("the live run cannot commit: %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, tmpDir)); !os.IsNotExist(err) {
		t.Errorf("_tmp left after the last run: %v", err)
	}
}

// Runs committing at once from many goroutines (each a Set of its own, as
// separate processes would be: flock is per open file) all succeed, and
// each file is there once.
func TestConcurrentSets(t *testing.T) {
	root := t.TempDir()
	var wg sync.WaitGroup
	errs := make([]error, 40)
	for i := range errs {
		wg.Go(func() {
			_, errs[i] = Write(root, map[string]string{"k": "v"}, RowsOf([]schema.Reject{{File: "x", Line: int64(i)}}))
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("run %d: %v", i, err)
		}
	}
	rep, err := Check(root)
	if err != nil || len(rep.Problems) != 0 {
		t.Fatalf("check: %v %v", err, rep.Problems)
	}
	if len(rep.Files) != 40 || rep.Runs != 40 {
		t.Errorf("%d files, %d runs, want 40 of each", len(rep.Files), rep.Runs)
	}
}
