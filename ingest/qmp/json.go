package qmp

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
)

// maxDepth bounds JSON nesting, so hostile input cannot exhaust the stack.
const maxDepth = 64

// dec is a small validating JSON reader over one complete value. It knows
// just enough of JSON to walk objects member by member and read numbers and
// strings without building a tree; errors carry the byte offset.
type dec struct {
	b     []byte
	i     int
	depth int
}

// jsonError is a fault at byte offset at of the value.
type jsonError struct {
	at  int
	msg string
}

func (e *jsonError) Error() string { return e.msg }

func (d *dec) errf(at int, format string, args ...any) error {
	return &jsonError{at: at, msg: fmt.Sprintf(format, args...)}
}

func (d *dec) ws() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// peek returns the next significant byte, 0 at the end.
func (d *dec) peek() byte {
	d.ws()
	if d.i == len(d.b) {
		return 0
	}
	return d.b[d.i]
}

// object walks the object at d.i, calling member for each key with d.i at
// the value; member must consume the value.
func (d *dec) object(member func(key []byte) error) error {
	if d.peek() != '{' {
		return d.errf(d.i, "want an object")
	}
	d.i++
	if d.depth++; d.depth > maxDepth {
		return d.errf(d.i, "nested deeper than %d", maxDepth)
	}
	if d.peek() == '}' {
		d.i++
		d.depth--
		return nil
	}
	for {
		if d.peek() != '"' {
			return d.errf(d.i, "want a member name in quotes")
		}
		key, err := d.str()
		if err != nil {
			return err
		}
		if d.peek() != ':' {
			return d.errf(d.i, "want : after member name")
		}
		d.i++
		d.ws()
		if err := member(key); err != nil {
			return err
		}
		switch d.peek() {
		case ',':
			d.i++
		case '}':
			d.i++
			d.depth--
			return nil
		default:
			return d.errf(d.i, "want , or } after a member")
		}
	}
}

// str reads the string at d.i and returns its decoded bytes (the raw bytes
// when there is no escape, so no allocation).
func (d *dec) str() ([]byte, error) {
	start := d.i
	d.i++
	esc := false
	for d.i < len(d.b) {
		c := d.b[d.i]
		switch {
		case c == '"':
			raw := d.b[start+1 : d.i]
			d.i++
			if !esc {
				return raw, nil
			}
			var s string
			if err := json.Unmarshal(d.b[start:d.i], &s); err != nil {
				return nil, d.errf(start, "bad string escape")
			}
			return []byte(s), nil
		case c == '\\':
			esc = true
			d.i += 2
		case c < 0x20:
			return nil, d.errf(d.i, "control character in string")
		default:
			d.i++
		}
	}
	return nil, d.errf(start, "unterminated string")
}

// number reads a JSON number at d.i and returns its text.
func (d *dec) number() ([]byte, error) {
	start := d.i
	if d.i < len(d.b) && d.b[d.i] == '-' {
		d.i++
	}
	digits := func() int {
		n := 0
		for d.i < len(d.b) && d.b[d.i] >= '0' && d.b[d.i] <= '9' {
			d.i++
			n++
		}
		return n
	}
	if d.i < len(d.b) && d.b[d.i] == '0' {
		d.i++
	} else if digits() == 0 {
		return nil, d.errf(start, "want a value")
	}
	if d.i < len(d.b) && d.b[d.i] == '.' {
		d.i++
		if digits() == 0 {
			return nil, d.errf(d.i, "want digits after .")
		}
	}
	if d.i < len(d.b) && (d.b[d.i] == 'e' || d.b[d.i] == 'E') {
		d.i++
		if d.i < len(d.b) && (d.b[d.i] == '+' || d.b[d.i] == '-') {
			d.i++
		}
		if digits() == 0 {
			return nil, d.errf(d.i, "want digits in exponent")
		}
	}
	return d.b[start:d.i], nil
}

// literal consumes true, false or null.
func (d *dec) literal() error {
	for _, lit := range [...]string{"true", "false", "null"} {
		if len(d.b)-d.i >= len(lit) && string(d.b[d.i:d.i+len(lit)]) == lit {
			d.i += len(lit)
			return nil
		}
	}
	return d.errf(d.i, "want a value")
}

// skip consumes any value.
func (d *dec) skip() error {
	switch d.peek() {
	case '{':
		return d.object(func([]byte) error { return d.skip() })
	case '[':
		return d.array(d.skip)
	case '"':
		_, err := d.str()
		return err
	case 't', 'f', 'n':
		return d.literal()
	default:
		_, err := d.number()
		return err
	}
}

// array walks the array at d.i, calling elem with d.i at each element.
func (d *dec) array(elem func() error) error {
	d.i++
	if d.depth++; d.depth > maxDepth {
		return d.errf(d.i, "nested deeper than %d", maxDepth)
	}
	if d.peek() == ']' {
		d.i++
		d.depth--
		return nil
	}
	for {
		if err := elem(); err != nil {
			return err
		}
		switch d.peek() {
		case ',':
			d.i++
		case ']':
			d.i++
			d.depth--
			return nil
		default:
			return d.errf(d.i, "want , or ] after an element")
		}
	}
}

// isNull consumes null when it is next.
func (d *dec) isNull() bool {
	if d.peek() == 'n' && len(d.b)-d.i >= 4 && string(d.b[d.i:d.i+4]) == "null" {
		d.i += 4
		return true
	}
	return false
}

// named prefixes a value's error with the member's name.
func named(err error, group string, key []byte) error {
	var je *jsonError
	if errors.As(err, &je) {
		if group != "" {
			je.msg = group + "." + string(key) + ": " + je.msg
		} else {
			je.msg = string(key) + ": " + je.msg
		}
	}
	return err
}

// int reads an integer value; an integral float (3.0, 1e6) is accepted.
func (d *dec) int() (int64, error) {
	at := d.i
	if c := d.peek(); c != '-' && (c < '0' || c > '9') {
		return 0, d.errf(at, "want a number")
	}
	t, err := d.number()
	if err != nil {
		return 0, err
	}
	if v, err := strconv.ParseInt(string(t), 10, 64); err == nil {
		return v, nil
	}
	f, err := strconv.ParseFloat(string(t), 64)
	if err != nil || f != float64(int64(f)) {
		return 0, d.errf(at, "%s is not a 64-bit integer", t)
	}
	return int64(f), nil
}

// float reads a number value.
func (d *dec) float() (float64, error) {
	at := d.i
	if c := d.peek(); c != '-' && (c < '0' || c > '9') {
		return 0, d.errf(at, "want a number")
	}
	t, err := d.number()
	if err != nil {
		return 0, err
	}
	v, err := strconv.ParseFloat(string(t), 64)
	if err != nil {
		return 0, d.errf(at, "%s is out of range", t)
	}
	return v, nil
}
