package ingest

import (
	"path/filepath"

	"github.com/migreplay/migreplay/ingest/parse"
	"github.com/migreplay/migreplay/internal/shard"
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

// sourceID is the identity of an input file, under which the lake keeps
// its manifest (see lake.Source): its canonical absolute path, symlinks
// resolved, so that b.txt, ./b.txt, $PWD/b.txt and a link to it are one
// source and a rerun under any spelling replaces its files. Stdin has no
// path: it is named by its content, stdinID. A path that is not UTF-8 is
// named with its invalid bytes written \xHH (parse.EscapeInvalid), as the
// manifest, a JSON file, stores it: a rerun finds its manifest again.
func sourceID(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	canon, err := filepath.EvalSymlinks(abs)
	return parse.EscapeInvalid(canon), err
}

// stdinID names what was read from stdin by its content's SHA-256.
func stdinID(sha256 string) string { return "stdin:sha256:" + sha256 }
