// Package lakeio is the replay's side of the lake: it reads what a replay
// or a calibration needs from a lake's tables (QEMU's query-migrate polls,
// dirty-rate series from QMP, sar paging or xentop CPU, a CSV series) and
// writes replays as the replay_run and replay_round tables. Package replay
// itself reads and writes no files.
//
// Lake folders may be given at any level: a lake root, a table= folder, or
// a host= or date= folder below one. Files are read by column name through
// schema/table (a column a file lacks reads as null) and listed as
// table.ListFiles lists them (the lake's _-prefixed bookkeeping skipped).
package lakeio

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/migreplay/migreplay/replay"
	"github.com/migreplay/migreplay/schema/table"
)

// A ChoiceError says the lake holds several of what a query must pick one
// of (hosts, migrations, domains), or that a query lacks a figure it needs.
// Field names the Query field that decides: "Host", "Run", "Domain" or
// "DirtyPerCPU". Its message ends with "pick one" or "give it". It unwraps
// to replay.ErrTrace.
type ChoiceError struct {
	Field string
	msg   string
}

func (e *ChoiceError) Error() string { return e.msg }
func (e *ChoiceError) Unwrap() error { return replay.ErrTrace }

func choice(field, format string, a ...any) error {
	return &ChoiceError{Field: field, msg: fmt.Sprintf("%v: ", replay.ErrTrace) + fmt.Sprintf(format, a...)}
}

// tableFiles lists the Parquet files of each table below dir, by table
// name (the table= folder each file is in), in path order.
func tableFiles(dir string) (map[string][]string, error) {
	files, err := table.ListFiles(dir)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	out := map[string][]string{}
	for _, f := range files {
		if root, err := tableRoot(f); err == nil && root != "" {
			name := strings.TrimPrefix(filepath.Base(root), "table=")
			out[name] = append(out[name], f)
		}
	}
	return out, nil
}

// tableRoot is the table= folder file p lies in (made absolute, so that a
// folder below it still finds it), "" when none.
func tableRoot(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	for d := filepath.Dir(abs); d != filepath.Dir(d); d = filepath.Dir(d) {
		if strings.HasPrefix(filepath.Base(d), "table=") {
			return d, nil
		}
	}
	return "", nil
}

// partitionHost is the host of the host= folder between file p's table=
// folder and p (folders above the table's are not the lake's).
func partitionHost(p string) (string, bool, error) {
	root, err := tableRoot(p)
	if err != nil || root == "" {
		return "", false, err
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", false, err
	}
	parts, err := table.Partitions(root, abs)
	if err != nil {
		return "", false, err
	}
	if i := slices.IndexFunc(parts, func(kv [2]string) bool { return kv[0] == "host" }); i >= 0 {
		return parts[i][1], true, nil
	}
	return "", false, nil
}

// noFiles is the error for a lake folder without files of tbl.
func noFiles(dir, tbl, hint string) error {
	return fmt.Errorf("%w: %s: no table=%s/…/*.parquet below it (%s)", replay.ErrTrace, dir, tbl, hint)
}

func quoteList(xs []string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = fmt.Sprintf("%q", x)
	}
	return strings.Join(q, ", ")
}

func appendNew(xs []string, x string) []string {
	if slices.Contains(xs, x) {
		return xs
	}
	return append(xs, x)
}
