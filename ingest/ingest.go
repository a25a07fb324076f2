// Package ingest is the shared plumbing between trace files and the lake:
// it expands inputs (files, directories recursively, "-" for stdin), reads
// .gz and .zst transparently (by magic bytes, not by name), hashes each
// source, detects its format from content, drives the format's parser and
// routes records to content-named Parquet files, one per (source, table,
// host, date). Everything a run writes becomes visible at once when the run
// succeeds (see package lake); a strict-mode error leaves --out untouched.
// A source is its canonical absolute path (stdin: its content's SHA-256):
// a rerun under any spelling replaces its files, and a source named twice
// in one run is read once.
package ingest

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/migreplay/migreplay/ingest/parse"
	"github.com/migreplay/migreplay/schema"
	"github.com/migreplay/migreplay/schema/lake"
)

// Config is one ingest run. The zero value (plus Out) ingests strictly,
// detecting formats from content.
type Config struct {
	Out      string         // lake root
	Format   string         // force a format (see Formats); empty: detect
	Host     string         // host for traces that do not name one; empty: from the file name
	Lenient  bool           // bad lines go to the rejects table instead of stopping
	Start    time.Time      // times for traces without any (xentop frames, ping without -D)
	Interval time.Duration  // with Start
	Year     int            // year for ts's "%b %d %H:%M:%S" stamps
	Location *time.Location // zone of local times without one; nil: UTC
	Version  string         // migreplay version for provenance
	Command  string         // command line for provenance
	Stdin    io.Reader      // what "-" reads; nil: os.Stdin
	Shard    Shard          // this process's share of the inputs; zero: all
	// Jobs is how many sources are ingested at once (0 or 1: one after
	// another). Each source is parsed by one goroutine and encoded by its
	// files' workers, and its files are its own, so the output is the same
	// bytes whatever Jobs is; memory grows with it (one source's open
	// files per job).
	Jobs int
	// Started, when set, is called once the inputs are listed, with how
	// many sources will run at once (Jobs, at most the number of inputs,
	// at least 1): the CLI sizes the heap limit by it.
	Started func(jobs int)
	// Progress, when set, is called as bytes are read (never for stdin).
	Progress func(Progress)
}

// Progress is reported while reading.
type Progress struct {
	File       string
	FileIndex  int
	Files      int
	Bytes      int64 // raw bytes read so far, all files
	TotalBytes int64
	Records    int64 // records so far, all files
}

// FileSummary accounts for one input.
type FileSummary struct {
	Path    string           `json:"path"`
	Source  string           `json:"source"` // identity: canonical absolute path, or stdin:sha256:<hex>
	Format  string           `json:"format"`
	Host    string           `json:"host,omitempty"`
	SHA256  string           `json:"sha256"`
	Bytes   int64            `json:"bytes"`
	Stats   parse.Stats      `json:"stats"`
	Records map[string]int64 `json:"records"`          // per table, rejects included
	Locale  string           `json:"locale,omitempty"` // what the parser detected (sar, sadf: date form, clock, decimal mark)
	// Error is why the file as a whole failed in a lenient run (a
	// corrupt archive, a file name that cannot name the host): none of
	// its rows are kept, and every line it was read to is in the rejects
	// table. Empty for a file that was read.
	Error string `json:"error,omitempty"`
}

// Summary is a whole run.
type Summary struct {
	Files   []FileSummary  `json:"files"`
	Written []lake.Written `json:"written"`
	Totals  parse.Stats    `json:"totals"`
}

// ErrBadInput marks errors caused by the input (exit code 2 in the CLI).
var ErrBadInput = errors.New("bad input")

// Run ingests inputs into cfg.Out.
func Run(ctx context.Context, cfg Config, inputs []string) (Summary, error) {
	var sum Summary
	if err := cfg.Shard.Valid(); err != nil {
		return sum, fmt.Errorf("%w: %v", ErrBadInput, err)
	}
	if i := parse.InvalidUTF8([]byte(cfg.Host)); i >= 0 {
		return sum, fmt.Errorf("%w: --host %q is not valid UTF-8 (byte %d), as every stored string must be", ErrBadInput, cfg.Host, i+1)
	}
	all, err := expand(inputs)
	if err != nil {
		return sum, err
	}
	var files []input
	seen := map[string]bool{} // sources by identity: one spelled twice is read once
	for _, f := range all {
		f.id = f.path
		if f.path != "-" {
			if f.id, err = sourceID(f.path); err != nil {
				return sum, fmt.Errorf("%w: %v", ErrBadInput, err)
			}
		}
		// Shards split sources by identity, so every spelling of a path
		// lands in the same shard.
		if !cfg.Shard.OwnsKey(f.id) {
			continue
		}
		if !seen[f.id] {
			seen[f.id] = true
			files = append(files, f)
		}
	}
	set, err := lake.NewSet(cfg.Out)
	if err != nil {
		return sum, err
	}
	var total int64
	for _, f := range files {
		total += f.size
	}
	prog := &progress{cfg: cfg, total: total, files: len(files)}
	if cfg.Started != nil {
		cfg.Started(jobsFor(cfg, files))
	}
	sums, err := ingestAll(ctx, cfg, set, files, prog)
	if err != nil {
		set.Abort()
		return sum, err
	}
	for i, fs := range sums {
		fs.Source = files[i].id
		if fs.Path == "-" {
			fs.Source = stdinID(fs.SHA256)
		}
		// The source's files replace those of its previous run, under
		// any spelling: its manifest is keyed by the identity.
		set.AddSource(lake.Source{ID: fs.Source, Given: fs.Path, SHA256: fs.SHA256})
		sum.Files = append(sum.Files, fs)
		sum.Totals.Add(fs.Stats)
	}
	written, err := set.Commit()
	if err != nil {
		return sum, err
	}
	sum.Written = written
	return sum, nil
}

type input struct {
	path string
	size int64
	id   string // identity (sourceID); "-" for stdin until its content is hashed
}

// jobsFor is how many of files are ingested at once.
func jobsFor(cfg Config, files []input) int { return max(min(cfg.Jobs, len(files)), 1) }

// ingestAll ingests files, cfg.Jobs at a time (one worker goroutine per
// job; with one, the files go one after another), and returns their
// summaries in input order. The error is always that of the first failing file in
// input order, whatever the timing: when a file fails, the files after it
// are canceled (and no more are started), while those before it run on,
// since one of them may fail too.
func ingestAll(ctx context.Context, cfg Config, set *lake.Set, files []input, prog *progress) ([]FileSummary, error) {
	sums := make([]FileSummary, len(files))
	errs := make([]error, len(files))
	var mu sync.Mutex
	firstBad := len(files)                            // lowest index that failed
	cancels := make([]context.CancelFunc, len(files)) // of the files running
	next := make(chan int)
	var wg sync.WaitGroup
	for range jobsFor(cfg, files) {
		wg.Go(func() {
			for i := range next {
				mu.Lock()
				if i > firstBad {
					mu.Unlock()
					continue
				}
				fctx, cancel := context.WithCancel(ctx)
				cancels[i] = cancel
				mu.Unlock()
				prog.start(i, files[i].path)
				sums[i], errs[i] = ingestOne(fctx, cfg, set, files[i], prog)
				mu.Lock()
				cancels[i] = nil
				if errs[i] != nil && i < firstBad && ctx.Err() == nil {
					firstBad = i
					for j := i + 1; j < len(files); j++ {
						if cancels[j] != nil {
							cancels[j]()
						}
					}
				}
				mu.Unlock()
				cancel()
			}
		})
	}
	for i := range files {
		mu.Lock()
		stop := i > firstBad || ctx.Err() != nil
		mu.Unlock()
		if stop {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err // the caller's cancel (SIGINT), not a file's error
	}
	if firstBad < len(files) {
		return nil, errs[firstBad]
	}
	return sums, nil
}

// expand turns files, directories (recursively, sorted, hidden entries
// skipped) and "-" into a list of inputs.
func expand(inputs []string) ([]input, error) {
	var out []input
	for _, in := range inputs {
		if in == "-" {
			out = append(out, input{path: "-"})
			continue
		}
		st, err := os.Stat(in)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrBadInput, err)
		}
		if !st.IsDir() {
			out = append(out, input{path: in, size: st.Size()})
			continue
		}
		var found []input
		err = filepath.WalkDir(in, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if p != in && strings.HasPrefix(d.Name(), ".") {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if !d.Type().IsRegular() {
				return nil
			}
			info, err := d.Info()
			if err != nil {
				return err
			}
			found = append(found, input{path: p, size: info.Size()})
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrBadInput, err)
		}
		sort.Slice(found, func(i, j int) bool { return found[i].path < found[j].path })
		out = append(out, found...)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: no input files below %s (regular files only; names starting with '.' are skipped)", ErrBadInput, strings.Join(inputs, ", "))
	}
	return out, nil
}

// headSize is how much decompressed content format detection sees.
const headSize = 64 << 10

func ingestOne(ctx context.Context, cfg Config, set *lake.Set, in input, prog *progress) (FileSummary, error) {
	fsum := FileSummary{Path: in.path, Records: map[string]int64{}}
	src, err := openSource(ctx, cfg, in, prog)
	if err != nil {
		return fsum, err
	}
	defer src.close()
	head, err := src.text.Peek(headSize)
	var headErr *ArchiveError // an archive that fails within the head
	if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) && !errors.As(err, &headErr) {
		return fsum, fmt.Errorf("%w: %s: %v", ErrBadInput, in.path, err)
	}
	format, err := pick(cfg.Format, head)
	if err != nil {
		if headErr != nil {
			err = headErr // what explains an empty or unreadable head
		}
		if !cfg.Lenient || cfg.Format != "" {
			return fsum, fmt.Errorf("%w: %s: %w", ErrBadInput, in.path, err)
		}
		// Lenient: an unrecognised file is not dropped: each line becomes
		// a reject carrying the reason.
		format = unknownFormat(err)
	}
	fsum.Format = format.Name
	host, err := hostFor(cfg, in.path)
	if err != nil && !cfg.Lenient {
		return fsum, fmt.Errorf("%w: %s: %v", ErrBadInput, in.path, err)
	}
	fsum.Host = host
	r := newRouter(set, cfg, format.Name, in.path, in.size, src.hashed)
	if err != nil {
		// Lenient, a host the file name cannot give: no row can be
		// stored, every line is a reject saying why.
		fsum.Error = err.Error()
		hostErr := err
		fsum.Stats, err = rejectAll(src.text, in.path, format.Name, r.write, func(bad error) error {
			if errors.As(bad, new(*ArchiveError)) {
				return bad
			}
			return hostErr
		})
		if ae := new(ArchiveError); errors.As(err, &ae) {
			fsum.Error += "; and " + ae.Error()
		} else if err != nil {
			return fsum, err
		}
		return src.finish(fsum, r)
	}

	opt := parse.Options{
		File: in.path, Host: host, Lenient: cfg.Lenient, Start: cfg.Start,
		Interval: cfg.Interval, Year: cfg.Year, Location: cfg.Location,
		// every record goes to router.write, whose files copy it whole
		// (schema.FileWriter.Write) before the next
		Reuse: true,
	}
	var rejErr error
	if cfg.Lenient {
		opt.OnReject = func(e *parse.ParseError) {
			if err := r.write(parse.Reject(e)); err != nil && rejErr == nil {
				rejErr = err
			}
		}
	}
	p := format.New(src.text, opt)
	// Locales are detected while parsing: the files of parsers that
	// report one are completed at the end, to record it in every file
	// (those closed before are suspended, see router).
	_, hasLocale := p.(interface{ Locale() string })
	r.early = src.hashed != nil && !hasLocale
	for p.Next() {
		if err := r.write(p.Record()); err != nil {
			return fsum, err
		}
		src.counted.records++
	}
	if err := ctx.Err(); err != nil {
		return fsum, err
	}
	if rejErr != nil {
		return fsum, rejErr
	}
	perr := p.Err()
	var derr error
	if src.codec != "" {
		// Decode to the end even when the parser stopped early (strict
		// mode's first error): a gzip member's checksum is checked only at
		// its end, and an archive that turns out corrupt explains a parse
		// error in the garbage it decoded before.
		_, derr = io.Copy(io.Discard, src.text)
		if err := ctx.Err(); err != nil {
			return fsum, err
		}
	}
	var ae *ArchiveError
	if !errors.As(perr, &ae) {
		errors.As(derr, &ae)
	}
	switch {
	case ae != nil && !cfg.Lenient:
		return fsum, fmt.Errorf("%w: %s: %w", ErrBadInput, in.path, ae)
	case ae != nil:
		// Lenient: no row of a corrupt archive is kept (what it decoded
		// before the fault showed may be wrong already: see ArchiveError);
		// the file is read again and every line it decodes to becomes a
		// reject, so that nothing is lost either.
		r.discard()
		r = newRouter(set, cfg, format.Name, in.path, in.size, src.hashed)
		var err error
		if fsum.Stats, err = src.rejectArchive(in.path, format.Name, ae, r.write); err != nil {
			return fsum, err
		}
		fsum.Error = fmt.Sprintf("%v; none of its rows are kept: its %d lines are in the rejects table", ae, fsum.Stats.Lines)
		return src.finish(fsum, r)
	case perr != nil:
		var pe *parse.ParseError
		if errors.As(perr, &pe) {
			return fsum, fmt.Errorf("%w: %w (rerun with --lenient to keep going and collect bad lines in the rejects table)", ErrBadInput, perr)
		}
		return fsum, fmt.Errorf("%w: %s: %v", ErrBadInput, in.path, perr)
	case derr != nil:
		return fsum, fmt.Errorf("%w: %s: %v", ErrBadInput, in.path, derr)
	}
	fsum.Stats = p.Stats()
	if l, ok := p.(interface{ Locale() string }); ok {
		fsum.Locale = l.Locale()
	}
	return src.finish(fsum, r)
}

// source is one input being read: its raw bytes counted for the progress
// (and hashed as they are read, for stdin), and its decompressed text.
type source struct {
	path    string
	codec   string // "gzip", "zstd", "" for plain text
	counted *countReader
	text    *bufio.Reader
	// hashed is a file's SHA-256, computed as it is read; nil for stdin,
	// which is hashed as it is read too, but on the parse's goroutine (h).
	hashed *fileHash
	h      hash.Hash
	spool  *spool // a copy of a compressed stdin (lenient), for a second reading
	closes []func()
}

func openSource(ctx context.Context, cfg Config, in input, prog *progress) (*source, error) {
	s := &source{path: in.path}
	var raw io.Reader
	if in.path == "-" {
		raw = cfg.Stdin
		if raw == nil {
			raw = os.Stdin
		}
		s.h = sha256.New()
		raw = io.TeeReader(raw, s.h)
		if cfg.Lenient {
			sp, err := newSpool()
			if err != nil {
				return nil, err
			}
			s.spool = sp
			raw = io.TeeReader(raw, sp)
		}
	} else {
		f, err := os.Open(in.path)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrBadInput, err)
		}
		s.closes = append(s.closes, func() { f.Close() })
		// A file is read and hashed by a goroutine of its own (another
		// core, when there is one), which hands the parser the bytes it
		// hashed (readahead.go).
		ra := newReadAhead(f, in.path)
		s.closes = append(s.closes, ra.stop)
		s.hashed = ra.hash
		raw = ra
	}
	s.counted = &countReader{r: raw, prog: prog, ctx: ctx}
	text, codec, closeDec := decompress(s.counted)
	s.codec = codec
	s.closes = append(s.closes, closeDec)
	if s.spool != nil && codec == "" {
		s.spool.stop() // plain text never needs a second reading
		s.spool = nil
	}
	s.text = bufio.NewReaderSize(text, 256<<10)
	return s, nil
}

func (s *source) close() {
	for i := len(s.closes) - 1; i >= 0; i-- {
		s.closes[i]()
	}
	if s.spool != nil {
		s.spool.stop()
	}
}

// finish hashes the rest of the source, completes its files' metadata and
// closes them, and fills the summary's hash, size and records.
func (s *source) finish(fsum FileSummary, r *router) (FileSummary, error) {
	// Hash the whole source even if the parser stopped reading early.
	if _, err := io.Copy(io.Discard, s.counted); err != nil {
		return fsum, fmt.Errorf("%w: %s: %v", ErrBadInput, s.path, err)
	}
	if s.hashed != nil {
		var err error
		if fsum.SHA256, err = s.hashed.wait(); err != nil {
			return fsum, err
		}
	} else {
		fsum.SHA256 = hex.EncodeToString(s.h.Sum(nil))
	}
	fsum.Bytes = s.counted.n
	if err := r.complete(fsum.SHA256, fsum.Locale); err != nil {
		return fsum, err
	}
	for _, rt := range r.routes {
		fsum.Records[rt.table.Name] += rt.rows
	}
	return fsum, nil
}

// rejectArchive reads the source a second time, up to its archive's
// fault, and writes every line as a reject: the line the fault cut with ae
// as its reason, the others as decoded before the fault showed.
func (s *source) rejectArchive(path, format string, ae *ArchiveError, write func(schema.Row) error) (parse.Stats, error) {
	var rc io.ReadCloser
	var err error
	if s.spool != nil {
		rc, err = s.spool.open()
	} else {
		rc, err = os.Open(path)
	}
	if err != nil {
		return parse.Stats{}, fmt.Errorf("%w: %s: %v", ErrBadInput, path, err)
	}
	defer rc.Close()
	text, _, closeDec := decompress(rc)
	defer closeDec()
	before := fmt.Errorf("%w: decoded before the fault showed, so it may be wrong (%v)", errCorruptArchive, ae)
	st, err := rejectAll(text, path, format, write, func(bad error) error {
		if errors.As(bad, new(*ArchiveError)) {
			return bad
		}
		return before
	})
	if errors.As(err, new(*ArchiveError)) {
		err = nil // the fault the first reading found
	}
	return st, err
}

// errCorruptArchive heads the reason of a line a corrupt archive decoded.
var errCorruptArchive = errors.New("line of a corrupt archive")

// rejectAll writes every line of text as a reject of format, with the
// reason why gives for the line's fault (Lines.Bad, nil for a good line);
// it returns the line accounting (every line a reject) and the read error
// that stopped it.
func rejectAll(text io.Reader, path, format string, write func(schema.Row) error, why func(bad error) error) (parse.Stats, error) {
	var st parse.Stats
	lines := parse.NewLines(text)
	for lines.Next() {
		st.Lines++
		st.Reject++
		e := &parse.ParseError{File: path, Line: lines.Num(), Col: lines.BadCol(), Format: format,
			Err: why(lines.Bad()), Raw: parse.Raw(lines.Bytes())}
		if err := write(parse.Reject(e)); err != nil {
			return st, err
		}
	}
	return st, lines.Err()
}

// hostFor is the host of a trace that does not name one: --host, or the
// file name up to its first dot. A host must be valid UTF-8 like every
// stored string, and one from a file name that is not cannot be made so
// without inventing a name: that is an error asking for --host.
func hostFor(cfg Config, path string) (string, error) {
	if cfg.Host != "" {
		return cfg.Host, nil
	}
	host := hostFromPath(path)
	if i := parse.InvalidUTF8([]byte(host)); i >= 0 {
		return "", fmt.Errorf("the file name is not valid UTF-8 (byte 0x%02x at %d of %q), so it cannot name the host: pass --host NAME, or rename the file", host[i], i+1, host)
	}
	return host, nil
}

// hostFromPath names the host of a trace that does not say: the file's
// base name up to its first dot ("host-a.xentop.out.gz" → "host-a"),
// "stdin" for "-".
func hostFromPath(p string) string {
	if p == "-" {
		return "stdin"
	}
	base := filepath.Base(p)
	if i := strings.IndexByte(base, '.'); i > 0 {
		base = base[:i]
	}
	return base
}

// countReader counts a source's bytes as the parser reads them, and
// reports them with the records the source has given so far (records,
// counted by the same goroutine) to the run's progress.
type countReader struct {
	r       io.Reader
	n       int64
	records int64 // records parsed from this source
	told    int64 // records already reported
	prog    *progress
	ctx     context.Context // a canceled run stops reading (SIGINT mid-file)
}

func (c *countReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := c.r.Read(p)
	c.n += int64(n)
	c.prog.add(int64(n), c.records-c.told)
	c.told = c.records
	return n, err
}

// progress is the run's progress over all sources; with Jobs > 1 several
// sources report to it at once.
type progress struct {
	cfg     Config
	total   int64
	files   int
	mu      sync.Mutex
	index   int    // the source started last
	name    string // its path
	bytes   int64
	records int64
	last    int64
}

// start notes that source index (path name) is being read.
func (p *progress) start(index int, name string) {
	p.mu.Lock()
	p.index, p.name = index, name
	p.mu.Unlock()
}

func (p *progress) add(n, records int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.bytes += n
	p.records += records
	if p.cfg.Progress == nil || p.bytes-p.last < 1<<20 && p.bytes != p.total {
		return
	}
	p.last = p.bytes
	p.cfg.Progress(Progress{File: p.name, FileIndex: p.index, Files: p.files,
		Bytes: p.bytes, TotalBytes: p.total, Records: p.records})
}
