// Package report writes migreplay's report: one self-contained HTML file
// with SVG plots drawn by gonum.org/v1/plot from the tables of one or more
// lakes: each migration policy's decisions, the seed papers' published
// numbers against ours, fitted curves per class, replay rounds per policy,
// RTT around each ping outage and Domain-0's CPU around each migration.
//
// Nothing is fetched when the page is opened: the SVGs are inlined, the
// style and the one script (which checks that every plot drew more than its
// axes and says so in the body's data-plots attribute) are in the file.
// The same lakes give the same bytes: no wall clock, inputs in the order
// given.
package report

import (
	"fmt"
	"html/template"
	"io"
	"os"

	"github.com/migreplay/migreplay/schema/table"
)

// Config says what to read. The zero value of each number means its
// default.
type Config struct {
	Lakes      []string // lake roots; each table is read from every root that has it
	Title      string   // default "migreplay report"
	MaxFigures int      // per section (default 8)
	MaxRows    int      // of the decisions table (default 200)
}

// Write reads the lakes and writes the report to w. A section whose tables
// are in no lake says so instead of drawing.
func Write(w io.Writer, c Config) error {
	if c.Title == "" {
		c.Title = "migreplay report"
	}
	if c.MaxFigures == 0 {
		c.MaxFigures = 8
	}
	if c.MaxRows == 0 {
		c.MaxRows = 200
	}
	if len(c.Lakes) == 0 {
		return fmt.Errorf("report: no lake given")
	}
	for _, l := range c.Lakes {
		if st, err := os.Stat(l); err != nil || !st.IsDir() {
			return fmt.Errorf("report: lake %s is not a folder", l)
		}
	}
	var secs []section
	for _, f := range []func(Config) (section, error){decisions, reproduce, fits, rounds, ping, dom0} {
		s, err := f(c)
		if err != nil {
			return fmt.Errorf("report: %s: %w", s.Title, err)
		}
		secs = append(secs, s)
	}
	n := 0
	for _, s := range secs {
		n += len(s.Figures)
	}
	return page.Execute(w, struct {
		Title    string
		Lakes    []string
		Sections []section
		Figures  int
	}{c.Title, c.Lakes, secs, n})
}

// readSource reads columns of a fit's source: a lake folder of one table
// (columns a file lacks read as null), or a Parquet or CSV file (the first
// two columns asked for only).
func readSource(src string, cols []string) (*table.Columns, error) {
	if st, err := os.Stat(src); err == nil && st.IsDir() {
		files, err := table.ListFiles(src)
		if err != nil {
			return nil, err
		}
		return table.ReadFilesWith(src, files, cols, table.Options{MissingAsNull: true})
	}
	return table.Read(src, cols[:2])
}

var page = template.Must(template.New("report").Funcs(template.FuncMap{
	"svg": func(s string) template.HTML { return template.HTML(s) },
}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{.Title}}</title>
<style>
body { font-family: sans-serif; margin: 2em auto; max-width: 70em; color: #222; }
h1 { font-size: 1.6em; } h2 { font-size: 1.3em; margin-top: 2em; border-bottom: 1px solid #ccc; }
nav a { margin-right: 1em; }
.fig { display: inline-block; vertical-align: top; margin: 0.5em; max-width: 32em; }
.fig svg { width: 100%; height: auto; border: 1px solid #eee; }
.fig p { font-size: 0.85em; margin: 0.2em 0; }
table { border-collapse: collapse; font-size: 0.8em; margin: 1em 0; }
td, th { border: 1px solid #ccc; padding: 0.2em 0.5em; text-align: left; vertical-align: top; }
caption { text-align: left; font-weight: bold; padding: 0.3em 0; }
.note { color: #a50; }
</style>
</head>
<body data-plots="pending">
<h1>{{.Title}}</h1>
<p>From the lakes {{range $i, $l := .Lakes}}{{if $i}}, {{end}}<code>{{$l}}</code>{{end}}; {{.Figures}} plots.</p>
<nav>{{range .Sections}}<a href="#{{.ID}}">{{.Title}}</a>{{end}}</nav>
{{range .Sections}}
<section id="{{.ID}}">
<h2>{{.Title}}</h2>
<p>{{.Intro}}</p>
{{if .Note}}<p class="note">{{.Note}}</p>{{end}}
{{range .Tables}}<table>
<caption>{{.Caption}}</caption>
<tr>{{range .Head}}<th>{{.}}</th>{{end}}</tr>
{{range .Rows}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>
{{end}}</table>
{{end}}
{{range .Figures}}<div class="fig" id="{{.ID}}" data-axes-elements="{{.AxesElements}}">
{{svg .SVG}}
<p>{{.Caption}}</p>
</div>
{{end}}
</section>
{{end}}
<script>
(function () {
  var figs = document.querySelectorAll("div.fig"), empty = [];
  figs.forEach(function (f) {
    var s = f.querySelector("svg");
    var n = s ? s.querySelectorAll("*").length : 0;
    if (n <= Number(f.dataset.axesElements)) empty.push(f.id);
  });
  document.body.setAttribute("data-plots", empty.length ? "empty: " + empty.join(" ") : "ok " + figs.length);
})();
</script>
</body>
</html>
`))
