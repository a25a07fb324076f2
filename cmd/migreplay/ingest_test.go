package main

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/migreplay/migreplay/ingest/xentop"
)

// TestMain lets a test run this binary's main in a child process
// (MIGREPLAY_TEST_MAIN=1, arguments after "--"), so a test can kill it.
func TestMain(m *testing.M) {
	if os.Getenv("MIGREPLAY_TEST_MAIN") == "1" {
		args := os.Args
		for i, a := range args {
			if a == "--" {
				args = args[i+1:]
				break
			}
		}
		os.Exit(run(context.Background(), args, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

func parquetFiles(t *testing.T, root string) []string {
	var out []string
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".parquet") {
			out = append(out, p)
		}
		return nil
	})
	return out
}

// Killing the ingest at any moment leaves no partial file visible: only
// whole, committed *.parquet files ever appear under --out. The child is
// SIGKILLed at several points of a run over a generated xentop capture.
func TestKilledIngestLeavesNoPartialFile(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "h.xentop.txt")
	f, err := os.Create(in)
	if err != nil {
		t.Fatal(err)
	}
	if err := xentop.Generate(f, 20<<20, 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	for _, after := range []time.Duration{50 * time.Millisecond, 300 * time.Millisecond, 800 * time.Millisecond} {
		out := filepath.Join(dir, "lake-"+after.String())
		cmd := exec.Command(os.Args[0], "-test.run=^$", "--", "ingest", in, "--out", out)
		cmd.Env = append(os.Environ(), "MIGREPLAY_TEST_MAIN=1")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(after)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
		if files := parquetFiles(t, out); len(files) != 0 && !cmd.ProcessState.Success() {
			t.Errorf("killed after %v: %d parquet files visible: %v", after, len(files), files)
		}
		// A rerun into the same --out completes and commits whole files.
		var stderr bytes.Buffer
		re := exec.Command(os.Args[0], "-test.run=^$", "--", "ingest", in, "--out", out)
		re.Env = append(os.Environ(), "MIGREPLAY_TEST_MAIN=1")
		re.Stderr = &stderr
		if err := re.Run(); err != nil {
			t.Fatalf("rerun after kill: %v: %s", err, stderr.String())
		}
		if len(parquetFiles(t, out)) == 0 {
			t.Error("rerun wrote nothing")
		}
	}
}
