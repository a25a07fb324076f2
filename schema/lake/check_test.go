package lake

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/migreplay/migreplay/schema"
)

// checked builds runA then runB (commit_test.go) and returns the lake,
// after checking that Check finds it whole and says who wrote each file.
func checked(t *testing.T) (string, Report) {
	t.Helper()
	root := t.TempDir()
	for _, sc := range []scenario{runA, runB} {
		if err := sc.run(root); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := Check(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Problems) != 0 {
		t.Fatalf("a clean lake has problems: %v", rep.Problems)
	}
	// runB's files: a (day 1, kept from runA; day 3), b, c, and two
	// rejects files (one per run: no source replaces them).
	if len(rep.Files) != 6 || rep.Runs != 2 || rep.Sources != 3 {
		t.Fatalf("%d files, %d runs, %d sources; want 6, 2, 3: %+v", len(rep.Files), rep.Runs, rep.Sources, rep.Files)
	}
	for _, f := range rep.Files {
		if len(f.Runs) != 1 || f.Rows != 1 || f.Table == "" {
			t.Errorf("%+v: want one run and one row", f)
		}
		if (f.Table == "analysis_ping_outage") != (len(f.Sources) == 1) {
			t.Errorf("%+v: outage files have one source, rejects files none", f)
		}
	}
	return root, rep
}

// expectProblems runs Check on root and wants exactly the given kinds
// (in order of path), each on one line.
func expectProblems(t *testing.T, root string, kinds ...string) []Problem {
	t.Helper()
	rep, err := Check(root)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range rep.Problems {
		got = append(got, p.Kind)
		if strings.Contains(p.String(), "\n") {
			t.Errorf("problem on several lines: %q", p)
		}
	}
	if strings.Join(got, " ") != strings.Join(kinds, " ") {
		t.Fatalf("problems %v, want kinds %v", rep.Problems, kinds)
	}
	return rep.Problems
}

func sourceFile(rep Report, src string) string {
	for _, f := range rep.Files {
		if len(f.Sources) == 1 && f.Sources[0] == src {
			return f.Path
		}
	}
	return ""
}

func TestCheckDeletedFile(t *testing.T) {
	root, rep := checked(t)
	p := sourceFile(rep, "/src/b")
	if err := os.Remove(filepath.Join(root, p)); err != nil {
		t.Fatal(err)
	}
	ps := expectProblems(t, root, ProblemMissing)
	if ps[0].Path != p || !strings.Contains(ps[0].Reason, "/src/b") {
		t.Errorf("%v", ps[0])
	}
}

func TestCheckManifestMissing(t *testing.T) {
	root, rep := checked(t)
	if err := os.Remove(filepath.Join(root, ManifestPath("/src/c"))); err != nil {
		t.Fatal(err)
	}
	ps := expectProblems(t, root, ProblemUnowned)
	if ps[0].Path != sourceFile(rep, "/src/c") || !strings.Contains(ps[0].Reason, "manifest") {
		t.Errorf("%v", ps[0])
	}
}

func TestCheckTruncatedFile(t *testing.T) {
	root, rep := checked(t)
	p := filepath.Join(root, sourceFile(rep, "/src/a"))
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b[:len(b)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	ps := expectProblems(t, root, ProblemUnreadable)
	if !strings.Contains(ps[0].Reason, "not a readable Parquet file") {
		t.Errorf("%v", ps[0])
	}
}

// One content ingested under two names (two copies of one capture): its
// rows are in the lake twice.
func TestCheckDuplicatedSource(t *testing.T) {
	root, _ := checked(t)
	dup := scenario{sources: map[string][]schema.PingOutage{"d": runB.sources["b"]}, sha: map[string]string{"d": "b"}}
	if err := dup.run(root); err != nil {
		t.Fatal(err)
	}
	ps := expectProblems(t, root, ProblemDuplicated)
	if !strings.Contains(ps[0].Reason, "/src/b") || !strings.Contains(ps[0].Reason, "/src/d") {
		t.Errorf("%v", ps[0])
	}
}

// A commit that stopped half done (the disk filled, undoing failed too)
// is a partial run until recovered; a dead run's staging is stale.
func TestCheckPartialRunAndRecover(t *testing.T) {
	root, _ := checked(t)
	c := scenario{sources: map[string][]schema.PingOutage{"e": runB.sources["c"]}}
	n := &faultFS{next: osFS{}}
	probe := t.TempDir()
	if err := os.CopyFS(probe, os.DirFS(root)); err != nil {
		t.Fatal(err)
	}
	withFS(n, func() {
		if err := c.run(probe); err != nil {
			t.Fatal(err)
		}
	})
	// fail from the third step from the end of the commit on: after the
	// record and the first renames
	withFS(&faultFS{next: osFS{}, At: n.n.Load() - 5, Until: 1 << 40, Err: syscall.ENOSPC}, func() {
		if err := c.run(root); err == nil || !strings.Contains(err.Error(), "lake recover") {
			t.Fatalf("err = %v, want one that says to recover", err)
		}
	})
	ps := expectProblems(t, root, ProblemPartial)
	if !strings.Contains(ps[0].Reason, "migreplay lake recover") {
		t.Errorf("%v", ps[0])
	}
	r, err := Recover(root)
	if err != nil || len(r.Finished) != 1 {
		t.Fatalf("recover: %+v %v", r, err)
	}
	expectProblems(t, root)
	var out bytes.Buffer
	if err := r.WriteText(&out); err != nil || !strings.Contains(out.String(), "finished: run ") {
		t.Errorf("%q %v", out.String(), err)
	}
}

func TestCheckRunRecordMissingAndUnreadable(t *testing.T) {
	root, rep := checked(t)
	runs, _ := readDirNames(filepath.Join(root, filepath.FromSlash(runsDir)))
	// the first run's record: runA's rejects file loses its owner, source
	// a's day-1 file (kept by runB) does not
	if err := os.Remove(filepath.Join(root, filepath.FromSlash(runsDir), runs[0])); err != nil {
		t.Fatal(err)
	}
	expectProblems(t, root, ProblemUnowned)
	if err := os.WriteFile(filepath.Join(root, filepath.FromSlash(runsDir), runs[1]), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	// now nothing says who wrote the rejects files, and the manifests'
	// run is gone
	expectProblems(t, root, ProblemMissing, ProblemMissing, ProblemMissing, ProblemUnreadable, ProblemUnowned, ProblemUnowned)
	var out bytes.Buffer
	if err := rep.WriteText(&out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "table analysis_ping_outage\n  host=a/date=2026-11-21\n    part-") {
		t.Errorf("text report:\n%s", out.String())
	}
	b, _ := json.Marshal(rep)
	if !bytes.Contains(b, []byte(`"sources":["/src/a"]`)) {
		t.Errorf("json report: %s", b)
	}
}
