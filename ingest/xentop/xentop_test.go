package xentop_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/migreplay/migreplay/ingest/parse"
	"github.com/migreplay/migreplay/ingest/parse/parsetest"
	"github.com/migreplay/migreplay/ingest/xentop"
	"github.com/migreplay/migreplay/schema"
)

func newParser(r io.Reader, o parse.Options) parse.Parser { return xentop.NewParser(r, o) }

// TestGolden runs every testdata/<case>/input.txt. The inputs are migreplay's
// own, written from xentop.c's printf formats (see testdata/README.md); the
// want files were produced with -update and checked line by line against
// the inputs by hand.
func TestGolden(t *testing.T) { parsetest.Golden(t, newParser) }

// drain parses input and returns the rows by table.
func drain(t *testing.T, input []byte, opt parse.Options) (parsetest.Result, map[string][]schema.Row) {
	t.Helper()
	var res parsetest.Result
	p := xentop.NewParser(bytes.NewReader(input), opt)
	by := map[string][]schema.Row{}
	for p.Next() {
		r := p.Record()
		switch v := r.(type) {
		case *schema.XentopDomain:
			c := *v
			by[r.TableName()] = append(by[r.TableName()], &c)
		case *schema.XentopVCPU:
			c := *v
			by[r.TableName()] = append(by[r.TableName()], &c)
		case *schema.XentopNet:
			c := *v
			by[r.TableName()] = append(by[r.TableName()], &c)
		case *schema.XentopVBD:
			c := *v
			by[r.TableName()] = append(by[r.TableName()], &c)
		default:
			t.Fatalf("unexpected row %T", r)
		}
	}
	res.Err, res.Stats = p.Err(), p.Stats()
	return res, by
}

// The third party's capture (XCP-ng 8.3 / Xen 4.17, `xentop -b -v -x`, one
// frame) ingests strictly with --start/--interval. Expected counts were
// taken from the file by hand: 33 lines = 1 header + 9 domain rows + 9
// VCPUs lines + 2 continuation lines (Domain-0 has 12 vCPUs: 0–4, 5–9,
// 10–11) + 12 VBD lines; vCPU entries 4+12+2+2+4+2+2+4+2 = 34.
func TestThirdPartySample(t *testing.T) {
	path := filepath.Join("..", "..", "..", "shared", "samples", "xentop", "host-nxv.out")
	input, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("sample not available: %v", err)
	}
	if !xentop.Detect(input) {
		t.Error("Detect rejects the sample")
	}
	start := time.Date(2026, 11, 21, 23, 52, 3, 0, time.UTC)
	res, by := drain(t, input, parse.Options{File: path, Host: "nxv", Start: start, Interval: 3 * time.Second})
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	want := parse.Stats{Lines: 33, Data: 32, Structure: 1, Records: 9 + 34 + 12}
	if res.Stats != want {
		t.Errorf("stats %+v, want %+v", res.Stats, want)
	}
	if n := len(by["xentop_domain"]); n != 9 {
		t.Errorf("%d domain rows, want 9", n)
	}
	if n := len(by["xentop_vcpu"]); n != 34 {
		t.Errorf("%d vcpu rows, want 34", n)
	}
	if n := len(by["xentop_vbd"]); n != 12 {
		t.Errorf("%d vbd rows, want 12", n)
	}
	names := map[string]bool{}
	for _, r := range by["xentop_domain"] {
		d := r.(*schema.XentopDomain)
		names[d.Name] = true
		if d.Frame != 0 || !d.Time.Equal(start) || d.Host != "nxv" {
			t.Errorf("%s: frame %d time %v host %q", d.Name, d.Frame, d.Time, d.Host)
		}
	}
	// Names with a space (cut to 10 characters, as printed without -f).
	for _, n := range []string{"r-vm-06 pr", "s-vm 007", "Domain-0", "h-vm-03-sa"} {
		if !names[n] {
			t.Errorf("domain %q missing; got %v", n, names)
		}
	}
}

func TestDetect(t *testing.T) {
	dirs, _ := filepath.Glob("testdata/*/input.txt")
	for _, in := range dirs {
		b, err := os.ReadFile(in)
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Base(filepath.Dir(in))
		want := name != "empty"
		if len(b) > 64<<10 {
			b = b[:64<<10]
		}
		if got := xentop.Detect(b); got != want {
			t.Errorf("%s: Detect = %v, want %v", name, got, want)
		}
	}
	// A header cut mid-line at the end of the 64 KiB head is not enough.
	if xentop.Detect([]byte("      NAME  STATE   CPU")) {
		t.Error("Detect accepts a header cut before CPU(sec)")
	}
	// Other formats, as their tools print them (see ../shared/TRACES.md).
	others := map[string]string{
		"sar": "Linux 6.1.0-27-amd64 (vm) \t11/21/26 \t_x86_64_\t(2 CPU)\n\n" +
			"23:52:03        CPU     %user     %nice   %system   %iowait    %steal     %idle\n" +
			"23:52:04        all      0.50      0.00      0.50      0.00      0.00     99.00\n",
		"sadf -d": "# hostname;interval;timestamp;CPU;%user;%nice;%system;%iowait;%steal;%idle\n" +
			"vm;1;2026-11-21 23:52:03 UTC;-1;0.50;0.00;0.50;0.00;0.00;99.00\n",
		"sadf -j": `{"sysstat": {"hosts": [{"nodename": "vm", "statistics": [{"timestamp": {"date": "2026-11-21", "time": "23:52:03", "utc": 1, "interval": 1}, "cpu-load": []}]}]}}` + "\n",
		"ping": "PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.\n" +
			"[1795305201.448244] 64 bytes from 10.0.0.2: icmp_seq=1 ttl=64 time=0.028 ms\n",
		"qmp":                  `[{"status": "active", "total-time": 120, "ram": {"transferred": 1024}}]` + "\n",
		"header words in JSON": `{"cols": "NAME STATE CPU(sec) CPU(%)"}` + "\n",
	}
	for name, s := range others {
		if xentop.Detect([]byte(s)) {
			t.Errorf("Detect claims %s input", name)
		}
	}
	// Real sar and ping captures, when the shared samples are present.
	for _, dir := range []string{"sar", "ping"} {
		files, _ := filepath.Glob(filepath.Join("..", "..", "..", "shared", "samples", dir, "*"))
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				continue
			}
			if len(b) > 64<<10 {
				b = b[:64<<10]
			}
			if xentop.Detect(b) {
				t.Errorf("Detect claims %s", f)
			}
		}
	}
}

// Frame and time rules on golden inputs, checked against the inputs by hand.
func TestFrames(t *testing.T) {
	read := func(c string) ([]byte, parse.Options) {
		b, err := os.ReadFile(filepath.Join("testdata", c, "input.txt"))
		if err != nil {
			t.Fatal(err)
		}
		return b, parsetest.Options(t, filepath.Join("testdata", c))
	}
	frames := func(rows []schema.Row) (out []string) {
		for _, r := range rows {
			d := r.(*schema.XentopDomain)
			out = append(out, d.Time.Format("15:04:05.000000")+" "+string(rune('0'+d.Frame))+" "+d.Name)
		}
		return out
	}
	cases := []struct {
		name string
		want []string
	}{
		// -r with ISO stamps: frame 1 adds k3-new; frame 2 starts with a-new,
		// which sorts before k3-new (sort rule), and drops k2 and k3-new.
		{"repeat_r_iso_z", []string{
			"23:53:21.000000 0 Domain-0", "23:53:21.000000 0 k1", "23:53:21.000000 0 k2",
			"23:53:24.000000 1 Domain-0", "23:53:24.000000 1 k1", "23:53:24.000000 1 k2", "23:53:24.000000 1 k3-new",
			"23:53:27.000000 2 a-new", "23:53:27.000000 2 Domain-0", "23:53:27.000000 2 k1"}},
		// -r -z: Domain-0 first in each frame; --start 00:00:00, --interval 2 s.
		{"repeat_r_dom0first", []string{
			"00:00:00.000000 0 Domain-0", "00:00:00.000000 0 m1", "00:00:00.000000 0 z9",
			"00:00:02.000000 1 Domain-0", "00:00:02.000000 1 m1", "00:00:02.000000 1 z9"}},
		// ts '%.s': a frame's time is its header's stamp: line 1
		// 1795305201.250017 = 23:53:21.250017 UTC, line 19 1795305204.250322.
		{"xen417_vx_epochfrac", []string{
			"23:53:21.250017 0 alpha-01", "23:53:21.250017 0 Domain-0", "23:53:21.250017 0 gamma",
			"23:53:21.250017 0 vm9--incom", "23:53:21.250017 0 vm9--migra",
			"23:53:24.250322 1 alpha-01", "23:53:24.250322 1 Domain-0", "23:53:24.250322 1 gamma",
			"23:53:24.250322 1 vm9--incom", "23:53:24.250322 1 vm9--migra"}},
		// ts default stamps in Europe/Berlin (UTC+1 in November): 23:53:21 local.
		{"nulls_ts_default", []string{"22:53:21.000000 0 Domain-0", "22:53:21.000000 0 broken-vbd", "22:53:21.000000 0 sparse"}},
		// ts '%F %T' in America/New_York (UTC-5 in November): 23:53:21 local.
		{"iso_space_localtz", []string{"04:53:21.000000 0 Domain-0", "04:53:21.000000 0 k1",
			"04:53:23.000000 1 Domain-0", "04:53:23.000000 1 k1"}},
	}
	for _, c := range cases {
		in, opt := read(c.name)
		res, by := drain(t, in, opt)
		if res.Err != nil {
			t.Fatalf("%s: %v", c.name, res.Err)
		}
		if got := frames(by["xentop_domain"]); strings.Join(got, "\n") != strings.Join(c.want, "\n") {
			t.Errorf("%s:\ngot  %q\nwant %q", c.name, got, c.want)
		}
	}
	// ts default across New Year: Dec 31 23:59:58 in --year 2026, then Jan 01.
	in, opt := read("ts_default_new_year")
	_, by := drain(t, in, opt)
	var years []int
	for _, r := range by["xentop_domain"] {
		years = append(years, r.(*schema.XentopDomain).Time.Year())
	}
	if len(years) != 2 || years[0] != 2026 || years[1] != 2027 {
		t.Errorf("new year: years %v, want [2026 2027]", years)
	}
}

func TestMigrationRoles(t *testing.T) {
	for _, c := range []struct{ dir, name, base, role string }{
		{"fullname_f_epoch", "billing-api--incoming", "billing-api", "incoming"},
		{"fullname_f_epoch", "billing-api--migratedaway", "billing-api", "migratedaway"},
		{"fullname_f_epoch", "win 10 (test)", "win 10 (test)", "none"},
		// Without -f the suffixes are cut to 10 characters.
		{"xen417_vx_epochfrac", "vm9--incom", "vm9", "incoming"},
		{"xen417_vx_epochfrac", "vm9--migra", "vm9", "migratedaway"},
	} {
		in, _ := os.ReadFile(filepath.Join("testdata", c.dir, "input.txt"))
		_, by := drain(t, in, parsetest.Options(t, filepath.Join("testdata", c.dir)))
		found := false
		for _, r := range by["xentop_domain"] {
			d := r.(*schema.XentopDomain)
			if d.Name == c.name {
				found = true
				if d.Domain != c.base || d.Role != c.role {
					t.Errorf("%s: domain %q role %q, want %q %q", c.name, d.Domain, d.Role, c.base, c.role)
				}
			}
		}
		if !found {
			t.Errorf("%s: no row named %q", c.dir, c.name)
		}
	}
}

// A 1 MB line of text between two frames: strict stops there, lenient
// rejects it and keeps both frames.
func TestMegabyteLine(t *testing.T) {
	frame := "      NAME  STATE   CPU(sec) CPU(%)     MEM(k) MEM(%)  MAXMEM(k) MAXMEM(%) VCPUS NETS NETTX(k) NETRX(k) VBDS   VBD_OO   VBD_RD   VBD_WR  VBD_RSECT  VBD_WSECT SSID\n" +
		"  Domain-0 -----r         10    0.0    2097152    1.6   no limit       n/a     2    0        0        0    0        0        0        0          0          0    0\n"
	input := frame + strings.Repeat("x", 1<<20) + "\n" + frame
	opt := parse.Options{File: "big.txt", Start: time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC), Interval: time.Second}
	res := parsetest.Drain(newParser, []byte(input), opt)
	var pe *parse.ParseError
	if !errors.As(res.Err, &pe) || pe.Line != 3 || !errors.Is(pe, parse.ErrSyntax) || len(pe.Raw) != parse.MaxRawReject {
		t.Fatalf("strict: %v", res.Err)
	}
	opt.Lenient = true
	res = parsetest.Drain(newParser, []byte(input), opt)
	want := parse.Stats{Lines: 5, Data: 2, Reject: 1, Structure: 2, Records: 2}
	if res.Err != nil || res.Stats != want {
		t.Fatalf("lenient: err %v stats %+v, want %+v", res.Err, res.Stats, want)
	}
	// A domain whose -f name is 1 MB long is still a domain.
	long := strings.Repeat("n", 1<<20)
	input = frame[:strings.Index(frame, "\n")+1] + long + " --b---         10    0.0    2097152    1.6   no limit       n/a     2    0        0        0    0        0        0        0          0          0    0\n"
	res = parsetest.Drain(newParser, []byte(input), opt)
	if res.Err != nil || res.Stats.Records != 1 || len(res.Rejects) != 0 {
		t.Fatalf("long name: err %v stats %+v rejects %v", res.Err, res.Stats, res.Rejects)
	}
}

// The strict error names file:line:col and unwraps to the sentinel.
func TestStrictError(t *testing.T) {
	in, _ := os.ReadFile("testdata/missing_time/input.txt")
	res := parsetest.Drain(newParser, in, parse.Options{File: "m.txt"})
	var pe *parse.ParseError
	if !errors.As(res.Err, &pe) || pe.File != "m.txt" || pe.Line != 1 || pe.Format != xentop.Format || !errors.Is(res.Err, parse.ErrNoTime) {
		t.Fatalf("got %v", res.Err)
	}
	if !strings.Contains(res.Err.Error(), "m.txt:1: ") || !strings.Contains(res.Err.Error(), "--start and --interval") {
		t.Errorf("message %q", res.Err.Error())
	}
	in, _ = os.ReadFile("testdata/ts_default_noyear/input.txt")
	res = parsetest.Drain(newParser, in, parse.Options{File: "y.txt"})
	if !errors.Is(res.Err, parse.ErrNoTime) || !strings.Contains(res.Err.Error(), "--year") {
		t.Errorf("no year: %v", res.Err)
	}
}

func TestPartition(t *testing.T) {
	in, _ := os.ReadFile("testdata/net_n_iso_offset/input.txt")
	_, by := drain(t, in, parse.Options{Host: "h1"})
	if len(by) != 3 {
		t.Fatalf("tables %v", len(by))
	}
	for table, rows := range by {
		for _, r := range rows {
			p, ok := r.(schema.Partitioner)
			if !ok {
				t.Fatalf("%s rows are not Partitioners", table)
			}
			h, tm := p.Partition()
			// 2026-11-22T00:53:21.250017+01:00 is 23:53:21.250017 UTC.
			if h != "h1" || tm.Hour() != 23 || tm.Location() != time.UTC {
				t.Errorf("%s: partition %q %v", table, h, tm)
			}
		}
	}
}

// Record's struct is reused, but the pointers it holds are not.
func TestPointersNotReused(t *testing.T) {
	in, _ := os.ReadFile("testdata/xen417_vx_epochfrac/input.txt")
	p := xentop.NewParser(bytes.NewReader(in), parse.Options{})
	var kept []*uint64
	var vals []uint64
	for p.Next() {
		if d, ok := p.Record().(*schema.XentopDomain); ok && d.VBDRd != nil {
			kept = append(kept, d.VBDRd)
			vals = append(vals, *d.VBDRd)
		}
	}
	for i := range kept {
		if *kept[i] != vals[i] {
			t.Fatalf("pointer %d changed from %d to %d", i, vals[i], *kept[i])
		}
	}
	if len(kept) != 10 {
		t.Fatalf("%d rows", len(kept))
	}
}

// The generator's output parses strictly with no rejects and balanced lines.
func TestGenerate(t *testing.T) {
	var a, b bytes.Buffer
	if err := xentop.Generate(&a, 2<<20, 7); err != nil {
		t.Fatal(err)
	}
	if err := xentop.Generate(&b, 2<<20, 7); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("same seed, different bytes")
	}
	if a.Len() < 2<<20 {
		t.Fatalf("%d bytes", a.Len())
	}
	res, by := drain(t, a.Bytes(), parse.Options{Host: "gen"})
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	parsetest.CheckBalanced(t, res.Stats)
	roles := map[string]int{}
	var last *schema.XentopDomain
	for _, r := range by["xentop_domain"] {
		d := r.(*schema.XentopDomain)
		roles[d.Role]++
		last = d
	}
	if roles["incoming"] == 0 || roles["migratedaway"] == 0 || roles["none"] == 0 {
		t.Errorf("roles %v", roles)
	}
	// Frames are 3 s apart from 1795305201 (the generator's clock): the
	// last frame's time is within 1 s of 1795305201 + 3·frame.
	if d := last.Time.Unix() - (1795305201 + 3*last.Frame); d < 0 || d > 1 {
		t.Errorf("last frame %d at %v", last.Frame, last.Time)
	}
	if len(by["xentop_vcpu"]) == 0 || len(by["xentop_vbd"]) == 0 {
		t.Error("no sub-line rows")
	}
}

// FuzzParser: never panics, lenient never stops on a bad line, every line
// is accounted for, every string is UTF-8. Seeds: every golden input and
// its cut-short, non-UTF-8 and coloured variants.
func FuzzParser(f *testing.F) {
	parsetest.AddSeeds(f, "testdata/*/input.txt", nil)
	f.Fuzz(func(t *testing.T, data []byte) { parsetest.Fuzz(t, newParser, data) })
}
