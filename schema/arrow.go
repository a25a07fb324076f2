package schema

import (
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/apache/arrow/go/v15/arrow"
)

// Arrow returns the Arrow schema matching the table's Parquet files, as
// Arrow's own Parquet reader (pqarrow) presents them: strings as utf8,
// times as timestamp[us, tz=UTC], []byte as binary, pointer and []byte
// fields nullable.
func (t *Table) Arrow() *arrow.Schema {
	fields := make([]arrow.Field, 0, t.Type.NumField())
	for i := 0; i < t.Type.NumField(); i++ {
		f := t.Type.Field(i)
		name, _ := ParquetTag(f)
		if name == "-" {
			continue
		}
		typ := f.Type
		nullable := false
		if typ.Kind() == reflect.Pointer || typ == bytesType {
			nullable = true
		}
		if typ.Kind() == reflect.Pointer {
			typ = typ.Elem()
		}
		fields = append(fields, arrow.Field{Name: name, Type: arrowType(typ), Nullable: nullable})
	}
	md := arrow.NewMetadata([]string{MetaSchemaVersion, MetaTable}, []string{Version, t.Name})
	return arrow.NewSchema(fields, &md)
}

// ParquetTag returns a field's column name and tag options.
func ParquetTag(f reflect.StructField) (name string, opts []string) {
	tag := f.Tag.Get("parquet")
	parts := strings.Split(tag, ",")
	name = parts[0]
	if name == "" {
		name = f.Name
	}
	return name, parts[1:]
}

var (
	timeType  = reflect.TypeOf(time.Time{})
	bytesType = reflect.TypeOf([]byte(nil))
)

func arrowType(t reflect.Type) arrow.DataType {
	if t == timeType {
		return &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}
	}
	if t == bytesType {
		return arrow.BinaryTypes.Binary
	}
	switch t.Kind() {
	case reflect.String:
		return arrow.BinaryTypes.String
	case reflect.Bool:
		return arrow.FixedWidthTypes.Boolean
	case reflect.Int8:
		return arrow.PrimitiveTypes.Int8
	case reflect.Int16:
		return arrow.PrimitiveTypes.Int16
	case reflect.Int32:
		return arrow.PrimitiveTypes.Int32
	case reflect.Int64, reflect.Int:
		return arrow.PrimitiveTypes.Int64
	case reflect.Uint8:
		return arrow.PrimitiveTypes.Uint8
	case reflect.Uint16:
		return arrow.PrimitiveTypes.Uint16
	case reflect.Uint32:
		return arrow.PrimitiveTypes.Uint32
	case reflect.Uint64, reflect.Uint:
		return arrow.PrimitiveTypes.Uint64
	case reflect.Float32:
		return arrow.PrimitiveTypes.Float32
	case reflect.Float64:
		return arrow.PrimitiveTypes.Float64
	case reflect.Slice:
		return arrow.ListOf(arrowType(t.Elem()))
	}
	panic(fmt.Sprintf("schema: no Arrow type for %v", t))
}
