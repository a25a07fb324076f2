package ingest

import (
	"fmt"
	"io"
	"strings"

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
func pick(forced string, head []byte) (Format, error) {
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
	return Format{}, fmt.Errorf("format not recognised (known: %s): pass --format to force one", strings.Join(Formats(), ", "))
}
