package schema

// ReplayRun is one replayed migration (migreplay replay): its inputs with
// every default applied, and its outcome. Not partitioned:
// table=replay_run/part-<hash>.parquet.
type ReplayRun struct {
	RunID        string   `parquet:"run_id,dict,zstd" json:"run_id" doc:"stable id of engine + resolved inputs (16 hex digits); joins replay_round"`
	SweepIndex   int64    `parquet:"sweep_index,zstd" json:"sweep_index" doc:"position in the sweep's enumeration order (0 for a single run)"`
	Engine       string   `parquet:"engine,dict,zstd" json:"engine" doc:"page (page-level bitmap engine) or analytic (Liu et al. 2011 fast path)"`
	Policy       string   `parquet:"policy,dict,zstd" json:"policy" doc:"stop policy: {replay.policies}"`
	PolicyOpts   string   `parquet:"policy_options,dict,zstd" json:"policy_options" doc:"the policy's non-default options, e.g. rate_adapt (xen-legacy) or ramp(150ms..1.05s/7,after=3,every=10s) (qemu with a downtime-limit ramp); empty when none"`
	DirtyModel   string   `parquet:"dirty_model,dict,zstd" json:"dirty_model" doc:"dirty-page model ({replay.models}) with its parameters, e.g. hotcold(rate=5000,hot_share=0.1,hot_writes=0.9)"`
	Seed         uint64   `parquet:"seed,zstd" json:"seed" doc:"PCG seed; the same inputs and seed give identical rows"`
	MemoryBytes  int64    `parquet:"memory_bytes,zstd" json:"memory_bytes" doc:"guest RAM" unit:"B"`
	PageSize     int64    `parquet:"page_size_bytes,zstd" json:"page_size_bytes" doc:"page size" unit:"B"`
	Bandwidth    *float64 `parquet:"bandwidth,optional,zstd" json:"bandwidth" doc:"link line rate; null when the link never limits (a local socket: the CPU does)" unit:"B/s"`
	MTU          int64    `parquet:"mtu_bytes,zstd" json:"mtu_bytes" doc:"IP MTU; each packet carries MTU-40 B of stream and takes MTU+38 B of wire time" unit:"B"`
	MaxBandwidth *float64 `parquet:"max_bandwidth,optional,zstd" json:"max_bandwidth" doc:"hypervisor rate limit (QEMU max-bandwidth); null when none" unit:"B/s"`
	CPUCap       float64  `parquet:"cpu_cap,zstd" json:"cpu_cap" doc:"share of one CPU available to the sender (Dom0 cap, seed 004)" unit:"1"`
	CPURate      *float64 `parquet:"cpu_rate,optional,zstd" json:"cpu_rate" doc:"stream rate one full CPU sustains at MTU 1500; null when the CPU never limits" unit:"B/s"`
	StreamRate   float64  `parquet:"stream_rate,zstd" json:"stream_rate" doc:"migration stream rate: min of link goodput, CPU-limited rate and rate limit" unit:"B/s"`
	RateBound    string   `parquet:"rate_bound,dict,zstd" json:"rate_bound" doc:"what bounds stream_rate: link, cpu or limit"`
	ZeroShare    float64  `parquet:"zero_share,zstd" json:"zero_share" doc:"share of pages zero at the start, sent as markers" unit:"1"`
	DowntimeLim  float64  `parquet:"downtime_limit_s,zstd" json:"downtime_limit_s" doc:"downtime the policy aims for (QEMU downtime-limit, SimGrid max downtime)" unit:"s"`
	AutoConv     bool     `parquet:"auto_converge,zstd" json:"auto_converge" doc:"QEMU auto-converge throttling enabled"`
	PostcopyAft  *int64   `parquet:"postcopy_after,optional,zstd" json:"postcopy_after" doc:"live pre-copy rounds before switching to post-copy; null for pure pre-copy and for a switch by time (postcopy_at_s)" unit:"rounds"`
	PostcopyAt   *float64 `parquet:"postcopy_at_s,optional,zstd" json:"postcopy_at_s" doc:"time since the start at which post-copy was requested (migrate-start-postcopy; QEMU switches after the iteration in progress); null unless the switch is by time" unit:"s"`
	ReadRate     float64  `parquet:"read_rate,zstd" json:"read_rate" doc:"guest page reads per second on the dirty model's pages: post-copy remote faults count them with the writes; 0 when not given (QMP does not measure reads)" unit:"pages/s"`
	StateBytes   float64  `parquet:"state_bytes,zstd" json:"state_bytes" doc:"CPU and device state sent in the stop-and-copy round besides RAM" unit:"B"`
	StateTime    float64  `parquet:"state_time_s,zstd" json:"state_time_s" doc:"stop-and-copy cost independent of the link: pause, resume, network re-announce" unit:"s"`
	TotalTime    float64  `parquet:"total_time_s,zstd" json:"total_time_s" doc:"setup to resume (post-copy: to the last page's arrival); time of giving up when not converged" unit:"s"`
	Downtime     float64  `parquet:"downtime_s,zstd" json:"downtime_s" doc:"the pause (QEMU downtime): stop to resume, the pages pending after the last sync and state_bytes at the stop-and-copy rate (QEMU: without max-bandwidth, which it lifts at switch-over) plus state_time; post-copy: the switch-over; 0 when not converged" unit:"s"`
	ExpDowntime  float64  `parquet:"expected_downtime_s,zstd" json:"expected_downtime_s" doc:"QEMU's expected-downtime as QEMU computes it: pages pending at the last dirty-bitmap sync × page size / the stream rate then, no device state; for a converged pre-copy the estimate the switch-over was decided on, else what stopping at the end would have cost by it" unit:"s"`
	BytesSent    int64    `parquet:"bytes_sent,zstd" json:"bytes_sent" doc:"migration stream bytes sent (pages with headers, zero-page markers)" unit:"B"`
	PagesSent    int64    `parquet:"pages_sent,zstd" json:"pages_sent" doc:"pages sent in full, all rounds" unit:"pages"`
	ZeroPages    int64    `parquet:"zero_pages,zstd" json:"zero_pages" doc:"zero-page markers sent" unit:"pages"`
	Rounds       int64    `parquet:"rounds,zstd" json:"rounds" doc:"live pre-copy rounds, the stop-and-copy round excluded" unit:"rounds"`
	Syncs        int64    `parquet:"syncs,zstd" json:"syncs" doc:"dirty-bitmap syncs counted as QEMU's dirty-sync-count (rounds + 2)" unit:"syncs"`
	Converged    bool     `parquet:"converged,zstd" json:"converged" doc:"whether the migration completed before the timeout"`
	StopReason   string   `parquet:"stop_reason,dict,zstd" json:"stop_reason" doc:"rule that ended pre-copy: {replay.stop_reasons}"`
	MaxThrottle  float64  `parquet:"max_throttle,zstd" json:"max_throttle" doc:"largest auto-converge throttle applied" unit:"1"`
	PostcopyTime float64  `parquet:"postcopy_time_s,zstd" json:"postcopy_time_s" doc:"post-copy degraded window: resume on the destination to the last page" unit:"s"`
	RemoteFaults int64    `parquet:"remote_faults,zstd" json:"remote_faults" doc:"post-copy pages fetched on demand: pages written or read (read_rate) before they were pushed" unit:"pages"`
	StallTime    float64  `parquet:"stall_time_s,zstd" json:"stall_time_s" doc:"time the guest waited on post-copy remote faults" unit:"s"`
}

func (*ReplayRun) TableName() string { return "replay_run" }

var _ = Register[ReplayRun]("Replayed live migrations: resolved inputs and outcome, one row per configuration (migreplay replay, --sweep).")

// ReplayRound is one round of a replayed migration. Not partitioned:
// table=replay_round/part-<hash>.parquet.
type ReplayRound struct {
	RunID        string  `parquet:"run_id,dict,zstd" json:"run_id" doc:"the replay_run row this round belongs to"`
	Round        int64   `parquet:"round,zstd" json:"round" doc:"1-based round number"`
	Phase        string  `parquet:"phase,dict,zstd" json:"phase" doc:"precopy, stop-copy or postcopy"`
	Start        float64 `parquet:"start_s,zstd" json:"start_s" doc:"round start since the migration began" unit:"s"`
	Duration     float64 `parquet:"duration_s,zstd" json:"duration_s" doc:"round length" unit:"s"`
	Pending      int64   `parquet:"pages_pending,zstd" json:"pages_pending" doc:"pages pending when the round began" unit:"pages"`
	PagesSent    int64   `parquet:"pages_sent,zstd" json:"pages_sent" doc:"pages sent in full" unit:"pages"`
	ZeroPages    int64   `parquet:"zero_pages,zstd" json:"zero_pages" doc:"zero pages sent as markers" unit:"pages"`
	PagesSkipped int64   `parquet:"pages_skipped,zstd" json:"pages_skipped" doc:"pages deferred because written again during the round (Xen legacy)" unit:"pages"`
	PagesLeft    int64   `parquet:"pages_left,zstd" json:"pages_left" doc:"pending pages left unsent at the bitmap sync (QEMU's pass tail)" unit:"pages"`
	PagesDirtied int64   `parquet:"pages_dirtied,zstd" json:"pages_dirtied" doc:"distinct pages the guest wrote during the round" unit:"pages"`
	Writes       int64   `parquet:"writes,zstd" json:"writes" doc:"page writes drawn during the round" unit:"writes"`
	Bytes        int64   `parquet:"bytes,zstd" json:"bytes" doc:"stream bytes sent" unit:"B"`
	Rate         float64 `parquet:"rate,zstd" json:"rate" doc:"stream rate during the round" unit:"B/s"`
	Throttle     float64 `parquet:"throttle,zstd" json:"throttle" doc:"share of time the guest was kept off the CPU (auto-converge; post-copy stalls)" unit:"1"`
	PendingAfter int64   `parquet:"pages_pending_after,zstd" json:"pages_pending_after" doc:"pages pending when the round ended" unit:"pages"`
	RemoteFaults int64   `parquet:"remote_faults,zstd" json:"remote_faults" doc:"post-copy pages fetched on demand in the round" unit:"pages"`
}

func (*ReplayRound) TableName() string { return "replay_round" }

var _ = Register[ReplayRound]("Rounds of replayed migrations (pages sent, duration, pages dirtied, throttle), joined to replay_run by run_id.")
