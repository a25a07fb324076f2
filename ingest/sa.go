package ingest

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"

	"github.com/migreplay/migreplay/ingest/parse"
	"github.com/migreplay/migreplay/ingest/sadf"
	"github.com/migreplay/migreplay/schema"
)

// Binary sa files (what sadc writes under /var/log/sysstat) are specific
// to the sysstat version that wrote them, so migreplay does not decode them
// itself: it runs the installed `sadf -j <file> -- -A` and ingests the JSON,
// exactly as a user would by hand. Line numbers in errors and the line
// accounting then refer to sadf's JSON output.
const saFormat = "sa"

// saMagic is sysstat's file magic 0xd596, little-endian, at offset 0.
var saMagic = []byte{0x96, 0xd5}

func detectSA(head []byte) bool {
	return len(head) >= 4 && bytes.HasPrefix(head, saMagic)
}

func newSAParser(r io.Reader, o parse.Options) parse.Parser {
	p := &saParser{opt: o}
	if err := p.start(r); err != nil {
		p.err = err
	}
	return p
}

type saParser struct {
	opt    parse.Options
	tmp    string
	cmd    *exec.Cmd
	stderr bytes.Buffer
	inner  parse.Parser
	err    error
	done   bool
}

func (p *saParser) start(r io.Reader) error {
	path, err := exec.LookPath("sadf")
	if err != nil {
		return fmt.Errorf("a binary sysstat sa file: reading it needs sysstat's sadf (apt-get install sysstat), or convert it yourself with `sadf -j FILE -- -A > FILE.json`")
	}
	f, err := os.CreateTemp("", "migreplay-sa-*")
	if err != nil {
		return err
	}
	p.tmp = f.Name()
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	p.cmd = exec.Command(path, "-j", p.tmp, "--", "-A")
	p.cmd.Env = append(os.Environ(), "LC_ALL=C", "S_TIME_FORMAT=ISO")
	p.cmd.Stderr = &p.stderr
	out, err := p.cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := p.cmd.Start(); err != nil {
		return err
	}
	p.inner = sadf.NewJSONParser(out, p.opt)
	return nil
}

func (p *saParser) Next() bool {
	if p.err != nil || p.inner == nil || p.done {
		p.finish()
		return false
	}
	if p.inner.Next() {
		return true
	}
	p.finish()
	return false
}

// finish reaps sadf and removes the temp copy; a sadf failure becomes the
// parser's error with sadf's own message (wrong sysstat version, say).
func (p *saParser) finish() {
	if p.done {
		return
	}
	p.done = true
	if p.cmd != nil && p.cmd.Process != nil {
		if p.inner != nil && p.inner.Err() != nil {
			_ = p.cmd.Process.Kill()
		}
		if err := p.cmd.Wait(); err != nil && p.err == nil && (p.inner == nil || p.inner.Err() == nil) {
			msg := strings.TrimSpace(p.stderr.String())
			p.err = fmt.Errorf("sadf -j failed (%v): %s: the file may come from another sysstat version; run that version's sadf -j on it and ingest the JSON", err, msg)
		}
	}
	if p.tmp != "" {
		os.Remove(p.tmp)
	}
}

func (p *saParser) Record() schema.Row { return p.inner.Record() }

func (p *saParser) Err() error {
	if p.inner != nil {
		if err := p.inner.Err(); err != nil {
			return err
		}
	}
	return p.err
}

func (p *saParser) Stats() parse.Stats {
	if p.inner == nil {
		return parse.Stats{}
	}
	return p.inner.Stats()
}

func (p *saParser) Locale() string { return "sadf -j (LC_ALL=C)" }
