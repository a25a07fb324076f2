// Package datasets holds the numbers transcribed from the seed papers (/work/shared/seeds) as CSV
// files with provenance, embedded in the binary, and small typed loaders for them.
//
// Every CSV row says where its value stands in the seed's text: the seed file, a human-readable
// source (table or section), an anchor (verbatim text printed at or shortly before the value), the
// 1-based line of the value in the seed file, the value exactly as printed, the unit as printed,
// the value converted to the unit named in the column header, and a note for every correction of
// the scanned text. README.md lists the files, their columns and every correction; seeds/EXPERIMENTS.md
// describes the experiments behind them.
//
// The loaders are strict: every CSV column must map to a field and every field to a column, enums
// are checked, and a value is present exactly when its status says it was measured. Errors name
// the file, line and column.
package datasets

import (
	"embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

//go:embed seeds/*.csv
var embedded embed.FS

// FS returns the embedded CSV files; their names are "seeds/<file>.csv".
func FS() fs.FS { return embedded }

// Files lists the embedded CSV files by name ("seeds/seed001_packet_size.csv", ...), sorted.
func Files() ([]string, error) {
	names, err := fs.Glob(embedded, "seeds/*.csv")
	if err != nil {
		return nil, fmt.Errorf("datasets: list embedded CSV files: %w", err)
	}
	slices.Sort(names)
	return names, nil
}

// File names of the embedded tables.
const (
	FilePacketSize     = "seeds/seed001_packet_size.csv"
	FileCPUMemory      = "seeds/seed001_cpu_memory.csv"
	FilePublishedR2    = "seeds/seed004_published_r2.csv"
	FileMigrationTimes = "seeds/seed004_migration_times.csv"
	FileDom0CPUUse     = "seeds/seed004_dom0_cpu_use.csv"
	FileMemoryResponse = "seeds/seed000_memory_response.csv"
	FileRTTMigration   = "seeds/seed000_rtt_migration.csv"
	FileNetperf        = "seeds/seed003_table1_1_netperf.csv"
)

// ErrInvalid is wrapped by every error about a malformed or inconsistent CSV row.
var ErrInvalid = errors.New("invalid dataset")

// Provenance locates a transcribed value in its seed paper.
type Provenance struct {
	SeedFile string `csv:"seed_file"` // file name under /work/shared/seeds
	Source   string `csv:"source"`    // table or section, human-readable
	Anchor   string `csv:"anchor"`    // verbatim text printed at or up to 60 lines before SeedLine
	SeedLine int    `csv:"seed_line"` // 1-based line of the value in SeedFile
	Note     string `csv:"note"`      // every correction of the scanned text, and caveats
}

// Seed 001 hypervisors, in the paper's order.
const (
	XenPV  = "Xen-PV"
	XenHVM = "Xen-HVM"
	OpenVZ = "OpenVZ"
	KVMFV  = "KVM-FV"
	KVMPV  = "KVM-PV"
)

// Hypervisors lists seed 001's hypervisors in the paper's order (sections 4.2–4.6).
func Hypervisors() []string { return []string{XenPV, XenHVM, OpenVZ, KVMFV, KVMPV} }

// Metrics of seed 001's packet-size tables.
const (
	MetricTotalTime = "total_migration_time"
	MetricDowntime  = "downtime"
)

// Statuses of a transcribed value.
const (
	StatusMeasured      = "measured"       // a value is printed
	StatusDidNotFinish  = "did_not_finish" // the migration never finished ("No limit")
	StatusNotCalculable = "not_calculable" // printed as "It can't be calculated"
	StatusPrinted       = "printed"        // a published R² is printed
	StatusNotPrinted    = "not_printed"    // the experiment exists but no R² is printed
)

// PacketSizeRow is one value of seed 001's total migration time or downtime against packet size
// (tables 7, 14, 21, 28, 35 and, for Xen-PV at 1500 B, sections 4.2.3–4.2.4).
type PacketSizeRow struct {
	Provenance
	Hypervisor          string   `csv:"hypervisor"`
	PacketSizeAsPrinted string   `csv:"packet_size_as_printed"`
	PacketSizeBytes     int      `csv:"packet_size_bytes"` // the MTU set with ifconfig, bytes
	Metric              string   `csv:"metric"`            // MetricTotalTime or MetricDowntime
	ColumnAsPrinted     string   `csv:"column_as_printed"` // table column header, or the sentence's wording
	ValueAsPrinted      string   `csv:"value_as_printed"`
	UnitAsPrinted       string   `csv:"unit_as_printed"`
	Seconds             *float64 `csv:"value_s"` // nil unless Status is StatusMeasured
	Status              string   `csv:"status"`  // StatusMeasured or StatusDidNotFinish
}

func (r *PacketSizeRow) validate() error {
	if !slices.Contains(Hypervisors(), r.Hypervisor) {
		return fmt.Errorf("hypervisor %q is not one of %v", r.Hypervisor, Hypervisors())
	}
	if r.Metric != MetricTotalTime && r.Metric != MetricDowntime {
		return fmt.Errorf("metric %q is neither %q nor %q", r.Metric, MetricTotalTime, MetricDowntime)
	}
	if r.PacketSizeBytes <= 0 {
		return fmt.Errorf("packet_size_bytes %d is not positive", r.PacketSizeBytes)
	}
	return checkStatus(r.Status, r.Seconds, "value_s", StatusMeasured, StatusDidNotFinish)
}

// LoadPacketSize reads seed 001's total migration time and downtime against packet size.
func LoadPacketSize() ([]PacketSizeRow, error) {
	return load[PacketSizeRow](embedded, FilePacketSize)
}

// PacketSizeSeries returns the measured points of one hypervisor and metric, ordered by packet
// size: x in bytes, y in seconds. Rows without a value (a migration that never finished) are left
// out; skipped counts them.
func PacketSizeSeries(rows []PacketSizeRow, hypervisor, metric string) (bytes, seconds []float64, skipped int) {
	var sel []PacketSizeRow
	for _, r := range rows {
		if r.Hypervisor != hypervisor || r.Metric != metric {
			continue
		}
		if r.Seconds == nil {
			skipped++
			continue
		}
		sel = append(sel, r)
	}
	slices.SortStableFunc(sel, func(a, b PacketSizeRow) int { return a.PacketSizeBytes - b.PacketSizeBytes })
	for _, r := range sel {
		bytes = append(bytes, float64(r.PacketSizeBytes))
		seconds = append(seconds, *r.Seconds)
	}
	return bytes, seconds, skipped
}

// Metrics of seed 001's CPU and memory tables.
const (
	MetricCPU    = "cpu_consumption"
	MetricMemory = "memory_utilization"
)

// CPUMemoryRow is one sample of seed 001's CPU consumption or memory utilization after the
// migration (tables 1–6, 8–13, 15–20, 22–27, 29–34).
type CPUMemoryRow struct {
	Provenance
	Hypervisor        string   `csv:"hypervisor"`
	PacketSizeBytes   int      `csv:"packet_size_bytes"`
	Metric            string   `csv:"metric"` // MetricCPU or MetricMemory
	HeaderAsPrinted   string   `csv:"header_as_printed"`
	ValueAsPrinted    string   `csv:"value_as_printed"`
	UnitAsPrinted     string   `csv:"unit_as_printed"`
	Percent           *float64 `csv:"value_pct"`
	TimeAsPrinted     string   `csv:"time_as_printed"`
	TimeUnitAsPrinted string   `csv:"time_unit_as_printed"`
	TimeS             *float64 `csv:"time_s"` // seconds after the migration started
	Status            string   `csv:"status"` // StatusMeasured or StatusNotCalculable
}

func (r *CPUMemoryRow) validate() error {
	if !slices.Contains(Hypervisors(), r.Hypervisor) {
		return fmt.Errorf("hypervisor %q is not one of %v", r.Hypervisor, Hypervisors())
	}
	if r.Metric != MetricCPU && r.Metric != MetricMemory {
		return fmt.Errorf("metric %q is neither %q nor %q", r.Metric, MetricCPU, MetricMemory)
	}
	if err := checkStatus(r.Status, r.Percent, "value_pct", StatusMeasured, StatusNotCalculable); err != nil {
		return err
	}
	return checkStatus(r.Status, r.TimeS, "time_s", StatusMeasured, StatusNotCalculable)
}

// LoadCPUMemory reads seed 001's CPU and memory time series.
func LoadCPUMemory() ([]CPUMemoryRow, error) {
	return load[CPUMemoryRow](embedded, FileCPUMemory)
}

// PublishedR2Row is one of seed 004's power-regression models with its published coefficient of
// determination. The paper prints no equations, coefficients or prediction errors (its Table 1 is
// not in the text), so those columns are empty; they are kept so a later transcription from the
// original figures has a place to go.
type PublishedR2Row struct {
	Provenance
	ExperimentID              string   `csv:"experiment_id"`
	Description               string   `csv:"description"`
	Workload                  string   `csv:"workload"`
	Varied                    string   `csv:"varied"`              // source_dom0_cap or destination_dom0_cap
	DomUCapPct                *float64 `csv:"domu_cap_pct"`        // nil when not stated
	SourceDom0CapPct          *float64 `csv:"source_dom0_cap_pct"` // the fixed source cap when the destination's is varied
	Model                     string   `csv:"model"`
	R2AsPrinted               string   `csv:"r2_as_printed"`
	UnitAsPrinted             string   `csv:"unit_as_printed"`
	R2                        *float64 `csv:"r2_fraction"`   // 0..1; nil when not printed
	R2Convention              string   `csv:"r2_convention"` // what the paper says about how R² was computed
	Figure                    string   `csv:"figure"`
	EquationAsPrinted         string   `csv:"equation_as_printed"`
	CoefA                     *float64 `csv:"coef_a"`
	CoefB                     *float64 `csv:"coef_b"`
	PredictionErrorsAsPrinted string   `csv:"prediction_errors_as_printed"`
	Status                    string   `csv:"status"` // StatusPrinted or StatusNotPrinted
	ContextAsPrinted          string   `csv:"context_as_printed"`
}

func (r *PublishedR2Row) validate() error {
	if r.Varied != "source_dom0_cap" && r.Varied != "destination_dom0_cap" {
		return fmt.Errorf("varied %q is neither source_dom0_cap nor destination_dom0_cap", r.Varied)
	}
	if r.R2 != nil && (*r.R2 < 0 || *r.R2 > 1) {
		return fmt.Errorf("r2_fraction %g is outside [0, 1]", *r.R2)
	}
	return checkStatus(r.Status, r.R2, "r2_fraction", StatusPrinted, StatusNotPrinted)
}

// Decimals is the number of digits printed after the decimal point of the published percentage
// ("94.1%" → 1, "75%" → 0): compare ours at that precision.
func (r PublishedR2Row) Decimals() int {
	s := strings.TrimSuffix(strings.TrimSpace(r.R2AsPrinted), "%")
	if i := strings.IndexByte(s, '.'); i >= 0 {
		return len(s) - i - 1
	}
	return 0
}

// LoadPublishedR2 reads seed 004's published R² values.
func LoadPublishedR2() ([]PublishedR2Row, error) {
	return load[PublishedR2Row](embedded, FilePublishedR2)
}

// Kinds of seed 004's migration-time statements.
const (
	KindPoint   = "point"   // a time at one cap
	KindPlateau = "plateau" // one time over a range of caps
	KindShape   = "shape"   // a statement about the curve without a number
)

// MigrationTimeRow is one statement of seed 004's text about migration time against a CPU cap.
// The paper's measured points are in figures only; the text gives three numbers for the
// CPU-intensive VM and one for memory read, and shapes for the rest.
type MigrationTimeRow struct {
	Provenance
	ExperimentID     string   `csv:"experiment_id"`
	Description      string   `csv:"description"`
	XVariable        string   `csv:"x_variable"` // source_dom0_cap, destination_dom0_cap or domu_cap
	XLowPct          *float64 `csv:"x_low_pct"`  // nil when open or not stated
	XHighPct         *float64 `csv:"x_high_pct"` // nil when open or not stated
	TimeAsPrinted    string   `csv:"time_as_printed"`
	UnitAsPrinted    string   `csv:"unit_as_printed"`
	TimeS            *float64 `csv:"time_s"`    // nil for KindShape
	Qualifier        string   `csv:"qualifier"` // "about" when the text says so
	Kind             string   `csv:"kind"`
	Figure           string   `csv:"figure"`
	ContextAsPrinted string   `csv:"context_as_printed"`
}

func (r *MigrationTimeRow) validate() error {
	switch r.XVariable {
	case "source_dom0_cap", "destination_dom0_cap", "domu_cap":
	default:
		return fmt.Errorf("x_variable %q is not source_dom0_cap, destination_dom0_cap or domu_cap", r.XVariable)
	}
	if r.XLowPct != nil && r.XHighPct != nil && *r.XLowPct > *r.XHighPct {
		return fmt.Errorf("x_low_pct %g exceeds x_high_pct %g", *r.XLowPct, *r.XHighPct)
	}
	switch r.Kind {
	case KindPoint, KindPlateau:
		if r.TimeS == nil {
			return fmt.Errorf("kind %q needs time_s", r.Kind)
		}
	case KindShape:
		if r.TimeS != nil {
			return fmt.Errorf("kind %q has no time_s, got %g", r.Kind, *r.TimeS)
		}
	default:
		return fmt.Errorf("kind %q is not %q, %q or %q", r.Kind, KindPoint, KindPlateau, KindShape)
	}
	return nil
}

// LoadMigrationTimes reads what seed 004's text states about migration times.
func LoadMigrationTimes() ([]MigrationTimeRow, error) {
	return load[MigrationTimeRow](embedded, FileMigrationTimes)
}

// Dom0CPUUseRow is seed 004's statement of how much CPU Dom0 actually used during a migration.
type Dom0CPUUseRow struct {
	Provenance
	ExperimentID     string  `csv:"experiment_id"`
	Host             string  `csv:"host"` // source or destination
	Condition        string  `csv:"condition"`
	ValueAsPrinted   string  `csv:"value_as_printed"`
	UnitAsPrinted    string  `csv:"unit_as_printed"`
	Dom0CPUPct       float64 `csv:"dom0_cpu_pct"` // percent of one physical CPU (Xen's cap unit)
	Qualifier        string  `csv:"qualifier"`    // at_most or about
	ContextAsPrinted string  `csv:"context_as_printed"`
}

func (r *Dom0CPUUseRow) validate() error {
	if r.Host != "source" && r.Host != "destination" {
		return fmt.Errorf("host %q is neither source nor destination", r.Host)
	}
	if r.Qualifier != "at_most" && r.Qualifier != "about" {
		return fmt.Errorf("qualifier %q is neither at_most nor about", r.Qualifier)
	}
	return nil
}

// LoadDom0CPUUse reads seed 004's statements of Dom0's actual CPU use.
func LoadDom0CPUUse() ([]Dom0CPUUseRow, error) {
	return load[Dom0CPUUseRow](embedded, FileDom0CPUUse)
}

// MemoryResponseRow is a row of seed 000's tables 1 and 2 (Httperf response time and CPU while
// ballooning a DomU's memory). Not a migration measurement.
type MemoryResponseRow struct {
	Provenance
	Table             int      `csv:"table"`
	MemoryAsPrinted   string   `csv:"memory_as_printed"`
	MemoryMB          float64  `csv:"memory_mb"`
	ResponseAsPrinted string   `csv:"response_as_printed"`
	UnitAsPrinted     string   `csv:"unit_as_printed"`
	ResponseMS        float64  `csv:"response_ms"`
	CPUAsPrinted      string   `csv:"cpu_as_printed"`
	CPUPct            *float64 `csv:"cpu_pct"` // nil where the text lost the cell
}

// LoadMemoryResponse reads seed 000's tables 1 and 2.
func LoadMemoryResponse() ([]MemoryResponseRow, error) {
	return load[MemoryResponseRow](embedded, FileMemoryResponse)
}

// RTTRow is a round-trip time seed 000's text states for a ping run across a live migration.
type RTTRow struct {
	Provenance
	Table            *int     `csv:"table"`  // 3 or 4; nil when the fragment's table is unknown
	Script           string   `csv:"script"` // modified, original or unknown heartbeat script
	Phase            string   `csv:"phase"`
	TStartS          *float64 `csv:"t_start_s"` // seconds into the 30 s ping run; nil when not stated
	TEndS            *float64 `csv:"t_end_s"`
	RTTAsPrinted     string   `csv:"rtt_as_printed"`
	UnitAsPrinted    string   `csv:"unit_as_printed"`
	RTTMS            float64  `csv:"rtt_ms"`
	Qualifier        string   `csv:"qualifier"`
	ContextAsPrinted string   `csv:"context_as_printed"`
}

// LoadRTTMigration reads seed 000's round-trip times around a migration.
func LoadRTTMigration() ([]RTTRow, error) {
	return load[RTTRow](embedded, FileRTTMigration)
}

// NetperfRow is a row of seed 003's Table 1.1 (netperf through the NIC and through inter-domain
// communication on Xen 3.1.0). Not a migration measurement.
type NetperfRow struct {
	Provenance
	Path                string  `csv:"path"` // NIC or IDC
	ThroughputAsPrinted string  `csv:"throughput_as_printed"`
	UnitAsPrinted       string  `csv:"unit_as_printed"`
	ThroughputMbitS     float64 `csv:"throughput_mbit_s"` // 10^6 bit/s
	CPUAsPrinted        string  `csv:"cpu_as_printed"`
	CPUPct              float64 `csv:"cpu_pct"`
}

// LoadNetperf reads seed 003's Table 1.1.
func LoadNetperf() ([]NetperfRow, error) {
	return load[NetperfRow](embedded, FileNetperf)
}

// checkStatus requires v to be present exactly when status is the first allowed status.
func checkStatus(status string, v *float64, col string, allowed ...string) error {
	if !slices.Contains(allowed, status) {
		return fmt.Errorf("status %q is not one of %v", status, allowed)
	}
	if have := v != nil; have != (status == allowed[0]) {
		if have {
			return fmt.Errorf("status %q but %s is %g: a value belongs only to status %q", status, col, *v, allowed[0])
		}
		return fmt.Errorf("status %q but %s is empty", status, col)
	}
	return nil
}

// field binds a CSV column to a struct field, addressed by its reflect index path.
type field struct {
	col   string
	index []int
}

// fieldsOf lists the csv-tagged fields of t, descending into embedded structs.
func fieldsOf(t reflect.Type, prefix []int) []field {
	var out []field
	for i := range t.NumField() {
		f := t.Field(i)
		idx := append(slices.Clone(prefix), i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			out = append(out, fieldsOf(f.Type, idx)...)
			continue
		}
		if col, ok := f.Tag.Lookup("csv"); ok {
			out = append(out, field{col: col, index: idx})
		}
	}
	return out
}

// load decodes the CSV file name in fsys into rows of T. The header must name exactly the
// csv-tagged fields of T (in any order). After decoding, a row whose pointer type has a
// validate() error method is validated.
func load[T any](fsys fs.FS, name string) ([]T, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, fmt.Errorf("datasets: open %s: %w", name, err)
	}
	defer f.Close()
	cr := csv.NewReader(f)
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("datasets: %s: read header: %w", name, err)
	}
	fields := fieldsOf(reflect.TypeFor[T](), nil)
	colOf := make(map[string]int, len(header))
	for i, h := range header {
		if _, dup := colOf[h]; dup {
			return nil, fmt.Errorf("datasets: %s:1:%d: column %q appears twice: %w", name, i+1, h, ErrInvalid)
		}
		colOf[h] = i
	}
	known := make(map[string]bool, len(fields))
	for _, fd := range fields {
		known[fd.col] = true
		if _, ok := colOf[fd.col]; !ok {
			return nil, fmt.Errorf("datasets: %s:1: column %q is missing from the header: add it: %w", name, fd.col, ErrInvalid)
		}
	}
	for i, h := range header {
		if !known[h] {
			return nil, fmt.Errorf("datasets: %s:1:%d: column %q has no field in %T: add one or drop the column: %w", name, i+1, h, *new(T), ErrInvalid)
		}
	}
	var rows []T
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("datasets: %s: %w", name, err)
		}
		var row T
		v := reflect.ValueOf(&row).Elem()
		for _, fd := range fields {
			i := colOf[fd.col]
			if err := set(v.FieldByIndex(fd.index), rec[i]); err != nil {
				line, col := cr.FieldPos(i)
				return nil, fmt.Errorf("datasets: %s:%d:%d: column %s: %w: fix the CSV", name, line, col, fd.col, err)
			}
		}
		if vr, ok := any(&row).(interface{ validate() error }); ok {
			if err := vr.validate(); err != nil {
				line, _ := cr.FieldPos(0)
				return nil, fmt.Errorf("datasets: %s:%d: %w: %w", name, line, err, ErrInvalid)
			}
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// set stores the CSV cell s into v. Empty cells are nil for pointers and an error otherwise,
// except for strings.
func set(v reflect.Value, s string) error {
	if v.Kind() == reflect.Pointer {
		if s == "" {
			v.SetZero()
			return nil
		}
		p := reflect.New(v.Type().Elem())
		if err := set(p.Elem(), s); err != nil {
			return err
		}
		v.Set(p)
		return nil
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Int:
		n, err := strconv.Atoi(s)
		if err != nil {
			return fmt.Errorf("%w: %w", err, ErrInvalid)
		}
		v.SetInt(int64(n))
	case reflect.Float64:
		x, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return fmt.Errorf("%w: %w", err, ErrInvalid)
		}
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("%q is not a finite number: %w", s, ErrInvalid)
		}
		v.SetFloat(x)
	default:
		panic(fmt.Sprintf("datasets: field kind %s has no decoder", v.Kind()))
	}
	return nil
}
