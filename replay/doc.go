// Package replay predicts how a live migration unfolds, round by round,
// under a real hypervisor's rules: pages sent and time taken per round,
// total time, downtime, bytes sent, and whether it converged.
//
// The page-level engine (Run) keeps the guest's dirty set as a bitmap: each
// round sends the pages dirty when it starts while a DirtyModel marks the
// distinct pages the guest writes meanwhile; a Policy (Xen legacy, Xen v2,
// QEMU, SimGrid: policy_*.go) decides how rounds are sent and when to stop
// and copy. Post-copy and hybrid migrations follow Config.Postcopy. The
// analytic path (Analytic) is the geometric model of Liu et al. (2011)
// under the same policies, for sweeps (Sweep). Calibrate and LeaveOneOut fit
// the free parameters to measured migrations.
//
// Units: sizes in bytes, rates in bytes per second (1 Gbit/s = 125e6),
// dirty rates in page writes per second, times in seconds (durations in
// Config are time.Duration), shares as fractions. The zero Config is valid:
// every zero field means its documented default. The same Config, Seed
// included, gives the same Result and the same table rows (Rows, Block;
// tables replay_run and replay_round, see schema/README.md).
//
// The package reads and writes no files: replay/lakeio reads dirty-rate
// series and QMP polls from a lake (or a CSV file) and writes replays into
// one.
//
// Limits hold inside a round. Config.Timeout ends a migration that has not
// converged at exactly setup + Timeout: a live round, a stop-and-copy or a
// post-copy switch-over that would end later is cut at that instant and
// the migration gives up (Converged false, StopReason "timeout", TotalTime
// setup + Timeout, Downtime 0: the guest resumes on the source). A cut
// round reports what was sent by the deadline: the page-level engine sends
// the pages whose bytes fit before it, in the round's own order (address
// order, or Xen's batches), a page in flight at the deadline not counted;
// the analytic path takes the round's pages and bytes pro rata of its time
// before the deadline. Pages not sent stay pending (ExpectedDowntime counts
// them). No bitmap sync ends a cut live round (Syncs = Rounds); a cut
// stop-and-copy or switch-over had its sync (Syncs = Rounds + 2). Once the
// guest runs on the destination a post-copy cannot be abandoned: its push
// is not cut. The round cap (Config.MaxRounds, a policy's) counts whole
// rounds and is checked between them; a downtime-limit ramp raises QEMU's
// threshold when each cooldown elapses, within a round too
// (RoundPlan.StopRises).
//
// Policies and dirty models register themselves by name (RegisterPolicy,
// RegisterModel, from their own files) with a one-line help, their options
// (Params) and a constructor; NewConfig builds a Config from options given
// by name as text (Values: the command line's flags, a --config file's
// keys), where an option given as 0 that Config would read as its default
// is an error naming the option's range. Options lists every option;
// ParseSweep reads sweep values with the same rules.
//
// Policies carry their options: XenLegacy{RateAdapt, NoSkip}, and
// QEMU{Ramp: &DowntimeRamp{}} for management software that raises the
// downtime limit step by step while the migration runs (KubeVirt's
// downtime tuning, VEP 291: 150 ms, then 7 equal steps to 1050 ms, one
// every 10 s from dirty-sync-count 3).
//
// QEMU's switch-over (QEMU 10.0, migration.c and ram.c): after every
// iteration (one 100 ms rate-limit budget or 50 ms of sending) QEMU
// compares the pages not yet sent with bandwidth × downtime limit; below
// it, it syncs the dirty bitmap and switches over if the exact count is
// below too, else goes on. The switch lifts max-bandwidth: Downtime (the
// pause) is the pages pending after the last sync plus the device state
// at the rate the link and the CPU allow, plus StateTime;
// ExpectedDowntime is QEMU's expected-downtime, those pages × page size ÷
// the stream rate (Result documents both). Xen's and SimGrid's final round
// is the same sum at their stream rate. Post-copy starts after
// Config.PostcopyAfter rounds or at Config.PostcopyAt (QEMU switching
// after the iteration in progress); remote faults count the dirty model's
// writes and Config.ReadRate's reads.
//
// Dirty-rate series follow one interval rule (TraceRule): a rate holds
// from its time stamp until the next. A migration that cannot converge
// while its workload writes completes once the series drops, within two
// passes over the working set.
//
// Measured migrations: SplitQMP splits a lake's qmp_migrate polls
// (schema.QMPMigrate rows, read by lakeio.ReadQMP) into migrations (per
// host; a migration ends at a completed, failed or cancelled poll, and a
// new one starts at a setup poll or where total_time_ms restarts);
// ConfigFromQMP replays one from what its polls measured (QMPFigures:
// memory, page size, zero share, the stream rate as max-bandwidth, the
// downtime limit, auto-converge, the post-copy request; TraceFromQMP's
// series, distinct pages in turn over the measured working set, not
// throttled again), never from its outcomes; MeasuredFromQMP adds the
// outcomes of a completed one (total-time, downtime, dirty-sync-count,
// ram.transferred) and its group (idle, pre-copy, auto-converge,
// post-copy); CalibrateQMP fits state time and CPU rate (the switch-over's
// cost and rate, which the polls do not show) on all of them, or per
// group, and reports leave-one-out median absolute percentage errors,
// overall and per group. The command line runs it as "migreplay replay
// --calibrate LAKE"; its JSON's fit is what --params FILE replays with
// (ReadCalibration, Calibration.Apply).
//
// Dirty-rate series from a lake: lakeio.ReadLakeTrace takes one from
// QMP's dirty-pages-rate (qmp_migrate, TraceFromQMP), from sar -B's faults
// and page-ins run in the guest (sar_paging, TraceFromSar) or from a
// domain's CPU use in xentop (xentop_domain, TraceFromCPU), each mapping's
// assumptions stated there; FiguresFromQMP gives what a migration measured
// (memory, page size, zero share, stream rate), which "migreplay replay
// --dirty-trace LAKE" takes as defaults its flags override.
//
// What-if sweeps from a file: "migreplay replay --config sweep.json" reads
// a JSON object whose keys are the command's flag names, with "sweep"
// holding parameter ranges, e.g.
//
//	{"memory": "8GiB", "policy": "qemu", "dirty-model": "hotcold",
//	 "sweep": {"dirty-rate": "5000:50000:5000", "cpu-cap": [0.25, 0.5, 1]},
//	 "analytic": true}
//
// Flags on the command line override the file (a --sweep replaces the
// file's range for its parameter only); see "migreplay replay --help".
//
// Sweeps at fleet scale: the points, in enumeration order, are cut into
// blocks of SweepBlock (64); block b covers points [64b, 64b+64) and is one
// replay_run file and one replay_round file. Sweep.Shard (the command's
// --shard INDEX/COUNT, or SLURM_ARRAY_TASK_ID/COUNT, or
// JOB_COMPLETION_INDEX with MIGREPLAY_SHARDS) runs the blocks b with
// b mod COUNT = INDEX. Since a block's files do not depend on who computes
// it, and files are named by their content, the shards of an array job
// writing into one lake leave exactly the files one process writes, byte
// for byte (the command leaves --shard out of the provenance). A shard
// whose blocks run out (more shards than blocks) writes nothing.
//
// To reproduce seed 004's experiment, sweep Config.CPUCap (the Dom0 cap)
// with CPURate set for the hosts (CPUUsed shows where the CPU stops being
// the bottleneck) and a DirtyModel per workload (CPU{Usage: DomU cap} for
// the memory-write benchmark); for seed 001's MTU tables, sweep Config.MTU
// (IP MTU; "32 B" of payload is MTU 72) with PacketCPUShare.
package replay
