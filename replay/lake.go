package replay

import (
	"github.com/migreplay/migreplay/schema"
	"github.com/migreplay/migreplay/schema/lake"
)

// WriteLake writes replay_run and replay_round rows under root as
// table=<name>/part-<hash>.parquet, one run of the lake (lake.Write): both
// visible together or not at all. replay_round gets no file when there are
// no rounds. The same rows and meta give byte-identical files.
func WriteLake(root string, runs []schema.ReplayRun, rounds []schema.ReplayRound, meta map[string]string) ([]lake.Written, error) {
	tables := []lake.Rows{lake.RowsOf(runs)}
	if len(rounds) > 0 {
		tables = append(tables, lake.RowsOf(rounds))
	}
	return lake.Write(root, meta, tables...)
}
