package ingest

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"

	"github.com/migreplay/migreplay/ingest/parse"
	"github.com/migreplay/migreplay/schema/lake"
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

// manifest records which lake files one source produced, so that a rerun
// over the same source replaces exactly its own files: files of the old
// manifest that the new run did not write again are removed.
type manifest struct {
	Source string   `json:"source"`
	SHA256 string   `json:"sha256"`
	Files  []string `json:"files"`
}

func manifestPath(root, source string) string {
	h := sha256.Sum256([]byte(source))
	return filepath.Join(root, "_manifests", "ingest", hex.EncodeToString(h[:8])+".json")
}

// updateManifests writes each source's manifest and removes the files its
// previous run wrote that this run did not.
func updateManifests(root string, files []FileSummary, written []lake.Written) error {
	bySource := map[string][]string{}
	for _, w := range written {
		bySource[w.Source] = append(bySource[w.Source], w.Path)
	}
	for _, f := range files {
		if f.Path == "-" {
			continue
		}
		mp := manifestPath(root, f.Path)
		// JSON would turn a path's bytes that are not UTF-8 into U+FFFD,
		// and the rerun would no longer recognise its own manifest
		source := parse.EscapeInvalid(f.Path)
		now := bySource[f.Path]
		sort.Strings(now)
		keep := map[string]bool{}
		for _, p := range now {
			keep[p] = true
		}
		if b, err := os.ReadFile(mp); err == nil {
			var old manifest
			if json.Unmarshal(b, &old) == nil && old.Source == source {
				for _, p := range old.Files {
					if !keep[p] {
						if err := os.Remove(filepath.Join(root, filepath.FromSlash(p))); err != nil && !errors.Is(err, os.ErrNotExist) {
							return fmt.Errorf("replace %s: %w", p, err)
						}
					}
				}
			}
		}
		b, _ := json.MarshalIndent(manifest{Source: source, SHA256: f.SHA256, Files: now}, "", "  ")
		if err := writeAtomic(mp, append(b, '\n')); err != nil {
			return err
		}
	}
	return nil
}

func writeAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}
