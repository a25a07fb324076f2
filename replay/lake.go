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
	s, err := lake.NewSet(root)
	if err != nil {
		return nil, err
	}
	runT := schema.TableOf(&schema.ReplayRun{})
	roundT := schema.TableOf(&schema.ReplayRound{})
	fr, err := s.Create(runT, lake.Dir(runT, "", time.Time{}), meta)
	if err != nil {
		s.Abort()
		return nil, err
	}
	for i := range runs {
		if err := fr.Write(&runs[i]); err != nil {
			s.Abort()
			return nil, fmt.Errorf("replay: write %s: %w", runT.Name, err)
		}
	}
	if len(rounds) > 0 {
		fd, err := s.Create(roundT, lake.Dir(roundT, "", time.Time{}), meta)
		if err != nil {
			s.Abort()
			return nil, err
		}
		for i := range rounds {
			if err := fd.Write(&rounds[i]); err != nil {
				s.Abort()
				return nil, fmt.Errorf("replay: write %s: %w", roundT.Name, err)
			}
		}
	}
	return s.Commit()
}
