#!/usr/bin/env bash
# sadf -d CSV → Parquet: migreplay ingest against DuckDB read_csv → COPY …
# (FORMAT parquet, COMPRESSION zstd), same input, same run. Two inputs, each
# the CPU activity of a generated `sadf -d -- -A` capture (one header, so
# DuckDB's CSV reader takes it as is), about 110 MB:
#   one host (issue 2), both sides on one thread (GOMAXPROCS=1 and DuckDB
#   threads=1) and then on two;
#   16 hosts interleaved by time, as a merged export from a monitoring
#   system prints them (generate --hosts 16; issue 12), on two threads.
#   migreplay writes a file per host and day (DuckDB one file): the output
#   of the same rows host after host (--by-host) is printed beside it,
#   since the interleaved input should give the same bytes.
# Targets: ≥ 1× DuckDB's throughput; interleaved, output ≤ 2× DuckDB's.
source "$(dirname "$0")/lib.sh"
node_modules=$root/.scratch/duckdb/node_modules
[ -d "$node_modules/@duckdb/node-api" ] || { echo "run make test-integration first (installs @duckdb/node-api)"; exit 1; }
# cpuof GENERATE-FLAGS... OUT: the CPU activity of a generated capture: its
# first header, then its rows
cpuof() {
  local out=${*: -1} all=$scratch/sadf-A.csv
  [ -s "$out" ] && return
  "$bin" generate --format sadf-csv --size 300MB --seed 1 "${@:1:$#-1}" -o "$all"
  awk '/^# / { cpu = ($0 ~ /;CPU;%usr;/); if (cpu && !seen++) print; next } cpu' "$all" > "$out"
  rm -f "$all"
}
in=$scratch/sadf-cpu.csv in16=$scratch/sadf-cpu-16hosts.csv sorted16=$scratch/sadf-cpu-16hosts-byhost.csv
cpuof "$in"
cpuof --hosts 16 "$in16"
cpuof --hosts 16 --by-host "$sorted16"
cat > "$scratch/duck.mjs" <<'JS'
import { createRequire } from 'node:module';
const require = createRequire(process.env.NODE_PATH + '/');
const { DuckDBInstance } = require('@duckdb/node-api');
const [input, output, threads] = process.argv.slice(2);
const db = await DuckDBInstance.create(':memory:', { threads });
const con = await db.connect();
await con.run(`COPY (SELECT * FROM read_csv('${input}', delim = ';', header = true)) TO '${output}' (FORMAT parquet, COMPRESSION zstd)`);
JS
duck() { keepbest "$1" env NODE_PATH="$node_modules" node "$scratch/duck.mjs" "$3" "$scratch/duck-$1.parquet" "$2"; }
ours() { rm -rf "$scratch/lake-$1"; keepbest "$1" env GOMAXPROCS="$2" "$bin" ingest "$3" --out "$scratch/lake-$1"; }
for ((r = 0; r < rounds; r++)); do
  duck duck1 1 "$in"; ours ours1 1 "$in"
  duck duckN 2 "$in"; ours oursN 2 "$in"
  duck duck16 2 "$in16"; ours ours16 2 "$in16"
done
size=$(stat -c %s "$in") size16=$(stat -c %s "$in16")
rm -rf "$scratch/lake-sorted16"; "$bin" ingest "$sorted16" --out "$scratch/lake-sorted16" > /dev/null
bytes() { du -sb "$1" | cut -f1; }
echo "sadf -d CPU activity, one host, $((size/1000000)) MB, best of $rounds alternating rounds:"
echo "  one thread : migreplay $(mbps "$size" "$ours1_s") MB/s, DuckDB $(mbps "$size" "$duck1_s") MB/s -> ratio $(ratio "$duck1_s" "$ours1_s")x DuckDB (target >= 1)"
echo "  two threads: migreplay $(mbps "$size" "$oursN_s") MB/s, DuckDB $(mbps "$size" "$duckN_s") MB/s -> ratio $(ratio "$duckN_s" "$oursN_s")x DuckDB"
echo "  output: migreplay $(bytes "$scratch/lake-oursN") B, DuckDB $(stat -c %s "$scratch/duck-duckN.parquet") B; max RSS migreplay ${ours1_rss_mb} MB, DuckDB ${duck1_rss_mb} MB"
echo "sadf -d CPU activity, 16 hosts interleaved by time, $((size16/1000000)) MB, two threads, best of $rounds alternating rounds:"
echo "  migreplay $(mbps "$size16" "$ours16_s") MB/s, DuckDB $(mbps "$size16" "$duck16_s") MB/s -> ratio $(ratio "$duck16_s" "$ours16_s")x DuckDB (target >= 1)"
o16=$(bytes "$scratch/lake-ours16") d16=$(stat -c %s "$scratch/duck-duck16.parquet")
echo "  output: migreplay $o16 B ($(find "$scratch/lake-ours16" -name '*.parquet' | wc -l) files), DuckDB $d16 B -> $(ratio "$o16" "$d16")x DuckDB's (target <= 2); the same rows host after host: $(bytes "$scratch/lake-sorted16") B"
echo "  max RSS migreplay ${ours16_rss_mb} MB, DuckDB ${duck16_rss_mb} MB"
rm -rf "$scratch"/lake-ours* "$scratch/lake-sorted16" "$scratch"/duck-*.parquet
