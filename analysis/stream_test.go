package analysis

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/migreplay/migreplay/ingest"
	"github.com/migreplay/migreplay/schema/table"
)

// decideBothWays runs Decide streaming each host and reading each whole
// and sorted (as before streaming), and fails unless both give the same.
func decideBothWays(t *testing.T, lake string, cfg DecideConfig) *DecideResult {
	t.Helper()
	streamed, err := Decide(lake, cfg)
	if err != nil {
		t.Fatal(err)
	}
	streamDecide = false
	sorted, err := Decide(lake, cfg)
	streamDecide = true
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(streamed, sorted) {
		t.Fatalf("streamed: %d decisions, %v points; read whole and sorted: %d decisions, %v points (or other decisions)",
			len(streamed.Decisions), streamed.Points, len(sorted.Decisions), sorted.Points)
	}
	return streamed
}

// Streaming each host's rows gives the decisions reading it whole and
// sorting it gives: three generated hosts (frames at the same instants, so
// every host sees the others' frame of that instant) with every policy.
func TestDecideStreamedEqualsSorted(t *testing.T) {
	lake := ingestLake(t, generateXentop(t, t.TempDir(), 600_000, "h-b", "h-a", "h-c")...)
	res := decideBothWays(t, lake, DecideConfig{HostCPUs: map[string]float64{"": 28}})
	if len(res.Points) != 3 || len(res.Decisions) == 0 {
		t.Fatalf("points %v, %d decisions: the lake does not exercise the policies", res.Points, len(res.Decisions))
	}
}

// Two captures of one host that overlap in time (both generated from the
// same start, ingested under one --host): its rows do not come in time
// order, so EachXentop and Decide read the host whole and sort it, and
// give what reading it so gives.
func TestOverlappingCapturesReadSorted(t *testing.T) {
	files := generateXentop(t, t.TempDir(), 300_000, "a", "b")
	lake := t.TempDir()
	if _, err := ingest.Run(context.Background(), ingest.Config{Out: lake, Host: "h"}, files); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(lake, "table=xentop_domain")
	all, err := table.ListFiles(dir)
	if err != nil || len(all) < 2 {
		t.Fatalf("%d files, %v", len(all), err)
	}
	b, err := streamXentop(dir, all)
	if err != nil {
		t.Fatal(err)
	}
	if !b.disordered {
		t.Fatal("two overlapping captures streamed in time order: the test does not exercise the fallback")
	}
	sb, err := sortedXentop(dir, all)
	if err != nil {
		t.Fatal(err)
	}
	want := sb.xentop()
	var got []*Xentop
	if err := EachXentop(lake, func(x *Xentop) error { got = append(got, x); return nil }); err != nil {
		t.Fatal(err)
	}
	wv, err := want.VMs(VMConfig{})
	if err != nil {
		t.Fatal(err)
	}
	gv, err := got[0].VMs(VMConfig{})
	if err != nil || len(got) != 1 || !reflect.DeepEqual(got[0].Migrations(), want.Migrations()) || !reflect.DeepEqual(gv, wv) {
		t.Fatalf("EachXentop on overlapping captures differs from the sorted read (%v)", err)
	}
	decideBothWays(t, lake, DecideConfig{HostCPUs: map[string]float64{"": 56}})
}

// childLake, when set, makes the test binary analyse that lake and exit
// (TestMain): a process of its own, whose peak RSS the parent reads
// (TestAnalyzeMemoryFollowsRowGroups).
const childLake = "MIGREPLAY_TEST_ANALYZE_LAKE"

// analyzeChild runs what analyze runs on a lake's xentop table.
func analyzeChild(lake string) error {
	if _, err := Migrations(lake); err != nil {
		return err
	}
	if _, err := VMs(lake, VMConfig{}); err != nil {
		return err
	}
	_, err := Decide(lake, DecideConfig{HostCPUs: map[string]float64{"": 32}})
	return err
}
