package lake

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/parquet-go/parquet-go"

	"github.com/migreplay/migreplay/schema"
)

// Report is what Check found: every visible file with the sources and runs
// that produced it, and every problem, one line each.
type Report struct {
	Files    []FileReport `json:"files"`
	Runs     int          `json:"runs"`    // committed runs (records in _manifests/runs/)
	Sources  int          `json:"sources"` // source manifests
	Problems []Problem    `json:"problems"`
}

// FileReport is one visible Parquet file.
type FileReport struct {
	Path      string   `json:"path"` // relative to the root, '/'-separated
	Table     string   `json:"table"`
	Partition string   `json:"partition,omitempty"` // host=…/date=…
	Rows      int64    `json:"rows"`                // from its footer; -1 when unreadable
	Bytes     int64    `json:"bytes"`
	Sources   []string `json:"sources,omitempty"` // whose manifests list it
	Runs      []string `json:"runs,omitempty"`    // that wrote it and still own it
}

// Problem kinds.
const (
	ProblemMissing    = "missing"    // listed by a manifest or run record, not in the lake
	ProblemUnowned    = "unowned"    // in the lake, listed by no manifest or run record
	ProblemDuplicated = "duplicated" // the same data held twice: one content under two sources in the same partitions, one file under two
	ProblemPartial    = "partial"    // a commit that stopped half done (until recovered)
	ProblemStale      = "stale"      // a dead run's staging folder
	ProblemUnreadable = "unreadable" // a file or record that cannot be read, or differs from what its run wrote
)

// Problem is one thing wrong, with the path it concerns.
type Problem struct {
	Kind   string `json:"kind"`
	Path   string `json:"path"`
	Reason string `json:"reason"`
}

func (p Problem) String() string { return p.Kind + ": " + p.Path + ": " + p.Reason }

// Check reads the lake's records, manifests and every visible file's
// Parquet footer, under the lake's lock (so that no commit is under way
// while it looks), and reports:
//   - per file, the sources whose manifests list it and the runs that wrote
//     it (a source's file: the run of its manifest; any other file: every
//     run whose record lists it);
//   - missing files (listed, not there), unowned files (there, listed by
//     nobody, e.g. their manifest was deleted), duplicated data (one
//     content SHA-256 under two sources in the same partitions, one file
//     under two manifests),
//     partial runs (pending commit records), stale staging folders of dead
//     runs, and unreadable files (no valid footer, or a size or row count
//     other than the run recorded) or records.
//
// It changes nothing; Recover repairs what recovery can (partial runs,
// stale staging).
func Check(root string) (Report, error) {
	var rep Report
	if _, err := os.Stat(root); err != nil {
		return rep, fmt.Errorf("lake: %w", err)
	}
	err := withLock(root, func() error {
		var err error
		rep, err = check(root)
		return err
	})
	if err != nil {
		return rep, fmt.Errorf("lake: %w", err)
	}
	return rep, nil
}

func check(root string) (Report, error) {
	rep := Report{Files: []FileReport{}, Problems: []Problem{}}
	add := func(kind, path, format string, args ...any) {
		rep.Problems = append(rep.Problems, Problem{Kind: kind, Path: path, Reason: fmt.Sprintf(format, args...)})
	}
	abs := func(rel string) string { return filepath.Join(root, filepath.FromSlash(rel)) }

	// Interrupted commits and staging folders.
	pend, err := readDirNames(abs(pendingDir))
	if err != nil {
		return rep, err
	}
	pending := map[string]bool{}
	partial := map[string]string{} // file → the partial run that adds it
	for _, name := range pend {
		rel := pendingDir + "/" + name
		rec, err := readRecord(abs(rel))
		if err != nil {
			add(ProblemUnreadable, rel, "commit record: %v", err)
			continue
		}
		pending[rec.Run] = true
		for _, w := range rec.Files {
			partial[w.Path] = rec.Run
		}
		done := 0
		for _, st := range rec.Steps {
			if _, err := os.Lstat(abs(st.To)); err == nil {
				done++
			}
		}
		add(ProblemPartial, rel, "the commit of run %s (%s) stopped after %d of %d renames: 'migreplay lake recover' finishes or undoes it", rec.Run, rec.Command, done, len(rec.Steps))
	}
	stage, err := readDirNames(abs(tmpDir))
	if err != nil {
		return rep, err
	}
	for _, name := range stage {
		rel := tmpDir + "/" + name
		if pending[name] {
			continue // the partial run above needs it
		}
		if _, live := liveRuns.Load(name); live {
			continue
		}
		if st, err := os.Lstat(abs(rel)); err == nil && st.IsDir() {
			lk, err := lockFile(filepath.Join(abs(rel), runLockName), false)
			if err != nil {
				continue // errLocked: a live run's
			}
			lk.Close()
		}
		add(ProblemStale, rel, "staging left by a dead run: 'migreplay lake recover' removes it")
	}

	// Run records: which runs wrote which files.
	runs, err := readDirNames(abs(runsDir))
	if err != nil {
		return rep, err
	}
	records := map[string]bool{}
	type rowsBytes struct {
		rows, bytes int64
		run         string
	}
	wrote := map[string]rowsBytes{} // path → what a run recorded writing there
	owners := map[string][]string{} // path of a source-less file → runs that wrote it
	for _, name := range runs {
		rel := runsDir + "/" + name
		rec, err := readRecord(abs(rel))
		if err != nil {
			add(ProblemUnreadable, rel, "run record: %v", err)
			continue
		}
		records[rec.Run] = true
		for _, w := range rec.Files {
			wrote[w.Path] = rowsBytes{w.Rows, w.Bytes, rec.Run}
			if w.Source == "" {
				owners[w.Path] = append(owners[w.Path], rec.Run)
			}
		}
	}
	rep.Runs = len(records)

	// Source manifests.
	mans, err := readDirNames(abs(sourcesDir))
	if err != nil {
		return rep, err
	}
	sourcesOf := map[string][]string{} // file → sources
	runOf := map[string][]string{}     // file → runs of the manifests listing it
	listed := map[string]string{}      // file → the manifest listing it first
	byContent := map[string]string{}   // content SHA-256 and partitions → first source with files
	for _, name := range mans {
		rel := sourcesDir + "/" + name
		if !strings.HasSuffix(name, ".json") {
			continue
		}
		m, err := readManifest(abs(rel))
		if err != nil {
			add(ProblemUnreadable, rel, "manifest: %v", err)
			continue
		}
		rep.Sources++
		if ManifestPath(m.Source) != rel {
			add(ProblemUnreadable, rel, "names source %q, whose manifest is %s", m.Source, ManifestPath(m.Source))
		}
		if m.Run == "" || !records[m.Run] {
			add(ProblemMissing, rel, "the record of run %q that wrote this manifest of %s is not in %s", m.Run, m.Source, runsDir)
		}
		if len(m.Files) > 0 && m.SHA256 != "" {
			// One content in the same partitions is the same rows twice
			// (a copy of a capture); the same bytes as another host's
			// (the host taken from the file name) are not.
			dirs := make([]string, len(m.Files))
			for i, p := range m.Files {
				dirs[i] = pathDir(p)
			}
			sort.Strings(dirs)
			key := m.SHA256 + "\x00" + strings.Join(dirs, "\x00")
			if first, dup := byContent[key]; dup {
				add(ProblemDuplicated, rel, "%s has the content (SHA-256 %s) of %s, in the same partitions: its rows are in the lake twice", m.Source, m.SHA256, first)
			} else {
				byContent[key] = m.Source
			}
		}
		for _, p := range m.Files {
			if other, dup := listed[p]; dup {
				add(ProblemDuplicated, p, "listed by the manifests of two sources (%s and %s)", other, rel)
			} else {
				listed[p] = rel
			}
			sourcesOf[p] = append(sourcesOf[p], m.Source)
			runOf[p] = append(runOf[p], m.Run)
		}
	}

	// The visible files.
	onDisk := map[string]bool{}
	files, err := ListFiles(root)
	if err != nil {
		return rep, err
	}
	for _, p := range files {
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return rep, err
		}
		rel = filepath.ToSlash(rel)
		onDisk[rel] = true
		fr := FileReport{Path: rel, Sources: sourcesOf[rel], Runs: runOf[rel]}
		fr.Table, fr.Partition = splitPartition(rel)
		if len(fr.Sources) == 0 {
			fr.Runs = owners[rel]
		}
		var why string
		fr.Rows, fr.Bytes, why = footer(p, fr.Table)
		if why != "" {
			add(ProblemUnreadable, rel, "%s", why)
		} else if w, ok := wrote[rel]; ok && (w.bytes != fr.Bytes || w.rows != fr.Rows) {
			add(ProblemUnreadable, rel, "%d bytes, %d rows; run %s wrote %d bytes, %d rows", fr.Bytes, fr.Rows, w.run, w.bytes, w.rows)
		}
		if len(fr.Sources) == 0 && len(fr.Runs) == 0 {
			if run, ok := partial[rel]; ok {
				fr.Runs = []string{run} // reported as partial above
			} else if w, ok := wrote[rel]; ok {
				add(ProblemUnowned, rel, "written by run %s for a source whose manifest no longer lists it (deleted or replaced)", w.run)
			} else {
				add(ProblemUnowned, rel, "no manifest or run record lists it (written by hand, or by a migreplay before run records)")
			}
		}
		rep.Files = append(rep.Files, fr)
	}
	for p, m := range listed {
		if !onDisk[p] {
			add(ProblemMissing, p, "listed by %s (source %s) but not in the lake", m, sourcesOf[p][0])
		}
	}
	for p, rs := range owners {
		if !onDisk[p] && len(sourcesOf[p]) == 0 {
			add(ProblemMissing, p, "written by run %s but not in the lake", rs[0])
		}
	}
	sort.SliceStable(rep.Problems, func(i, j int) bool {
		a, b := rep.Problems[i], rep.Problems[j]
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		return a.Kind < b.Kind
	})
	return rep, nil
}

// splitPartition splits table=<t>/host=…/date=…/part-….parquet into the
// table name and the partition folders.
func splitPartition(rel string) (table, partition string) {
	dir := pathDir(rel)
	first, rest, _ := strings.Cut(dir, "/")
	table, _ = Unescape(strings.TrimPrefix(first, "table="))
	return table, rest
}

// footer reads a file's Parquet footer: its rows and size, or why it is
// not a readable file of table.
func footer(path, table string) (rows, size int64, why string) {
	f, err := os.Open(path)
	if err != nil {
		return -1, 0, err.Error()
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return -1, 0, err.Error()
	}
	pf, err := parquet.OpenFile(f, st.Size(), parquet.SkipPageIndex(true), parquet.SkipBloomFilters(true))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return -1, st.Size(), err.Error()
		}
		return -1, st.Size(), fmt.Sprintf("not a readable Parquet file (%d bytes): %v", st.Size(), err)
	}
	if t, ok := pf.Lookup(schema.MetaTable); ok && t != table {
		return pf.NumRows(), st.Size(), fmt.Sprintf("a file of table %s under table=%s", t, table)
	}
	return pf.NumRows(), st.Size(), ""
}

// WriteText prints the report: per table and partition, each file with
// its rows and the sources and runs that produced it; then the problems,
// one line each.
func (r Report) WriteText(w io.Writer) error {
	bw := bufio.NewWriter(w)
	var table, part string
	for _, f := range r.Files {
		if f.Table != table {
			table, part = f.Table, "-"
			fmt.Fprintf(bw, "table %s\n", table)
		}
		if f.Partition != part {
			part = f.Partition
			if part != "" {
				fmt.Fprintf(bw, "  %s\n", part)
			}
		}
		fmt.Fprintf(bw, "    %s  %d rows  %d bytes", path.Base(f.Path), f.Rows, f.Bytes)
		if len(f.Sources) > 0 {
			fmt.Fprintf(bw, "  source %s", strings.Join(f.Sources, ", "))
		}
		if len(f.Runs) > 0 {
			fmt.Fprintf(bw, "  run %s", strings.Join(f.Runs, ", "))
		}
		fmt.Fprintln(bw)
	}
	fmt.Fprintf(bw, "%d files, %d runs, %d sources: %d problems\n", len(r.Files), r.Runs, r.Sources, len(r.Problems))
	for _, p := range r.Problems {
		fmt.Fprintln(bw, p)
	}
	return bw.Flush()
}
