package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/migreplay/migreplay/ingest"
	"github.com/migreplay/migreplay/internal/cli"
	"github.com/migreplay/migreplay/internal/shard"
)

func init() {
	register("ingest", "normalise xentop, sar/sadf, ping and QMP traces into the Parquet lake", runIngest)
}

func runIngest(ctx context.Context, args []string, stdout io.Writer) error {
	fs := newFlags("ingest", "ingest [flags] <file|dir|->...", stdout)
	out := fs.String("out", "lake", "lake root directory")
	format := fs.String("format", "", "force a format ("+strings.Join(ingest.Formats(), ", ")+"); default: detect from content")
	host := fs.String("host", "", "host for traces that do not name one (xentop, ping, QMP); default: the file name up to its first dot")
	lenient := fs.Bool("lenient", false, "send bad lines to the rejects table instead of stopping at the first")
	start := fs.String("start", "", "time of the first frame/reply for traces without timestamps (RFC 3339)")
	interval := fs.Duration("interval", 0, "time between frames/replies, with --start (xentop -d, ping -i)")
	year := fs.Int("year", 0, "year for timestamps printed without one (moreutils ts default format)")
	tz := fs.String("tz", "UTC", "zone of local times printed without one (sar text, sadf -T, ts prefixes)")
	asJSON := fs.Bool("json", false, "print the run summary as JSON")
	memLimit := fs.Int64("memory-limit-mib", 192, "soft heap limit for the Go runtime in MiB per job (GOMEMLIMIT wins when set; 0: none): ingest streams, so this bounds its memory however large the input; under it the collector runs at GOGC 400 unless GOGC is set")
	jobs := fs.Int("jobs", 0, "sources (files) ingested at once; the output is the same whatever the number, memory grows with it (a large xentop capture holds 100–180 MB); default: one per two CPUs Go may use (GOMAXPROCS), 1 to 8")
	shard := fs.String("shard", "", "this process's share of the inputs as INDEX/COUNT (0-based); default: from SLURM_ARRAY_TASK_ID/COUNT or JOB_COMPLETION_INDEX + MIGREPLAY_SHARDS, else all")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usageErr("no inputs: give files, directories or - for stdin")
	}
	switch { // a flag given is never replaced by a default
	case fs.Changed("jobs") && *jobs < 1:
		return usageErr("--jobs %d: want 1 or more (leave it out for one per two CPUs)", *jobs)
	case fs.Changed("year") && *year < 1:
		return usageErr("--year %d: want a year, e.g. 2026", *year)
	case fs.Changed("interval") && *interval <= 0:
		return usageErr("--interval %v: want > 0", *interval)
	case fs.Changed("interval") && *start == "":
		return usageErr("--interval applies with --start (the time of the first frame or reply)")
	case *memLimit < 0:
		return usageErr("--memory-limit-mib %d: want ≥ 0 (0: no limit)", *memLimit)
	}
	if *jobs == 0 {
		// A source keeps about two cores busy (its parser, its files'
		// encoders). On two cores a second job still gains something
		// (4 × 50 MB xentop captures: 1.0 s against 1.3–1.5 s; 8 × 250 MB:
		// 7.0 s against 8.1 s) but doubles the memory (360 MB against
		// 181 MB), so it is not the default there; 8 bounds the memory on
		// large machines.
		*jobs = min(max(runtime.GOMAXPROCS(0)/2, 1), 8)
	}
	if *memLimit > 0 && os.Getenv("GOMEMLIMIT") == "" {
		// one job's budget until the inputs are listed; then one per
		// source running at once (a single file: one, whatever --jobs)
		debug.SetMemoryLimit(*memLimit << 20)
		// With the limit as the backstop, the collector may let the heap
		// grow to 5x the live data between cycles instead of 2x: parsers
		// allocate their rows' optional values in slabs, and at the
		// default a cycle is nearly always running (write barriers on
		// every pointer store). ~10 % less CPU on a ping -D session. GOGC
		// set in the environment wins.
		if os.Getenv("GOGC") == "" {
			debug.SetGCPercent(400)
		}
	}
	cfg := ingest.Config{Out: *out, Format: *format, Host: *host, Lenient: *lenient,
		Interval: *interval, Year: *year, Version: Version, Jobs: *jobs,
		// provenance: the command line without the flags that do not
		// change what is written (same bytes with any --jobs)
		Command: cli.CommandLine(os.Args[1:], []string{"--jobs", "--memory-limit-mib", "--shard"}, []string{"--json"})}
	if *memLimit > 0 && os.Getenv("GOMEMLIMIT") == "" {
		cfg.Started = func(jobs int) { debug.SetMemoryLimit(*memLimit << 20 * int64(jobs)) }
	}
	if *start != "" {
		t, err := time.Parse(time.RFC3339Nano, *start)
		if err != nil {
			return usageErr("--start %q: want RFC 3339, e.g. 2026-11-21T23:52:03Z", *start)
		}
		cfg.Start = t
		if *interval <= 0 {
			return usageErr("--start needs --interval (e.g. --interval 3s, xentop's default -d)")
		}
	}
	loc, err := time.LoadLocation(*tz)
	if err != nil {
		return usageErr("--tz %q: %v", *tz, err)
	}
	cfg.Location = loc
	if cfg.Shard, err = parseShard(*shard); err != nil {
		return usageErr("%v", err)
	}
	if bar := newBar(); bar != nil {
		defer bar.Finish()
		began := time.Now()
		cfg.Progress = func(p ingest.Progress) {
			bar.ChangeMax64(p.TotalBytes)
			bar.Describe(fmt.Sprintf("file %d/%d, %d rows, %s rows/s", p.FileIndex+1, p.Files, p.Records,
				siCount(float64(p.Records)/max(time.Since(began).Seconds(), 1e-3))))
			_ = bar.Set64(p.Bytes)
		}
	}
	sum, err := ingest.Run(ctx, cfg, fs.Args())
	if err != nil {
		if errors.Is(err, ingest.ErrBadInput) {
			return &exitError{code: 2, err: errors.New(strings.TrimPrefix(err.Error(), ingest.ErrBadInput.Error()+": "))}
		}
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(sum)
	}
	printIngestSummary(stdout, sum)
	return nil
}

// newBar returns a progress bar on stderr when it is a terminal, else nil.
func newBar() *progressbar.ProgressBar {
	if !term.IsTerminal(int(os.Stderr.Fd())) {
		return nil
	}
	return progressbar.NewOptions64(-1, progressbar.OptionSetWriter(os.Stderr),
		progressbar.OptionShowBytes(true), progressbar.OptionShowCount(),
		progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionClearOnFinish())
}

func printIngestSummary(w io.Writer, sum ingest.Summary) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "lines\tdata\trejects\tstructure\trecords\t balanced\t file (format)")
	for _, f := range sum.Files {
		fmt.Fprintf(tw, "%d\t%d\t%d\t%d\t%d\t %v\t %s (%s)\n", f.Stats.Lines, f.Stats.Data, f.Stats.Reject,
			f.Stats.Structure, f.Stats.Records, f.Stats.Balanced(), f.Path, f.Format)
	}
	t := sum.Totals
	fmt.Fprintf(tw, "%d\t%d\t%d\t%d\t%d\t %v\t total: %d files\n", t.Lines, t.Data, t.Reject, t.Structure,
		t.Records, t.Balanced(), len(sum.Files))
	tw.Flush()
	for _, f := range sum.Files {
		if f.Error != "" {
			fmt.Fprintf(w, "FAILED %s: %s\n", f.Path, f.Error)
		}
	}
	var rows, bytes int64
	for _, wr := range sum.Written {
		rows += wr.Rows
		bytes += wr.Bytes
	}
	fmt.Fprintf(w, "wrote %d Parquet files (%d rows, %d bytes)\n", len(sum.Written), rows, bytes)
}

// parseShard reads --shard INDEX/COUNT, or the scheduler's environment.
func parseShard(v string) (ingest.Shard, error) { return shard.Parse(v, os.Getenv) }

// siCount formats a count with an SI suffix: 950, 12.3k, 4.1M.
func siCount(v float64) string {
	switch {
	case v >= 1e9:
		return fmt.Sprintf("%.1fG", v/1e9)
	case v >= 1e6:
		return fmt.Sprintf("%.1fM", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%.1fk", v/1e3)
	}
	return fmt.Sprintf("%.0f", v)
}
