package replay

import (
	"fmt"
	"time"

	"github.com/migreplay/migreplay/schema"
	"github.com/migreplay/migreplay/schema/lake"
)

// WriteLake writes replay_run and replay_round rows under root as
// table=<name>/part-<hash>.parquet, both visible together or not at all.
// The same rows and meta give byte-identical files.
func WriteLake(root string, runs []schema.ReplayRun, rounds []schema.ReplayRound, meta map[string]string) ([]lake.Written, error) {
	return WriteLakeBlocks(root, []LakeBlock{{Runs: runs, Rounds: rounds}}, meta)
}

// LakeBlock is the rows of one replay_run file and of its replay_round
// file (none when there are no rounds).
type LakeBlock struct {
	Runs   []schema.ReplayRun
	Rounds []schema.ReplayRound
}

// WriteLakeBlocks writes each block as its own replay_run and replay_round
// files (see SweepLakeBlocks), all visible together or not at all. A block
// without runs writes nothing.
func WriteLakeBlocks(root string, blocks []LakeBlock, meta map[string]string) ([]lake.Written, error) {
	s, err := lake.NewSet(root)
	if err != nil {
		return nil, err
	}
	for _, b := range blocks {
		if len(b.Runs) == 0 {
			continue
		}
		if err := writeFile(s, b.Runs, meta); err != nil {
			s.Abort()
			return nil, err
		}
		if len(b.Rounds) > 0 {
			if err := writeFile(s, b.Rounds, meta); err != nil {
				s.Abort()
				return nil, err
			}
		}
	}
	return s.Commit()
}

// writeFile writes rows as one file of their table in s and closes it, so
// that a sweep of many blocks holds one block's buffers, not all of them.
func writeFile[T any, P interface {
	*T
	schema.Row
}](s *lake.Set, rows []T, meta map[string]string) error {
	t := schema.TableOf(P(new(T)))
	f, err := s.Create(t, lake.Dir(t, "", time.Time{}), meta)
	if err != nil {
		return err
	}
	for i := range rows {
		if err := f.Write(P(&rows[i])); err != nil {
			return fmt.Errorf("replay: write %s: %w", t.Name, err)
		}
	}
	return f.Finish()
}
