#!/usr/bin/env bash
# ping -D session → records: migreplay ingest (to Parquet) against `jc --ping`
# (Debian package jc, to JSON) on the same generated 1,000,000-reply iputils
# `ping -D -O` capture, same run. Target (issue 2): ≥ 30× jc's throughput.
source "$(dirname "$0")/lib.sh"
command -v jc >/dev/null || { echo "jc is not installed: apt-get install jc"; exit 1; }
in=$scratch/ping-1M.txt
[ -s "$in" ] || "$bin" generate --format ping --size 1000000 --seed 1 -o "$in"
size=$(stat -c %s "$in"); lines=$(wc -l < "$in")
timeit jc sh -c "jc --ping < '$in' > '$scratch/ping.json'"
rm -rf "$scratch/lake-p"
timeit ours env GOMAXPROCS=1 "$bin" ingest "$in" --out "$scratch/lake-p"
echo "ping -D -O, $lines lines, $((size/1000000)) MB: migreplay $(mbps "$size" "$ours_s") MB/s ($ours_s s), jc $(mbps "$size" "$jc_s") MB/s ($jc_s s) -> ratio $(ratio "$jc_s" "$ours_s")x jc (target >= 30)"
rm -rf "$scratch/lake-p" "$scratch/ping.json"
