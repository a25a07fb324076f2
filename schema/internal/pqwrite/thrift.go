package pqwrite

import "encoding/binary"

// Thrift compact protocol, write side only: the subset Parquet's page
// headers and footer need (structs, i16/i32/i64, binary, bool, lists).
// Fields must be written in increasing id order within a struct.

const (
	tBoolTrue  = 1
	tBoolFalse = 2
	tI16       = 4
	tI32       = 5
	tI64       = 6
	tBinary    = 8
	tList      = 9
	tStruct    = 12
)

type thrift struct {
	b    []byte
	last []int16 // last field id per open struct
}

func (t *thrift) field(id int16, typ byte) {
	n := len(t.last) - 1
	d := id - t.last[n]
	if d > 0 && d <= 15 {
		t.b = append(t.b, byte(d)<<4|typ)
	} else {
		t.b = append(t.b, typ)
		t.b = binary.AppendVarint(t.b, int64(id))
	}
	t.last[n] = id
}

func (t *thrift) begin()    { t.last = append(t.last, 0) }
func (t *thrift) end()      { t.b = append(t.b, 0); t.last = t.last[:len(t.last)-1] }
func (t *thrift) i(v int64) { t.b = binary.AppendVarint(t.b, v) } // zigzag varint

func (t *thrift) i32(id int16, v int32) { t.field(id, tI32); t.i(int64(v)) }
func (t *thrift) i64(id int16, v int64) { t.field(id, tI64); t.i(v) }
func (t *thrift) i16(id int16, v int16) { t.field(id, tI16); t.i(int64(v)) }

func (t *thrift) bin(id int16, v []byte) {
	t.field(id, tBinary)
	t.b = binary.AppendUvarint(t.b, uint64(len(v)))
	t.b = append(t.b, v...)
}

func (t *thrift) str(id int16, v string) {
	t.field(id, tBinary)
	t.b = binary.AppendUvarint(t.b, uint64(len(v)))
	t.b = append(t.b, v...)
}

func (t *thrift) boolean(id int16, v bool) {
	if v {
		t.field(id, tBoolTrue)
	} else {
		t.field(id, tBoolFalse)
	}
}

// structField opens a nested struct as field id; close it with end.
func (t *thrift) structField(id int16) { t.field(id, tStruct); t.begin() }

// list starts a list field of n elements of type elem.
func (t *thrift) list(id int16, elem byte, n int) {
	t.field(id, tList)
	t.listHeader(elem, n)
}

func (t *thrift) listHeader(elem byte, n int) {
	if n < 15 {
		t.b = append(t.b, byte(n)<<4|elem)
		return
	}
	t.b = append(t.b, 0xf0|elem)
	t.b = binary.AppendUvarint(t.b, uint64(n))
}
