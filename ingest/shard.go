package ingest

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"path/filepath"
	"strconv"
)

// Shard selects this process's share of the inputs when one job runs as
// many processes under a batch scheduler (Slurm array jobs, Kubernetes
// Indexed Jobs). An input belongs to shard SHA-256(path) mod Count: the split is
// a pure function of the path, so every shard computes the same assignment
// with no coordination and no scheduler of our own.
type Shard struct {
	Index, Count int
}

// ShardFromEnv reads the shard from the scheduler's environment:
// SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT (with SLURM_ARRAY_TASK_MIN
// subtracted), or JOB_COMPLETION_INDEX with MIGREPLAY_SHARDS (Kubernetes
// Indexed Jobs set the index only; the count is the Job's completions).
// It returns a zero Shard when neither is set.
func ShardFromEnv(getenv func(string) string) (Shard, error) {
	atoi := func(k string) (int, error) {
		v, err := strconv.Atoi(getenv(k))
		if err != nil {
			return 0, fmt.Errorf("shard from environment: %s=%q is not an integer", k, getenv(k))
		}
		return v, nil
	}
	if getenv("SLURM_ARRAY_TASK_ID") != "" {
		id, err := atoi("SLURM_ARRAY_TASK_ID")
		if err != nil {
			return Shard{}, err
		}
		n, err := atoi("SLURM_ARRAY_TASK_COUNT")
		if err != nil {
			return Shard{}, err
		}
		if getenv("SLURM_ARRAY_TASK_MIN") != "" {
			min, err := atoi("SLURM_ARRAY_TASK_MIN")
			if err != nil {
				return Shard{}, err
			}
			id -= min
		}
		return Shard{Index: id, Count: n}, nil
	}
	if getenv("JOB_COMPLETION_INDEX") != "" {
		id, err := atoi("JOB_COMPLETION_INDEX")
		if err != nil {
			return Shard{}, err
		}
		n, err := atoi("MIGREPLAY_SHARDS")
		if err != nil {
			return Shard{}, fmt.Errorf("%v (set it to the Indexed Job's completions)", err)
		}
		return Shard{Index: id, Count: n}, nil
	}
	return Shard{}, nil
}

// Valid reports whether s names a shard (or none: Count 0).
func (s Shard) Valid() error {
	if s.Count == 0 && s.Index == 0 {
		return nil
	}
	if s.Count < 1 || s.Index < 0 || s.Index >= s.Count {
		return fmt.Errorf("shard %d of %d: want 0 <= index < count", s.Index, s.Count)
	}
	return nil
}

// owns reports whether path belongs to shard s.
func (s Shard) owns(path string) bool {
	if s.Count <= 1 {
		return true
	}
	h := sha256.Sum256([]byte(path))
	return binary.BigEndian.Uint64(h[:8])%uint64(s.Count) == uint64(s.Index)
}

// sourceID is the identity of an input file, under which the lake keeps
// its manifest (see lake.Source): its canonical absolute path, symlinks
// resolved, so that b.txt, ./b.txt, $PWD/b.txt and a link to it are one
// source and a rerun under any spelling replaces its files. Stdin has no
// path: it is named by its content, stdinID.
func sourceID(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	return filepath.EvalSymlinks(abs)
}

// stdinID names what was read from stdin by its content's SHA-256.
func stdinID(sha256 string) string { return "stdin:sha256:" + sha256 }
