package ingest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/parquet-go/parquet-go"

	"github.com/migreplay/migreplay/schema"
)

// xentopText is the bundled xentop capture, decompressed (1.5 MB, 11,887
// lines of `xentop -b | ts '%.s'`).
func xentopText(t *testing.T) []byte {
	t.Helper()
	f, err := os.Open("../datasets/traces/lab1.xentop.txt.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func gzipBytes(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

func zstdBytes(b []byte) []byte {
	enc, _ := zstd.NewWriter(nil) // with its content checksum, as the zstd CLI writes
	defer enc.Close()
	return enc.EncodeAll(b, nil)
}

func flip(b []byte, at int) []byte {
	c := bytes.Clone(b)
	c[at] ^= 0x10
	return c
}

// Why a lenient run keeps no row of a corrupt archive: one flipped byte at
// a third of a gzip decodes to the full length of text, wrong from some
// point on, and the error (the CRC-32 at the member's end) comes only after
// all of it has been read. zstd does the same with its XXH64.
func TestArchiveErrorsFlowWrongBytesFirst(t *testing.T) {
	plain := xentopText(t)
	for codec, comp := range map[string][]byte{"gzip": gzipBytes(plain), "zstd": zstdBytes(plain)} {
		text, _, closeDec := decompress(bytes.NewReader(flip(comp, len(comp)/3)))
		got, err := io.ReadAll(text)
		closeDec()
		var ae *ArchiveError
		if !errors.As(err, &ae) || ae.Codec != codec {
			t.Fatalf("%s: err %v", codec, err)
		}
		same := 0
		for same < len(got) && same < len(plain) && got[same] == plain[same] {
			same++
		}
		t.Logf("%s: %d of %d bytes decoded, wrong from byte %d, then %v", codec, len(got), len(plain), same, err)
		if same == len(got) || len(got) < len(plain)/2 {
			t.Errorf("%s: expected wrong bytes before the error: %d decoded, %d right", codec, len(got), same)
		}
	}
}

// A corrupt gzip or zstd (cut in half, a flipped byte at a third, a flipped
// byte in the first block): strict, exit 2 with "corrupt <codec> archive"
// and the byte offset, never a parse error, nothing written; lenient, that
// file's failure in the summary, none of its rows kept, every line it
// decodes to in the rejects table (the cut one with the archive's error),
// and the other file lands.
func TestCorruptArchives(t *testing.T) {
	plain := xentopText(t)
	cfg := Config{Start: time.Date(2026, 11, 21, 23, 52, 3, 0, time.UTC), Interval: 3 * time.Second}
	for codec, comp := range map[string][]byte{"gzip": gzipBytes(plain), "zstd": zstdBytes(plain)} {
		for _, c := range []struct {
			name string
			data []byte
			cut  bool
		}{
			{"cut", comp[:len(comp)/2], true},
			{"flip-third", flip(comp, len(comp)/3), false},
			{"flip-start", flip(comp, 30), false}, // zstd: byte 20 flips a bit that does not matter
		} {
			t.Run(codec+"/"+c.name, func(t *testing.T) {
				in := t.TempDir()
				bad := write(t, in, "host-a.xentop."+codec, string(c.data))
				good := write(t, in, "host-b.kv", good)

				cfg := cfg
				cfg.Out = t.TempDir()
				_, err := Run(context.Background(), cfg, []string{bad, good})
				msg := ""
				if err != nil {
					msg = err.Error()
				}
				var ae *ArchiveError
				if !errors.Is(err, ErrBadInput) || !errors.As(err, &ae) || !strings.Contains(msg, "corrupt "+codec+" archive") ||
					!strings.Contains(msg, " at byte ") || strings.Contains(msg, "syntax error") {
					t.Fatalf("strict: %v", err)
				}
				if c.cut && (ae.Offset != int64(len(c.data)) || !strings.Contains(msg, "cut short")) {
					t.Errorf("strict: offset %d of %d: %s", ae.Offset, len(c.data), msg)
				}
				if ae.Offset > int64(len(c.data)) || !c.cut && ae.Offset < 30 {
					t.Errorf("offset %d, file %d bytes", ae.Offset, len(c.data))
				}
				if files := listFiles(t, cfg.Out); len(files) != 0 {
					t.Errorf("strict failure left files: %v", files)
				}

				cfg.Out, cfg.Lenient = t.TempDir(), true
				sum, err := Run(context.Background(), cfg, []string{bad, good})
				if err != nil {
					t.Fatalf("lenient: %v", err)
				}
				fb, fg := sum.Files[0], sum.Files[1]
				if !strings.Contains(fb.Error, "corrupt "+codec+" archive") || fg.Error != "" || fg.Stats.Data != 3 {
					t.Fatalf("summaries: %+v\n%+v", fb, fg)
				}
				if st := fb.Stats; st.Data != 0 || st.Records != 0 || st.Reject != st.Lines || st.Lines == 0 || !st.Balanced() {
					t.Errorf("corrupt file's stats %+v", st)
				}
				if len(fb.Records) != 1 || fb.Records["rejects"] != fb.Stats.Lines {
					t.Errorf("corrupt file's records %v, lines %d", fb.Records, fb.Stats.Lines)
				}
				var rejects []schema.Reject
				for _, w := range sum.Written {
					if w.Source == bad && !strings.HasPrefix(w.Path, "table=rejects/") {
						t.Errorf("a row of the corrupt archive is kept: %s", w.Path)
					}
					if w.Source == bad {
						rows, err := parquet.ReadFile[schema.Reject](filepath.Join(cfg.Out, w.Path))
						if err != nil {
							t.Fatal(err)
						}
						rejects = append(rejects, rows...)
					}
				}
				if int64(len(rejects)) != fb.Stats.Lines {
					t.Fatalf("%d rejects for %d lines", len(rejects), fb.Stats.Lines)
				}
				last := rejects[len(rejects)-1]
				format := "xentop"
				if fb.Stats.Lines == 1 { // nothing decoded: nothing to detect a format in
					format = "unknown"
				}
				if last.Line != fb.Stats.Lines || !strings.HasPrefix(last.Reason, "corrupt "+codec+" archive") || last.Format != format {
					t.Errorf("last reject %+v", last)
				}
				// the lines before are the text itself
				lines := strings.Split(string(plain), "\n")
				for _, r := range rejects[:min(len(rejects)-1, 50)] {
					if !strings.HasPrefix(r.Reason, errCorruptArchive.Error()) {
						t.Fatalf("line %d: reason %q", r.Line, r.Reason)
					}
					if c.cut && r.Raw != lines[r.Line-1] {
						t.Fatalf("line %d: raw %q, the text has %q", r.Line, r.Raw, lines[r.Line-1])
					}
				}
			})
		}
	}
}

// A compressed stdin that turns out corrupt is read a second time from
// the copy kept while it was read.
func TestCorruptArchiveOnStdin(t *testing.T) {
	plain := []byte(good + good)
	comp := gzipBytes(plain)
	cfg := Config{Out: t.TempDir(), Lenient: true, Stdin: bytes.NewReader(comp[:len(comp)-3])}
	sum, err := Run(context.Background(), cfg, []string{"-"})
	if err != nil {
		t.Fatal(err)
	}
	f := sum.Files[0]
	// 10 lines decode; the trailer's cut leaves the 11th, empty, cut
	if f.Error == "" || f.Stats.Lines != 11 || f.Stats.Reject != 11 || f.Records["rejects"] != 11 {
		t.Errorf("%+v", f)
	}
}
