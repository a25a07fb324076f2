package cli

import (
	"slices"
	"strings"
)

// CommandLine is the invocation recorded in provenance metadata,
// "migreplay" and args, without the flags named in valued (with their
// values, "--f v" or "--f=v") and in bools: flags that change how a run
// executes but not what it writes (--jobs, --shard, --json), so that
// provenance, and with it the output bytes, does not depend on them.
func CommandLine(args, valued, bools []string) string {
	out := []string{"migreplay"}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			out = append(out, args[i:]...)
			break
		}
		name, _, hasValue := strings.Cut(a, "=")
		if slices.Contains(bools, name) {
			continue
		}
		if slices.Contains(valued, name) {
			if !hasValue {
				i++ // the value is the next argument
			}
			continue
		}
		out = append(out, a)
	}
	return strings.Join(out, " ")
}
