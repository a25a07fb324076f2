package schema

import "time"

// Decision is what one migration policy decided at one decision point of
// one host (migreplay analyze): the policy triggered there and chose a
// guest, and a destination when one was known. Decision points are the
// host's xentop frames; see analysis/decide for the policies.
type Decision struct {
	Host          string    `parquet:"host,dict,zstd" json:"host" doc:"the overloaded host (source of the migration)"`
	Time          time.Time `parquet:"time,timestamp(microsecond),zstd" json:"time" doc:"the decision point: the xentop frame the policy triggered at"`
	Policy        string    `parquet:"policy,dict,zstd" json:"policy" doc:"registered policy name (seed002, sandpiper, idc, hotspot-ar1; migreplay analyze --help lists them)"`
	Trigger       string    `parquet:"trigger,zstd" json:"trigger" doc:"which resources crossed which thresholds, with the values (and, for hotspot-ar1, the AR(1) prediction and the k of n count)"`
	Action        string    `parquet:"action,dict,zstd" json:"action" doc:"migrate, or grant-memory (seed 003's memory overload step, before any migration)"`
	Domain        string    `parquet:"domain,dict,zstd" json:"domain" doc:"the chosen guest"`
	Dest          *string   `parquet:"dest,optional,dict,zstd" json:"dest" doc:"destination host; null when unknown (no other host in the lake or named with --dest-hosts, or none can take the guest within the thresholds) or for grant-memory"`
	DestNote      string    `parquet:"dest_note,dict,zstd" json:"dest_note" doc:"why the destination is what it is"`
	ScoreName     string    `parquet:"score_name,dict,zstd" json:"score_name" doc:"what score is: pred_total_s (seed002), vsr (sandpiper: volume per MiB), volume (idc, hotspot-ar1: V_ijk)"`
	Score         float64   `parquet:"score,zstd" json:"score" doc:"the chosen guest's score under the policy"`
	PredTotalS    *float64  `parquet:"pred_total_s,optional,zstd" json:"pred_total_s" unit:"s" doc:"predicted total migration time of the chosen guest (replay's analytic path, as analysis_vm); null for grant-memory"`
	PredDowntimeS *float64  `parquet:"pred_downtime_s,optional,zstd" json:"pred_downtime_s" unit:"s" doc:"predicted downtime of the chosen guest; null for grant-memory"`
	GrantMiB      *int64    `parquet:"grant_mib,optional,zstd" json:"grant_mib" unit:"MiB" doc:"memory granted (grant-memory only)"`
	HostCPUPct    float64   `parquet:"host_cpu_pct,zstd" json:"host_cpu_pct" unit:"%" doc:"host CPU utilisation at the decision point: every domain's CPU(%), Domain-0 included, over 100 × host_cpus"`
	HostCPUs      float64   `parquet:"host_cpus,zstd" json:"host_cpus" unit:"CPUs" doc:"the host's CPUs the utilisation is taken over"`
	HostCPUsFrom  string    `parquet:"host_cpus_from,dict,zstd" json:"host_cpus_from" doc:"where host_cpus comes from: --host-cpus, or Domain-0's VCPUS (Xen gives Domain-0 one vCPU per physical CPU unless dom0_max_vcpus is set; xentop -b never prints the host's CPU count)"`
	HostNetPct    float64   `parquet:"host_net_pct,zstd" json:"host_net_pct" unit:"%" doc:"host NIC utilisation: the guests' NETTX+NETRX rates less their IDC (when --idc gives it), over --nic-mbit"`
	HostSwapOut   *float64  `parquet:"host_swap_out_s,optional,zstd" json:"host_swap_out_s" unit:"pages/s" doc:"the host's swap-page writes (sar -W pswpout/s of the sample covering the decision point); null when the lake has no sar of this host: memory overload is then unknown"`
	IDC           string    `parquet:"idc,dict,zstd" json:"idc" doc:"inter-domain traffic used: the --idc file's name, or unknown (taken as 0)"`
	Candidates    int64     `parquet:"candidates,zstd" json:"candidates" doc:"number of (guest, destination) alternatives weighed"`
	Alternatives  string    `parquet:"alternatives,zstd" json:"alternatives" doc:"every alternative weighed, best first: guest→destination=score, '; '-separated, with a note in brackets when it was passed over; ? for an unknown destination"`
}

func (*Decision) TableName() string                { return "analysis_decision" }
func (r *Decision) Partition() (string, time.Time) { return r.Host, r.Time }

var _ = Register[Decision]("Migration decisions of each registered policy (seed 002's threshold, Sandpiper, seed 003's IDC-aware and AR(1) hotspot policies) at every decision point where it triggered (migreplay analyze).")

// QMPMigration is one migration found among a host's QMP query-migrate
// polls (migreplay analyze): its measured totals, and the guest's workload
// class from its load before the migration.
type QMPMigration struct {
	Host           string    `parquet:"host,dict,zstd" json:"host" doc:"the QEMU host (qmp_migrate.host)"`
	Time           time.Time `parquet:"time,timestamp(microsecond),zstd" json:"time" doc:"first poll's time (zero: the polls have no time)"`
	End            time.Time `parquet:"end,timestamp(microsecond),zstd" json:"end" doc:"last poll's time"`
	Polls          int64     `parquet:"polls,zstd" json:"polls" doc:"polls of this migration"`
	Status         string    `parquet:"status,dict,zstd" json:"status" doc:"last poll's status (completed, failed, cancelled, or active/setup when the log stops before the end)"`
	TotalTimeS     *float64  `parquet:"total_time_s,optional,zstd" json:"total_time_s" unit:"s" doc:"total-time of the last poll, when completed; null otherwise (the migration's time is not known)"`
	DowntimeMs     *float64  `parquet:"downtime_ms,optional,zstd" json:"downtime_ms" unit:"ms" doc:"downtime of the last poll (QEMU reports it once completed)"`
	SetupTimeMs    *float64  `parquet:"setup_time_ms,optional,zstd" json:"setup_time_ms" unit:"ms" doc:"setup-time"`
	RAMTotal       *int64    `parquet:"ram_total,optional,zstd" json:"ram_total" unit:"bytes" doc:"ram.total: the guest's RAM"`
	RAMTransferred *int64    `parquet:"ram_transferred,optional,zstd" json:"ram_transferred" unit:"bytes" doc:"ram.transferred of the last poll: bytes sent"`
	Syncs          *int64    `parquet:"syncs,optional,zstd" json:"syncs" doc:"largest ram.dirty-sync-count: dirty-bitmap syncs, i.e. pre-copy passes"`
	DirtyRateMean  *float64  `parquet:"dirty_rate_mean,optional,zstd" json:"dirty_rate_mean" unit:"pages/s" doc:"mean ram.dirty-pages-rate over the polls after the first sync measured one (the first pass reports 0: nothing measured yet)"`
	DirtyRateMax   *float64  `parquet:"dirty_rate_max,optional,zstd" json:"dirty_rate_max" unit:"pages/s" doc:"largest ram.dirty-pages-rate"`
	MbpsMedian     *float64  `parquet:"mbps_median,optional,zstd" json:"mbps_median" unit:"Mbit/s" doc:"median ram.mbps over the active polls"`
	ThrottleMaxPct *float64  `parquet:"throttle_max_pct,optional,zstd" json:"throttle_max_pct" unit:"%" doc:"largest cpu-throttle-percentage (auto-converge); null when no poll reports one"`
	Guest          *string   `parquet:"guest,optional,dict,zstd" json:"guest" doc:"the sar host read for the guest's load before the migration (the QMP host's name, or --qmp-guest); null when the lake has none"`
	Class          string    `parquet:"class,dict,zstd" json:"class" doc:"workload class: idle, cpu, memory-write, disk, network or unknown (analysis/class.go; README's analyze section gives the thresholds)"`
	ClassBasis     string    `parquet:"class_basis,zstd" json:"class_basis" doc:"the evidence the class rests on (loads before the migration, dirty rate) or why it is unknown"`
}

func (*QMPMigration) TableName() string { return "analysis_qmp_migration" }

// Partition places the row by host and start time.
func (r *QMPMigration) Partition() (string, time.Time) { return r.Host, r.Time }

var _ = Register[QMPMigration]("One row per migration logged by QMP query-migrate polls (migreplay analyze): total time, downtime, bytes, syncs, dirty rate, throttle, and the guest's workload class.")

// ClassPrediction is one measured migration beside the two predictions of
// its time (migreplay analyze): the fit of measured time against memory
// over the migrations of its workload class, and the replay engine's
// analytic prediction for the same guest.
type ClassPrediction struct {
	Host      string    `parquet:"host,dict,zstd" json:"host" doc:"the host the migration was measured on (the sender's for xentop, the QEMU host for QMP)"`
	Time      time.Time `parquet:"time,timestamp(microsecond),zstd" json:"time" doc:"start of the migration"`
	Source    string    `parquet:"source,dict,zstd" json:"source" doc:"where it was measured: xentop (analysis_migration) or qmp (analysis_qmp_migration)"`
	Domain    string    `parquet:"domain,dict,zstd" json:"domain" doc:"the guest (QMP: the host, its log names no guest)"`
	Class     string    `parquet:"class,dict,zstd" json:"class" doc:"the guest's workload class"`
	MemMiB    float64   `parquet:"mem_mib,zstd" json:"mem_mib" unit:"MiB" doc:"the guest's memory: the fit's x"`
	MeasuredS float64   `parquet:"measured_s,zstd" json:"measured_s" unit:"s" doc:"measured migration time (xentop: duration_s at its frame resolution; QMP: total-time)"`
	Model     string    `parquet:"model,dict,zstd" json:"model" doc:"the model fitted per class (fit's names)"`
	N         int64     `parquet:"n,zstd" json:"n" doc:"migrations of the class the fit is made on"`
	FitS      *float64  `parquet:"fit_s,optional,zstd" json:"fit_s" unit:"s" doc:"the class fit's time at this memory; null when the class could not be fitted (fit_error says why)"`
	FitLoS    *float64  `parquet:"fit_lo_s,optional,zstd" json:"fit_lo_s" unit:"s" doc:"lower end of its 95 % prediction interval"`
	FitHiS    *float64  `parquet:"fit_hi_s,optional,zstd" json:"fit_hi_s" unit:"s" doc:"upper end"`
	FitR2Y    *float64  `parquet:"fit_r2_y,optional,zstd" json:"fit_r2_y" doc:"the class fit's R² on y (1 − SSE/SST of the times)"`
	FitError  string    `parquet:"fit_error,dict,zstd" json:"fit_error" doc:"why the class has no fit (too few migrations, constant memory, ...); empty when it has one"`
	ReplayS   *float64  `parquet:"replay_s,optional,zstd" json:"replay_s" unit:"s" doc:"replay's analytic prediction for the same guest (as analysis_vm: its memory, a CPU-coupled dirty rate from its CPU before the migration, analyze's --policy and --bandwidth-mbit); null without a CPU load"`
}

func (*ClassPrediction) TableName() string                { return "analysis_class_prediction" }
func (r *ClassPrediction) Partition() (string, time.Time) { return r.Host, r.Time }

var _ = Register[ClassPrediction]("Measured migrations with the per-class fit's prediction of their time beside the replay's (migreplay analyze).")
