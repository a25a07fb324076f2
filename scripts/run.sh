#!/usr/bin/env bash
# make run: the main job on the bundled datasets, end to end, into $out:
#   1. ingest the bundled traces (datasets/traces) into $out/lake, strictly;
#   2. analyze the migrations in the lake (ping downtime, xentop, which VM,
#      every migration policy's decisions side by side), then the same on
#      the synthetic three-host cluster (datasets/cluster), whose measured
#      migrations are fitted per workload class beside the replay's
#      prediction for the same guests;
#   3. replay the bundled scenario: an 8 GiB guest under QEMU's rules, and
#      the QMP-logged migration driven by its own measured dirty rates;
#   4. sweep Dom0 CPU caps for a 1 GiB guest under three stop rules and fit
#      migration time against the cap per policy (seed 004's question);
#   5. reproduce the seed papers' published numbers;
#   6. write the report (out/report.html, and its screenshot with chromium).
set -euo pipefail
bin=${1:-bin/migreplay}; out=${2:-out}
rm -rf "$out"; mkdir -p "$out"
step() { printf '\n== %s\n' "$*"; }

step "ingest datasets/traces -> $out/lake"
"$bin" ingest datasets/traces --out "$out/lake"

# xentop -b never prints the host's CPU count: lab1's domains use up to 25.7
# CPUs, more than Domain-0's 16 vCPUs (analyze's default), so we give 28
# (two 14-core sockets); the synthetic capture does not say.
step "analyze the lake: ping downtime, xentop migrations, which VM to migrate, each policy's decisions"
"$bin" analyze --lake "$out/lake" --out "$out/analysis" --host-cpus lab1=28

step "ingest datasets/cluster/traces (synthetic: three Xen hosts, 21 migrations) -> $out/cluster/lake"
"$bin" ingest datasets/cluster/traces --out "$out/cluster/lake" > /dev/null
step "analyze the cluster: decisions with destinations and the guests' traffic (--idc), measured migration time per class"
"$bin" analyze --lake "$out/cluster/lake" --out "$out/cluster/analysis" --idc datasets/cluster/idc.csv | sed -n '/^xentop migrations/,$p'
step "fit: measured migration time against memory per workload class (the cluster's migrations)"
"$bin" fit --in "$out/cluster/analysis/table=analysis_migration" --x mem_mib --y duration_s --by class --model linear \
  --predict 4096,16384 --out "$out/cluster/fit"

step "replay: 8 GiB guest, hot/cold writable working set, QEMU stop rule, 1 Gbit/s"
"$bin" replay --memory 8GiB --dirty-model hotcold --dirty-rate 20000 --zero-share 0.5 \
  --policy qemu --show-rounds 10 --out "$out/lake"

step "replay the QMP-logged migration in the lake: its measured dirty rates drive a 4 GiB guest"
"$bin" replay --dirty-model trace --dirty-trace "$out/lake" --memory 4GiB --zero-share 0.7 \
  --policy qemu --show-rounds 6 --out "$out/lake"

step "sweep: 1 GiB guest, Dom0 CPU cap 10..100 % x three stop rules"
"$bin" replay --memory 1GiB --cpu-rate 100MB/s --dirty-model hotcold --dirty-rate 5000 \
  --sweep cpu-cap=0.1:1:0.1 --sweep policy=xen-legacy,xen-v2,simgrid --out "$out/sweep" > "$out/sweep.txt"
echo "$(grep -c . "$out/sweep.txt") lines of sweep results in $out/sweep.txt"

step "fit: migration time against Dom0 CPU cap, per policy (power model)"
"$bin" fit --in "$out/sweep/table=replay_run" --x cpu_cap --y total_time_s --by policy --model power --out "$out/fit"
step "reproduce the seed papers' numbers (seed 004 power-law R², seed 001 packet-size tables)"
"$bin" reproduce --out "$out/reproduce"
step "report: one self-contained HTML file of SVG plots -> $out/report.html"
"$bin" report --out "$out/report.html" --lake "$out/lake" --lake "$out/analysis" --lake "$out/sweep" --lake "$out/fit" \
  --lake "$out/reproduce" --lake "$out/cluster/lake" --lake "$out/cluster/analysis" --lake "$out/cluster/fit"
if command -v chromium >/dev/null; then
  profile=$(mktemp -d)
  chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --user-data-dir="$profile" --window-size=1280,9000 \
    --screenshot="$(cd "$out" && pwd)/report.png" "file://$(cd "$out" && pwd)/report.html" 2>/dev/null && echo "screenshot: $out/report.png"
  rm -rf "$profile"
else
  echo "(no chromium: no screenshot; apt-get install chromium)"
fi
step "done: Parquet outputs under $out/"
find "$out" -name '*.parquet' | sed 's|/part-.*||' | sort | uniq -c
