package report

import (
	"os"
	"path/filepath"

	"github.com/migreplay/migreplay/schema/table"
)

// part is one lake root's read of a table.
type part struct {
	root string
	t    *table.Columns
}

// read reads columns of table name from every lake root that has it (one
// part per root, roots in the order given; a column a file lacks reads as
// null); host, when not empty, restricts the read to that host's partition.
func read(roots []string, name, host string, cols []string) ([]part, error) {
	var out []part
	for _, r := range roots {
		dir := filepath.Join(r, "table="+name)
		if host != "" {
			dir = filepath.Join(dir, "host="+host)
		}
		if _, err := os.Stat(dir); err != nil {
			continue
		}
		files, err := table.ListFiles(dir)
		if err != nil {
			return nil, err
		}
		if len(files) == 0 {
			continue
		}
		t, err := table.ReadFilesWith(dir, files, cols, table.Options{MissingAsNull: true})
		if err != nil {
			return nil, err
		}
		out = append(out, part{r, t})
	}
	return out, nil
}

// cols are a part's columns by name: floats (times are µs) and strings,
// with their validity.
type cols struct {
	f  map[string][]float64
	fo map[string][]bool
	s  map[string][]string
	so map[string][]bool
	n  int
}

func columns(t *table.Columns, floats, strs []string) cols {
	c := cols{f: map[string][]float64{}, fo: map[string][]bool{}, s: map[string][]string{}, so: map[string][]bool{}, n: t.Rows}
	for _, n := range floats {
		v, ok, err := t.Floats(n)
		if err != nil {
			v, ok = make([]float64, t.Rows), make([]bool, t.Rows)
		}
		c.f[n], c.fo[n] = v, ok
	}
	for _, n := range strs {
		v, ok, err := t.Strings(n)
		if err != nil {
			v, ok = make([]string, t.Rows), make([]bool, t.Rows)
		}
		c.s[n], c.so[n] = v, ok
	}
	return c
}
