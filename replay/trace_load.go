package replay

import (
	"fmt"
	"os"
)

// LoadTrace reads a dirty-rate series from path: a CSV file (see
// ReadTraceCSV), or a lake directory holding QMP polls (see
// TraceFromLake). pageSize converts byte rates where needed.
func LoadTrace(path string, pageSize int64) (*Trace, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		return TraceFromLake(path, pageSize)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadTraceCSV(f, path)
}

// TraceFromLake is filled in once the qmp_migrate table exists.
func TraceFromLake(dir string, pageSize int64) (*Trace, error) {
	return nil, fmt.Errorf("%w: %s: reading QMP polls from a lake is not available yet", ErrTrace, dir)
}
