package lake

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
)

// The lake's bookkeeping, all under "_"-prefixed folders that Spark, Trino
// and DuckDB's hive globs skip.
const (
	tmpDir       = "_tmp"              // _tmp/<run id>/: one run's staging folder
	runLockName  = "lock"              // _tmp/<run id>/lock: held by the run while it lives
	lakeDir      = "_lake"             // _lake/lock: the lake's commit lock
	lakeLockName = "lock"              //
	pendingDir   = "_lake/pending"     // _lake/pending/<run id>.json: a commit under way
	runsDir      = "_manifests/runs"   // _manifests/runs/<run id>.json: a committed run's record
	sourcesDir   = "_manifests/ingest" // _manifests/ingest/<hash>.json: a source's current files
	replacedDir  = "replaced"          // _tmp/<run id>/replaced/: files a commit took out of the lake
)

// Source is an input whose files replace those of its earlier runs
// (ingest's sources). Its manifest, _manifests/ingest/<first 16 hex digits
// of SHA-256(ID)>.json, lists the files its last committed run produced;
// a commit removes the files of the old manifest it does not write again,
// as part of the same commit.
type Source struct {
	ID     string // identity: ingest uses the canonical absolute path, or stdin:sha256:<hex>
	Given  string // as the command line spelled it: the Source tag of its files in the set
	SHA256 string // of its content
}

// AddSource declares a source of the run: files created with
// File.Source == src.Given are its files, and they replace those of its
// previous run. Call it before Commit, once per source, even for a source
// that produced no file (its old files are then removed).
func (s *Set) AddSource(src Source) {
	s.mu.Lock()
	s.sources = append(s.sources, src)
	s.mu.Unlock()
}

// Manifest is one source's current files (see Source).
type Manifest struct {
	Source string   `json:"source"`
	Given  string   `json:"given,omitempty"` // the spelling of the run that wrote it
	SHA256 string   `json:"sha256"`
	Run    string   `json:"run"` // the run that wrote it
	Files  []string `json:"files"`
}

// ManifestPath is the manifest of source id, relative to the lake root.
func ManifestPath(id string) string {
	h := sha256.Sum256([]byte(id))
	return sourcesDir + "/" + hex.EncodeToString(h[:8]) + ".json"
}

// Record is a run's commit record. It is written to
// _lake/pending/<run>.json before the first rename of the commit and moved
// to _manifests/runs/<run>.json after the last: a pending record is a
// commit that did not finish, and its Steps let recovery redo or undo it.
type Record struct {
	Run       string    `json:"run"`
	Command   string    `json:"command,omitempty"`
	Machine   string    `json:"machine,omitempty"`
	PID       int       `json:"pid"`
	Started   time.Time `json:"started"`
	Committed time.Time `json:"committed"`
	// Files is every file of the run, including those already in the lake
	// with the same bytes (a rerun), which need no step.
	Files   []Written      `json:"files"`
	Sources []SourceRecord `json:"sources,omitempty"`
	// Dirs are the folders the commit makes (those missing when it was
	// planned), outermost first: made after the record is written, removed
	// again (when empty) by undoing it.
	Dirs []string `json:"dirs,omitempty"`
	// Steps are the commit's renames, in order; all paths are relative to
	// the lake root, '/'-separated.
	Steps []Step `json:"steps"`
}

// SourceRecord is what a commit did to one source.
type SourceRecord struct {
	Source   string   `json:"source"`
	Given    string   `json:"given,omitempty"`
	SHA256   string   `json:"sha256"`
	Manifest string   `json:"manifest"`
	Replaced []string `json:"replaced,omitempty"` // files of its previous run taken out
}

// Step is one rename of a commit.
type Step struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// newRunID names a run: its start time (UTC, so ids sort by it) and 64
// random bits, unique across processes and machines writing one lake.
func newRunID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return time.Now().UTC().Format("20060102T150405.000000000Z") + "-" + hex.EncodeToString(b[:])
}

// liveRuns holds the ids of this process's runs between NewSet and the end
// of Commit or Abort: recovery never takes their staging folders, even on
// file systems whose flock is per process (NFS emulates it with fcntl).
var liveRuns sync.Map

// lakeMu serializes this process's holders of a lake's lock (see liveRuns).
var lakeMu sync.Map // absolute root → *sync.Mutex

// withLock runs f holding the lake's commit lock: _lake/lock, flock(2)ed,
// plus a mutex within this process.
func withLock(root string, f func() error) error {
	abs, err := filepath.Abs(root)
	if err != nil {
		return err
	}
	m, _ := lakeMu.LoadOrStore(abs, &sync.Mutex{})
	m.(*sync.Mutex).Lock()
	defer m.(*sync.Mutex).Unlock()
	if err := fsys.MkdirAll(filepath.Join(root, lakeDir)); err != nil {
		return err
	}
	lk, err := lockFile(filepath.Join(root, lakeDir, lakeLockName), true)
	if err != nil {
		return err
	}
	defer lk.Close()
	return f()
}

// Commit closes every file, names it by content and makes the run's files
// visible, with the manifests of its sources, all together or not at all:
//
//  1. outside the lake's lock: the files are finished and the sources'
//     new manifests staged under _tmp/<run>/;
//  2. under the lock: interrupted commits of dead runs are recovered; the
//     steps are planned (the new files; the files of each source's previous
//     run that this one does not write again; the manifests) with the
//     folders they need; the record is written to _lake/pending/<run>.json;
//  3. the folders are made and the steps done, renames only; then the
//     record is renamed to _manifests/runs/<run>.json, which marks the
//     commit done.
//
// A failure before the record leaves the lake as it was. A failing step
// is undone at once (the renames are reversed, the folders the commit made
// removed); if undoing fails too, or the process dies mid-commit, the
// pending record stays and the next run into the lake, or Recover, redoes
// the commit (or, if that fails, undoes it). Written lists the files in
// path order.
func (s *Set) Commit() ([]Written, error) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		panic("lake: Commit or Abort called twice")
	}
	s.mu.Unlock()
	written, staged, err := s.finish()
	if err != nil {
		s.Abort()
		return nil, err
	}
	manifests, err := s.stageManifests(written)
	if err != nil {
		s.Abort()
		return nil, err
	}
	var pendingLeft bool
	err = withLock(s.root, func() error {
		if _, err := recoverLocked(s.root); err != nil {
			return err
		}
		rec, err := s.plan(written, staged, manifests)
		if err != nil {
			return err
		}
		pendingLeft, err = s.apply(rec)
		return err
	})
	s.release(!pendingLeft)
	if err != nil {
		if pendingLeft {
			return nil, fmt.Errorf("lake: the commit of run %s stopped half done (%w): 'migreplay lake recover %s' finishes or undoes it, as will the next run into this lake", s.id, err, s.root)
		}
		return nil, fmt.Errorf("lake: %w", err)
	}
	return written, nil
}

// finish closes every pending file and names it: Written in path order
// and, beside each, its staged path relative to the root. A second file
// with the same bytes and path as an earlier one is left out.
func (s *Set) finish() ([]Written, []string, error) {
	tag := map[string]string{}
	for _, src := range s.sources {
		tag[src.Given] = src.ID
	}
	var out []Written
	var staged []string
	seen := map[string]bool{}
	for _, lf := range s.pending {
		if err := lf.Finish(); err != nil {
			return nil, nil, err
		}
		sum := hex.EncodeToString(lf.out.h.Sum(nil))[:16]
		rel := filepath.ToSlash(filepath.Join(lf.dir, "part-"+sum+".parquet"))
		if seen[rel] {
			continue
		}
		seen[rel] = true
		src := lf.Source
		if id, ok := tag[src]; ok {
			src = id
		}
		out = append(out, Written{Path: rel, Rows: lf.Rows(), Bytes: lf.cnt.n, Source: src})
		st, err := filepath.Rel(s.root, lf.out.name)
		if err != nil {
			return nil, nil, err
		}
		staged = append(staged, filepath.ToSlash(st))
	}
	// path order: files are created in whatever order the writers'
	// goroutines ran, and the record must not depend on it
	idx := make([]int, len(out))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return out[idx[a]].Path < out[idx[b]].Path })
	sortedOut, sortedStaged := make([]Written, len(out)), make([]string, len(out))
	for i, k := range idx {
		sortedOut[i], sortedStaged[i] = out[k], staged[k]
	}
	return sortedOut, sortedStaged, nil
}

// stagedManifest is a source's new manifest, written under _tmp/<run>/.
type stagedManifest struct {
	src    Source
	staged string // relative to the root
	files  map[string]bool
}

func (s *Set) stageManifests(written []Written) ([]stagedManifest, error) {
	var out []stagedManifest
	for i, src := range s.sources {
		m := Manifest{Source: src.ID, Given: src.Given, SHA256: src.SHA256, Run: s.id, Files: []string{}}
		files := map[string]bool{}
		for _, w := range written {
			if w.Source == src.ID {
				m.Files = append(m.Files, w.Path)
				files[w.Path] = true
			}
		}
		sort.Strings(m.Files)
		b, _ := json.MarshalIndent(m, "", "  ")
		rel := tmpDir + "/" + s.id + "/" + fmt.Sprintf("manifest-%d.json", i)
		// not synced (one fsync per source would cost more than the
		// parse of a small source); the record is
		if err := fsys.WriteFile(s.abs(rel), append(b, '\n'), false); err != nil {
			return nil, fmt.Errorf("lake: staging the manifest of %s: %w", src.ID, err)
		}
		out = append(out, stagedManifest{src: src, staged: rel, files: files})
	}
	return out, nil
}

func (s *Set) abs(rel string) string { return filepath.Join(s.root, filepath.FromSlash(rel)) }

// plan works out the commit's steps (under the lake's lock) and the
// folders they need. A new file already in the lake (same content, same
// name: a rerun) needs no step.
func (s *Set) plan(written []Written, staged []string, manifests []stagedManifest) (*Record, error) {
	host, _ := os.Hostname()
	rec := &Record{Run: s.id, Command: s.command, Machine: host, PID: os.Getpid(), Started: s.started,
		Committed: time.Now().UTC(), Files: written}
	for i, w := range written {
		if _, err := os.Lstat(s.abs(w.Path)); err == nil {
			continue
		}
		rec.Steps = append(rec.Steps, Step{From: staged[i], To: w.Path})
	}
	replaced := tmpDir + "/" + s.id + "/" + replacedDir + "/"
	var moves []Step // the manifests' steps, after every file's
	taken := map[string]bool{}
	for i, m := range manifests {
		sr := SourceRecord{Source: m.src.ID, Given: m.src.Given, SHA256: m.src.SHA256, Manifest: ManifestPath(m.src.ID)}
		old, err := readManifest(s.abs(sr.Manifest))
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			return nil, fmt.Errorf("reading %s: %w (repair or remove it; 'migreplay lake check' lists what it held)", sr.Manifest, err)
		default:
			if old.Source != m.src.ID {
				return nil, fmt.Errorf("%s names source %q, not %q (a hash collision or a hand-edited manifest)", sr.Manifest, old.Source, m.src.ID)
			}
			for _, p := range old.Files {
				if m.files[p] || taken[p] {
					continue
				}
				taken[p] = true
				if _, err := os.Lstat(s.abs(p)); err != nil {
					continue // gone already
				}
				sr.Replaced = append(sr.Replaced, p)
				rec.Steps = append(rec.Steps, Step{From: p, To: replaced + fmt.Sprintf("%d-%s.old", len(rec.Steps), filepath.Base(p))})
			}
			moves = append(moves, Step{From: sr.Manifest, To: replaced + fmt.Sprintf("manifest-%d.json", i)})
		}
		moves = append(moves, Step{From: m.staged, To: sr.Manifest})
		rec.Sources = append(rec.Sources, sr)
	}
	rec.Steps = append(rec.Steps, moves...)
	if err := fsys.MkdirAll(s.abs(pendingDir)); err != nil {
		return nil, err
	}
	dirs := map[string]bool{runsDir: true}
	for _, st := range rec.Steps {
		dirs[pathDir(st.To)] = true
	}
	var want []string
	for d := range dirs {
		want = append(want, d)
	}
	sort.Strings(want)
	made := map[string]bool{}
	for _, d := range want {
		rec.Dirs = append(rec.Dirs, s.missingDirs(d, made)...)
	}
	return rec, nil
}

func pathDir(rel string) string {
	if i := strings.LastIndexByte(rel, '/'); i >= 0 {
		return rel[:i]
	}
	return "."
}

// missingDirs lists folder rel and those above it that do not exist and
// are not in made yet, outermost first, and adds them to made.
func (s *Set) missingDirs(rel string, made map[string]bool) []string {
	var missing []string
	for d := rel; d != "." && d != "" && !made[d]; d = pathDir(d) {
		if _, err := os.Lstat(s.abs(d)); err == nil {
			break
		}
		missing = append(missing, d)
		made[d] = true
	}
	slices.Reverse(missing)
	return missing
}

// removeDirs removes the folders a commit made, innermost first, those
// still empty only.
func removeDirs(root string, dirs []string) error {
	var first error
	for i := len(dirs) - 1; i >= 0; i-- {
		p := filepath.Join(root, filepath.FromSlash(dirs[i]))
		if _, err := os.Lstat(p); err != nil {
			continue // never made (or a name the file system refuses)
		}
		err := fsys.Remove(p)
		if err != nil && !errors.Is(err, fs.ErrNotExist) && !isNotEmpty(err) && first == nil {
			first = err
		}
	}
	return first
}

func isNotEmpty(err error) bool {
	return errors.Is(err, syscall.ENOTEMPTY) || errors.Is(err, syscall.EEXIST)
}

// readJSON decodes the JSON file at path into v.
func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

func readManifest(path string) (Manifest, error) {
	var m Manifest
	err := readJSON(path, &m)
	return m, err
}

// apply writes rec as pending and does its steps; on a failing step it
// undoes those done. pending reports whether the record stays pending
// (undoing failed too), for recovery to finish.
func (s *Set) apply(rec *Record) (pending bool, err error) {
	b, _ := json.MarshalIndent(rec, "", "  ")
	draft := filepath.Join(s.stage, "record.json")
	pend := filepath.Join(s.root, filepath.FromSlash(pendingDir), s.id+".json")
	if err := fsys.WriteFile(draft, append(b, '\n'), true); err != nil {
		return false, fmt.Errorf("writing the commit record: %w", err)
	}
	if err := fsys.Rename(draft, pend); err != nil {
		return false, fmt.Errorf("writing the commit record: %w", err)
	}
	if err := redo(s.root, rec); err != nil {
		if uerr := undo(s.root, rec, pend); uerr != nil {
			return true, fmt.Errorf("%w; undoing it: %v", err, uerr)
		}
		return false, err
	}
	if err := fsys.Rename(pend, filepath.Join(s.root, filepath.FromSlash(runsDir), s.id+".json")); err != nil {
		// Every step is done: recovery only has to mark it so.
		return true, fmt.Errorf("marking the commit done: %w", err)
	}
	return false, nil
}

// redo makes rec's folders and does its steps that are not done yet: a
// step is done when its target exists; else its source must.
func redo(root string, rec *Record) error {
	for _, d := range rec.Dirs {
		if err := fsys.MkdirAll(filepath.Join(root, filepath.FromSlash(d))); err != nil {
			return err
		}
	}
	for _, st := range rec.Steps {
		from, to := filepath.Join(root, filepath.FromSlash(st.From)), filepath.Join(root, filepath.FromSlash(st.To))
		if _, err := os.Lstat(to); err == nil {
			continue
		}
		if _, err := os.Lstat(from); err != nil {
			return fmt.Errorf("run %s: neither %s nor %s exists: the commit cannot be redone", rec.Run, st.From, st.To)
		}
		if err := fsys.Rename(from, to); err != nil {
			return err
		}
	}
	return nil
}

// undo reverses rec's steps, last first (a step is undone when its source
// exists again), removes the folders the commit made and then the pending
// record pend.
func undo(root string, rec *Record, pend string) error {
	for i := len(rec.Steps) - 1; i >= 0; i-- {
		st := rec.Steps[i]
		from, to := filepath.Join(root, filepath.FromSlash(st.From)), filepath.Join(root, filepath.FromSlash(st.To))
		if _, err := os.Lstat(from); err == nil {
			continue
		}
		if _, err := os.Lstat(to); err != nil {
			return fmt.Errorf("run %s: neither %s nor %s exists: the commit cannot be undone", rec.Run, st.From, st.To)
		}
		if err := fsys.Rename(to, from); err != nil {
			return err
		}
	}
	if err := removeDirs(root, rec.Dirs); err != nil {
		return err
	}
	return fsys.Remove(pend)
}

// release ends the run: its staging folder is removed (unless a pending
// record still needs it) with _tmp/ when empty, and its lock let go.
func (s *Set) release(removeStage bool) {
	s.mu.Lock()
	s.closed = true
	s.pending = nil
	s.mu.Unlock()
	if removeStage {
		_ = fsys.RemoveAll(s.stage)
	}
	s.lock.Close()
	liveRuns.Delete(s.id)
	if removeStage {
		_ = withLock(s.root, func() error {
			_ = fsys.Remove(filepath.Join(s.root, tmpDir)) // only if empty; under the lock, as runs make their folders under it
			return nil
		})
	}
}

// Abort removes every file not yet committed and ends the run. It does
// nothing after Commit.
func (s *Set) Abort() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	for _, lf := range s.pending {
		if !lf.done && lf.fw != nil {
			lf.fw.Abandon()
		}
		if lf.out.f != nil {
			lf.out.f.Close()
		}
	}
	s.mu.Unlock()
	s.release(true)
}
