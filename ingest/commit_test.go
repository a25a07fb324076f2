package ingest

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/migreplay/migreplay/schema/lake"
	"github.com/migreplay/migreplay/schema/lake/laketest"
)

// One source under every spelling (relative, ./, absolute, through a
// symlink) is one source: each rerun replaces its files, so its rows are
// in the lake once; and a run naming it twice reads it once. Stdin is
// named by its content: the same bytes twice are one source.
func TestSourceIsItsCanonicalPath(t *testing.T) {
	dir, out := t.TempDir(), t.TempDir()
	write(t, dir, "b.kv", good)
	if err := os.Symlink(filepath.Join(dir, "b.kv"), filepath.Join(dir, "link.kv")); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	for _, spelling := range [][]string{{"b.kv"}, {"./b.kv"}, {filepath.Join(dir, "b.kv")}, {"link.kv"}, {"b.kv", "./b.kv"}} {
		sum, err := Run(context.Background(), Config{Out: out, Host: "h"}, spelling)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := filepath.EvalSymlinks(filepath.Join(dir, "b.kv"))
		if len(sum.Files) != 1 || sum.Files[0].Source != want {
			t.Fatalf("%v: files %+v, want one, source %s", spelling, sum.Files, want)
		}
		var parquet []string
		for _, f := range listFiles(t, out) {
			if strings.HasSuffix(f, ".parquet") {
				parquet = append(parquet, f)
			}
		}
		if len(parquet) != 2 { // good spans two days
			t.Fatalf("after ingesting %v: %v", spelling, parquet)
		}
	}
	rep, err := lake.Check(out)
	if err != nil || len(rep.Problems) != 0 || rep.Sources != 1 {
		t.Fatalf("check: %v %+v", err, rep)
	}
	out = t.TempDir()
	for range 2 {
		sum, err := Run(context.Background(), Config{Out: out, Stdin: strings.NewReader(good)}, []string{"-"})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(sum.Files[0].Source, "stdin:sha256:"+sum.Files[0].SHA256) {
			t.Fatalf("stdin source %q", sum.Files[0].Source)
		}
	}
	if rep, err := lake.Check(out); err != nil || len(rep.Problems) != 0 || rep.Sources != 1 || len(rep.Files) != 2 {
		t.Fatalf("stdin twice: %v %+v", err, rep)
	}
}

// Commits that fail on real file-system conditions leave the lake as it
// was, manifests included: a host name too long for one path component,
// and a file where _manifests/ingest should be a folder.
func TestFailedCommitLeavesLakeAsItWas(t *testing.T) {
	in := t.TempDir()
	src := write(t, in, "host-a.kv", good)
	long := strings.Repeat("h", 300)
	for _, c := range []struct {
		name  string
		cfg   Config
		setup func(out string)
		errno syscall.Errno
	}{
		{"host name too long", Config{Host: long}, func(string) {}, syscall.ENAMETOOLONG},
		{"_manifests/ingest is a file", Config{}, func(out string) {
			os.RemoveAll(filepath.Join(out, "_manifests", "ingest"))
			write(t, filepath.Join(out, "_manifests"), "ingest", "not a folder")
		}, syscall.ENOTDIR},
	} {
		t.Run(c.name, func(t *testing.T) {
			out := t.TempDir()
			// a lake holding an earlier run of the source (changed since)
			// and of another
			write(t, in, "host-a.kv", good)
			if _, err := Run(context.Background(), Config{Out: out}, []string{src, write(t, t.TempDir(), "other.kv", good)}); err != nil {
				t.Fatal(err)
			}
			write(t, in, "host-a.kv", "KV 1795305201 1\n")
			c.setup(out)
			before := laketest.Snapshot(t, out)
			cfg := c.cfg
			cfg.Out = out
			_, err := Run(context.Background(), cfg, []string{src})
			if !errors.Is(err, c.errno) {
				t.Fatalf("err = %v, want %v", err, c.errno)
			}
			if d := laketest.Diff(before, laketest.Snapshot(t, out)); d != "" {
				t.Errorf("the lake changed: %s", d)
			}
		})
	}
}
