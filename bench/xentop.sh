#!/usr/bin/env bash
# xentop text → Parquet throughput per core, and memory on a 2 GB capture.
# Peer for normalising a noisy machine: `wc -l` reading the same file (the
# floor any line-oriented tool pays). Targets (issue 2): ≥250 MB/s per core;
# <256 MB max RSS on the 2 GB file.
source "$(dirname "$0")/lib.sh"
small=$scratch/xentop-250MB.txt big=$scratch/xentop-2GB.txt
[ -s "$small" ] || "$bin" generate --format xentop --size 250MB --seed 1 -o "$small"
size=$(stat -c %s "$small")
for ((r = 0; r < rounds; r++)); do
  keepbest wc wc -l "$small"
  rm -rf "$scratch/lake-x"
  keepbest ours env GOMAXPROCS=1 taskset -c 0 "$bin" ingest "$small" --out "$scratch/lake-x"
done
echo "xentop $((size/1000000)) MB, one core, best of $rounds rounds: migreplay $(mbps "$size" "$ours_s") MB/s ($ours_s s; $(mbps "$size" "$ours_cpu") MB per CPU-second; ${ours_rss_mb} MB RSS); wc -l $(mbps "$size" "$wc_s") MB/s; wc/migreplay time ratio $(ratio "$ours_s" "$wc_s")"
if [ "${BENCH_BIG:-1}" = 1 ]; then
  [ -s "$big" ] || "$bin" generate --format xentop --size 2GB --seed 2 -o "$big"
  bsize=$(stat -c %s "$big")
  rm -rf "$scratch/lake-x"
  timeit big "$bin" ingest "$big" --out "$scratch/lake-x"
  echo "xentop $((bsize/1000000)) MB, all cores: $(mbps "$bsize" "$big_s") MB/s, max RSS ${big_rss_mb} MB (target < 256 MB)"
  rm -rf "$scratch/lake-x"
fi
