//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package lake

import (
	"fmt"
	"os"
	"runtime"
)

// lockFile: the lake's commit protocol needs flock(2), which this system
// lacks (see the package doc).
func lockFile(path string, wait bool) (*os.File, error) {
	return nil, fmt.Errorf("lake: locking %s: flock(2) is not available on %s; write lakes from Linux, macOS or a BSD", path, runtime.GOOS)
}
