package ingest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/migreplay/migreplay/internal/shard"
	"github.com/migreplay/migreplay/schema/lake"
)

// Shard selects this process's share of the inputs when one job runs as
// many processes under a batch scheduler (Slurm array jobs, Kubernetes
// Indexed Jobs). An input belongs to shard SHA-256(path) mod Count (see
// shard.Shard.OwnsKey): the split is a pure function of the path, so every
// shard computes the same assignment with no coordination and no scheduler
// of our own.
type Shard = shard.Shard

// ShardFromEnv reads the shard from the scheduler's environment (see
// shard.FromEnv).
func ShardFromEnv(getenv func(string) string) (Shard, error) { return shard.FromEnv(getenv) }

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
		now := bySource[f.Path]
		sort.Strings(now)
		keep := map[string]bool{}
		for _, p := range now {
			keep[p] = true
		}
		if b, err := os.ReadFile(mp); err == nil {
			var old manifest
			if json.Unmarshal(b, &old) == nil && old.Source == f.Path {
				for _, p := range old.Files {
					if !keep[p] {
						if err := os.Remove(filepath.Join(root, filepath.FromSlash(p))); err != nil && !errors.Is(err, os.ErrNotExist) {
							return fmt.Errorf("replace %s: %w", p, err)
						}
					}
				}
			}
		}
		b, _ := json.MarshalIndent(manifest{Source: f.Path, SHA256: f.SHA256, Files: now}, "", "  ")
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
