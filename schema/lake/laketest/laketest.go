// Package laketest compares lakes in tests: Snapshot is a lake as a reader
// and the next run see it, byte for byte, with what differs between two
// runs of the same inputs (run ids, wall-clock times) normalized away.
package laketest

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// Snapshot maps every folder (with a trailing '/') and file under root to
// its bytes, leaving out _lake/ (the lock and the pending folder). A
// source manifest (_manifests/ingest/) has its "run" blanked; run records
// (_manifests/runs/) are keyed "_manifests/runs/#<i>" in order of what
// they committed (their files and sources, less the files they took out,
// which depend on the lake before them), instead of by id. An error fails
// the test.
func Snapshot(t testing.TB, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	var runs []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		switch {
		case rel == ".":
			return nil
		case rel == "_lake":
			return filepath.SkipDir
		case d.IsDir():
			out[rel+"/"] = "dir"
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		switch filepath.ToSlash(filepath.Dir(rel)) {
		case "_manifests/runs":
			var rec struct {
				Files   []map[string]any `json:"files"`
				Sources []map[string]any `json:"sources"`
			}
			if err := json.Unmarshal(b, &rec); err != nil {
				return fmt.Errorf("%s: %w", rel, err)
			}
			for _, s := range rec.Sources {
				delete(s, "replaced")
			}
			n, _ := json.Marshal(rec)
			runs = append(runs, string(n))
			return nil
		case "_manifests/ingest":
			var m map[string]any
			if err := json.Unmarshal(b, &m); err != nil {
				return fmt.Errorf("%s: %w", rel, err)
			}
			delete(m, "run")
			b, _ = json.Marshal(m)
		}
		out[rel] = string(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(runs)
	for i, r := range runs {
		out[fmt.Sprintf("_manifests/runs/#%d", i)] = r
	}
	return out
}

// Diff names the paths where two snapshots differ (the first eight): -
// only in a, + only in b, ~ in both with other bytes; "" when equal.
func Diff(a, b map[string]string) string {
	var d []string
	for k, v := range a {
		if w, ok := b[k]; !ok {
			d = append(d, "-"+k)
		} else if w != v {
			d = append(d, "~"+k)
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			d = append(d, "+"+k)
		}
	}
	sort.Strings(d)
	if len(d) > 8 {
		d = append(d[:8], "…")
	}
	return strings.Join(d, " ")
}
