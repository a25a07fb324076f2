#!/usr/bin/env bash
# make run: the main job on the bundled datasets, end to end, into $out:
#   1. ingest the bundled traces (datasets/traces) into $out/lake, strictly;
#   2. analyze the migrations in the lake (ping downtime, xentop, which VM);
#   3. replay the bundled scenario: an 8 GiB guest under QEMU's rules, and
#      the QMP-logged migration driven by its own measured dirty rates;
#   4. sweep Dom0 CPU caps for a 1 GiB guest under three stop rules and fit
#      migration time against the cap per policy (seed 004's question);
#   5. reproduce the seed papers' published numbers.
set -euo pipefail
bin=${1:-bin/migreplay}; out=${2:-out}
rm -rf "$out"; mkdir -p "$out"
step() { printf '\n== %s\n' "$*"; }

step "ingest datasets/traces -> $out/lake"
"$bin" ingest datasets/traces --out "$out/lake"

step "analyze the lake: ping downtime, xentop migrations, which VM to migrate"
"$bin" analyze --lake "$out/lake" --out "$out/analysis"

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
step "done: Parquet outputs under $out/"
find "$out" -name '*.parquet' | sed 's|/part-.*||' | sort | uniq -c
