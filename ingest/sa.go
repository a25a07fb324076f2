package ingest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"

	"github.com/migreplay/migreplay/ingest/parse"
	"github.com/migreplay/migreplay/ingest/sadf"
	"github.com/migreplay/migreplay/schema"
)

// Binary sa files (what sadc writes under /var/log/sysstat) are specific
// to the sysstat version that wrote them, so migreplay does not decode them
// itself: it runs the installed `sadf -j -C FILE -- -A` (every activity,
// comments included) and ingests the JSON, exactly as a user would by hand.
// Line numbers in errors and the line accounting then refer to sadf's JSON
// output.
//
// sadf reads the user's own file when it is a regular, uncompressed file;
// a compressed file or stdin is decompressed to a temporary copy first,
// and messages name the original with the decompression step.
//
// When sadf fails (a corrupt file, one of an old format), a strict run
// stops with sadf's reason and what to do, naming the file; a lenient run
// records that failure as one reject for the file (one line past sadf's
// output) and keeps what sadf printed before failing.
const saFormat = "sa"

// detectSA accepts sysstat's file magic 0xd596 followed by a format magic
// 0x21xx (0x2170 for sysstat 9.1.5 to 0x2175 for 11.7 on), in either byte
// order: sadc writes them in the byte order of the machine it ran on (96 d5
// 75 21 on x86, d5 96 21 75 on ppc), and sadf reads both.
func detectSA(head []byte) bool {
	if len(head) < 4 {
		return false
	}
	return head[0] == 0x96 && head[1] == 0xd5 && head[3] == 0x21 ||
		head[0] == 0xd5 && head[1] == 0x96 && head[2] == 0x21
}

func newSAParser(r io.Reader, o parse.Options) parse.Parser {
	p := &saParser{opt: o}
	if err := p.start(r); err != nil {
		p.err = err
		p.done = true
	}
	return p
}

type saParser struct {
	opt    parse.Options
	path   string // the file sadf reads: the user's own, or tmp
	tmp    string // temporary decompressed copy, removed at the end
	cmd    *exec.Cmd
	stderr bytes.Buffer
	out    *sadfOutput
	inner  *sadf.JSONParser
	err    error
	// failure is sadf's own failure (it exited non-zero), once reaped.
	failure error
	done    bool
	extra   parse.Stats // the lenient reject standing for sadf's failure
}

// name is how messages call the input.
func (p *saParser) name() string {
	if p.opt.File == "" || p.opt.File == "-" {
		return "stdin"
	}
	return p.opt.File
}

// direct reports whether sadf can read the user's file itself: a regular
// file that starts with the sa magic (not compressed).
func direct(path string) bool {
	if path == "" || path == "-" {
		return false
	}
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		return false
	}
	var head [4]byte
	if _, err := io.ReadFull(f, head[:]); err != nil {
		return false
	}
	return detectSA(head[:])
}

func (p *saParser) start(r io.Reader) error {
	bin, err := exec.LookPath("sadf")
	if err != nil {
		return fmt.Errorf("%s is a binary sysstat sa file: reading it needs sysstat's sadf (apt-get install sysstat), or convert it yourself with `sadf -j -C FILE -- -A > FILE.json` and ingest the JSON", p.name())
	}
	if direct(p.opt.File) {
		p.path = p.opt.File
	} else {
		f, err := os.CreateTemp("", "migreplay-sa-*")
		if err != nil {
			return err
		}
		p.tmp, p.path = f.Name(), f.Name()
		if _, err := io.Copy(f, r); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	skip, err := unknownActivities(bin, p.path)
	if err != nil {
		return fmt.Errorf("%s: %w", p.name(), err)
	}
	cmd := exec.Command(bin, "-j", "-C", p.path, "--", "-A")
	cmd.Env = append(os.Environ(), "LC_ALL=C", "S_TIME_FORMAT=ISO")
	cmd.Stderr = &p.stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	p.cmd = cmd
	p.out = &sadfOutput{r: out, p: p}
	p.inner = sadf.NewJSONParser(p.out, p.opt)
	p.inner.Skip(skip...)
	return nil
}

// jsonActivity is the sadf -j path of each sysstat activity (sysstat 12.6's
// names as sadf -H lists them; the paths as sadf -j prints them in
// sysstat's expected.sadf-j, expected.data-11.6.5-sadf-j and
// expected.data-wghfreq-sadf-j).
var jsonActivity = map[string]string{
	"A_CPU": "cpu-load", "A_PCSW": "process-and-context-switch", "A_IRQ": "interrupts",
	"A_SWAP": "swap-pages", "A_PAGE": "paging", "A_IO": "io", "A_MEMORY": "memory",
	"A_KTABLES": "kernel", "A_QUEUE": "queue", "A_SERIAL": "serial", "A_DISK": "disk",
	"A_NET_DEV": "network.net-dev", "A_NET_EDEV": "network.net-edev", "A_NET_NFS": "network.net-nfs",
	"A_NET_NFSD": "network.net-nfsd", "A_NET_SOCK": "network.net-sock", "A_NET_IP": "network.net-ip",
	"A_NET_EIP": "network.net-eip", "A_NET_ICMP": "network.net-icmp", "A_NET_EICMP": "network.net-eicmp",
	"A_NET_TCP": "network.net-tcp", "A_NET_ETCP": "network.net-etcp", "A_NET_UDP": "network.net-udp",
	"A_NET_SOCK6": "network.net-sock6", "A_NET_IP6": "network.net-ip6", "A_NET_EIP6": "network.net-eip6",
	"A_NET_ICMP6": "network.net-icmp6", "A_NET_EICMP6": "network.net-eicmp6", "A_NET_UDP6": "network.net-udp6",
	"A_PWR_CPU": "power-management.cpu-frequency", "A_PWR_FAN": "power-management.fan-speed",
	"A_PWR_TEMP": "power-management.temperature", "A_PWR_IN": "power-management.voltage-input",
	"A_HUGE": "hugepages", "A_PWR_WGHFREQ": "power-management.cpu-weighted-frequency",
	"A_PWR_USB": "power-management.usb-devices", "A_FS": "filesystems", "A_NET_FC": "network.fchosts",
	"A_NET_SOFT": "network.softnet", "A_PSI_CPU": "psi.psi-cpu", "A_PSI_IO": "psi.psi-io",
	"A_PSI_MEM": "psi.psi-mem", "A_PWR_BAT": "power-management.battery",
}

var reUnknownFormat = regexp.MustCompile(`(?m)^\d+: \[[0-9a-f]+\] (A_\w+)\s.*\[Unknown format\]`)

// unknownActivities lists the sadf -j paths of the activities sadf -H marks
// "[Unknown format]": sadf 12.6.1 prints zeros for them where sar prints
// nothing (data-12.5.6-A_QUEUE_modified: "queue" all zero; sysstat's own
// expected.data-12.5.6-A_QUEUE_modified has no queue block). An unknown
// format of an activity without a known path refuses the file. When sadf -H
// itself fails, sadf -j will say why: nothing to skip.
func unknownActivities(bin, path string) ([]string, error) {
	cmd := exec.Command(bin, "-H", path)
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	out, err := cmd.Output()
	if err != nil {
		return nil, nil
	}
	var skip []string
	for _, m := range reUnknownFormat.FindAllSubmatch(out, -1) {
		a, ok := jsonActivity[string(m[1])]
		if !ok {
			return nil, fmt.Errorf("sadf -H marks activity %s \"[Unknown format]\", whose zeros sadf -j would print as values, and migreplay does not know its sadf -j name: read the file with the sysstat version that wrote it", m[1])
		}
		skip = append(skip, a)
	}
	return skip, nil
}

// sadfOutput passes sadf's stdout to the JSON parser, counting its lines.
// At its end it reaps sadf: when sadf failed, the parser gets sadf's
// failure instead of the end of its output, and stops there without
// rejecting the lines of the record sadf was printing.
type sadfOutput struct {
	r       io.Reader
	p       *saParser
	lines   int64 // newlines, plus a last line without one
	partial bool  // the last byte read is not a newline
}

func (o *sadfOutput) Read(b []byte) (int, error) {
	n, err := o.r.Read(b)
	if n > 0 {
		o.lines += int64(bytes.Count(b[:n], []byte{'\n'}))
		o.partial = b[n-1] != '\n'
	}
	if err == io.EOF {
		if o.partial {
			o.lines++
			o.partial = false
		}
		if ferr := o.p.wait(); ferr != nil {
			return n, ferr
		}
	}
	return n, err
}

// wait reaps sadf once; it returns sadf's failure (it ran and exited
// non-zero) as an error that names the file and says what to do.
func (p *saParser) wait() error {
	if p.cmd == nil {
		return p.failure
	}
	cmd := p.cmd
	p.cmd = nil
	werr := cmd.Wait()
	var exit *exec.ExitError
	switch {
	case errors.As(werr, &exit) && exit.Exited():
		p.failure = p.sadfFailure(exit.ExitCode(), p.stderr.String())
	case werr != nil:
		p.failure = fmt.Errorf("sadf -j on %s: %v", p.name(), werr)
	}
	return p.failure
}

func (p *saParser) Next() bool {
	if p.done {
		p.finish()
		return false
	}
	if p.inner.Next() {
		return true
	}
	p.finish()
	return false
}

// finish reaps sadf and removes the temp copy. A sadf failure becomes the
// parser's error (strict) or one reject (lenient), with sadf's reason and
// what to do; it takes precedence over the JSON error it caused.
func (p *saParser) finish() {
	if p.done && p.cmd == nil {
		p.cleanup()
		return
	}
	p.done = true
	innerErr := p.inner.Err()
	if p.cmd != nil && innerErr != nil && innerErr != p.failure {
		// The parser stopped early: stop sadf, whose exit is then ours.
		_ = p.cmd.Process.Kill()
		p.cmd.Wait()
		p.cmd = nil
		p.err = p.explain(innerErr)
		p.cleanup()
		return
	}
	if err := p.wait(); err != nil {
		p.fail(err)
	} else if innerErr != nil {
		p.err = p.explain(innerErr)
	}
	p.cleanup()
}

func (p *saParser) cleanup() {
	if p.tmp != "" {
		os.Remove(p.tmp)
		p.tmp = ""
	}
}

// fail records err as the file's failure: the run's error in strict mode,
// one reject in lenient mode (the rows sadf printed before stay).
func (p *saParser) fail(err error) {
	if !p.opt.Lenient {
		p.err = err
		return
	}
	// The lines of the record sadf was printing when it failed (read, not
	// accounted by the JSON parser) are structure; the reject stands for
	// the failure, one line past sadf's output.
	st := p.inner.Stats()
	if cut := p.out.lines - st.Lines; cut > 0 {
		p.extra.Lines += cut
		p.extra.Structure += cut
	}
	pe := &parse.ParseError{File: p.opt.File, Line: int(p.out.lines) + 1, Format: saFormat, Err: err}
	p.extra.Lines++
	p.extra.Reject++
	if p.opt.OnReject != nil {
		p.opt.OnReject(pe)
	}
}

// explain adds to a JSON parser error what it means for the sa file.
func (p *saParser) explain(err error) error {
	if errors.Is(err, sadf.ErrMisread) {
		return fmt.Errorf("%w (line numbers are those of `sadf -j -C %s -- -A`): the installed sadf misreads this file, which happens with a big-endian file (written on ppc or s390x) of another sysstat version; nothing of it is stored: read it with the sadf of the version that wrote it (`sadf -H %s` names it) on a machine of that byte order, and ingest that sadf -j output",
			err, p.name(), p.name())
	}
	return err
}

var (
	reCreatedBy = regexp.MustCompile(`File created by sar/sadc from sysstat version (\S+)`)
	reFormat    = regexp.MustCompile(`cannot read the format of this file \((0x[0-9a-fA-F]+)\)`)
	reActivity  = regexp.MustCompile(`(?m)^\d+: \[[0-9a-f]+\] (\S+)\s+[YN]:\s*(\S+)`)
)

// sadfVersion is the installed sysstat's version ("12.6.1"), for messages.
var sadfVersion = sync.OnceValue(func() string {
	out, _ := exec.Command("sadf", "-V").CombinedOutput()
	if f := strings.Fields(string(out)); len(f) >= 3 && f[0] == "sysstat" && f[1] == "version" {
		return f[2]
	}
	return "?"
})

// sadfFailure turns sadf's exit status and message into one line that
// names the user's file and says what to do.
func (p *saParser) sadfFailure(status int, stderr string) error {
	name := p.name()
	msg := stderr
	if p.tmp != "" {
		msg = strings.ReplaceAll(msg, p.tmp, "FILE")
	}
	var lines []string
	for _, l := range strings.Split(msg, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	// sadf read the user's file, or a temporary copy of its decompressed
	// content (then commands are given for FILE, that content saved).
	run := fmt.Sprintf("`sadf -j -C %s -- -A` (sysstat %s)", name, sadfVersion())
	file, decompressed := name, ""
	if p.tmp != "" {
		run = fmt.Sprintf("`sadf -j -C` (sysstat %s) on the decompressed content of %s", sadfVersion(), name)
		if name == "stdin" {
			run = fmt.Sprintf("`sadf -j -C` (sysstat %s) on what stdin gave", sadfVersion())
		}
		file = "FILE"
		decompressed = fmt.Sprintf("; FILE: what %s holds, decompressed, saved as a file", name)
	}
	if m := reFormat.FindStringSubmatch(msg); m != nil {
		by := "another sysstat version"
		if v := reCreatedBy.FindStringSubmatch(msg); v != nil {
			by = "sysstat " + v[1]
		}
		if strings.Contains(msg, "sadf -c") {
			return fmt.Errorf("%s cannot read it: written by %s in format %s, which it reads only once converted: run `sadf -c %s > %s.new` and ingest %s.new%s",
				run, by, m[1], file, file, file, decompressed)
		}
		return fmt.Errorf("%s cannot read it: written by %s in format %s, which it can neither read nor convert: read it with that version's sadf -j and ingest the JSON", run, by, m[1])
	}
	if len(lines) == 0 {
		// sysstat exits 4 without a word when an activity's item counts
		// overflow its sizes (its check_overflow); the activity list says
		// which.
		what := "without a message"
		if out, err := exec.Command("sadf", "-H", p.path).Output(); err == nil {
			var acts []string
			for _, m := range reActivity.FindAllStringSubmatch(string(out), -1) {
				acts = append(acts, m[1]+" "+m[2])
			}
			if len(acts) > 0 {
				what += " after reading the file's list of activities (sadf -H: " + strings.Join(acts, ", ") + ")"
			}
		}
		return fmt.Errorf("%s stopped with exit status %d %s: sysstat does so when an activity declares more items than it can hold; the file is corrupt or comes from a sysstat with other limits, and this sadf reads none of it", run, status, what)
	}
	reason := strings.Join(lines, " ")
	return fmt.Errorf("%s failed (exit status %d): %s: the file is corrupt or cut short, or comes from a sysstat version this sadf cannot read (`sadf -H %s` says which version wrote it%s)", run, status, reason, file, decompressed)
}

func (p *saParser) Record() schema.Row { return p.inner.Record() }

func (p *saParser) Err() error {
	if p.err != nil || p.inner == nil {
		return p.err
	}
	if err := p.inner.Err(); err != p.failure {
		return err
	}
	return nil
}

func (p *saParser) Stats() parse.Stats {
	var st parse.Stats
	if p.inner != nil {
		st = p.inner.Stats()
	}
	st.Add(p.extra)
	return st
}

func (p *saParser) Locale() string { return "sadf -j (LC_ALL=C)" }
