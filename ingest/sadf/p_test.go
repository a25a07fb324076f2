package sadf_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/migreplay/migreplay/ingest/parse"
	"github.com/migreplay/migreplay/ingest/parse/parsetest"
	"github.com/migreplay/migreplay/ingest/sadf"
)

// sadfOrSkip returns the installed sadf; CI must have it (package sysstat).
func sadfOrSkip(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("sadf")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("sadf (Debian package sysstat) must be installed in CI")
		}
		t.Skip("sadf not installed")
	}
	return bin
}

// runSadf runs sadf with args in the C locale and zone tz.
func runSadf(t *testing.T, bin, tz string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "LC_ALL=C", "TZ="+tz, "S_TIME_DEF_TIME=")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("sadf %v: %v: %s", args, err, stderr.Bytes())
	}
	return out
}

// rowKeys drains newp over b and renders its rows as keys() does.
func rowKeys(t *testing.T, name string, newp parsetest.New, b []byte, loc *time.Location) []string {
	t.Helper()
	return keys(drainBytes(t, newp, b, parse.Options{File: name, Location: loc}))
}

// The sysstat 12.x binary files sadf 12.6.1 reads: three of sysstat's test
// files (../shared/corpus/sysstat) and the shared samples' sa file, whose
// -A holds interrupts, serial lines, PSI and several records.
var pFiles = []string{
	"../../../shared/corpus/sysstat/data-ukwn1",
	"../../../shared/corpus/sysstat/data-12.0.0",
	"../../../shared/corpus/sysstat/data-extra-12.1.7",
	"../../../shared/samples/sar/sysstat-12.6.1_x.sa",
}

// sadf -p and sadf -d of the same file, printed by the installed sysstat,
// read into the same rows: every table, device and metric, in UTC (the
// default), epoch seconds (-U) and local time (-t, read in --tz).
func TestPMatchesD(t *testing.T) {
	bin := sadfOrSkip(t)
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip("no zoneinfo")
	}
	n := 0
	for _, f := range pFiles {
		if _, err := os.Stat(f); err != nil {
			continue
		}
		n++
		for _, form := range []struct {
			flags []string
			tz    string
			loc   *time.Location
		}{{nil, "UTC", nil}, {[]string{"-U"}, "UTC", nil}, {[]string{"-t"}, "Europe/Paris", paris}} {
			t.Run(filepath.Base(f)+"/"+form.tz+slicesJoin(form.flags), func(t *testing.T) {
				args := func(mode string) []string {
					return append(append([]string{mode}, form.flags...), f, "--", "-A")
				}
				p := runSadf(t, bin, form.tz, args("-p")...)
				d := runSadf(t, bin, form.tz, args("-d")...)
				if !sadf.DetectP(p) || sadf.DetectCSV(p) || sadf.DetectP(d) {
					t.Fatal("detection: sadf -p must be told from sadf -d")
				}
				pk := rowKeys(t, "sadf -p", newP, p, form.loc)
				dk := rowKeys(t, "sadf -d", newCSV, d, form.loc)
				if len(pk) == 0 {
					t.Fatal("no rows")
				}
				sameRows(t, pk, dk)
			})
		}
	}
	if n == 0 {
		if os.Getenv("CI") != "" {
			t.Fatal("CI must have ../shared beside the clone")
		}
		t.Skip("no sysstat corpus beside the clone")
	}
}

// sameRows fails t at the first row where the rows of sadf -p (pk) and
// sadf -d (dk) differ.
func sameRows(t *testing.T, pk, dk []string) {
	t.Helper()
	for i := 0; i < max(len(pk), len(dk)); i++ {
		if i >= len(pk) || i >= len(dk) || pk[i] != dk[i] {
			t.Fatalf("%d rows from -p, %d from -d; first difference:\n-p %s\n-d %s", len(pk), len(dk), at(pk, i), at(dk, i))
		}
	}
}

func at(s []string, i int) string {
	if i < len(s) {
		return s[i]
	}
	return "(none)"
}

func slicesJoin(s []string) string {
	var b []byte
	for _, x := range s {
		b = append(append(b, ' '), x...)
	}
	return string(b)
}

// A file sadc records here, with a comment (sadf -C) and sadc's interval-0 record:
// sadf -p and -d of it read into the same rows (comments, the skipped
// zero rows and the activities of this machine included).
func TestPMatchesDRecorded(t *testing.T) {
	bin := sadfOrSkip(t)
	var sadc string
	for _, c := range []string{"/usr/lib/sysstat/sadc", "/usr/lib64/sa/sadc", "/usr/lib/sa/sadc"} {
		if _, err := os.Stat(c); err == nil {
			sadc = c
		}
	}
	if sadc == "" {
		t.Skip("no sadc")
	}
	file := filepath.Join(t.TempDir(), "sa")
	for _, args := range [][]string{{"-S", "XALL", "1", "1", file}, {"-C", "a comment; with\ta tab", file}, {"-S", "XALL", "1", "2", file}} {
		if out, err := exec.Command(sadc, args...).CombinedOutput(); err != nil {
			t.Skipf("sadc %v: %v: %s", args, err, out)
		}
	}
	p := runSadf(t, bin, "UTC", "-p", "-C", file, "--", "-A")
	d := runSadf(t, bin, "UTC", "-d", "-C", file, "--", "-A")
	pk, dk := rowKeys(t, "sadf -p", newP, p, nil), rowKeys(t, "sadf -d", newCSV, d, nil)
	sameRows(t, pk, dk)
	// sadf prints the comment's tab as '.' (non-printable bytes).
	if !bytes.Contains(p, []byte("\tCOM a comment; with.a tab\n")) {
		t.Fatal("sadf -p -C printed no comment line")
	}
}

// The seeds are the sadf -p golden inputs (sysstat 12.6.1's sadf -p of the
// shared samples' sa file in UTC, -U and -T, a recorded file with a
// comment, hand-written device rows, sysstat 10 names and broken lines),
// with the cut, not-UTF-8 and coloured variants AddSeeds adds.
func FuzzP(f *testing.F) {
	parsetest.AddSeeds(f, "testdata/p_*/input.txt", nil)
	f.Fuzz(func(t *testing.T, data []byte) {
		parsetest.Fuzz(t, newP, data)
		parsetest.Fuzz(t, inParis(newP), data)
	})
}

func TestDetectP(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want bool
	}{
		{"value line", "vm\t1\t2026-11-21 23:52:03 UTC\tall\t%user\t2.54\n", true},
		{"epoch", "vm\t1\t1795305123\t-\tproc/s\t0.00\n", true},
		{"local", "vm\t1\t2026-11-22 00:52:03\tall\t%user\t2.54\n", true},
		{"restart first", "vm\t-1\t2026-11-21 23:52:02 UTC\tLINUX-RESTART\t(2 CPU)\n", true},
		{"comment first", "vm\t-1\t2026-11-21 23:52:02 UTC\tCOM hello\n", true},
		{"cut first line", "vm\t1\t2026-11-21 23:52:03 UTC\tall\t%us", true},
		{"five fields", "vm\t1\t2026-11-21 23:52:03 UTC\tall\t%user\nvm\n", false},
		{"sadf -d", "# hostname;interval;timestamp;CPU;%user\nvm;1;2026-11-21 23:52:03 UTC;-1;2.54\n", false},
		{"sadf -d restart", "vm;-1;2026-11-21 23:52:02 UTC;LINUX-RESTART\t(2 CPU)\n", false},
		{"sar banner", "Linux 6.1.0 (h) \t11/21/26 \t_x86_64_\t(2 CPU)\n", false},
		{"tsv", "a\tb\tc\td\te\tf\n", false},
		{"bad interval", "vm\t-2\t2026-11-21 23:52:03 UTC\tall\t%user\t2.54\n", false},
		{"ping", "PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.\n", false},
	}
	for _, c := range cases {
		if got := sadf.DetectP([]byte(c.in)); got != c.want {
			t.Errorf("%s: DetectP = %v", c.name, got)
		}
	}
}
