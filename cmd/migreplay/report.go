package main

import (
	"context"
	"fmt"
	"io"

	"github.com/migreplay/migreplay/analysis/report"
)

func init() {
	register("report", "write one self-contained HTML report with SVG plots from one or more lakes", runReport)
}

func runReport(ctx context.Context, args []string, stdout io.Writer) error {
	fs := newFlags("report", "report --lake DIR [--lake DIR ...] --out report.html", stdout)
	var c report.Config
	fs.StringSliceVar(&c.Lakes, "lake", nil, "lake root to read (repeat, or comma-separate, to read several: each table is read from every one that has it)")
	out := fs.String("out", "report.html", "HTML file to write (atomically)")
	fs.StringVar(&c.Title, "title", "migreplay report", "the page's title")
	fs.IntVar(&c.MaxFigures, "max-figures", 8, "plots per section at most")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if len(c.Lakes) == 0 {
		return usageErr("--lake is required (migreplay help report)")
	}
	if c.MaxFigures < 1 {
		return usageErr("--max-figures %d: want at least 1", c.MaxFigures)
	}
	if err := writeFileAtomic(*out, func(w io.Writer) error { return report.Write(w, c) }); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s\n", *out)
	return nil
}
