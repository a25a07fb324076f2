// Package cli holds the command line's generic helpers: flags that keep
// the text they were given (for options a library reads by name), flag
// files (--config), the provenance command line, deprecated flag
// spellings. Only cmd/ and this package know pflag.
package cli

import (
	"slices"

	"github.com/spf13/pflag"
)

// Text is a flag that keeps the text it was given, for an option a library
// parses itself (replay.Values): its Type names the unit in --help.
type Text struct {
	value string
	unit  string
	check func(string) error
}

func (t *Text) String() string { return t.value }
func (t *Text) Type() string   { return t.unit }

// Set keeps s once check accepts it (so that a flag file's bad value is
// reported at its line and column).
func (t *Text) Set(s string) error {
	if t.check != nil {
		if err := t.check(s); err != nil {
			return err
		}
	}
	t.value = s
	return nil
}

// TextVar defines a Text flag whose values check accepts (nil: any). A
// "bool" option may be given without a value (--auto-converge means
// --auto-converge=true).
func TextVar(fs *pflag.FlagSet, name, unit, help string, check func(string) error) {
	f := fs.VarPF(&Text{unit: unit, check: check}, name, "", help)
	if unit == "bool" {
		f.NoOptDefVal = "true"
	}
}

// Given returns the text of each flag of names that was set, on the
// command line or by a flag file, by name; a flag left alone is absent.
func Given(fs *pflag.FlagSet, names []string) map[string]string {
	out := map[string]string{}
	for _, n := range names {
		if f := fs.Lookup(n); f != nil && f.Changed {
			out[n] = f.Value.String()
		}
	}
	return out
}

// Outside returns the name of the first flag set (in lexical order) that is
// not one of names, "" when there is none: for a mode of a command that
// reads only some of its flags, so that the others are refused rather than
// ignored.
func Outside(fs *pflag.FlagSet, names []string) string {
	out := ""
	fs.Visit(func(f *pflag.Flag) {
		if out == "" && !slices.Contains(names, f.Name) {
			out = f.Name
		}
	})
	return out
}
