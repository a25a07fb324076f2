package ingest

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/migreplay/migreplay/ingest/parse"
	"github.com/migreplay/migreplay/ingest/sadf"
	"github.com/migreplay/migreplay/schema"
)

func needSadf(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("sadf"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("sadf (Debian package sysstat) must be installed in CI")
		}
		t.Skip("sadf not installed")
	}
}

// corpusFile is a sysstat test file of ../shared/corpus (see corpus_test.go).
func corpusFile(t *testing.T, name string) string {
	t.Helper()
	p := filepath.Join(sharedCorpus, "sysstat", name)
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI must have ../shared/corpus beside the clone: %v", err)
		}
		t.Skip("no ../shared/corpus beside the clone")
	}
	return p
}

// Both byte orders of sysstat's magic 0xd596 and format magic 0x21xx
// (first bytes of the corpus files: 96 d5 75 21 for data-12.0.0 from x86,
// d5 96 21 75 for data-ppc-11.7.2).
func TestDetectSA(t *testing.T) {
	for _, c := range []struct {
		head []byte
		want bool
	}{
		{[]byte{0x96, 0xd5, 0x75, 0x21}, true},
		{[]byte{0x96, 0xd5, 0x70, 0x21}, true}, // sysstat 9.1.5
		{[]byte{0xd5, 0x96, 0x21, 0x75}, true},
		{[]byte{0x96, 0xd5, 0x75}, false},
		{[]byte{0x96, 0xd5, 0x75, 0x22}, false},
		{[]byte{0xd5, 0x96, 0x22, 0x75}, false},
		{[]byte("# hostname;interval"), false},
	} {
		if got := detectSA(c.head); got != c.want {
			t.Errorf("% x: %v, want %v", c.head, got, c.want)
		}
	}
}

// An old-format file names the user's file and the conversion command for
// it (sadf 12.6.1's own advice is `sadf -c data-9.1.6 > data-9.1.6.new`);
// no temporary path shows. Compressed or on stdin, the message names the
// original and gives the command for its decompressed content.
func TestSAOldFormatMessages(t *testing.T) {
	needSadf(t)
	path := corpusFile(t, "data-9.1.6")
	run := readSource(path, Config{})
	if run.err == nil || !strings.Contains(run.err.Error(), "sadf -c "+path+" > "+path+".new") ||
		strings.Contains(run.err.Error(), os.TempDir()+"/migreplay-sa-") {
		t.Errorf("plain file: %v", run.err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	gz := filepath.Join(t.TempDir(), "data-9.1.6.gz")
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write(raw)
	zw.Close()
	if err := os.WriteFile(gz, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	run = readSource(gz, Config{})
	msg := ""
	if run.err != nil {
		msg = run.err.Error()
	}
	for _, want := range []string{"decompressed content of " + gz, "sadf -c FILE > FILE.new", "FILE: what " + gz + " holds, decompressed", "sysstat 9.1.6"} {
		if !strings.Contains(msg, want) {
			t.Errorf("gzip: %q lacks %q", msg, want)
		}
	}
	if strings.Contains(msg, "migreplay-sa-") {
		t.Errorf("gzip: the temp copy shows: %s", msg)
	}
	p := newSAParser(bytes.NewReader(raw), parse.Options{File: "-"})
	for p.Next() {
	}
	if err := p.Err(); err == nil || !strings.Contains(err.Error(), "on what stdin gave") || strings.Contains(err.Error(), "migreplay-sa-") {
		t.Errorf("stdin: %v", err)
	}
}

// A lenient run turns sadf's failure into one reject naming the file with
// sadf's reason; what sadf printed before failing stays (data-trunc: sadf
// 12.6.1 prints the host header, then "End of system activity file
// unexpected", exit status 2), and the lines balance.
func TestSALenientFailure(t *testing.T) {
	needSadf(t)
	for name, reason := range map[string]string{
		"data-trunc":                                     "End of system activity file unexpected",
		"data-12.6.0-file_hdr-act_size-err":              "Invalid system activity file: ",
		"data-9.1.5":                                     "written by sysstat 9.1.5 in format 0x2170",
		"data-12.7.1-A_IRQ_overflow":                     "exit status 4 without a message after reading the file's list of activities (sadf -H: A_IRQ 8193x4096)",
		"data-12.6.0-file_act-types_nr-SARerr":           "Invalid system activity file: ",
		"data-12.6.0-file_hdr-rec_size-err":              "Invalid system activity file: ",
		"data-12.6.0-file_act-nr2-0-err":                 "Invalid system activity file: ",
		"data-12.6.0-file_hdr-MAP_SIZE_act_types_nr-err": "Invalid system activity file: ",
	} {
		path := corpusFile(t, name)
		strict := readSource(path, Config{})
		if strict.err == nil || !strings.Contains(strict.err.Error(), path) || !strings.Contains(strict.err.Error(), reason) {
			t.Errorf("%s strict: %v", name, strict.err)
		}
		run := readSource(path, Config{Lenient: true})
		if run.err != nil {
			t.Errorf("%s lenient: stopped: %v", name, run.err)
			continue
		}
		if len(run.rejects) != 1 || run.stats.Reject != 1 || !run.stats.Balanced() {
			t.Errorf("%s lenient: %d rejects, stats %+v", name, len(run.rejects), run.stats)
			continue
		}
		r := run.rejects[0]
		if r.File != path || r.Format != saFormat || !strings.Contains(r.Err.Error(), reason) || r.Line != int(run.stats.Lines) {
			t.Errorf("%s lenient: reject %+v", name, r)
		}
	}
}

// sysstat 12.6.1's sadf misreads the big-endian data-ppc-11.7.2: its
// records come out dated 2040 over intervals of ~10^17 s (the file's date
// is 2017-04-27). Strict: an error saying so; lenient: every statistics
// record rejected, nothing stored.
func TestSAMisreadRefused(t *testing.T) {
	needSadf(t)
	path := corpusFile(t, "data-ppc-11.7.2")
	run := readSource(path, Config{})
	if run.format != saFormat || !errors.Is(run.err, sadf.ErrMisread) || !errors.Is(run.err, parse.ErrNoTime) ||
		!strings.Contains(run.err.Error(), "dated 2040-05-07 19:43:21 UTC, 23 years after the file began (file-date 2017-04-27") {
		t.Fatalf("strict: format %s, %v", run.format, run.err)
	}
	run = readSource(path, Config{Lenient: true})
	if run.err != nil || len(run.rows) != 0 || len(run.rejects) == 0 || !run.stats.Balanced() {
		t.Fatalf("lenient: %v, %d rows, %d rejects, %+v", run.err, len(run.rows), len(run.rejects), run.stats)
	}
	for _, r := range run.rejects {
		if !errors.Is(r, sadf.ErrMisread) {
			t.Fatalf("lenient: reject %v", r)
		}
	}
}

// sadf -H marks data-12.5.6-A_QUEUE_modified's A_QUEUE "[Unknown format]";
// sadf 12.6.1 -j prints it as all zeros, sar skips it. What sysstat's own
// expected.data-12.5.6-A_QUEUE_modified prints is what lands: proc/s 0.00,
// cswch/s 275.00, five interfaces (eno1 rxpck/s 1.00, rxkB/s 0.06), no
// queue.
func TestSAUnknownFormatSkipped(t *testing.T) {
	needSadf(t)
	run := readSource(corpusFile(t, "data-12.5.6-A_QUEUE_modified"), Config{})
	if run.err != nil {
		t.Fatal(run.err)
	}
	tables := map[string]int{}
	var got []string
	for _, r := range run.rows {
		tables[r.TableName()]++
		switch v := r.(type) {
		case *schema.SarOther:
			got = append(got, fmt.Sprintf("%s=%v", v.Metric, v.Value))
		}
	}
	if fmt.Sprint(tables) != "map[sar_net_dev:5 sar_other:2]" || fmt.Sprint(got) != "[proc=0 cswch=275]" {
		t.Errorf("tables %v, other %v", tables, got)
	}
}
