package sar_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/migreplay/migreplay/ingest/parse"
	"github.com/migreplay/migreplay/ingest/parse/parsetest"
	"github.com/migreplay/migreplay/ingest/sar"
)

func newParser(r io.Reader, o parse.Options) parse.Parser { return sar.NewParser(r, o) }

// Golden cases: testdata/<case>/input.txt with want.jsonl / want.err. Real
// captures say in source.txt which sysstat made them; the others are written
// by hand from the format (see each case's source.txt).
func TestGolden(t *testing.T) { parsetest.Golden(t, newParser) }

// samplesDir holds the real captures the project shares (sysstat 12.6.1,
// Debian bookworm); tests that read it skip when it is absent.
const samplesDir = "../../../shared/samples/sar"

// Every sar text capture in the shared samples ingests strictly with no
// reject. (The sadf captures are checked by package sadf.)
func TestSamplesStrict(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(samplesDir, "sar_*.txt"))
	if len(files) == 0 {
		t.Skip("no shared samples at " + samplesDir)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if !sar.Detect(b) {
				t.Fatal("Detect = false")
			}
			res := parsetest.Drain(newParser, b, parse.Options{File: f})
			if res.Err != nil {
				t.Fatal(res.Err)
			}
			parsetest.CheckBalanced(t, res.Stats)
			if res.Stats.Reject != 0 || res.Stats.Data == 0 {
				t.Fatalf("stats %+v", res.Stats)
			}
		})
	}
}

func TestDetect(t *testing.T) {
	yes := map[string]string{
		"C":          "Linux 6.18.44-fc-v445 (vm) \t11/21/26 \t_x86_64_\t(2 CPU)\n\n23:52:02 CPU %user\n",
		"blank lead": "\n\r\n  \nLinux 6.1.0-27-amd64 (host-a.example) \t2026-11-21 \t_x86_64_\t(64 CPU)\n",
		"cut banner": "Linux 6.1.0 (h) \t21.11.2026",
		"CRLF":       "Linux 6.1.0 (h) \t11/21/2026 \t_x86_64_\t(2 CPU)\r\n",
		// Refused later with the LC_ALL=C message, but it is sar text.
		"ja_JP": "Linux 6.1.0 (h) \t2026年11月21日 \t_x86_64_\t(2 CPU)\n",
		// A report that lost its banner (sysstat's expected.sa1-rot): sar
		// text, which the parser refuses for want of host and date.
		"no banner":      "\n23:59:57        CPU     %user     %nice   %system   %iowait    %steal     %idle\n",
		"no banner, 12h": "11:59:57 PM     proc/s   cswch/s\n",
		// S_COLORS=always: read as the text the SGR codes decorate.
		"coloured": "\x1b[1mLinux\x1b[0m 6.1.0 (\x1b[32;22mh\x1b[0m) \t11/21/26 \t_x86_64_\t(2 CPU)\n",
	}
	for name, s := range yes {
		if !sar.Detect([]byte(s)) {
			t.Errorf("%s: Detect = false", name)
		}
	}
	no := map[string]string{
		"empty":                 "",
		"binary":                "\x00\x01\x02\xff",
		"sadf -d":               "# hostname;interval;timestamp;CPU;%user;%nice;%system;%iowait;%steal;%idle\nvm;1;2026-11-21 23:52:03 UTC;-1;2.54;0.00;5.08;0.00;0.00;92.39\n",
		"sadf -j":               "{\"sysstat\": {\n\t\"hosts\": [\n",
		"xentop":                "      NAME  STATE   CPU(sec) CPU(%)     MEM(k) MEM(%)  MAXMEM(k) MAXMEM(%) VCPUS NETS NETTX(k) NETRX(k) VBDS   VBD_OO   VBD_RD   VBD_WR  VBD_RSECT  VBD_WSECT SSID\n",
		"ping":                  "PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.\n64 bytes from 10.0.0.2: icmp_seq=1 ttl=64 time=0.028 ms\n",
		"qmp":                   "{\"return\": {\"status\": \"active\", \"ram\": {\"transferred\": 1}}}\n",
		"uname":                 "Linux host 6.1.0-27-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.115-1 x86_64 GNU/Linux\n",
		"no date":               "Linux 6.1.0 (h)\n",
		"sar late":              "hello\nLinux 6.1.0 (h) \t11/21/26 \t_x86_64_\t(2 CPU)\n",
		"not SGR":               "\x1b[2KLinux 6.1.0 (h) \t11/21/26 \t_x86_64_\t(2 CPU)\n",
		"time and words":        "12:00:00 hello world\n",
		"ts-prefixed xentop":    "23:52:03       NAME  STATE   CPU(sec) CPU(%)     MEM(k) MEM(%)  MAXMEM(k) MAXMEM(%) VCPUS NETS NETTX(k) NETRX(k) VBDS   VBD_OO   VBD_RD   VBD_WR  VBD_RSECT  VBD_WSECT SSID\n",
		"time, unknown columns": "12:00:00 foo/s bar/s\n",
	}
	for name, s := range no {
		if sar.Detect([]byte(s)) {
			t.Errorf("%s: Detect = true", name)
		}
	}
}

// The de_DE capture holds the same samples as the C captures sar_u.txt and
// sar_r.txt (sysstat 12.6.1 printed one sa file under both locales): read
// with its decimal commas, it must give exactly the same rows.
func TestDecimalCommaEqualsC(t *testing.T) {
	read := func(path string) []string {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		res := parsetest.Drain(newParser, b, parse.Options{File: path})
		if res.Err != nil {
			t.Fatal(res.Err)
		}
		var out []string
		for _, r := range res.Rows {
			j, _ := json.Marshal(r)
			out = append(out, r.TableName()+string(j))
		}
		return out
	}
	de := read("testdata/sar_u_r_LC_de_DE/input.txt")
	c := append(read("testdata/sar_u/input.txt"), read("testdata/sar_r/input.txt")...)
	if strings.Join(de, "\n") != strings.Join(c, "\n") {
		t.Fatalf("de_DE rows differ from C rows:\n%s\n---\n%s", strings.Join(de, "\n"), strings.Join(c, "\n"))
	}
}

func TestLocale(t *testing.T) {
	cases := map[string]string{
		"sar_u":               "date=MM/DD/YY clock=24h decimal=.",
		"sar_u_r_LC_de_DE":    "date=DD.MM.YYYY clock=24h decimal=, summary=Durchschn.:",
		"fr_FR_decimal_comma": "date=DD/MM/YYYY clock=24h decimal=, summary=Moyenne :",
		"en_US_12h_midnight":  "date=MM/DD/YYYY clock=12h decimal=.",
		"iso_date":            "date=YYYY-MM-DD clock=24h decimal=.",
		"old_sysstat_columns": "date=MM/DD/YY clock=24h decimal=.",
	}
	for name, want := range cases {
		b, err := os.ReadFile(filepath.Join("testdata", name, "input.txt"))
		if err != nil {
			t.Fatal(err)
		}
		p := sar.NewParser(bytes.NewReader(b), parse.Options{})
		for p.Next() {
		}
		if p.Err() != nil {
			t.Fatal(p.Err())
		}
		if got := p.Locale(); got != want {
			t.Errorf("%s: Locale() = %q, want %q", name, got, want)
		}
	}
}

// The fr_FR case's banner 05/11/2026 is day-first (24-hour clock): the rows
// are on 5 November, not 11 May.
func TestAmbiguousSlashDate(t *testing.T) {
	b, _ := os.ReadFile("testdata/fr_FR_decimal_comma/input.txt")
	res := parsetest.Drain(newParser, b, parse.Options{})
	if res.Err != nil || len(res.Rows) == 0 {
		t.Fatal(res.Err)
	}
	j, _ := json.Marshal(res.Rows[0])
	if !strings.Contains(string(j), `"Time":"2026-11-05T23:52:03Z"`) {
		t.Fatalf("first row %s", j)
	}
	// The same date on a 12-hour clock is en_US's month-first.
	us := strings.Replace(string(b), "23:52:02        CPU", "11:52:02 PM     CPU", 1)
	us = strings.ReplaceAll(us, "23:52:0", "11:52:0")
	us = strings.ReplaceAll(us, "11:52:03 ", "11:52:03 PM ")
	us = strings.ReplaceAll(us, "11:52:04 ", "11:52:04 PM ")
	res = parsetest.Drain(newParser, []byte(us), parse.Options{})
	if res.Err != nil || len(res.Rows) == 0 {
		t.Fatal(res.Err, us)
	}
	j, _ = json.Marshal(res.Rows[0])
	if !strings.Contains(string(j), `"Time":"2026-05-11T23:52:03Z"`) {
		t.Fatalf("first row %s", j)
	}
}

// A 1 MB line in the middle of a report is one syntax error at its line
// (strict) or one reject (lenient); the rows after it still read.
func TestLongLine(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("Linux 6.1.0 (h) \t11/21/26 \t_x86_64_\t(2 CPU)\n\n")
	b.WriteString("23:52:02 CPU %user %nice %system %iowait %steal %idle\n")
	b.WriteString("23:52:03 all " + strings.Repeat("1.00 ", 200_000) + "\n")
	b.WriteString("23:52:04 all 1.00 0.00 3.00 0.00 0.00 96.00\n")
	res := parsetest.Drain(newParser, b.Bytes(), parse.Options{File: "long"})
	var pe *parse.ParseError
	if !errors.As(res.Err, &pe) || pe.Line != 4 || !errors.Is(pe, parse.ErrSyntax) {
		t.Fatalf("strict: %v", res.Err)
	}
	if len(pe.Raw) > parse.MaxRawReject {
		t.Fatalf("raw text of %d bytes", len(pe.Raw))
	}
	res = parsetest.Drain(newParser, b.Bytes(), parse.Options{File: "long", Lenient: true})
	if res.Err != nil || res.Stats.Reject != 1 || len(res.Rows) != 1 {
		t.Fatalf("lenient: %v %+v", res.Err, res.Stats)
	}
	parsetest.CheckBalanced(t, res.Stats)
}

// A report printed with S_COLORS=always reads exactly as the same report
// without its colour sequences (ESC [ params m): same rows, same line
// accounting.
func TestColoursReadAsPlain(t *testing.T) {
	sgr := regexp.MustCompile("\x1b\\[[0-9;:]*m")
	for _, name := range []string{"colours_always"} {
		b, err := os.ReadFile(filepath.Join("testdata", name, "input.txt"))
		if err != nil {
			t.Fatal(err)
		}
		plain := sgr.ReplaceAll(b, nil)
		if bytes.Equal(plain, b) || bytes.IndexByte(plain, 0x1b) >= 0 {
			t.Fatalf("%s: want a file with colour sequences only", name)
		}
		got := parsetest.Drain(newParser, b, parse.Options{})
		want := parsetest.Drain(newParser, plain, parse.Options{})
		if got.Err != nil || want.Err != nil {
			t.Fatal(got.Err, want.Err)
		}
		if g, w := got.Lines(), want.Lines(); !bytes.Equal(g, w) || len(got.Rows) == 0 {
			t.Fatalf("%s: coloured\n%s\nplain\n%s", name, g, w)
		}
	}
}

// Decimal.Float, with either mark, agrees bit for bit with
// strconv.ParseFloat on the forms sysstat prints.
func TestDecimalMatchesStrconv(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 200_000; i++ {
		var s string
		switch i % 4 {
		case 0:
			s = strconv.FormatFloat(rng.Float64()*1e6, 'f', 2, 64)
		case 1:
			s = strconv.FormatFloat(rng.NormFloat64()*1e3, 'f', rng.IntN(8), 64)
		case 2:
			s = strconv.FormatUint(rng.Uint64()>>rng.IntN(64), 10)
		default:
			s = strconv.FormatFloat(rng.Float64(), 'f', rng.IntN(20), 64)
		}
		want, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatal(err)
		}
		var d sar.Decimal
		got, err := d.Float([]byte(s))
		if err != nil || math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("%q: got %v (%v), want %v", s, got, err, want)
		}
		var dc sar.Decimal
		got, err = dc.Float([]byte(strings.Replace(s, ".", ",", 1)))
		if err != nil || math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("%q with a comma: got %v (%v), want %v", s, got, err, want)
		}
	}
}

// What sysstat never prints is not a number: NaN, infinities, hexadecimal
// floats, digit underscores (strconv.ParseFloat takes them all); an
// exponent is read (sadf -j's numbers are JSON's). A mark other than the
// file's is ErrLocale.
func TestDecimalForms(t *testing.T) {
	for _, s := range []string{"nan", "NaN", "inf", "-Inf", "0x1p3", "1_000", "1.5.3", "", "-", "1,5,3"} {
		var d sar.Decimal
		if v, err := d.Float([]byte(s)); !errors.Is(err, parse.ErrSyntax) {
			t.Errorf("%q: %v %v, want a syntax error", s, v, err)
		}
	}
	var d sar.Decimal
	if v, err := d.Float([]byte("2.5e3")); err != nil || v != 2500 || d.Mark != '.' {
		t.Errorf("2.5e3: %v %v, mark %q", v, err, d.Mark)
	}
	if _, err := d.Float([]byte("2,5")); !errors.Is(err, parse.ErrLocale) {
		t.Errorf("2,5 after 2.5e3: %v, want ErrLocale", err)
	}
	for _, c := range []struct {
		in   string
		want float64
	}{{"-0", 0}, {"+12", 12}, {"-9007199254740992", -1 << 53}, {"00000000000000000012", 12}} {
		if v, err := d.Int([]byte(c.in)); err != nil || v != c.want || math.Signbit(v) != (c.want < 0) {
			t.Errorf("Int(%q) = %v %v", c.in, v, err)
		}
	}
	// 2^53+1: a float64 cannot hold it (it was stored as 2^53)
	for _, s := range []string{"", "-", "1.0", "9007199254740993", "9999999999999999", "1_0"} {
		if _, err := d.Int([]byte(s)); !errors.Is(err, parse.ErrSyntax) {
			t.Errorf("Int(%q): %v, want a syntax error", s, err)
		}
	}
}

// FuzzParser: never panics, every line is a row, a reject or structure, on
// the input as given, cut short at any byte, and coloured: the same text
// with SGR sequences around every token (as S_COLORS=always prints) reads
// into the same rows with the same line accounting.
func FuzzParser(f *testing.F) {
	files, _ := filepath.Glob("testdata/*/input.txt")
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		for _, v := range parsetest.Variants(b) { // cut short, not UTF-8, coloured
			f.Add(v, uint16(len(v)/2))
		}
	}
	banner := "Linux 6.1.0 (h) \t11/21/26 \t_x86_64_\t(2 CPU)\n\n"
	for _, s := range []string{
		banner + "10:00:00 CPU %user %nice %system %iowait %steal %idle\n10:00:10 \x1b[32;22mall\x1b[0m\x1b[34;1m 1.00\x1b[0m 0.00 2.00 0.00 0.00 97.00\n",
		banner + "10:00:00 CPU %user %nice %system %iowait %steal %idle\n10:00:10 all 1.00 0.00 2.00 0.00 0.00 97.0\x1b[34;",
		banner + "10:00:00 CPU %user\n10:00:10 \x1b[",
		banner + "10:00:00        BUS  idvendor    idprod  maxpower manufact                product\n10:00:10          1      1d6b         2         0 Linux Foundation        2.0 root hub\n",
		banner + "10:00:00 BAT %cap cap/min status\n10:00:10 0 100 +0 \u2191\n10:00:10 1 9",
		banner + "10:00:00 kbmemfree kbavail %memused\n10:00:10 1.4G 4.2G 46.1%\n10:00:20 1.4G 4.",
		banner + "/dev/sda6\n\x1b[0m",
	} {
		f.Add([]byte(s), uint16(len(s)-3))
	}
	f.Fuzz(func(t *testing.T, data []byte, cut uint16) {
		parsetest.Fuzz(t, newParser, data)
		if n := int(cut) % (len(data) + 1); n < len(data) {
			parsetest.Fuzz(t, newParser, data[:n])
		}
		if bytes.IndexByte(data, 0x1b) >= 0 || len(data) > 1<<16 {
			return
		}
		opt := parse.Options{File: "fuzz", Lenient: true}
		plain := parsetest.Drain(newParser, data, opt)
		col := parsetest.Drain(newParser, colour(data), opt)
		if plain.Err != nil || col.Err != nil {
			return // a read error (the parsers' own, checked above)
		}
		pr, cr := plain, col
		pr.Rejects, cr.Rejects = nil, nil // their columns count the escape codes
		if !bytes.Equal(pr.Lines(), cr.Lines()) {
			t.Fatalf("coloured input reads otherwise:\nplain\n%s\ncoloured\n%s", pr.Lines(), cr.Lines())
		}
	})
}

// colour wraps every token of b (a run of bytes other than blank, tab, CR
// and LF) in SGR sequences, as sar prints with S_COLORS=always.
func colour(b []byte) []byte {
	var out []byte
	sep := func(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }
	for i := 0; i < len(b); {
		if sep(b[i]) {
			out = append(out, b[i])
			i++
			continue
		}
		j := i
		for j < len(b) && !sep(b[j]) {
			j++
		}
		out = append(out, "\x1b[34;1m"...)
		out = append(out, b[i:j]...)
		out = append(out, "\x1b[0m"...)
		i = j
	}
	return out
}
