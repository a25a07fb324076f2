package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/spf13/pflag"
)

// FileHelp documents a flag file for a command's --help.
const FileHelp = `a flag file is a JSON object whose keys are the flag names and whose
values are what the flag takes: strings with units ("8GiB", "10Gbit/s",
"300ms"), numbers, or true/false. A repeatable flag of name=values items
(--sweep) takes an object of name -> values (a "v1,v2" or "lo:hi:step"
string, or a list) or a list of "name=values" strings. Flags given on the
command line override the file's values; for a repeatable name=values flag
the command line replaces the file's items of the same name only.`

// ApplyFile sets every flag named in the JSON flag file at path (see
// FileHelp) that the command line did not set; self is the flag that
// names the file (not a key). Errors say path:line:col.
func ApplyFile(fs *pflag.FlagSet, path, self string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	settings, err := readFlagFile(data)
	if err != nil {
		return fileErr(path, data, err)
	}
	// items the command line gave to a repeatable name=values flag replace
	// the file's items of the same name only
	cliItems := map[string]map[string]bool{}
	for _, s := range settings {
		if f := fs.Lookup(s.key); f != nil && f.Changed && repeatable(f) {
			cliItems[s.key] = map[string]bool{}
			vals, _ := fs.GetStringArray(s.key)
			for _, v := range vals {
				name, _, _ := strings.Cut(v, "=")
				cliItems[s.key][name] = true
			}
		}
	}
	for _, s := range settings {
		f := fs.Lookup(s.key)
		if f == nil || s.key == self || s.key == "help" {
			var names []string
			fs.VisitAll(func(f *pflag.Flag) {
				if f.Name != self && !f.Hidden {
					names = append(names, f.Name)
				}
			})
			sort.Strings(names)
			return fileErr(path, data, &offsetError{s.off, fmt.Errorf("unknown key %q (keys are the flag names: %s)", s.key, strings.Join(names, ", "))})
		}
		if repeatable(f) {
			for _, v := range s.values {
				name, _, _ := strings.Cut(v, "=")
				if cliItems[s.key][name] {
					continue
				}
				if err := fs.Set(s.key, v); err != nil {
					return fileErr(path, data, &offsetError{s.off, err})
				}
			}
			continue
		}
		if len(s.values) != 1 {
			return fileErr(path, data, &offsetError{s.off, fmt.Errorf("%q: takes one value, a string, number or true/false (only repeatable flags take lists and objects)", s.key)})
		}
		if f.Changed {
			continue // the command line wins
		}
		if err := fs.Set(s.key, s.values[0]); err != nil {
			return fileErr(path, data, &offsetError{s.off, fmt.Errorf("%q: %v", s.key, err)})
		}
	}
	return nil
}

// repeatable reports whether f takes items (name=values), one per use.
func repeatable(f *pflag.Flag) bool { return f.Value.Type() == "stringArray" }

// flagSetting is one key of a flag file, with its values as flag text.
type flagSetting struct {
	key    string
	values []string
	off    int64 // byte offset of the key
}

type offsetError struct {
	off int64
	err error
}

func (e *offsetError) Error() string { return e.err.Error() }

// fileErr locates err in data as path:line:col.
func fileErr(path string, data []byte, err error) error {
	var off int64 = -1
	var oe *offsetError
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &oe):
		off, err = oe.off, oe.err
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
	}
	if off < 0 {
		return fmt.Errorf("%s: %v", path, err)
	}
	off = min(off, int64(len(data)))
	line := 1 + bytes.Count(data[:off], []byte("\n"))
	col := int(off) - bytes.LastIndexByte(data[:off], '\n')
	return fmt.Errorf("%s:%d:%d: %v", path, line, col, err)
}

// readFlagFile reads a flag file's top-level object in order.
func readFlagFile(data []byte) ([]flagSetting, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, &offsetError{0, errors.New("want a JSON object of flag names and values")}
	}
	var out []flagSetting
	for dec.More() {
		off := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key := tok.(string) // object keys are strings
		off = skipSpace(data, off)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, err
		}
		vals, err := flagValues(raw)
		if err != nil {
			return nil, &offsetError{off, fmt.Errorf("%q: %v", key, err)}
		}
		out = append(out, flagSetting{key: key, values: vals, off: off})
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, &offsetError{dec.InputOffset(), errors.New("text after the object")}
	}
	return out, nil
}

// skipSpace moves off past JSON whitespace and a separating comma.
func skipSpace(data []byte, off int64) int64 {
	for off < int64(len(data)) && strings.IndexByte(" \t\r\n,", data[off]) >= 0 {
		off++
	}
	return off
}

// scalar is a JSON scalar's flag text.
func scalar(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case json.Number:
		return x.String(), true
	case bool:
		if x {
			return "true", true
		}
		return "false", true
	}
	return "", false
}

// flagValues turns a JSON value into flag text: a scalar gives one value,
// a list its items, an object name=v1,v2 per member (in file order).
func flagValues(raw json.RawMessage) ([]string, error) {
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if s, ok := scalar(v); ok {
		return []string{s}, nil
	}
	switch x := v.(type) {
	case []any:
		var out []string
		for _, e := range x {
			s, ok := scalar(e)
			if !ok {
				return nil, errors.New(`a list holds "name=values" strings`)
			}
			out = append(out, s)
		}
		return out, nil
	case map[string]any:
		var names []string
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.Token()
		for dec.More() {
			t, _ := dec.Token()
			names = append(names, t.(string))
			var skip json.RawMessage
			dec.Decode(&skip)
		}
		var out []string
		for _, n := range names {
			var vals []string
			switch e := x[n].(type) {
			case []any:
				for _, el := range e {
					s, ok := scalar(el)
					if !ok {
						return nil, fmt.Errorf("%s: want strings or numbers", n)
					}
					vals = append(vals, s)
				}
			default:
				s, ok := scalar(e)
				if !ok {
					return nil, fmt.Errorf("%s: want a string, a number or a list", n)
				}
				vals = []string{s}
			}
			out = append(out, n+"="+strings.Join(vals, ","))
		}
		return out, nil
	}
	return nil, errors.New("want an object or a list")
}
