package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

func TestCommandLine(t *testing.T) {
	args := []string{"ingest", "--jobs", "4", "--out", "lake", "--jobs=2", "--json", "--lenient", "traces/", "--", "--json"}
	got := CommandLine(args, []string{"--jobs", "--memory-limit-mib"}, []string{"--json"})
	if want := "migreplay ingest --out lake --lenient traces/ -- --json"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// A renamed flag's old spelling sets the new flag, converted, with a
// warning; both at once are refused.
func TestRenamed(t *testing.T) {
	r := Renamed{Old: "bandwidth-mbit", New: "bandwidth", Convert: func(s string) (string, error) { return s + "Mbit/s", nil }}
	parse := func(args ...string) (*pflag.FlagSet, string, error) {
		fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
		fs.String("bandwidth", "1Gbit/s", "")
		r.Define(fs)
		if err := fs.Parse(args); err != nil {
			t.Fatal(err)
		}
		w, err := r.Apply(fs)
		return fs, w, err
	}
	fs, w, err := parse("--bandwidth-mbit", "100")
	if v, _ := fs.GetString("bandwidth"); err != nil || v != "100Mbit/s" || w != "--bandwidth-mbit is deprecated: use --bandwidth 100Mbit/s" {
		t.Errorf("old spelling: %q %q %v", v, w, err)
	}
	if _, w, err := parse("--bandwidth", "1Gbit/s"); w != "" || err != nil {
		t.Errorf("new spelling: %q %v", w, err)
	}
	if _, _, err := parse("--bandwidth", "1Gbit/s", "--bandwidth-mbit", "5"); err == nil {
		t.Error("both accepted")
	}
}

// A flag file fills what the command line left alone; a repeatable
// name=values flag keeps the command line's items and adds the file's
// other names; a Text flag's check refuses a value at its line and column.
func TestApplyFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f.json")
	os.WriteFile(p, []byte(`{"memory": "8GiB", "seed": 3,
  "sweep": {"policy": ["qemu", "xen-v2"], "dirty-rate": "1:3:1"},
  "mtu": 0}`), 0o644)
	fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
	fs.String("config", "", "")
	fs.String("memory", "", "")
	fs.Int("seed", 1, "")
	sweep := fs.StringArray("sweep", nil, "")
	TextVar(fs, "mtu", "int", "", func(s string) error {
		if s == "0" {
			return os.ErrInvalid
		}
		return nil
	})
	if err := fs.Parse([]string{"--memory", "1GiB", "--sweep", "dirty-rate=5"}); err != nil {
		t.Fatal(err)
	}
	err := ApplyFile(fs, p, "config")
	if err == nil || !strings.Contains(err.Error(), "f.json:3:3: \"mtu\": invalid argument \"0\"") {
		t.Errorf("mtu 0: %v", err)
	}
	m, _ := fs.GetString("memory")
	s, _ := fs.GetInt("seed")
	if m != "1GiB" || s != 3 || strings.Join(*sweep, " ") != "dirty-rate=5 policy=qemu,xen-v2" {
		t.Errorf("memory %s seed %d sweep %v", m, s, *sweep)
	}
}
