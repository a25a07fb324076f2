package lakeio

import (
	"fmt"
	"reflect"
	"time"

	"github.com/migreplay/migreplay/replay"
	"github.com/migreplay/migreplay/schema"
	"github.com/migreplay/migreplay/schema/table"
)

// ReadQMP reads every qmp_migrate poll under dir and splits them into
// migrations (replay.SplitQMP). Files are read in path order; a column a
// file lacks reads as null.
func ReadQMP(dir string) ([]replay.QMPMigration, error) {
	tables, err := tableFiles(dir)
	if err != nil {
		return nil, err
	}
	files := tables["qmp_migrate"]
	if len(files) == 0 {
		return nil, noFiles(dir, "qmp_migrate", "ingest QMP polls first")
	}
	polls, err := readPolls(dir, files)
	if err != nil {
		return nil, err
	}
	return replay.SplitQMP(polls), nil
}

// Calibrate reads the qmp_migrate polls under dir (ReadQMP) and calibrates
// on its completed migrations (replay.CalibrateQMP).
func Calibrate(dir string, qo replay.QMPOptions, opt replay.CalibrateOptions) (replay.LakeCalibration, error) {
	migs, err := ReadQMP(dir)
	if err != nil {
		return replay.LakeCalibration{}, err
	}
	return replay.CalibrateQMP(migs, qo, opt)
}

// qmpColumns are schema.QMPMigrate's columns, by field index.
var qmpColumns = func() []string {
	t := reflect.TypeFor[schema.QMPMigrate]()
	out := make([]string, t.NumField())
	for i := range out {
		out[i], _ = schema.ParquetTag(t.Field(i))
	}
	return out
}()

// readPolls reads files as schema.QMPMigrate rows, column by column by
// the row type's parquet names. Integers come back through the column
// reader's float64s: exact below 2^53 (bytes: 8 PiB; microseconds since
// 1970: the year 2255), far above anything query-migrate reports.
func readPolls(dir string, files []string) ([]schema.QMPMigrate, error) {
	t, err := table.ReadFilesWith(dir, files, qmpColumns, table.Options{MissingAsNull: true})
	if err != nil {
		return nil, err
	}
	polls := make([]schema.QMPMigrate, t.Rows)
	for f, name := range qmpColumns {
		c, err := t.Column(name)
		if err != nil {
			continue // absent from every file: all null
		}
		ft := reflect.TypeFor[schema.QMPMigrate]().Field(f).Type
		if err := fill(polls, f, ft, c); err != nil {
			return nil, fmt.Errorf("%s: qmp_migrate.%s: %w", dir, name, err)
		}
	}
	return polls, nil
}

// fill sets field f of every poll from column c. Optional (pointer)
// fields point into one slab per column.
func fill(polls []schema.QMPMigrate, f int, ft reflect.Type, c *table.Column) error {
	ptr := ft.Kind() == reflect.Pointer
	elem := ft
	if ptr {
		elem = ft.Elem()
	}
	slab := reflect.MakeSlice(reflect.SliceOf(elem), len(polls), len(polls))
	for i := range polls {
		if !c.Valid[i] {
			continue
		}
		v := slab.Index(i)
		switch {
		case elem == reflect.TypeFor[time.Time]() && c.Numeric:
			v.Set(reflect.ValueOf(time.UnixMicro(int64(c.Floats[i])).UTC()))
		case elem.Kind() == reflect.String && !c.Numeric:
			v.SetString(c.Strings[i])
		case elem.Kind() == reflect.Int64 && c.Numeric:
			v.SetInt(int64(c.Floats[i]))
		case elem.Kind() == reflect.Float64 && c.Numeric:
			v.SetFloat(c.Floats[i])
		default:
			return fmt.Errorf("a %s column where the schema has %s", map[bool]string{true: "numeric", false: "text"}[c.Numeric], ft)
		}
		dst := reflect.ValueOf(&polls[i]).Elem().Field(f)
		if ptr {
			dst.Set(v.Addr())
		} else {
			dst.Set(v)
		}
	}
	return nil
}
