//go:build !linux

package ingest

// pretouch does nothing where MADV_POPULATE_WRITE does not exist.
func pretouch(int64) bool { return false }
