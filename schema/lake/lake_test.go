package lake

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/migreplay/migreplay/schema"
)

func TestEscapeKeepsValuesInsideOneComponent(t *testing.T) {
	// Hostile host names taken from nothing but imagination: each must stay
	// one path component under "host=".
	for _, v := range []string{"../../etc", "a/b", `c:\d`, "x=y", "%2F", "..", ".", "new\nline", "s-vm 007", "Windows7 (Dev)"} {
		e := Escape(v)
		if strings.ContainsAny(e, "/\\\n=") {
			t.Errorf("Escape(%q) = %q still holds a separator", v, e)
		}
		p := filepath.Join("out", "host="+e)
		if filepath.Dir(p) != "out" {
			t.Errorf("Escape(%q) = %q leaves the partition dir: %s", v, e, p)
		}
	}
	if Escape("") != DefaultPartition {
		t.Error("empty value must be Hive's default partition")
	}
	if got := Escape("a/b=c%"); got != "a%2Fb%3Dc%25" {
		t.Errorf("Escape = %q, want a%%2Fb%%3Dc%%25 (Hive's escaping)", got)
	}
}

// Unescape inverts Escape on the same hostile names, the empty value
// included; a stray '%' is an error, not a silent guess.
func TestUnescapeInvertsEscape(t *testing.T) {
	for _, v := range []string{"", "../../etc", "a/b", `c:\d`, "x=y", "%2F", "..", "new\nline", "s-vm 007", "Windows7 (Dev)", "naïve"} {
		got, err := Unescape(Escape(v))
		if err != nil || got != v {
			t.Errorf("Unescape(Escape(%q)) = %q, %v", v, got, err)
		}
	}
	for _, bad := range []string{"a%", "a%4", "a%zz"} {
		if _, err := Unescape(bad); err == nil {
			t.Errorf("Unescape(%q): no error", bad)
		}
	}
}

func TestWriteTableIsContentNamedAndIdempotent(t *testing.T) {
	root := t.TempDir()
	rows := []schema.Reject{{File: "f", Line: 1, Format: "x", Reason: "r", Raw: "raw"}}
	w1, err := WriteTable(root, rows, map[string]string{"k": "v"})
	if err != nil {
		t.Fatal(err)
	}
	w2, err := WriteTable(root, rows, map[string]string{"k": "v"})
	if err != nil {
		t.Fatal(err)
	}
	if w1 != w2 {
		t.Fatalf("same rows, different files: %v vs %v", w1, w2)
	}
	if !strings.HasPrefix(w1.Path, "table=rejects/part-") {
		t.Errorf("path %s", w1.Path)
	}
	if _, err := os.Stat(filepath.Join(root, "_tmp")); !os.IsNotExist(err) {
		t.Errorf("_tmp left behind: %v", err)
	}
	files, _ := filepath.Glob(filepath.Join(root, "table=rejects", "*"))
	if len(files) != 1 {
		t.Errorf("files = %v", files)
	}
}

func TestAbortLeavesNothing(t *testing.T) {
	root := t.TempDir()
	s, err := NewSet(root)
	if err != nil {
		t.Fatal(err)
	}
	tbl, _ := schema.Lookup("rejects")
	f, err := s.Create(tbl, Dir(tbl, "", time.Time{}), nil)
	if err != nil {
		t.Fatal(err)
	}
	_ = f.Write(&schema.Reject{File: "f"})
	s.Abort()
	// _lake/lock, the lake's lock file, stays: removing a lock file others
	// may be waiting on would let two holders in
	if got := snapshot(t, root); len(got) != 0 {
		t.Errorf("left after Abort: %v", got)
	}
}

// Shards of an array job write into one lake at once, each with its own
// Set: one that commits or aborts removes the shared _tmp when it is
// empty, which it is while another has opened its Set but not yet created
// a file. That other Set must still be able to create and commit.
func TestSetsShareTheLakeRoot(t *testing.T) {
	root := t.TempDir()
	tbl, _ := schema.Lookup("rejects")
	for _, end := range []string{"commit", "abort"} {
		a, err := NewSet(root)
		if err != nil {
			t.Fatal(err)
		}
		b, err := NewSet(root)
		if err != nil {
			t.Fatal(err)
		}
		if end == "commit" {
			if _, err := a.Commit(); err != nil {
				t.Fatal(err)
			}
		} else {
			a.Abort()
		}
		f, err := b.Create(tbl, Dir(tbl, "", time.Time{}), nil)
		if err != nil {
			t.Fatalf("after the other Set's %s: %v", end, err)
		}
		if err := f.Write(&schema.Reject{File: end}); err != nil {
			t.Fatal(err)
		}
		w, err := b.Commit()
		if err != nil || len(w) != 1 {
			t.Fatalf("after the other Set's %s: %v %v", end, w, err)
		}
	}
}

// A file suspended before its metadata is complete, then completed,
// commits the bytes (so the name) of the file finished with all of it; a
// file holds no descriptor before its writer writes.
func TestSuspendedFileSameAsFinished(t *testing.T) {
	var rows []schema.Reject
	for i := range 10_000 {
		rows = append(rows, schema.Reject{File: "f", Line: int64(i), Format: "x", Reason: "r", Raw: strings.Repeat("r", i%50)})
	}
	table := schema.TableOf(&rows[0])
	var got [2]Written
	for k, suspend := range []bool{false, true} {
		s, err := NewSet(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		f, err := s.Create(table, Dir(table, "", time.Time{}), map[string]string{"k": "v"})
		if err != nil {
			t.Fatal(err)
		}
		for i := range rows {
			if err := f.Write(&rows[i]); err != nil {
				t.Fatal(err)
			}
		}
		if f.out.f != nil {
			t.Fatal("a temp file before the writer wrote a byte")
		}
		if suspend {
			f.SetMeta("locale", "?")
			if err := f.Suspend(); err != nil {
				t.Fatal(err)
			}
			if f.out.f != nil {
				t.Fatal("a suspended file keeps its descriptor")
			}
		}
		f.SetMeta("locale", "decimal=.")
		f.SetMeta("rows", "10000")
		w, err := s.Commit()
		if err != nil {
			t.Fatal(err)
		}
		if len(w) != 1 || w[0].Rows != int64(len(rows)) {
			t.Fatalf("written %+v", w)
		}
		got[k] = w[0]
	}
	if got[0] != got[1] {
		t.Errorf("finished %+v, suspended and completed %+v", got[0], got[1])
	}
}
