package lake

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
)

// fileSystem is every change a run makes to a lake outside its own open
// Parquet files: staging folders and files, commit records, renames,
// removals. Commit and recovery go through fsys, one call per step, so that
// tests can fail or kill any chosen step (see faultFS).
type fileSystem interface {
	MkdirAll(dir string) error
	CreateTemp(dir, pattern string) (*os.File, error)
	WriteFile(path string, data []byte, sync bool) error // create or truncate, write, fsync if sync, close
	Rename(from, to string) error
	Remove(path string) error
	RemoveAll(path string) error
}

var fsys fileSystem = osFS{}

type osFS struct{}

func (osFS) MkdirAll(dir string) error { return os.MkdirAll(dir, 0o755) }

// CreateTemp is os.CreateTemp but for the mode: 0666 less the umask, as
// for any file a tool writes, where os.CreateTemp makes it 0600. A staged
// file becomes a lake file by a rename, which keeps its mode, and a lake is
// read by others than its writer (a Spark or Trino service, colleagues):
// with os.CreateTemp every Parquet file was readable by its owner only.
func (osFS) CreateTemp(dir, pattern string) (*os.File, error) {
	prefix, suffix := pattern, ""
	if i := strings.LastIndexByte(pattern, '*'); i >= 0 {
		prefix, suffix = pattern[:i], pattern[i+1:]
	}
	for range 10_000 {
		name := filepath.Join(dir, prefix+strconv.FormatUint(rand.Uint64(), 36)+suffix)
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
		if !errors.Is(err, fs.ErrExist) {
			return f, err
		}
	}
	return nil, &fs.PathError{Op: "createtemp", Path: filepath.Join(dir, pattern), Err: fs.ErrExist}
}

// CreateTemp creates a new file in dir named by pattern as os.CreateTemp
// does, with the mode of any file a tool writes (0666 less the umask)
// rather than os.CreateTemp's 0600: for outputs written through a temp
// file and a rename (the lake's files, generate's and report's), which
// keep the temp file's mode.
func CreateTemp(dir, pattern string) (*os.File, error) { return osFS{}.CreateTemp(dir, pattern) }

func (osFS) Rename(from, to string) error { return os.Rename(from, to) }
func (osFS) Remove(path string) error     { return os.Remove(path) }
func (osFS) RemoveAll(path string) error  { return os.RemoveAll(path) }

func (osFS) WriteFile(path string, data []byte, sync bool) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if sync {
		if err := f.Sync(); err != nil {
			f.Close()
			return err
		}
	}
	return f.Close()
}

// faultFS counts the steps it is asked to do and, at step At (1-based;
// 0: never), fails it with Err as the operating system would (an
// *os.PathError or *os.LinkError around the errno), or, with Kill, sends
// SIGKILL to its own process before doing it: a crash at exactly that
// instant. With Until > At, every step from At to Until fails (a disk
// that stays full).
type faultFS struct {
	next  fileSystem
	At    int64
	Until int64
	Err   syscall.Errno
	Kill  bool
	n     atomic.Int64
}

func (f *faultFS) step(op, path string) error {
	n := f.n.Add(1)
	if f.At == 0 || n < f.At || n > max(f.At, f.Until) {
		return nil
	}
	if f.Kill {
		if p, err := os.FindProcess(os.Getpid()); err == nil {
			_ = p.Kill() // SIGKILL on Unix
		}
		select {} // the signal is on its way
	}
	return &os.PathError{Op: op, Path: path, Err: f.Err}
}

func (f *faultFS) MkdirAll(dir string) error {
	if err := f.step("mkdir", dir); err != nil {
		return err
	}
	return f.next.MkdirAll(dir)
}

func (f *faultFS) CreateTemp(dir, pattern string) (*os.File, error) {
	if err := f.step("open", dir); err != nil {
		return nil, err
	}
	return f.next.CreateTemp(dir, pattern)
}

func (f *faultFS) WriteFile(path string, data []byte, sync bool) error {
	if err := f.step("write", path); err != nil {
		return err
	}
	return f.next.WriteFile(path, data, sync)
}

func (f *faultFS) Rename(from, to string) error {
	if err := f.step("rename", from); err != nil {
		return &os.LinkError{Op: "rename", Old: from, New: to, Err: err.(*os.PathError).Err}
	}
	return f.next.Rename(from, to)
}

func (f *faultFS) Remove(path string) error {
	if err := f.step("remove", path); err != nil {
		return err
	}
	return f.next.Remove(path)
}

func (f *faultFS) RemoveAll(path string) error {
	if err := f.step("remove", path); err != nil {
		return err
	}
	return f.next.RemoveAll(path)
}

// FaultEnv is read by test binaries only (testing.Testing): "kill@N" makes
// the process SIGKILL itself before its Nth lake step, "ENOSPC@N" (or any
// errno name parseFault knows) fails that step. The real binary ignores it.
const FaultEnv = "MIGREPLAY_LAKE_FAULT"

func init() {
	if v := os.Getenv(FaultEnv); v != "" && testing.Testing() {
		f, err := parseFault(v)
		if err != nil {
			panic(err) // a test set it wrong
		}
		fsys = f
	}
}

var errnos = map[string]syscall.Errno{
	"ENOSPC": syscall.ENOSPC, "ENAMETOOLONG": syscall.ENAMETOOLONG, "ENOTDIR": syscall.ENOTDIR,
	"EIO": syscall.EIO, "EACCES": syscall.EACCES, "EEXIST": syscall.EEXIST,
}

func parseFault(v string) (*faultFS, error) {
	what, at, ok := strings.Cut(v, "@")
	n, err := strconv.ParseInt(at, 10, 64)
	if !ok || err != nil || n < 1 {
		return nil, fmt.Errorf("lake: %s=%q: want kill@N or ERRNO@N, N ≥ 1", FaultEnv, v)
	}
	f := &faultFS{next: osFS{}, At: n}
	if what == "kill" {
		f.Kill = true
		return f, nil
	}
	if f.Err, ok = errnos[what]; !ok {
		return nil, fmt.Errorf("lake: %s=%q: unknown errno %q", FaultEnv, v, what)
	}
	return f, nil
}
