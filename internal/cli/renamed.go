package cli

import (
	"fmt"

	"github.com/spf13/pflag"
)

// Renamed keeps a flag's old spelling working after a rename: Define adds
// the old flag, hidden from --help; after parsing, Apply sets the new flag
// from the old one's value (through Convert, when the unit changed too)
// and returns a warning for the user. Giving both is an error.
type Renamed struct {
	Old, New string
	// Convert turns the old flag's text into the new one's; nil keeps it.
	Convert func(string) (string, error)
}

// Define adds the old flag (a string; the new flag checks the value).
func (r Renamed) Define(fs *pflag.FlagSet) {
	fs.String(r.Old, "", "deprecated: use --"+r.New)
	_ = fs.MarkHidden(r.Old)
}

// Apply moves the old flag's value to the new flag, if the old one was
// given, and returns the warning to print ("" when it was not).
func (r Renamed) Apply(fs *pflag.FlagSet) (string, error) {
	old := fs.Lookup(r.Old)
	if old == nil || !old.Changed {
		return "", nil
	}
	if fs.Changed(r.New) {
		return "", fmt.Errorf("--%s and --%s (its old name) both given: keep --%s", r.New, r.Old, r.New)
	}
	v := old.Value.String()
	if r.Convert != nil {
		var err error
		if v, err = r.Convert(v); err != nil {
			return "", fmt.Errorf("--%s %s: %v", r.Old, old.Value.String(), err)
		}
	}
	if err := fs.Set(r.New, v); err != nil {
		return "", fmt.Errorf("--%s %s: %v", r.Old, old.Value.String(), err)
	}
	return fmt.Sprintf("--%s is deprecated: use --%s %s", r.Old, r.New, v), nil
}
