package ingest

// The in-repo corpus (datasets/corpus, see its SOURCES.md): real ping and
// sadf -p outputs from telegraf's and pingparsing's tests (MIT). Every file
// is read as a run reads it and compared with reference.json: the projects'
// own readings ("project", from their test expectations) and a plain
// reading ("plain", reference.py's regular expressions). Unlike
// ../shared/corpus, this corpus is in the repository, so the test always
// runs.
//
// MIGREPLAY_CORPUS_REPORT=1 go test -v -count=1 -run TestCorpus ./ingest
// prints the pass counts of both corpora.

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/migreplay/migreplay/ingest/parse"
	"github.com/migreplay/migreplay/schema"
)

const repoCorpus = "../datasets/corpus"

type extCorpusRef struct {
	Files map[string]struct {
		Path    string          `json:"path"`
		SHA256  string          `json:"sha256"`
		Kind    string          `json:"kind"`
		Plain   extReading      `json:"plain"`
		Project json.RawMessage `json:"project"`
	} `json:"files"`
}

// extReading is one reading of a file: field name → JSON value. A field the
// reading does not state is absent; null states "none printed".
type extReading map[string]json.RawMessage

func (r extReading) has(k string) bool { _, ok := r[k]; return ok }

// get decodes field k into v and reports whether the reading states it.
func (r extReading) get(k string, v any) bool {
	raw, ok := r[k]
	if !ok {
		return false
	}
	if err := json.Unmarshal(raw, v); err != nil {
		panic(fmt.Sprintf("reference.json: %s: %v", k, err))
	}
	return true
}

func (r extReading) from() string {
	var s string
	r.get("from", &s)
	return s
}

// extRefusals are the corpus files a correct reader refuses, with the words
// its error must hold and why a user accepts the refusal.
var extRefusals = map[string]string{
	// ping's only output is the error it printed when it refused to start
	// (-i below 0.2 s needs privileges): no probe was sent, so there is no
	// probe outcome to store, and telegraf reads it as an error without
	// statistics too. Inside a session, the same "ping: ..." lines are
	// probe failures (ping: sendmsg: ...) and stored as error rows.
	"telegraf/fatal-ping.out": "ping did not run",
}

// corpusExtGaps lists the files of datasets/corpus not yet read as their
// readings read them, with what goes wrong today. TestCorpusExt fails when a
// listed file starts passing, so the list only shrinks.
var corpusExtGaps = map[string]string{}

func TestCorpusExt(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(repoCorpus, "reference.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ref extCorpusRef
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(repoCorpus, "*", "*.out"))
	if len(files) != len(ref.Files) || len(files) == 0 {
		t.Fatalf("%d corpus files, reference.json reads %d", len(files), len(ref.Files))
	}
	var tally corpusTally
	defer tally.report(t)
	for _, name := range sortedKeys(ref.Files) {
		e := ref.Files[name]
		path := filepath.Join(repoCorpus, e.Path)
		var probs []string
		if data, err := os.ReadFile(path); err != nil {
			probs = []string{err.Error()}
		} else if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != e.SHA256 {
			probs = []string{"not the upstream bytes: SHA-256 differs from reference.json"}
		}
		readings := []extReading{e.Plain}
		if len(e.Project) > 0 {
			var p extReading
			if err := json.Unmarshal(e.Project, &p); err != nil {
				t.Fatal(err)
			}
			readings = append(readings, p)
		}
		for _, r := range readings {
			var ps []string
			switch e.Kind {
			case "ping":
				ps = checkExtPing(path, e.Path, r)
			case "sadf-p":
				ps = checkExtSadfP(path, r)
			default:
				t.Fatalf("%s: unknown kind %q", e.Path, e.Kind)
			}
			for _, p := range ps {
				probs = append(probs, r.from()+": "+p)
			}
		}
		tally.add(strings.Split(e.Path, "/")[0], e.Path, probs)
		judgeIn(t, corpusExtGaps, "corpusExtGaps", e.Path, probs)
	}
}

// checkExtPing reads a ping file strictly (and leniently for a refused one)
// and compares its rows with reading r.
func checkExtPing(path, rel string, r extReading) []string {
	if reason, ok := extRefusals[rel]; ok {
		return checkExtRefusal(path, reason, r)
	}
	run := readSource(path, Config{})
	if run.err != nil {
		return []string{"refused: " + run.err.Error()}
	}
	var probs []string
	if run.format != "ping" {
		probs = append(probs, "detected as "+run.format)
	}
	probs = append(probs, balanced(run)...)
	var replies, timeouts int
	var seqs []int64
	var ttls []int32
	var rtts []*float64
	var stamps []float64
	var icmpErrs, stderr []string
	var sums []*schema.PingSummary
	for _, row := range run.rows {
		switch v := row.(type) {
		case *schema.PingReply:
			switch v.Status {
			case schema.PingStatusReply, schema.PingStatusDup:
				replies++
				if v.Seq != nil {
					seqs = append(seqs, *v.Seq)
				}
				if v.TTL != nil {
					ttls = append(ttls, *v.TTL)
				}
				rtts = append(rtts, v.RTTMs)
				if v.Time != nil {
					stamps = append(stamps, float64(v.Time.UnixMicro())/1e6)
				}
			case schema.PingStatusTimeout:
				timeouts++
			case schema.PingStatusError:
				if v.Error == nil {
					probs = append(probs, "error row without its text")
				} else if v.From != nil {
					icmpErrs = append(icmpErrs, *v.Error)
				} else {
					stderr = append(stderr, *v.Error)
				}
			}
		case *schema.PingSummary:
			sums = append(sums, v)
		}
	}
	var n int
	if r.get("replies", &n) && n != replies {
		probs = append(probs, fmt.Sprintf("replies %d, reading %d", replies, n))
	}
	if r.get("timeouts", &n) && n != timeouts {
		probs = append(probs, fmt.Sprintf("timeouts %d, reading %d", timeouts, n))
	}
	var wantSeqs []int64
	if r.get("reply_seqs", &wantSeqs) && !slices.Equal(seqs, wantSeqs) {
		probs = append(probs, fmt.Sprintf("reply seqs %v, reading %v", seqs, wantSeqs))
	}
	var wantTTLs []int32
	if r.get("ttls", &wantTTLs) && !slices.Equal(ttls, wantTTLs) {
		probs = append(probs, fmt.Sprintf("ttls %v, reading %v", ttls, wantTTLs))
	}
	// telegraf keeps the first reply's TTL
	var firstTTL int32
	if r.get("first_ttl", &firstTTL) && (len(ttls) == 0 || ttls[0] != firstTTL) {
		probs = append(probs, fmt.Sprintf("first reply's ttl %v, reading %d", ttls, firstTTL))
	}
	var wantRTTs []*float64
	if r.get("rtts", &wantRTTs) && !slices.EqualFunc(rtts, wantRTTs, eqNullable) {
		probs = append(probs, fmt.Sprintf("rtts %v, reading %v", fmtps(rtts), fmtps(wantRTTs)))
	}
	var wantStamps []float64
	if r.get("timestamps", &wantStamps) && len(wantStamps) > 0 &&
		!slices.EqualFunc(stamps, wantStamps, func(a, b float64) bool { return near(a, b, 1e-12) }) {
		probs = append(probs, fmt.Sprintf("reply times %v, reading %v", stamps, wantStamps))
	}
	var texts []string
	if r.get("icmp_errors", &texts) && !slices.Equal(icmpErrs, texts) {
		probs = append(probs, fmt.Sprintf("ICMP errors %q, reading %q", icmpErrs, texts))
	}
	if r.get("stderr", &texts) && !slices.Equal(stderr, texts) {
		probs = append(probs, fmt.Sprintf("stderr rows %q, reading %q", stderr, texts))
	}
	var stats bool
	if r.get("statistics", &stats) && !stats {
		// The session has no statistics (pingparsing raises
		// EmptyPingStaticticsError): its counts are unknown, so no
		// summary row.
		if len(sums) != 0 {
			probs = append(probs, fmt.Sprintf("%d summary rows for a session without statistics", len(sums)))
		}
		return probs
	}
	if len(sums) != 1 {
		return append(probs, fmt.Sprintf("%d summary rows, want 1", len(sums)))
	}
	return append(probs, checkExtSummary(sums[0], r)...)
}

func checkExtSummary(s *schema.PingSummary, r extReading) []string {
	var probs []string
	ints := []struct {
		k   string
		got int64
	}{{"transmitted", s.Transmitted}, {"received", s.Received}, {"duplicates", s.Duplicates}, {"errors", s.Errors}}
	for _, c := range ints {
		var want int64
		if r.get(c.k, &want) && want != c.got {
			probs = append(probs, fmt.Sprintf("%s %d, reading %d", c.k, c.got, want))
		}
	}
	var lost int64
	if r.get("lost", &lost) && s.Transmitted-s.Received != lost {
		probs = append(probs, fmt.Sprintf("transmitted-received %d, reading lost %d", s.Transmitted-s.Received, lost))
	}
	var pipe *int64
	if r.get("pipe", &pipe) && !eqNullableInt(s.Pipe, pipe) {
		probs = append(probs, fmt.Sprintf("pipe %v, reading %v", s.Pipe, pipe))
	}
	floats := []struct {
		k   string
		got *float64
	}{{"loss_pct", s.LossPct}, {"rtt_min", s.RTTMinMs}, {"rtt_avg", s.RTTAvgMs}, {"rtt_max", s.RTTMaxMs},
		{"rtt_mdev", s.RTTMdevMs}, {"ipg", s.IPGMs}, {"ewma", s.EWMAMs}}
	for _, c := range floats {
		var want *float64
		if r.get(c.k, &want) && !eqNullable(c.got, want) {
			probs = append(probs, fmt.Sprintf("%s %s, reading %s", c.k, fmtp(c.got), fmtp(want)))
		}
	}
	return probs
}

// checkExtRefusal checks a file a correct reader refuses: strict, an error
// located at file:line:col holding reason; lenient, no row and every line
// the reading finds on stderr a reject with that reason.
func checkExtRefusal(path, reason string, r extReading) []string {
	var probs []string
	var refused bool
	if r.has("refused") && (!r.get("refused", &refused) || !refused) {
		return []string{"the reading does not refuse it"}
	}
	strict := readSource(path, Config{})
	var pe *parse.ParseError
	switch {
	case strict.err == nil:
		probs = append(probs, fmt.Sprintf("strict read accepted it (%d rows)", len(strict.rows)))
	case !errors.As(strict.err, &pe) || pe.File != path || pe.Line == 0 || pe.Col == 0:
		probs = append(probs, "strict error not located at file:line:col: "+strict.err.Error())
	case !strings.Contains(pe.Error(), reason):
		probs = append(probs, fmt.Sprintf("strict error %q does not say %q", pe.Error(), reason))
	}
	lenient := readSource(path, Config{Lenient: true})
	if lenient.err != nil {
		return append(probs, "lenient read failed: "+lenient.err.Error())
	}
	probs = append(probs, balanced(lenient)...)
	if len(lenient.rows) != 0 {
		probs = append(probs, fmt.Sprintf("lenient read stored %d rows", len(lenient.rows)))
	}
	var stderr []string
	r.get("stderr", &stderr)
	if len(lenient.rejects) != max(len(stderr), 1) {
		probs = append(probs, fmt.Sprintf("%d rejects, the reading finds %d stderr lines", len(lenient.rejects), len(stderr)))
	}
	for _, rej := range lenient.rejects {
		if !strings.Contains(rej.Err.Error(), reason) {
			probs = append(probs, fmt.Sprintf("reject reason %q does not say %q", rej.Err, reason))
		}
	}
	return probs
}

// sadfPField maps the sadf -p field names of the corpus to the columns
// they fill (schema/README.md).
var sadfPField = map[string]func(schema.Row) *float64{
	"%user":    func(r schema.Row) *float64 { return r.(*schema.SarCPU).User },
	"%nice":    func(r schema.Row) *float64 { return r.(*schema.SarCPU).Nice },
	"%system":  func(r schema.Row) *float64 { return r.(*schema.SarCPU).System },
	"%iowait":  func(r schema.Row) *float64 { return r.(*schema.SarCPU).IOWait },
	"%steal":   func(r schema.Row) *float64 { return r.(*schema.SarCPU).Steal },
	"%idle":    func(r schema.Row) *float64 { return r.(*schema.SarCPU).Idle },
	"tps":      func(r schema.Row) *float64 { return r.(*schema.SarDisk).TPS },
	"rd_sec/s": func(r schema.Row) *float64 { return r.(*schema.SarDisk).RdSec },
	"wr_sec/s": func(r schema.Row) *float64 { return r.(*schema.SarDisk).WrSec },
	"avgrq-sz": func(r schema.Row) *float64 { return r.(*schema.SarDisk).AvgRqSz },
	"avgqu-sz": func(r schema.Row) *float64 { return r.(*schema.SarDisk).AquSz },
	"await":    func(r schema.Row) *float64 { return r.(*schema.SarDisk).Await },
	"svctm":    func(r schema.Row) *float64 { return r.(*schema.SarDisk).SvctmMs },
	"%util":    func(r schema.Row) *float64 { return r.(*schema.SarDisk).UtilPct },
}

// checkExtSadfP reads a sadf -p file strictly and finds each row of reading
// r (device, fields; host and time when stated) among its rows.
func checkExtSadfP(path string, r extReading) []string {
	run := readSource(path, Config{})
	if run.err != nil {
		return []string{"refused: " + run.err.Error()}
	}
	var probs []string
	if run.format != "sadf-p" {
		probs = append(probs, "detected as "+run.format)
	}
	probs = append(probs, balanced(run)...)
	var want []struct {
		Host   *string            `json:"host"`
		Time   *string            `json:"time"`
		Device string             `json:"device"`
		Fields map[string]float64 `json:"fields"`
	}
	r.get("rows", &want)
	if len(run.rows) != len(want) {
		probs = append(probs, fmt.Sprintf("%d rows, reading %d", len(run.rows), len(want)))
	}
	for _, w := range want {
		var row schema.Row
		for _, got := range run.rows {
			var dev string
			var host string
			var at time.Time
			switch v := got.(type) {
			case *schema.SarCPU:
				dev, host, at = "all", v.Host, v.Time
				if v.CPU != -1 {
					dev = fmt.Sprint(v.CPU)
				}
			case *schema.SarDisk:
				dev, host, at = v.Dev, v.Host, v.Time
			default:
				continue
			}
			if dev != w.Device || w.Host != nil && host != *w.Host ||
				w.Time != nil && at.UTC().Format("2006-01-02 15:04:05 UTC") != *w.Time {
				continue
			}
			row = got
		}
		if row == nil {
			probs = append(probs, fmt.Sprintf("no row for device %s", w.Device))
			continue
		}
		for _, k := range sortedKeys(w.Fields) {
			col, ok := sadfPField[k]
			if !ok {
				probs = append(probs, "test knows no column for field "+k)
				continue
			}
			if v := col(row); v == nil || !near(*v, w.Fields[k], 1e-12) {
				probs = append(probs, fmt.Sprintf("%s %s %s, reading %v", w.Device, k, fmtp(v), w.Fields[k]))
			}
		}
	}
	return probs
}

func eqNullable(a, b *float64) bool {
	return a == nil && b == nil || a != nil && b != nil && near(*a, *b, 1e-12)
}

func eqNullableInt(a, b *int64) bool { return a == nil && b == nil || a != nil && b != nil && *a == *b }

func fmtps(ps []*float64) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = fmtp(p)
	}
	return out
}
