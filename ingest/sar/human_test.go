package sar_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
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

// corpusDir holds sysstat's test outputs (../shared/corpus, see its
// SOURCES.md); tests that read it skip when it is absent.
const corpusDir = "../../../shared/corpus/sysstat"

func readCorpus(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(corpusDir, name))
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI must have ../shared/corpus beside the clone: %v", err)
		}
		t.Skip("no corpus at " + corpusDir)
	}
	return b
}

// Decimal.Human on values printed by sar -A -h in sysstat's
// expected.sar-human; the plain sar -A of the same sa file,
// expected2.sar-all, prints the same values on the same lines (first -r row:
// kbmemfree 1437740, kbbuffers 260172, kbdirty 396; first -n DEV rows:
// rxkB/s 8891.46 and 0.03; first -F row of /dev/sda9: MBfsfree 705, of
// /dev/sda7: 2496; first CPU row %idle 82.88; first battery %cap 100).
// Each want is the printed number times 1024 per step from the column's
// unit (kB or MB) to the suffix's, and lies within sar's rounding (half of
// the last printed digit) of the plain value.
func TestHumanValues(t *testing.T) {
	cases := []struct {
		in    string
		unit  sar.Unit
		isInt bool
		want  float64
		plain float64
	}{
		{"1.4G", sar.UnitKB, true, 1468006, 1437740},            // 1.4·1024² = 1468006.4
		{"254.1M", sar.UnitKB, true, 260198, 260172},            // 254.1·1024 = 260198.4
		{"254.1M", sar.UnitKB, false, 260198.4, 260172},         // a float column keeps the fraction
		{"396.0k", sar.UnitKB, true, 396, 396},                  // k in a kB column: itself
		{"8.7M", sar.UnitKB, false, 8908.8, 8891.46},            // rxkB/s
		{"25.7B", sar.UnitKB, false, 25.7 / 1024, 0.03},         // rxkB/s below 1 kB prints bytes
		{"705.2M", sar.UnitMB, false, 705.2, 705},               // MBfsfree
		{"2.4G", sar.UnitMB, false, 2457.6, 2496},               // 2.4·1024
		{"82.9%", sar.UnitPct, false, 82.9, 82.88},              // %idle
		{"100%", sar.UnitPct, false, 100, 100},                  // %cap
		{"-1.5k", sar.UnitKB, false, -1.5, -1.5},                // a sign reads
		{"1,5M", sar.UnitKB, false, 1536, 1536},                 // a decimal comma (de_DE) too
		{"1.0T", sar.UnitKB, true, 1024 * 1024 * 1024, 1 << 30}, // T: 1024³ kB
	}
	for _, c := range cases {
		var d sar.Decimal
		got, err := d.Human([]byte(c.in), c.unit, c.isInt)
		if err != nil || got != c.want {
			t.Errorf("Human(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
		// sar printed one decimal: the plain value is within half a step of
		// the printed unit (plus the plain report's own rounding).
		num, _ := strconv.ParseFloat(strings.Replace(c.in[:len(c.in)-1], ",", ".", 1), 64)
		step := 0.05 * math.Abs(got/num)
		if num == 0 {
			step = 0.05
		}
		round := 0.005 // the plain report prints two decimals ...
		if c.plain == math.Trunc(c.plain) {
			round = 0.5 // ... or an integer
		}
		if math.Abs(got-c.plain) > step+round {
			t.Errorf("Human(%q) = %v, more than sar's rounding from the plain %v", c.in, got, c.plain)
		}
	}
	bad := []struct {
		in   string
		unit sar.Unit
	}{
		{"1.4G", sar.UnitNone}, // tps, rxpck/s, ...: no size suffix
		{"1.4G", sar.UnitPct},
		{"82.9%", sar.UnitKB}, // a % sign on a size
		{"82.9%", sar.UnitNone},
		{"1.4X", sar.UnitKB},
		{"G", sar.UnitKB},
		{"1.2.3k", sar.UnitKB},
	}
	for _, c := range bad {
		var d sar.Decimal
		if v, err := d.Human([]byte(c.in), c.unit, false); err == nil || !errors.Is(err, parse.ErrSyntax) {
			t.Errorf("Human(%q, unit %d) = %v, %v; want a syntax error", c.in, c.unit, v, err)
		}
	}
}

// humanCorpus pairs sysstat's sar -h outputs with a plain output of the same
// sa file printed line for line alike (same line count, same blocks).
var humanCorpus = []struct{ human, plain string }{
	{"expected.sar-human", "expected2.sar-all"}, // sar -A -h and sar -A
}

// Every unit-suffixed value of expected.sar-human, converted by the rule
// Human documents (powers of 1024 from the column's kB or MB to the
// suffix's unit; % as is), lies within sar's rounding of the value the
// plain report prints on the same line and column. The column's unit is
// taken from its header name here (kb..., ...kB..., areq-sz: kB; MB...:
// MB; %...: percent), independently of the parser.
func TestHumanUnitsMatchPlain(t *testing.T) {
	for _, pair := range humanCorpus {
		h := strings.Split(string(readCorpus(t, pair.human)), "\n")
		p := strings.Split(string(readCorpus(t, pair.plain)), "\n")
		if len(h) != len(p) {
			t.Fatalf("%s has %d lines, %s %d", pair.human, len(h), pair.plain, len(p))
		}
		var hdr []string
		checked := map[string]int{}
		for i := range h {
			hf, pf := strings.Fields(h[i]), strings.Fields(p[i])
			if len(pf) == 0 {
				hdr = nil
				continue
			}
			if len(pf) > 1 && isTime(pf[0]) && isHeaderLine(pf[1:]) {
				hdr = pf[1:]
				continue
			}
			if hdr == nil || len(hf) != len(pf) || len(pf)-1 != len(hdr) {
				continue
			}
			for k, ht := range hf[1:] {
				pt := pf[k+1]
				if ht == pt {
					continue
				}
				suf := ht[len(ht)-1]
				x, err1 := strconv.ParseFloat(ht[:len(ht)-1], 64)
				v, err2 := strconv.ParseFloat(pt, 64)
				if err1 != nil || err2 != nil {
					continue // a label (a --pretty device name)
				}
				name := hdr[k]
				base := 0
				switch {
				case strings.HasPrefix(name, "%"):
					if suf != '%' {
						t.Errorf("%s:%d: %s %q in a percentage column", pair.human, i+1, name, ht)
					}
				case strings.HasPrefix(name, "kb") || strings.Contains(name, "kB") || name == "areq-sz":
					base = 1
				case strings.HasPrefix(name, "MB"):
					base = 2
				default:
					t.Errorf("%s:%d: column %s holds %q, plain %q", pair.human, i+1, name, ht, pt)
					continue
				}
				scale := 1.0
				if suf != '%' {
					exp := strings.IndexByte("BkMGTP", suf)
					if exp < 0 || base == 0 {
						t.Errorf("%s:%d: %s %q: unexpected suffix", pair.human, i+1, name, ht)
						continue
					}
					scale = math.Pow(1024, float64(exp-base))
				}
				plainRound := 0.5
				if strings.Contains(pt, ".") {
					plainRound = 0.005
				}
				if got := x * scale; math.Abs(got-v) > 0.05*scale+plainRound+1e-9 {
					t.Errorf("%s:%d: %s %q is %v, plain %s", pair.human, i+1, name, ht, got, pt)
				}
				checked[string(suf)]++
			}
		}
		// Every kind of suffix is met (this file holds each of them).
		for _, s := range []string{"%", "B", "k", "M", "G"} {
			if checked[s] == 0 {
				t.Errorf("%s: no value with suffix %s checked (%v)", pair.human, s, checked)
			}
		}
		t.Logf("%s: suffixed values checked: %v", pair.human, checked)
	}
}

var suffixed = regexp.MustCompile(`[0-9][%BkMGTP](\s|$)`)

func isTime(s string) bool { return len(s) == 8 && s[2] == ':' && s[5] == ':' }

func isHeaderLine(f []string) bool {
	for _, s := range f {
		if _, err := strconv.ParseFloat(strings.TrimRight(s, "%BkMGTP"), 64); err == nil {
			return false
		}
	}
	return f[0] != "LINUX" && f[0] != "COM"
}

// The parser reads expected.sar-human into exactly the rows it reads from
// the same text with every suffixed value replaced by the number it means
// (TestHumanUnitsMatchPlain's rule; rounded where the column is an integer
// one), and into as many rows of each table, at the same times, as from
// the plain expected2.sar-all.
func TestHumanReadsAsNumbers(t *testing.T) {
	for _, pair := range humanCorpus {
		hb := readCorpus(t, pair.human)
		var numeric bytes.Buffer
		var hdr []string
		replaced := 0
		var block *sar.Block
		for _, line := range strings.SplitAfter(string(hb), "\n") {
			f := strings.Fields(line)
			if len(f) > 1 && isTime(f[0]) && isHeaderLine(f[1:]) {
				hdr = f[1:]
				block = sar.Resolve(hdr)
			}
			if len(f) == 0 || block == nil || len(f)-1 > len(hdr) || !(isTime(f[0]) || strings.HasSuffix(f[0], ":")) {
				numeric.WriteString(line)
				continue
			}
			out := line
			for k, tok := range f[1:] {
				suf := tok[len(tok)-1]
				x, err := strconv.ParseFloat(tok[:len(tok)-1], 64)
				if err != nil || strings.IndexByte("%BkMGTP", suf) < 0 {
					continue
				}
				v := x
				if suf != '%' {
					base := 1
					if strings.HasPrefix(hdr[k], "MB") {
						base = 2
					}
					v = x * math.Pow(1024, float64(strings.IndexByte("BkMGTP", suf)-base))
				}
				if block.Cols[k].Int {
					v = math.Round(v)
				}
				out = strings.Replace(out, " "+tok, " "+strconv.FormatFloat(v, 'f', -1, 64), 1)
				replaced++
			}
			numeric.WriteString(out)
		}
		if left := suffixed.FindAll(numeric.Bytes(), 3); replaced < 1000 || len(left) > 0 {
			t.Fatalf("%s: %d values replaced, %q left: the numeric copy is not one", pair.human, replaced, left)
		}
		got := parsetest.Drain(newParser, hb, parse.Options{File: pair.human})
		want := parsetest.Drain(newParser, numeric.Bytes(), parse.Options{File: pair.human})
		if got.Err != nil || want.Err != nil {
			t.Fatal(got.Err, want.Err)
		}
		if g, w := got.Lines(), want.Lines(); !bytes.Equal(g, w) {
			t.Errorf("%s reads other rows than its numbers:\n%s", pair.human, firstDiff(g, w))
		}
		plain := parsetest.Drain(newParser, readCorpus(t, pair.plain), parse.Options{File: pair.plain})
		if plain.Err != nil {
			t.Fatal(plain.Err)
		}
		if g, w := shape(got), shape(plain); !bytes.Equal(g, w) || len(g) == 0 {
			t.Errorf("%s: rows differ in table or time from %s:\n%s", pair.human, pair.plain, firstDiff(g, w))
		}
	}
}

// shape lists each row's table and time.
func shape(r parsetest.Result) []byte {
	var b bytes.Buffer
	for _, row := range r.Rows {
		j, _ := json.Marshal(row)
		var v struct{ Time string }
		_ = json.Unmarshal(j, &v)
		b.WriteString(row.TableName() + " " + v.Time + "\n")
	}
	return b.Bytes()
}

func firstDiff(a, b []byte) string {
	al, bl := bytes.Split(a, []byte("\n")), bytes.Split(b, []byte("\n"))
	for i := 0; i < len(al) && i < len(bl); i++ {
		if !bytes.Equal(al[i], bl[i]) {
			return "got  " + string(al[i]) + "\nwant " + string(bl[i])
		}
	}
	return "lengths differ"
}
