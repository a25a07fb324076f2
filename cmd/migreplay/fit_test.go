package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/migreplay/migreplay/fit"
	"github.com/migreplay/migreplay/fit/fitrun"
	"github.com/migreplay/migreplay/schema"
	"github.com/migreplay/migreplay/schema/table"
)

// FITTING.md's seven points (class cpu0) and a second class; the expected
// numbers are the fit package's own results on the same slices (its
// accuracy is checked against numpy/scipy in fit/python_test.go), so these
// tests check the plumbing: reading, grouping, labelling, writing.
var (
	cpuX = []float64{10, 50, 60, 70, 80, 90, 100}
	cpuY = []float64{100, 20, 17, 17, 17, 17, 17}
	memX = []float64{10, 30, 50, 70, 90, 100}
	memY = []float64{200, 90, 60, 45, 40, 38}
)

func writeFitCSV(t *testing.T, extra string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("workload,cap,time_s\n")
	for i := range cpuX {
		fmt.Fprintf(&b, "cpu0,%g,%g\n", cpuX[i], cpuY[i])
	}
	for i := range memX {
		fmt.Fprintf(&b, "mem,%g,%g\n", memX[i], memY[i])
	}
	b.WriteString("mem,,5\n") // null x: skipped
	b.WriteString(extra)
	p := filepath.Join(t.TempDir(), "m.csv")
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func runCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestFitTextTable(t *testing.T) {
	in := writeFitCSV(t, "")
	code, out, stderr := runCmd(t, "fit", "--in", in, "--x", "cap", "--y", "time_s", "--by", "workload", "--predict", "75")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	want, err := fit.FitPower(cpuX, cpuY, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Both R², each with its space; the skipped null row is reported.
	for _, s := range []string{fmt.Sprintf("%.4f log  %.4f", want.R2Fit, want.R2Y), "cpu0", "mem", "power*",
		"skipped 1 row(s)", "request", "holdout", "median"} {
		if !strings.Contains(out, s) {
			t.Errorf("output lacks %q:\n%s", s, out)
		}
	}
}

func TestFitJSONAndLake(t *testing.T) {
	in := writeFitCSV(t, "")
	dir := t.TempDir()
	code, out, stderr := runCmd(t, "fit", "--in", in, "--x", "cap", "--y", "time_s", "--by", "workload",
		"--model", "auto", "--predict", "25,75", "--json", "--out", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var res fitrun.Output
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	snakeCase(t, out)
	// auto: every model per class, the selected one has the smallest k-fold RMSE.
	nModels := len(fit.Models())
	if len(res.Fits) != 2*nModels {
		t.Fatalf("%d fits, want %d", len(res.Fits), 2*nModels)
	}
	for _, class := range []string{"cpu0", "mem"} {
		var sel *schema.FitResult
		minRMSE := 1e300
		for i, f := range res.Fits {
			if f.Class != class {
				continue
			}
			minRMSE = min(minRMSE, *f.KFoldRMSE)
			if f.Selected {
				if sel != nil {
					t.Errorf("%s: two selected", class)
				}
				sel = &res.Fits[i]
			}
		}
		if sel == nil || *sel.KFoldRMSE != minRMSE {
			t.Errorf("%s: selected %+v, min k-fold RMSE %v", class, sel, minRMSE)
		}
	}
	// The cpu0 power row carries the fit package's numbers, labelled.
	want, _ := fit.FitPower(cpuX, cpuY, nil)
	for _, f := range res.Fits {
		if f.Class == "cpu0" && f.Model == "power" {
			if f.R2Fit != want.R2Fit || f.R2Y != want.R2Y || f.Corr2Y != want.Corr2 || f.Space != "log" ||
				!f.ALogScale || f.A != want.Params[0].Value || f.C != nil || *f.KFoldK != 7 {
				t.Errorf("power row %+v", f)
			}
		}
	}
	// Predictions: 2 requests per class plus the held-out points (7−5, 6−5).
	if len(res.Predictions) != 2*2+2+1 {
		t.Errorf("%d predictions", len(res.Predictions))
	}
	// The lake holds the same rows.
	tbl, err := table.Read(filepath.Join(dir, "table=fits"), []string{"class", "model", "r2_fit", "selected"})
	if err != nil {
		t.Fatal(err)
	}
	r2, _, _ := tbl.Floats("r2_fit")
	if tbl.Rows != len(res.Fits) || r2[0] != res.Fits[0].R2Fit {
		t.Errorf("lake fits: %d rows, r2 %v", tbl.Rows, r2[:1])
	}
	pt, err := table.Read(filepath.Join(dir, "table=predictions"), []string{"y_pred", "y_observed"})
	if err != nil {
		t.Fatal(err)
	}
	_, obsValid, _ := pt.Floats("y_observed")
	holdout := 0
	for _, v := range obsValid {
		if v {
			holdout++
		}
	}
	if pt.Rows != len(res.Predictions) || holdout != 3 {
		t.Errorf("lake predictions: %d rows, %d with observations", pt.Rows, holdout)
	}
}

type fitParquetRow struct {
	Workload string  `parquet:"workload,dict"`
	Cap      float64 `parquet:"cap"`
	Time     float64 `parquet:"time_s"`
}

// A Parquet file in, no --by: one fit over all rows, same numbers as a CSV.
func TestFitParquetInput(t *testing.T) {
	p := filepath.Join(t.TempDir(), "runs.parquet")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	w := parquet.NewGenericWriter[fitParquetRow](f)
	var rows []fitParquetRow
	for i := range cpuX {
		rows = append(rows, fitParquetRow{"cpu0", cpuX[i], cpuY[i]})
	}
	if _, err := w.Write(rows); err != nil {
		t.Fatal(err)
	}
	w.Close()
	f.Close()
	code, out, stderr := runCmd(t, "fit", "--in", p, "--x", "cap", "--y", "time_s", "--model", "power-nls", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var res fitrun.Output
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	want, _ := fit.FitPowerNLS(cpuX, cpuY, nil)
	if len(res.Fits) != 1 || res.Fits[0].Class != "" || res.Fits[0].R2Y != want.R2Y || res.Fits[0].B != want.Params[1].Value {
		t.Errorf("fits %+v", res.Fits)
	}
}

func TestFitErrors(t *testing.T) {
	in := writeFitCSV(t, "")
	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"fit", "--in", in, "--x", "cap"}, 2, "required"},
		{[]string{"fit", "--in", in, "--x", "nope", "--y", "time_s"}, 2, "workload, cap, time_s"},
		{[]string{"fit", "--in", in, "--x", "workload", "--y", "time_s"}, 2, "m.csv:2:1"},
		{[]string{"fit", "--in", in, "--x", "cap", "--y", "time_s", "--model", "spline"}, 2, "--model"},
		{[]string{"fit", "--in", filepath.Join(t.TempDir(), "missing.csv"), "--x", "cap", "--y", "time_s"}, 2, "no such file"},
	} {
		code, _, stderr := runCmd(t, c.args...)
		if code != c.code || !strings.Contains(stderr, c.msg) {
			t.Errorf("%v: exit %d, %q; want %d and %q", c.args[1:], code, stderr, c.code, c.msg)
		}
	}
	// One class cannot be fitted (a zero time for a power law): the other
	// is still reported, and the exit status says so.
	in = writeFitCSV(t, "bad,10,0\nbad,20,1\nbad,30,2\n")
	code, out, stderr := runCmd(t, "fit", "--in", in, "--x", "cap", "--y", "time_s", "--by", "workload")
	if code != 1 || !strings.Contains(out, "error: class bad, power") || !strings.Contains(out, "non-positive") ||
		!strings.Contains(out, "cpu0") || !strings.Contains(stderr, "1 of 3 classes") {
		t.Errorf("exit %d\n%s\n%s", code, out, stderr)
	}
}

// ptrTo is a pointer to a copy of v (replay_test.go uses it too; fit.go
// had it before the row mapping moved to fit/fitrun).
func ptrTo[T any](v T) *T { return &v }
