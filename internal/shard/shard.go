// Package shard splits one job's work between the processes of an array
// job (Slurm job arrays, Kubernetes Indexed Jobs) without any coordination:
// every process computes the same assignment from its index and the count,
// so there is no scheduler of our own and no shared state but the lake.
//
// Two rules, one per kind of work:
//
//   - ingest: an input belongs to shard SHA-256(key) mod Count (OwnsKey), a
//     pure function of the input's path;
//   - replay --sweep: the points are cut into blocks of a fixed size in
//     enumeration order, and block b belongs to shard b mod Count
//     (OwnsBlock): round robin, so neighbouring blocks (similar cost) go to
//     different shards.
package shard

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"strconv"
)

// Shard is this process's share: Index in [0, Count). The zero value (and
// any Count of 1) owns everything.
type Shard struct {
	Index, Count int
}

// FromEnv reads the shard from the scheduler's environment:
// SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT (with SLURM_ARRAY_TASK_MIN
// subtracted; the array must be contiguous, SLURM_ARRAY_TASK_MAX − MIN + 1
// = COUNT), or JOB_COMPLETION_INDEX with MIGREPLAY_SHARDS (Kubernetes
// Indexed Jobs set the index only; the count is the Job's completions).
// It returns a zero Shard when neither is set.
func FromEnv(getenv func(string) string) (Shard, error) {
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
		lo := 0
		if getenv("SLURM_ARRAY_TASK_MIN") != "" {
			if lo, err = atoi("SLURM_ARRAY_TASK_MIN"); err != nil {
				return Shard{}, err
			}
		}
		s := Shard{Index: id - lo, Count: n}
		err = s.Valid()
		if err == nil && getenv("SLURM_ARRAY_TASK_MAX") != "" {
			hi, err2 := atoi("SLURM_ARRAY_TASK_MAX")
			if err2 != nil {
				return Shard{}, err2
			}
			if hi-lo+1 != n {
				err = fmt.Errorf("array ids %d to %d hold %d tasks, not %d", lo, hi, hi-lo+1, n)
			}
		}
		if err != nil {
			// --array=0-7:2 or 1,5,9: the ids are not min..min+count-1,
			// and some inputs would belong to no task
			return Shard{}, fmt.Errorf("shard from environment: %v: use a contiguous --array (0-N, 0-N%%M), or pass --shard", err)
		}
		return s, nil
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
		s := Shard{Index: id, Count: n}
		if err := s.Valid(); err != nil {
			return Shard{}, fmt.Errorf("shard from environment: %v: MIGREPLAY_SHARDS must equal the Job's completions", err)
		}
		return s, nil
	}
	return Shard{}, nil
}

// Parse reads a --shard flag, INDEX/COUNT (0-based: 0/8 … 7/8); an empty
// flag reads the environment through getenv (see FromEnv).
func Parse(flag string, getenv func(string) string) (Shard, error) {
	if flag == "" {
		return FromEnv(getenv)
	}
	var s Shard
	var rest string
	if n, _ := fmt.Sscanf(flag, "%d/%d%s", &s.Index, &s.Count, &rest); n != 2 {
		return Shard{}, fmt.Errorf("--shard %q: want INDEX/COUNT, e.g. 0/8", flag)
	}
	if err := s.Valid(); err != nil || s.Count == 0 {
		return Shard{}, fmt.Errorf("--shard %q: want 0 <= INDEX < COUNT", flag)
	}
	return s, nil
}

// Valid reports whether s names a shard (or none: the zero value).
func (s Shard) Valid() error {
	if s.Count == 0 && s.Index == 0 {
		return nil
	}
	if s.Count < 1 || s.Index < 0 || s.Index >= s.Count {
		return fmt.Errorf("shard %d of %d: want 0 <= index < count", s.Index, s.Count)
	}
	return nil
}

// OwnsKey reports whether the item named key (an input's path) belongs to
// s: the first 8 bytes of SHA-256(key), big-endian, mod Count == Index.
func (s Shard) OwnsKey(key string) bool {
	if s.Count <= 1 {
		return true
	}
	h := sha256.Sum256([]byte(key))
	return binary.BigEndian.Uint64(h[:8])%uint64(s.Count) == uint64(s.Index)
}

// OwnsBlock reports whether block b (0-based) belongs to s: b mod Count ==
// Index.
func (s Shard) OwnsBlock(b int) bool {
	if s.Count <= 1 {
		return true
	}
	return b%s.Count == s.Index
}
