package schema

import "time"

// PingOutage is one run of unanswered probes between two replies in a
// ping_reply series (migreplay analyze): the downtime a live migration
// caused as seen from the network.
type PingOutage struct {
	Host        string    `parquet:"host,dict,zstd" json:"host" doc:"host ping ran on"`
	Target      string    `parquet:"target,dict,zstd" json:"target" doc:"destination pinged"`
	Time        time.Time `parquet:"time,timestamp(microsecond),zstd" json:"time" doc:"time of the last reply before the outage"`
	End         time.Time `parquet:"end,timestamp(microsecond),zstd" json:"end" doc:"time of the first reply after it"`
	DowntimeMs  float64   `parquet:"downtime_ms,zstd" json:"downtime_ms" unit:"ms" doc:"end - time: the gap between the replies around the outage (TRACES.md's definition)"`
	Lost        int64     `parquet:"lost,zstd" json:"lost" unit:"probes" doc:"probes in the outage with no reply (timeouts and ICMP errors)"`
	FirstSeq    int64     `parquet:"first_seq,zstd" json:"first_seq" doc:"icmp_seq of the first unanswered probe"`
	LastSeq     int64     `parquet:"last_seq,zstd" json:"last_seq" doc:"icmp_seq of the last unanswered probe"`
	IntervalMs  float64   `parquet:"interval_ms,zstd" json:"interval_ms" unit:"ms" doc:"median gap between consecutive replies of the series (the probe interval when nothing is lost)"`
	RTTBeforeMs *float64  `parquet:"rtt_before_ms,optional,zstd" json:"rtt_before_ms" unit:"ms" doc:"median RTT of the 20 replies before the outage"`
	RTTAfterMs  *float64  `parquet:"rtt_after_ms,optional,zstd" json:"rtt_after_ms" unit:"ms" doc:"median RTT of the 20 replies after it"`
}

func (*PingOutage) TableName() string                { return "analysis_ping_outage" }
func (r *PingOutage) Partition() (string, time.Time) { return r.Host, r.Time }

var _ = Register[PingOutage]("Outages found in ping_reply by migreplay analyze: unanswered probes between two replies, with the downtime they imply.")

// Migration is one live migration found in xentop_domain by its
// --incoming/--migratedaway names (migreplay analyze).
type Migration struct {
	Host          string    `parquet:"host,dict,zstd" json:"host" doc:"host the xentop capture was taken on"`
	Domain        string    `parquet:"domain,dict,zstd" json:"domain" doc:"base domain name (suffix removed)"`
	Time          time.Time `parquet:"time,timestamp(microsecond),zstd" json:"time" doc:"first frame showing the domain with a migration suffix"`
	End           time.Time `parquet:"end,timestamp(microsecond),zstd" json:"end" doc:"last such frame"`
	DurationS     float64   `parquet:"duration_s,zstd" json:"duration_s" unit:"s" doc:"end - time plus one frame interval: the migration's visible duration at xentop's resolution"`
	Roles         string    `parquet:"roles,dict,zstd" json:"roles" doc:"which suffixed names appeared: incoming, migratedaway or both (both: a migration within this host)"`
	MemK          int64     `parquet:"mem_k,zstd" json:"mem_k" unit:"KiB" doc:"the domain's memory in the frame before the migration"`
	Dom0CPUBase   *float64  `parquet:"dom0_cpu_base_pct,optional,zstd" json:"dom0_cpu_base_pct" unit:"%" doc:"median Domain-0 CPU(%) over the 10 frames before the migration"`
	Dom0CPUPeak   *float64  `parquet:"dom0_cpu_peak_pct,optional,zstd" json:"dom0_cpu_peak_pct" unit:"%" doc:"highest Domain-0 CPU(%) during the migration"`
	Dom0SettleS   *float64  `parquet:"dom0_settle_s,optional,zstd" json:"dom0_settle_s" unit:"s" doc:"time after the migration until Domain-0 CPU(%) is back within max(5, 10 % of base) points of its base; null if it never is in the capture"`
	DomainCPUPeak *float64  `parquet:"domain_cpu_peak_pct,optional,zstd" json:"domain_cpu_peak_pct" unit:"%" doc:"highest CPU(%) of the domain's suffixed rows during the migration"`
	MemMiB        *float64  `parquet:"mem_mib,optional,zstd" json:"mem_mib" unit:"MiB" doc:"the domain's memory: mem_k in MiB, or for a migration seen only on the receiving side (no frame of the domain before it on this host) the memory its --incoming row reached; null when neither is known (the x of fit --by class on measured migrations)"`
	CPUBefore     *float64  `parquet:"cpu_before_pct,optional,zstd" json:"cpu_before_pct" unit:"%" doc:"the domain's mean CPU(%) over the frames of the minute before the migration (its load, for the class); null without such frames"`
	DiskBefore    *float64  `parquet:"disk_before_mbps,optional,zstd" json:"disk_before_mbps" unit:"MB/s" doc:"its mean VBD throughput (RSECT+WSECT) over that minute"`
	NetBefore     *float64  `parquet:"net_before_mbps,optional,zstd" json:"net_before_mbps" unit:"MB/s" doc:"its mean network throughput (NETTX+NETRX) over that minute"`
	Class         string    `parquet:"class,dict,zstd" json:"class" doc:"workload class from the load before the migration: idle, cpu, disk, network or unknown (analysis/class.go; the README's analyze section gives the thresholds)"`
	ClassBasis    string    `parquet:"class_basis,zstd" json:"class_basis" doc:"the evidence the class rests on, or why it is unknown"`
	PeerHost      *string   `parquet:"peer_host,optional,dict,zstd" json:"peer_host" doc:"the receiving host, when the lake has its xentop too: a migration between two hosts of the lake is one row, the sender's (its --incoming window on the receiver overlaps this one); null otherwise"`
}

func (*Migration) TableName() string                { return "analysis_migration" }
func (r *Migration) Partition() (string, time.Time) { return r.Host, r.Time }

var _ = Register[Migration]("Live migrations found in xentop_domain by migreplay analyze, with Domain-0 CPU peak and settle time.")

// VMCandidate is one guest seen in xentop_domain, classified by workload
// and ranked by its predicted migration cost (migreplay analyze).
type VMCandidate struct {
	Host          string    `parquet:"host,dict,zstd" json:"host" doc:"host the guest runs on"`
	Domain        string    `parquet:"domain,dict,zstd" json:"domain" doc:"domain name"`
	Time          time.Time `parquet:"time,timestamp(microsecond),zstd" json:"time" doc:"last frame the guest was seen in"`
	Frames        int64     `parquet:"frames,zstd" json:"frames" doc:"frames the guest was seen in"`
	MemK          int64     `parquet:"mem_k,zstd" json:"mem_k" unit:"KiB" doc:"memory in the last frame"`
	CPUPct        float64   `parquet:"cpu_pct,zstd" json:"cpu_pct" unit:"%" doc:"mean CPU(%) (100 = one CPU busy)"`
	DiskMBps      float64   `parquet:"disk_mbps,zstd" json:"disk_mbps" unit:"MB/s" doc:"mean VBD throughput from the RSECT/WSECT counters (512-byte sectors)"`
	NetMBps       float64   `parquet:"net_mbps,zstd" json:"net_mbps" unit:"MB/s" doc:"mean network throughput from the NETTX/NETRX counters"`
	Class         string    `parquet:"class,dict,zstd" json:"class" doc:"workload class: idle, cpu, disk, network, or unknown when two loads are within a third of each other (analysis.Classify; the README's analyze section gives the thresholds)"`
	DirtyRate     float64   `parquet:"dirty_rate,zstd" json:"dirty_rate" unit:"pages/s" doc:"assumed page-dirtying rate: CPU(%)/100 × --dirty-per-cpu (SimGrid's CPU coupling)"`
	PredTotalS    float64   `parquet:"pred_total_s,zstd" json:"pred_total_s" unit:"s" doc:"predicted total migration time (replay's analytic path under --policy over --bandwidth)"`
	PredDowntimeS float64   `parquet:"pred_downtime_s,zstd" json:"pred_downtime_s" unit:"s" doc:"predicted downtime"`
	PredBytes     int64     `parquet:"pred_bytes,zstd" json:"pred_bytes" unit:"bytes" doc:"predicted bytes sent"`
	Converges     bool      `parquet:"converges,zstd" json:"converges" doc:"whether the policy's stop rule is met"`
	Rank          int64     `parquet:"rank,zstd" json:"rank" doc:"1 = cheapest to migrate on this host (converging first, then by predicted total time)"`
}

func (*VMCandidate) TableName() string                { return "analysis_vm" }
func (r *VMCandidate) Partition() (string, time.Time) { return r.Host, r.Time }

var _ = Register[VMCandidate]("Guests in xentop_domain with their workload class and predicted migration cost, ranked per host (which VM to migrate).")
