package lake

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Recovered is what Recover did.
type Recovered struct {
	Finished []string `json:"finished"` // runs whose interrupted commit was redone
	Undone   []string `json:"undone"`   // runs whose interrupted commit could not be redone and was undone
	Removed  []string `json:"removed"`  // staging folders of dead runs removed, relative to the root
}

// Recover finishes or undoes the commits that dead runs left half done,
// then removes the staging folders of dead runs, under the lake's lock
// (so it is safe while other runs write the lake, and from several
// processes at once). Every run into a lake does the same when it starts
// and before it commits.
func Recover(root string) (Recovered, error) {
	if _, err := os.Stat(root); err != nil {
		return Recovered{}, fmt.Errorf("lake: %w", err)
	}
	var r Recovered
	err := withLock(root, func() error {
		var err error
		r, err = recoverLocked(root)
		return err
	})
	if err != nil {
		return r, fmt.Errorf("lake: %w", err)
	}
	return r, nil
}

// recoverLocked is Recover with the lock held. A commit record in
// _lake/pending/ seen under the lock belongs to a run that is no longer
// committing: the committer holds the lock from before writing it until
// it is moved or removed.
func recoverLocked(root string) (Recovered, error) {
	r := Recovered{Finished: []string{}, Undone: []string{}, Removed: []string{}}
	pend := filepath.Join(root, filepath.FromSlash(pendingDir))
	names, err := readDirNames(pend)
	if err != nil {
		return r, err
	}
	for _, name := range names {
		if !strings.HasSuffix(name, ".json") {
			continue
		}
		p := filepath.Join(pend, name)
		rec, err := readRecord(p)
		if err != nil {
			return r, fmt.Errorf("interrupted commit %s cannot be read (%v): nothing can be written into %s until it is repaired or removed ('migreplay lake check' shows the damage)", p, err, root)
		}
		redoErr := redo(root, &rec)
		if redoErr == nil {
			redoErr = fsys.Rename(p, filepath.Join(root, filepath.FromSlash(runsDir), rec.Run+".json"))
		}
		if redoErr == nil {
			r.Finished = append(r.Finished, rec.Run)
		} else if err := undo(root, &rec, p); err == nil {
			r.Undone = append(r.Undone, rec.Run)
		} else {
			return r, fmt.Errorf("interrupted commit of run %s can be neither redone (%v) nor undone (%v)", rec.Run, redoErr, err)
		}
		if err := fsys.RemoveAll(filepath.Join(root, tmpDir, rec.Run)); err != nil {
			return r, err
		}
	}
	removed, err := removeStale(root)
	r.Removed = append(r.Removed, removed...)
	return r, err
}

func readRecord(path string) (Record, error) {
	var rec Record
	if err := readJSON(path, &rec); err != nil {
		return rec, err
	}
	if rec.Run == "" || strings.ContainsAny(rec.Run, `/\`) || rec.Run+".json" != filepath.Base(path) {
		return rec, fmt.Errorf("run id %q does not match the file name", rec.Run)
	}
	return rec, nil
}

// removeStale removes the staging folders under _tmp/ whose run is dead:
// its lock (_tmp/<run>/lock) can be taken. Loose files there (from
// versions that staged without per-run folders) go too. _tmp/ itself goes
// when it is left empty.
func removeStale(root string) ([]string, error) {
	tmp := filepath.Join(root, tmpDir)
	names, err := readDirNames(tmp)
	if err != nil {
		return nil, err
	}
	var removed []string
	for _, name := range names {
		p := filepath.Join(tmp, name)
		st, err := os.Lstat(p)
		if err != nil {
			continue
		}
		if st.IsDir() {
			if _, live := liveRuns.Load(name); live {
				continue
			}
			lk, err := lockFile(filepath.Join(p, runLockName), false)
			if err != nil {
				continue // errLocked: a live run's; else its liveness is unknown
			}
			defer lk.Close()
		}
		if err := fsys.RemoveAll(p); err != nil {
			return removed, fmt.Errorf("removing the staging of a dead run: %w", err)
		}
		removed = append(removed, tmpDir+"/"+name)
	}
	if len(names) == len(removed) {
		if err := fsys.Remove(tmp); err != nil && !errors.Is(err, fs.ErrNotExist) && !isNotEmpty(err) {
			return removed, err
		}
	}
	return removed, nil
}

// readDirNames lists dir's entries, sorted; a missing dir has none.
func readDirNames(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	names := make([]string, len(ents))
	for i, e := range ents {
		names[i] = e.Name()
	}
	sort.Strings(names)
	return names, nil
}

// errLocked: another holder has the lock.
var errLocked = errors.New("locked")

// WriteText prints what recovery did, one line per run or folder.
func (r Recovered) WriteText(w io.Writer) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "finished %d interrupted commits, undid %d, removed %d staging folders of dead runs\n",
		len(r.Finished), len(r.Undone), len(r.Removed))
	for _, run := range r.Finished {
		fmt.Fprintf(bw, "finished: run %s\n", run)
	}
	for _, run := range r.Undone {
		fmt.Fprintf(bw, "undone: run %s\n", run)
	}
	for _, p := range r.Removed {
		fmt.Fprintf(bw, "removed: %s\n", p)
	}
	return bw.Flush()
}
