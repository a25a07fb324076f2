//go:build unix

package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// generate's output, written through a temp file and a rename, follows the
// umask as the lake's files do (0644 under 022, 0640 under 027), instead of
// a fixed 0644. The umask is the process's, so the test does not run in
// parallel.
func TestGenerateFollowsTheUmask(t *testing.T) {
	for _, c := range []struct {
		umask int
		want  os.FileMode
	}{{0o022, 0o644}, {0o027, 0o640}, {0o077, 0o600}} {
		path := filepath.Join(t.TempDir(), "ping.txt")
		var out, errOut bytes.Buffer
		old := syscall.Umask(c.umask)
		code := run(context.Background(), []string{"generate", "--format", "ping", "--size", "20", "-o", path}, &out, &errOut)
		syscall.Umask(old)
		if code != 0 {
			t.Fatalf("generate: exit %d: %s", code, errOut.String())
		}
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != c.want {
			t.Errorf("umask %03o: mode %v, want %v", c.umask, fi.Mode().Perm(), c.want)
		}
	}
}
