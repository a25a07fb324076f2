package ingest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"testing/iotest"
)

// readAhead hands on every byte of the file in order, through reads of
// any size, and its hash is crypto/sha256's of the whole file: empty, less
// than a chunk, and more than all the chunks together (each reused).
func TestReadAheadBytesAndHash(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, aheadChunk - 1, aheadChunk, aheadChunks*aheadChunk*2 + 12345} {
		data := make([]byte, n)
		for i := range data {
			data[i] = byte(r.Uint32())
		}
		path := filepath.Join(t.TempDir(), "in")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		ra := newReadAhead(f, path)
		// odd read sizes: iotest.OneByteReader for the first bytes, then
		// bufio-sized reads
		head, err := io.ReadAll(io.LimitReader(iotest.OneByteReader(ra), 1000))
		if err != nil {
			t.Fatal(err)
		}
		rest, err := io.ReadAll(ra)
		if err != nil {
			t.Fatal(err)
		}
		if got := append(head, rest...); !bytes.Equal(got, data) {
			t.Errorf("%d bytes: read %d bytes, not the file's", n, len(got))
		}
		sum, err := ra.hash.wait()
		want := sha256.Sum256(data)
		if err != nil || sum != hex.EncodeToString(want[:]) {
			t.Errorf("%d bytes: hash %q, %v; want %x", n, sum, err, want)
		}
		ra.stop()
		f.Close()
	}
}

// A source closed before its end stops the goroutine (no leak, no hash).
func TestReadAheadStop(t *testing.T) {
	path := filepath.Join(t.TempDir(), "in")
	if err := os.WriteFile(path, make([]byte, aheadChunks*aheadChunk*4), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ra := newReadAhead(f, path)
	if _, err := ra.Read(make([]byte, 10)); err != nil {
		t.Fatal(err)
	}
	ra.stop()
	if _, err := ra.hash.wait(); err == nil {
		t.Error("a file closed before its end has a hash")
	}
}
