package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/migreplay/migreplay/ingest"
	"github.com/migreplay/migreplay/replay"
	"github.com/migreplay/migreplay/replay/lakeio"
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
	snakeCase(t, stdout)
	if got.Inputs["memory_bytes"] != float64(256<<20) || got.Inputs["policy"] != "qemu" || got.Inputs["max_bandwidth"] != float64(128<<20) {
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

// snakeCase fails the test if a JSON document has a key that is not
// snake_case (--json prints the tables' column names: schema/README.md).
func snakeCase(t *testing.T, doc string) {
	t.Helper()
	for _, m := range regexp.MustCompile(`"([^"]+)":`).FindAllStringSubmatch(doc, -1) {
		if !regexp.MustCompile(`^[a-z][a-z0-9_]*$`).MatchString(m[1]) {
			t.Errorf("JSON key %q is not snake_case", m[1])
			return
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
	code, stdout, stderr = replayCmd(t, "--memory", "512MiB", "--sweep", "policy=xen-legacy,qemu", "--analytic", "--json")
	if code != 0 || strings.Count(stdout, "\n") != 2 || !strings.Contains(stdout, `"total_time_s":`) {
		t.Errorf("sweep JSON: exit %d %s\n%s", code, stderr, stdout)
	}
	snakeCase(t, stdout)
}

// --shard i/n over n processes writes what one process writes, byte for
// byte: the blocks' files are the same and the provenance leaves --shard
// out (the real binary's command line, in a child process). The
// scheduler's variables choose the shard when --shard is not given.
func TestReplayCommandShardedSweep(t *testing.T) {
	// 2 policies × 70 dirty rates = 140 points: blocks of 64, 64 and 12
	args := []string{"replay", "--memory", "16MiB", "--sweep", "policy=xen-legacy,qemu", "--sweep", "dirty-rate=1000:70000:1000",
		"--out", "lake"}
	sweep := func(dir string, env []string, extra ...string) {
		t.Helper()
		cmd := exec.Command(os.Args[0], append(append([]string{"--"}, args...), extra...)...)
		cmd.Dir = dir
		cmd.Env = append(append(os.Environ(), "MIGREPLAY_TEST_MAIN=1"), env...)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%v %v: %v\n%s", env, extra, err, b)
		}
	}
	digest := func(dir string) map[string][]byte {
		out := map[string][]byte{}
		for _, p := range parquetFiles(t, filepath.Join(dir, "lake")) {
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			rel, _ := filepath.Rel(dir, p)
			out[rel] = b
		}
		return out
	}
	single := t.TempDir()
	sweep(single, nil)
	want := digest(single)
	if len(want) != 6 {
		t.Fatalf("single process: %d files, want 3 replay_run + 3 replay_round", len(want))
	}
	flags, env := t.TempDir(), t.TempDir()
	for i := range 3 {
		sweep(flags, nil, "--shard", fmt.Sprintf("%d/3", i))
		// sbatch --array=4-6: ids 4..6, min 4
		sweep(env, []string{fmt.Sprintf("SLURM_ARRAY_TASK_ID=%d", 4+i), "SLURM_ARRAY_TASK_COUNT=3", "SLURM_ARRAY_TASK_MIN=4"})
	}
	for name, dir := range map[string]string{"--shard": flags, "SLURM_ARRAY_TASK_*": env} {
		got := digest(dir)
		if len(got) != len(want) {
			t.Errorf("%s: %d files, single process %d", name, len(got), len(want))
		}
		for p, b := range want {
			if !bytes.Equal(b, got[p]) {
				t.Errorf("%s: %s differs or is missing", name, p)
			}
		}
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

// Bad input: exit 2 and one line naming the flag. A flag given as 0 where
// the library would read 0 as its default is refused with the valid range
// (replay.Options documents each), never run with the default; an option
// of a policy or dirty model not in use is refused, not ignored.
func TestReplayCommandErrors(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.csv")
	os.WriteFile(bad, []byte("0,1\n1,oops\n"), 0o644)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--memory", "8 parsecs"}, `invalid argument "8 parsecs" for "--memory" flag: bad quantity`},
		{[]string{"--policy", "vmware"}, `unknown policy "vmware"`},
		{[]string{"--dirty-model", "trace"}, "needs a dirty-rate trace"},
		{[]string{"--dirty-trace", bad}, "bad.csv:2:3: bad dirty-rate trace"},
		{[]string{"--mtu", "20"}, `invalid argument "20" for "--mtu" flag: want 41..65536`},
		{[]string{"--sweep", "colour=red"}, "unknown parameter"},
		{[]string{"--cpu-cap", "2"}, `invalid argument "2" for "--cpu-cap" flag: want a share in (0, 1]`},
		{[]string{"--memory", "0"}, `"--memory" flag: want > 0, one page to 64 TiB`},
		{[]string{"--memory", "0GiB"}, `"--memory" flag: want > 0`},
		{[]string{"--page-size", "0"}, `"--page-size" flag: want a power of two from 512 B to 1 GiB`},
		{[]string{"--bandwidth", "0"}, `"--bandwidth" flag: want > 0`},
		{[]string{"--bandwidth", "0Gbit/s"}, `"--bandwidth" flag: want > 0`},
		{[]string{"--max-bandwidth", "0"}, `"--max-bandwidth" flag: want > 0, or none`},
		{[]string{"--cpu-rate", "0"}, `"--cpu-rate" flag: want > 0, or none`},
		{[]string{"--mtu", "0"}, `"--mtu" flag: want 41..65536`},
		{[]string{"--cpu-cap", "0"}, `"--cpu-cap" flag: want a share in (0, 1]`},
		{[]string{"--downtime-limit", "0"}, `"--downtime-limit" flag: want > 0`},
		{[]string{"--timeout", "0"}, `"--timeout" flag: want > 0`},
		{[]string{"--timeout", "-1h"}, `"--timeout" flag: want > 0`},
		{[]string{"--state-time", "-1ms"}, `"--state-time" flag: want ≥ 0`},
		{[]string{"--postcopy-after", "-1"}, `"--postcopy-after" flag: want N ≥ 0`},
		{[]string{"--dirty-rate", "-5"}, `"--dirty-rate" flag: want ≥ 0`},
		{[]string{"--show-rounds", "-1"}, "--show-rounds -1: want ≥ 0"},
		{[]string{"--dirty-trace-run", "0"}, "--dirty-trace-run 0: want ≥ 1"},
		{[]string{"--dirty-model", "hotcold", "--hot-share", "0"}, "--hot-share 0: want a share in (0, 1]"},
		{[]string{"--dirty-model", "hotcold", "--hot-writes", "0"}, "--hot-writes 0: want a share in (0, 1]"},
		{[]string{"--dirty-model", "zipf", "--zipf-s", "0"}, "--zipf-s 0: want (0, 10]"},
		{[]string{"--dirty-model", "cpu", "--guest-cpu", "0"}, "--guest-cpu 0: want (0, 64]"},
		{[]string{"--dirty-model", "cpu", "--working-set", "0"}, "--working-set 0: want a share in (0, 1]"},
		{[]string{"--downtime-ramp", "--ramp-steps", "0"}, "--ramp-steps 0: want ≥ 1"},
		{[]string{"--downtime-ramp", "--ramp-after", "0"}, "--ramp-after 0: want ≥ 1"},
		{[]string{"--downtime-ramp", "--ramp-max", "0s"}, "--ramp-max 0s: want > 0"},
		{[]string{"--downtime-ramp", "--ramp-cooldown", "0s"}, "--ramp-cooldown 0s: want > 0"},
		{[]string{"--ramp-max", "2s"}, "--ramp-max 2s: applies with downtime-ramp"},
		{[]string{"--hot-share", "0.2"}, "--hot-share: applies to dirty-model hotcold, not uniform"},
		{[]string{"--xen-rate-adapt"}, "--xen-rate-adapt: applies to policy xen-legacy, not qemu"},
		{[]string{"--sweep", "memory=0,1GiB"}, "--sweep: sweep: memory 0: want > 0"},
		{[]string{"--sweep", "cpu-cap=0:1:0.5"}, "--sweep: sweep: cpu-cap 0: want a share in (0, 1]"},
	} {
		code, _, stderr := replayCmd(t, c.args...)
		if code != 2 || !strings.Contains(stderr, c.want) || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", c.args, code, stderr, c.want)
		}
	}
	// 0 where it means something is taken as given: no state cost, pure
	// post-copy, an idle guest
	in, res := replayJSON(t, "--memory", "64MiB", "--state-time", "0", "--postcopy-after", "0", "--dirty-rate", "0")
	if in["state_time_s"] != 0.0 || in["postcopy"] != true || in["postcopy_after"] != 0.0 || in["dirty_model"] != "uniform(rate=0)" || !res.Postcopy {
		t.Errorf("zeros that mean something: %v", in)
	}
}

// --config: a JSON file of flag values and sweep ranges; the command line
// overrides single values and replaces the file's sweep of the same
// parameter (here dirty-rate) while the file's other sweeps (policy) stay.
// Expected rows: 2 policies × 2 command-line dirty rates, at the
// command line's 256 MiB, with the file's zero share and hot/cold model.
func TestReplayCommandConfigFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sweep.json")
	os.WriteFile(path, []byte(`{
  "memory": "8GiB",
  "dirty-model": "hotcold",
  "zero-share": 0.25,
  "auto-converge": true,
  "sweep": {"policy": ["xen-v2", "qemu"], "dirty-rate": "1000:9000:1000"},
  "analytic": true
}
`), 0o644)
	out := filepath.Join(dir, "lake")
	code, stdout, stderr := replayCmd(t, "--config", path, "--memory", "256MiB", "--sweep", "dirty-rate=2000,4000", "--out", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	runs, _ := readRows[schema.ReplayRun](t, out, "replay_run")
	if len(runs) != 4 {
		t.Fatalf("%d rows, want 4:\n%s", len(runs), stdout)
	}
	for i, r := range runs {
		wantPol := []string{"xen-v2", "xen-v2", "qemu", "qemu"}[i]
		wantModel := []string{"hotcold(rate=2000,", "hotcold(rate=4000,"}[i%2]
		if r.Policy != wantPol || !strings.HasPrefix(r.DirtyModel, wantModel) || r.MemoryBytes != 256<<20 || r.ZeroShare != 0.25 ||
			!r.AutoConv || r.Engine != "analytic" {
			t.Errorf("row %d: %s %s %d B zero %g auto %v %s", i, r.Policy, r.DirtyModel, r.MemoryBytes, r.ZeroShare, r.AutoConv, r.Engine)
		}
	}
	// the same sweep from a list of name=values strings, all from the file
	path2 := filepath.Join(dir, "list.json")
	os.WriteFile(path2, []byte(`{"memory": "256MiB", "sweep": ["policy=xen-v2,qemu", "dirty-rate=2000,4000"], "analytic": true, "json": true}`), 0o644)
	code, stdout, stderr = replayCmd(t, "--config", path2)
	if code != 0 || strings.Count(stdout, "\n") != 4 {
		t.Errorf("list form: exit %d, %d lines: %s", code, strings.Count(stdout, "\n"), stderr)
	}
}

// A bad --config says file:line:col and what is wrong; exit 2.
func TestReplayCommandConfigFileErrors(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		text, want string
	}{
		{"{\n  \"memory\": \"8GiB\",\n  \"colour\": \"red\"\n}", `c.json:3:3: unknown key "colour" (keys are the flag names:`},
		{"{\n  \"memory\": [\"1GiB\", \"2GiB\"]\n}", `c.json:2:3: "memory": takes one value`},
		{"{\n  \"memory\": \"8 parsecs\"\n}", `c.json:2:3: "memory": `},
		{"{\n  \"memory\": \"8GiB\"\n  \"policy\": \"qemu\"\n}", "c.json:3:3: invalid character"},
		{"{\"downtime-limit\": 0.3}", `c.json:1:2: "downtime-limit": invalid argument "0.3" for "--downtime-limit" flag: not a duration`},
		{"{\"timeout\": \"0s\"}", `c.json:1:2: "timeout": invalid argument "0s" for "--timeout" flag: want > 0`},
		{"[1, 2]", "c.json:1:1: want a JSON object"},
		{"{\"sweep\": {\"memory\": {\"lo\": 1}}}", `"sweep": memory: want a string, a number or a list`},
	} {
		p := filepath.Join(dir, "c.json")
		os.WriteFile(p, []byte(c.text), 0o644)
		code, _, stderr := replayCmd(t, "--config", p, "--memory", "64MiB")
		if c.want == `c.json:2:3: "memory": ` {
			// the command line sets memory: the file's bad value is never read
			if code != 0 {
				t.Errorf("%q: exit %d %s; the command line's --memory should win", c.text, code, stderr)
			}
			continue
		}
		if code != 2 || !strings.Contains(stderr, c.want) || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
			t.Errorf("%q: exit %d, stderr %q; want 2 and %q", c.text, code, stderr, c.want)
		}
	}
}

// --downtime-ramp gives the library's QEMU{Ramp} with the command line's
// start (--downtime-limit) and ceiling.
func TestReplayCommandRamp(t *testing.T) {
	lake := t.TempDir()
	code, stdout, stderr := replayCmd(t, "--memory", "512MiB", "--dirty-rate", "20000", "--downtime-ramp", "--downtime-limit", "100ms",
		"--ramp-max", "900ms", "--ramp-cooldown", "2s", "--json", "--out", lake)
	if code != 0 {
		t.Fatal(stderr)
	}
	var got struct {
		Inputs map[string]any `json:"inputs"`
		Result replay.Result  `json:"result"`
	}
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatal(err)
	}
	want, err := replay.Run(replay.Config{Memory: 512 << 20, DirtyRate: 20000, Seed: 1,
		Policy: replay.QEMU{Ramp: &replay.DowntimeRamp{Initial: 100 * time.Millisecond, Max: 900 * time.Millisecond, Cooldown: 2 * time.Second}}})
	if err != nil {
		t.Fatal(err)
	}
	if got.Result.TotalTime != want.TotalTime || got.Result.Downtime != want.Downtime ||
		got.Inputs["policy_options"] != "ramp(100ms..900ms/7,after=3,every=2s)" {
		t.Errorf("command %v s %v s %v; library %v s %v s", got.Result.TotalTime, got.Result.Downtime, got.Inputs["policy_options"], want.TotalTime, want.Downtime)
	}
	if runs, _ := readRows[schema.ReplayRun](t, lake, "replay_run"); len(runs) != 1 || runs[0].PolicyOpts != "ramp(100ms..900ms/7,after=3,every=2s)" {
		t.Errorf("replay_run rows %+v", runs)
	}
	if code, _, stderr := replayCmd(t, "--policy", "xen-v2", "--downtime-ramp"); code != 2 || !strings.Contains(stderr, "--downtime-ramp: applies to policy qemu, not xen-v2") {
		t.Errorf("ramp on xen-v2: exit %d %s", code, stderr)
	}
}

// qmpLake writes three completed migrations of a 1 GiB guest on host
// kvm-a (polls every second at 800 Mbit/s, dirtying 3,000–9,000 pages/s,
// figures made up but consistent: bytes = mbps × live time) and one that
// failed.
func qmpLake(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	p := func(v int64) *int64 { return &v }
	t0 := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	var rows []schema.QMPMigrate
	for k, m := range []struct {
		secs, down, syncs, rate int64
		status                  string
	}{{12, 310, 4, 3000, "completed"}, {15, 330, 6, 6000, "completed"}, {19, 350, 9, 9000, "completed"}, {5, 0, 2, 9000, "failed"}} {
		start := t0.Add(time.Duration(k) * time.Hour)
		for s := int64(0); s <= m.secs; s++ {
			tm := start.Add(time.Duration(s) * time.Second)
			st, r := "active", schema.QMPMigrate{Host: "kvm-a", Time: &tm, Poll: int64(len(rows)), TotalTimeMs: p(s * 1000), RAMTotal: p(1 << 30),
				RAMTransferred: p(s * 100e6), RAMMbps: ptrTo(800.0), RAMDirtyPagesRate: p(m.rate), RAMDirtySyncCount: p(1 + s*m.syncs/m.secs)}
			if s == m.secs {
				st = m.status
				r.DowntimeMs = p(m.down)
			}
			r.Status = &st
			rows = append(rows, r)
		}
	}
	d := filepath.Join(dir, "table=qmp_migrate", "host=kvm-a", "date=2026-11-21")
	os.MkdirAll(d, 0o755)
	f, err := os.Create(filepath.Join(d, "part-0000000000000000.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := parquet.Write(f, rows); err != nil {
		t.Fatal(err)
	}
	return dir
}

// --calibrate prints what the library's lakeio.Calibrate computes on the
// same lake (checked in replay/lakeio), in JSON and as a table; the failed migration
// is listed as skipped.
func TestReplayCommandCalibrate(t *testing.T) {
	lake := qmpLake(t)
	want, err := lakeio.Calibrate(lake, replay.QMPOptions{Policy: replay.QEMU{}}, replay.CalibrateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := replayCmd(t, "--calibrate", lake, "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	snakeCase(t, stdout)
	var got struct {
		Migrations int      `json:"migrations"`
		Skipped    []string `json:"skipped"`
		MdAPE      map[string]*float64
		Fit        map[string]*float64
	}
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	if got.Migrations != 3 || len(got.Skipped) != 1 || !strings.Contains(got.Skipped[0], `"failed"`) ||
		*got.MdAPE["total_time"] != want.LOO.MdAPETotalTime || *got.MdAPE["bytes"] != want.LOO.MdAPEBytes ||
		*got.Fit["efficiency"] != want.All.Efficiency {
		t.Errorf("command %+v; library %+v", got, want.LOO)
	}
	code, stdout, stderr = replayCmd(t, "--calibrate", lake)
	if code != 0 || !strings.Contains(stdout, "median absolute percentage error: total time") || !strings.Contains(stdout, "skipped: ") {
		t.Errorf("table: exit %d %s\n%s", code, stderr, stdout)
	}
	if code, _, stderr := replayCmd(t, "--calibrate", t.TempDir()); code != 2 || !strings.Contains(stderr, "no table=qmp_migrate") {
		t.Errorf("empty lake: exit %d %s", code, stderr)
	}
	// a flag describing a replay --calibrate does not run is refused, not ignored
	if code, _, stderr := replayCmd(t, "--calibrate", lake, "--memory", "1GiB"); code != 2 || !strings.Contains(stderr, "--memory does not apply to --calibrate") {
		t.Errorf("--memory: exit %d %s", code, stderr)
	}
}

// --dirty-trace on a lake of several migrations names them and asks for
// --dirty-trace-run; with it, the run's dirty-rate series drives the
// replay.
func TestReplayCommandTraceFromLake(t *testing.T) {
	lake := qmpLake(t)
	code, _, stderr := replayCmd(t, "--memory", "256MiB", "--dirty-trace", lake)
	if code != 2 || !strings.Contains(stderr, "holds 4 migrations (1: host kvm-a from 2026-11-21T10:00:00Z, 13 polls, completed;") ||
		!strings.Contains(stderr, "--dirty-trace-run N") {
		t.Errorf("exit %d, %s", code, stderr)
	}
	code, stdout, stderr := replayCmd(t, "--memory", "256MiB", "--dirty-trace", lake, "--dirty-trace-run", "2", "--json")
	if code != 0 || !strings.Contains(stdout, `"dirty_model": "trace(samples=1,mean=6000,`) {
		t.Errorf("exit %d %s\n%s", code, stderr, stdout)
	}
}

// bundledLake ingests the bundled traces (datasets/traces) into a
// temporary lake, as "migreplay ingest" does.
func bundledLake(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if _, err := ingest.Run(context.Background(), ingest.Config{Out: dir}, []string{"../../datasets/traces"}); err != nil {
		t.Fatal(err)
	}
	return dir
}

// replayJSON runs the command with --json --analytic and decodes what
// these tests compare.
func replayJSON(t *testing.T, args ...string) (inputs map[string]any, res replay.Result) {
	t.Helper()
	code, stdout, stderr := replayCmd(t, append(args, "--json", "--analytic")...)
	if code != 0 {
		t.Fatalf("%v: exit %d: %s", args, code, stderr)
	}
	var doc struct {
		Inputs map[string]any `json:"inputs"`
		Result replay.Result  `json:"result"`
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	return doc.Inputs, doc.Result
}

// --dirty-trace on the lake of the bundled traces, each source in turn
// (the library's figures on the same lake are checked in replay/, against
// the raw files):
//
//   - by default the QMP migration of kvm1 drives the replay and lends it
//     what it measured: memory 4,312,006,656 B (ram.total), zero share
//     736,915/1,052,736 (ram.duplicate), stream rate 924.395 Mbit/s
//     (median ram.mbps) as max-bandwidth with no link limit (the CPU rate
//     stays its default), downtime limit 300 ms (the first
//     expected-downtime); flags override each;
//   - sar: the guest's paging, mean 495.4 pages/s (sar's Average line of
//     vm.sar_B.txt); the guest's size stays the flag's default, 8 GiB;
//   - xentop: needs --dirty-rate (per busy CPU) and a domain; app07 at
//     1,000 pages/s per CPU averages 2,395.69 pages/s, and lends its
//     memory, 12,582,900 KiB.
func TestReplayCommandTraceSources(t *testing.T) {
	if testing.Short() {
		t.Skip("ingests the bundled traces")
	}
	lake := bundledLake(t)
	in, res := replayJSON(t, "--dirty-trace", lake)
	if in["memory_bytes"] != 4312006656.0 || in["zero_share"] != 736915.0/1052736 || in["stream_rate"] != 924.395e6/8 ||
		in["max_bandwidth"] != 924.395e6/8 || in["bandwidth"] != nil || in["cpu_rate"] != 1.25e9 || in["downtime_limit_s"] != 0.3 ||
		!strings.HasPrefix(in["dirty_model"].(string), "trace(samples=3,mean=4750.38,") || !res.Converged {
		t.Errorf("qmp defaults: %v", in)
	}
	code, stdout, _ := replayCmd(t, "--dirty-trace", lake, "--analytic")
	if code != 0 || !strings.Contains(stdout, "from the lake: memory 4.02 GiB (ram.total), page size 4096 B (ram.page-size), zero share 0.7 (ram.duplicate), max-bandwidth 924 Mbit/s (median ram.mbps), no link limit (not measured; the stop-and-copy runs at --cpu-rate), downtime limit 300ms (first expected-downtime); flags override them") {
		t.Errorf("text: %s", stdout)
	}
	in, _ = replayJSON(t, "--dirty-trace", lake, "--memory", "2GiB", "--zero-share", "0.1", "--bandwidth", "10Gbit/s")
	if in["memory_bytes"] != float64(2<<30) || in["zero_share"] != 0.1 || in["bandwidth"] != 1.25e9 ||
		in["max_bandwidth"] != 924.395e6/8 || in["cpu_rate"] != 1.25e9 {
		t.Errorf("flags override: %v", in)
	}
	// only the bandwidth given: the rest still comes from the lake
	in, _ = replayJSON(t, "--dirty-trace", lake, "--bandwidth", "10Gbit/s")
	if in["memory_bytes"] != 4312006656.0 || in["bandwidth"] != 1.25e9 || in["max_bandwidth"] != 924.395e6/8 {
		t.Errorf("bandwidth given: %v", in)
	}

	in, _ = replayJSON(t, "--dirty-trace", lake, "--dirty-trace-source", "sar")
	if in["memory_bytes"] != float64(8<<30) || in["zero_share"] != 0.0 || !strings.HasPrefix(in["dirty_model"].(string), "trace(samples=5,mean=495.4,") {
		t.Errorf("sar: %v", in)
	}

	code, _, stderr := replayCmd(t, "--dirty-trace", lake, "--dirty-trace-source", "xentop")
	if code != 2 || !strings.Contains(stderr, "give it with --dirty-rate") {
		t.Errorf("xentop without a rate: exit %d %s", code, stderr)
	}
	code, _, stderr = replayCmd(t, "--dirty-trace", lake, "--dirty-trace-source", "xentop", "--dirty-rate", "1000")
	if code != 2 || !strings.Contains(stderr, `"zz-monitor"): pick one with --dirty-trace-domain`) {
		t.Errorf("xentop without a domain: exit %d %s", code, stderr)
	}
	in, _ = replayJSON(t, "--dirty-trace", lake, "--dirty-trace-source", "xentop", "--dirty-rate", "1000", "--dirty-trace-domain", "app07")
	if in["memory_bytes"] != float64(12582900<<10) || !strings.HasPrefix(in["dirty_model"].(string), "trace(samples=337,mean=2395.69,") {
		t.Errorf("xentop: %v", in)
	}
	code, _, stderr = replayCmd(t, "--dirty-trace", lake, "--dirty-trace-source", "sar", "--dirty-trace-host", "kvm1")
	if code != 2 || !strings.Contains(stderr, `sar_paging has no rows of host "kvm1" (hosts: "vm")`) {
		t.Errorf("sar of an unknown host: exit %d %s", code, stderr)
	}
	p := filepath.Join(t.TempDir(), "rate.csv")
	os.WriteFile(p, []byte("0,1000\n"), 0o644)
	if code, _, stderr := replayCmd(t, "--dirty-trace", p, "--dirty-trace-source", "sar"); code != 2 || !strings.Contains(stderr, "applies to a lake folder") {
		t.Errorf("source for a CSV file: exit %d %s", code, stderr)
	}
}

// --params FILE replays with fitted parameters: the "fit" of --calibrate
// --json (here written by hand: state time 2 ms, CPU rate 3 GB/s) lands
// in the inputs; a fitted option also given as a flag is refused, not
// overridden; --postcopy-at requests post-copy by time.
func TestReplayCommandParams(t *testing.T) {
	file := filepath.Join(t.TempDir(), "fit.json")
	if err := os.WriteFile(file, []byte(`{"lake": "x", "fit": {"state_time_s": 0.002, "cpu_rate": 3e9, "efficiency": null}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	in, _ := replayJSON(t, "--memory", "1GiB", "--params", file)
	if in["state_time_s"] != 0.002 || in["cpu_rate"] != 3e9 {
		t.Errorf("inputs %v", in)
	}
	if code, _, stderr := replayCmd(t, "--memory", "1GiB", "--params", file, "--state-time", "5ms"); code != 2 || !strings.Contains(stderr, "--state-time") {
		t.Errorf("--state-time and --params: exit %d %s", code, stderr)
	}
	_, res := replayJSON(t, "--memory", "1GiB", "--dirty-rate", "5000", "--postcopy-at", "3s")
	if !res.Postcopy || res.StopReason != "postcopy" {
		t.Errorf("--postcopy-at: %+v", res)
	}
	if code, _, stderr := replayCmd(t, "--postcopy-at", "3s", "--postcopy-after", "2"); code != 2 || !strings.Contains(stderr, "give one") {
		t.Errorf("--postcopy-at with --postcopy-after: exit %d %s", code, stderr)
	}
}
