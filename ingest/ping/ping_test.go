package ping_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/migreplay/migreplay/ingest/parse"
	"github.com/migreplay/migreplay/ingest/parse/parsetest"
	"github.com/migreplay/migreplay/ingest/ping"
	"github.com/migreplay/migreplay/schema"
)

func newParser(r io.Reader, o parse.Options) parse.Parser { return ping.NewParser(r, o) }

// Golden cases: testdata/sample_* are the real captures of
// ../../../shared/samples/ping (iputils 20221126 and BusyBox 1.35 on Debian
// bookworm, see each source.txt); the others are written by hand from the
// tools' format strings, as each source.txt says. The want files were
// generated with -update and checked line by line against the inputs.
func TestGolden(t *testing.T) { parsetest.Golden(t, newParser) }

// Every real capture in the shared samples ingests strictly with no reject.
func TestSharedSamplesStrict(t *testing.T) {
	files, _ := filepath.Glob("../../../shared/samples/ping/*")
	if len(files) == 0 {
		t.Skip("../../../shared/samples/ping not present")
	}
	for _, f := range files {
		in, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !ping.Detect(in) {
			t.Errorf("%s: not detected as ping", f)
		}
		res := parsetest.Drain(newParser, in, parse.Options{File: f})
		if res.Err != nil {
			t.Errorf("%s: %v", f, res.Err)
		}
		if res.Stats.Reject != 0 || !res.Stats.Balanced() || res.Stats.Records == 0 {
			t.Errorf("%s: stats %+v", f, res.Stats)
		}
	}
}

// drain returns typed copies of a parser's rows.
func drain(t *testing.T, in []byte, opt parse.Options) ([]schema.PingReply, []schema.PingSummary, parse.Stats) {
	t.Helper()
	p := ping.NewParser(bytes.NewReader(in), opt)
	var reps []schema.PingReply
	var sums []schema.PingSummary
	for p.Next() {
		switch r := p.Record().(type) {
		case *schema.PingReply:
			reps = append(reps, *r)
		case *schema.PingSummary:
			sums = append(sums, *r)
		default:
			t.Fatalf("unexpected row %T", r)
		}
	}
	if err := p.Err(); err != nil {
		t.Fatal(err)
	}
	return reps, sums, p.Stats()
}

// The summary ping itself prints is an independent check of the reply rows
// parsed from the same capture: received = replies, duplicates = dups,
// min/max = extremes of rtt_ms, avg = mean rtt truncated to a microsecond
// (iputils: tsum/total in integer µs; BusyBox rounds), and the -O outage of
// the outage sample is exactly seq 60..90.
func TestSummaryMatchesReplies(t *testing.T) {
	dirs, _ := filepath.Glob("testdata/sample_*")
	for _, dir := range dirs {
		in, err := os.ReadFile(filepath.Join(dir, "input.txt"))
		if err != nil {
			t.Fatal(err)
		}
		reps, sums, _ := drain(t, in, parse.Options{})
		if len(sums) != 1 {
			t.Fatalf("%s: %d summaries", dir, len(sums))
		}
		s := sums[0]
		var replies, dups, timeouts int64
		lo, hi, sum := math.Inf(1), math.Inf(-1), 0.0
		for _, r := range reps {
			switch r.Status {
			case schema.PingStatusReply:
				replies++
			case schema.PingStatusDup:
				dups++
			case schema.PingStatusTimeout:
				timeouts++
				continue
			}
			lo, hi, sum = min(lo, *r.RTTMs), max(hi, *r.RTTMs), sum+*r.RTTMs
		}
		if replies != s.Received || dups != s.Duplicates {
			t.Errorf("%s: rows %d replies %d dups, summary %d received %d duplicates", dir, replies, dups, s.Received, s.Duplicates)
		}
		if s.LossPct == nil || math.Abs(*s.LossPct-100*float64(s.Transmitted-s.Received)/float64(s.Transmitted)) > 1e-4 {
			t.Errorf("%s: loss %v", dir, s.LossPct)
		}
		if replies == 0 {
			if s.RTTMinMs != nil {
				t.Errorf("%s: rtt line without replies", dir)
			}
			continue
		}
		mean := sum / float64(replies+dups)
		if *s.RTTMinMs != lo || *s.RTTMaxMs != hi || math.Abs(*s.RTTAvgMs-mean) > 0.001 {
			t.Errorf("%s: summary %v/%v/%v, rows %v/%v/%v", dir, *s.RTTMinMs, *s.RTTAvgMs, *s.RTTMaxMs, lo, mean, hi)
		}
		if strings.Contains(dir, "outage") {
			var seqs []int64
			for _, r := range reps {
				if r.Status == schema.PingStatusTimeout {
					seqs = append(seqs, *r.Seq)
				}
			}
			if len(seqs) != 31 || seqs[0] != 60 || seqs[30] != 90 || timeouts+replies != 200 {
				t.Errorf("%s: timeouts %v", dir, seqs)
			}
		}
	}
}

func TestDetect(t *testing.T) {
	yes := map[string]string{
		"banner":     "PING 127.0.0.1 (127.0.0.1) 56(84) bytes of data.\n",
		"busybox":    "PING 127.0.0.1 (127.0.0.1): 56 data bytes\n64 bytes",
		"ping6":      "PING6(56=40+8+8 bytes) ::1 --> ::1\n",
		"reply cut":  "64 bytes from 10.0.0.1: icmp_seq=1 ttl=64 ti",
		"-D reply":   "[1795305201.448244] 64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=0.028 ms\n",
		"stderr":     "ping: sendmsg: Operation not permitted\n\n[1795305201.448244] no answer yet for icmp_seq=3\n",
		"bsd":        "Request timeout for icmp_seq 0\n",
		"icmp error": "From 10.0.0.2 icmp_seq=1 Destination Host Unreachable\n",
		// what options print before the banner (jc's fixtures, iputils and BSD format strings)
		"-p":          "PATTERN: 0xabcd\nPING 10.0.0.1 (10.0.0.1) 56(84) bytes of data.\n",
		"-p ping6":    "PATTERN: 0xff\nPING6(56=40+8+8 bytes) ::1 --> ::1\n",
		"-b":          "WARNING: pinging broadcast address\nPING 10.0.0.255 (10.0.0.255) 56(84) bytes of data.\n",
		"-v":          "ping: sock4.fd: 3 (socktype: SOCK_RAW), sock6.fd: 4 (socktype: SOCK_RAW), hints.ai_family: AF_UNSPEC\n\nai->ai_family: AF_INET, ai->ai_canonname: 'h'\nPING h (10.0.0.1) 56(84) bytes of data.\n",
		"-A bell":     "\aRequest timeout for icmp_seq 0\n",
		"no name":     "PING  (100.68.105.124) 56(84) bytes of data.\n",
		"-p -D reply": "PATTERN: 0xff\n[1594978465.914536] 1408 bytes from 10.0.0.1: icmp_seq=1 ttl=59 time=31.4 ms\n",
	}
	for name, s := range yes {
		if !ping.Detect([]byte(s)) {
			t.Errorf("%s: not detected", name)
		}
	}
	no := map[string]string{
		"empty":   "",
		"sar":     "Linux 6.1.0-13-amd64 (bookworm) \t11/21/2026 \t_x86_64_\t(2 CPU)\n\n10:00:01 AM  CPU  %user\n",
		"sadf -j": `{"sysstat": {"hosts": [{"nodename": "bookworm"}]}}`,
		"xentop":  "      NAME  STATE   CPU(sec) CPU(%)     MEM(k) MEM(%)  MAXMEM(k)\n",
		"qmp":     `{"return": {"status": "active", "total-time": 12}}`,
		"prose":   "PING pong is a game\n",
		"pattern": "PATTERN: 0xzz\nPING 10.0.0.1 (10.0.0.1) 56(84) bytes of data.\n",
		"only -p": "PATTERN: 0xff\n",
		"ts log":  "Nov 21 10:00:01 64 bytes from 10.0.0.1: icmp_seq=1\n",
	}
	for name, s := range no {
		if ping.Detect([]byte(s)) {
			t.Errorf("%s: detected as ping", name)
		}
	}
}

// Strict mode stops at the first bad line with file:line:col and a parse
// sentinel; lenient mode reports it and goes on.
func TestStrictAndLenient(t *testing.T) {
	in := []byte("PING 10.0.0.1 (10.0.0.1) 56(84) bytes of data.\n" +
		"64 bytes from 10.0.0.1: icmp_seq=1 ttl=64 time=0.3 ms\n" +
		"64 bytes from 10.0.0.1: icmp_seq=x ttl=64 time=0.3 ms\n" +
		"64 bytes from 10.0.0.1: icmp_seq=3 ttl=64 time=0.3 ms\n")
	res := parsetest.Drain(newParser, in, parse.Options{File: "f.txt"})
	var pe *parse.ParseError
	if !errors.As(res.Err, &pe) || pe.Line != 3 || pe.Col != 34 || !errors.Is(res.Err, parse.ErrSyntax) || pe.Format != "ping" {
		t.Fatalf("strict: %v", res.Err)
	}
	if got := res.Err.Error(); got != "f.txt:3:34: syntax error: bad icmp_seq value" {
		t.Errorf("message %q", got)
	}
	if len(res.Rows) != 1 {
		t.Errorf("strict rows %d", len(res.Rows))
	}
	res = parsetest.Drain(newParser, in, parse.Options{File: "f.txt", Lenient: true})
	if res.Err != nil || len(res.Rows) != 2 || len(res.Rejects) != 1 || res.Stats.Reject != 1 || !res.Stats.Balanced() {
		t.Fatalf("lenient: %v %d rows %+v", res.Err, len(res.Rows), res.Stats)
	}
}

// Rows returned earlier keep their values after later Next calls.
func TestRowsNotReused(t *testing.T) {
	in, err := os.ReadFile("testdata/sample_iputils_D/input.txt")
	if err != nil {
		t.Fatal(err)
	}
	reps, _, _ := drain(t, in, parse.Options{})
	// sample_iputils_D: seq 1..5, its -D stamps and time= values
	stamps := []int64{1795305201448244, 1795305201651889, 1795305201855915, 1795305202059860, 1795305202263865}
	want := []float64{0.028, 0.034, 0.035, 0.033, 0.032}
	if len(reps) != 5 {
		t.Fatalf("%d rows", len(reps))
	}
	for i, r := range reps {
		if *r.Seq != int64(i+1) || *r.RTTMs != want[i] || r.Time.UnixMicro() != stamps[i] {
			t.Errorf("row %d: seq %d rtt %v time %v", i, *r.Seq, *r.RTTMs, r.Time)
		}
	}
}

// A repeated seq is a duplicate whether ping marks it or not, per session
// (a banner starts afresh) and across the 65535 → 0 wrap; a reply with a
// bad checksum answers nothing (iputils gather_statistics leaves it out of
// its table).
func TestDuplicateBySeq(t *testing.T) {
	in := []byte("PING 10.0.0.1 (10.0.0.1) 56(84) bytes of data.\n" +
		"64 bytes from 10.0.0.1: icmp_seq=1 ttl=64 time=0.3 ms\n" +
		"64 bytes from 10.0.0.1: icmp_seq=2 ttl=64 time=0.3 ms (BAD CHECKSUM!)\n" +
		"64 bytes from 10.0.0.1: icmp_seq=2 ttl=64 time=0.3 ms\n" +
		"64 bytes from 10.0.0.2: icmp_seq=1 ttl=64 time=0.9 ms\n" +
		"64 bytes from 10.0.0.1: icmp_seq=65535 ttl=64 time=0.3 ms\n" +
		"64 bytes from 10.0.0.1: icmp_seq=0 ttl=64 time=0.3 ms\n" +
		"64 bytes from 10.0.0.1: icmp_seq=1 ttl=64 time=0.3 ms\n" +
		"64 bytes from 10.0.0.2: icmp_seq=65535 ttl=64 time=0.9 ms\n" +
		"64 bytes from 10.0.0.2: icmp_seq=1 ttl=64 time=0.9 ms (DUP!)\n" +
		"PING 10.0.0.1 (10.0.0.1) 56(84) bytes of data.\n" +
		"64 bytes from 10.0.0.1: icmp_seq=1 ttl=64 time=0.3 ms\n")
	reps, _, _ := drain(t, in, parse.Options{})
	want := []string{"reply", "reply", "reply", "dup", "reply", "reply", "reply", "dup", "dup", "reply"}
	if len(reps) != len(want) {
		t.Fatalf("%d rows, want %d", len(reps), len(want))
	}
	for i, r := range reps {
		if r.Status != want[i] {
			t.Errorf("row %d (seq %d from %s): %s, want %s", i, *r.Seq, *r.From, r.Status, want[i])
		}
	}
}

// A time no column can hold is a reject, never stored: a -D stamp past
// year 9999 (the fuzz crasher in testdata/fuzz/FuzzParse), and --start +
// seq·--interval past it or overflowing.
func TestTimeOutOfRange(t *testing.T) {
	in := []byte("[1000000000000] 64 bytes from 10.0.0.1: icmp_seq=1 ttl=64 time=0.3 ms\n" +
		"64 bytes from 10.0.0.1: icmp_seq=1 ttl=64 time=0.3 ms\n" +
		"64 bytes from 10.0.0.1: icmp_seq=2 ttl=64 time=0.3 ms\n" +
		"64 bytes from 10.0.0.1: icmp_seq=999999999999999999 ttl=64 time=0.3 ms\n" +
		"no answer yet for icmp_seq=99999999999999\n")
	opt := parse.Options{File: "f", Lenient: true, Start: time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC), Interval: time.Hour}
	res := parsetest.Drain(newParser, in, opt)
	var lines []int
	for _, e := range res.Rejects {
		lines = append(lines, e.Line)
	}
	if len(res.Rows) != 2 || fmt.Sprint(lines) != "[1 4 5]" || !res.Stats.Balanced() {
		t.Fatalf("%d rows, rejects at lines %v, %+v", len(res.Rows), lines, res.Stats)
	}
	if !errors.Is(res.Rejects[0].Err, parse.ErrSyntax) || !errors.Is(res.Rejects[1].Err, parse.ErrNoTime) || !errors.Is(res.Rejects[2].Err, parse.ErrNoTime) {
		t.Errorf("rejects: %v", res.Rejects)
	}
}

// decorations are lines ping's options add around the data (iputils, BSD
// and KAME format strings, as in testdata's hand-written cases); the fuzz
// target weaves them into each seed so mutations start from them.
var decorations = []string{
	"PATTERN: 0xabcd", "WARNING: pinging broadcast address", "ping: Warning: source address might be selected on device other than: eth0",
	"RR: \t10.0.0.2", "\t10.0.0.1", "TS: \t39600123 absolute", "Unrecorded hops: 2", "NOP", "\a",
	"Vr HL TOS  Len   ID Flg  off TTL Pro  cks      Src      Dst", " 4  5  00 5400 1c2b   0 0000  40  01 d4e5 10.0.0.2  10.0.0.99 ",
	"UDP: from port 33434, to port 33435 (decimal)", "Vr TC  Flow Plen Nxt Hlim", " 6 00 00000 0038  3a   40", "2001:db8::10->2001:db8::1",
	"92 bytes from 10.0.0.254: Destination Host Unreachable", "92 bytes from 10.0.0.254: Weird error message",
	"wrong data byte #16 should be 0x10 but was 0x11", "cp: 5f 3a 2e  0 21  7 a1  0 ", "#16\t11 11 12 13 ",
	".\b \b.\b \b.\bE", "\r2/3 packets received (66.7%) 0.045 min / 0.048 avg / 0.051 max",
	"64 bytes from 10.0.0.1: icmp_seq=2 ttl=64 time=0.298 ms\t(same route)\a",
	// Windows (windows.go) and ping's stderr, inside or outside a session
	"Request timed out.", "Reply from 10.0.0.1: bytes=32 time<1ms TTL=128", "Reply from 10.0.0.254: Destination host unreachable.",
	"General failure.", "Control-Break", "    Packets: Sent = 2, Received = 1, Lost = 1 (50% loss),",
	"    Minimum = 0ms, Maximum = 1ms, Average = 0ms", "ping: sendmsg: Operation not permitted",
}

func FuzzParse(f *testing.F) {
	parsetest.AddSeeds(f, "testdata/*/input.txt", func(b []byte) bool { return len(b) < 64<<10 })
	dirs, _ := filepath.Glob("testdata/*/input.txt")
	for _, d := range dirs {
		if b, err := os.ReadFile(d); err == nil && len(b) < 64<<10 {
			lines := strings.SplitAfter(string(b), "\n")
			for i, dec := range decorations {
				k := i % (len(lines) + 1)
				woven := strings.Join(lines[:k], "") + dec + "\n" + strings.Join(lines[k:], "")
				f.Add([]byte(woven))
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) { parsetest.Fuzz(t, newParser, data) })
}

// A line longer than parse.MaxLine is rejected as ErrTooLong without losing
// the lines after it.
func TestTooLongLine(t *testing.T) {
	in := []byte("PING 10.0.0.1 (10.0.0.1) 56(84) bytes of data.\n" +
		"64 bytes from 10.0.0.1: icmp_seq=1 ttl=64 time=0.3 ms " + strings.Repeat("x", parse.MaxLine+10) + "\n" +
		"64 bytes from 10.0.0.1: icmp_seq=2 ttl=64 time=0.3 ms\n")
	res := parsetest.Drain(newParser, in, parse.Options{File: "f"})
	if !errors.Is(res.Err, parse.ErrTooLong) || !strings.HasPrefix(res.Err.Error(), "f:2: ") {
		t.Fatalf("strict: %v", res.Err)
	}
	res = parsetest.Drain(newParser, in, parse.Options{File: "f", Lenient: true})
	if res.Err != nil || len(res.Rows) != 1 || res.Stats.Reject != 1 || !res.Stats.Balanced() {
		t.Fatalf("lenient: %v %d rows %+v", res.Err, len(res.Rows), res.Stats)
	}
}
