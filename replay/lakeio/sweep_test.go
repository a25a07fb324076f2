package lakeio

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/migreplay/migreplay/internal/shard"
	"github.com/migreplay/migreplay/replay"
	"github.com/migreplay/migreplay/schema"
)

// shardSweep is 4 policies × 75 dirty rates = 300 points: four full blocks
// of 64 and a last one of 44, on the page-level engine (rounds vary in
// number from point to point) with a guest small enough to keep it quick.
func shardSweep() replay.Sweep {
	s := replay.Sweep{Base: replay.Config{Memory: 8 << 20, Seed: 5, DirtyModel: replay.HotCold{Rate: 1}},
		Policy: []replay.Policy{replay.XenLegacy{}, replay.XenV2{}, replay.QEMU{}, replay.SimGrid{}}}
	for r := 500.0; len(s.DirtyRate) < 75; r += 500 {
		s.DirtyRate = append(s.DirtyRate, r)
	}
	return s
}

// writeSweep runs s (one shard of it) and writes its blocks under dir.
func writeSweep(s replay.Sweep, dir string) error {
	rs, err := s.Run(context.Background())
	if err != nil {
		return err
	}
	blocks, err := replay.SweepBlocks(rs, "page")
	if err != nil {
		return err
	}
	_, err = Write(dir, blocks, map[string]string{schema.MetaCommand: "migreplay replay --sweep …"})
	return err
}

// sweepFiles maps each Parquet file under dir to the SHA-256 of its bytes.
func sweepFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".parquet") {
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			rel, _ := filepath.Rel(dir, p)
			out[filepath.ToSlash(rel)] = fmt.Sprintf("%x", sha256.Sum256(b))
		}
		return nil
	})
	return out
}

// The shards of a sweep, run at once into one lake as the tasks of an
// array job are, leave the same files as one process, byte for byte,
// whatever their number: 1, 3, 4 and 7 shards (7 > 5 blocks: two shards
// have nothing to do and write nothing).
func TestShardedSweepUnionIsTheSingleRun(t *testing.T) {
	single := t.TempDir()
	if err := writeSweep(shardSweep(), single); err != nil {
		t.Fatal(err)
	}
	want := sweepFiles(t, single)
	// 300 points in blocks of 64: 5 replay_run files and 5 replay_round files
	var runFiles int
	for p := range want {
		if strings.HasPrefix(p, "table=replay_run/") {
			runFiles++
		}
	}
	if len(want) != 10 || runFiles != 5 {
		t.Fatalf("single run wrote %d files (%d replay_run), want 5 + 5", len(want), runFiles)
	}
	for _, n := range []int{1, 3, 4, 7} {
		dir := t.TempDir()
		errs := make(chan error, n)
		for i := range n {
			go func() {
				s := shardSweep()
				s.Shard = shard.Shard{Index: i, Count: n}
				errs <- writeSweep(s, dir)
			}()
		}
		for range n {
			if err := <-errs; err != nil {
				t.Fatalf("%d shards: %v", n, err)
			}
		}
		if got := sweepFiles(t, dir); !maps.Equal(got, want) {
			t.Errorf("%d shards: %d files, the single run %d; they differ", n, len(got), len(want))
		}
	}
}

// A shard runs exactly its blocks' points, in order, with their indices in
// the whole sweep; each block's file holds its 64 points (fewer in the
// last).
func TestSweepShardRunsItsBlocks(t *testing.T) {
	s := shardSweep()
	s.Analytic = true
	s.Shard = shard.Shard{Index: 1, Count: 3} // blocks 1 and 4: points 64–127 and 256–299
	rs, err := s.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var want []int
	for i := 64; i < 128; i++ {
		want = append(want, i)
	}
	for i := 256; i < 300; i++ {
		want = append(want, i)
	}
	if len(rs) != len(want) {
		t.Fatalf("%d results, want %d", len(rs), len(want))
	}
	all, _ := s.Configs()
	for k, r := range rs {
		if r.Index != want[k] || r.Err != nil || r.Config.DirtyRate != all[want[k]].DirtyRate || r.Config.Policy != all[want[k]].Policy {
			t.Fatalf("result %d: index %d (want %d), %v", k, r.Index, want[k], r.Err)
		}
	}
	dir := t.TempDir()
	blocks, err := replay.SweepBlocks(rs, "analytic")
	if err != nil {
		t.Fatal(err)
	}
	if len(blocks) != 2 || len(blocks[0].Runs) != 64 || len(blocks[1].Runs) != 44 {
		t.Fatalf("blocks of %d runs", len(blocks))
	}
	if _, err := Write(dir, blocks, nil); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "table=replay_run", "*.parquet"))
	var sizes []int
	for _, f := range files {
		data, _ := os.ReadFile(f)
		rows, err := parquet.Read[schema.ReplayRun](bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, len(rows))
		lo := rows[0].SweepIndex / replay.SweepBlock
		for _, r := range rows {
			if r.SweepIndex/replay.SweepBlock != lo {
				t.Errorf("%s mixes blocks %d and %d", f, lo, r.SweepIndex/replay.SweepBlock)
			}
		}
	}
	if len(sizes) != 2 || sizes[0]+sizes[1] != 108 {
		t.Errorf("replay_run files of %v rows, want 64 and 44", sizes)
	}
	s.Shard = shard.Shard{Index: 3, Count: 3}
	if _, err := s.Run(context.Background()); err == nil {
		t.Error("shard 3 of 3 accepted")
	}
}
