package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/migreplay/migreplay/datasets"
	"github.com/migreplay/migreplay/schema"
)

// The command end to end: text table with every experiment of
// seed004_published_r2.csv, in well under 30 s.
func TestReproduceText(t *testing.T) {
	start := time.Now()
	code, out, stderr := runCmd(t, "reproduce")
	elapsed := time.Since(start)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if elapsed > 10*time.Second {
		t.Errorf("reproduce took %v, want well under 30 s (budget 10 s)", elapsed)
	}
	t.Logf("reproduce: %v", elapsed)
	rows, err := datasets.LoadPublishedR2()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if !strings.Contains(out, r.ExperimentID) {
			t.Errorf("output lacks experiment %s", r.ExperimentID)
		}
		if r.R2AsPrinted != "" && !strings.Contains(out, r.R2AsPrinted) {
			t.Errorf("output lacks %s's published R² %s", r.ExperimentID, r.R2AsPrinted)
		}
	}
	for _, s := range []string{"OURS_R2_LOG", "OURS_R2_Y", "DIFF_LOG", "hold-out", "calibration", "KVM-FV", "did not finish"} {
		if !strings.Contains(out, s) {
			t.Errorf("output lacks %q", s)
		}
	}
}

// --json parses and holds the twelve seed 004 experiments and the ten
// seed 001 fits.
func TestReproduceJSON(t *testing.T) {
	code, out, stderr := runCmd(t, "reproduce", "--json", "--seed", "3")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rep struct {
		Seed    uint64            `json:"seed"`
		Seed004 []json.RawMessage `json:"seed004"`
		Seed001 []json.RawMessage `json:"seed001"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	snakeCase(t, out)
	if rep.Seed != 3 || len(rep.Seed004) != 12 || len(rep.Seed001) != 10 {
		t.Errorf("seed %d, %d seed 004 experiments, %d seed 001 fits; want 3, 12, 10", rep.Seed, len(rep.Seed004), len(rep.Seed001))
	}
	if code, _, _ := runCmd(t, "reproduce", "--engine", "nope"); code != 2 {
		t.Errorf("--engine nope: exit %d, want 2", code)
	}
}

// --out writes both tables; the same seed gives byte-identical Parquet
// files (content-named, so the same names too), and the rows read back.
func TestReproduceParquetDeterministic(t *testing.T) {
	files := func(seed string) map[string][]byte {
		dir := t.TempDir()
		if code, _, stderr := runCmd(t, "reproduce", "--out", dir, "--seed", seed); code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		got := map[string][]byte{}
		err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".parquet") {
				return err
			}
			rel, _ := filepath.Rel(dir, p)
			got[rel], err = os.ReadFile(p)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	a, b := files("5"), files("5")
	var names []string
	for n := range a {
		names = append(names, n)
	}
	sort.Strings(names)
	if len(names) != 2 || !strings.HasPrefix(names[0], "table=reproduce/") || !strings.HasPrefix(names[1], "table=reproduce_point/") {
		t.Fatalf("files %v, want one under table=reproduce and one under table=reproduce_point", names)
	}
	for _, n := range names {
		if !bytes.Equal(a[n], b[n]) {
			t.Errorf("%s differs between two runs with seed 5", n)
		}
	}
	rows, err := parquet.Read[schema.ReproduceResult](bytes.NewReader(a[names[0]]), int64(len(a[names[0]])))
	if err != nil {
		t.Fatal(err)
	}
	var n004 int
	for _, r := range rows {
		if r.Study == "seed004" {
			n004++
			if r.R2Log == nil || r.Seed != 5 {
				t.Errorf("%s: r2_log %v seed %d", r.Experiment, r.R2Log, r.Seed)
			}
		}
	}
	if n004 != 12 || len(rows) != 22 {
		t.Errorf("%d rows (%d seed 004), want 22 (12)", len(rows), n004)
	}
}
