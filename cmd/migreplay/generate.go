package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/migreplay/migreplay/ingest/ping"
	"github.com/migreplay/migreplay/ingest/sadf"
	"github.com/migreplay/migreplay/ingest/xentop"
	"github.com/migreplay/migreplay/schema/lake"
)

func init() {
	register("generate", "write a synthetic trace (deterministic from --seed) for benchmarks and tests", runGenerate)
}

// generators write at least size units (bytes, or replies for ping).
var generators = map[string]struct {
	unit string
	gen  func(w io.Writer, size int64, seed int64) error
}{
	"xentop":   {"bytes", xentop.Generate},
	"sadf-csv": {"bytes", sadf.GenerateCSV},
	"ping":     {"replies", func(w io.Writer, n, seed int64) error { return ping.Generate(w, int(n), seed) }},
}

func runGenerate(ctx context.Context, args []string, stdout io.Writer) error {
	fs := newFlags("generate", "generate --format F [--size N] [--seed S] [-o FILE]", stdout)
	var names []string
	for n := range generators {
		names = append(names, n)
	}
	sort.Strings(names)
	format := fs.String("format", "", "trace format: "+strings.Join(names, ", "))
	size := fs.String("size", "100MB", "how much: bytes (KB/MB/GB, powers of 1000; KiB/MiB/GiB) or, for ping, replies")
	seed := fs.Int64("seed", 1, "random seed: the same seed gives the same bytes")
	out := fs.StringP("output", "o", "-", "output file, - for stdout (written atomically)")
	hosts := fs.Int("hosts", 1, "sadf-csv: hosts, their rows interleaved by time as in a merged export")
	byHost := fs.Bool("by-host", false, "sadf-csv with --hosts: the same rows host after host (one export per host, concatenated)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	g, ok := generators[*format]
	if !ok {
		return usageErr("--format %q: want one of %s", *format, strings.Join(names, ", "))
	}
	if fs.Changed("hosts") || fs.Changed("by-host") {
		if *format != "sadf-csv" {
			return usageErr("--hosts and --by-host are for --format sadf-csv")
		}
		if *hosts < 1 {
			return usageErr("--hosts %d: want at least 1", *hosts)
		}
		g.gen = func(w io.Writer, size, seed int64) error {
			return sadf.GenerateCSVHosts(w, size, seed, *hosts, *byHost)
		}
	}
	n, err := parseCount(*size)
	if err != nil {
		return usageErr("--size: %v", err)
	}
	if n <= 0 {
		return usageErr("--size %s: want > 0", *size)
	}
	if *out == "-" {
		bw := bufio.NewWriterSize(stdout, 1<<20)
		if err := g.gen(bw, n, *seed); err != nil {
			return err
		}
		return bw.Flush()
	}
	return writeFileAtomic(*out, func(w io.Writer) error { return g.gen(w, n, *seed) })
}

// parseCount reads 1000, 100MB, 2GiB, 1e6.
func parseCount(s string) (int64, error) {
	mult := map[string]float64{"": 1, "K": 1e3, "KB": 1e3, "M": 1e6, "MB": 1e6, "G": 1e9, "GB": 1e9,
		"KIB": 1 << 10, "MIB": 1 << 20, "GIB": 1 << 30}
	i := strings.IndexFunc(s, func(r rune) bool { return (r < '0' || r > '9') && r != '.' && r != 'e' })
	num, unit := s, ""
	if i >= 0 {
		num, unit = s[:i], strings.ToUpper(s[i:])
	}
	m, ok := mult[unit]
	var v float64
	if _, err := fmt.Sscan(num, &v); err != nil || !ok || v < 0 {
		return 0, fmt.Errorf("%q is not a count like 1000, 100MB or 2GiB", s)
	}
	return int64(v * m), nil
}

// writeFileAtomic writes path through a temp file in the same directory and
// renames it into place, so readers never see a partial file. The file's
// mode is 0666 less the umask.
func writeFileAtomic(path string, write func(io.Writer) error) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	// 0666 less the umask, as the lake's files (os.CreateTemp's 0600
	// would survive the rename)
	f, err := lake.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	err = write(bw)
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = f.Close()
	} else {
		f.Close()
	}
	if err != nil {
		os.Remove(f.Name())
		return err
	}
	return os.Rename(f.Name(), path)
}
