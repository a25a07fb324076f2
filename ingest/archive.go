package ingest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// ArchiveError is a compressed input (gzip, zstd) that does not decompress:
// cut short, or corrupt. Whatever was decoded before it showed may be wrong
// too: gzip checks its CRC-32 and zstd its XXH64 only at the end of a
// member or frame, and a flipped bit inside a Huffman- or FSE-coded literal
// decodes to another character without any other error (a gzip of 418 kB
// of text with one byte flipped at a third of its length decodes in full,
// wrong from byte 121,757 on, and only then fails its checksum; see
// TestArchiveErrorsFlowWrongBytesFirst). So a lenient run keeps none of
// such a file's rows: see Run.
type ArchiveError struct {
	Codec  string // "gzip" or "zstd"
	Offset int64  // bytes of the compressed file the decompressor had consumed when it failed
	Err    error  // the decompressor's own error
}

func (e *ArchiveError) Error() string {
	test, save := "gzip -t", "gzip -dc"
	if e.Codec == "zstd" {
		test, save = "zstd -t", "zstd -dc"
	}
	if errors.Is(e.Err, io.ErrUnexpectedEOF) {
		return fmt.Sprintf("corrupt %s archive: the compressed stream ends at byte %d before the archive does (a file cut short?): re-fetch it, or save what decodes with `%s FILE > FILE.txt`, check it and ingest that",
			e.Codec, e.Offset, save)
	}
	return fmt.Sprintf("corrupt %s archive: %v, found at byte %d of the compressed file: re-fetch or re-copy it (`%s FILE` tests a copy)",
		e.Codec, e.Err, e.Offset, test)
}

func (e *ArchiveError) Unwrap() error { return e.Err }

// decompress returns the text stream of r and its codec: gunzip ("gzip")
// or unzstd ("zstd") by magic bytes, not by name, else r itself (""). A
// decompressor's failure, whenever it shows (a bad header at the first
// read, a checksum at a member's end), is an *ArchiveError, returned by
// every read from then on. Errors of r itself (an I/O error, a canceled
// run) pass through as they are.
func decompress(r io.Reader) (text io.Reader, codec string, closeDec func()) {
	cnt := &byteCount{r: r}
	br := bufio.NewReaderSize(cnt, 64<<10)
	magic, _ := br.Peek(4)
	// Both decompressors read br through io.ByteReader or exact-size
	// reads, so the bytes consumed are those read less those buffered.
	a := &archiveReader{cnt: cnt, consumed: func() int64 { return cnt.n - int64(br.Buffered()) }}
	switch {
	case len(magic) >= 2 && magic[0] == 0x1f && magic[1] == 0x8b:
		a.codec = "gzip"
		zr, err := gzip.NewReader(br)
		if err != nil {
			a.fail(err)
			return a, a.codec, func() {}
		}
		zr.Multistream(true)
		a.r = zr
		return a, a.codec, func() { zr.Close() }
	case bytes.Equal(magic, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		a.codec = "zstd"
		zr, err := zstd.NewReader(br, zstd.WithDecoderConcurrency(1))
		if err != nil {
			a.fail(err)
			return a, a.codec, func() {}
		}
		a.r = zr
		return a, a.codec, zr.Close
	}
	return br, "", func() {}
}

// byteCount counts the bytes read from r and keeps r's own error, so that
// it is not mistaken for the decompressor's.
type byteCount struct {
	r   io.Reader
	n   int64
	err error
}

func (c *byteCount) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if err != nil && err != io.EOF {
		c.err = err
	}
	return n, err
}

// archiveReader turns a decompressor's errors into sticky *ArchiveErrors.
type archiveReader struct {
	r        io.Reader
	codec    string
	cnt      *byteCount
	consumed func() int64
	err      error
}

func (a *archiveReader) Read(p []byte) (int, error) {
	if a.err != nil {
		return 0, a.err
	}
	n, err := a.r.Read(p)
	if err != nil && err != io.EOF {
		a.fail(err)
		return n, a.err
	}
	return n, err
}

func (a *archiveReader) fail(err error) {
	if a.cnt.err != nil { // the input's own error (I/O, canceled run)
		a.err = a.cnt.err
		return
	}
	a.err = &ArchiveError{Codec: a.codec, Offset: a.consumed(), Err: err}
}

// spool keeps a copy of stdin while it is read (as an io.TeeReader's
// writer), so that a compressed stdin that turns out corrupt can be read a
// second time, as a file is. stop ends the copy and removes it.
type spool struct {
	f *os.File
}

func newSpool() (*spool, error) {
	f, err := os.CreateTemp("", "migreplay-stdin-*")
	if err != nil {
		return nil, err
	}
	return &spool{f: f}, nil
}

func (s *spool) Write(p []byte) (int, error) {
	if s.f == nil {
		return len(p), nil
	}
	return s.f.Write(p)
}

// open reads the copy from its start (all of stdin read so far).
func (s *spool) open() (io.ReadCloser, error) {
	if s.f == nil {
		return nil, errors.New("ingest: stdin was not kept")
	}
	return os.Open(s.f.Name())
}

func (s *spool) stop() {
	if s.f != nil {
		s.f.Close()
		os.Remove(s.f.Name())
		s.f = nil
	}
}
