package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// chromiumFlags run Debian's chromium headless on this machine's closed
// network (no background connections, no first-run or component updates).
var chromiumFlags = []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
	"--disable-background-networking", "--disable-component-update", "--disable-sync", "--enable-logging=stderr", "--v=0"}

// chromium finds the browser; without it the test is skipped, unless
// MIGREPLAY_REQUIRE_CHROMIUM is set (CI sets it: there it must run).
func chromium(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("MIGREPLAY_REQUIRE_CHROMIUM") != "" {
			t.Fatal("chromium not found and MIGREPLAY_REQUIRE_CHROMIUM is set (apt-get install chromium)")
		}
		t.Skip("chromium not found (apt-get install chromium); CI sets MIGREPLAY_REQUIRE_CHROMIUM")
	}
	return p
}

// openInChromium loads page headless, with extra flags (--dump-dom,
// --screenshot=...), and returns what it printed and the console messages
// it logged (chromium logs every console message, errors and uncaught
// exceptions included, as INFO:CONSOLE lines; the report logs none).
func openInChromium(t *testing.T, page string, extra ...string) (stdout string, console []string) {
	t.Helper()
	args := append(append([]string{"--user-data-dir=" + t.TempDir()}, chromiumFlags...), extra...)
	cmd := exec.Command(chromium(t), append(args, "file://"+page)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %v: %v\n%s", extra, err, errb.String())
	}
	for _, l := range strings.Split(errb.String(), "\n") {
		if strings.Contains(l, ":CONSOLE") || strings.Contains(l, "Uncaught") {
			console = append(console, l)
		}
	}
	return out.String(), console
}

var dataPlots = regexp.MustCompile(`<body[^>]*data-plots="([^"]*)"`)

// The report of a run like make run's (the bundled traces and the
// cluster, analyzed; a small sweep; the fit per class; reproduce): every
// section has plots, the same lakes give the same bytes, each plot holds
// more SVG elements than its axes alone, and in headless Chromium the page
// logs nothing to the console and its own check finds every plot drawn.
// The screenshot goes to MIGREPLAY_REPORT_SCREENSHOT when set.
func TestReportInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("builds lakes and renders a report")
	}
	dir := t.TempDir()
	lake, cl, sweep, rep := filepath.Join(dir, "lake"), filepath.Join(dir, "cluster"), filepath.Join(dir, "sweep"), filepath.Join(dir, "reproduce")
	for _, args := range [][]string{
		{"ingest", "../../datasets/traces", "--out", lake},
		{"analyze", "--lake", lake, "--out", lake, "--host-cpus", "lab1=28"},
		{"ingest", "../../datasets/cluster/traces", "--out", cl},
		{"analyze", "--lake", cl, "--out", cl, "--idc", "../../datasets/cluster/idc.csv"},
		{"replay", "--memory", "256MiB", "--dirty-model", "hotcold", "--dirty-rate", "5000", "--sweep", "cpu-cap=0.2:1:0.2", "--sweep", "policy=xen-legacy,qemu", "--out", sweep},
		{"fit", "--in", filepath.Join(cl, "table=analysis_migration"), "--x", "mem_mib", "--y", "duration_s", "--by", "class", "--model", "linear", "--out", cl},
		{"reproduce", "--out", rep},
	} {
		if code, _, stderr := runCmd(t, args...); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
	}
	page := filepath.Join(dir, "report.html")
	args := []string{"report", "--lake", lake, "--lake", cl, "--lake", sweep, "--lake", rep, "--out", page}
	if code, _, stderr := runCmd(t, args...); code != 0 {
		t.Fatalf("report: exit %d: %s", code, stderr)
	}
	html, _ := os.ReadFile(page)
	again := filepath.Join(dir, "again.html")
	runCmd(t, append(args[:len(args)-1], again)...)
	if b, _ := os.ReadFile(again); !bytes.Equal(b, html) {
		t.Error("the same lakes gave different reports")
	}
	// nothing to fetch: no address but the SVG namespaces' names, no src=
	bare := regexp.MustCompile(`xmlns(:xlink)?="http://www\.w3\.org/[0-9]{4}/(svg|xlink)"`).ReplaceAll(html, nil)
	if m := regexp.MustCompile(`.{0,40}(https?:|src=|@import|url\().{0,40}`).Find(bare); m != nil {
		t.Errorf("the report refers to something outside itself: %q", m)
	}
	// every section drew, and each figure has more than its axes
	figs := regexp.MustCompile(`(?s)<div class="fig" id="([^"]+)" data-axes-elements="(\d+)">\s*(<svg.*?</svg>)`).FindAllSubmatch(html, -1)
	per := map[string]int{}
	for _, f := range figs {
		axes, _ := strconv.Atoi(string(f[2]))
		n := len(regexp.MustCompile(`<[a-zA-Z]`).FindAll(f[3], -1)) - 1
		if n <= axes {
			t.Errorf("figure %s: %d elements, its axes alone %d", f[1], n, axes)
		}
		per[strings.SplitN(string(f[1]), "-", 2)[0]]++
	}
	for _, s := range []string{"decisions", "seed004", "seed001", "fit", "rounds", "ping", "dom0"} {
		if per[s] == 0 {
			t.Errorf("no %s figure (%v)", s, per)
		}
	}
	if !bytes.Contains(html, []byte("Side by side: what each policy chose on each host")) {
		t.Error("no decisions table")
	}
	shot := os.Getenv("MIGREPLAY_REPORT_SCREENSHOT")
	if shot == "" {
		shot = filepath.Join(dir, "report.png")
	}
	dom, console := openInChromium(t, page, "--dump-dom")
	if m := dataPlots.FindStringSubmatch(dom); m == nil || m[1] != "ok "+strconv.Itoa(len(figs)) {
		t.Errorf("the page's check says %q, want ok %d", m, len(figs))
	}
	if len(console) > 0 {
		t.Errorf("console messages: %s", strings.Join(console, "\n"))
	}
	if _, console = openInChromium(t, page, "--screenshot="+shot, "--window-size=1280,9000"); len(console) > 0 {
		t.Errorf("console messages: %s", strings.Join(console, "\n"))
	}
	if st, err := os.Stat(shot); err != nil || st.Size() < 10000 {
		t.Errorf("screenshot %s: %v", shot, err)
	}
}

// The checks catch what they are for: a page with a figure that draws
// only its axes and a script error is reported as such.
func TestChromiumCheckCatches(t *testing.T) {
	page := filepath.Join(t.TempDir(), "bad.html")
	os.WriteFile(page, []byte(`<!DOCTYPE html><html><body data-plots="pending">
<div class="fig" id="f" data-axes-elements="3"><svg><g><path d="M0 0L1 1"/><text>x</text></g></svg></div>
<script>
var figs = document.querySelectorAll("div.fig"), empty = [];
figs.forEach(function (f) { if (f.querySelector("svg").querySelectorAll("*").length <= Number(f.dataset.axesElements)) empty.push(f.id); });
document.body.setAttribute("data-plots", empty.length ? "empty: " + empty.join(" ") : "ok " + figs.length);
notAFunction();
</script></body></html>`), 0o644)
	dom, console := openInChromium(t, page, "--dump-dom")
	if m := dataPlots.FindStringSubmatch(dom); m == nil || m[1] != "empty: f" {
		t.Errorf("data-plots %q, want empty: f", m)
	}
	if len(console) == 0 || !strings.Contains(strings.Join(console, "\n"), "notAFunction") {
		t.Errorf("the script error was not seen: %q", console)
	}
}
