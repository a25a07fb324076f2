//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package lake

import (
	"errors"
	"os"
	"syscall"
)

// lockFile takes an exclusive flock(2) on path (created if needed): waiting
// for it when wait is set, else failing with errLocked at once if another
// open file description holds it (another process, or another Set of this
// one). The lock goes with the returned file: closing it, or the process
// dying, releases it.
func lockFile(path string, wait bool) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	how := syscall.LOCK_EX
	if !wait {
		how |= syscall.LOCK_NB
	}
	for {
		err = syscall.Flock(int(f.Fd()), how)
		if !errors.Is(err, syscall.EINTR) {
			break
		}
	}
	if err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, errLocked
		}
		return nil, err
	}
	return f, nil
}
