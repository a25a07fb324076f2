package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/migreplay/migreplay/ingest"
	"github.com/migreplay/migreplay/schema"
)

func analyzeCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), append([]string{"analyze"}, args...), &out, &errb)
	return code, out.String(), errb.String()
}

// A lake that is not there, or holds nothing analyze reads, is an error
// (exit 2), not an empty report; flags whose 0 means nothing are refused.
func TestAnalyzeCommandErrors(t *testing.T) {
	empty := t.TempDir()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--lake", filepath.Join(empty, "nope")}, "no such folder"},
		{[]string{"--lake", empty}, "nothing to analyze"},
		{[]string{"--lake", empty, "--bandwidth", "0"}, "--bandwidth 0: want > 0"},
		{[]string{"--lake", empty, "--bandwidth", "1 parsec"}, "--bandwidth: bad quantity"},
		{[]string{"--lake", empty, "--bandwidth-mbit", "0"}, "--bandwidth 0Mbit/s: want > 0"},
		{[]string{"--lake", empty, "--bandwidth", "1Gbit/s", "--bandwidth-mbit", "10"}, "both given"},
		{[]string{"--lake", empty, "--dirty-per-cpu", "0"}, "--dirty-per-cpu 0: want > 0"},
		{[]string{"--lake", empty, "--nic-mbit", "0"}, "--nic-mbit 0: want > 0"},
		{[]string{"--lake", empty, "--policy", "vmware"}, `unknown policy "vmware"`},
	} {
		code, _, stderr := analyzeCmd(t, c.args...)
		if code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, %q; want 2 and %q", c.args, code, stderr, c.want)
		}
	}
}

// --bandwidth takes units as replay's does; the old --bandwidth-mbit N
// still works, as --bandwidth NMbit/s, with a warning on stderr.
func TestAnalyzeCommandBandwidth(t *testing.T) {
	if testing.Short() {
		t.Skip("ingests the bundled traces")
	}
	lake := bundledLake(t)
	// lab1's CPU count (the decisions need it; see TestAnalyzeDecisionFlags)
	cpus := []string{"--host-cpus", "lab1=28"}
	code, want, stderr := analyzeCmd(t, append([]string{"--lake", lake, "--json", "--bandwidth", "100Mbit/s"}, cpus...)...)
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d %s", code, stderr)
	}
	code, got, stderr := analyzeCmd(t, append([]string{"--lake", lake, "--json", "--bandwidth-mbit", "100"}, cpus...)...)
	if code != 0 || got != want || !strings.Contains(stderr, "warning: --bandwidth-mbit is deprecated: use --bandwidth 100Mbit/s") {
		t.Errorf("exit %d, same output %v, stderr %q", code, got == want, stderr)
	}
	if _, def, _ := analyzeCmd(t, append([]string{"--lake", lake, "--json"}, cpus...)...); def == want {
		t.Error("100 Mbit/s predicts what the default 1 Gbit/s does")
	}
	snakeCase(t, want)
}

// analyze on the bundled lake: lab1's domains use more CPUs than Domain-0's
// 16 vCPUs, so the default is refused with what to do; --host-cpus
// lab1=28 lets every policy run; a threshold the user set reaches every
// policy (at 99 % none acts); a policy name not registered is a usage
// error naming the registered ones; --decide none skips decisions.
func TestAnalyzeDecisionFlags(t *testing.T) {
	lake := bundledLake(t)
	code, _, stderr := runCmd(t, "analyze", "--lake", lake)
	if code != 2 || !strings.Contains(stderr, "give the host's CPU count with --host-cpus lab1=N") {
		t.Errorf("default CPUs: exit %d, %s", code, stderr)
	}
	decisions := func(args ...string) []schema.Decision {
		t.Helper()
		code, out, stderr := runCmd(t, append([]string{"analyze", "--lake", lake, "--json"}, args...)...)
		if code != 0 {
			t.Fatalf("%v: exit %d, %s", args, code, stderr)
		}
		var res struct {
			Decisions []schema.Decision `json:"decisions"`
		}
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatal(err)
		}
		return res.Decisions
	}
	by := map[string]int{}
	for _, d := range decisions("--host-cpus", "lab1=28") {
		by[d.Policy]++
		if d.HostCPUs != 28 || d.Dest != nil || !strings.Contains(d.DestNote, "no other host") || d.IDC != "unknown (taken as 0)" {
			t.Errorf("%+v", d)
		}
	}
	if len(by) != 4 {
		t.Errorf("policies that decided: %v, want all four", by)
	}
	if d := decisions("--host-cpus", "28", "--threshold-cpu", "99"); len(d) != 0 {
		t.Errorf("at 99 %%: %d decisions", len(d))
	}
	if d := decisions("--decide", "none"); len(d) != 0 {
		t.Errorf("--decide none: %d decisions", len(d))
	}
	code, _, stderr = runCmd(t, "analyze", "--lake", lake, "--decide", "seed002,nope")
	if code != 2 || !strings.Contains(stderr, `no policy "nope" (have hotspot-ar1, idc, sandpiper, seed002)`) {
		t.Errorf("unknown policy: exit %d, %s", code, stderr)
	}
	code, _, stderr = runCmd(t, "analyze", "--lake", lake, "--host-cpus", "lab1=x")
	if code != 2 || !strings.Contains(stderr, "--host-cpus") {
		t.Errorf("bad --host-cpus: exit %d, %s", code, stderr)
	}
}

// A lake of QEMU migration logs alone is analyzed (it was refused as
// holding nothing to analyze): one analysis_qmp_migration row per
// migration of datasets/qemu (26 logs, one migration each, as its
// manifest says), the cancelled one (above-1g-noac) once although QEMU
// answered {"status": "cancelled"} to the polls after it.
func TestAnalyzeQMPOnlyLake(t *testing.T) {
	if testing.Short() {
		t.Skip("ingests datasets/qemu")
	}
	lake := t.TempDir()
	if _, err := ingest.Run(context.Background(), ingest.Config{Out: lake}, []string{"../../datasets/qemu/traces"}); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := analyzeCmd(t, "--lake", lake, "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var res struct {
		QMP []schema.QMPMigration `json:"qmp_migrations"`
	}
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatal(err)
	}
	status := map[string]string{}
	for _, m := range res.QMP {
		if _, dup := status[m.Host]; dup {
			t.Errorf("host %s: more than one migration", m.Host)
		}
		status[m.Host] = m.Status
	}
	if len(status) != 26 || status["above-1g-noac"] != "cancelled" || status["idle-1g"] != "completed" {
		t.Errorf("%d hosts, above-1g-noac %q, idle-1g %q: want 26, cancelled, completed", len(status), status["above-1g-noac"], status["idle-1g"])
	}
}
