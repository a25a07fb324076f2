package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/migreplay/migreplay/schema"
)

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
