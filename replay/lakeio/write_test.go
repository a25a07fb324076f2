package lakeio

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/migreplay/migreplay/replay"
	"github.com/migreplay/migreplay/schema"
)

// The same replay written twice gives byte-identical Parquet files (and
// the same content-hashed names).
func TestWriteSameBytes(t *testing.T) {
	cfg := replay.Config{Memory: 256 << 20, DirtyModel: replay.HotCold{Rate: 30000}, ZeroShare: 0.3, Policy: replay.QEMU{}, AutoConverge: true, Seed: 42}
	a, err := replay.Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := replay.Run(cfg); !reflect.DeepEqual(a, b) {
		t.Fatal("two runs with the same seed differ")
	}
	write := func(dir string) map[string][]byte {
		run, rounds, err := replay.Rows(cfg, a, "page", 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Write(dir, []replay.Block{{Runs: []schema.ReplayRun{run}, Rounds: rounds}}, map[string]string{"k": "v"}); err != nil {
			t.Fatal(err)
		}
		files := map[string][]byte{}
		filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err == nil && d.IsDir() && strings.HasPrefix(d.Name(), "_") {
				return filepath.SkipDir // the lake's bookkeeping: run records hold wall-clock times
			}
			if err == nil && !d.IsDir() {
				rel, _ := filepath.Rel(dir, p)
				files[rel], _ = os.ReadFile(p)
			}
			return nil
		})
		return files
	}
	f1, f2 := write(t.TempDir()), write(t.TempDir())
	if len(f1) != 2 {
		t.Fatalf("want 2 files (replay_run, replay_round), got %v", keys(f1))
	}
	for name, data := range f1 {
		if !bytes.Equal(data, f2[name]) {
			t.Errorf("%s differs between two writes (or is missing: %v)", name, keys(f2))
		}
	}
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
