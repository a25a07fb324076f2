#!/usr/bin/env bash
# make test-cluster (CI runs it after make test): a real Slurm job array.
#
# Starts munged, slurmctld and slurmd on this machine (Debian's munge and
# slurm-wlm 22.05, as root) with every path and port in a scratch folder:
# the munge key, socket, pid and log files (munged --key-file --socket …),
# a generated slurm.conf passed as SLURM_CONF (AuthInfo=socket= points Slurm
# at that munged), free ports instead of 6817/6818. Nothing of the machine's
# /etc/munge or /etc/slurm is read or written. Then, with
# deploy/slurm/migreplay-array.sbatch:
#   1. sbatch --array=0-3 --wait: migreplay ingest of datasets/traces into one
#      lake; the same command in one process into another;
#   2. sbatch --array=0-3 --wait: a sharded replay --sweep (512 points, 8
#      blocks of 64) into one lake; the same sweep in one process;
#   3. deploy/slurm/lake-check.sbatch with --dependency=afterok on both arrays
#      checks the Slurm lakes (migreplay lake check); the single-process
#      lakes are checked directly;
#   4. the Parquet files of each Slurm lake and its single-process twin must
#      be the same files with the same bytes (bookkeeping under _-prefixed
#      folders excluded), and every task must have done its share (the
#      shards' file and point counts add up to the single run's).
# It prints the wall time of each array job against the single process.
# The daemons are stopped by the PIDs in their pid files when the script
# ends, whatever the outcome (trap), and the scratch folder is removed
# (KEEP_SCRATCH=1 keeps it).

set -euo pipefail
export LC_ALL=C # sort order; a dot in $EPOCHREALTIME
bin=${1:-bin/migreplay}
root=$(pwd)
case $bin in /*) ;; *) bin=$root/$bin ;; esac
log() { printf 'cluster-test: %s\n' "$*"; }
die() { printf 'cluster-test: FAIL: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "needs root (slurmd runs jobs as SlurmUser=root here); CI runs as root"
for c in munged munge slurmctld slurmd sbatch squeue scancel sinfo; do
  command -v "$c" >/dev/null || die "$c is not installed (apt-get install slurm-wlm munge)"
done
[ -x "$bin" ] || die "$bin is not built (make build)"

mkdir -p "$root/.scratch"
s=$(mktemp -d "$root/.scratch/cluster.XXXXXX")
# munged wants its socket's folder searchable by all and nothing of its own
# writable by others
chmod 755 "$s"
mkdir -p "$s/slurm/state" "$s/slurm/spool" "$s/logs" "$s/single" "$s/array"

started=()
stop_daemons() {
  local rc=$?
  set +e
  if [ -f "$s/slurm.conf" ]; then
    # jobs still running (a failure or a timeout) die with the cluster
    SLURM_CONF=$s/slurm.conf scancel --quiet --full $(SLURM_CONF=$s/slurm.conf squeue -h -o %A 2>/dev/null) 2>/dev/null
  fi
  if [ $rc -ne 0 ]; then
    for f in "$s"/slurm/*.log "$s"/munged.log "$s"/logs/*; do
      [ -f "$f" ] && { printf '\n--- %s (last 30 lines)\n' "${f#$s/}" >&2; tail -n 30 "$f" >&2; }
    done
  fi
  # newest first: slurmd, slurmctld, then munged
  for ((i = ${#started[@]} - 1; i >= 0; i--)); do
    local pf=${started[i]} pid
    pid=$(cat "$pf" 2>/dev/null) || continue
    kill "$pid" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null
  done
  if [ "${KEEP_SCRATCH:-}" = 1 ]; then log "scratch kept: $s"; else rm -rf "$s"; fi
  exit $rc
}
trap stop_daemons EXIT
trap 'exit 130' INT TERM

# waitfor SECONDS WHAT CMD...: poll CMD every 0.2 s
waitfor() {
  local t=$1 what=$2; shift 2
  for _ in $(seq $((t * 5))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  die "$what did not happen within $t s"
}
# a TCP port nothing listens on
freeport() {
  local p
  for _ in $(seq 100); do
    p=$((20000 + RANDOM % 20000))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
  die "no free port found"
}
now() { echo "$EPOCHREALTIME"; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

# --- munge, with a key of its own
head -c 1024 /dev/urandom > "$s/munge.key"
chmod 400 "$s/munge.key"
munged --key-file="$s/munge.key" --socket="$s/munge.socket" --pid-file="$s/munged.pid" \
  --log-file="$s/munged.log" --seed-file="$s/munged.seed"
started+=("$s/munged.pid")
munge --socket="$s/munge.socket" -n | unmunge --socket="$s/munge.socket" >/dev/null || die "munge cannot decode its own credential"

# --- slurm.conf: this host as controller and as the one compute node
host=$(hostname -s)
node=$(slurmd -C | head -n 1)   # NodeName=<host> CPUs=… RealMemory=… as slurmd sees them
case $node in NodeName=*) ;; *) die "slurmd -C printed '$node'" ;; esac
cport=$(freeport)
dport=$(freeport)
[ "$cport" != "$dport" ] || dport=$(freeport)
cat > "$s/slurm.conf" <<EOF
ClusterName=migreplay-ci
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$cport
SlurmdPort=$dport
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$s/munge.socket
StateSaveLocation=$s/slurm/state
SlurmdSpoolDir=$s/slurm/spool
SlurmctldPidFile=$s/slurm/slurmctld.pid
SlurmdPidFile=$s/slurm/slurmd.pid
SlurmctldLogFile=$s/slurm/slurmctld.log
SlurmdLogFile=$s/slurm/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
MpiDefault=none
$node NodeAddr=127.0.0.1
PartitionName=ci Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF=$s/slurm.conf
slurmctld
started+=("$s/slurm/slurmctld.pid")
slurmd
started+=("$s/slurm/slurmd.pid")
idle() { sinfo -h -n "$host" -o %T | grep -qx idle; }
waitfor 30 "node $host idle in sinfo" idle
log "slurm up: $node, ports $cport/$dport, conf $s/slurm.conf"

# Every run gets the same command line (provenance is in the bytes): the
# input by its absolute path, --out relative to the run's own folder. The
# single runs must not see a scheduler's variables.
traces=$root/datasets/traces
single() { (cd "$s/single" && env -u SLURM_ARRAY_TASK_ID -u SLURM_ARRAY_TASK_COUNT -u JOB_COMPLETION_INDEX "$bin" "$@"); }
# array NAME ARGS…: sbatch --array=0-3 --wait; prints the job id
array() {
  local name=$1; shift
  timeout 600 sbatch --parsable --wait --array=0-3 --cpus-per-task=1 --chdir="$s/array" \
    --export=ALL,MIGREPLAY="$bin" -o "$s/logs/$name-%a.out" \
    "$root/deploy/slurm/migreplay-array.sbatch" "$@" ||
    die "array job $name failed (sbatch exit $?)"
}
# span NAME: first task start to last task end, from the tasks' log lines
span() {
  awk '$1 == "migreplay-array:" && $2 == "start" { if (!a || $3 < a) a = $3 }
    $1 == "migreplay-array:" && $2 == "end" { if ($3 > b) b = $3 }
    END { printf "%.1f", b - a }' "$s"/logs/"$1"-[0-9]*.out
}
# digest DIR: the Parquet files outside _-prefixed folders, with their SHA-256
digest() { (cd "$1" && find . -path './_*' -prune -o -name '*.parquet' -print | LC_ALL=C sort | xargs -r sha256sum); }
same() {
  local a=$1 b=$2 n
  n=$(digest "$a" | wc -l)
  [ "$n" -gt 0 ] || die "$a holds no Parquet file"
  diff <(digest "$a") <(digest "$b") >&2 || die "$b differs from $a (lines above: < single process, > Slurm array)"
  log "$b = $a: $n Parquet files, same names, same bytes"
}

# --- 1. ingest
t0=$(now)
single ingest "$traces" --out lake > "$s/logs/ingest-single.txt"
t1=$(now)
ingest_job=$(array ingest ingest "$traces" --out lake)
t2=$(now)
files=$(sed -n 's/.*total: \([0-9]*\) files$/\1/p' "$s/logs/ingest-single.txt")
sharded=0
for i in 0 1 2 3; do
  n=$(sed -n 's/.*total: \([0-9]*\) files$/\1/p' "$s/logs/ingest-$i.out")
  [ -n "$n" ] || die "task $i of the ingest array printed no summary"
  sharded=$((sharded + n))
done
[ "$sharded" = "$files" ] || die "the 4 ingest tasks read $sharded files in all, the single run $files"
same "$s/single/lake" "$s/array/lake"

# --- 2. sweep: 4 policies x 64 dirty rates x 2 bandwidths = 512 points, 8 blocks
sweep=(replay --memory 4GiB --dirty-model hotcold --sweep policy=xen-legacy,xen-v2,qemu,simgrid
  --sweep dirty-rate=1000:64000:1000 --sweep bandwidth=1Gbit/s,10Gbit/s --timeout 20m --json --out sweep)
t3=$(now)
single "${sweep[@]}" > "$s/logs/sweep-single.txt"
t4=$(now)
sweep_job=$(array sweep "${sweep[@]}")
t5=$(now)
points=$(grep -c '^{' "$s/logs/sweep-single.txt")
[ "$points" = 512 ] || die "the single sweep printed $points points, want 512"
for i in 0 1 2 3; do
  n=$(grep -c '^{' "$s/logs/sweep-$i.out" || true)
  # blocks i and i+4 of 64 points each
  [ "$n" = 128 ] || die "task $i of the sweep array ran $n points, want 128 (blocks $i and $((i + 4)))"
done
same "$s/single/sweep" "$s/array/sweep"

# --- 3. lake check: after both arrays succeeded (afterok), as a job would
"$bin" lake check "$s/single/lake" || die "lake check $s/single/lake"
"$bin" lake check "$s/single/sweep" || die "lake check $s/single/sweep"
timeout 300 sbatch --parsable --wait --dependency="afterok:$ingest_job:$sweep_job" --chdir="$s/array" \
  --export=ALL,MIGREPLAY="$bin" -o "$s/logs/lake-check.out" \
  "$root/deploy/slurm/lake-check.sbatch" lake sweep >/dev/null || die "lake check of the Slurm lakes failed"
log "lake check: the four lakes pass"

printf '\ncluster-test: wall times, single process vs sbatch --array=0-3 --wait on %s CPUs\n' "$(nproc)"
printf '  (array: from submission until sbatch --wait returned, which polls 2, 8, then 32 s apart;\n'
printf '   tasks: first task start to last task end)\n'
printf '  ingest %s (%s files): single %s s, array %s s, tasks %s s\n' "datasets/traces" "$files" \
  "$(secs "$t0" "$t1")" "$(secs "$t1" "$t2")" "$(span ingest)"
printf '  replay --sweep (%s points, 4 GiB guest): single %s s, array %s s, tasks %s s\n' "$points" \
  "$(secs "$t3" "$t4")" "$(secs "$t4" "$t5")" "$(span sweep)"
log "PASS"
