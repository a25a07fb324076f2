package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/migreplay/migreplay/replay"
	"github.com/migreplay/migreplay/schema"
)

func replayCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), append([]string{"replay"}, args...), &out, &errb)
	return code, out.String(), errb.String()
}

func readRows[T any](t *testing.T, dir, table string) ([]T, []string) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "table="+table, "part-*.parquet"))
	var rows []T
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		r, err := parquet.Read[T](bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		rows = append(rows, r...)
	}
	return rows, files
}

// The command's JSON and Parquet carry the library's own result for the
// same configuration (the library is checked in replay/); the same command
// twice writes the same file names (content hashes).
func TestReplayCommandJSONAndLake(t *testing.T) {
	dir := t.TempDir()
	args := []string{"--memory", "256MiB", "--bandwidth", "1Gbit/s", "--dirty-rate", "3000", "--dirty-model", "hotcold",
		"--zero-share", "0.5", "--policy", "qemu", "--seed", "7", "--json", "--out", dir}
	code, stdout, stderr := replayCmd(t, args...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var got struct {
		Inputs map[string]any `json:"inputs"`
		Result replay.Result  `json:"result"`
	}
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("JSON: %v\n%s", err, stdout)
	}
	want, err := replay.Run(replay.Config{Memory: 256 << 20, Bandwidth: 125e6, DirtyModel: replay.HotCold{Rate: 3000, HotShare: 0.1, HotWrites: 0.9},
		ZeroShare: 0.5, Policy: replay.QEMU{}, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	if got.Result.TotalTime != want.TotalTime || got.Result.Bytes != want.Bytes || len(got.Result.Log) != len(want.Log) {
		t.Errorf("command %v s / %d B, library %v s / %d B", got.Result.TotalTime, got.Result.Bytes, want.TotalTime, want.Bytes)
	}
	if got.Inputs["memory_bytes"] != float64(256<<20) || got.Inputs["policy"] != "qemu" || got.Inputs["max_bandwidth_bytes_per_s"] != float64(128<<20) {
		t.Errorf("inputs %v", got.Inputs)
	}
	runs, files1 := readRows[schema.ReplayRun](t, dir, "replay_run")
	rounds, _ := readRows[schema.ReplayRound](t, dir, "replay_round")
	if len(runs) != 1 || runs[0].TotalTime != want.TotalTime || runs[0].Engine != "page" || len(rounds) != len(want.Log) {
		t.Fatalf("lake: %d runs %+v, %d rounds", len(runs), runs, len(rounds))
	}
	// same command, new lake: same content-hashed names
	dir2 := t.TempDir()
	args[len(args)-1] = dir2
	if code, _, stderr := replayCmd(t, args...); code != 0 {
		t.Fatal(stderr)
	}
	_, files2 := readRows[schema.ReplayRun](t, dir2, "replay_run")
	if filepath.Base(files1[0]) != filepath.Base(files2[0]) {
		t.Errorf("file names differ: %s vs %s", files1[0], files2[0])
	}
}

func TestReplayCommandTable(t *testing.T) {
	code, stdout, stderr := replayCmd(t, "--memory", "128MiB", "--dirty-rate", "2000", "--policy", "xen-legacy", "--xen-rate-adapt")
	if code != 0 {
		t.Fatal(stderr)
	}
	for _, want := range []string{"policy      xen-legacy", "total time", "downtime", "stop-copy", "precopy"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("table lacks %q:\n%s", want, stdout)
		}
	}
}

// --sweep writes one row per configuration in enumeration order
// (policy-major, dirty rate innermost).
func TestReplayCommandSweep(t *testing.T) {
	dir := t.TempDir()
	code, stdout, stderr := replayCmd(t, "--memory", "512MiB", "--sweep", "policy=xen-legacy,qemu", "--sweep", "dirty-rate=1000:5000:4000",
		"--analytic", "--out", dir)
	if code != 0 {
		t.Fatal(stderr)
	}
	runs, _ := readRows[schema.ReplayRun](t, dir, "replay_run")
	if len(runs) != 4 {
		t.Fatalf("%d rows, want 4\n%s", len(runs), stdout)
	}
	for i, r := range runs {
		wantPol := []string{"xen-legacy", "xen-legacy", "qemu", "qemu"}[i]
		wantRate := []string{"rate=1000)", "rate=5000)", "rate=1000)", "rate=5000)"}[i]
		if r.SweepIndex != int64(i) || r.Policy != wantPol || !strings.HasSuffix(r.DirtyModel, wantRate) || r.Engine != "analytic" {
			t.Errorf("row %d: %d %s %s %s", i, r.SweepIndex, r.Policy, r.DirtyModel, r.Engine)
		}
	}
	if !strings.Contains(stdout, "xen-legacy") || strings.Count(stdout, "\n") != 5 {
		t.Errorf("sweep table:\n%s", stdout)
	}
}

func TestReplayCommandTrace(t *testing.T) {
	p := filepath.Join(t.TempDir(), "rate.csv")
	os.WriteFile(p, []byte("time_s,pages_per_s\n0,1000\n5,8000\n10,2000\n"), 0o644)
	code, stdout, stderr := replayCmd(t, "--memory", "256MiB", "--dirty-trace", p, "--json")
	if code != 0 {
		t.Fatal(stderr)
	}
	if !strings.Contains(stdout, `"dirty_model": "trace(samples=3`) {
		t.Errorf("trace not used:\n%s", stdout)
	}
}

// Bad input: exit 2 and one line naming the flag.
func TestReplayCommandErrors(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.csv")
	os.WriteFile(bad, []byte("0,1\n1,oops\n"), 0o644)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--memory", "8 parsecs"}, "--memory: bad quantity"},
		{[]string{"--policy", "vmware"}, `unknown policy "vmware"`},
		{[]string{"--dirty-model", "trace"}, "needs a dirty-rate trace"},
		{[]string{"--dirty-trace", bad}, "bad.csv:2:3: bad dirty-rate trace"},
		{[]string{"--mtu", "20"}, "MTU 20 B"},
		{[]string{"--sweep", "colour=red"}, "unknown parameter"},
		{[]string{"--cpu-cap", "2"}, "CPU cap 2"},
	} {
		code, _, stderr := replayCmd(t, c.args...)
		if code != 2 || !strings.Contains(stderr, c.want) || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", c.args, code, stderr, c.want)
		}
	}
}
