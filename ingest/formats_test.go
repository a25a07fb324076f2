package ingest

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/migreplay/migreplay/ingest/domjobinfo"
	"github.com/migreplay/migreplay/ingest/qmpcsv"
)

// The QMP CSV and virsh domjobinfo detectors claim their own inputs and no
// other format's: every golden input of every parser package, the shared
// samples and the third-party corpus (when beside the clone) are tried;
// each domjobinfo and qmp-csv golden input that its own detector accepts is
// picked as that format, and nothing else is picked as either.
func TestDetectNewFormatsOnlyTheirOwn(t *testing.T) {
	var files []string
	for _, pat := range []string{"*/testdata/*/input.txt", sharedSamples + "/*/*"} {
		m, _ := filepath.Glob(pat)
		files = append(files, m...)
	}
	filepath.WalkDir(sharedCorpus, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			files = append(files, p)
		}
		return nil
	})
	own := map[string]string{"domjobinfo/": domjobinfo.Format, "qmpcsv/": qmpcsv.Format}
	checked := map[string]int{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil || len(b) == 0 {
			continue
		}
		if len(b) > 64<<10 {
			b = b[:64<<10]
		}
		want := ""
		for dir, name := range own {
			if strings.HasPrefix(f, dir) {
				want = name
			}
		}
		got, err := pick("", b)
		switch {
		case want == "" && err == nil && (got.Name == domjobinfo.Format || got.Name == qmpcsv.Format):
			t.Errorf("%s: picked as %s", f, got.Name)
		case want == domjobinfo.Format && domjobinfo.Detect(b) || want == qmpcsv.Format && qmpcsv.Detect(b):
			if err != nil || got.Name != want {
				t.Errorf("%s: picked as %q (%v), want %s", f, got.Name, err, want)
			}
		}
		checked[want]++
	}
	t.Logf("inputs tried: %v", checked)
	if checked[""] < 100 || checked[domjobinfo.Format] < 10 || checked[qmpcsv.Format] < 5 {
		t.Errorf("too few inputs tried: %v", checked)
	}
}
