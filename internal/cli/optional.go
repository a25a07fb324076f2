package cli

import (
	"strconv"

	"github.com/spf13/pflag"
)

// optional is a flag that points a library's *T at its value when given.
type optional[T float64 | int] struct{ p **T }

func (o optional[T]) String() string {
	if *o.p == nil {
		return ""
	}
	return strconv.FormatFloat(float64(**o.p), 'g', -1, 64)
}

func (o optional[T]) Set(s string) error {
	var v T
	switch any(v).(type) {
	case float64:
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return err
		}
		v = T(f)
	default:
		n, err := strconv.ParseInt(s, 0, 64)
		if err != nil {
			return err
		}
		v = T(n)
	}
	*o.p = &v
	return nil
}

// Type is pflag's name of the type, which --help shows ("float", "int").
func (o optional[T]) Type() string {
	var v T
	if _, ok := any(v).(float64); ok {
		return "float64"
	}
	return "int"
}

// OptionalVar defines a flag that sets *p only when it is given, for a
// library setting whose default is nil rather than one value (each
// policy's own, say): a value the user gives, 0 included, always reaches
// the library, and one left alone leaves *p nil.
func OptionalVar[T float64 | int](fs *pflag.FlagSet, p **T, name, help string) {
	fs.Var(optional[T]{p}, name, help)
}
