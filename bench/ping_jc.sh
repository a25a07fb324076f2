#!/usr/bin/env bash
# ping -D session → records: migreplay ingest (to Parquet) against `jc --ping`
# (Debian package jc, to JSON) on the same generated 1,000,000-reply iputils
# `ping -D -O` capture, same run. jc runs on one thread; migreplay runs on one
# thread (GOMAXPROCS=1) and then with its default (every core: the parser,
# the Parquet encoder and the source hash run side by side).
# Target (issue 2): ≥ 30× jc's throughput.
source "$(dirname "$0")/lib.sh"
command -v jc >/dev/null || { echo "jc is not installed: apt-get install jc"; exit 1; }
in=$scratch/ping-1M.txt
[ -s "$in" ] || "$bin" generate --format ping --size 1000000 --seed 1 -o "$in"
size=$(stat -c %s "$in"); lines=$(wc -l < "$in")
ours() { rm -rf "$scratch/lake-p"; keepbest "$1" env GOMAXPROCS="$2" "$bin" ingest "$in" --out "$scratch/lake-p"; }
for ((r = 0; r < rounds; r++)); do
  keepbest jc sh -c "jc --ping < '$in' > '$scratch/ping.json'"
  ours ours1 1
  ours oursN "$(nproc)"
done
echo "ping -D -O, $lines lines, $((size/1000000)) MB, best of $rounds alternating rounds; jc $(mbps "$size" "$jc_s") MB/s ($jc_s s):"
echo "  migreplay, one thread : $(mbps "$size" "$ours1_s") MB/s ($ours1_s s) -> ratio $(ratio "$jc_s" "$ours1_s")x jc (target >= 30)"
echo "  migreplay, $(nproc) threads: $(mbps "$size" "$oursN_s") MB/s ($oursN_s s) -> ratio $(ratio "$jc_s" "$oursN_s")x jc (target >= 30)"
rm -rf "$scratch/lake-p" "$scratch/ping.json"
