// Command migreplay ingests virtualization-host traces into a Parquet lake,
// replays live migrations through a page-level model, analyses and fits
// them, and reproduces the seed papers' published numbers.
//
// Usage: migreplay <command> [flags]; migreplay help <command>.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/pprof"
	"runtime/trace"
	"sort"
	"syscall"

	"github.com/spf13/pflag"

	"github.com/migreplay/migreplay/internal/cli"
	"github.com/migreplay/migreplay/internal/fault"
)

// Version is the migreplay version, written into every file's metadata.
// Release builds may override it with -ldflags "-X main.Version=...".
var Version = "0.1.0-dev"

// command is one subcommand: a function of a few dozen lines in its own file.
type command struct {
	summary string
	run     func(ctx context.Context, args []string, stdout io.Writer) error
}

var commands = map[string]command{}

func register(name, summary string, run func(context.Context, []string, io.Writer) error) {
	commands[name] = command{summary: summary, run: run}
}

// exitError carries an exit code: 2 for bad input or usage, 1 otherwise.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func usageErr(format string, args ...any) error {
	return &exitError{code: 2, err: fmt.Errorf(format, args...)}
}

// callerFault gives a library's usage and input errors (package fault)
// exit code 2; other errors keep 1.
func callerFault(err error) error {
	var us *fault.Usage
	var in *fault.Input
	if errors.As(err, &us) || errors.As(err, &in) {
		return &exitError{code: 2, err: err}
	}
	return err
}

// signalContext is canceled by SIGINT or SIGTERM: commands stop at their
// next check and commit nothing (exit code 130).
func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

func main() {
	ctx, stop := signalContext()
	// MIGREPLAY_CPUPROFILE=file writes a pprof CPU profile of the run.
	if p := os.Getenv("MIGREPLAY_CPUPROFILE"); p != "" {
		if f, err := os.Create(p); err == nil {
			_ = pprof.StartCPUProfile(f)
		}
	}
	// MIGREPLAY_TRACE=file writes a runtime execution trace (go tool trace).
	if p := os.Getenv("MIGREPLAY_TRACE"); p != "" {
		if f, err := os.Create(p); err == nil {
			_ = trace.Start(f)
		}
	}
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	pprof.StopCPUProfile()
	trace.Stop()
	// MIGREPLAY_MEMPROFILE=file writes a pprof heap profile at the end.
	if p := os.Getenv("MIGREPLAY_MEMPROFILE"); p != "" {
		if f, err := os.Create(p); err == nil {
			_ = pprof.Lookup("heap").WriteTo(f, 0)
			f.Close()
		}
	}
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, errOut io.Writer) int {
	stderr = errOut
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		if len(args) > 1 {
			if c, ok := commands[args[1]]; ok {
				_ = c.run(ctx, []string{"--help"}, stdout)
				return 0
			}
		}
		usage(stdout)
		return 0
	}
	if args[0] == "version" || args[0] == "--version" {
		fmt.Fprintln(stdout, "migreplay", Version)
		return 0
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "migreplay: unknown command %q (run 'migreplay help')\n", args[0])
		return 2
	}
	err := c.run(ctx, args[1:], stdout)
	if err == nil || errors.Is(err, pflag.ErrHelp) {
		return 0
	}
	if errors.Is(err, context.Canceled) {
		// SIGINT or SIGTERM (signal.NotifyContext in main): the command
		// stopped and committed nothing.
		fmt.Fprintf(stderr, "migreplay %s: interrupted; no output was committed\n", args[0])
		return 130
	}
	fmt.Fprintf(stderr, "migreplay %s: %v\n", args[0], err)
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return 1
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: migreplay <command> [flags]")
	fmt.Fprintln(w, "\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nrun 'migreplay <command> --help' for its flags")
}

// newFlags makes a flag set that reports errors instead of exiting.
func newFlags(name, synopsis string, stdout io.Writer) *pflag.FlagSet {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.SortFlags = false
	fs.SetOutput(stdout)
	fs.Usage = func() {
		fmt.Fprintf(stdout, "usage: migreplay %s\n\nflags:\n%s", synopsis, fs.FlagUsages())
	}
	return fs
}

// parseFlags parses args, turning pflag errors into usage errors (exit 2).
func parseFlags(fs *pflag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return err
		}
		return usageErr("%v", err)
	}
	return nil
}

// commandLine is the invocation recorded in provenance metadata.
func commandLine() string { return cli.CommandLine(os.Args[1:], nil, nil) }

// stderr is where the running command's warnings go (run sets it).
var stderr io.Writer = os.Stderr

// warnf prints a warning for the user on stderr: one line, the command
// named, like an error that does not stop the run.
func warnf(cmd, format string, args ...any) {
	fmt.Fprintf(stderr, "migreplay %s: warning: %s\n", cmd, fmt.Sprintf(format, args...))
}
