package ingest

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/migreplay/migreplay/ingest/domjobinfo"
	"github.com/migreplay/migreplay/ingest/parse"
	"github.com/migreplay/migreplay/ingest/ping"
	"github.com/migreplay/migreplay/ingest/qmp"
	"github.com/migreplay/migreplay/ingest/qmpcsv"
	"github.com/migreplay/migreplay/ingest/sadf"
	"github.com/migreplay/migreplay/ingest/sar"
	"github.com/migreplay/migreplay/ingest/xentop"
)

// Format is one trace format the ingest knows.
type Format struct {
	Name   string
	Detect func(head []byte) bool // head: up to 64 KiB of decompressed content
	New    func(io.Reader, parse.Options) parse.Parser
}

// formats in detection order: the most specific signatures first.
var formats = []Format{
	{Name: saFormat, Detect: detectSA, New: newSAParser},
	{Name: qmp.Format, Detect: qmp.Detect, New: func(r io.Reader, o parse.Options) parse.Parser { return qmp.NewParser(r, o) }},
	{Name: domjobinfo.Format, Detect: domjobinfo.Detect, New: func(r io.Reader, o parse.Options) parse.Parser { return domjobinfo.NewParser(r, o) }},
	{Name: qmpcsv.Format, Detect: qmpcsv.Detect, New: func(r io.Reader, o parse.Options) parse.Parser { return qmpcsv.NewParser(r, o) }},
	{Name: sadf.FormatJSON, Detect: sadf.DetectJSON, New: func(r io.Reader, o parse.Options) parse.Parser { return sadf.NewJSONParser(r, o) }},
	{Name: sadf.FormatCSV, Detect: sadf.DetectCSV, New: func(r io.Reader, o parse.Options) parse.Parser { return sadf.NewCSVParser(r, o) }},
	{Name: sadf.FormatP, Detect: sadf.DetectP, New: func(r io.Reader, o parse.Options) parse.Parser { return sadf.NewPParser(r, o) }},
	{Name: sar.Format, Detect: sar.Detect, New: func(r io.Reader, o parse.Options) parse.Parser { return sar.NewParser(r, o) }},
	{Name: xentop.Format, Detect: xentop.Detect, New: func(r io.Reader, o parse.Options) parse.Parser { return xentop.NewParser(r, o) }},
	{Name: ping.Format, Detect: ping.Detect, New: func(r io.Reader, o parse.Options) parse.Parser { return ping.NewParser(r, o) }},
}

// Formats lists the known formats' names in detection order.
func Formats() []string {
	out := make([]string, len(formats))
	for i, f := range formats {
		out[i] = f.Name
	}
	return out
}

// pick returns the forced format, or the first whose Detect accepts head.
// Input that is not UTF-8 text is told as such: UTF-16 (by its byte order
// mark, or by a NUL beside each ASCII byte), binary data (a NUL), or text
// in another encoding, each with what to do.
func pick(forced string, head []byte) (Format, error) {
	if enc, bom := utf16Of(head); enc != "" {
		from := enc
		if bom {
			from = "UTF-16" // iconv reads the byte order mark and drops it
		}
		return Format{}, fmt.Errorf("%s text: migreplay reads UTF-8; convert it with `iconv -f %s -t UTF-8 FILE > FILE.utf8` and ingest that", enc, from)
	}
	if forced != "" {
		for _, f := range formats {
			if f.Name == forced {
				return f, nil
			}
		}
		return Format{}, fmt.Errorf("unknown --format %q (known: %s)", forced, strings.Join(Formats(), ", "))
	}
	if len(head) == 0 {
		return Format{}, fmt.Errorf("empty file: nothing to ingest (remove it, or pass the trace it should have held)")
	}
	for _, f := range formats {
		if f.Detect(head) {
			return f, nil
		}
	}
	known := strings.Join(Formats(), ", ")
	if i := bytes.IndexByte(head, 0); i >= 0 {
		return Format{}, fmt.Errorf("binary data (a NUL at byte %d), not a text trace nor a binary format migreplay reads (known: %s; gzip and zstd are decompressed): pass the trace itself", i+1, known)
	}
	if i := parse.InvalidUTF8(head[:len(head)-partialRune(head)]); i >= 0 {
		return Format{}, fmt.Errorf("format not recognised, and not UTF-8 text (byte 0x%02x at %d): convert it with `iconv -f ITS-ENCODING -t UTF-8 FILE > FILE.utf8` (known: %s)", head[i], i+1, known)
	}
	return Format{}, fmt.Errorf("format not recognised (known: %s): pass --format to force one", known)
}

// utf16Of names the UTF-16 form of head ("UTF-16LE", "UTF-16BE") when it
// starts with a UTF-16 byte order mark (bom), or when its first 32
// characters (8 at least) are ASCII text (tab, line ends, printable) each
// beside a NUL; "" otherwise.
func utf16Of(head []byte) (enc string, bom bool) {
	switch {
	case bytes.HasPrefix(head, []byte{0xff, 0xfe}):
		return "UTF-16LE", true
	case bytes.HasPrefix(head, []byte{0xfe, 0xff}):
		return "UTF-16BE", true
	}
	n := min(len(head), 64) &^ 1
	if n < 16 {
		return "", false
	}
	le, be := true, true
	for i := 0; i < n; i += 2 {
		le = le && head[i+1] == 0 && asciiText(head[i])
		be = be && head[i] == 0 && asciiText(head[i+1])
	}
	switch {
	case le:
		return "UTF-16LE", false
	case be:
		return "UTF-16BE", false
	}
	return "", false
}

func asciiText(c byte) bool { return c == '\t' || c == '\n' || c == '\r' || c >= ' ' && c < 0x7f }

// partialRune is how many bytes at the end of head are the start of a
// UTF-8 character the head cut short (0 to 3).
func partialRune(head []byte) int {
	for k := 1; k <= min(utf8.UTFMax-1, len(head)); k++ {
		if utf8.RuneStart(head[len(head)-k]) {
			if !utf8.FullRune(head[len(head)-k:]) {
				return k
			}
			return 0
		}
	}
	return 0
}
