// Package analysis is where migreplay's packages meet: it reads the lake's
// tables (schema/table) and turns them into migrations, outages, VM
// rankings, migration decisions and the fitters' and reproductions'
// inputs. Config, Run and Result's writers are `migreplay analyze` as a
// library.
package analysis

import (
	"fmt"

	"github.com/migreplay/migreplay/schema/table"
)

// eachHost reads columns of the table folder dir one host= partition at a
// time, in host order, and calls fn with each host's rows; a folder with
// files outside host= partitions is read whole, in one call. Analyses that
// work per host stay within the memory of the largest host this way.
func eachHost(dir string, columns []string, fn func(*table.Columns) error) error {
	return eachHostFiles(dir, func(files []string) error {
		t, err := table.ReadFiles(dir, files, columns)
		if err != nil {
			return err
		}
		return fn(t)
	})
}

// eachHostFiles calls fn with the files of each host= partition of the
// table folder dir, in host order (all of them at once when some file is
// outside host= partitions).
func eachHostFiles(dir string, fn func(files []string) error) error {
	files, err := table.ListFiles(dir)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return fmt.Errorf("%s: no .parquet files under this folder", dir)
	}
	_, groups, ok, err := table.GroupByKey(dir, files, "host")
	if err != nil {
		return err
	}
	if !ok {
		groups = [][]string{files}
	}
	for _, g := range groups {
		if err := fn(g); err != nil {
			return err
		}
	}
	return nil
}
