package shard

import (
	"path/filepath"
	"strconv"
	"testing"
)

func TestOwnsKeyPartitions(t *testing.T) {
	var paths []string
	for i := 0; i < 200; i++ {
		paths = append(paths, filepath.Join("traces", "h"+strconv.Itoa(i)+".xentop"))
	}
	seen := map[string]int{}
	for s := 0; s < 4; s++ {
		n := 0
		for _, p := range paths {
			if (Shard{Index: s, Count: 4}).OwnsKey(p) {
				seen[p]++
				n++
			}
		}
		// 200 paths over 4 shards: each gets some (binomial, p=1/4: P(0) ~ 1e-25).
		if n == 0 {
			t.Errorf("shard %d got nothing", s)
		}
	}
	for _, p := range paths {
		if seen[p] != 1 {
			t.Errorf("%s owned by %d shards", p, seen[p])
		}
	}
	// the rule itself: SHA-256("a") starts ca978112ca1bbdca, and
	// 0xca978112ca1bbdca = 14598278634844962250 ≡ 4 mod 7 (Python:
	// int(hashlib.sha256(b"a").hexdigest()[:16], 16) % 7)
	for i := 0; i < 7; i++ {
		if got := (Shard{Index: i, Count: 7}).OwnsKey("a"); got != (i == 4) {
			t.Errorf("shard %d/7 owns \"a\": %v", i, got)
		}
	}
	if !(Shard{}).OwnsKey("a") || !(Shard{Count: 1}).OwnsKey("a") {
		t.Error("no shard must own everything")
	}
}

func TestOwnsBlockRoundRobin(t *testing.T) {
	for _, n := range []int{1, 3, 4, 7} {
		for b := 0; b < 50; b++ {
			owners := 0
			for i := 0; i < n; i++ {
				if (Shard{Index: i, Count: n}).OwnsBlock(b) {
					owners++
					if b%n != i {
						t.Errorf("block %d owned by %d/%d", b, i, n)
					}
				}
			}
			if owners != 1 {
				t.Errorf("block %d has %d owners of %d shards", b, owners, n)
			}
		}
	}
	if !(Shard{}).OwnsBlock(5) {
		t.Error("no shard must own every block")
	}
}

func TestFromEnv(t *testing.T) {
	for _, c := range []struct {
		env  map[string]string
		want Shard
		err  bool
	}{
		{env: map[string]string{}, want: Shard{}},
		// sbatch --array=2-5: ids 2..5, min 2, count 4
		{env: map[string]string{"SLURM_ARRAY_TASK_ID": "5", "SLURM_ARRAY_TASK_COUNT": "4", "SLURM_ARRAY_TASK_MIN": "2"}, want: Shard{3, 4}},
		{env: map[string]string{"SLURM_ARRAY_TASK_ID": "0", "SLURM_ARRAY_TASK_COUNT": "4"}, want: Shard{0, 4}},
		// sbatch --array=0-7%2: at most 2 at once, still ids 0..7
		{env: map[string]string{"SLURM_ARRAY_TASK_ID": "7", "SLURM_ARRAY_TASK_COUNT": "8", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_MAX": "7"}, want: Shard{7, 8}},
		// sbatch --array=0-6:2: ids 0,2,4,6, count 4: id 6 is not a shard
		// index, and id 2 would take shard 2's inputs while shards 1 and 3
		// have no task
		{env: map[string]string{"SLURM_ARRAY_TASK_ID": "6", "SLURM_ARRAY_TASK_COUNT": "4", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_MAX": "6"}, err: true},
		{env: map[string]string{"SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_COUNT": "4", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_MAX": "6"}, err: true},
		// sbatch --array=1,5,9
		{env: map[string]string{"SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_COUNT": "3", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_MAX": "9"}, err: true},
		{env: map[string]string{"SLURM_ARRAY_TASK_ID": "x", "SLURM_ARRAY_TASK_COUNT": "4"}, err: true},
		{env: map[string]string{"JOB_COMPLETION_INDEX": "1", "MIGREPLAY_SHARDS": "3"}, want: Shard{1, 3}},
		{env: map[string]string{"JOB_COMPLETION_INDEX": "1"}, err: true},
		{env: map[string]string{"JOB_COMPLETION_INDEX": "3", "MIGREPLAY_SHARDS": "3"}, err: true},
	} {
		got, err := FromEnv(func(k string) string { return c.env[k] })
		if (err != nil) != c.err || got != c.want {
			t.Errorf("%v: got %v, %v; want %v, error %v", c.env, got, err, c.want, c.err)
		}
	}
}

func TestParse(t *testing.T) {
	env := func(k string) string {
		return map[string]string{"SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_COUNT": "2"}[k]
	}
	for _, c := range []struct {
		flag string
		want Shard
		err  bool
	}{
		{flag: "", want: Shard{1, 2}}, // the environment
		{flag: "0/8", want: Shard{0, 8}},
		{flag: "7/8", want: Shard{7, 8}},
		{flag: "8/8", err: true},
		{flag: "-1/8", err: true},
		{flag: "0/0", err: true},
		{flag: "1", err: true},
		{flag: "1/8x", err: true},
		{flag: "a/b", err: true},
	} {
		got, err := Parse(c.flag, env)
		if (err != nil) != c.err || got != c.want {
			t.Errorf("%q: got %v, %v; want %v, error %v", c.flag, got, err, c.want, c.err)
		}
	}
}
