// Package schema owns every table migreplay writes: the Go row types with
// their parquet tags, the matching Arrow schemas, the schema version written
// into each file's key-value metadata, and the Hive layout of the lake.
//
// Conventions for every table (documented column by column in README.md):
//   - times are TIMESTAMP(MICROS, isAdjustedToUTC=true);
//   - repeating strings (host, domain, device, ...) are dictionary-encoded;
//   - every column is zstd-compressed;
//   - a nullable value is a pointer field tagged optional.
//
// Each row type registers itself with Register, so writers, readers and the
// docs test find every table from one list.
package schema

import (
	"fmt"
	"reflect"
	"sort"
	"sync"
	"time"
)

// Version is the schema version written into every file's metadata under
// MetaSchemaVersion. Bump it when a column changes meaning, type or name.
const Version = "1"

// Key-value metadata keys written into every Parquet file.
const (
	MetaSchemaVersion = "migreplay.schema_version"
	MetaTable         = "migreplay.table"
	MetaVersion       = "migreplay.version"
	MetaParser        = "migreplay.parser"
	MetaSource        = "migreplay.source_path"
	MetaSourceSHA256  = "migreplay.source_sha256"
	MetaCommand       = "migreplay.command"
	MetaRows          = "migreplay.rows"
	MetaLocale        = "migreplay.locale" // sar/sadf: the locale detected (date form, clock, decimal mark)
)

// Row is implemented by every table's row type (on the pointer receiver).
//
// Each field carries, besides its parquet tag, a `doc:"..."` tag (what the
// column holds) and, for quantities, a `unit:"..."` tag; schema/README.md is
// generated from them (go test ./schema -update) and a test keeps it in sync.
type Row interface {
	TableName() string
}

// Partitioner is implemented by rows of tables laid out as
// table=<name>/host=<host>/date=<YYYY-MM-DD>/. A zero time puts the row in
// the date=__HIVE_DEFAULT_PARTITION__ partition; an empty host likewise.
type Partitioner interface {
	Row
	Partition() (host string, t time.Time)
}

// Table describes one registered table.
type Table struct {
	Name string
	Doc  string
	Type reflect.Type // the struct type (not a pointer)
	// Partitioned reports whether rows implement Partitioner.
	Partitioned bool
	newWriter   func() rowBuffer
	cols        int   // Parquet columns (WriterMemory)
	rowBytes    int64 // a buffered row: its columns' values (colbatch.go; WriterMemory)
}

var (
	mu     sync.RWMutex
	tables = map[string]*Table{}
)

// Register adds T's table. It panics on a duplicate name: a programmer error.
func Register[T any, P interface {
	*T
	Row
}](doc string) *Table {
	var zero T
	name := P(&zero).TableName()
	t := &Table{Name: name, Doc: doc, Type: reflect.TypeOf(zero)}
	_, t.Partitioned = any(P(&zero)).(Partitioner)
	t.newWriter = func() rowBuffer { return &typedBuffer[T, P]{} }
	l := layoutOf(t.Type)
	t.cols = len(l.cols)
	t.rowBytes = l.bufBytes()
	mu.Lock()
	defer mu.Unlock()
	if _, dup := tables[name]; dup {
		panic(fmt.Sprintf("schema: table %q registered twice", name))
	}
	tables[name] = t
	return t
}

// Lookup returns the registered table called name.
func Lookup(name string) (*Table, bool) {
	mu.RLock()
	defer mu.RUnlock()
	t, ok := tables[name]
	return t, ok
}

// Tables lists every registered table, sorted by name.
func Tables() []*Table {
	mu.RLock()
	defer mu.RUnlock()
	out := make([]*Table, 0, len(tables))
	for _, t := range tables {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// TableOf returns the table of a row.
func TableOf(r Row) *Table {
	t, ok := Lookup(r.TableName())
	if !ok {
		panic(fmt.Sprintf("schema: row type %T not registered", r))
	}
	return t
}
