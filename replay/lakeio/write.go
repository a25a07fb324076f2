package lakeio

import (
	"github.com/migreplay/migreplay/replay"
	"github.com/migreplay/migreplay/schema/lake"
)

// Write writes replays under root as one commit (all files visible
// together, or none): each block as its own replay_run file and, when it
// has rounds, its own replay_round file (table=<name>/part-<hash>.parquet);
// a block without runs writes nothing. The same blocks and meta give
// byte-identical files.
func Write(root string, blocks []replay.Block, meta map[string]string) ([]lake.Written, error) {
	var tables []lake.Rows
	for _, b := range blocks {
		if len(b.Runs) == 0 {
			continue
		}
		tables = append(tables, lake.RowsOf(b.Runs))
		if len(b.Rounds) > 0 {
			tables = append(tables, lake.RowsOf(b.Rounds))
		}
	}
	return lake.Write(root, meta, tables...)
}
