package table

import (
	"strconv"
	"unsafe"

	"github.com/migreplay/migreplay/internal/decimal"
)

// parseFloat is strconv.ParseFloat(b, 64), as Read applies it to a string
// column: the decimal numbers CSV writers print go through decimal.Parse
// (exact, bit for bit, without making a string: ParseFloat's own digit loop
// costs half of reading a numeric CSV); what it does not take (NaN,
// infinities, hexadecimal, underscores, errors) goes to ParseFloat.
func parseFloat(b []byte) (float64, error) {
	if f, ok := decimal.Parse(b); ok {
		return f, nil
	}
	return strconv.ParseFloat(unsafe.String(unsafe.SliceData(b), len(b)), 64)
}
